//! The one model, owned by the event loop and changed only by `update`: a
//! composition of the features' states and the shared context.

use crate::app::cloud::state::CloudModel;
use crate::app::core::command::JobId;
pub use crate::app::core::jobs::{
    JOB_OUTPUT_CAPACITY, Job, JobState, Jobs, MAX_JOBS, push_bounded,
};
use crate::app::core::keymap::Keymap;
pub use crate::app::core::overlay::{
    Confirm, Level, Overlay, PickItem, PickPurpose, Picker, Status, YamlView,
};
pub use crate::app::core::pane::Pane;
pub use crate::app::core::shared::Shared;
use crate::app::core::table::TableState;
use crate::app::dev::state::DevState;
pub use crate::app::docker::state::{
    DockerState, LOG_CAPACITY, LogView, PodLogSource, STATS_CAPACITY, StatsView,
};
use crate::app::kube::minikube_state::MinikubeModel;
use crate::app::kube::state::KubeState;
use crate::app::learn::history::History;
use crate::app::learn::tour_steps::Tour;
use crate::domain::{ContainerRow, ImageRow};
use crate::theme::Themes;
use std::path::PathBuf;
use std::time::SystemTime;
use tui_input::Input;

/// What the screen is and how input reaches it: the keys, the themes, the
/// `/` and `:` lines, the mouse, the terminal's size.
#[derive(Debug, Clone)]
pub struct View {
    pub keymap: Keymap,
    pub themes: Themes,
    /// The `/` input while it is open, for the current pane.
    pub filter_input: Option<Input>,
    /// The `:` command line while it is open.
    pub command_input: Option<Input>,
    /// `:` commands entered, oldest first, for up/down in the command line.
    pub command_history: Vec<String>,
    /// Where up/down is in `command_history` while the command line is open.
    pub command_history_at: Option<usize>,
    /// Clicks and the wheel are taken (mouse capture on).
    pub mouse: bool,
    /// The terminal's size, for mapping a click to what is under it.
    pub size: (u16, u16),
    pub quit: bool,
}

impl Default for View {
    fn default() -> Self {
        Self {
            keymap: Keymap::default_map(),
            themes: Themes::default(),
            filter_input: None,
            command_input: None,
            command_history: Vec::new(),
            command_history_at: None,
            mouse: false,
            size: (80, 24),
            quit: false,
        }
    }
}

/// The one model: the shared context and each feature's state.
#[derive(Debug, Clone)]
pub struct Model {
    pub shared: Shared,
    pub docker: DockerState,
    pub dev: DevState,
    pub exec: crate::app::exec::state::ExecState,
    pub forwards: crate::app::forwards::state::ForwardsState,
    pub kube: KubeState,
    pub minikube: MinikubeModel,
    pub cloud: CloudModel,
    pub jobs: Jobs,
    pub history: History,
    pub tour: Tour,
    pub view: View,
}

impl Model {
    pub fn new(cwd: PathBuf, readonly: bool, now: SystemTime) -> Self {
        Self {
            shared: Shared::new(cwd, readonly, now),
            docker: DockerState::default(),
            dev: DevState::default(),
            exec: Default::default(),
            forwards: Default::default(),
            kube: KubeState::default(),
            minikube: MinikubeModel::default(),
            cloud: CloudModel::default(),
            jobs: Jobs::default(),
            history: History::default(),
            tour: Tour::default(),
            view: View::default(),
        }
    }

    pub fn selected_container(&self) -> Option<&ContainerRow> {
        self.docker.selected_container()
    }

    pub fn selected_image(&self) -> Option<&ImageRow> {
        self.docker.selected_image()
    }

    pub fn theme(&self) -> &crate::theme::Theme {
        self.view.themes.current()
    }

    pub fn selected_job(&self) -> Option<&Job> {
        self.jobs.table.selected_row(&self.jobs.list)
    }

    pub fn table_mut(&mut self, pane: Pane) -> Option<&mut TableState> {
        match pane {
            Pane::Containers => Some(&mut self.docker.containers_table),
            Pane::Images => Some(&mut self.docker.images_table),
            Pane::Jobs => Some(&mut self.jobs.table),
            Pane::Logs => None,
            Pane::Cloud => Some(self.cloud.table_mut()),
            Pane::History => Some(&mut self.history.table),
            Pane::Forwards => Some(&mut self.forwards.table),
            kube => self.kube.table_mut(kube),
        }
    }

    /// The table of a pane, if it has one.
    pub fn table(&self, pane: Pane) -> Option<&TableState> {
        match pane {
            Pane::Containers => Some(&self.docker.containers_table),
            Pane::Images => Some(&self.docker.images_table),
            Pane::Jobs => Some(&self.jobs.table),
            Pane::Logs => None,
            Pane::Cloud => Some(self.cloud.table()),
            Pane::History => Some(&self.history.table),
            Pane::Forwards => Some(&self.forwards.table),
            kube => self.kube.table(kube),
        }
    }

    /// The filter text of a pane (the log search for Logs).
    pub fn filter_of(&self, pane: Pane) -> &str {
        match pane {
            Pane::Logs => &self.docker.logs.search,
            table => self.table(table).map_or("", |t| t.filter.as_str()),
        }
    }

    pub fn rebuild_view(&mut self, pane: Pane) {
        match pane {
            Pane::Containers => self.docker.rebuild_containers(),
            Pane::Images => self
                .docker
                .images_table
                .rebuild(&self.docker.images, |_| true),
            Pane::Jobs => self.jobs.table.rebuild(&self.jobs.list, |_| true),
            Pane::Logs => {}
            Pane::Cloud => self.cloud.rebuild(),
            Pane::History => self.history.table.rebuild(&self.history.entries, |_| true),
            Pane::Forwards => self.forwards.rebuild(),
            kube => self.kube.rebuild(kube),
        }
    }

    pub fn job_mut(&mut self, id: JobId) -> Option<&mut Job> {
        self.jobs.list.iter_mut().find(|j| j.id == id)
    }

    pub fn set_status(&mut self, level: Level, text: impl Into<String>) {
        self.shared.set_status(level, text);
    }

    /// Whether the cockpit's engine is the cluster's own, which changes how a missing image is fixed.
    pub fn engines(&self) -> crate::app::kube::diagnose::Engines {
        crate::app::kube::diagnose::Engines {
            // The demo's cluster runs on the cockpit's own (simulated) engine.
            cluster_engine_in_use: self.minikube.docker_env.is_some() || self.shared.demo,
        }
    }
}
