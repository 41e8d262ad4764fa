//! The screen's layout: where the header, tabs, pane, tour panel and each
//! pane's table lie for a terminal size and a model. Rendering draws into
//! these areas and the mouse maps a click through them, so both read them
//! here: `ui` and `app` use this module, and it uses neither.

use crate::app::cloud::deploy::{CloudModel, SettingsState};
use crate::app::cloud::settings::command_line;
use crate::app::core::model::{Model, Pane};
use crate::domain::cloud::GcloudState;
use crate::theme::Theme;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};

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

/// The tab labels as drawn, left to right (a label's trailing space is the gap
/// to the next). Names with counts when they all fit, then names alone, then
/// short names (all ten fit in 80 columns).
/// `update` reads the same labels to find the tab under a click.
pub fn tab_labels(width: u16, model: &Model) -> Vec<(Pane, String)> {
    let number = |i: usize| (i + 1) % 10;
    let full: Vec<(Pane, String)> = Pane::ALL
        .iter()
        .enumerate()
        .map(|(i, pane)| {
            (
                *pane,
                format!(" {} {}  ", number(i), tab_label(*pane, model)),
            )
        })
        .collect();
    let full_width: usize = full.iter().map(|(_, l)| l.chars().count()).sum();
    if full_width <= usize::from(width) {
        return full;
    }
    let names: Vec<(Pane, String)> = Pane::ALL
        .iter()
        .enumerate()
        .map(|(i, pane)| (*pane, format!(" {} {}", number(i), pane.title())))
        .collect();
    if names.iter().map(|(_, l)| l.chars().count()).sum::<usize>() <= usize::from(width) {
        return names;
    }
    Pane::ALL
        .iter()
        .enumerate()
        .map(|(i, pane)| (*pane, format!(" {} {}", number(i), short_tab(*pane))))
        .collect()
}

fn short_tab(pane: Pane) -> &'static str {
    match pane {
        Pane::Containers => "Containers",
        Pane::Images => "Imgs",
        Pane::Jobs => "Jobs",
        Pane::Logs => "Logs",
        Pane::Deployments => "Deploy",
        Pane::Pods => "Pods",
        Pane::Services => "Svc",
        Pane::Events => "Evts",
        Pane::Cloud => "Cloud",
        Pane::History => "Hist",
        Pane::Forwards => "Fwd",
    }
}

fn tab_label(pane: Pane, model: &Model) -> String {
    match pane {
        Pane::Containers => format!("Containers ({})", model.docker.containers_table.view.len()),
        Pane::Images => format!("Images ({})", model.docker.images_table.view.len()),
        Pane::Jobs => {
            let running = model
                .jobs
                .list
                .iter()
                .filter(|j| j.state == crate::app::core::model::JobState::Running)
                .count();
            if running > 0 {
                format!("Jobs ({running} running)")
            } else {
                format!("Jobs ({})", model.jobs.list.len())
            }
        }
        Pane::Logs => "Logs".to_string(),
        Pane::Deployments => format!("Deploy ({})", model.kube.deployments_table.view.len()),
        Pane::Pods => format!("Pods ({})", model.kube.pods_table.view.len()),
        Pane::Services => format!("Svc ({})", model.kube.services_table.view.len()),
        Pane::Events => format!("Events ({})", model.kube.events_table.view.len()),
        Pane::Cloud => format!("Cloud ({})", model.cloud.table.view.len()),
        Pane::History => format!("History ({})", model.history.entries.len()),
        Pane::Forwards => format!("Forwards ({})", model.forwards.rows.len()),
    }
}

/// Where a pane draws its table (borders included), for mapping a click to a row.
pub fn table_area(model: &Model, body: ratatui::layout::Rect) -> Option<ratatui::layout::Rect> {
    match model.shared.pane {
        Pane::Containers => Some(containers_areas(body, model)[0]),
        Pane::Jobs => Some(jobs_areas(body, model)[1]),
        Pane::Cloud => Some(cloud_areas(body, model, model.theme())[1]),
        Pane::Logs => None,
        Pane::Deployments | Pane::Pods | Pane::Services => Some(kube_areas(body, model)[0]),
        Pane::Images | Pane::Events | Pane::History | Pane::Forwards => Some(body),
    }
}

/// Why the selected Deployment, Pod or Service is not ready, when it is not.
pub fn diagnosis(model: &Model) -> Option<crate::app::kube::diagnose::Diagnosis> {
    crate::app::kube::diagnose::selected(&model.kube, model.shared.pane, model.engines())
}

/// A Kubernetes pane's table, and below it the selected row's reason line
/// (wrapped, at most three rows; empty when the row is healthy).
pub fn kube_areas(area: Rect, model: &Model) -> [Rect; 2] {
    let height = diagnosis(model).map_or(0, |d| {
        wrapped_rows(&format!(" why {}", d.line()), area.width).clamp(1, 4)
    });
    let height = height.min(area.height.saturating_sub(4));
    Layout::vertical([Constraint::Min(3), Constraint::Length(height)]).areas(area)
}

/// How many rows a text takes wrapped at word boundaries to `width`, as
/// ratatui's `Wrap` lays it out (a word longer than a row is cut).
fn wrapped_rows(text: &str, width: u16) -> u16 {
    let width = width.max(1) as usize;
    let mut rows = 1u16;
    let mut used = 0usize;
    for word in text.split(' ') {
        let length = word.chars().count();
        let needed = if used == 0 { length } else { used + 1 + length };
        if needed <= width {
            used = needed;
        } else {
            rows += 1;
            used = length.min(width);
            rows += (length.saturating_sub(1) / width) as u16;
        }
    }
    rows
}

/// The table's area and the stats strip's below it (empty when not shown).
pub fn containers_areas(area: Rect, model: &Model) -> [Rect; 2] {
    let show_stats = model.docker.stats.container_id.is_some() && area.height >= 14;
    Layout::vertical([
        Constraint::Min(5),
        Constraint::Length(if show_stats { 5 } else { 0 }),
    ])
    .areas(area)
}

/// The Dev section's area (empty while the dev loop has never run), the job
/// list's below it, and the output's below that.
pub fn jobs_areas(area: Rect, model: &Model) -> [Rect; 3] {
    let dev_height = if model.dev.shown() {
        // Its borders, the header, and a row a cycle: at most a third of the pane.
        let wanted = model.dev.cycles.len().clamp(1, 6) as u16 + 3;
        wanted.min(area.height / 3)
    } else {
        0
    };
    let [dev, rest] =
        Layout::vertical([Constraint::Length(dev_height), Constraint::Min(0)]).areas(area);
    let [list, output] =
        Layout::vertical([Constraint::Percentage(35), Constraint::Percentage(65)]).areas(rest);
    [dev, list, output]
}

/// The summary's area and the services table's below it.
pub fn cloud_areas(area: Rect, model: &Model, theme: &Theme) -> [Rect; 2] {
    let lines = cloud_summary(&model.cloud, theme);
    // Wrapped lines take more rows on a narrow terminal; the table keeps at least five.
    let width = area.width.saturating_sub(2).max(1) as usize;
    let rows: usize = lines.iter().map(|l| l.width().div_ceil(width).max(1)).sum();
    let top_height = (rows as u16 + 2).min(area.height.saturating_sub(5));
    Layout::vertical([Constraint::Length(top_height), Constraint::Min(3)]).areas(area)
}

/// The lines above the table: who, where, with what, and what D runs.
pub fn cloud_summary<'a>(cloud: &CloudModel, theme: &Theme) -> Vec<Line<'a>> {
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
