//! The one model, owned by the event loop and changed only by `update`: a
//! composition of the features' states and the shared context.

use crate::app::core::command::JobId;
pub use crate::app::core::jobs::{JOB_OUTPUT_CAPACITY, Job, JobState, MAX_JOBS, push_bounded};
use crate::app::core::keymap::Keymap;
pub use crate::app::core::overlay::{
    Confirm, Level, Overlay, PickItem, PickPurpose, Picker, Status, YamlView,
};
pub use crate::app::core::pane::Pane;
use crate::app::core::table::TableState;
pub use crate::app::docker::state::{
    DockerState, LOG_CAPACITY, LogView, PodLogSource, STATS_CAPACITY, StatsView,
};
use crate::app::learn::history::HistoryEntry;
use crate::domain::{Connection, ContainerRow, EndpointLabel, ImageRow};
use crate::theme::Themes;
use std::path::PathBuf;
use std::time::SystemTime;
use tui_input::Input;

#[derive(Debug, Clone)]
pub struct Model {
    pub now: SystemTime,
    pub readonly: bool,
    /// Running against the built-in simulated cluster.
    pub demo: bool,
    pub cwd: PathBuf,
    pub keymap: Keymap,
    pub pane: Pane,
    pub docker: DockerState,
    pub kube: crate::app::kube::state::KubeState,
    pub minikube: crate::app::kube::minikube::MinikubeModel,
    pub cloud: crate::app::cloud::deploy::CloudModel,
    pub containers_table: TableState,
    pub images_table: TableState,
    pub jobs_table: TableState,
    pub jobs: Vec<Job>,
    pub next_job: JobId,
    pub logs: LogView,
    pub stats: StatsView,
    pub overlay: Overlay,
    /// The `/` input while it is open, for the current pane.
    pub filter_input: Option<Input>,
    /// The `:` command line while it is open.
    pub command_input: Option<Input>,
    pub status: Option<Status>,
    /// The learn line of the last action, shown until the next one.
    pub learn: Option<String>,
    /// Learn mode: every action shows its command line and waits for a yes first.
    pub learn_mode: bool,
    /// Every action performed, oldest first (bounded).
    pub history: Vec<HistoryEntry>,
    pub history_table: TableState,
    /// `:` commands entered, oldest first, for up/down in the command line.
    pub command_history: Vec<String>,
    /// Where up/down is in `command_history` while the command line is open.
    pub command_history_at: Option<usize>,
    pub themes: Themes,
    /// Clicks and the wheel are taken (mouse capture on).
    pub mouse: bool,
    /// The terminal's size, for mapping a click to what is under it.
    pub size: (u16, u16),
    pub tour: crate::app::learn::tour::Tour,
    pub dirty: bool,
    pub quit: bool,
}

impl Model {
    pub fn new(cwd: PathBuf, readonly: bool, now: SystemTime) -> Self {
        Self {
            now,
            readonly,
            demo: false,
            cwd,
            keymap: Keymap::default_map(),
            pane: Pane::Containers,
            kube: crate::app::kube::state::KubeState::default(),
            minikube: crate::app::kube::minikube::MinikubeModel::default(),
            cloud: crate::app::cloud::deploy::CloudModel::default(),
            docker: DockerState {
                endpoint: EndpointLabel {
                    host: String::new(),
                    origin: String::new(),
                },
                connection: Connection::Connecting,
                containers: Vec::new(),
                images: Vec::new(),
                show_all: false,
            },
            containers_table: TableState::default(),
            images_table: TableState::default(),
            jobs_table: TableState::default(),
            jobs: Vec::new(),
            next_job: 1,
            logs: LogView {
                follow: true,
                ..Default::default()
            },
            stats: StatsView::default(),
            overlay: Overlay::None,
            filter_input: None,
            command_input: None,
            status: None,
            learn: None,
            learn_mode: false,
            history: Vec::new(),
            history_table: TableState::default(),
            command_history: Vec::new(),
            command_history_at: None,
            themes: Themes::default(),
            mouse: false,
            size: (80, 24),
            tour: crate::app::learn::tour::Tour::default(),
            dirty: true,
            quit: false,
        }
    }

    pub fn selected_container(&self) -> Option<&ContainerRow> {
        self.containers_table.selected_row(&self.docker.containers)
    }

    pub fn selected_image(&self) -> Option<&ImageRow> {
        self.images_table.selected_row(&self.docker.images)
    }

    pub fn theme(&self) -> &crate::theme::Theme {
        self.themes.current()
    }

    pub fn selected_job(&self) -> Option<&Job> {
        self.jobs_table.selected_row(&self.jobs)
    }

    pub fn table_mut(&mut self, pane: Pane) -> Option<&mut TableState> {
        match pane {
            Pane::Containers => Some(&mut self.containers_table),
            Pane::Images => Some(&mut self.images_table),
            Pane::Jobs => Some(&mut self.jobs_table),
            Pane::Logs => None,
            Pane::Cloud => Some(&mut self.cloud.table),
            Pane::History => Some(&mut self.history_table),
            kube => self.kube.table_mut(kube),
        }
    }

    /// The table of a pane, if it has one.
    pub fn table(&self, pane: Pane) -> Option<&TableState> {
        match pane {
            Pane::Containers => Some(&self.containers_table),
            Pane::Images => Some(&self.images_table),
            Pane::Jobs => Some(&self.jobs_table),
            Pane::Logs => None,
            Pane::Cloud => Some(&self.cloud.table),
            Pane::History => Some(&self.history_table),
            kube => self.kube.table(kube),
        }
    }

    /// The filter text of a pane (the log search for Logs).
    pub fn filter_of(&self, pane: Pane) -> &str {
        match pane {
            Pane::Logs => &self.logs.search,
            table => self.table(table).map_or("", |t| t.filter.as_str()),
        }
    }

    pub fn rebuild_view(&mut self, pane: Pane) {
        match pane {
            Pane::Containers => {
                let show_all = self.docker.show_all;
                self.containers_table.rebuild(&self.docker.containers, |c| {
                    show_all || c.state.is_running()
                });
            }
            Pane::Images => self.images_table.rebuild(&self.docker.images, |_| true),
            Pane::Jobs => self.jobs_table.rebuild(&self.jobs, |_| true),
            Pane::Logs => {}
            Pane::Cloud => self.cloud.table.rebuild(&self.cloud.services, |_| true),
            Pane::History => self.history_table.rebuild(&self.history, |_| true),
            kube => self.kube.rebuild(kube),
        }
    }

    pub fn job_mut(&mut self, id: JobId) -> Option<&mut Job> {
        self.jobs.iter_mut().find(|j| j.id == id)
    }

    pub fn set_status(&mut self, level: Level, text: impl Into<String>) {
        self.status = Some(Status {
            level,
            text: text.into(),
        });
    }
}
