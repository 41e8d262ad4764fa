//! minikube in the model: what the header shows, when to ask minikube again,
//! the `M` menu (start, stop, dashboard), the docker-env switch (`e`), and
//! opening a Service through `minikube service --url`.

use crate::app::core::command::Command;
use crate::app::core::event::MinikubeEvent;
use crate::app::core::handled::Handled;
use crate::app::core::launch::launch;
use crate::app::core::model::{Confirm, Level, Overlay, Pane, PickItem, PickPurpose, Picker};
use crate::app::core::shared::Shared;
use crate::app::kube::events::KubeReport;
use crate::domain::minikube::{DEFAULT_PROFILE, MinikubeOp, MinikubeState};
use std::time::{Duration, SystemTime};

/// `minikube status` costs about a second of CPU: asked rarely, and again
/// whenever the cluster connection changes or a start/stop ends.
const PROBE_EVERY: Duration = Duration::from_secs(120);
const PROBE_SOON: Duration = Duration::from_secs(10);

pub use crate::app::kube::minikube_state::{INSTALL_HINT, MinikubeModel};

/// On each tick: ask minikube when it is time (never in the demo, which is hermetic).
pub(crate) fn on_tick(minikube: &mut MinikubeModel, demo: bool, now: SystemTime) -> Vec<Command> {
    if demo || minikube.probing || minikube.next_probe.is_some_and(|at| now < at) {
        return Vec::new();
    }
    minikube.probing = true;
    minikube.probed_context = minikube.context.clone();
    vec![Command::ProbeMinikube {
        context: minikube.context.clone(),
    }]
}

/// Ask again at the next tick (the context or the connection changed).
pub(crate) fn probe_soon(minikube: &mut MinikubeModel) {
    minikube.next_probe = None;
}

/// minikube follows the cluster: a new context, or a connection that changed
/// kind, may mean a new state there, so it is asked again soon.
pub(crate) fn on_kube_report(minikube: &mut MinikubeModel, report: &KubeReport) {
    if let Some(context) = &report.context
        && minikube.context.as_ref() != Some(context)
    {
        minikube.context = Some(context.clone());
        probe_soon(minikube);
    }
    if report.connection_changed {
        probe_soon(minikube);
    }
}

pub(crate) fn on_minikube(
    minikube: &mut MinikubeModel,
    shared: &mut Shared,
    event: MinikubeEvent,
) -> Handled {
    match event {
        MinikubeEvent::State(state) => {
            minikube.probing = false;
            let wait = match &state {
                MinikubeState::Status(s) if s.is_running() => PROBE_EVERY,
                MinikubeState::Status(_) | MinikubeState::ProfileMissing { .. } => PROBE_SOON * 3,
                _ => PROBE_EVERY,
            };
            // The context changed while minikube was asked: the answer is about
            // the old one, so the new one is asked at the next tick.
            let stale = minikube.probed_context != minikube.context;
            minikube.next_probe = (!stale).then_some(shared.now + wait);
            let visible = minikube.state != state;
            minikube.state = state;
            Handled::seen_if(visible)
        }
        MinikubeEvent::OpFinished => {
            probe_soon(minikube);
            Handled::unseen()
        }
        MinikubeEvent::DockerEnv(Ok(env)) => {
            shared.set_status(
                Level::Info,
                format!(
                    "Docker side now on minikube's engine ({}): builds land where its pods can use them. e goes back.",
                    env.host
                ),
            );
            minikube.docker_env = Some(env.clone());
            Handled::shown(vec![Command::UseDockerEngine(Some(env))])
        }
        MinikubeEvent::DockerEnv(Err(message)) => {
            shared.set_status(Level::Error, message);
            Handled::shown(Vec::new())
        }
        MinikubeEvent::UrlReady { key, url, note } => {
            minikube.urls.insert(key, url.clone());
            shared.set_status(Level::Info, format!("Opening {url} ({note})"));
            Handled::shown(vec![Command::OpenUrl(url)])
        }
    }
}

