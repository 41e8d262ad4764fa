//! What the exec feature keeps: the configured shell, the exec form's target.

use crate::domain::exec::ExecTarget;

/// What the exec feature keeps between a key and what comes of it.
#[derive(Debug, Clone, Default)]
pub struct ExecState {
    /// The shell set in the config; empty: `bash` where it exists, else `sh`.
    pub shell: String,
    /// The target the open exec form runs in.
    pub form_target: Option<ExecTarget>,
    /// What `:exec CMD` typed, for the command field when it opens.
    pub prefill: Option<String>,
}

/// Shell or one-off command: what a container picker leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inside {
    Shell,
    Command,
}
