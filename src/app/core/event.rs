//! Everything that reaches `update`: keys from the terminal, rows and state
//! from the sources, progress from the effects.

use crate::app::core::command::{BuildSpec, JobId};
use crate::app::core::keyed::RowsUpdate;
use crate::domain::forward::{ForwardId, ForwardSpec, ForwardStats};
use crate::domain::kube::{
    ClusterInfo, DeploymentRow, EventRow, PodRow, ReplicaSetRow, ServiceRow,
};
use crate::domain::minikube::{MinikubeDockerEnv, MinikubeState};
use crate::domain::{ContainerRow, EndpointLabel, EngineInfo, ImageRow, StatsSample};
use crossterm::event::KeyEvent;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Key(KeyEvent),
    /// The terminal's new width and height.
    Resize(u16, u16),
    Mouse(crossterm::event::MouseEvent),
    /// `:export` wrote the history script (its path), or why it could not.
    Exported(Result<String, String>),
    /// `:save` wrote the Logs pane's lines (the path), or why it could not.
    LogsSaved(Result<String, String>),
    /// Wall clock, about once a second, so ages and elapsed times move.
    Tick(SystemTime),
    /// SIGTERM, SIGINT or SIGHUP.
    Terminate,
    Docker(DockerEvent),
    /// Lines of the log stream the Logs pane follows (a container's or a pod's).
    LogLines {
        key: String,
        lines: Vec<String>,
    },
    /// That stream ended; None means its container stopped.
    LogsEnded {
        key: String,
        reason: Option<String>,
    },
    Kube(KubeEvent),
    Job {
        id: JobId,
        update: JobUpdate,
    },
    BuildContextChecked(Result<BuildSpec, BuildContextProblem>),
    Scaffolded(Result<PathBuf, String>),
    /// An effect that is not a job failed (opening a browser, say).
    EffectFailed(String),
    /// The manifest a user asked to apply, parsed (or what is wrong with it, for the form).
    ManifestChecked {
        path: PathBuf,
        result: Result<Vec<serde_json::Value>, String>,
    },
    /// An apply met fields another manager owns: the cockpit offers to force.
    ApplyConflict {
        path: PathBuf,
        documents: Vec<serde_json::Value>,
        namespace: Option<String>,
        message: String,
    },
    Minikube(MinikubeEvent),
    Cloud(CloudEvent),
    /// What a path typed in a form completes to, and every match.
    PathCompleted {
        typed: String,
        completed: String,
        matches: Vec<String>,
    },
    Dev(DevEvent),
    /// A field explained (`e` in the YAML view), or why it could not be.
    Explained {
        /// `deployment.spec.replicas`, as asked.
        path: String,
        result: Result<crate::domain::openapi::Explanation, String>,
    },
    /// The YAML asked for with `y` (or why it could not be read).
    YamlLoaded {
        title: String,
        text: Result<String, String>,
    },
    /// Which shell to open inside (`bash` where it exists), or why none can be.
    ShellFound {
        target: crate::domain::exec::ExecTarget,
        result: Result<String, String>,
    },
    /// The terminal is back from a shell: its exit code, or why it could not run.
    ShellEnded {
        target: crate::domain::exec::ExecTarget,
        result: Result<i32, String>,
    },
    Forward(ForwardEvent),
}

