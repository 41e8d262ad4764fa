//! Pure rendering: `&Model` + `&Theme` -> a frame. Nothing here does I/O or
//! changes the model.

mod chrome;
mod overlay;
pub mod panes;
pub mod table;

use crate::app::model::{Model, Pane};
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

pub fn render(frame: &mut Frame, model: &Model, theme: &Theme) {
    let [header, tabs, body, learn, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());
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
    }
    chrome::learn_line(frame, learn, model, theme);
    chrome::status_line(frame, status, model, theme);
    chrome::footer(frame, footer, model, theme);
    overlay::render(frame, model, theme);
}

/// The bordered block of a pane, its title carrying the filter when one is set.
pub(crate) fn pane_block<'a>(title: String, model: &Model, theme: &Theme) -> Block<'a> {
    let filter = model.filter_of(model.pane);
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
