//! Port-forwards: a task each (`run.rs`), the pod each reaches
//! (`resolve.rs`), a free local port for the form, and `[[forward]]` of
//! `pilothouse.toml` read and written (`kept.rs`).

mod kept;
pub mod resolve;
pub mod run;

use super::shared::Shared;
use crate::app::core::command::Command;
use crate::app::core::event::{Event, ForwardEvent};
use crate::domain::forward::{ForwardId, LOCAL_ADDRESS};
use std::collections::HashMap;
use tokio::task::JoinHandle;

/// How far up from the wanted port a free one is looked for.
const PROPOSE_SPAN: u16 = 100;

#[derive(Default)]
pub struct ForwardEffects {
    running: HashMap<ForwardId, JoinHandle<()>>,
}

impl Drop for ForwardEffects {
    fn drop(&mut self) {
        for (_, task) in self.running.drain() {
            task.abort();
        }
    }
}

impl ForwardEffects {
    pub fn perform(&mut self, command: Command, shared: &mut Shared) {
        let tx = shared.tx.clone();
        self.running.retain(|_, task| !task.is_finished());
        match command {
            Command::ProposeLocalPort(wanted) => {
                // Up to a hundred binds: off the loop's thread.
                tokio::task::spawn_blocking(move || {
                    let free = free_port_from(wanted);
                    let _ = tx.send(Event::Forward(ForwardEvent::Proposed { wanted, free }));
                });
            }
            Command::StartForward { id, spec, kept } => {
                let task = tokio::spawn(run::run(id, spec, kept, shared.kube_watch(), tx));
                self.running.insert(id, task);
            }
            Command::StopForward(id) => {
                if let Some(task) = self.running.remove(&id) {
                    task.abort();
                }
            }
            Command::LoadKeptForwards => {
                let dir = shared.cwd.clone();
                tokio::task::spawn_blocking(move || {
                    let kept = kept::load(&dir);
                    let _ = tx.send(Event::Forward(ForwardEvent::Kept(kept)));
                });
            }
            Command::KeepForwards(list) => {
                let dir = shared.cwd.clone();
                tokio::task::spawn_blocking(move || {
                    let saved = kept::save(&dir, list);
                    let _ = tx.send(Event::Forward(ForwardEvent::Saved(saved)));
                });
            }
            other => super::shared::misrouted("forward", &other),
        }
    }
}

/// The wanted port if it is free on 127.0.0.1, else the next free one above it.
/// (A bind that is dropped at once: the forward binds it again when it starts,
/// and says so at the form's field if something took it meanwhile.)
pub fn free_port_from(wanted: u16) -> Option<u16> {
    (0..PROPOSE_SPAN)
        .filter_map(|step| wanted.checked_add(step))
        .find(|port| std::net::TcpListener::bind((LOCAL_ADDRESS, *port)).is_ok())
}
