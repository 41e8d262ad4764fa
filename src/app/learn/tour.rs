//! The guided tour: the walkthrough (ARCHITECTURE.md, "What it is for"), one step at a time, in a side
//! panel. A step is done when the model shows it done (an image listed, a
//! deployment ready…), not when a key was pressed, so a learner may take any
//! road to it, including the CLI in another terminal.

use crate::app::cloud::state::CloudModel;
use crate::app::core::command::Command;
use crate::app::core::jobs::{Job, JobState, Jobs};
use crate::app::core::overlay::Level;
use crate::app::core::shared::Shared;
use crate::app::docker::state::DockerState;
use crate::app::kube::state::KubeState;
use crate::app::learn::history::History;

pub use crate::app::learn::tour_steps::{STEPS, Step, Tour};

/// What the tour reads to see a step done: the other features' states, read only.
pub struct Seen<'a> {
    pub docker: &'a DockerState,
    pub kube: &'a KubeState,
    pub cloud: &'a CloudModel,
    pub jobs: &'a Jobs,
    pub history: &'a History,
}

/// `:tour` and `--tour`: start it, or resume it where it was left.
pub fn start(tour: &mut Tour, shared: &mut Shared, seen: &Seen) {
    if !tour.started || tour.finished {
        *tour = Tour {
            started: true,
            first_job: shared.next_job,
            ..Tour::default()
        };
    }
    tour.active = true;
    let step = &STEPS[tour.step];
    shared.pane = step.pane;
    shared.set_status(
        Level::Info,
        format!(
            "Tour, step {} of {}: {}. esc leaves it, :tour resumes.",
            tour.step + 1,
            STEPS.len(),
            step.title
        ),
    );
    advance(tour, shared, seen);
}

/// Leave it; `:tour` resumes at the same step.
pub fn leave(tour: &mut Tour, shared: &mut Shared) {
    tour.active = false;
    shared.set_status(
        Level::Info,
        format!(
            "Left the tour at step {} of {}. :tour resumes it.",
            tour.step + 1,
            STEPS.len()
        ),
    );
}

/// Remember what an apply sends, so the tour follows that Deployment and no other.
pub(crate) fn note_commands(tour: &mut Tour, commands: &[Command]) {
    if !tour.active {
        return;
    }
    for command in commands {
        let Command::Apply { documents, .. } = command else {
            continue;
        };
        for document in documents {
            if document.get("kind").and_then(|k| k.as_str()) != Some("Deployment") {
                continue;
            }
            let metadata = document.get("metadata");
            let field = |name: &str| {
                metadata
                    .and_then(|m| m.get(name))
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            };
            if let Some(name) = field("name") {
                let namespace = field("namespace").unwrap_or_else(|| "default".to_string());
                tour.applied.push((namespace, name));
            }
        }
    }
}

/// Move past every step the model shows done. Called after each event while
/// the tour runs; true when a step was passed (the panel changed).
pub fn advance(tour: &mut Tour, shared: &mut Shared, seen: &Seen) -> bool {
    if !tour.active || tour.finished {
        return false;
    }
    let before = tour.step;
    while tour.step < STEPS.len() && check_step(tour, seen, tour.step) {
        tour.step += 1;
    }
    if tour.step == before {
        return false;
    }
    if tour.step >= STEPS.len() {
        tour.step = STEPS.len() - 1;
        tour.finished = true;
        shared.set_status(
            Level::Info,
            "✓ Tour complete: from a Dockerfile to Kubernetes, Cloud Run and a workflow. :history lists what you ran; :export writes it as a script.",
        );
    } else {
        let step = &STEPS[tour.step];
        shared.set_status(
            Level::Info,
            format!(
                "✓ {} done. Step {} of {}: {}.",
                STEPS[before..tour.step]
                    .iter()
                    .map(|s| s.title)
                    .collect::<Vec<_>>()
                    .join(", "),
                tour.step + 1,
                STEPS.len(),
                step.title
            ),
        );
    }
    true
}

fn tour_jobs<'a>(tour: &Tour, seen: &'a Seen, prefix: &'a str) -> impl Iterator<Item = &'a Job> {
    let first = tour.first_job;
    seen.jobs
        .list
        .iter()
        .filter(move |j| j.id >= first && j.title.starts_with(prefix))
}

fn succeeded(job: &Job) -> bool {
    matches!(job.state, JobState::Succeeded(_))
}

