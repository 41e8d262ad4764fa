//! What `update` asks the effects to do. Each mutating command knows the CLI
//! line it stands for (the learn line).

use crate::app::core::validate::PortMap;
use crate::domain::exec::ExecTarget;
use crate::domain::forward::{ForwardId, ForwardSpec, KeptForward};
use crate::domain::kube::KubeKind;
use crate::domain::minikube::{MinikubeDockerEnv, MinikubeOp};
use std::path::PathBuf;

pub type JobId = u64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildSpec {
    pub context: PathBuf,
    /// Relative to the context, as `docker build -f` takes it.
    pub dockerfile: String,
    pub tag: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSpec {
    pub image: String,
    pub name: Option<String>,
    pub ports: Vec<PortMap>,
    pub env: Vec<(String, String)>,
    pub labels: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExposeSpec {
    pub namespace: String,
    pub deployment: String,
    pub service: String,
    /// ClusterIP, NodePort or LoadBalancer.
    pub kind: String,
    pub port: u16,
    pub target_port: u16,
}

/// The tree the dev loop watches: the app's build context, and the
/// Dockerfile whose `.dockerignore` says what is not part of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchSpec {
    pub context: PathBuf,
    pub dockerfile: String,
}

/// One file the sync path copies: from the context into the containers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncCopy {
    /// Relative to the build context.
    pub from: String,
    /// Absolute, inside the container.
    pub to: String,
}

/// What one dev-loop cycle does (ARCHITECTURE.md, "The dev loop").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevPlan {
    /// The app's build: its context, Dockerfile and tag (`cookbook:latest`).
    pub build: BuildSpec,
    /// Not empty: copy these into the running containers instead of a
    /// rebuild (the effect rebuilds after all when a file is gone or a
    /// Deployment runs the image).
    pub sync: Vec<SyncCopy>,
    pub restart_after_sync: bool,
    /// Targets in manual mode, left as they are: `container/web`,
    /// `deployment/default/cookbook-recipe`.
    pub skip: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerOp {
    Start,
    Stop,
    Restart,
    Remove,
}

