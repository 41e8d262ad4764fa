//! The Docker half of the model: the engine's endpoint and connection, the
//! containers and images, the followed log stream and the selected
//! container's stats.

use crate::app::core::jobs::push_bounded;
use crate::app::core::table::TableState;
use crate::domain::{Connection, ContainerRow, EndpointLabel, ImageRow, StatsSample};
use std::collections::VecDeque;

pub const LOG_CAPACITY: usize = 5_000;
pub const STATS_CAPACITY: usize = 120;

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
    /// The stream is several pods' (a selector's): each line is `POD │ TEXT`.
    pub many: bool,
    /// In a selector's stream, the one pod shown (`o` cycles through them).
    pub only: Option<String>,
    /// A selector's stream: what it follows and from how far back (`t`).
    pub selector: Option<SelectorLogs>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectorLogs {
    pub namespace: String,
    pub selector: String,
    /// Seconds back the pods' logs start from; None: each pod's last lines.
    pub since: Option<u32>,
}

impl LogView {
    /// Follow a new stream from its start: a container's (by id) or a pod's.
    pub fn show(&mut self, key: String, name: String, pod: Option<PodLogSource>) {
        *self = Self {
            container_id: Some(key),
            pod,
            container_name: name,
            follow: true,
            search: std::mem::take(&mut self.search),
            ..Self::default()
        };
    }

    /// The pods of a selector's stream, in the order their first lines came.
    pub fn pods(&self) -> Vec<&str> {
        let mut pods: Vec<&str> = Vec::new();
        for line in &self.lines {
            if let Some((pod, _)) = line.split_once(POD_SEPARATOR)
                && !pods.contains(&pod)
            {
                pods.push(pod);
            }
        }
        pods
    }

    /// Whether a line is shown under `only`.
    pub fn shows(&self, line: &str) -> bool {
        match &self.only {
            None => true,
            Some(pod) => line
                .split_once(POD_SEPARATOR)
                .is_some_and(|(p, _)| p == pod),
        }
    }

    pub fn push(&mut self, line: String) {
        push_bounded(&mut self.lines, line, LOG_CAPACITY);
    }
}

/// The separator between a pod's name and its line in a selector's stream.
pub const POD_SEPARATOR: &str = " │ ";
/// Lines each pod's log starts with when a selector's stream opens (as `kubectl logs -l` defaults to 10).
pub const SELECTOR_TAIL: i64 = 50;

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
pub struct DockerState {
    pub endpoint: EndpointLabel,
    pub connection: Connection,
    pub containers: Vec<ContainerRow>,
    pub images: Vec<ImageRow>,
    /// `docker ps -a`: stopped containers shown too.
    pub show_all: bool,
    pub containers_table: TableState,
    pub images_table: TableState,
    /// The log stream the Logs pane follows (a container's or a pod's).
    pub logs: LogView,
    /// The selected running container's CPU and memory.
    pub stats: StatsView,
}

impl Default for DockerState {
    fn default() -> Self {
        Self {
            endpoint: EndpointLabel {
                host: String::new(),
                origin: String::new(),
            },
            connection: Connection::Connecting,
            containers: Vec::new(),
            images: Vec::new(),
            show_all: false,
            containers_table: TableState::default(),
            images_table: TableState::default(),
            logs: LogView {
                follow: true,
                ..Default::default()
            },
            stats: StatsView::default(),
        }
    }
}

impl DockerState {
    pub fn selected_container(&self) -> Option<&ContainerRow> {
        self.containers_table.selected_row(&self.containers)
    }

    pub fn selected_image(&self) -> Option<&ImageRow> {
        self.images_table.selected_row(&self.images)
    }

    /// Rebuild the Containers view (all, or the running ones) after a change of rows or of `a`.
    pub fn rebuild_containers(&mut self) {
        let show_all = self.show_all;
        self.containers_table
            .rebuild(&self.containers, |c| show_all || c.state.is_running());
    }
}
