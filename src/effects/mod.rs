//! Effects perform the commands `update` returns, each on its own task, and
//! report back through the same event channel the sources use.

pub mod apply;
pub mod build_context;
pub mod build_stream;
pub mod cloud;
pub mod docker;
pub mod kube;
pub mod minikube;
pub mod paths;
pub mod scaffold;

use crate::app::command::Command;
use crate::app::event::{Event, JobUpdate, MinikubeEvent};
use crate::domain::minikube::{MinikubeDockerEnv, MinikubeOp};
use bollard::Docker;
use std::path::PathBuf;
use tokio::sync::{mpsc::UnboundedSender, watch};
use tokio::task::JoinHandle;

/// Report a job's end.
pub(crate) fn finish_job(tx: &UnboundedSender<Event>, id: u64, result: Result<String, String>) {
    let _ = tx.send(Event::Job {
        id,
        update: JobUpdate::Finished(result),
    });
}

/// Work queued to run in order.
type Queued = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

pub struct Effects {
    tx: UnboundedSender<Event>,
    docker: watch::Receiver<Option<Docker>>,
    kube: watch::Receiver<Option<::kube::Client>>,
    cwd: PathBuf,
    /// At most one stats stream and one log stream, for one container each.
    stats: Option<JoinHandle<()>>,
    logs: Option<JoinHandle<()>>,
    /// Scale commands, in order.
    scale_lane: Option<tokio::sync::mpsc::UnboundedSender<Queued>>,
    /// The `minikube` program (a test points this at its stand-in).
    minikube: std::ffi::OsString,
    /// Holds `minikube service`/`dashboard` processes while their URLs are in use.
    keeper: Option<minikube::Keeper>,
    /// Tells the Docker source which engine to use (minikube's or its own).
    docker_switch: Option<watch::Sender<Option<MinikubeDockerEnv>>>,
    /// Tells the kube source which context and namespace to watch.
    kube_switch: Option<watch::Sender<crate::domain::kube::KubeTarget>>,
    /// The `gcloud` program and the variables pilothouse sets for it (the demo's sim).
    gcloud: std::ffi::OsString,
    gcloud_env: Vec<(String, String)>,
    /// How long a gcloud query (config, services list, token, describe) may take.
    gcloud_timeout: std::time::Duration,
    /// Jobs that can be cancelled: aborting the task drops its process (and
    /// its process group) or its engine stream.
    cancellable: std::collections::HashMap<u64, JoinHandle<()>>,
}

impl Effects {
    pub fn new(
        tx: UnboundedSender<Event>,
        docker: watch::Receiver<Option<Docker>>,
        cwd: PathBuf,
    ) -> Self {
        Self {
            kube: watch::channel(None).1,
            tx,
            docker,
            cwd,
            stats: None,
            logs: None,
            scale_lane: None,
            minikube: "minikube".into(),
            keeper: None,
            docker_switch: None,
            kube_switch: None,
            gcloud: "gcloud".into(),
            gcloud_env: Vec::new(),
            gcloud_timeout: cloud::QUERY_TIMEOUT,
            cancellable: std::collections::HashMap::new(),
        }
    }

    /// Run this program for `minikube`.
    pub fn set_minikube(&mut self, program: impl Into<std::ffi::OsString>) {
        self.minikube = program.into();
    }

    /// The channel the Docker source listens on for engine switches (docker-env).
    pub fn with_docker_switch(mut self, switch: watch::Sender<Option<MinikubeDockerEnv>>) -> Self {
        self.docker_switch = Some(switch);
        self
    }

    /// The channel the kube source listens on for `:ctx` and `:ns`.
    pub fn with_kube_switch(
        mut self,
        switch: watch::Sender<crate::domain::kube::KubeTarget>,
    ) -> Self {
        self.kube_switch = Some(switch);
        self
    }

    /// Variables set for every gcloud run, on top of the user's environment.
    pub fn set_gcloud_env(&mut self, env: Vec<(String, String)>) {
        self.gcloud_env = env;
    }

