//! Pure rendering: `&Model` + `&Theme` -> a frame. Nothing here does I/O or
//! changes the model.

pub mod chrome;
mod help;
mod overlay;
pub mod panes;
pub mod table;
mod tour;

use crate::app::core::model::{Model, Pane};
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

/// The screen's rows: header, tabs, body, learn line, status, footer. Shared
/// with `update`, which maps a mouse click to what is under it.
pub fn screen_areas(area: Rect) -> [Rect; 6] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// The pane's area and the tour panel's (beside it when wide, below it when narrow).
pub fn body_areas(body: Rect, tour: bool) -> (Rect, Option<Rect>) {
    if !tour {
        return (body, None);
    }
    if body.width >= 100 {
        let [pane, panel] =
            Layout::horizontal([Constraint::Fill(1), Constraint::Length(42)]).areas(body);
        (pane, Some(panel))
    } else {
        let [pane, panel] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(11)]).areas(body);
        (pane, Some(panel))
    }
}

pub fn render(frame: &mut Frame, model: &Model, theme: &Theme) {
    frame.render_widget(Block::new().style(theme.base), frame.area());
    let [header, tabs, body, learn, status, footer] = screen_areas(frame.area());
    let (body, tour_panel) = body_areas(body, model.tour.active);
    if let Some(panel) = tour_panel {
        tour::render(frame, panel, model, theme);
    }
    chrome::header(frame, header, model, theme);
    chrome::tabs(frame, tabs, model, theme);
    match model.pane {
        Pane::Containers => panes::containers::render(frame, body, model, theme),
        Pane::Images => panes::images::render(frame, body, model, theme),
        Pane::Jobs => panes::jobs::render(frame, body, model, theme),
        Pane::Logs => panes::logs::render(frame, body, model, theme),
        Pane::Deployments => panes::kube::deployments(frame, body, model, theme),
        Pane::Pods => panes::kube::pods(frame, body, model, theme),
        Pane::Services => panes::kube::services(frame, body, model, theme),
        Pane::Events => panes::kube::events(frame, body, model, theme),
        Pane::Cloud => panes::cloud::render(frame, body, model, theme),
        Pane::History => panes::history::render(frame, body, model, theme),
    }
    chrome::learn_line(frame, learn, model, theme);
    chrome::status_line(frame, status, model, theme);
    chrome::footer(frame, footer, model, theme);
    overlay::render(frame, model, theme);
}

/// The bordered block of a pane, its title carrying the filter when one is set.
pub(crate) fn pane_block<'a>(title: String, model: &Model, theme: &Theme) -> Block<'a> {
    let filter = model.filter_of(model.pane);
    // The rows the table holds (after the filter), as k9s shows them: "Pods [10007]".
    let title = match model.table(model.pane) {
        Some(table) => format!("{title} [{}]", table.view.len()),
        _ => title,
    };
    let mut spans = vec![Span::styled(format!(" {title} "), theme.title)];
    if let Some(input) = &model.filter_input {
        spans.push(Span::styled(format!("/{}▏ ", input.value()), theme.key));
    } else if !filter.is_empty() {
        spans.push(Span::styled(format!("/{filter} "), theme.key));
    }
    Block::bordered()
        .border_style(theme.border_focus)
        .title(Line::from(spans))
}

#[cfg(test)]
pub mod testing;
