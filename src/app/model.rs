//! The one model, owned by the event loop and changed only by `update`.

use super::command::{Command, JobId};
use super::forms::Form;
use super::history::HistoryEntry;
use super::keymap::{Context, Keymap};
use super::table::TableState;
use crate::domain::{Connection, ContainerRow, EndpointLabel, ImageRow, StatsSample};
use crate::theme::Themes;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};
use tui_input::Input;

pub const LOG_CAPACITY: usize = 5_000;
pub const JOB_OUTPUT_CAPACITY: usize = 2_000;
pub const STATS_CAPACITY: usize = 120;
pub const MAX_JOBS: usize = 200;

/// A ring buffer push: the oldest entry goes when the buffer is full, so memory stays flat.
pub fn push_bounded<T>(buffer: &mut VecDeque<T>, item: T, capacity: usize) {
    if buffer.len() >= capacity {
        buffer.pop_front();
    }
    buffer.push_back(item);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Containers,
    Images,
    Jobs,
    Logs,
    Deployments,
    Pods,
    Services,
    Events,
    Cloud,
    History,
}

impl Pane {
    pub const ALL: [Pane; 10] = [
        Pane::Containers,
        Pane::Images,
        Pane::Jobs,
        Pane::Logs,
        Pane::Deployments,
        Pane::Pods,
        Pane::Services,
        Pane::Events,
        Pane::Cloud,
        Pane::History,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Self::Containers => "Containers",
            Self::Images => "Images",
            Self::Jobs => "Jobs",
            Self::Logs => "Logs",
            Self::Deployments => "Deployments",
            Self::Pods => "Pods",
            Self::Services => "Services",
            Self::Events => "Events",
            Self::Cloud => "Cloud Run",
            Self::History => "History",
        }
    }

    pub fn context(self) -> Context {
        match self {
            Self::Containers => Context::Containers,
            Self::Images => Context::Images,
            Self::Jobs => Context::Jobs,
            Self::Logs => Context::Logs,
            Self::Deployments => Context::Deployments,
            Self::Pods => Context::Pods,
            Self::Services => Context::Services,
            Self::Events => Context::Events,
            Self::Cloud => Context::Cloud,
            Self::History => Context::History,
        }
    }

    pub fn is_kube(self) -> bool {
        matches!(
            self,
            Self::Deployments | Self::Pods | Self::Services | Self::Events
        )
    }

    pub fn index(self) -> usize {
        Self::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum JobState {
    Running,
    Succeeded(String),
    Failed(String),
}

#[derive(Debug, Clone)]
pub struct Job {
    pub id: JobId,
    pub title: String,
    pub learn: String,
    pub state: JobState,
    pub started: SystemTime,
    pub finished: Option<SystemTime>,
    pub output: VecDeque<String>,
    pub step: Option<(u32, u32)>,
}

impl Job {
    pub fn elapsed(&self, now: SystemTime) -> Duration {
        self.finished
            .unwrap_or(now)
            .duration_since(self.started)
            .unwrap_or_default()
    }

    pub fn push_output(&mut self, line: String) {
        push_bounded(&mut self.output, line, JOB_OUTPUT_CAPACITY);
    }
}

#[derive(Debug, Clone, Default)]
pub struct LogView {
    pub container_id: Option<String>,
    /// When the stream is a pod's: namespace, pod, container, and whether it shows the previous container.
    pub pod: Option<PodLogSource>,
    pub container_name: String,
    pub lines: VecDeque<String>,
    pub follow: bool,
    /// Lines from the bottom when not following.
    pub scroll_back: usize,
    pub search: String,
    pub ended: Option<String>,
}

impl LogView {
    pub fn push(&mut self, line: String) {
        push_bounded(&mut self.lines, line, LOG_CAPACITY);
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodLogSource {
    pub namespace: String,
    pub name: String,
    pub container: Option<String>,
    pub previous: bool,
}

#[derive(Debug, Clone, Default)]
pub struct StatsView {
    pub container_id: Option<String>,
    pub cpu: VecDeque<u64>,
    pub memory: VecDeque<u64>,
    pub last: Option<StatsSample>,
}

#[derive(Debug, Clone)]
pub struct Confirm {
    pub message: String,
    pub on_yes: Command,
}

#[derive(Debug, Clone, Default)]
pub enum Overlay {
    #[default]
    None,
    Help,
    Form(Form),
    Confirm(Confirm),
    /// `y`: the YAML of an object, scrollable.
    Yaml(YamlView),
    /// A list to choose from: the minikube menu, contexts, namespaces, a pod's containers.
    Pick(Picker),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Picker {
    pub title: String,
    pub items: Vec<PickItem>,
    pub selected: usize,
    pub purpose: PickPurpose,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PickItem {
    pub label: String,
    /// Shown muted beside the label: the command line, the current marker.
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PickPurpose {
    Minikube {
        profile: String,
    },
    Context,
    Namespace,
    /// Which container's logs to follow.
    PodContainer {
        namespace: String,
        pod: String,
    },
}

impl Overlay {
    /// The YAML view, if that is what is open.
    pub fn clone_yaml(&self) -> Option<YamlView> {
        match self {
            Self::Yaml(view) => Some(view.clone()),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct YamlView {
    /// `deployment/cookbook-recipe -n default`
    pub title: String,
    /// None while it loads.
    pub lines: Option<Vec<String>>,
    pub scroll: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub level: Level,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct DockerState {
    pub endpoint: EndpointLabel,
    pub connection: Connection,
    pub containers: Vec<ContainerRow>,
    pub images: Vec<ImageRow>,
    /// `docker ps -a`: stopped containers shown too.
    pub show_all: bool,
}

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
    pub kube: super::kube_state::KubeState,
    pub minikube: super::minikube::MinikubeModel,
    pub cloud: super::cloud::CloudModel,
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
    pub tour: super::tour::Tour,
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
            kube: super::kube_state::KubeState::default(),
            minikube: super::minikube::MinikubeModel::default(),
            cloud: super::cloud::CloudModel::default(),
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
            tour: super::tour::Tour::default(),
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