    pub fn set_gcloud(&mut self, program: impl Into<std::ffi::OsString>) {
        self.gcloud = program.into();
    }

    /// Shorter for tests of a gcloud that hangs; the default suits a slow network.
    pub fn set_gcloud_timeout(&mut self, timeout: std::time::Duration) {
        self.gcloud_timeout = timeout;
    }

    fn gcloud(&self) -> cloud::Gcloud {
        cloud::Gcloud {
            program: self.gcloud.clone(),
            env: self.gcloud_env.clone(),
            dir: self.cwd.clone(),
            timeout: self.gcloud_timeout,
        }
    }

    /// Remember a job's task so ctrl-c can end it; forget the finished ones.
    fn track(&mut self, job: u64, task: JoinHandle<()>) {
        self.cancellable.retain(|_, task| !task.is_finished());
        self.cancellable.insert(job, task);
    }

    fn keeper(&mut self) -> minikube::Keeper {
        self.keeper.get_or_insert_with(minikube::keeper).clone()
    }

    /// The Kubernetes client the kube source publishes while connected.
    pub fn with_kube(mut self, kube: watch::Receiver<Option<::kube::Client>>) -> Self {
        self.kube = kube;
        self
    }

    fn client(&self) -> Option<Docker> {
        self.docker.borrow().clone()
    }

