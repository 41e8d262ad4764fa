//! Plain rows for the Kubernetes panes, mapped from k8s-openapi types by the
//! kube source; the UI never sees those types.

use super::UnixSeconds;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeploymentRow {
    pub namespace: String,
    pub name: String,
    pub desired: u32,
    pub ready: u32,
    pub up_to_date: u32,
    pub available: u32,
    pub created: UnixSeconds,
    /// `spec.selector.matchLabels` as kubectl's -l takes it: `app=web,tier=front`.
    pub selector: String,
    /// The first container port its pod template declares (what `F` proposes).
    pub port: Option<u16>,
    /// Its rollout is stuck: the message of `Progressing=False` (the
    /// deadline passed) or `ReplicaFailure=True`.
    pub stuck: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PodRow {
    pub namespace: String,
    pub name: String,
    pub ready: u32,
    pub containers: u32,
    /// As kubectl's STATUS column: a waiting reason (ErrImageNeverPull,
    /// ContainerCreating…), Terminating, or the phase.
    pub status: String,
    pub restarts: u32,
    pub created: UnixSeconds,
    pub node: String,
    /// The spec's container names, for the log container picker.
    pub container_names: Vec<String>,
    /// The ReplicaSet that controls it, if one does.
    pub replica_set: Option<String>,
    /// Its labels, sorted by key (what a Service's selector is matched against).
    pub labels: Vec<(String, String)>,
    /// What its status says of a pod that is not ready; None for a ready one.
    pub trouble: Option<Box<PodTrouble>>,
    /// Each container of its spec with its image and state, in order.
    pub container_states: Vec<PodContainer>,
}

/// One container of a pod as the relationships view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PodContainer {
    pub name: String,
    pub image: String,
    /// `running`, `waiting: ErrImageNeverPull`, `terminated: Error (exit 1)`;
    /// `unknown` before the kubelet reports it.
    pub state: String,
    pub ready: bool,
    pub restarts: u32,
}

/// A pod that is not ready, in its own status's words: the first container
/// that is not ready and why, how its last run ended, and the scheduler's
/// sentence when it has no node.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PodTrouble {
    pub container: String,
    pub image: String,
    /// The waiting reason's message, as the kubelet wrote it.
    pub message: String,
    /// How the container's last run ended (`lastState`, or `state` when it
    /// has just ended).
    pub exit: Option<ContainerExit>,
    /// `PodScheduled=False`: why no node takes it.
    pub unschedulable: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContainerExit {
    pub code: i32,
    /// `Error`, `OOMKilled`, `Completed`.
    pub reason: String,
}

/// A ReplicaSet, as far as the cockpit needs it: which Deployment owns it,
/// and the revision of that Deployment it holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReplicaSetRow {
    pub namespace: String,
    pub name: String,
    pub deployment: Option<String>,
    /// `deployment.kubernetes.io/revision` (0 when it has none).
    pub revision: u64,
    /// Each container's image, in order.
    pub images: Vec<String>,
    /// Each container's environment as `NAME=VALUE` (values from elsewhere as `NAME=(from …)`).
    pub env: Vec<String>,
    pub desired: u32,
    pub ready: u32,
    pub created: UnixSeconds,
    /// `kubernetes.io/change-cause`, when someone set it.
    pub change_cause: String,
}

impl PodRow {
    /// Whether the status is one a user must look at.
    pub fn is_failing(&self) -> bool {
        matches!(
            self.status.as_str(),
            "ErrImageNeverPull"
                | "ErrImagePull"
                | "ImagePullBackOff"
                | "CrashLoopBackOff"
                | "Error"
                | "Failed"
                | "CreateContainerConfigError"
                | "InvalidImageName"
        )
    }
}

/// The kinds the cockpit acts on, as kubectl names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KubeKind {
    Deployment,
    Pod,
    Service,
    ReplicaSet,
}

impl KubeKind {
    pub fn kubectl_name(self) -> &'static str {
        match self {
            Self::Deployment => "deployment",
            Self::Pod => "pod",
            Self::Service => "service",
            Self::ReplicaSet => "replicaset",
        }
    }

    pub fn from_kubectl_name(name: &str) -> Option<Self> {
        [Self::Deployment, Self::Pod, Self::Service, Self::ReplicaSet]
            .into_iter()
            .find(|kind| kind.kubectl_name() == name)
    }

    /// Its API group, version and kind, as the OpenAPI document declares them.
    pub fn group_version_kind(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Self::Deployment => ("apps", "v1", "Deployment"),
            Self::ReplicaSet => ("apps", "v1", "ReplicaSet"),
            Self::Pod => ("", "v1", "Pod"),
            Self::Service => ("", "v1", "Service"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceRow {
    pub namespace: String,
    pub name: String,
    pub kind: String,
    pub cluster_ip: String,
    /// `<pending>` for a LoadBalancer without an ingress, `<none>` otherwise.
    pub external_ip: String,
    /// As kubectl prints them: `8000:31234/TCP`.
    pub ports: String,
    pub node_ports: Vec<u16>,
    /// The first port the Service serves on (what a LoadBalancer address answers).
    pub port: Option<u16>,
    /// LoadBalancer ingress addresses (IP or hostname), once assigned.
    pub ingress: Vec<String>,
    pub created: UnixSeconds,
    /// `spec.selector`, sorted by key; empty for a Service without one.
    pub selector: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub namespace: String,
    pub name: String,
    pub last_seen: UnixSeconds,
    pub warning: bool,
    pub reason: String,
    /// `pod/web-1`
    pub object: String,
    pub message: String,
}

/// Which cluster and namespace the cockpit watches; switched at runtime with `:ctx` and `:ns`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KubeTarget {
    /// None: the kubeconfig's current context.
    pub context: Option<String>,
    /// None: all namespaces (`-A`).
    pub namespace: Option<String>,
}

/// What the header says about the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterInfo {
    pub context: String,
    pub server: String,
    pub version: String,
    pub nodes: usize,
    /// The first node's InternalIP, where nodePorts answer.
    pub node_address: Option<String>,
}

/// kubectl's short ages: 5s, 3m12s, 4h, 2d5h.
pub fn short_age(created: UnixSeconds, now: std::time::SystemTime) -> String {
    let now = now
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let secs = (now - created).max(0);
    match secs {
        0..=119 => format!("{secs}s"),
        120..=599 => format!("{}m{}s", secs / 60, secs % 60),
        600..=10_799 => format!("{}m", secs / 60),
        10_800..=86_399 => format!("{}h", secs / 3600),
        86_400..=691_199 => format!("{}d{}h", secs / 86_400, secs % 86_400 / 3600),
        _ => format!("{}d", secs / 86_400),
    }
}