/// The profile `M` and `e` work with, or why there is none.
fn profile_for_menu(minikube: &MinikubeModel, shared: &Shared) -> Result<String, String> {
    if shared.demo {
        return Err(
            "The demo's cluster is simulated, not minikube: M and e work on a minikube context."
                .into(),
        );
    }
    match &minikube.state {
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
pub(crate) fn open_menu(minikube: &mut MinikubeModel, shared: &mut Shared) {
    let profile = match profile_for_menu(minikube, shared) {
        Ok(profile) => profile,
        Err(why) => return shared.set_status(Level::Warn, why),
    };
    let title = match &minikube.state {
        MinikubeState::Status(s) => format!(
            "minikube -p {profile}: Host {} · Kubelet {} · APIServer {} · Kubeconfig {}",
            s.host, s.kubelet, s.apiserver, s.kubeconfig
        ),
        MinikubeState::ProfileMissing { .. } => {
            format!("minikube: no profile {profile} (start creates it)")
        }
        MinikubeState::NotAProfile { profiles } if profiles.is_empty() => {
            format!("minikube has no profile yet (a fresh install); start makes {profile}")
        }
        _ => format!("minikube: the context is not a minikube profile; start makes {profile}"),
    };
    // A paused cluster is unpaused, not started.
    let paused = matches!(&minikube.state, MinikubeState::Status(s) if s.is_paused());
    let first = if paused {
        MinikubeOp::Unpause
    } else {
        MinikubeOp::Start
    };
    let items = [first, MinikubeOp::Stop, MinikubeOp::Dashboard]
        .iter()
        .map(|op| PickItem {
            label: op.verb().to_string(),
            detail: format!("minikube {}", op.args(&profile).join(" ")),
        })
        .collect();
    shared.overlay = Overlay::Pick(Picker {
        title,
        items,
        selected: 0,
        purpose: PickPurpose::Minikube { profile },
    });
}

/// A choice from the `M` menu.
pub(crate) fn on_menu_choice(shared: &mut Shared, profile: String, verb: &str) -> Vec<Command> {
    let Some(op) = MinikubeOp::ALL.into_iter().find(|op| op.verb() == verb) else {
        return Vec::new();
    };
    if op != MinikubeOp::Dashboard && shared.refuse_if_readonly(&format!("minikube {}", op.verb()))
    {
        return Vec::new();
    }
    let job = shared.alloc_job();
    let command = Command::Minikube { job, profile, op };
    if op == MinikubeOp::Stop {
        let Command::Minikube { profile, .. } = &command else {
            return Vec::new();
        };
        shared.learn = command.learn_line();
        shared.overlay = Overlay::Confirm(Confirm {
            message: format!(
                "Stop minikube profile {profile}? The cluster and its pods stop until it starts again."
            ),
            on_yes: command,
        });
        return Vec::new();
    }
    shared.pane = Pane::Jobs;
    launch(shared, command)
}

/// `e`: point the Docker side at minikube's engine, or back.
pub(crate) fn toggle_docker_env(minikube: &mut MinikubeModel, shared: &mut Shared) -> Vec<Command> {
    if let Some(env) = minikube.docker_env.take() {
        let command = Command::UseDockerEngine(None);
        shared.learn = command.learn_line();
        shared.set_status(
            Level::Info,
            format!(
                "Docker side back on its own engine (left minikube {}'s).",
                env.profile
            ),
        );
        return vec![command];
    }
    let profile = match profile_for_menu(minikube, shared) {
        Ok(profile) => profile,
        Err(why) => {
            shared.set_status(Level::Warn, why);
            return Vec::new();
        }
    };
    match minikube.status() {
        Some(status) if status.is_running() => {
            let command = Command::MinikubeDockerEnv { profile };
            shared.learn = command.learn_line();
            shared.set_status(Level::Info, "Asking minikube where its engine listens…");
            vec![command]
        }
        Some(status) if status.is_paused() => {
            shared.set_status(
                Level::Warn,
                format!("minikube {profile} is paused: press M to unpause it."),
            );
            Vec::new()
        }
        Some(status) => {
            shared.set_status(
                Level::Warn,
                format!(
                    "minikube {profile} is not running ({}): press M to start it.",
                    MinikubeModel::trouble(status).join(", ")
                ),
            );
            Vec::new()
        }
        None => {
            shared.set_status(
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
pub(crate) fn open_service(
    minikube: &mut MinikubeModel,
    shared: &mut Shared,
    namespace: &str,
    service: &str,
) -> Vec<Command> {
    let key = format!("service/{namespace}/{service}");
    if let Some(url) = minikube.urls.get(&key).cloned() {
        shared.set_status(Level::Info, format!("Opening {url}"));
        return vec![Command::OpenUrl(url)];
    }
    let Some(profile) = minikube.status().map(|s| s.profile.clone()) else {
        return Vec::new();
    };
    let command = Command::MinikubeServiceUrl {
        profile,
        namespace: namespace.to_string(),
        service: service.to_string(),
    };
    shared.learn = command.learn_line();
    shared.set_status(Level::Info, format!("Asking minikube for {service}'s URL…"));
    vec![command]
}
