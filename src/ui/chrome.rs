//! The lines around the pane: header, tabs, learn line, status and footer.

use crate::app::keymap::Context;
use crate::app::model::{Level, Model, Pane};
use crate::domain::{Connection, humanize_duration};
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn header(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    // The state comes first: on a narrow terminal it is what must stay visible.
    let mut spans = vec![
        Span::styled(" pilothouse ", theme.tab_active),
        Span::raw(" "),
    ];
    if model.demo {
        spans.push(Span::styled("DEMO", theme.warn));
        spans.push(Span::styled(" simulated cluster │ ", theme.muted));
    }
    match &model.docker.connection {
        Connection::Connecting => spans.push(Span::styled("◌ docker: connecting…", theme.warn)),
        Connection::Connected(info) => {
            spans.push(Span::styled("● docker", theme.ok));
            spans.push(Span::styled(
                format!(" {} (API {})", info.version, info.api_version),
                theme.text,
            ));
        }
        Connection::Disconnected { reason, retry_in } => {
            spans.push(Span::styled(
                format!("✗ docker disconnected: {reason}"),
                theme.error,
            ));
            spans.push(Span::styled(
                format!(
                    " (retry in {})",
                    humanize_duration(*retry_in).to_lowercase()
                ),
                theme.muted,
            ));
        }
    }
    let endpoint = &model.docker.endpoint;
    spans.push(Span::styled(" │ ", theme.border));
    spans.push(Span::styled(endpoint.host.clone(), theme.text));
    if !endpoint.origin.is_empty() {
        spans.push(Span::styled(format!(" ({})", endpoint.origin), theme.muted));
    }
    if model.readonly {
        spans.push(Span::styled(" │ ", theme.border));
        spans.push(Span::styled("READ-ONLY", theme.warn));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub fn tabs(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let mut spans = Vec::new();
    for (i, pane) in Pane::ALL.iter().enumerate() {
        let label = format!(" {} {} ", i + 1, tab_label(*pane, model));
        let style = if *pane == model.pane {
            theme.tab_active
        } else {
            theme.muted
        };
        spans.push(Span::styled(label, style));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn tab_label(pane: Pane, model: &Model) -> String {
    match pane {
        Pane::Containers => format!("Containers ({})", model.containers_table.view.len()),
        Pane::Images => format!("Images ({})", model.images_table.view.len()),
        Pane::Jobs => {
            let running = model
                .jobs
                .iter()
                .filter(|j| j.state == crate::app::model::JobState::Running)
                .count();
            if running > 0 {
                format!("Jobs ({running} running)")
            } else {
                format!("Jobs ({})", model.jobs.len())
            }
        }
        Pane::Logs => "Logs".to_string(),
    }
}

pub fn learn_line(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let line = match &model.learn {
        Some(learn) => Line::from(vec![
            Span::styled(" $ ", theme.muted),
            Span::styled(learn.clone(), theme.learn),
        ]),
        None => Line::from(Span::styled(
            " $ the command line for each action shows here",
            theme.muted,
        )),
    };
    frame.render_widget(Paragraph::new(line), area);
}

pub fn status_line(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let Some(status) = &model.status else { return };
    let style = match status.level {
        Level::Info => theme.text,
        Level::Warn => theme.warn,
        Level::Error => theme.error,
    };
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(format!(" {}", status.text), style))),
        area,
    );
}

/// The keys of the current pane, then the global ones, from the keymap itself.
pub fn footer(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let mut spans = Vec::new();
    for context in [model.pane.context(), Context::Global] {
        for (action, keys) in model.keymap.grouped(context) {
            if !action.in_footer()
                || (context == Context::Global && spans_have(&spans, action.description()))
            {
                continue;
            }
            spans.push(Span::styled(format!(" {}", keys[0]), theme.key));
            spans.push(Span::styled(
                format!(" {} ", action.description()),
                theme.muted,
            ));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn spans_have(spans: &[Span], description: &str) -> bool {
    spans.iter().any(|s| s.content.trim() == description)
}
