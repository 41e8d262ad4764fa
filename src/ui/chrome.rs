//! The lines around the pane: header, tabs, learn line, status and footer.

use crate::app::core::keymap::Context;
use crate::app::core::model::{Level, Model};
use crate::app::kube::state::KubeConnection;
use crate::domain::{Builder, Connection, humanize_duration};
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
    if model.shared.demo {
        spans.push(Span::styled("DEMO", theme.warn));
        spans.push(Span::styled(" simulated cluster │ ", theme.muted));
    }
    // On the Kubernetes panes the cluster's state comes first, so a long
    // Docker reason never pushes it off a narrow header.
    let (first, second) = if model.shared.pane.is_kube() {
        (
            kube_segment(model, theme, area),
            docker_segment(model, theme),
        )
    } else {
        (
            docker_segment(model, theme),
            kube_segment(model, theme, area),
        )
    };
    spans.extend(first);
    spans.push(Span::styled(" │ ", theme.border));
    spans.extend(second);
    if let Some((text, style)) = minikube_segment(model, theme) {
        spans.push(Span::styled(" │ ", theme.border));
        spans.push(Span::styled(text, style));
    }
    if model.shared.readonly {
        spans.push(Span::styled(" │ ", theme.border));
        spans.push(Span::styled("READ-ONLY", theme.warn));
    }
    // The endpoint is detail: last, where a narrow terminal cuts it.
    let endpoint = &model.docker.endpoint;
    spans.push(Span::styled(" │ ", theme.border));
    spans.push(Span::styled(endpoint.host.clone(), theme.text));
    if !endpoint.origin.is_empty() {
        spans.push(Span::styled(format!(" ({})", endpoint.origin), theme.muted));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The engine: connected (its version), or why not.
fn docker_segment<'a>(model: &'a Model, theme: &Theme) -> Vec<Span<'a>> {
    let mut spans = Vec::new();
    match &model.docker.connection {
        Connection::Connecting => spans.push(Span::styled("◌ docker: connecting…", theme.warn)),
        Connection::Connected(info) => {
            spans.push(Span::styled("● docker", theme.ok));
            if let Some(env) = &model.minikube.docker_env {
                spans.push(Span::styled(
                    format!(" on minikube {}", env.profile),
                    theme.warn,
                ));
            }
            spans.push(Span::styled(
                format!(" {} (API {})", info.version, info.api_version),
                theme.text,
            ));
            // BuildKit is the norm and goes unsaid; the classic builder is named, with why.
            if let Builder::Classic { reason } = &info.builder {
                spans.push(Span::styled(
                    format!(" · classic builder: {reason}"),
                    theme.warn,
                ));
            }
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
    spans
}

/// The cluster: the context, namespace, version and nodes, or what is wrong.
fn kube_segment<'a>(model: &'a Model, theme: &Theme, area: Rect) -> Vec<Span<'a>> {
    let mut spans = Vec::new();
    match &model.kube.connection {
        KubeConnection::Connecting => {
            spans.push(Span::styled("◌ cluster: connecting…", theme.warn))
        }
        KubeConnection::Unavailable(_) => spans.push(Span::styled("⎈ no cluster", theme.muted)),
        KubeConnection::Rejected(_) => {
            spans.push(Span::styled("⎈ credentials refused", theme.error))
        }
        KubeConnection::Connected(info) => {
            spans.push(Span::styled(format!("⎈ {}", info.context), theme.ok));
            if let Some(namespace) = &model.kube.target.namespace {
                spans.push(Span::styled(format!(" -n {namespace}"), theme.key));
            }
            let nodes_refused = model
                .kube
                .not_allowed
                .iter()
                .any(|l| l.starts_with("nodes:"));
            let nodes = if nodes_refused {
                "nodes not allowed".to_string()
            } else if info.nodes == 1 {
                "1 node".to_string()
            } else {
                format!("{} nodes", info.nodes)
            };
            spans.push(Span::styled(
                format!(" {} · {nodes}", info.version),
                theme.text,
            ));
            if let Some(trouble) = &model.kube.trouble {
                // What is wrong matters more than where: it takes the server's place.
                spans.push(Span::styled(format!(" · {trouble} (retrying)"), theme.warn));
            } else if model.shared.pane.is_kube() && area.width >= 110 {
                // On the Kubernetes panes the API server is what matters; the Docker endpoint comes last anyway.
                spans.push(Span::styled(format!(" · {}", info.server), theme.muted));
            }
        }
        KubeConnection::Disconnected { reason, .. } => {
            spans.push(Span::styled(
                format!("⎈ disconnected: {reason}"),
                theme.error,
            ));
        }
    }
    spans
}

