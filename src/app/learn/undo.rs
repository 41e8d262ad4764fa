//! Undo the last change (`z`): the last action that changed something is
//! remembered with its inverse, worked out when it started from what the
//! cockpit saw then (the replica count before a scale, the revision before
//! an image change or a roll back). `z` shows the inverse command line and
//! asks; actions without an inverse (a delete, a push, a deploy) say so.

use crate::app::core::command::{Command, ContainerOp};
use crate::app::core::overlay::Level;
use crate::app::core::shared::Shared;
use crate::app::kube::state::KubeState;
pub use crate::app::learn::last_change::{Inverse, LastChange};

/// The revision a Deployment is at now, from its ReplicaSets.
fn current_revision(kube: &KubeState, namespace: &str, name: &str) -> Option<u64> {
    kube.replica_sets
        .iter()
        .filter(|r| r.namespace == namespace && r.deployment.as_deref() == Some(name))
        .map(|r| r.revision)
        .max()
        .filter(|r| *r > 0)
}

/// The change a started command makes, with its inverse as of now; None for
/// what changes nothing (streams, reads, checks).
fn change_of(kube: &KubeState, command: &Command) -> Option<LastChange> {
    let title = crate::app::core::launch::job_title(command);
    let reversible = |inverse| LastChange::Reversible {
        what: title.clone(),
        inverse,
    };
    let irreversible = |why| LastChange::Irreversible {
        what: title.clone(),
        why,
    };
    Some(match command {
        Command::Scale {
            namespace, name, ..
        } => {
            // `+`, `-` and `s` show the new count at once and keep the old one
            // aside; a scale started otherwise (z's own) finds it in the row.
            let before = kube
                .scaled_from
                .as_ref()
                .filter(|(ns, n, _)| ns == namespace && n == name)
                .map(|(_, _, count)| *count)
                .or_else(|| {
                    kube.deployments
                        .iter()
                        .find(|d| &d.namespace == namespace && &d.name == name)
                        .map(|d| d.desired)
                })?;
            reversible(Inverse::Scale {
                namespace: namespace.clone(),
                name: name.clone(),
                replicas: before,
            })
        }
        Command::SetImage {
            namespace, name, ..
        }
        | Command::RolloutUndo {
            namespace, name, ..
        }
        | Command::RolloutRestart {
            namespace, name, ..
        } => match current_revision(kube, namespace, name) {
            Some(revision) => reversible(Inverse::RollBack {
                namespace: namespace.clone(),
                name: name.clone(),
                revision,
            }),
            None => irreversible("its revision before the change was not known yet"),
        },
        Command::Expose { spec, .. } => reversible(Inverse::DeleteService {
            namespace: spec.namespace.clone(),
            name: spec.service.clone(),
        }),
        Command::StartForward { id, .. } => reversible(Inverse::StopForward(*id)),
        Command::Run { spec, .. } => match &spec.name {
            Some(name) => reversible(Inverse::Container {
                name: name.clone(),
                op: ContainerOp::Remove,
            }),
            None => irreversible("the container it started has no name to find it by"),
        },
        Command::Container { name, op, .. } => match op {
            ContainerOp::Stop => reversible(Inverse::Container {
                name: name.clone(),
                op: ContainerOp::Start,
            }),
            ContainerOp::Start => reversible(Inverse::Container {
                name: name.clone(),
                op: ContainerOp::Stop,
            }),
            ContainerOp::Restart => irreversible("a restart has nothing to go back to"),
            ContainerOp::Remove => {
                irreversible("a removed container is gone (r on its image runs a new one)")
            }
        },
        Command::DeleteObject { .. } => irreversible("a deleted object is gone"),
        Command::RemoveImage { .. } => irreversible("a removed image is gone (b builds it again)"),
        Command::CloudDeploy { .. } | Command::CloudUpdateTraffic { .. } => {
            irreversible("Cloud Run keeps revisions: 9, enter, t sends traffic back")
        }
        Command::Apply { .. } => {
            irreversible("an apply has no recorded before; h rolls a Deployment back")
        }
        _ => return None,
    })
}

/// After every event: the last command started that changes something.
pub fn note(kube: &mut KubeState, last: &mut Option<LastChange>, commands: &[Command]) {
    if let Some(change) = commands.iter().rev().find_map(|c| change_of(kube, c)) {
        *last = Some(change);
    }
    if commands.iter().any(|c| matches!(c, Command::Scale { .. })) {
        kube.scaled_from = None;
    }
}

/// `z`: ask before running the last change's inverse, its command line shown.
pub fn undo(last: &Option<LastChange>, shared: &mut Shared) {
    // Kept until the inverse runs: a "no" leaves it for a later z.
    match last.clone() {
        None => shared.set_status(Level::Info, "Nothing to undo yet."),
        Some(LastChange::Irreversible { what, why }) => {
            shared.set_status(Level::Warn, format!("{what} cannot be undone: {why}."));
        }
        Some(LastChange::Reversible { what, inverse }) => {
            let job = shared.alloc_job();
            let on_yes = inverse.command(job);
            let line = on_yes.learn_line().unwrap_or_default();
            shared.ask_first(format!("Undo {what}?\n$ {line}"), on_yes);
        }
    }
}
