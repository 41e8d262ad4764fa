//! Cloud Run: gcloud's account and project, the settings D deploys with (and
//! the commands it would run), warnings, and the project's services.

use crate::app::cloud::deploy::SettingsState;
use crate::app::cloud::state::RevisionsView;
use crate::app::core::model::Model;
use crate::domain::cloud::{CloudRevisionRow, CloudServiceRow};
use crate::theme::Theme;
use crate::ui::panes::pane_block;
use crate::ui::table::{Column, TableView};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Wrap};

pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let cloud = &model.cloud;
    let lines = crate::layout::cloud_summary(cloud, theme);
    let [top, table] = crate::layout::cloud_areas(area, model, theme);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::bordered()
                .border_style(theme.border)
                .title(Span::styled(" Cloud Run ", theme.title)),
        ),
        top,
    );
    if let Some(view) = &cloud.revisions {
        render_revisions(frame, table, model, view, theme);
        return;
    }
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

/// One service's revisions: the traffic each answers, its image, when it was made.
fn render_revisions(
    frame: &mut Frame,
    area: Rect,
    model: &Model,
    view: &RevisionsView,
    theme: &Theme,
) {
    let columns = vec![
        Column::new("REVISION", Constraint::Fill(1), |r: &CloudRevisionRow| {
            let mut name = r.name.clone();
            if r.latest {
                name.push_str(" (latest)");
            }
            if !r.ready {
                name.push_str(" (not ready)");
            }
            Cell::from(name)
        }),
        Column::new("TRAFFIC", Constraint::Length(8), |r: &CloudRevisionRow| {
            Cell::from(format!("{:>3}%", r.percent))
        }),
        // The registry and repository are the same for a service's revisions: the
        // name and tag (or digest) are what tell them apart.
        Column::new("IMAGE", Constraint::Fill(1), |r: &CloudRevisionRow| {
            Cell::from(r.image.rsplit('/').next().unwrap_or_default().to_string())
        }),
        Column::new("CREATED", Constraint::Length(21), |r: &CloudRevisionRow| {
            Cell::from(r.created.clone())
        })
        .hide_below(90),
    ];
    let empty = match (&view.error, view.loading) {
        (Some(error), _) => Line::from(Span::styled(format!(" {error}"), theme.error)),
        (None, true) => Line::from(Span::styled(
            " Asking gcloud for the revisions…",
            theme.muted,
        )),
        (None, false) => Line::from(Span::styled(" No revisions.", theme.muted)),
    };
    let title = format!(
        "Revisions of {} ({}) · t all traffic here · Esc services",
        view.service.name, view.service.region
    );
    TableView {
        block: pane_block(title, model, theme),
        columns,
        rows: &view.rows,
        state: &view.table,
        empty,
    }
    .render(frame, area, theme);
}