impl ContainerOp {
    pub fn verb(self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::Stop => "stop",
            Self::Restart => "restart",
            Self::Remove => "remove",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Check that the build context and Dockerfile exist before a job starts.
    CheckBuildContext(BuildSpec),
    Build {
        job: JobId,
        spec: BuildSpec,
    },
    Run {
        job: JobId,
        spec: RunSpec,
    },
    Container {
        job: JobId,
        id: String,
        name: String,
        op: ContainerOp,
    },
    RemoveImage {
        job: JobId,
        reference: String,
    },
    /// Stream stats for this container only (None ends the stream).
    WatchStats(Option<String>),
    /// Stream the logs of this container (None ends the stream).
    FollowLogs(Option<String>),
    OpenUrl(String),
    /// `:export PATH`: write the history script (executable); `replace` an existing file.
    ExportHistory {
        path: PathBuf,
        text: String,
        replace: bool,
    },
    /// `:save [PATH]`: the Logs pane's lines to a file; over an existing one only with `replace` (`:save!`).
    SaveLogs {
        path: PathBuf,
        text: String,
        replace: bool,
    },
    /// `kubectl scale --replicas=N deployment/NAME -n NS`.
    Scale {
        job: JobId,
        namespace: String,
        name: String,
        replicas: u32,
    },
    /// Read and parse a manifest before anything is sent; the form shows problems.
    CheckManifest {
        path: PathBuf,
    },
    /// `kubectl apply --server-side [--force-conflicts] -f PATH`, field manager `pilothouse`.
    Apply {
        job: JobId,
        path: PathBuf,
        documents: Vec<serde_json::Value>,
        force: bool,
        /// Where objects without a namespace go: the namespace being
        /// watched (kubectl's `-n`); None (all namespaces): the kubeconfig's.
        namespace: Option<String>,
    },
    /// `kubectl expose deployment NAME --type=T --port=P [--target-port=Q] [--name=S]`.
    Expose {
        job: JobId,
        spec: ExposeSpec,
    },
    /// `kubectl logs -f --tail=500 NAME [-c C] -n NS` into the Logs pane;
    /// `previous`: the last terminated container's logs, not followed.
    FollowPodLogs {
        namespace: String,
        name: String,
        container: Option<String>,
        previous: bool,
    },
    /// `kubectl logs --previous --tail=3 NAME -c C -n NS`, read once for the
    /// reason line of a crashed container (not a job, not kept in History).
    ReadCrashTail {
        namespace: String,
        name: String,
        container: String,
        restarts: u32,
    },
    /// `kubectl logs -f -l SELECTOR --prefix -n NS`: every pod the selector
    /// matches, each line led by its pod, pods joined as they appear; from
    /// the last lines of each (`--tail`) or, with `since`, every line of
    /// the last so many seconds (`--since`).
    FollowSelectorLogs {
        namespace: String,
        selector: String,
        since: Option<u32>,
    },
    /// `kubectl explain KIND.PATH`: the field from the cluster's OpenAPI v3 schema.
    Explain {
        kind: KubeKind,
        path: Vec<String>,
    },
    /// `kubectl get KIND NAME -n NS -o yaml`.
    ShowYaml {
        kind: KubeKind,
        namespace: String,
        name: String,
    },
    /// `kubectl rollout restart deployment/NAME -n NS`: new pods replace the old, one set at a time.
    RolloutRestart {
        job: JobId,
        namespace: String,
        name: String,
    },
    /// `kubectl rollout undo deployment/NAME --to-revision=N -n NS`.
    RolloutUndo {
        job: JobId,
        namespace: String,
        name: String,
        revision: u64,
    },
    /// `kubectl rollout pause` (true) or `resume` (false).
    RolloutPause {
        job: JobId,
        namespace: String,
        name: String,
        paused: bool,
    },
    /// `kubectl set image deployment/NAME '*=IMAGE' -n NS`: every container
    /// of its pod template runs IMAGE.
    SetImage {
        job: JobId,
        namespace: String,
        name: String,
        image: String,
    },
    /// `kubectl delete KIND NAME -n NS`.
    DeleteObject {
        job: JobId,
        kind: KubeKind,
        namespace: String,
        name: String,
    },
    /// Ask minikube whether the context is one of its profiles, and how it is.
    ProbeMinikube {
        context: Option<String>,
    },
    /// `minikube -p P start|stop|dashboard --url`, output streamed into Jobs.
    Minikube {
        job: JobId,
        profile: String,
        op: MinikubeOp,
    },
    /// `minikube -p P service NAME -n NS --url`, kept running while the URL is used.
    MinikubeServiceUrl {
        profile: String,
        namespace: String,
        service: String,
    },
    /// `minikube -p P docker-env --shell none`, read to switch the Docker side.
    MinikubeDockerEnv {
        profile: String,
    },
    /// Watch another context or namespace (the kubeconfig itself is not changed).
    SwitchKube(crate::domain::kube::KubeTarget),
    /// Point the Docker source at minikube's engine, or (None) back at its own.
    UseDockerEngine(Option<MinikubeDockerEnv>),
    /// Read `pilothouse.toml` and the Dockerfile's ports in the app directory.
    LoadCloudSettings,
    /// `gcloud config list --format=json`, then (with settings) the services list.
    CloudRefresh {
        list: Option<Vec<String>>,
    },
    /// The deploy's gcloud runs in order, then `describe` for the URL; one job.
    CloudDeploy {
        job: JobId,
        service: String,
        /// The local mode: build IMAGE here and push it first.
        local: Option<String>,
        steps: Vec<Vec<String>>,
        describe: Vec<String>,
    },
    /// `gcloud artifacts repositories describe`: whether the deploy's repository exists
    /// (answered with `CloudEvent::Repository`). `args` are gcloud's.
    CloudCheckRepository {
        repository: crate::domain::cloud::RepositoryRef,
        args: Vec<String>,
    },
    /// `gcloud artifacts repositories create REPO --repository-format=docker --location=R`.
    CloudCreateRepository {
        job: JobId,
        repository: crate::domain::cloud::RepositoryRef,
        args: Vec<String>,
    },
    /// `gcloud run revisions list --service NAME` and the service's traffic
    /// (answered with `CloudEvent::Revisions`).
    CloudRevisions {
        service: crate::app::cloud::service::ServiceRef,
    },
    /// `gcloud run services update-traffic NAME --to-revisions REV=100` (or `--to-latest`).
    CloudUpdateTraffic {
        job: JobId,
        service: crate::app::cloud::service::ServiceRef,
        revision: String,
        args: Vec<String>,
    },
    /// `gcloud run services logs read NAME`, then again every few seconds for
    /// the newer entries, into the Logs pane's stream `key`.
    FollowCloudLogs {
        key: String,
        service: crate::app::cloud::service::ServiceRef,
    },
    /// End a running job (ctrl-c in Jobs): its task, and with it its process group.
    CancelJob(JobId),
    /// Write a workflow file; over a different one only with `force` (after the diff and a yes).
    WriteWorkflow {
        path: String,
        text: String,
        force: bool,
    },
    /// Write `[cloudrun]` to `pilothouse.toml`.
    SaveCloudSettings(crate::app::cloud::settings::CloudRunSettings),
    /// Complete a path typed in a form, relative to where pilothouse runs.
    CompletePath {
        typed: String,
    },
    /// The apply form's first guess: the walkthrough's manifest, when the app's directory has it.
    SuggestManifest,
    /// Read an image's exposed ports, to suggest port maps in the run form.
    InspectImage(String),
    ScaffoldDockerfile {
        dir: PathBuf,
    },
    /// Write `NAME-deployment.yaml` (a Deployment of IMAGE, `imagePullPolicy: Never`) in DIR.
    ScaffoldDeployment {
        dir: PathBuf,
        name: String,
        image: String,
    },
    /// Watch the app's files and read `[dev]` of `pilothouse.toml` (None: stop watching).
    Watch(Option<WatchSpec>),
    /// One dev-loop cycle: build (or sync), replace what runs the image, wait until ready.
    DevCycle {
        job: JobId,
        plan: DevPlan,
    },
    /// Ask the workload whether it has `bash`, before a shell opens (answered with `ShellFound`).
    ProbeShell(ExecTarget),
    /// `docker exec -it` / `kubectl exec -it`: the terminal is handed over to
    /// the shell until it exits (the runtime does this, not an effect).
    Shell {
        target: ExecTarget,
        shell: String,
    },
    /// A one-off command in the workload; its output goes to its job.
    Exec {
        job: JobId,
        target: ExecTarget,
        command: Vec<String>,
    },
    /// A free local port on 127.0.0.1, from this one up (the forward form's proposal).
    ProposeLocalPort(u16),
    /// `kubectl port-forward TARGET LOCAL:REMOTE --address 127.0.0.1`, kept
    /// running and following its Service's or Deployment's ready pods.
    StartForward {
        id: ForwardId,
        spec: ForwardSpec,
        /// Started from `[[forward]]` of `pilothouse.toml` (or to be kept there).
        kept: bool,
    },
    StopForward(ForwardId),
    /// Read `[[forward]]` of `pilothouse.toml`.
    LoadKeptForwards,
    /// Write `[[forward]]` of `pilothouse.toml`: these, and no others.
    KeepForwards(Vec<KeptForward>),
}

impl Command {
    /// A name for the log; never the command's contents (manifests, env
    /// values, settings: any of them may hold a secret).
    pub fn name(&self) -> &'static str {
        match self {
            Command::CheckBuildContext(..) => "check build context",
            Command::Build { .. } => "build",
            Command::Run { .. } => "run",
            Command::Container { .. } => "container",
            Command::RemoveImage { .. } => "remove image",
            Command::WatchStats(..) => "watch stats",
            Command::FollowLogs(..) => "follow logs",
            Command::OpenUrl(..) => "open url",
            Command::ExportHistory { .. } => "export history",
            Command::SaveLogs { .. } => "save logs",
            Command::Scale { .. } => "scale",
            Command::CheckManifest { .. } => "check manifest",
            Command::Apply { .. } => "apply",
            Command::Expose { .. } => "expose",
            Command::FollowPodLogs { .. } => "follow pod logs",
            Command::ReadCrashTail { .. } => "read crash tail",
            Command::FollowSelectorLogs { .. } => "follow selector logs",
            Command::ShowYaml { .. } => "show yaml",
            Command::Explain { .. } => "explain a field",
            Command::RolloutRestart { .. } => "rollout restart",
            Command::RolloutUndo { .. } => "rollout undo",
            Command::RolloutPause { .. } => "rollout pause",
            Command::SetImage { .. } => "set image",
            Command::DeleteObject { .. } => "delete object",
            Command::ProbeMinikube { .. } => "probe minikube",
            Command::Minikube { .. } => "minikube",
            Command::MinikubeServiceUrl { .. } => "minikube service url",
            Command::MinikubeDockerEnv { .. } => "minikube docker env",
            Command::SwitchKube(..) => "switch kube",
            Command::UseDockerEngine(..) => "use docker engine",
            Command::LoadCloudSettings => "load cloud settings",
            Command::CloudRefresh { .. } => "cloud refresh",
            Command::CloudDeploy { .. } => "cloud deploy",
            Command::CloudCheckRepository { .. } => "cloud check repository",
            Command::CloudCreateRepository { .. } => "cloud create repository",
            Command::CloudRevisions { .. } => "cloud revisions",
            Command::CloudUpdateTraffic { .. } => "cloud update traffic",
            Command::FollowCloudLogs { .. } => "follow cloud logs",
            Command::CancelJob(..) => "cancel job",
            Command::WriteWorkflow { .. } => "write workflow",
            Command::SaveCloudSettings(..) => "save cloud settings",
            Command::CompletePath { .. } => "complete path",
            Command::SuggestManifest => "suggest manifest",
            Command::InspectImage(..) => "inspect image",
            Command::ScaffoldDockerfile { .. } => "scaffold dockerfile",
            Command::ScaffoldDeployment { .. } => "scaffold deployment",
            Command::Watch(..) => "watch",
            Command::DevCycle { .. } => "dev cycle",
            Command::ProbeShell(..) => "probe shell",
            Command::Shell { .. } => "shell",
            Command::Exec { .. } => "exec",
            Command::ProposeLocalPort(..) => "propose local port",
            Command::StartForward { .. } => "start forward",
            Command::StopForward(..) => "stop forward",
            Command::LoadKeptForwards => "load kept forwards",
            Command::KeepForwards(..) => "keep forwards",
        }
    }
}

