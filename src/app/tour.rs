//! The guided tour: the walkthrough (ARCHITECTURE.md, "What it is for"), one step at a time, in a side
//! panel. A step is done when the model shows it done (an image listed, a
//! deployment ready…), not when a key was pressed, so a learner may take any
//! road to it, including the CLI in another terminal.

use super::command::JobId;
use super::model::{JobState, Level, Model, Pane};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tour {
    /// The panel is shown and steps advance.
    pub active: bool,
    /// Started at least once (so `:tour` resumes rather than restarts).
    pub started: bool,
    pub step: usize,
    /// Jobs from before the tour do not count for it.
    pub first_job: JobId,
    /// What the learner built and deployed, learned as the steps complete.
    pub image: Option<String>,
    pub deployment: Option<(String, String)>,
    /// The Deployments (namespace, name) the applies sent during the tour named.
    pub applied: Vec<(String, String)>,
    pub finished: bool,
}

pub struct Step {
    pub title: &'static str,
    /// What the step does and why, in a few sentences.
    pub about: &'static str,
    /// Which key does it, and where.
    pub key: &'static str,
    /// The command line it stands for.
    pub command: &'static str,
    /// The pane the step happens in.
    pub pane: Pane,
}

pub const STEPS: [Step; 11] = [
    Step {
        title: "The engine",
        about: "Docker builds images and runs containers. The header shows which engine pilothouse talks to, its version and where it came from (DOCKER_HOST, a docker context, minikube's docker-env).",
        key: "1: the Containers pane; the step is done when the engine answers",
        command: "docker ps",
        pane: Pane::Containers,
    },
    Step {
        title: "The Dockerfile",
        about: "A Dockerfile is the recipe of an image: a base (FROM), the files (COPY), the setup (RUN pip install) and what starts (ENTRYPOINT, CMD). Without one, b offers to write one for a Python/Flask app.",
        key: "b: build; the form names the directory and the Dockerfile",
        command: "cat Dockerfile",
        pane: Pane::Images,
    },
    Step {
        title: "The image",
        about: "docker build runs the recipe step by step and tags the result. The Jobs pane streams each step; the Images pane lists the image with its tag, ID and size.",
        key: "b, then enter; watch it in 3 (Jobs)",
        command: "docker build -t cookbook .",
        pane: Pane::Jobs,
    },
    Step {
        title: "The container",
        about: "A container is a running image. -p publishes a container port on your machine so a browser can reach it; o opens it.",
        key: "r on the image in 2 (Images), then enter",
        command: "docker run -d -p 8000:8000 cookbook:latest",
        pane: Pane::Images,
    },
    Step {
        title: "The Deployment",
        about: "Kubernetes runs pods, not containers you start by hand. A Deployment says which image and how many copies; the cluster keeps that many running. imagePullPolicy: Never uses the image already in the cluster's engine.",
        key: "5 (Deployments), a, enter: apply the manifest",
        command: "kubectl apply --server-side -f cookbook-deployment.yaml",
        pane: Pane::Deployments,
    },
    Step {
        title: "READY",
        about: "READY is ready pods / wanted pods. UP-TO-DATE counts pods of the current template, AVAILABLE those ready long enough to serve. A pod goes Pending, ContainerCreating, Running.",
        key: "wait; enter on the deployment shows its pods",
        command: "kubectl get deployments",
        pane: Pane::Deployments,
    },
    Step {
        title: "The Service",
        about: "Pods come and go with new addresses; a Service is one stable name and port in front of them. Type LoadBalancer also opens a NodePort on every node.",
        key: "x on the deployment, enter",
        command: "kubectl expose deployment cookbook-recipe --type=LoadBalancer --port=8000",
        pane: Pane::Deployments,
    },
    Step {
        title: "NodePort and <pending>",
        about: "EXTERNAL-IP stays <pending> until something hands out an address: on a cloud, its load balancer; on minikube, `minikube tunnel`. Meanwhile the NodePort (8000:3xxxx) answers on the node's address, and o opens it (minikube service --url on minikube).",
        key: "7 (Services), o on the service",
        command: "minikube service cookbook-recipe --url",
        pane: Pane::Services,
    },
    Step {
        title: "Scaling",
        about: "Ask for three copies and the Deployment's ReplicaSet starts two more pods; the Service spreads requests over all three. + and - change it by one.",
        key: "s on the deployment, 3, enter",
        command: "kubectl scale --replicas=3 deployment/cookbook-recipe",
        pane: Pane::Deployments,
    },
    Step {
        title: "Cloud Run and $PORT",
        about: "Cloud Run runs the same image without a cluster. It sends traffic to the port in $PORT (8080 unless set), so an app listening elsewhere never answers: pilothouse warns before the deploy.",
        key: "9 (Cloud Run), s for the settings, D to deploy",
        command: "gcloud run deploy cookbook --image IMAGE --region R --allow-unauthenticated",
        pane: Pane::Cloud,
    },
    Step {
        title: "The workflow",
        about: "A GitHub Actions workflow repeats the deploy on every push: tests first, then build, push and deploy. It needs repository secrets, which the Cloud pane lists.",
        key: "W, enter: writes .github/workflows/deploy.yml",
        command: "cat .github/workflows/deploy.yml",
        pane: Pane::Cloud,
    },
];

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
pub(super) fn note_commands(model: &mut Model, commands: &[super::command::Command]) {
    if !model.tour.active {
        return;
    }
    for command in commands {
        let super::command::Command::Apply { documents, .. } = command else {
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

fn tour_jobs<'a>(model: &'a Model, prefix: &'a str) -> impl Iterator<Item = &'a super::model::Job> {
    let first = model.tour.first_job;
    model
        .jobs
        .iter()
        .filter(move |j| j.id >= first && j.title.starts_with(prefix))
}

fn succeeded(job: &super::model::Job) -> bool {
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
