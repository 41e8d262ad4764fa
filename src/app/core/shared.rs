//! The small context every feature's handlers share: the clock, the
//! read-only guard, where the app is, the status line, the overlay, the
//! learn line, the job ids and the pane on screen. A handler takes its own
//! feature's state and this, never the whole model.

use crate::app::core::command::JobId;
use crate::app::core::overlay::{Level, Overlay, Status};
use crate::app::core::pane::Pane;
use std::path::PathBuf;
use std::time::SystemTime;

#[derive(Debug, Clone)]
pub struct Shared {
    pub now: SystemTime,
    pub readonly: bool,
    /// Running against the built-in simulated cluster.
    pub demo: bool,
    pub cwd: PathBuf,
    pub pane: Pane,
    pub overlay: Overlay,
    pub status: Option<Status>,
    /// The learn line of the last action, shown until the next one.
    pub learn: Option<String>,
    /// Learn mode: every action shows its command line and waits for a yes first.
    pub learn_mode: bool,
    /// The id the next job gets.
    pub next_job: JobId,
}

impl Shared {
    pub fn new(cwd: PathBuf, readonly: bool, now: SystemTime) -> Self {
        Self {
            now,
            readonly,
            demo: false,
            cwd,
            pane: Pane::Containers,
            overlay: Overlay::None,
            status: None,
            learn: None,
            learn_mode: false,
            next_job: 1,
        }
    }

    pub fn set_status(&mut self, level: Level, text: impl Into<String>) {
        self.status = Some(Status {
            level,
            text: text.into(),
        });
    }

    /// Ask before `on_yes` runs: the question, with the command's line in the learn line.
    pub fn ask_first(&mut self, message: String, on_yes: crate::app::core::command::Command) {
        self.learn = on_yes.learn_line();
        self.overlay = Overlay::Confirm(crate::app::core::overlay::Confirm { message, on_yes });
    }

    /// A new job id.
    pub fn alloc_job(&mut self) -> JobId {
        let id = self.next_job;
        self.next_job += 1;
        id
    }

    /// Refuse in read-only mode with a sentence; true when refused.
    pub fn refuse_if_readonly(&mut self, what: &str) -> bool {
        if self.readonly {
            self.set_status(
                Level::Warn,
                format!("Read-only mode: {what} refused (pilothouse was started with --readonly)."),
            );
        }
        self.readonly
    }
}