impl Command {
    /// Commands that change the engine or the disk; `--readonly` refuses these.
    pub fn mutates(&self) -> bool {
        matches!(
            self,
            Self::Build { .. }
                | Self::Run { .. }
                | Self::Container { .. }
                | Self::RemoveImage { .. }
                | Self::ScaffoldDockerfile { .. }
                | Self::ScaffoldDeployment { .. }
                | Self::CheckBuildContext(_)
                | Self::Scale { .. }
                | Self::DeleteObject { .. }
                | Self::RolloutRestart { .. }
                | Self::RolloutUndo { .. }
                | Self::RolloutPause { .. }
                | Self::SetImage { .. }
                | Self::CheckManifest { .. }
                | Self::Apply { .. }
                | Self::Expose { .. }
                | Self::Minikube {
                    op: MinikubeOp::Start | MinikubeOp::Stop | MinikubeOp::Unpause,
                    ..
                }
                | Self::CloudDeploy { .. }
                | Self::CloudCreateRepository { .. }
                | Self::CloudUpdateTraffic { .. }
                | Self::DevCycle { .. }
                | Self::SaveCloudSettings(_)
                | Self::WriteWorkflow { .. }
                | Self::ProbeShell(_)
                | Self::Shell { .. }
                | Self::Exec { .. }
                | Self::KeepForwards(_)
        )
    }
}
