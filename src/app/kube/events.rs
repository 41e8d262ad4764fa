//! How `update` applies what the kube source reports: the connection, the
//! pickers' lists, and each table's rows (a full list, or a watch's changes).

use crate::app::core::event::KubeEvent;
use crate::app::core::keyed::{KeyedRows, RowsUpdate};
use crate::app::core::model::Model;
use crate::app::core::table::{TableRow, TableState};
use crate::app::kube::state::KubeConnection;
use crate::domain::kube::KubeKind;

pub fn on_kube(model: &mut Model, event: KubeEvent) {
    let before = model.kube.connection.clone();
    apply_kube(model, event);
    crate::app::kube::minikube::on_kube_connection(model, &before);
}

fn apply_kube(model: &mut Model, event: KubeEvent) {
    if let KubeEvent::Context(context) = event {
        if model.minikube.context.as_ref() != Some(&context) {
            model.minikube.context = Some(context);
            crate::app::kube::minikube::probe_soon(model);
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
