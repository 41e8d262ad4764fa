//! The dev family: the watch over the app's files, and the cycles that
//! rebuild (or sync) and replace what runs the app's image.

pub mod containers;
pub mod cycle;
pub mod deployments;
pub mod watch;

use super::shared::{Shared, misrouted};
use crate::app::core::command::Command;
use tokio::task::JoinHandle;

#[derive(Default)]
pub struct DevEffects {
    /// At most one watch; aborting it drops the watcher and its inotify watches.
    watch: Option<JoinHandle<()>>,
}

impl Drop for DevEffects {
    fn drop(&mut self) {
        if let Some(task) = self.watch.take() {
            task.abort();
        }
    }
}

impl DevEffects {
    pub fn perform(&mut self, command: Command, shared: &mut Shared) {
        match command {
            Command::Watch(spec) => {
                if let Some(task) = self.watch.take() {
                    task.abort();
                }
                if let Some(spec) = spec {
                    self.watch = Some(tokio::spawn(watch::watch(spec, shared.tx.clone())));
                }
            }
            Command::DevCycle { job, plan } => {
                let cycle = cycle::Cycle {
                    job,
                    plan,
                    engine: shared.engine(),
                    kube: shared.kube(),
                    cwd: shared.cwd.clone(),
                    tx: shared.tx.clone(),
                };
                shared.track(job, tokio::spawn(cycle.run()));
            }
            other => misrouted("dev", &other),
        }
    }
}
