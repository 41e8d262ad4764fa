//! The Kubernetes half of the model: connection, rows, and how `update`
//! applies what the kube source reports.

use super::event::KubeEvent;
use super::keyed::{KeyedRows, RowsUpdate};
use super::model::{Model, Pane};
use super::table::{TableRow, TableState};
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
}

impl Default for KubeState {
    fn default() -> Self {
        Self {
            connection: KubeConnection::Connecting,
            trouble: None,
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
            services_table: TableState {
                sort_column: Some(0),
                ..Default::default()
            },
        }
    }
}

pub fn on_kube(model: &mut Model, event: KubeEvent) {
    let before = model.kube.connection.clone();
    apply_kube(model, event);
    super::minikube::on_kube_connection(model, &before);
}

fn apply_kube(model: &mut Model, event: KubeEvent) {
    if let KubeEvent::Context(context) = event {
        if model.minikube.context.as_ref() != Some(&context) {
            model.minikube.context = Some(context);
            super::minikube::probe_soon(model);
        }
        return;
    }
    // A screen's height either side of the selection covers every row on screen.
    let window = usize::from(model.size.1);
    let kube = &mut model.kube;
    match event {
        KubeEvent::Context(_) => {}
        KubeEvent::Contexts(contexts) => kube.contexts = contexts,
        KubeEvent::Namespaces(namespaces) => kube.namespaces = namespaces,
        KubeEvent::Nodes { count, address } => {
            if let KubeConnection::Connected(info) = &mut kube.connection {
                info.nodes = count;
                info.node_address = address;
            }
        }
        KubeEvent::Unavailable(reason) => kube.connection = KubeConnection::Unavailable(reason),
        KubeEvent::Connected(info) => {
            kube.connection = KubeConnection::Connected(info);
            kube.trouble = None;
        }
        KubeEvent::Disconnected { reason, retry_in } => {
            kube.connection = KubeConnection::Disconnected { reason, retry_in }
        }
        KubeEvent::WatchTrouble(reason) => kube.trouble = Some(reason),
        KubeEvent::Deployments(update) => {
            let wanted = take_wanted(
                &mut kube.select_when_seen,
                KubeKind::Deployment,
                update.rows(),
            );
            model.dirty = update_rows(
                &mut kube.deployments,
                &mut kube.deployments_table,
                update,
                |_| true,
                wanted,
                window,
            );
            kube.trouble = None;
        }
        KubeEvent::Pods(update) => {
            let shown = kube.pods_shown();
            model.dirty = update_rows(
                &mut kube.pods,
                &mut kube.pods_table,
                update,
                shown,
                None,
                window,
            );
            kube.trouble = None;
        }
        KubeEvent::ReplicaSets(rows) => {
            kube.replica_sets = rows;
            if kube.pods_of.is_some() {
                let selected = kube.pods_table.selected_row(&kube.pods).map(TableRow::key);
                let shown = kube.pods_shown();
                kube.pods_table
                    .rebuild_keeping(&kube.pods, |p| shown(p), selected.as_deref());
            } else {
                model.dirty = false;
            }
        }
        KubeEvent::Services(update) => {
            let wanted = take_wanted(&mut kube.select_when_seen, KubeKind::Service, update.rows());
            model.dirty = update_rows(
                &mut kube.services,
                &mut kube.services_table,
                update,
                |_| true,
                wanted,
                window,
            );
        }
        KubeEvent::Events(update) => {
            model.dirty = update_rows(
                &mut kube.events,
                &mut kube.events_table,
                update,
                |_| true,
                None,
                window,
            );
        }
    }
}

/// A full list replaces a kind's rows and the view is rebuilt; a watch batch
/// is applied row by row. The selection stays on its row, or moves to the row
/// the user just created. Returns whether the screen needs drawing.
fn update_rows<R: TableRow>(
    rows: &mut KeyedRows<R>,
    table: &mut TableState,
    update: RowsUpdate<R>,
    keep: impl Fn(&R) -> bool,
    wanted: Option<String>,
    window: usize,
) -> bool {
    let changes = match update {
        RowsUpdate::All(fresh) => {
            let selected = wanted.or_else(|| table.selected_row(rows).map(TableRow::key));
            *rows = KeyedRows::from(fresh);
            table.rebuild_keeping(rows, keep, selected.as_deref());
            return true;
        }
        RowsUpdate::Changed(changes) => changes,
    };
    let touched = rows.apply(changes, table, keep, window);
    let Some(wanted) = wanted else {
        return touched;
    };
    if let Some(pos) = table.view.iter().position(|&i| rows[i].has_key(&wanted)) {
        table.selected = pos;
    }
    true
}

/// The first wanted key that has arrived in these rows, taken off the list.
/// (A Service is often named as its Deployment: the kind keeps them apart.)
fn take_wanted<R: TableRow>(
    wanted: &mut Vec<(KubeKind, String)>,
    kind: KubeKind,
    rows: &[R],
) -> Option<String> {
    let position = wanted
        .iter()
        .position(|(k, key)| *k == kind && rows.iter().any(|row| row.has_key(key)))?;
    Some(wanted.remove(position).1)
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
