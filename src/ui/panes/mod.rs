//! One file per pane, each with its snapshot tests beside it.

pub mod cloud;
pub mod containers;
pub mod dev;
pub mod forwards;
pub mod history;
pub mod images;
pub mod jobs;
pub mod kube;
pub mod logs;

use crate::app::core::model::Model;
use crate::domain::Connection;
use crate::theme::Theme;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

/// What an empty table says: why it is empty and what to do next.
pub(crate) fn empty_line<'a>(model: &Model, theme: &Theme, when_connected: &str) -> Line<'a> {
    match &model.docker.connection {
        Connection::Connecting => Line::from(Span::styled(
            " Connecting to the Docker engine…",
            theme.warn,
        )),
        Connection::Disconnected { reason, .. } => Line::from(Span::styled(
            format!(" Disconnected: {reason}. Retrying by itself; nothing is lost."),
            theme.error,
        )),
        Connection::Connected(_) if !model.filter_of(model.shared.pane).is_empty() => Line::from(
            Span::styled(" Nothing matches the filter (esc clears it).", theme.muted),
        ),
        Connection::Connected(_) => {
            Line::from(Span::styled(format!(" {when_connected}"), theme.muted))
        }
    }
}

/// The bordered block of a pane, its title carrying the filter when one is set.
pub(crate) fn pane_block<'a>(title: String, model: &Model, theme: &Theme) -> Block<'a> {
    let filter = model.filter_of(model.shared.pane);
    // The rows the table holds (after the filter), as k9s shows them: "Pods [10007]".
    let title = match model.table(model.shared.pane) {
        Some(table) => format!("{title} [{}]", table.view.len()),
        _ => title,
    };
    let mut spans = vec![Span::styled(format!(" {title} "), theme.title)];
    if let Some(input) = &model.view.filter_input {
        spans.push(Span::styled(format!("/{}▏ ", input.value()), theme.key));
    } else if !filter.is_empty() {
        spans.push(Span::styled(format!("/{filter} "), theme.key));
    }
    Block::bordered()
        .border_style(theme.border_focus)
        .title(Line::from(spans))
}
