//! minikube in the model: what the header shows, when to ask minikube again,
//! the `M` menu (start, stop, dashboard), the docker-env switch (`e`), and
//! opening a Service through `minikube service --url`.

use super::command::Command;
use super::event::MinikubeEvent;
use super::kube_state::KubeConnection;
use super::launch::{alloc_job, launch, refuse_if_readonly};
use super::model::{Confirm, Level, Model, Overlay, PickItem, PickPurpose, Picker};
use crate::domain::minikube::{
    DEFAULT_PROFILE, MinikubeDockerEnv, MinikubeOp, MinikubeState, MinikubeStatus,
};
use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

/// `minikube status` costs about a second of CPU: asked rarely, and again
/// whenever the cluster connection changes or a start/stop ends.
const PROBE_EVERY: Duration = Duration::from_secs(120);
const PROBE_SOON: Duration = Duration::from_secs(10);

pub const INSTALL_HINT: &str = "minikube is not installed (not on PATH): see https://minikube.sigs.k8s.io/docs/start/ to install it.";

#[derive(Debug, Clone, Default)]
pub struct MinikubeModel {
    pub state: MinikubeState,
    /// The kubeconfig context the kube source is using, even while it cannot connect.
    pub context: Option<String>,
    /// When to ask minikube next; None: at the next tick.
    pub next_probe: Option<SystemTime>,
    pub probing: bool,
    /// Set while the Docker side uses the cluster's engine.
    pub docker_env: Option<MinikubeDockerEnv>,
    /// URLs `minikube service --url` gave, kept while its process runs.
    pub urls: BTreeMap<String, String>,
}

impl MinikubeModel {
    /// The status, when the current context is a minikube profile.
    pub fn status(&self) -> Option<&MinikubeStatus> {
        match &self.state {
            MinikubeState::Status(status) => Some(status),
            _ => None,
        }
    }

    /// True when the current context is a running minikube profile.
    pub fn is_current(&self) -> bool {
        self.status()
            .is_some_and(|s| Some(s.profile.as_str()) == self.context.as_deref())
    }

    /// "Kubelet Stopped, APIServer Stopped": the fields not in their good state
    /// (just the host when it is down: the rest follow it).
    pub fn trouble(status: &MinikubeStatus) -> Vec<String> {
        if status.host != "Running" {
            return vec![format!("Host {}", status.host)];
        }
        [
            ("Host", &status.host, "Running"),
            ("Kubelet", &status.kubelet, "Running"),
            ("APIServer", &status.apiserver, "Running"),
            ("Kubeconfig", &status.kubeconfig, "Configured"),
        ]
        .iter()
        .filter(|(_, value, good)| value.as_str() != *good)
        .map(|(name, value, _)| format!("{name} {value}"))
        .collect()
    }
}

/// On each tick: ask minikube when it is time (never in the demo, which is hermetic).
pub(super) fn on_tick(model: &mut Model, now: SystemTime) -> Vec<Command> {
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
pub(super) fn probe_soon(model: &mut Model) {
    model.minikube.next_probe = None;
}

/// A new kube connection state: when it changes kind or context, minikube may have too.
pub(super) fn on_kube_connection(model: &mut Model, before: &KubeConnection) {
    let kind = |c: &KubeConnection| std::mem::discriminant(c);
    if kind(before) != kind(&model.kube.connection) {
        probe_soon(model);
    }
}

pub(super) fn on_minikube(model: &mut Model, event: MinikubeEvent) -> Vec<Command> {
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
pub(super) fn open_menu(model: &mut Model) {
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
pub(super) fn on_menu_choice(model: &mut Model, profile: String, index: usize) -> Vec<Command> {
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
    model.pane = super::model::Pane::Jobs;
    launch(model, command)
}

/// `e`: point the Docker side at minikube's engine, or back.
pub(super) fn toggle_docker_env(model: &mut Model) -> Vec<Command> {
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
pub(super) fn open_service(model: &mut Model, namespace: &str, service: &str) -> Vec<Command> {
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
