//! minikube's half of the model: what `minikube` said of the current
//! context's profile, when to ask again, the docker-env in use, and the URLs
//! `minikube service` gave.

use crate::domain::minikube::{MinikubeDockerEnv, MinikubeState, MinikubeStatus};
use std::collections::BTreeMap;
use std::time::SystemTime;

pub const INSTALL_HINT: &str = "minikube is not installed (not on PATH): see https://minikube.sigs.k8s.io/docs/start/ to install it.";

#[derive(Debug, Clone, Default)]
pub struct MinikubeModel {
    pub state: MinikubeState,
    /// The kubeconfig context the kube source is using, even while it cannot connect.
    pub context: Option<String>,
    /// When to ask minikube next; None: at the next tick.
    pub next_probe: Option<SystemTime>,
    pub probing: bool,
    /// The context the question in flight was asked for: an answer about
    /// another context than the one now in use is asked again at once.
    pub probed_context: Option<String>,
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
