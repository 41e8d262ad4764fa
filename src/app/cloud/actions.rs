//! What the Cloud Run pane's keys do (and `W`, which works everywhere).

use crate::app::cloud::state::CloudModel;
use crate::app::cloud::{deploy, forms, revisions};
use crate::app::core::command::Command;
use crate::app::core::keymap::Action;
use crate::app::core::model::Pane;
use crate::app::core::shared::Shared;
use crate::app::docker::state::LogView;

/// The commands of a Cloud Run action; None for the actions that are not its.
pub(crate) fn on_action(
    (cloud, logs): (&mut CloudModel, &mut LogView),
    shared: &mut Shared,
    action: Action,
) -> Option<Vec<Command>> {
    let on_cloud = shared.pane == Pane::Cloud;
    Some(match action {
        Action::Deploy => deploy::deploy(cloud, shared),
        Action::Refresh => deploy::refresh(cloud, shared),
        Action::CloudSettings => forms::settings_form(cloud, shared),
        Action::Workflow => forms::workflow_form(cloud, shared),
        Action::Revisions => revisions::open(cloud, shared),
        Action::TrafficToRevision => revisions::traffic_to_selected(cloud, shared),
        Action::Logs if on_cloud => revisions::logs(cloud, logs, shared),
        Action::Open if on_cloud => deploy::open(cloud, shared),
        _ => return None,
    })
}
