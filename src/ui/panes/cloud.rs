//! Cloud Run: gcloud's account and project, the settings D deploys with (and
//! the commands it would run), warnings, and the project's services.

use crate::app::cloud::deploy::{CloudModel, SettingsState};
use crate::app::cloud::settings::command_line;
use crate::app::core::model::Model;
use crate::domain::cloud::{CloudServiceRow, GcloudState};
use crate::theme::Theme;
use crate::ui::pane_block;
use crate::ui::table::{Column, TableView};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Wrap};

/// The lines above the table: who, where, with what, and what D runs.
fn summary<'a>(cloud: &CloudModel, theme: &Theme) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    lines.push(match &cloud.gcloud {
        GcloudState::Unknown => Line::from(Span::styled(" gcloud: asking…", theme.muted)),
        GcloudState::NotInstalled => Line::from(Span::styled(
            format!(" {}", crate::app::cloud::deploy::INSTALL_HINT),
            theme.warn,
        )),
        GcloudState::Failed(message) => {
            Line::from(Span::styled(format!(" gcloud: {message}"), theme.error))
        }
        GcloudState::Ready(config) => Line::from(vec![
            Span::styled(" gcloud ", theme.ok),
            Span::styled("account ", theme.muted),
            Span::styled(
                config
                    .account
                    .clone()
                    .unwrap_or_else(|| "(none: gcloud auth login)".into()),
                theme.text,
            ),
            Span::styled("  project ", theme.muted),
            Span::styled(
                config
                    .project
                    .clone()
                    .unwrap_or_else(|| "(none: gcloud config set project ID)".into()),
                theme.text,
            ),
        ]),
    });
    match &cloud.settings {
        SettingsState::Unknown => {}
        SettingsState::Missing => lines.push(Line::from(Span::styled(
            " No [cloudrun] in pilothouse.toml yet: press s to set the project, region and service.",
            theme.muted,
        ))),
        SettingsState::Invalid(message) => {
            lines.push(Line::from(Span::styled(format!(" {message}"), theme.error)))
        }
        SettingsState::Loaded(settings) => {
            let access = if settings.allow_unauthenticated {
                "public"
            } else {
                "private"
            };
            lines.push(Line::from(vec![
                Span::styled(" deploys ", theme.muted),
                Span::styled(settings.service.clone(), theme.text),
                Span::styled(" to ", theme.muted),
                Span::styled(
                    format!("{} / {}", settings.project, settings.region),
                    theme.text,
                ),
                Span::styled(
                    format!(" · mode {} · {access}", settings.mode.label()),
                    theme.muted,
                ),
            ]));
            let local = if settings.mode == crate::app::cloud::settings::DeployMode::Local {
                crate::app::cloud::settings::local_lines(&settings.image())
            } else {
                Vec::new()
            };
            let gcloud = settings
                .deploy_steps()
                .into_iter()
                .map(|step| command_line("gcloud", &step));
            for line in local.into_iter().chain(gcloud) {
                lines.push(Line::from(vec![
                    Span::styled(" $ ", theme.muted),
                    Span::styled(line, theme.learn),
                ]));
            }
        }
    }
    for warning in cloud.warnings() {
        lines.push(Line::from(Span::styled(
            format!(" ⚠ {warning}"),
            theme.warn,
        )));
    }
    if !cloud.workflow_needs.is_empty() {
        lines.push(Line::from(Span::styled(
            " the workflow needs, in the repository's Settings › Secrets and variables › Actions:",
            theme.muted,
        )));
        for need in &cloud.workflow_needs {
            lines.push(Line::from(Span::styled(format!("   {need}"), theme.text)));
        }
    }
    if let Some(url) = &cloud.url {
        lines.push(Line::from(vec![
            Span::styled(" last deploy: ", theme.muted),
            Span::styled(url.clone(), theme.ok),
        ]));
    }
    lines
}

/// The summary's area and the services table's below it.
pub fn areas(area: Rect, model: &Model, theme: &Theme) -> [Rect; 2] {
    let lines = summary(&model.cloud, theme);
    // Wrapped lines take more rows on a narrow terminal; the table keeps at least five.
    let width = area.width.saturating_sub(2).max(1) as usize;
    let rows: usize = lines.iter().map(|l| l.width().div_ceil(width).max(1)).sum();
    let top_height = (rows as u16 + 2).min(area.height.saturating_sub(5));
    Layout::vertical([Constraint::Length(top_height), Constraint::Min(3)]).areas(area)
}

pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let cloud = &model.cloud;
    let lines = summary(cloud, theme);
    let [top, table] = areas(area, model, theme);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::bordered()
                .border_style(theme.border)
                .title(Span::styled(" Cloud Run ", theme.title)),
        ),
        top,
    );
    let columns = vec![
        Column::new("SERVICE", Constraint::Fill(1), |s: &CloudServiceRow| {
            Cell::from(s.name.clone())
        }),
        Column::new("REGION", Constraint::Length(16), |s: &CloudServiceRow| {
            Cell::from(s.region.clone())
        }),
        Column::new("URL", Constraint::Fill(2), |s: &CloudServiceRow| {
            Cell::from(s.url.clone())
        }),
        Column::new(
            "LAST DEPLOYED",
            Constraint::Length(21),
            |s: &CloudServiceRow| Cell::from(s.last_deployed.clone()),
        )
        .hide_below(90),
    ];
    let empty = match (&cloud.services_error, &cloud.settings) {
        (Some(error), _) => Line::from(Span::styled(format!(" {error}"), theme.error)),
        (None, SettingsState::Loaded(_)) => Line::from(Span::styled(
            " No services in this project and region yet. D deploys one; r refreshes.",
            theme.muted,
        )),
        _ => Line::from(Span::styled(
            " The services show once the project is set (s).",
            theme.muted,
        )),
    };
    TableView {
        block: pane_block("Services".to_string(), model, theme),
        columns,
        rows: &cloud.services,
        state: &cloud.table,
        empty,
    }
    .render(frame, table, theme);
}