/// Whether the model shows the step done. The image and deployment steps also
/// note which image and deployment the later steps follow.
fn check_step(tour: &mut Tour, seen: &Seen, step: usize) -> bool {
    match step {
        0 => matches!(
            seen.docker.connection,
            crate::domain::Connection::Connected(_)
        ),
        1 => tour_jobs(tour, seen, "build ").next().is_some(),
        2 => {
            let built = tour_jobs(tour, seen, "build ")
                .filter(|j| succeeded(j))
                .filter_map(|j| j.title.strip_prefix("build ").map(str::to_string))
                .last();
            let Some(tag) = built else { return false };
            let (repository, tag_part) = split_reference(&tag);
            let listed = seen
                .docker
                .images
                .iter()
                .any(|i| i.repository == repository && i.tag == tag_part);
            if listed {
                tour.image = Some(format!("{repository}:{tag_part}"));
            }
            listed
        }
        3 => {
            let Some(image) = tour.image.clone() else {
                return false;
            };
            let bare = image.strip_suffix(":latest").unwrap_or(&image).to_string();
            seen.docker
                .containers
                .iter()
                .any(|c| c.state.is_running() && (c.image == image || c.image == bare))
        }
        4 => {
            if !tour_jobs(tour, seen, "apply ").any(succeeded) {
                return false;
            }
            let repository = tour
                .image
                .as_deref()
                .map(|i| split_reference(i).0.to_string())
                .unwrap_or_default();
            // A deployment the tour's applies named, else one named after the image;
            // the watch may list it a moment after the apply job ends.
            let applied = &tour.applied;
            let deployments = &seen.kube.deployments;
            let chosen = deployments
                .iter()
                .find(|d| applied.contains(&(d.namespace.clone(), d.name.clone())))
                .or_else(|| {
                    deployments
                        .iter()
                        .find(|d| !repository.is_empty() && d.name.starts_with(&repository))
                });
            tour.deployment = chosen.map(|d| (d.namespace.clone(), d.name.clone()));
            tour.deployment.is_some()
        }
        5 => tour_deployment(tour, seen).is_some_and(|d| d.desired >= 1 && d.ready == d.desired),
        6 => tour_service(tour, seen).is_some(),
        7 => {
            let Some(service) = tour_service(tour, seen) else {
                return false;
            };
            // Opened: a URL on one of its node ports or its ingress, or minikube's service URL.
            let mut marks: Vec<String> =
                service.node_ports.iter().map(|p| format!(":{p}")).collect();
            marks.extend(service.ingress.iter().cloned());
            marks.push(format!(" service {} ", service.name));
            seen.history
                .entries
                .iter()
                .any(|h| marks.iter().any(|mark| h.line.contains(mark.as_str())))
        }
        8 => tour_deployment(tour, seen).is_some_and(|d| d.desired >= 3 && d.ready == d.desired),
        9 => recovered(tour, seen),
        10 => tour_jobs(tour, seen, "dev: ").any(succeeded),
        11 => tour_jobs(tour, seen, "deploy ").any(succeeded),
        12 => seen.cloud.workflow_written.is_some(),
        _ => true,
    }
}

/// "When it breaks": a pod of the tour's Deployment was seen failing, and
/// now the Deployment is whole again (every replica ready and up to date, no
/// pod of it failing).
fn recovered(tour: &mut Tour, seen: &Seen) -> bool {
    let Some(deployment) = tour_deployment(tour, seen) else {
        return false;
    };
    let sets: Vec<&str> = seen
        .kube
        .replica_sets
        .iter()
        .filter(|r| {
            r.namespace == deployment.namespace && r.deployment.as_deref() == Some(&deployment.name)
        })
        .map(|r| r.name.as_str())
        .collect();
    let failing = seen.kube.pods.iter().any(|p| {
        p.namespace == deployment.namespace
            && p.replica_set
                .as_deref()
                .is_some_and(|rs| sets.contains(&rs))
            && p.is_failing()
    });
    tour.broken |= failing;
    let whole = deployment.ready == deployment.desired
        && deployment.up_to_date == deployment.desired
        && deployment.stuck.is_none();
    tour.broken && whole && !failing
}

fn split_reference(reference: &str) -> (&str, &str) {
    match reference.rsplit_once(':') {
        Some((repository, tag)) if !tag.contains('/') => (repository, tag),
        _ => (reference, "latest"),
    }
}

fn tour_deployment<'a>(
    tour: &Tour,
    seen: &'a Seen,
) -> Option<&'a crate::domain::kube::DeploymentRow> {
    let (namespace, name) = tour.deployment.as_ref()?;
    seen.kube
        .deployments
        .iter()
        .find(|d| &d.namespace == namespace && &d.name == name)
}

fn tour_service<'a>(tour: &Tour, seen: &'a Seen) -> Option<&'a crate::domain::kube::ServiceRow> {
    let (namespace, name) = tour.deployment.as_ref()?;
    seen.kube
        .services
        .iter()
        .find(|s| &s.namespace == namespace && s.name.starts_with(name.as_str()))
}
