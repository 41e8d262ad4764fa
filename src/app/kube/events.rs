//! How `update` applies what the kube source reports: the connection, the
//! pickers' lists, and each table's rows (a full list, or a watch's changes).

use crate::app::core::event::KubeEvent;
use crate::app::core::keyed::{KeyedRows, RowsUpdate};
use crate::app::core::table::{TableRow, TableState};
use crate::app::kube::state::{KubeConnection, KubeState};
use crate::domain::kube::KubeKind;

/// What a kube event changed that others react to (minikube follows the
/// context and the connection), and whether the screen changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KubeReport {
    pub visible: bool,
    /// The kubeconfig context in use, when the event named it.
    pub context: Option<String>,
    /// The connection changed kind (connecting, connected, disconnected, unavailable).
    pub connection_changed: bool,
    /// A sentence for the status line: what the cluster does not allow.
    pub notice: Option<String>,
}

/// Apply one event of the kube source. `window` is how many rows either side
/// of the selection a watch batch must keep exact (a screen's height).
pub fn on_kube(kube: &mut KubeState, window: usize, event: KubeEvent) -> KubeReport {
    let kind = |c: &KubeConnection| std::mem::discriminant(c);
    let before = kind(&kube.connection);
    let mut report = KubeReport {
        visible: true,
        ..Default::default()
    };
    match event {
        KubeEvent::Context(context) => report.context = Some(context),
        KubeEvent::Contexts(contexts) => kube.contexts = contexts,
        KubeEvent::Namespaces(namespaces) => kube.namespaces = namespaces,
        KubeEvent::Nodes { count, address } => {
            if let KubeConnection::Connected(info) = &mut kube.connection {
                info.nodes = count;
                info.node_address = address;
            }
        }
        KubeEvent::Unavailable(reason) => kube.connection = KubeConnection::Unavailable(reason),
        KubeEvent::Rejected(reason) => kube.connection = KubeConnection::Rejected(reason),
        KubeEvent::Connected(info) => {
            kube.connection = KubeConnection::Connected(info);
            kube.trouble = None;
            kube.not_allowed.clear();
        }
        KubeEvent::Disconnected { reason, retry_in } => {
            kube.connection = KubeConnection::Disconnected { reason, retry_in }
        }
        KubeEvent::WatchTrouble(reason) => kube.trouble = Some(reason),
        KubeEvent::NotAllowed(line) => {
            if !kube.not_allowed.contains(&line) {
                kube.not_allowed.push(line);
            }
            // Each refusal said once, and the ones before it kept in view beside it.
            report.notice = Some(format!(
                "{} (403 Forbidden; not asked again)",
                kube.not_allowed.join("; ")
            ));
        }
        KubeEvent::NamespaceLimited { namespace, why } => {
            // The source already watches it: the target says so, with no switch.
            kube.target.namespace = Some(namespace);
            kube.not_allowed.insert(0, why.clone());
            report.notice = Some(why);
        }
        KubeEvent::Deployments(update) => {
            let wanted = take_wanted(
                &mut kube.select_when_seen,
                KubeKind::Deployment,
                update.rows(),
            );
            report.visible = update_rows(
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
            report.visible = update_rows(
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
            // Only a deployment's own pods depend on them.
            report.visible = kube.pods_of.is_some();
            if report.visible {
                let selected = kube.pods_table.selected_row(&kube.pods).map(TableRow::key);
                let shown = kube.pods_shown();
                kube.pods_table
                    .rebuild_keeping(&kube.pods, |p| shown(p), selected.as_deref());
            }
        }
        KubeEvent::Services(update) => {
            let wanted = take_wanted(&mut kube.select_when_seen, KubeKind::Service, update.rows());
            report.visible = update_rows(
                &mut kube.services,
                &mut kube.services_table,
                update,
                |_| true,
                wanted,
                window,
            );
        }
        KubeEvent::Events(update) => {
            report.visible = update_rows(
                &mut kube.events,
                &mut kube.events_table,
                update,
                |_| true,
                None,
                window,
            );
        }
        KubeEvent::CrashTail {
            namespace,
            name,
            restarts,
            lines,
        } => {
            report.visible =
                super::diagnose::on_crash_tail(kube, &namespace, &name, restarts, lines);
        }
    }
    report.connection_changed = kind(&kube.connection) != before;
    report
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
