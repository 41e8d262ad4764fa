//! minikube in the model: what the header shows, when to ask minikube again,
//! the `M` menu (start, stop, dashboard), the docker-env switch (`e`), and
//! opening a Service through `minikube service --url`.

use crate::app::core::command::Command;
use crate::app::core::event::MinikubeEvent;
use crate::app::core::launch::{alloc_job, launch, refuse_if_readonly};
use crate::app::core::model::{Confirm, Level, Model, Overlay, PickItem, PickPurpose, Picker};
use crate::app::kube::state::KubeConnection;
use crate::domain::minikube::{DEFAULT_PROFILE, MinikubeOp, MinikubeState};
use std::time::{Duration, SystemTime};

/// `minikube status` costs about a second of CPU: asked rarely, and again
/// whenever the cluster connection changes or a start/stop ends.
const PROBE_EVERY: Duration = Duration::from_secs(120);
const PROBE_SOON: Duration = Duration::from_secs(10);

pub use crate::app::kube::minikube_state::{INSTALL_HINT, MinikubeModel};

/// On each tick: ask minikube when it is time (never in the demo, which is hermetic).
pub(crate) fn on_tick(model: &mut Model, now: SystemTime) -> Vec<Command> {
    let minikube = &mut model.minikube;
    if model.demo || minikube.probing || minikube.next_probe.is_some_and(|at| now < at) {
        return Vec::new();
    }
    minikube.probing = true;
    vec![Command::ProbeMinikube {
        context: minikube.context.clone(),
    }]
}

/// Ask again at the next tick (the context or the connection changed).
pub(crate) fn probe_soon(model: &mut Model) {
    model.minikube.next_probe = None;
}

/// A new kube connection state: when it changes kind or context, minikube may have too.
pub(crate) fn on_kube_connection(model: &mut Model, before: &KubeConnection) {
    let kind = |c: &KubeConnection| std::mem::discriminant(c);
    if kind(before) != kind(&model.kube.connection) {
        probe_soon(model);
    }
}

pub(crate) fn on_minikube(model: &mut Model, event: MinikubeEvent) -> Vec<Command> {
    match event {
        MinikubeEvent::State(state) => {
            let minikube = &mut model.minikube;
            minikube.probing = false;
            let wait = match &state {
                MinikubeState::Status(s) if s.is_running() => PROBE_EVERY,
                MinikubeState::Status(_) | MinikubeState::ProfileMissing { .. } => PROBE_SOON * 3,
                _ => PROBE_EVERY,
            };
            minikube.next_probe = Some(model.now + wait);
            model.dirty = minikube.state != state;
            minikube.state = state;
            Vec::new()
        }
        MinikubeEvent::OpFinished => {
            probe_soon(model);
            model.dirty = false;
            Vec::new()
        }
        MinikubeEvent::DockerEnv(Ok(env)) => {
            model.set_status(
                Level::Info,
                format!(
                    "Docker side now on minikube's engine ({}): builds land where its pods can use them. e goes back.",
                    env.host
                ),
            );
            model.minikube.docker_env = Some(env.clone());
            vec![Command::UseDockerEngine(Some(env))]
        }
        MinikubeEvent::DockerEnv(Err(message)) => {
            model.set_status(Level::Error, message);
            Vec::new()
        }
        MinikubeEvent::UrlReady { key, url, note } => {
            model.minikube.urls.insert(key, url.clone());
            model.set_status(Level::Info, format!("Opening {url} ({note})"));
            vec![Command::OpenUrl(url)]
        }
    }
}

/// The profile `M` and `e` work with, or why there is none.
fn profile_for_menu(model: &Model) -> Result<String, String> {
    if model.demo {
        return Err(
            "The demo's cluster is simulated, not minikube: M and e work on a minikube context."
                .into(),
        );
    }
    match &model.minikube.state {
        MinikubeState::Unknown => Err("Still asking minikube; try again in a moment.".into()),
        MinikubeState::NotInstalled => Err(INSTALL_HINT.into()),
        MinikubeState::Failed(message) => Err(message.clone()),
        MinikubeState::Status(status) => Ok(status.profile.clone()),
        MinikubeState::ProfileMissing { profile } => Ok(profile.clone()),
        // Not a profile yet: start creates minikube's default one (and makes it the context).
        MinikubeState::NotAProfile { .. } => Ok(DEFAULT_PROFILE.to_string()),
    }
}

