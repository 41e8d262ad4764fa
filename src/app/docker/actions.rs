//! The Docker side's key actions, on its own state and the shared context:
//! the run form, start/stop/restart, a container's or a pod's log stream,
//! a container's URL, and the Deployment manifest for an image.

use crate::app::core::command::{Command, ContainerOp};
use crate::app::core::forms::Form;
use crate::app::core::launch::launch;
use crate::app::core::model::{Confirm, Level, Overlay, Pane};
use crate::app::core::shared::Shared;
use crate::app::docker::state::{DockerState, LogView, PodLogSource};

/// `m` on an image: the walkthrough's Deployment manifest for it, asked first.
pub(crate) fn deployment_manifest(docker: &DockerState, shared: &mut Shared) {
    if shared.refuse_if_readonly("write a manifest") {
        return;
    }
    let Some(image) = docker.selected_image().map(|i| i.reference()) else {
        shared.set_status(Level::Warn, "No image selected.");
        return;
    };
    let name = deployment_name(&image);
    let on_yes = Command::ScaffoldDeployment {
        dir: shared.cwd.clone(),
        name: name.clone(),
        image: image.clone(),
    };
    shared.learn = on_yes.learn_line();
    shared.overlay = Overlay::Confirm(Confirm {
        message: format!(
            "Write {name}-deployment.yaml in {} (a Deployment of {image}, imagePullPolicy: Never)? An existing file is never overwritten.",
            shared.cwd.display()
        ),
        on_yes,
    });
}

/// A Deployment name from an image reference: its last path part, made a DNS-1123 label.
pub fn deployment_name(image: &str) -> String {
    let repository = image.rsplit('/').next().unwrap_or(image);
    let repository = repository.split([':', '@']).next().unwrap_or(repository);
    let mut name: String = repository
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    name.truncate(63 - "-deployment".len());
    let name = name.trim_matches('-').to_string();
    if name.is_empty() {
        "app".to_string()
    } else {
        name
    }
}

/// Show a pod's log stream (the current container's, followed, or the previous one's).
pub(crate) fn pod_logs(
    logs: &mut LogView,
    shared: &mut Shared,
    source: PodLogSource,
) -> Vec<Command> {
    let container = source
        .container
        .as_ref()
        .map_or(String::new(), |c| format!(" ({c})"));
    let previous = if source.previous { ", previous" } else { "" };
    logs.show(
        pod_log_key(&source.namespace, &source.name),
        format!("pod {}{container}{previous}", source.name),
        Some(source.clone()),
    );
    shared.pane = Pane::Logs;
    let command = Command::FollowPodLogs {
        namespace: source.namespace,
        name: source.name,
        container: source.container,
        previous: source.previous,
    };
    shared.learn = command.learn_line();
    vec![command]
}

/// `p` in Logs: a pod's previous container (after a crash or restart), or back to the current.
pub(crate) fn toggle_previous(logs: &mut LogView, shared: &mut Shared) -> Vec<Command> {
    match logs.pod.clone() {
        Some(mut source) => {
            source.previous = !source.previous;
            pod_logs(logs, shared, source)
        }
        None => {
            shared.set_status(
                Level::Warn,
                "p shows a pod's previous container: open a pod's logs first (l in Pods).",
            );
            Vec::new()
        }
    }
}

/// The Logs pane's key for a pod's stream (a container's is its id).
pub fn pod_log_key(namespace: &str, name: &str) -> String {
    format!("pod/{namespace}/{name}")
}

pub(crate) fn open_run_form(docker: &mut DockerState, shared: &mut Shared) -> Vec<Command> {
    if shared.refuse_if_readonly("run") {
        return Vec::new();
    }
    match docker.selected_image() {
        Some(image) => {
            let reference = image.reference();
            shared.overlay = Overlay::Form(Form::run(&reference, ""));
            // The image's EXPOSE lines fill in the ports while the user reads the form.
            return vec![Command::InspectImage(reference)];
        }
        None => shared.set_status(Level::Warn, "No image selected: build one with b first."),
    }
    Vec::new()
}

pub(crate) fn container_op(
    docker: &mut DockerState,
    shared: &mut Shared,
    op: Option<ContainerOp>,
) -> Vec<Command> {
    let Some(container) = docker.selected_container() else {
        shared.set_status(Level::Warn, "No container selected.");
        return Vec::new();
    };
    let op = op.unwrap_or(if container.state.is_running() {
        ContainerOp::Stop
    } else {
        ContainerOp::Start
    });
    let (id, name) = (container.id.clone(), container.name.clone());
    let job = shared.alloc_job();
    launch(shared, Command::Container { job, id, name, op })
}

pub(crate) fn follow_logs(docker: &mut DockerState, shared: &mut Shared) -> Vec<Command> {
    let Some(container) = docker.selected_container() else {
        shared.set_status(Level::Warn, "No container selected.");
        return Vec::new();
    };
    let (id, name) = (container.id.clone(), container.name.clone());
    docker.logs.show(id.clone(), name, None);
    shared.pane = Pane::Logs;
    let command = Command::FollowLogs(Some(id));
    shared.learn = command.learn_line();
    vec![command]
}

/// `engine_machine`: where the engine runs when it is not this machine
/// (minikube's node after `e`, a `tcp://` engine elsewhere).
pub(crate) fn container_url(
    docker: &DockerState,
    engine_machine: Option<&str>,
) -> Result<String, String> {
    let container = docker
        .selected_container()
        .ok_or("No container selected.")?;
    container.first_url_via(engine_machine).ok_or_else(|| {
        format!(
            "{} publishes no port: run it with a port map (r on its image) to open it.",
            container.name
        )
    })
}
