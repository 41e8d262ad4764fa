//! The last change and what undoes it, as History keeps it for `z`
//! (worked out and used in `undo.rs`).

use crate::app::core::command::{Command, ContainerOp, JobId};
use crate::domain::forward::ForwardId;
use crate::domain::kube::KubeKind;

/// What undoes the last change, or why nothing can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LastChange {
    Reversible { what: String, inverse: Inverse },
    Irreversible { what: String, why: &'static str },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inverse {
    Scale {
        namespace: String,
        name: String,
        replicas: u32,
    },
    RollBack {
        namespace: String,
        name: String,
        revision: u64,
    },
    DeleteService {
        namespace: String,
        name: String,
    },
    StopForward(ForwardId),
    /// A container by name (docker takes names where it takes ids).
    Container {
        name: String,
        op: ContainerOp,
    },
}

impl Inverse {
    pub fn command(&self, job: JobId) -> Command {
        match self.clone() {
            Self::Scale {
                namespace,
                name,
                replicas,
            } => Command::Scale {
                job,
                namespace,
                name,
                replicas,
            },
            Self::RollBack {
                namespace,
                name,
                revision,
            } => Command::RolloutUndo {
                job,
                namespace,
                name,
                revision,
            },
            Self::DeleteService { namespace, name } => Command::DeleteObject {
                job,
                kind: KubeKind::Service,
                namespace,
                name,
            },
            Self::StopForward(id) => Command::StopForward(id),
            Self::Container { name, op } => Command::Container {
                job,
                id: name.clone(),
                name,
                op,
            },
        }
    }
}
