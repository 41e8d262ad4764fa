//! The Kubernetes half of the model: connection, rows, and how `update`
//! applies what the kube source reports.

use crate::app::core::keyed::KeyedRows;
use crate::app::core::pane::Pane;
use crate::app::core::table::{TableRow, TableState};
use crate::domain::kube::{
    ClusterInfo, DeploymentRow, EventRow, KubeKind, KubeTarget, PodRow, ReplicaSetRow, ServiceRow,
};
use std::cmp::Ordering;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub enum KubeConnection {
    Connecting,
    /// No cluster configured: nothing is wrong, there is just nothing to show.
    Unavailable(String),
    /// The API server refused the kubeconfig user's credentials (401): why, naming the user.
    Rejected(String),
    Connected(ClusterInfo),
    Disconnected {
        reason: String,
        retry_in: Duration,
    },
}

#[derive(Debug, Clone)]
pub struct KubeState {
    pub connection: KubeConnection,
    /// The last watch error, while a watcher retries.
    pub trouble: Option<String>,
    /// What the cluster refused to show this user (403), each said once: `nodes: not allowed for user dev`.
    pub not_allowed: Vec<String>,
    pub deployments: KeyedRows<DeploymentRow>,
    pub pods: KeyedRows<PodRow>,
    pub services: KeyedRows<ServiceRow>,
    pub events: KeyedRows<EventRow>,
    pub deployments_table: TableState,
    pub pods_table: TableState,
    pub services_table: TableState,
    pub events_table: TableState,
    /// Objects the user just created (apply, expose): selected as soon as their rows arrive.
    pub select_when_seen: Vec<(KubeKind, String)>,
    /// What is watched: which context, which namespace (None: all).
    pub target: KubeTarget,
    /// The kubeconfig's contexts and the cluster's namespaces, for the pickers.
    pub contexts: Vec<String>,
    pub namespaces: Vec<String>,
    pub replica_sets: Vec<ReplicaSetRow>,
    /// `enter` on a deployment: the Pods pane shows only its pods (namespace, deployment).
    pub pods_of: Option<(String, String)>,
    /// The count the last scale started from (namespace, name, replicas): the
    /// row shows the new count at once, and `z` scales back to this one.
    pub scaled_from: Option<(String, String, u32)>,
    /// The last lines of a crashed container's previous run, by `namespace/pod`.
    pub crash_tails: std::collections::HashMap<String, CrashTail>,
}

/// What a crashed container last wrote, read for the restart count it had.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CrashTail {
    pub restarts: u32,
    pub lines: Vec<String>,
}

impl Default for KubeState {
    fn default() -> Self {
        Self {
            connection: KubeConnection::Connecting,
            trouble: None,
            not_allowed: Vec::new(),
            deployments: KeyedRows::default(),
            pods: KeyedRows::default(),
            services: KeyedRows::default(),
            events: KeyedRows::default(),
            // Sorted by namespace and name: watch order is no order at all.
            deployments_table: TableState {
                sort_column: Some(0),
                ..Default::default()
            },
            pods_table: TableState {
                sort_column: Some(0),
                ..Default::default()
            },
            // Newest events first, as people read them.
            events_table: TableState {
                sort_column: Some(0),
                ..Default::default()
            },
            select_when_seen: Vec::new(),
            target: KubeTarget::default(),
            contexts: Vec::new(),
            namespaces: Vec::new(),
            replica_sets: Vec::new(),
            pods_of: None,
            crash_tails: Default::default(),
            scaled_from: None,
            services_table: TableState {
                sort_column: Some(0),
                ..Default::default()
            },
        }
    }
}

impl KubeState {
    pub fn table_mut(&mut self, pane: Pane) -> Option<&mut TableState> {
        match pane {
            Pane::Deployments => Some(&mut self.deployments_table),
            Pane::Pods => Some(&mut self.pods_table),
            Pane::Services => Some(&mut self.services_table),
            Pane::Events => Some(&mut self.events_table),
            _ => None,
        }
    }

    pub fn table(&self, pane: Pane) -> Option<&TableState> {
        match pane {
            Pane::Deployments => Some(&self.deployments_table),
            Pane::Pods => Some(&self.pods_table),
            Pane::Services => Some(&self.services_table),
            Pane::Events => Some(&self.events_table),
            _ => None,
        }
    }

    pub fn rebuild(&mut self, pane: Pane) {
        match pane {
            Pane::Deployments => self.deployments_table.rebuild(&self.deployments, |_| true),
            Pane::Pods => {
                let shown = self.pods_shown();
                self.pods_table.rebuild(&self.pods, |p| shown(p))
            }
            Pane::Services => self.services_table.rebuild(&self.services, |_| true),
            Pane::Events => self.events_table.rebuild(&self.events, |_| true),
            _ => {}
        }
    }

