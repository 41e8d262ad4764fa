//! The dev loop's state: whether it watches, its mode, the changes not yet
//! handled, and one row a cycle for the Dev section of the Jobs pane.

use crate::app::core::command::{BuildSpec, JobId};
use crate::app::core::event::DevStage;
use crate::app::dev::settings::DevSettings;
use std::collections::BTreeSet;
use std::time::Duration;

/// Cycles kept for the Dev section; older ones go first.
pub const CYCLES_KEPT: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WatchState {
    #[default]
    Off,
    Watching,
    /// The watch runs, changes are noted, nothing starts until resumed.
    Paused,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CycleResult {
    Running,
    Done(String),
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle {
    pub number: u32,
    pub job: JobId,
    /// The changed files that started it; empty when triggered by hand.
    pub files: Vec<String>,
    /// Planned as a sync (copy, no build).
    pub sync: bool,
    /// How long the debounce held the first change.
    pub seen: Option<Duration>,
    pub stages: Vec<(DevStage, Duration)>,
    pub result: CycleResult,
}

impl Cycle {
    pub fn stage(&self, stage: DevStage) -> Option<Duration> {
        self.stages
            .iter()
            .filter(|(s, _)| *s == stage)
            .map(|(_, took)| *took)
            .reduce(|a, b| a + b)
    }

    /// What started it, for a narrow column: `templates/index.html`, `3 files`, `t`.
    pub fn trigger(&self) -> String {
        match self.files.as_slice() {
            [] => "by hand (t)".to_string(),
            [one] => one.clone(),
            many => format!("{} +{} more", many[0], many.len() - 1),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct DevState {
    pub watch: WatchState,
    /// The whole loop in manual mode: changes are noted, `t` runs a cycle.
    pub manual: bool,
    /// Targets in manual mode (`container/web`, `deployment/NS/NAME`): auto
    /// cycles leave them on their build; `t` updates them.
    pub manual_targets: BTreeSet<String>,
    /// The app's image: the last build started, else the directory's default.
    pub app: Option<BuildSpec>,
    pub settings: DevSettings,
    /// `[dev]` could not be used: why (the loop rebuilds on every change meanwhile).
    pub settings_error: Option<String>,
    /// Changes seen and not yet handled by a cycle.
    pub pending: BTreeSet<String>,
    /// How long the debounce held the first of the pending changes.
    pub pending_held: Option<Duration>,
    /// `t` was pressed while a cycle ran: one more when it ends.
    pub again: bool,
    pub running: Option<JobId>,
    pub cycles: Vec<Cycle>,
    pub next_number: u32,
}

impl DevState {
    pub fn is_on(&self) -> bool {
        self.watch != WatchState::Off
    }

    /// Whether the Dev section is worth its rows on screen.
    pub fn shown(&self) -> bool {
        self.is_on() || !self.cycles.is_empty()
    }

    pub fn cycle_mut(&mut self, job: JobId) -> Option<&mut Cycle> {
        self.cycles.iter_mut().rev().find(|c| c.job == job)
    }

    /// The section's title: `watching · cycle 4 building · cookbook:latest · auto · 2 change(s) noted`.
    pub fn headline(&self) -> String {
        let mut state = match self.watch {
            WatchState::Off => "off".to_string(),
            WatchState::Paused => "paused".to_string(),
            WatchState::Watching => "watching".to_string(),
        };
        if let Some(cycle) = self
            .running
            .and_then(|job| self.cycles.iter().find(|c| c.job == job))
        {
            let doing = if cycle.sync { "syncing" } else { "building" };
            state.push_str(&format!(" · cycle {} {doing}", cycle.number));
        }
        let mut line = match &self.app {
            Some(app) => format!("{state} · {}", app.tag),
            None => state,
        };
        line.push_str(if self.manual {
            " · manual"
        } else {
            " · auto"
        });
        if !self.manual_targets.is_empty() {
            line.push_str(&format!(
                " · {} manual target(s)",
                self.manual_targets.len()
            ));
        }
        if !self.pending.is_empty() {
            line.push_str(&format!(" · {} change(s) noted", self.pending.len()));
        }
        if self.settings_error.is_some() {
            line.push_str(" · [dev] has a problem");
        }
        line
    }
}

/// The key a target goes by in `manual_targets` and in a plan's `skip`.
pub fn container_target(name: &str) -> String {
    format!("container/{name}")
}

pub fn deployment_target(namespace: &str, name: &str) -> String {
    format!("deployment/{namespace}/{name}")
}
