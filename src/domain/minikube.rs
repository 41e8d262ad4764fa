//! What the cockpit knows of minikube, read from its own `-o json` output.

use std::path::PathBuf;

/// The profile minikube uses when none is named.
pub const DEFAULT_PROFILE: &str = "minikube";

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum MinikubeState {
    /// Not asked yet.
    #[default]
    Unknown,
    /// No `minikube` on PATH.
    NotInstalled,
    /// Installed, but the current context is none of its profiles.
    NotAProfile {
        profiles: Vec<String>,
    },
    /// The context names a profile minikube no longer has (exit 85).
    ProfileMissing {
        profile: String,
    },
    Status(MinikubeStatus),
    /// minikube answered something we could not read; said once, in the header.
    Failed(String),
}

impl MinikubeState {
    /// The profile the cockpit works with: the current context's, if it is one.
    pub fn profile(&self) -> Option<&str> {
        match self {
            Self::Status(status) => Some(&status.profile),
            Self::ProfileMissing { profile } => Some(profile),
            _ => None,
        }
    }
}

/// `minikube status -o json`: the control-plane node's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinikubeStatus {
    pub profile: String,
    pub host: String,
    pub kubelet: String,
    pub apiserver: String,
    pub kubeconfig: String,
    /// Worker nodes besides the control plane.
    pub workers: usize,
}

impl MinikubeStatus {
    pub fn is_running(&self) -> bool {
        self.host == "Running" && self.apiserver == "Running"
    }

    /// `minikube pause`: the host runs, the API server and kubelet do not.
    pub fn is_paused(&self) -> bool {
        self.host == "Running" && self.apiserver == "Paused"
    }
}

/// `minikube docker-env --shell none`: where the cluster's own engine listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinikubeDockerEnv {
    pub profile: String,
    /// `tcp://127.0.0.1:32842`
    pub host: String,
    pub tls_verify: bool,
    pub cert_path: Option<PathBuf>,
}

/// What the `M` menu offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MinikubeOp {
    Start,
    Stop,
    Dashboard,
    /// A paused cluster (`minikube pause`) runs again.
    Unpause,
}

impl MinikubeOp {
    pub const ALL: [MinikubeOp; 4] = [Self::Start, Self::Stop, Self::Dashboard, Self::Unpause];

    pub fn verb(self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::Stop => "stop",
            Self::Dashboard => "dashboard",
            Self::Unpause => "unpause",
        }
    }

    /// The arguments after `minikube`, as a user would type them.
    pub fn args(self, profile: &str) -> Vec<String> {
        let mut args = vec![
            "-p".to_string(),
            profile.to_string(),
            self.verb().to_string(),
        ];
        if self == Self::Dashboard {
            args.push("--url".to_string());
        }
        args
    }
}
