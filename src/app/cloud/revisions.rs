//! A Cloud Run service's revisions and logs. `enter` on a service lists its
//! revisions with their share of the traffic, image and creation time; `t` on
//! one sends all the traffic to it (asks first: it is how a rollback is done);
//! `l` reads the service's recent logs into the Logs pane and keeps reading.

use crate::app::cloud::service::{LOG_KEY_PREFIX, ServiceRef};
use crate::app::cloud::settings::command_line;
use crate::app::cloud::state::CloudModel;
use crate::app::cloud::state::RevisionsView;
use crate::app::core::command::Command;
use crate::app::core::model::{Level, Pane};
use crate::app::core::shared::Shared;
use crate::app::core::table::TableState;
use crate::app::docker::state::LogView;
use crate::domain::cloud::CloudRevisionRow;

/// Whether the Logs pane follows a Cloud Run service (Esc goes back to the Cloud Run pane).
pub fn is_cloud_log(logs: &LogView) -> bool {
    logs.container_id
        .as_deref()
        .is_some_and(|key| key.starts_with(LOG_KEY_PREFIX))
}

/// The service the pane points at: the revisions' own, else the selected row's.
fn pointed_service(cloud: &CloudModel, shared: &mut Shared) -> Option<ServiceRef> {
    if let Some(view) = &cloud.revisions {
        return Some(view.service.clone());
    }
    let Some(row) = cloud.table.selected_row(&cloud.services) else {
        shared.set_status(Level::Warn, "No Cloud Run service selected.");
        return None;
    };
    let project = cloud
        .settings()
        .map(|s| s.project.clone())
        .or_else(|| match &cloud.gcloud {
            crate::domain::cloud::GcloudState::Ready(config) => config.project.clone(),
            _ => None,
        });
    let Some(project) = project else {
        shared.set_status(
            Level::Warn,
            "No project known: press s to set the project, region and service.",
        );
        return None;
    };
    Some(ServiceRef {
        name: row.name.clone(),
        region: row.region.clone(),
        project,
    })
}

/// `enter` on a service: its revisions, asked of gcloud.
pub(crate) fn open(cloud: &mut CloudModel, shared: &mut Shared) -> Vec<Command> {
    if cloud.revisions.is_some() {
        shared.set_status(
            Level::Info,
            "t sends all the traffic to the selected revision; Esc goes back to the services.",
        );
        return Vec::new();
    }
    let Some(service) = pointed_service(cloud, shared) else {
        return Vec::new();
    };
    cloud.revisions = Some(RevisionsView {
        service: service.clone(),
        rows: Vec::new(),
        table: TableState::default(),
        error: None,
        loading: true,
    });
    ask(service, shared)
}

fn ask(service: ServiceRef, shared: &mut Shared) -> Vec<Command> {
    let command = Command::CloudRevisions { service };
    shared.learn = command.learn_line();
    vec![command]
}

/// Esc in the revisions: back to the services. False when they were not open.
pub(crate) fn close(cloud: &mut CloudModel) -> bool {
    cloud.revisions.take().is_some()
}

/// The revisions' answer, for the service still shown.
pub(crate) fn on_revisions(
    cloud: &mut CloudModel,
    service: &ServiceRef,
    result: Result<Vec<CloudRevisionRow>, String>,
) {
    let Some(view) = cloud.revisions.as_mut().filter(|v| &v.service == service) else {
        return;
    };
    view.loading = false;
    match result {
        Ok(rows) => {
            let selected = view.table.selected_row(&view.rows).map(|r| r.name.clone());
            view.rows = rows;
            view.error = None;
            view.table
                .rebuild_keeping(&view.rows, |_| true, selected.as_deref());
        }
        Err(message) => view.error = Some(message),
    }
}

/// The traffic moved: the revisions and the services again.
pub(crate) fn on_traffic_moved(cloud: &mut CloudModel, service: &ServiceRef) -> Vec<Command> {
    let mut commands = Vec::new();
    if cloud
        .revisions
        .as_ref()
        .is_some_and(|v| &v.service == service)
    {
        commands.push(Command::CloudRevisions {
            service: service.clone(),
        });
    }
    let list = cloud
        .settings()
        .map(crate::app::cloud::settings::CloudRunSettings::list_services_args);
    commands.push(Command::CloudRefresh { list });
    commands
}

/// `t` on a revision: all of the service's traffic to it, after a yes.
pub(crate) fn traffic_to_selected(cloud: &mut CloudModel, shared: &mut Shared) -> Vec<Command> {
    let Some(view) = &cloud.revisions else {
        shared.set_status(
            Level::Warn,
            "t sends traffic to a revision: open a service's revisions with enter first.",
        );
        return Vec::new();
    };
    let Some(revision) = view.table.selected_row(&view.rows).cloned() else {
        shared.set_status(Level::Warn, "No revision selected.");
        return Vec::new();
    };
    if shared.refuse_if_readonly("move traffic") {
        return Vec::new();
    }
    if revision.percent == 100 {
        shared.set_status(
            Level::Info,
            format!("{} already has all the traffic.", revision.name),
        );
        return Vec::new();
    }
    if !revision.ready {
        shared.set_status(
            Level::Warn,
            format!(
                "{} is not ready: Cloud Run would refuse to send traffic to it.",
                revision.name
            ),
        );
        return Vec::new();
    }
    let service = view.service.clone();
    let args = service.update_traffic_args(&revision);
    let line = command_line("gcloud", &args);
    let latest_note = if revision.latest {
        " It is the latest revision: --to-latest also gives later deploys their traffic at once."
    } else {
        " Later deploys will get no traffic until it is sent back to the latest (t on the latest revision)."
    };
    let message = format!(
        "Send all of {}'s traffic to {} ({}, created {})? Its URL answers from it within seconds.{latest_note}\n$ {line}",
        service.name, revision.name, revision.image, revision.created
    );
    let job = shared.alloc_job();
    let on_yes = Command::CloudUpdateTraffic {
        job,
        service,
        revision: revision.name,
        args,
    };
    shared.ask_first(message, on_yes);
    Vec::new()
}

/// `l` on a service or in its revisions: its recent logs in the Logs pane, read again every few seconds.
pub(crate) fn logs(cloud: &CloudModel, logs: &mut LogView, shared: &mut Shared) -> Vec<Command> {
    let Some(service) = pointed_service(cloud, shared) else {
        return Vec::new();
    };
    logs.show(
        service.log_key(),
        format!(
            "Cloud Run {} ({}, {})",
            service.name, service.region, service.project
        ),
        None,
    );
    shared.pane = Pane::Logs;
    let command = Command::FollowCloudLogs {
        key: service.log_key(),
        service,
    };
    shared.learn = command.learn_line();
    vec![command]
}

/// A service's logs are read by running gcloud every few seconds: when the
/// Logs pane is left, the reading stops rather than costing CPU unseen.
pub(crate) fn stop_unseen_logs(logs: &mut LogView, pane: Pane) -> Option<Command> {
    if pane == Pane::Logs || !is_cloud_log(logs) || logs.ended.is_some() {
        return None;
    }
    logs.ended = Some(
        "reading stopped when the Logs pane was left: l on the service in the Cloud Run pane reads again"
            .to_string(),
    );
    Some(Command::FollowLogs(None))
}
