//! The Docker family: builds, runs, container operations, image removal, the
//! stats stream and a container's log stream, against the engine the Docker
//! source is connected to; and switching that source to another engine.

pub mod build;
pub mod build_context;
pub mod build_stream;
pub mod buildkit_trace;
pub mod engine;
pub mod engine_http;

use super::shared::Shared;
use crate::app::core::command::{BuildSpec, Command};
use crate::app::core::event::Event;
use crate::domain::minikube::MinikubeDockerEnv;
use tokio::sync::watch;
use tokio::task::JoinHandle;

#[derive(Default)]
pub struct DockerEffects {
    /// At most one stats stream, for the selected container.
    stats: Option<JoinHandle<()>>,
    /// Tells the Docker source which engine to use (minikube's or its own).
    pub switch: Option<watch::Sender<Option<MinikubeDockerEnv>>>,
}

impl DockerEffects {
    pub fn perform(&mut self, command: Command, shared: &mut Shared) {
        let tx = shared.tx.clone();
        match command {
            Command::CheckBuildContext(spec) => {
                // The context and the Dockerfile are looked at on the blocking pool, never on the loop.
                let cwd = shared.cwd.clone();
                tokio::task::spawn_blocking(move || {
                    let checked = build::check_build_context(spec, &cwd);
                    let _ = tx.send(Event::BuildContextChecked(checked));
                });
            }
            Command::InspectImage(reference) => {
                if let Some(docker) = shared.docker() {
                    tokio::spawn(engine::exposed_ports(docker, reference, tx));
                }
            }
            Command::WatchStats(target) => {
                if let Some(task) = self.stats.take() {
                    task.abort();
                }
                if let (Some(id), Some(docker)) = (target, shared.docker()) {
                    self.stats = Some(tokio::spawn(engine::watch_stats(docker, id, tx)));
                }
            }
            Command::FollowLogs(target) => {
                let task = match (target, shared.docker()) {
                    (Some(id), Some(docker)) => {
                        Some(tokio::spawn(engine::follow_logs(docker, id, tx)))
                    }
                    (Some(id), None) => {
                        let reason = Some("the Docker engine is not connected".to_string());
                        let _ = tx.send(Event::LogsEnded { key: id, reason });
                        None
                    }
                    (None, _) => None,
                };
                shared.follow_logs(task);
            }
            Command::Build { job, spec } => {
                // The context is relative to where pilothouse was started, as `docker build .` is.
                let spec = BuildSpec {
                    context: shared.cwd.join(&spec.context),
                    ..spec
                };
                match shared.engine() {
                    Some(engine) => {
                        let task = tokio::spawn(build::build(engine, job, spec, tx));
                        shared.track(job, task);
                    }
                    None => shared.engine_missing(job),
                }
            }
            Command::Run { job, spec } => shared.with_engine(job, |docker| {
                tokio::spawn(engine::run(docker, job, spec, tx))
            }),
            Command::Container { job, id, op, .. } => shared.with_engine(job, |docker| {
                tokio::spawn(engine::container_op(docker, job, id, op, tx))
            }),
            Command::RemoveImage { job, reference } => shared.with_engine(job, |docker| {
                tokio::spawn(engine::remove_image(docker, job, reference, tx))
            }),
            Command::UseDockerEngine(engine) => match &self.switch {
                Some(switch) => {
                    switch.send_replace(engine);
                }
                None => shared.failed("This Docker side cannot switch engines."),
            },
            other => super::shared::misrouted("docker", &other),
        }
    }
}
