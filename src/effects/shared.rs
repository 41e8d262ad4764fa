//! What every family of effects shares: the event channel, the engine and
//! cluster clients the sources publish, the app's directory, the jobs that
//! can be cancelled, and the one log stream the Logs pane follows.

use crate::app::core::command::JobId;
use crate::app::core::event::{Event, JobUpdate};
use crate::sources::docker_endpoint::EngineClient;
use bollard::Docker;
use std::collections::HashMap;
use std::path::PathBuf;
use tokio::sync::{mpsc::UnboundedSender, watch};
use tokio::task::JoinHandle;

/// Report a job's end.
pub(crate) fn finish_job(tx: &UnboundedSender<Event>, id: JobId, result: Result<String, String>) {
    let _ = tx.send(Event::Job {
        id,
        update: JobUpdate::Finished(result),
    });
}

pub struct Shared {
    pub tx: UnboundedSender<Event>,
    docker: watch::Receiver<Option<EngineClient>>,
    kube: watch::Receiver<Option<::kube::Client>>,
    pub cwd: PathBuf,
    /// At most one log stream, a container's or a pod's.
    logs: Option<JoinHandle<()>>,
    /// Jobs that can be cancelled: aborting the task drops its process (and
    /// its process group) or its engine stream.
    /// With each, what its end says when it is cancelled.
    cancellable: HashMap<JobId, (JoinHandle<()>, String)>,
}

impl Shared {
    pub fn new(
        tx: UnboundedSender<Event>,
        docker: watch::Receiver<Option<EngineClient>>,
        cwd: PathBuf,
    ) -> Self {
        Self {
            tx,
            docker,
            kube: watch::channel(None).1,
            cwd,
            logs: None,
            cancellable: HashMap::new(),
        }
    }

    pub fn set_kube(&mut self, kube: watch::Receiver<Option<::kube::Client>>) {
        self.kube = kube;
    }

    /// The engine the Docker source is connected to, if it is.
    pub fn docker(&self) -> Option<Docker> {
        self.docker
            .borrow()
            .as_ref()
            .map(|engine| engine.docker.clone())
    }

    /// The engine with the endpoint and builder a build uses, if it is connected.
    pub fn engine(&self) -> Option<EngineClient> {
        self.docker.borrow().clone()
    }

    /// The channel the kube source publishes its client on, for tasks that wait for it.
    pub fn kube_watch(&self) -> watch::Receiver<Option<::kube::Client>> {
        self.kube.clone()
    }

    /// The Kubernetes client the kube source publishes while connected.
    pub fn kube(&self) -> Option<::kube::Client> {
        self.kube.borrow().clone()
    }

    /// Remember a job's task so ctrl-c can end it; forget the finished ones.
    pub fn track(&mut self, job: JobId, task: JoinHandle<()>) {
        self.track_saying(job, task, "cancelled; its process was ended".to_string());
    }

    /// Track a job whose cancellation leaves something the user should know of.
    pub fn track_saying(&mut self, job: JobId, task: JoinHandle<()>, cancelled: String) {
        self.cancellable.retain(|_, (task, _)| !task.is_finished());
        self.cancellable.insert(job, (task, cancelled));
    }

    /// End a running job's task; the job ends as cancelled.
    pub fn cancel(&mut self, job: JobId) {
        match self.cancellable.remove(&job) {
            Some((task, cancelled)) if !task.is_finished() => {
                task.abort();
                finish_job(&self.tx, job, Err(cancelled));
            }
            // Its end is on its way (or it is one step that cannot stop part-way):
            // the cockpit's "Cancelling…" must not wait for ever.
            _ => self.failed(
                "Nothing to cancel: that job has just ended, or is one quick step that ends by itself.",
            ),
        }
    }

    /// The Logs pane follows a new stream (or none): the old one ends.
    pub fn follow_logs(&mut self, task: Option<JoinHandle<()>>) {
        if let Some(old) = std::mem::replace(&mut self.logs, task) {
            old.abort();
        }
    }

    /// Run a job against the cluster (cancellable), or fail it at once with the reason.
    pub fn with_cluster(
        &mut self,
        job: JobId,
        start: impl FnOnce(::kube::Client) -> JoinHandle<()>,
    ) {
        match self.kube() {
            Some(client) => {
                let task = start(client);
                self.track(job, task);
            }
            None => self.cluster_missing(job),
        }
    }

    /// Run a job against the engine (cancellable), or fail it at once with the reason.
    pub fn with_engine(&mut self, job: JobId, start: impl FnOnce(Docker) -> JoinHandle<()>) {
        match self.docker() {
            Some(docker) => {
                let task = start(docker);
                self.track(job, task);
            }
            None => self.engine_missing(job),
        }
    }

    /// A job that needs the cluster, asked while it is not connected: it fails at once.
    pub fn cluster_missing(&self, job: JobId) {
        finish_job(
            &self.tx,
            job,
            Err("the cluster is not connected; it reconnects by itself, try again then".into()),
        );
    }

    /// A job that needs the engine, asked while it is not connected: it fails at once.
    pub fn engine_missing(&self, job: JobId) {
        finish_job(
            &self.tx,
            job,
            Err(
                "the Docker engine is not connected; it reconnects by itself, try again then"
                    .into(),
            ),
        );
    }

    /// A sentence for the user about an effect that is not a job.
    pub fn failed(&self, message: impl Into<String>) {
        let _ = self.tx.send(Event::EffectFailed(message.into()));
    }
}

/// A command handed to a family that does not perform it: the dispatcher's
/// routing and the family disagree, which is a bug to see in the log.
pub fn misrouted(family: &str, command: &crate::app::core::command::Command) {
    tracing::error!(
        command = command.name(),
        family,
        "a command reached an effects family that does not perform it"
    );
}