/// `M`: the minikube menu, titled with the full status.
pub(crate) fn open_menu(model: &mut Model) {
    let profile = match profile_for_menu(model) {
        Ok(profile) => profile,
        Err(why) => return model.set_status(Level::Warn, why),
    };
    let title = match &model.minikube.state {
        MinikubeState::Status(s) => format!(
            "minikube -p {profile}: Host {} · Kubelet {} · APIServer {} · Kubeconfig {}",
            s.host, s.kubelet, s.apiserver, s.kubeconfig
        ),
        MinikubeState::ProfileMissing { .. } => {
            format!("minikube: no profile {profile} (start creates it)")
        }
        _ => format!("minikube: the context is not a minikube profile; start makes {profile}"),
    };
    let items = MinikubeOp::ALL
        .iter()
        .map(|op| PickItem {
            label: op.verb().to_string(),
            detail: format!("minikube {}", op.args(&profile).join(" ")),
        })
        .collect();
    model.overlay = Overlay::Pick(Picker {
        title,
        items,
        selected: 0,
        purpose: PickPurpose::Minikube { profile },
    });
}

/// A choice from the `M` menu.
pub(crate) fn on_menu_choice(model: &mut Model, profile: String, index: usize) -> Vec<Command> {
    let Some(op) = MinikubeOp::ALL.get(index).copied() else {
        return Vec::new();
    };
    if op != MinikubeOp::Dashboard && refuse_if_readonly(model, &format!("minikube {}", op.verb()))
    {
        return Vec::new();
    }
    let job = alloc_job(model);
    let command = Command::Minikube { job, profile, op };
    if op == MinikubeOp::Stop {
        let Command::Minikube { profile, .. } = &command else {
            return Vec::new();
        };
        model.learn = command.learn_line();
        model.overlay = Overlay::Confirm(Confirm {
            message: format!(
                "Stop minikube profile {profile}? The cluster and its pods stop until it starts again."
            ),
            on_yes: command,
        });
        return Vec::new();
    }
    model.pane = crate::app::core::model::Pane::Jobs;
    launch(model, command)
}

/// `e`: point the Docker side at minikube's engine, or back.
pub(crate) fn toggle_docker_env(model: &mut Model) -> Vec<Command> {
    if let Some(env) = model.minikube.docker_env.take() {
        let command = Command::UseDockerEngine(None);
        model.learn = command.learn_line();
        model.set_status(
            Level::Info,
            format!(
                "Docker side back on its own engine (left minikube {}'s).",
                env.profile
            ),
        );
        return vec![command];
    }
    let profile = match profile_for_menu(model) {
        Ok(profile) => profile,
        Err(why) => {
            model.set_status(Level::Warn, why);
            return Vec::new();
        }
    };
    match model.minikube.status() {
        Some(status) if status.is_running() => {
            let command = Command::MinikubeDockerEnv { profile };
            model.learn = command.learn_line();
            model.set_status(Level::Info, "Asking minikube where its engine listens…");
            vec![command]
        }
        Some(status) => {
            model.set_status(
                Level::Warn,
                format!(
                    "minikube {profile} is not running ({}): press M to start it.",
                    MinikubeModel::trouble(status).join(", ")
                ),
            );
            Vec::new()
        }
        None => {
            model.set_status(
                Level::Warn,
                format!(
                    "No running minikube profile for this context: press M to start {profile}."
                ),
            );
            Vec::new()
        }
    }
}

/// `o` on a Service of a minikube context: its URL from `minikube service --url`.
pub(crate) fn open_service(model: &mut Model, namespace: &str, service: &str) -> Vec<Command> {
    let key = format!("service/{namespace}/{service}");
    if let Some(url) = model.minikube.urls.get(&key).cloned() {
        model.set_status(Level::Info, format!("Opening {url}"));
        return vec![Command::OpenUrl(url)];
    }
    let Some(profile) = model.minikube.status().map(|s| s.profile.clone()) else {
        return Vec::new();
    };
    let command = Command::MinikubeServiceUrl {
        profile,
        namespace: namespace.to_string(),
        service: service.to_string(),
    };
    model.learn = command.learn_line();
    model.set_status(Level::Info, format!("Asking minikube for {service}'s URL…"));
    vec![command]
}
