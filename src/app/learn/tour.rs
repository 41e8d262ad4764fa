//! The guided tour: the walkthrough (ARCHITECTURE.md, "What it is for"), one step at a time, in a side
//! panel. A step is done when the model shows it done (an image listed, a
//! deployment ready…), not when a key was pressed, so a learner may take any
//! road to it, including the CLI in another terminal.

use crate::app::core::model::{JobState, Level, Model};

pub use crate::app::learn::tour_steps::{STEPS, Step, Tour};

/// `:tour` and `--tour`: start it, or resume it where it was left.
pub fn start(model: &mut Model) {
    let tour = &mut model.tour;
    if !tour.started || tour.finished {
        *tour = Tour {
            started: true,
            first_job: model.next_job,
            ..Tour::default()
        };
    }
    model.tour.active = true;
    let step = &STEPS[model.tour.step];
    model.pane = step.pane;
    model.set_status(
        Level::Info,
        format!(
            "Tour, step {} of {}: {}. esc leaves it, :tour resumes.",
            model.tour.step + 1,
            STEPS.len(),
            step.title
        ),
    );
    advance(model);
}

/// Leave it; `:tour` resumes at the same step.
pub fn leave(model: &mut Model) {
    model.tour.active = false;
    model.set_status(
        Level::Info,
        format!(
            "Left the tour at step {} of {}. :tour resumes it.",
            model.tour.step + 1,
            STEPS.len()
        ),
    );
}

/// Remember what an apply sends, so the tour follows that Deployment and no other.
pub(crate) fn note_commands(model: &mut Model, commands: &[crate::app::core::command::Command]) {
    if !model.tour.active {
        return;
    }
    for command in commands {
        let crate::app::core::command::Command::Apply { documents, .. } = command else {
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
                model.tour.applied.push((namespace, name));
            }
        }
    }
}

/// Move past every step the model shows done. Called after each event while the tour runs.
pub fn advance(model: &mut Model) {
    if !model.tour.active || model.tour.finished {
        return;
    }
    let before = model.tour.step;
    while model.tour.step < STEPS.len() && check_step(model, model.tour.step) {
        model.tour.step += 1;
    }
    if model.tour.step == before {
        return;
    }
    model.dirty = true;
    if model.tour.step >= STEPS.len() {
        model.tour.step = STEPS.len() - 1;
        model.tour.finished = true;
        model.set_status(
            Level::Info,
            "✓ Tour complete: from a Dockerfile to Kubernetes, Cloud Run and a workflow. :history lists what you ran; :export writes it as a script.",
        );
    } else {
        let step = &STEPS[model.tour.step];
        model.set_status(
            Level::Info,
            format!(
                "✓ {} done. Step {} of {}: {}.",
                STEPS[before..model.tour.step]
                    .iter()
                    .map(|s| s.title)
                    .collect::<Vec<_>>()
                    .join(", "),
                model.tour.step + 1,
                STEPS.len(),
                step.title
            ),
        );
    }
}

fn tour_jobs<'a>(
    model: &'a Model,
    prefix: &'a str,
) -> impl Iterator<Item = &'a crate::app::core::model::Job> {
    let first = model.tour.first_job;
    model
        .jobs
        .iter()
        .filter(move |j| j.id >= first && j.title.starts_with(prefix))
}

fn succeeded(job: &crate::app::core::model::Job) -> bool {
    matches!(job.state, JobState::Succeeded(_))
}

/// Whether the model shows the step done. The image and deployment steps also
/// note which image and deployment the later steps follow.
fn check_step(model: &mut Model, step: usize) -> bool {
    match step {
        0 => matches!(
            model.docker.connection,
            crate::domain::Connection::Connected(_)
        ),
        1 => tour_jobs(model, "build ").next().is_some(),
        2 => {
            let built = tour_jobs(model, "build ")
                .filter(|j| succeeded(j))
                .filter_map(|j| j.title.strip_prefix("build ").map(str::to_string))
                .last();
            let Some(tag) = built else { return false };
            let (repository, tag_part) = split_reference(&tag);
            let listed = model
                .docker
                .images
                .iter()
                .any(|i| i.repository == repository && i.tag == tag_part);
            if listed {
                model.tour.image = Some(format!("{repository}:{tag_part}"));
            }
            listed
        }
        3 => {
            let Some(image) = model.tour.image.clone() else {
                return false;
            };
            let bare = image.strip_suffix(":latest").unwrap_or(&image).to_string();
            model
                .docker
                .containers
                .iter()
                .any(|c| c.state.is_running() && (c.image == image || c.image == bare))
        }
        4 => {
            if !tour_jobs(model, "apply ").any(succeeded) {
                return false;
            }
            let repository = model
                .tour
                .image
                .as_deref()
                .map(|i| split_reference(i).0.to_string())
                .unwrap_or_default();
            // A deployment the tour's applies named, else one named after the image;
            // the watch may list it a moment after the apply job ends.
            let applied = &model.tour.applied;
            let deployments = &model.kube.deployments;
            let chosen = deployments
                .iter()
                .find(|d| applied.contains(&(d.namespace.clone(), d.name.clone())))
                .or_else(|| {
                    deployments
                        .iter()
                        .find(|d| !repository.is_empty() && d.name.starts_with(&repository))
                });
            model.tour.deployment = chosen.map(|d| (d.namespace.clone(), d.name.clone()));
            model.tour.deployment.is_some()
        }
        5 => tour_deployment(model).is_some_and(|d| d.desired >= 1 && d.ready == d.desired),
        6 => tour_service(model).is_some(),
        7 => {
            let Some(service) = tour_service(model) else {
                return false;
            };
            // Opened: a URL on one of its node ports or its ingress, or minikube's service URL.
            let mut marks: Vec<String> =
                service.node_ports.iter().map(|p| format!(":{p}")).collect();
            marks.extend(service.ingress.iter().cloned());
            marks.push(format!(" service {} ", service.name));
            model
                .history
                .iter()
                .any(|h| marks.iter().any(|mark| h.line.contains(mark.as_str())))
        }
        8 => tour_deployment(model).is_some_and(|d| d.desired >= 3 && d.ready == d.desired),
        9 => tour_jobs(model, "deploy ").any(succeeded),
        10 => model.cloud.workflow_written.is_some(),
        _ => true,
    }
}

fn split_reference(reference: &str) -> (&str, &str) {
    match reference.rsplit_once(':') {
        Some((repository, tag)) if !tag.contains('/') => (repository, tag),
        _ => (reference, "latest"),
    }
}

fn tour_deployment(model: &Model) -> Option<&crate::domain::kube::DeploymentRow> {
    let (namespace, name) = model.tour.deployment.as_ref()?;
    model
        .kube
        .deployments
        .iter()
        .find(|d| &d.namespace == namespace && &d.name == name)
}

fn tour_service(model: &Model) -> Option<&crate::domain::kube::ServiceRow> {
    let (namespace, name) = model.tour.deployment.as_ref()?;
    model
        .kube
        .services
        .iter()
        .find(|s| &s.namespace == namespace && s.name.starts_with(name.as_str()))
}
