//! The mouse: a click on a tab opens its pane, a click on a row selects it,
//! the wheel scrolls. The screen's layout comes from `crate::layout`, which
//! rendering draws into, so what is clicked is what was seen.

use crate::app::core::handled::Handled;
use crate::app::core::keymap::Action;
use crate::app::core::model::{Model, Overlay, Pane};
use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

/// Rows moved by one wheel notch.
const WHEEL_ROWS: usize = 3;

pub(crate) fn on_mouse(model: &mut Model, mouse: MouseEvent) -> Handled {
    if !model.view.mouse {
        return Handled::unseen();
    }
    match mouse.kind {
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let down = mouse.kind == MouseEventKind::ScrollDown;
            if let Overlay::Yaml(view) = &mut model.shared.overlay {
                view.cursor = if down {
                    view.cursor + WHEEL_ROWS
                } else {
                    view.cursor.saturating_sub(WHEEL_ROWS)
                };
                return Handled::shown(Vec::new());
            }
            if !matches!(model.shared.overlay, Overlay::None) {
                return Handled::unseen();
            }
            let action = if down { Action::Down } else { Action::Up };
            let moved: Vec<Handled> = (0..WHEEL_ROWS)
                .map(|_| crate::app::core::actions::on_action(model, action))
                .collect();
            Handled {
                visible: moved.iter().any(|h| h.visible),
                commands: moved.into_iter().flat_map(|h| h.commands).collect(),
            }
        }
        MouseEventKind::Down(MouseButton::Left)
            if matches!(model.shared.overlay, Overlay::None) =>
        {
            click(model, mouse.column, mouse.row)
        }
        _ => Handled::unseen(),
    }
}

fn click(model: &mut Model, column: u16, row: u16) -> Handled {
    let (width, height) = model.view.size;
    let [_, tabs, body, ..] = crate::layout::screen_areas(Rect::new(0, 0, width, height));
    if row == tabs.y {
        let mut left = 0u16;
        for (pane, label) in crate::layout::tab_labels(width, model) {
            let right = left.saturating_add(label.chars().count() as u16);
            if column >= left && column < right {
                return crate::app::core::actions::on_action(model, pane_action(pane));
            }
            left = right;
        }
        return Handled::unseen();
    }
    let (pane_area, _) = crate::layout::body_areas(body, model.tour.active);
    let Some(table) = crate::layout::table_area(model, pane_area) else {
        return Handled::unseen();
    };
    // Inside the border, below the column titles.
    let first_row = table.y + 2;
    let rows = table.height.saturating_sub(3) as usize;
    let inside = column > table.x && column < table.x + table.width.saturating_sub(1);
    if !inside || row < first_row || usize::from(row - first_row) >= rows {
        return Handled::unseen();
    }
    let pane = model.shared.pane;
    let Some(state) = model.table_mut(pane) else {
        return Handled::shown(Vec::new());
    };
    let index = state.offset_for(rows) + usize::from(row - first_row);
    if index >= state.view.len() {
        return Handled::unseen();
    }
    state.selected = index;
    Handled::shown(Vec::new())
}

fn pane_action(pane: Pane) -> Action {
    match pane {
        Pane::Containers => Action::PaneContainers,
        Pane::Images => Action::PaneImages,
        Pane::Jobs => Action::PaneJobs,
        Pane::Logs => Action::PaneLogs,
        Pane::Deployments => Action::PaneDeployments,
        Pane::Pods => Action::PanePods,
        Pane::Services => Action::PaneServices,
        Pane::Events => Action::PaneEvents,
        Pane::Cloud => Action::PaneCloud,
        Pane::History => Action::PaneHistory,
        Pane::Forwards => Action::PaneForwards,
    }
}
