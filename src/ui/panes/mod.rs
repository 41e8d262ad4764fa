//! One file per pane, each with its snapshot tests beside it.

pub mod cloud;
pub mod containers;
pub mod history;
pub mod images;
pub mod jobs;
pub mod kube;
pub mod logs;

use crate::app::core::model::{Model, Pane};
use crate::domain::Connection;
use crate::theme::Theme;
use ratatui::text::{Line, Span};

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
        Connection::Connected(_) if !model.filter_of(model.pane).is_empty() => Line::from(
            Span::styled(" Nothing matches the filter (esc clears it).", theme.muted),
        ),
        Connection::Connected(_) => {
            Line::from(Span::styled(format!(" {when_connected}"), theme.muted))
        }
    }
}

/// Where a pane draws its table (borders included), for mapping a click to a row.
pub fn table_area(model: &Model, body: ratatui::layout::Rect) -> Option<ratatui::layout::Rect> {
    match model.pane {
        Pane::Containers => Some(containers::areas(body, model)[0]),
        Pane::Jobs => Some(jobs::areas(body)[0]),
        Pane::Cloud => Some(cloud::areas(body, model, model.theme())[1]),
        Pane::Logs => None,
        Pane::Images
        | Pane::Deployments
        | Pane::Pods
        | Pane::Services
        | Pane::Events
        | Pane::History => Some(body),
    }
}