/// What the port-forwards report.
#[derive(Debug, Clone, PartialEq)]
pub enum ForwardEvent {
    /// A free local port for the form: `wanted` if it is free, else the next free one.
    Proposed {
        wanted: u16,
        free: Option<u16>,
    },
    /// Listening on 127.0.0.1.
    Started {
        id: ForwardId,
        spec: ForwardSpec,
        kept: bool,
    },
    /// The local port could not be taken (in use, or below 1024 without root).
    Refused {
        spec: ForwardSpec,
        kept: bool,
        problem: String,
    },
    /// The pod it reaches now, or why none: `moved_from` is the pod it left.
    Reaching {
        id: ForwardId,
        pod: Result<String, String>,
        moved_from: Option<(String, String)>,
    },
    Stats {
        id: ForwardId,
        stats: ForwardStats,
    },
    /// It stopped by itself (a pod forward whose pod is gone).
    Ended {
        id: ForwardId,
        reason: String,
    },
    /// One connection failed on the pod's side (the kubelet's message).
    ConnectionFailed {
        id: ForwardId,
        problem: String,
    },
    /// `[[forward]]` of `pilothouse.toml` (each, or what is wrong with it).
    Kept(Result<Vec<Result<ForwardSpec, String>>, String>),
    /// `pilothouse.toml` written with the kept forwards (its path), or why not.
    Saved(Result<PathBuf, String>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum DockerEvent {
    Endpoint(EndpointLabel),
    Connecting,
    Connected(EngineInfo),
    Disconnected {
        reason: String,
        retry_in: Duration,
    },
    Containers(Vec<ContainerRow>),
    Images(Vec<ImageRow>),
    Stats {
        id: String,
        sample: StatsSample,
    },
    /// `EXPOSE`d ports of an image, as the engine lists them ("8000/tcp").
    ImageExposedPorts {
        reference: String,
        ports: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum CloudEvent {
    /// `pilothouse.toml` read: its `[cloudrun]`, none, or what is wrong with it.
    Settings(Result<Option<crate::app::cloud::settings::CloudRunSettings>, String>),
    /// The Dockerfile's EXPOSEd ports and whether the app reads `$PORT`.
    AppPorts(crate::app::cloud::deploy::AppPorts),
    Gcloud(crate::domain::cloud::GcloudState),
    Services(Result<Vec<crate::domain::cloud::CloudServiceRow>, String>),
    /// A deploy ended and `describe` read the URL.
    Deployed {
        service: String,
        url: String,
    },
    SettingsSaved(Result<PathBuf, String>),
    /// The workflow file exists and differs: the diff, for the question.
    WorkflowDiffers {
        path: String,
        diff: Vec<String>,
        text: String,
    },
    /// Written (or unchanged): the path and what actionlint said.
    WorkflowWritten(Result<(String, String), String>),
    /// Whether the deploy's Artifact Registry repository exists (Err: gcloud could not say).
    Repository {
        repository: crate::domain::cloud::RepositoryRef,
        exists: Result<bool, String>,
    },
    /// The repository was created: the deploy can go on.
    RepositoryCreated(crate::domain::cloud::RepositoryRef),
    /// A service's revisions with their traffic shares, or why they could not be listed.
    Revisions {
        service: crate::app::cloud::service::ServiceRef,
        result: Result<Vec<crate::domain::cloud::CloudRevisionRow>, String>,
    },
    /// `update-traffic` succeeded: the split changed.
    TrafficMoved(crate::app::cloud::service::ServiceRef),
}

/// What the dev loop's watch and cycles report.
#[derive(Debug, Clone, PartialEq)]
pub enum DevEvent {
    /// Files changed in the watched tree (relative to the context), and how
    /// long the debounce held them before reporting.
    Changed { paths: Vec<String>, held: Duration },
    /// The watch could not start, or stopped.
    WatchFailed(String),
    /// `[dev]` of `pilothouse.toml`, read when watching starts and when the file changes.
    Settings(Result<crate::app::dev::settings::DevSettings, String>),
    /// A stage of a cycle ended, and how long it took.
    Stage {
        job: JobId,
        stage: DevStage,
        took: Duration,
    },
    /// A step of a cycle is done; each stands for a command line.
    Step { job: JobId, step: DevStep },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DevStage {
    Build,
    Sync,
    Replace,
    Rollout,
    Ready,
}

impl DevStage {
    pub const ALL: [DevStage; 5] = [
        Self::Build,
        Self::Sync,
        Self::Replace,
        Self::Rollout,
        Self::Ready,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Build => "build",
            Self::Sync => "sync",
            Self::Replace => "replace",
            Self::Rollout => "rollout",
            Self::Ready => "ready",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DevStep {
    /// Built with the app's tag, then tagged uniquely for this build.
    Built {
        build: BuildSpec,
        unique_tag: String,
    },
    /// A container was removed and started again from the new build.
    Replaced(crate::app::core::command::RunSpec),
    /// Files copied into a container (`docker cp`).
    Copied {
        container: String,
        copies: Vec<crate::app::core::command::SyncCopy>,
    },
    Restarted {
        container: String,
    },
    /// `kubectl set image`.
    ImageSet {
        namespace: String,
        deployment: String,
        container: String,
        image: String,
    },
    /// A target in manual mode was left on its old build.
    Skipped {
        target: String,
    },
    /// Why the cycle rebuilt although every change matched a sync rule.
    SyncFellBack {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum MinikubeEvent {
    /// What `minikube profile list` and `status` said.
    State(MinikubeState),
    /// A start or stop ended: ask for the status again.
    OpFinished,
    /// `docker-env` was read (or why not).
    DockerEnv(Result<MinikubeDockerEnv, String>),
    /// `minikube service --url` or `dashboard --url` printed its URL; the process is kept.
    UrlReady {
        key: String,
        url: String,
        note: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum KubeEvent {
    /// The kubeconfig context in use, known before the API server answers.
    Context(String),
    /// Every context the kubeconfig names, for the `:ctx` picker.
    Contexts(Vec<String>),
    /// The cluster's namespaces, for the `:ns` picker.
    Namespaces(Vec<String>),
    /// The cluster's nodes: how many, and the first one's address.
    Nodes {
        count: usize,
        address: Option<String>,
    },
    /// No cluster is configured (no kubeconfig, no such context): a state, not an error.
    Unavailable(String),
    /// The cluster rejected the credentials (401): asked again only after a while or a switch.
    Rejected(String),
    Connected(ClusterInfo),
    Disconnected {
        reason: String,
        retry_in: Duration,
    },
    /// A watcher hit an error and is retrying by itself.
    WatchTrouble(String),
    /// A kind the user may not see (403): its watcher stopped; said once.
    NotAllowed(String),
    /// Every namespace was asked and is not the user's to see: their own is watched.
    NamespaceLimited {
        namespace: String,
        why: String,
    },
    /// A table kind's rows: in full (the first list, or a relist after a 410 or a
    /// reconnect), or what the watch changed since the last report.
    Deployments(RowsUpdate<DeploymentRow>),
    Pods(RowsUpdate<PodRow>),
    ReplicaSets(Vec<ReplicaSetRow>),
    Services(RowsUpdate<ServiceRow>),
    Events(RowsUpdate<EventRow>),
    /// The last lines of a crashed container's previous run (empty when they could not be read).
    CrashTail {
        namespace: String,
        name: String,
        restarts: u32,
        lines: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum JobUpdate {
    Output(Vec<String>),
    Step {
        current: u32,
        total: u32,
    },
    /// Ok carries a one-line summary, Err the engine's error.
    Finished(Result<String, String>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum BuildContextProblem {
    /// A field of the build form is wrong; the form shows it at that field.
    Field { field: usize, message: String },
    /// The context has no Dockerfile: offer to scaffold one.
    NoDockerfile { dir: PathBuf },
}