    /// Which pods the Pods pane shows: all, or (after `enter` on a
    /// deployment) those whose ReplicaSet that deployment owns.
    pub fn pods_shown(&self) -> impl Fn(&PodRow) -> bool + use<> {
        let owned: Option<(String, std::collections::HashSet<String>)> =
            self.pods_of.as_ref().map(|(namespace, deployment)| {
                let sets = self
                    .replica_sets
                    .iter()
                    .filter(|r| {
                        &r.namespace == namespace && r.deployment.as_ref() == Some(deployment)
                    })
                    .map(|r| r.name.clone())
                    .collect();
                (namespace.clone(), sets)
            });
        move |pod: &PodRow| match &owned {
            None => true,
            Some((namespace, sets)) => {
                &pod.namespace == namespace
                    && pod.replica_set.as_ref().is_some_and(|rs| sets.contains(rs))
            }
        }
    }

    pub fn column_count(pane: Pane) -> usize {
        match pane {
            Pane::Deployments => DeploymentRow::column_count(),
            Pane::Pods => PodRow::column_count(),
            Pane::Services => ServiceRow::column_count(),
            Pane::Events => EventRow::column_count(),
            _ => 0,
        }
    }
}

fn key_of(namespace: &str, name: &str) -> String {
    format!("{namespace}/{name}")
}

fn has_key(namespace: &str, name: &str, key: &str) -> bool {
    key.strip_prefix(namespace)
        .and_then(|rest| rest.strip_prefix('/'))
        == Some(name)
}

fn contains(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(needle)
}

impl TableRow for DeploymentRow {
    fn key(&self) -> String {
        key_of(&self.namespace, &self.name)
    }
    fn has_key(&self, key: &str) -> bool {
        has_key(&self.namespace, &self.name, key)
    }
    fn matches(&self, needle: &str) -> bool {
        contains(&self.name, needle) || contains(&self.namespace, needle)
    }
    fn compare(&self, other: &Self, column: usize) -> Ordering {
        match column {
            0 => self
                .namespace
                .cmp(&other.namespace)
                .then_with(|| self.name.cmp(&other.name)),
            1 => self.name.cmp(&other.name),
            2 => self.ready.cmp(&other.ready),
            3 => self.up_to_date.cmp(&other.up_to_date),
            4 => self.available.cmp(&other.available),
            _ => other.created.cmp(&self.created),
        }
    }
    fn column_count() -> usize {
        6
    }
}

impl TableRow for PodRow {
    fn key(&self) -> String {
        key_of(&self.namespace, &self.name)
    }
    fn has_key(&self, key: &str) -> bool {
        has_key(&self.namespace, &self.name, key)
    }
    fn matches(&self, needle: &str) -> bool {
        contains(&self.name, needle)
            || contains(&self.namespace, needle)
            || contains(&self.status, needle)
    }
    fn compare(&self, other: &Self, column: usize) -> Ordering {
        match column {
            0 => self
                .namespace
                .cmp(&other.namespace)
                .then_with(|| self.name.cmp(&other.name)),
            1 => self.name.cmp(&other.name),
            2 => self.ready.cmp(&other.ready),
            3 => self.status.cmp(&other.status),
            4 => self.restarts.cmp(&other.restarts),
            5 => other.created.cmp(&self.created),
            _ => self.node.cmp(&other.node),
        }
    }
    fn column_count() -> usize {
        7
    }
}

impl TableRow for ServiceRow {
    fn key(&self) -> String {
        key_of(&self.namespace, &self.name)
    }
    fn has_key(&self, key: &str) -> bool {
        has_key(&self.namespace, &self.name, key)
    }
    fn matches(&self, needle: &str) -> bool {
        contains(&self.name, needle)
            || contains(&self.namespace, needle)
            || contains(&self.kind, needle)
    }
    fn compare(&self, other: &Self, column: usize) -> Ordering {
        match column {
            0 => self
                .namespace
                .cmp(&other.namespace)
                .then_with(|| self.name.cmp(&other.name)),
            1 => self.name.cmp(&other.name),
            2 => self.kind.cmp(&other.kind),
            3 => self.cluster_ip.cmp(&other.cluster_ip),
            4 => self.external_ip.cmp(&other.external_ip),
            5 => self.ports.cmp(&other.ports),
            _ => other.created.cmp(&self.created),
        }
    }
    fn column_count() -> usize {
        7
    }
}

impl TableRow for EventRow {
    fn key(&self) -> String {
        key_of(&self.namespace, &self.name)
    }
    fn has_key(&self, key: &str) -> bool {
        has_key(&self.namespace, &self.name, key)
    }
    fn matches(&self, needle: &str) -> bool {
        contains(&self.reason, needle)
            || contains(&self.object, needle)
            || contains(&self.message, needle)
    }
    fn compare(&self, other: &Self, column: usize) -> Ordering {
        match column {
            // Newest first, then warnings first.
            0 => other
                .last_seen
                .cmp(&self.last_seen)
                .then(other.warning.cmp(&self.warning)),
            1 => other.warning.cmp(&self.warning),
            2 => self.reason.cmp(&other.reason),
            3 => self.object.cmp(&other.object),
            _ => self.message.cmp(&other.message),
        }
    }
    fn column_count() -> usize {
        5
    }
}