/// minikube's state in a few words; the `M` menu shows all four fields.
fn minikube_segment(model: &Model, theme: &Theme) -> Option<(String, ratatui::style::Style)> {
    use crate::app::kube::minikube::MinikubeModel;
    use crate::domain::minikube::MinikubeState;
    let minikube = &model.minikube;
    let named_minikube =
        minikube.context.as_deref() == Some(crate::domain::minikube::DEFAULT_PROFILE);
    Some(match &minikube.state {
        MinikubeState::Status(status) => {
            let trouble = MinikubeModel::trouble(status);
            if trouble.is_empty() {
                ("◆ minikube Running".to_string(), theme.ok)
            } else if status.is_paused() {
                ("◆ minikube Paused (M: unpause)".to_string(), theme.warn)
            } else if status.host != "Running" {
                (format!("◆ minikube {} (M: start)", status.host), theme.warn)
            } else {
                (
                    format!("◆ minikube: {} (M: start)", trouble.join(", ")),
                    theme.warn,
                )
            }
        }
        MinikubeState::ProfileMissing { .. } => {
            ("◆ minikube: profile missing (M)".to_string(), theme.warn)
        }
        MinikubeState::NotInstalled if named_minikube => {
            ("◆ minikube not installed".to_string(), theme.warn)
        }
        MinikubeState::Failed(message) if named_minikube => (format!("◆ {message}"), theme.error),
        _ => return None,
    })
}

pub fn tabs(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let spans: Vec<Span> = crate::layout::tab_labels(area.width, model)
        .into_iter()
        .map(|(pane, label)| {
            let style = if pane == model.shared.pane {
                theme.tab_active
            } else {
                theme.muted
            };
            Span::styled(label, style)
        })
        .collect();
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub fn learn_line(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let mut spans = Vec::new();
    if model.shared.learn_mode {
        spans.push(Span::styled(" LEARN ", theme.tab_active));
    }
    match &model.shared.learn {
        Some(learn) => {
            spans.push(Span::styled(" $ ", theme.muted));
            spans.push(Span::styled(learn.clone(), theme.learn));
        }
        None => spans.push(Span::styled(
            " $ the command line for each action shows here",
            theme.muted,
        )),
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub fn status_line(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    if let Some(input) = &model.view.command_input {
        let line = Line::from(vec![
            Span::styled(format!(" :{}▏", input.value()), theme.key),
            Span::styled(
                "  tab completes, ↑↓ earlier commands, enter runs, esc closes",
                theme.muted,
            ),
        ]);
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    let Some(status) = &model.shared.status else {
        return;
    };
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
    for context in [model.shared.pane.context(), Context::Global] {
        for (action, keys) in model.view.keymap.grouped(context) {
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

#[cfg(test)]
mod tests {
    use crate::ui::testing::*;

    /// An engine whose builds go to the classic builder says so in the header, with why;
    /// BuildKit, the norm, goes unsaid.
    #[test]
    fn the_classic_builder_is_named_in_the_header() {
        use crate::app::core::event::{DockerEvent, Event};
        let mut model = populated();
        let header = |model: &crate::app::core::model::Model| {
            crate::ui::testing::screen_text(model, 120, 40)
                .lines()
                .next()
                .unwrap_or_default()
                .to_string()
        };
        assert!(!header(&model).contains("builder"), "{}", header(&model));
        let info = crate::domain::EngineInfo {
            version: "28.2.2".into(),
            api_version: "1.50".into(),
            os: "linux".into(),
            builder: crate::domain::Builder::Classic {
                reason: "DOCKER_BUILDKIT=0".into(),
            },
        };
        crate::app::update(&mut model, Event::Docker(DockerEvent::Connected(info)));
        assert!(
            header(&model).contains("28.2.2 (API 1.50) · classic builder: DOCKER_BUILDKIT=0"),
            "{}",
            header(&model)
        );
    }
}
