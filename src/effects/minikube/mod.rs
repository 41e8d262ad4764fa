//! The minikube family: the status probe, start and stop (cancellable jobs),
//! the dashboard and `minikube service --url` (their processes kept while
//! their URLs are in use), and `docker-env`.

pub mod cli;

use super::shared::Shared;
use crate::app::core::command::Command;
use crate::app::core::event::{Event, MinikubeEvent};
use crate::domain::minikube::MinikubeOp;
use std::ffi::OsString;

pub struct MinikubeEffects {
    /// The `minikube` program (a test points this at its stand-in).
    pub program: OsString,
    /// Holds `minikube service`/`dashboard` processes while their URLs are in use.
    keeper: Option<cli::Keeper>,
}

impl Default for MinikubeEffects {
    fn default() -> Self {
        Self {
            program: "minikube".into(),
            keeper: None,
        }
    }
}

impl MinikubeEffects {
    fn keeper(&mut self) -> cli::Keeper {
        self.keeper.get_or_insert_with(cli::keeper).clone()
    }

    pub fn perform(&mut self, command: Command, shared: &mut Shared) {
        let tx = shared.tx.clone();
        let program = self.program.clone();
        match command {
            Command::ProbeMinikube { context } => {
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
                let task = tokio::spawn(cli::dashboard(program, job, profile, keeper, tx));
                shared.track(job, task);
            }
            Command::Minikube { job, profile, op } => {
                let task = tokio::spawn(cli::start_or_stop(program, job, profile, op, tx));
                shared.track(job, task);
            }
            Command::MinikubeServiceUrl {
                profile,
                namespace,
                service,
            } => {
                let keeper = self.keeper();
                tokio::spawn(cli::service_url(
                    program, profile, namespace, service, keeper, tx,
                ));
            }
            Command::MinikubeDockerEnv { profile } => {
                tokio::spawn(async move {
                    let result = crate::sources::minikube::docker_env(&program, &profile).await;
                    let _ = tx.send(Event::Minikube(MinikubeEvent::DockerEnv(result)));
                });
            }
            other => super::shared::misrouted("minikube", &other),
        }
    }
}
