//! Pure rendering: `&Model` + `&Theme` -> a frame. Nothing here does I/O or
//! changes the model.

pub mod chrome;
mod help;
mod overlay;
pub mod panes;
pub mod table;
mod tour;
mod xray;

use crate::app::core::model::{Model, Pane};
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::widgets::Block;

pub fn render(frame: &mut Frame, model: &Model, theme: &Theme) {
    frame.render_widget(Block::new().style(theme.base), frame.area());
    let [header, tabs, body, learn, status, footer] = crate::layout::screen_areas(frame.area());
    let (body, tour_panel) = crate::layout::body_areas(body, model.tour.active);
    if let Some(panel) = tour_panel {
        tour::render(frame, panel, model, theme);
    }
    chrome::header(frame, header, model, theme);
    chrome::tabs(frame, tabs, model, theme);
    match model.shared.pane {
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
        Pane::Forwards => panes::forwards::render(frame, body, model, theme),
    }
    chrome::learn_line(frame, learn, model, theme);
    chrome::status_line(frame, status, model, theme);
    chrome::footer(frame, footer, model, theme);
    overlay::render(frame, model, theme);
    help::render(frame, model, theme);
    xray::render(frame, model, theme);
}

#[cfg(test)]
pub mod testing;
