//! The dispatcher: each command goes to the family that performs it. A family
//! starts the work on a task (or the blocking pool) and returns at once; the
//! work reports back through the event channel the sources use.

use super::cloud::CloudEffects;
use super::dev::DevEffects;
use super::docker::DockerEffects;
use super::files::FileEffects;
use super::kube::KubeEffects;
use super::minikube::MinikubeEffects;
use super::shared::Shared;
use crate::app::core::command::Command;
use crate::app::core::event::Event;
use crate::domain::kube::KubeTarget;
use crate::domain::minikube::MinikubeDockerEnv;
use crate::sources::docker_endpoint::EngineClient;
use std::path::PathBuf;
use tokio::sync::{mpsc::UnboundedSender, watch};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Docker,
    Kube,
    Minikube,
    Cloud,
    Files,
    Dev,
    /// Inside a workload: `docker exec` and `kubectl exec` (a shell itself is the runtime's).
    Exec,
    /// Port-forwards: each a task that lives until stopped.
    Forward,
    /// ctrl-c on a job: whichever family started it.
    Jobs,
}

/// Which family performs a command. No catch-all: a new command must be given one.
fn family(command: &Command) -> Family {
    match command {
        Command::CheckBuildContext(_)
        | Command::Build { .. }
        | Command::Run { .. }
        | Command::Container { .. }
        | Command::RemoveImage { .. }
        | Command::WatchStats(_)
        | Command::FollowLogs(_)
        | Command::InspectImage(_)
        | Command::UseDockerEngine(_) => Family::Docker,
        Command::Scale { .. }
        | Command::CheckManifest { .. }
        | Command::Apply { .. }
        | Command::Expose { .. }
        | Command::FollowPodLogs { .. }
        | Command::ReadCrashTail { .. }
        | Command::FollowSelectorLogs { .. }
        | Command::ShowYaml { .. }
        | Command::Explain { .. }
        | Command::RolloutRestart { .. }
        | Command::RolloutUndo { .. }
        | Command::RolloutPause { .. }
        | Command::SetImage { .. }
        | Command::DeleteObject { .. }
        | Command::SwitchKube(_) => Family::Kube,
        Command::ProbeMinikube { .. }
        | Command::Minikube { .. }
        | Command::MinikubeServiceUrl { .. }
        | Command::MinikubeDockerEnv { .. } => Family::Minikube,
        Command::LoadCloudSettings
        | Command::CloudRefresh { .. }
        | Command::CloudDeploy { .. }
        | Command::CloudCheckRepository { .. }
        | Command::CloudCreateRepository { .. }
        | Command::CloudRevisions { .. }
        | Command::CloudUpdateTraffic { .. }
        | Command::FollowCloudLogs { .. }
        | Command::WriteWorkflow { .. }
        | Command::SaveCloudSettings(_) => Family::Cloud,
        Command::OpenUrl(_)
        | Command::ExportHistory { .. }
        | Command::SaveLogs { .. }
        | Command::CompletePath { .. }
        | Command::SuggestManifest
        | Command::ScaffoldDockerfile { .. }
        | Command::ScaffoldDeployment { .. } => Family::Files,
        Command::Watch(_) | Command::DevCycle { .. } => Family::Dev,
        Command::ProbeShell(_) | Command::Shell { .. } | Command::Exec { .. } => Family::Exec,
        Command::ProposeLocalPort(_)
        | Command::StartForward { .. }
        | Command::StopForward(_)
        | Command::LoadKeptForwards
        | Command::KeepForwards(_) => Family::Forward,
        Command::CancelJob(_) => Family::Jobs,
    }
}

pub struct Effects {
    shared: Shared,
    docker: DockerEffects,
    kube: KubeEffects,
    minikube: MinikubeEffects,
    cloud: CloudEffects,
    files: FileEffects,
    dev: DevEffects,
    forward: super::forward::ForwardEffects,
    pub exec: super::exec::ExecEffects,
}

impl Effects {
    pub fn new(
        tx: UnboundedSender<Event>,
        docker: watch::Receiver<Option<EngineClient>>,
        cwd: PathBuf,
    ) -> Self {
        Self {
            shared: Shared::new(tx, docker, cwd),
            docker: DockerEffects::default(),
            kube: KubeEffects::default(),
            minikube: MinikubeEffects::default(),
            cloud: CloudEffects::default(),
            files: FileEffects,
            dev: DevEffects::default(),
            forward: Default::default(),
            exec: Default::default(),
        }
    }

    /// The Kubernetes client the kube source publishes while connected.
    pub fn with_kube(mut self, kube: watch::Receiver<Option<::kube::Client>>) -> Self {
        self.shared.set_kube(kube);
        self
    }

    /// The channel the Docker source listens on for engine switches (docker-env).
    pub fn with_docker_switch(mut self, switch: watch::Sender<Option<MinikubeDockerEnv>>) -> Self {
        self.docker.switch = Some(switch);
        self
    }

    /// The channel the kube source listens on for `:ctx` and `:ns`.
    pub fn with_kube_switch(mut self, switch: watch::Sender<KubeTarget>) -> Self {
        self.kube.switch = Some(switch);
        self
    }

    /// Run this program for `minikube`.
    pub fn set_minikube(&mut self, program: impl Into<std::ffi::OsString>) {
        self.minikube.program = program.into();
    }

    /// Variables set for every gcloud run, on top of the user's environment.
    pub fn set_gcloud_env(&mut self, env: Vec<(String, String)>) {
        self.cloud.env = env;
    }

    pub fn set_gcloud(&mut self, program: impl Into<std::ffi::OsString>) {
        self.cloud.program = program.into();
    }

    /// Shorter for tests of a gcloud that hangs; the default suits a slow network.
    pub fn set_gcloud_timeout(&mut self, timeout: std::time::Duration) {
        self.cloud.timeout = timeout;
    }

    pub fn perform(&mut self, command: Command) {
        tracing::debug!(command = command.name(), "effect");
        let shared = &mut self.shared;
        if let Command::UseDockerEngine(engine) = &command {
            self.exec.use_docker_engine(engine.as_ref());
        }
        match family(&command) {
            Family::Docker => self.docker.perform(command, shared),
            Family::Kube => self.kube.perform(command, shared),
            Family::Minikube => self.minikube.perform(command, shared),
            Family::Cloud => self.cloud.perform(command, shared),
            Family::Files => self.files.perform(command, shared),
            Family::Dev => self.dev.perform(command, shared),
            Family::Exec => self.exec.perform(command, shared),
            Family::Forward => self.forward.perform(command, shared),
            Family::Jobs => {
                if let Command::CancelJob(job) = command {
                    shared.cancel(job);
                }
            }
        }
    }
}