    pub fn perform(&mut self, command: Command) {
        tracing::debug!(command = command.name(), "effect");
        let tx = self.tx.clone();
        match command {
            Command::CheckBuildContext(spec) => {
                let _ = tx.send(Event::BuildContextChecked(docker::check_build_context(
                    spec, &self.cwd,
                )));
            }
            // Files are read and written off the event loop's thread, as everything else here.
            Command::LoadCloudSettings => {
                let dir = self.cwd.clone();
                tokio::task::spawn_blocking(move || cloud::load_settings(&dir, &tx));
            }
            Command::WriteWorkflow { path, text, force } => {
                tokio::spawn(cloud::write_workflow(
                    self.cwd.clone(),
                    path,
                    text,
                    force,
                    tx,
                ));
            }
            Command::SaveCloudSettings(settings) => {
                let dir = self.cwd.clone();
                tokio::task::spawn_blocking(move || cloud::save_settings(&dir, settings, &tx));
            }
            Command::CloudRefresh { list } => {
                tokio::spawn(cloud::refresh(self.gcloud(), list, tx));
            }
            Command::CloudDeploy {
                job,
                service,
                local,
                steps,
                describe,
            } => {
                let plan = cloud::DeployPlan {
                    job,
                    service,
                    local: local.map(|image| (image, self.client())),
                    steps,
                    describe,
                };
                let task = tokio::spawn(cloud::deploy(self.gcloud(), plan, tx));
                self.track(job, task);
            }
            Command::CompletePath { typed } => {
                let dir = self.cwd.clone();
                tokio::task::spawn_blocking(move || {
                    let (completed, matches) = paths::complete(&dir, &typed);
                    let _ = tx.send(Event::PathCompleted {
                        typed,
                        completed,
                        matches,
                    });
                });
            }
            Command::ScaffoldDeployment { dir, name, image } => {
                let docker = self.client();
                tokio::spawn(async move {
                    // The container port from the image's EXPOSE, when the engine knows the image.
                    let port = match docker {
                        Some(docker) => docker::first_exposed_tcp_port(&docker, &image).await,
                        None => None,
                    };
                    let written = scaffold::write_deployment(&dir, &name, &image, port);
                    let _ = tx.send(Event::Scaffolded(written));
                });
            }
            Command::ExportHistory {
                path,
                text,
                replace,
            } => {
                tokio::task::spawn_blocking(move || {
                    let written = scaffold::write_script(&path, &text, replace)
                        .map(|p| p.display().to_string());
                    let _ = tx.send(Event::Exported(written));
                });
            }
            Command::ScaffoldDockerfile { dir } => {
                let _ = tx.send(Event::Scaffolded(scaffold::write_dockerfile(&dir)));
            }
            Command::OpenUrl(url) => {
                tokio::task::spawn_blocking(move || {
                    // webbrowser honours $BROWSER before the desktop's default.
                    if let Err(err) = webbrowser::open(&url) {
                        let _ =
                            tx.send(Event::EffectFailed(format!("Could not open {url}: {err}")));
                    }
                });
            }
            Command::InspectImage(reference) => {
                if let Some(docker) = self.client() {
                    tokio::spawn(docker::exposed_ports(docker, reference, tx));
                }
            }
            Command::WatchStats(target) => {
                if let Some(task) = self.stats.take() {
                    task.abort();
                }
                if let (Some(id), Some(docker)) = (target, self.client()) {
                    self.stats = Some(tokio::spawn(docker::watch_stats(docker, id, tx)));
                }
            }
            Command::FollowLogs(target) => {
                if let Some(task) = self.logs.take() {
                    task.abort();
                }
                if let Some(id) = target {
                    match self.client() {
                        Some(docker) => {
                            self.logs = Some(tokio::spawn(docker::follow_logs(docker, id, tx)))
                        }
                        None => {
                            let reason = Some("the Docker engine is not connected".to_string());
                            let _ = tx.send(Event::LogsEnded { key: id, reason });
                        }
                    }
                }
            }
            Command::Build { job, spec } => {
                // The context is relative to where pilothouse was started, as `docker build .` is.
                let spec = crate::app::command::BuildSpec {
                    context: self.cwd.join(&spec.context),
                    ..spec
                };
                if let Some(docker) = self.client() {
                    let task = tokio::spawn(docker::build(docker, job, spec, tx));
                    self.track(job, task);
                } else {
                    self.with_engine(job, |_| tokio::spawn(async {}));
                }
            }
            Command::CancelJob(job) => match self.cancellable.remove(&job) {
                Some(task) if !task.is_finished() => {
                    task.abort();
                    finish_job(
                        &tx,
                        job,
                        Err("cancelled; its process was ended".to_string()),
                    );
                }
                _ => {}
            },
            Command::Run { job, spec } => self.with_engine(job, |docker| {
                tokio::spawn(docker::run(docker, job, spec, tx))
            }),
            Command::Container { job, id, op, .. } => self.with_engine(job, |docker| {
                tokio::spawn(docker::container_op(docker, job, id, op, tx))
            }),
            Command::RemoveImage { job, reference } => self.with_engine(job, |docker| {
                tokio::spawn(docker::remove_image(docker, job, reference, tx))
            }),
            Command::FollowPodLogs {
                namespace,
                name,
                container,
                previous,
            } => {
                if let Some(task) = self.logs.take() {
                    task.abort();
                }
                let client = self.kube.borrow().clone();
                let source = kube::PodLogs {
                    namespace,
                    name,
                    container,
                    previous,
                };
                self.logs = Some(tokio::spawn(kube::follow_logs(client, source, tx)));
            }
            Command::Expose { job, spec } => self.with_cluster(job, |client| {
                tokio::spawn(kube::expose(client, job, spec, tx))
            }),
            Command::CheckManifest { path } => {
                let client = self.kube.borrow().clone();
                tokio::spawn(apply::check(client, self.cwd.clone(), path, tx));
            }
            Command::Apply {
                job,
                path,
                documents,
                force,
            } => self.with_cluster(job, |client| {
                tokio::spawn(apply::apply(client, job, path, documents, force, tx))
            }),
            Command::ShowYaml {
                kind,
                namespace,
                name,
            } => {
                let client = self.kube.borrow().clone();
                tokio::spawn(kube::yaml(client, kind, namespace, name, tx));
            }
            Command::Scale {
                job,
                namespace,
                name,
                replicas,
            } => {
                // Scales run one after another: two quick + must not reach the server in the wrong order.
                let lane = self.scale_lane.get_or_insert_with(|| {
                    let (lane_tx, mut lane_rx) = tokio::sync::mpsc::unbounded_channel::<Queued>();
                    tokio::spawn(async move {
                        while let Some(job) = lane_rx.recv().await {
                            job.await;
                        }
                    });
                    lane_tx
                });
                match self.kube.borrow().clone() {
                    Some(client) => {
                        let _ = lane.send(Box::pin(kube::scale(
                            client, job, namespace, name, replicas, tx,
                        )));
                    }
                    None => self.with_cluster(job, |_| tokio::spawn(async {})),
                }
            }
            Command::ProbeMinikube { context } => {
                let program = self.minikube.clone();
                tokio::spawn(async move {
                    let state = crate::sources::minikube::probe(&program, context.as_deref()).await;
                    let _ = tx.send(Event::Minikube(MinikubeEvent::State(state)));
                });
            }
            Command::Minikube {
                job,
                profile,
                op: MinikubeOp::Dashboard,
            } => {
                let keeper = self.keeper();
                tokio::spawn(minikube::dashboard(
                    self.minikube.clone(),
                    job,
                    profile,
                    keeper,
                    tx,
                ));
            }
            Command::Minikube { job, profile, op } => {
                let task = tokio::spawn(minikube::start_or_stop(
                    self.minikube.clone(),
                    job,
                    profile,
                    op,
                    tx,
                ));
                self.track(job, task);
            }
            Command::MinikubeServiceUrl {
                profile,
                namespace,
                service,
            } => {
                let keeper = self.keeper();
                tokio::spawn(minikube::service_url(
                    self.minikube.clone(),
                    profile,
                    namespace,
                    service,
                    keeper,
                    tx,
                ));
            }
            Command::MinikubeDockerEnv { profile } => {
                let program = self.minikube.clone();
                tokio::spawn(async move {
                    let result = crate::sources::minikube::docker_env(&program, &profile).await;
                    let _ = tx.send(Event::Minikube(MinikubeEvent::DockerEnv(result)));
                });
            }
            Command::SwitchKube(target) => match &self.kube_switch {
                Some(switch) => {
                    switch.send_replace(target);
                }
                None => {
                    let _ = tx.send(Event::EffectFailed(
                        "This cockpit cannot switch contexts.".to_string(),
                    ));
                }
            },
            Command::UseDockerEngine(engine) => match &self.docker_switch {
                Some(switch) => {
                    switch.send_replace(engine);
                }
                None => {
                    let _ = tx.send(Event::EffectFailed(
                        "This Docker side cannot switch engines.".to_string(),
                    ));
                }
            },
            Command::RolloutRestart {
                job,
                namespace,
                name,
            } => self.with_cluster(job, |client| {
                tokio::spawn(kube::rollout_restart(client, job, namespace, name, tx))
            }),
            Command::DeleteObject {
                job,
                kind,
                namespace,
                name,
            } => self.with_cluster(job, |client| {
                tokio::spawn(kube::delete(client, job, kind, namespace, name, tx))
            }),
        }
    }

    /// Run a job against the cluster, or fail it at once with the reason.
    fn with_cluster(&self, job: u64, start: impl FnOnce(::kube::Client) -> JoinHandle<()>) {
        let client = self.kube.borrow().clone();
        match client {
            Some(client) => {
                start(client);
            }
            None => {
                let error = "the cluster is not connected; it reconnects by itself, try again then"
                    .to_string();
                let _ = self.tx.send(Event::Job {
                    id: job,
                    update: JobUpdate::Finished(Err(error)),
                });
            }
        }
    }

    /// Run a job against the engine, or fail it at once with the reason.
    fn with_engine(&self, job: u64, start: impl FnOnce(Docker) -> JoinHandle<()>) {
        match self.client() {
            Some(docker) => {
                start(docker);
            }
            None => {
                let error =
                    "the Docker engine is not connected; it reconnects by itself, try again then"
                        .to_string();
                let _ = self.tx.send(Event::Job {
                    id: job,
                    update: JobUpdate::Finished(Err(error)),
                });
            }
        }
    }
}
