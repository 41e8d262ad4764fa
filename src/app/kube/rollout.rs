//! A Deployment's rollout history (`h`): its revisions, newest first, each
//! with what changed from the one before (images, environment), the pods it
//! has and its change-cause; enter on one rolls back to it (`kubectl rollout
//! undo --to-revision=N`, asking first); the last two rows pause and resume
//! its rollouts.

use crate::app::core::command::Command;
use crate::app::core::model::{Level, Overlay, PickItem, PickPurpose, Picker};
use crate::app::core::shared::Shared;
use crate::app::kube::actions::selected_deployment;
use crate::app::kube::state::KubeState;
use crate::domain::kube::ReplicaSetRow;
use crate::domain::text::quote;

const PAUSE: &str = "pause rollouts";
const RESUME: &str = "resume rollouts";

/// The Deployment's sets that hold a revision, newest first.
fn revisions<'a>(kube: &'a KubeState, namespace: &str, name: &str) -> Vec<&'a ReplicaSetRow> {
    let mut sets: Vec<&ReplicaSetRow> = kube
        .replica_sets
        .iter()
        .filter(|r| r.namespace == namespace && r.deployment.as_deref() == Some(name))
        .filter(|r| r.revision > 0)
        .collect();
    sets.sort_by_key(|r| std::cmp::Reverse(r.revision));
    sets
}

/// What changed from `before` to `after`: images, then environment.
pub fn changes(before: Option<&ReplicaSetRow>, after: &ReplicaSetRow) -> String {
    let Some(before) = before else {
        return "first revision".to_string();
    };
    let mut said = Vec::new();
    if before.images != after.images {
        said.push(format!(
            "image {} → {}",
            before.images.join(","),
            after.images.join(",")
        ));
    }
    let name = |entry: &str| entry.split('=').next().unwrap_or_default().to_string();
    for entry in &after.env {
        match before.env.iter().find(|e| name(e) == name(entry)) {
            None => said.push(format!("env +{entry}")),
            Some(old) if old != entry => said.push(format!(
                "env {} → {}",
                old,
                entry.split_once('=').map_or("", |(_, v)| v)
            )),
            Some(_) => {}
        }
    }
    for entry in &before.env {
        if !after.env.iter().any(|e| name(e) == name(entry)) {
            said.push(format!("env -{}", name(entry)));
        }
    }
    if said.is_empty() {
        "same image and environment (another field changed)".to_string()
    } else {
        said.join(" · ")
    }
}

fn undo_line(namespace: &str, name: &str, revision: u64) -> String {
    format!(
        "kubectl rollout undo deployment/{} --to-revision={revision} -n {}",
        quote(name),
        quote(namespace)
    )
}

/// `h` on a Deployment: its revisions to roll back to, and pause / resume.
pub(crate) fn open(kube: &KubeState, shared: &mut Shared) {
    let Some((namespace, name, _)) = selected_deployment(kube) else {
        shared.set_status(Level::Warn, "No deployment selected.");
        return;
    };
    let sets = revisions(kube, &namespace, &name);
    let current = sets.first().map(|r| r.revision);
    let mut items: Vec<PickItem> = sets
        .iter()
        .enumerate()
        .map(|(index, set)| {
            let marker = if Some(set.revision) == current {
                " (current)"
            } else {
                ""
            };
            let mut detail = changes(sets.get(index + 1).copied(), set);
            if !set.change_cause.is_empty() {
                detail.push_str(&format!(" · {}", set.change_cause));
            }
            PickItem {
                label: format!(
                    "revision {}{marker}  {}  {}/{} pods",
                    set.revision,
                    set.images.join(","),
                    set.ready,
                    set.desired
                ),
                detail,
            }
        })
        .collect();
    for (label, verb) in [(PAUSE, "pause"), (RESUME, "resume")] {
        items.push(PickItem {
            label: label.to_string(),
            detail: format!(
                "$ kubectl rollout {verb} deployment/{} -n {}",
                quote(&name),
                quote(&namespace)
            ),
        });
    }
    shared.learn = Some(format!(
        "kubectl rollout history deployment/{} -n {}",
        quote(&name),
        quote(&namespace)
    ));
    shared.overlay = Overlay::Pick(Picker {
        title: format!("Rollout history of {name} · enter: roll back to it (asks first)"),
        items,
        selected: 0,
        purpose: PickPurpose::Rollout {
            namespace,
            name,
            revisions: sets.iter().map(|r| r.revision).collect(),
        },
    });
}

/// The row chosen: a revision to roll back to (after a yes), or pause / resume.
pub(crate) fn on_choice(
    shared: &mut Shared,
    (namespace, name, revisions): (String, String, Vec<u64>),
    index: usize,
) -> Vec<Command> {
    if shared.refuse_if_readonly("roll out") {
        return Vec::new();
    }
    let job = shared.alloc_job();
    let Some(&revision) = revisions.get(index) else {
        let paused = index == revisions.len();
        return crate::app::core::launch::launch(
            shared,
            Command::RolloutPause {
                job,
                namespace,
                name,
                paused,
            },
        );
    };
    if index == 0 {
        shared.set_status(
            Level::Info,
            format!(
                "Revision {revision} is the current one: choose an older revision to roll back to."
            ),
        );
        return Vec::new();
    }
    let line = undo_line(&namespace, &name, revision);
    let next = revisions.first().map_or(1, |r| r + 1);
    let message = format!(
        "Roll {name} back to revision {revision}? Its template comes back as revision {next}, and the pods are replaced as in any rollout.\n$ {line}"
    );
    shared.ask_first(
        message,
        Command::RolloutUndo {
            job,
            namespace,
            name,
            revision,
        },
    );
    Vec::new()
}
