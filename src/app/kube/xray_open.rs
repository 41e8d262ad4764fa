//! Opening the relationships view (`t`, `:xray KIND NAME`) and going from
//! it to an object's pane row.

use super::state::KubeState;
use super::xray::{Named, find, pairs, root_of};
use super::xray_state::{XrayTarget, XrayView};
use crate::app::core::model::{Level, Overlay, Pane, Shared};
use crate::app::core::table::TableRow;
use crate::domain::kube::KubeKind;
use crate::domain::text::quote;

/// The pane row of a target, selected: a Deployment's, a pod's (a
/// container's pod), a Service's; a ReplicaSet has no pane, so its
/// Deployment's. The pane's filter and drill-down are cleared so the row is
/// in view. False when the row is not there.
pub(crate) fn go_to(kube: &mut KubeState, shared: &mut Shared, target: &XrayTarget) -> bool {
    let (pane, namespace, name) = match target.kind {
        KubeKind::Deployment => (Pane::Deployments, &target.namespace, target.name.clone()),
        KubeKind::Pod => (Pane::Pods, &target.namespace, target.name.clone()),
        KubeKind::Service => (Pane::Services, &target.namespace, target.name.clone()),
        KubeKind::ReplicaSet => {
            let Some(owner) = find(&kube.replica_sets, target).and_then(|r| r.deployment.clone())
            else {
                return false;
            };
            (Pane::Deployments, &target.namespace, owner)
        }
    };
    let key = format!("{namespace}/{name}");
    shared.pane = pane;
    kube.pods_of = None;
    match pane {
        Pane::Deployments => {
            let table = &mut kube.deployments_table;
            table.filter.clear();
            table.rebuild_keeping(&kube.deployments, |_| true, Some(&key));
            table
                .selected_row(&kube.deployments)
                .is_some_and(|r| r.has_key(&key))
        }
        Pane::Pods => {
            let table = &mut kube.pods_table;
            table.filter.clear();
            table.rebuild_keeping(&kube.pods, |_| true, Some(&key));
            table
                .selected_row(&kube.pods)
                .is_some_and(|r| r.has_key(&key))
        }
        _ => {
            let table = &mut kube.services_table;
            table.filter.clear();
            table.rebuild_keeping(&kube.services, |_| true, Some(&key));
            table
                .selected_row(&kube.services)
                .is_some_and(|r| r.has_key(&key))
        }
    }
}

/// What a kubectl user types to see the same: the objects a selector ties
/// together, or every pod's labels beside a Service's selector.
pub fn learn_line(kube: &KubeState, root: &XrayTarget) -> String {
    let namespace = quote(&root.namespace);
    match root.kind {
        KubeKind::Service => {
            let selector = find(&kube.services, root).map_or(String::new(), |s| pairs(&s.selector));
            format!(
                "kubectl get service {} -n {namespace} -o wide && kubectl get pods -n {namespace} --show-labels  # selector {selector}",
                quote(&root.name)
            )
        }
        _ => {
            let selector =
                find(&kube.deployments, root).map_or(String::new(), |d| d.selector.clone());
            if selector.is_empty() {
                format!(
                    "kubectl get {} {} -n {namespace} -o wide",
                    root.kind.kubectl_name(),
                    quote(&root.name)
                )
            } else {
                format!(
                    "kubectl get deployment,replicaset,pod,service -n {namespace} -l {} -o wide",
                    quote(&selector)
                )
            }
        }
    }
}

/// `t` on a Deployment, Pod or Service row (or `:xray`): the tree, the
/// cursor on that object.
pub(crate) fn open(kube: &KubeState, shared: &mut Shared, target: XrayTarget) {
    let root = root_of(kube, &target);
    shared.learn = Some(learn_line(kube, &root));
    shared.overlay = Overlay::Xray(XrayView {
        root,
        selected: target,
    });
}

/// `:xray KIND NAME`: the object by kubectl's names for its kind, in the
/// namespace watched (any, when all are).
pub(crate) fn open_named(kube: &KubeState, shared: &mut Shared, words: &[&str]) {
    let (kind, name) = match words {
        [kind, name] => (*kind, *name),
        [both] if both.contains('/') => both.split_once('/').unwrap_or((both, "")),
        _ => {
            shared.set_status(
                Level::Warn,
                ":xray KIND NAME (deploy, rs, pod or svc), or :xray alone for the selected row.",
            );
            return;
        }
    };
    let kind = match kind {
        "deploy" | "deployment" | "deployments" => KubeKind::Deployment,
        "rs" | "replicaset" | "replicasets" => KubeKind::ReplicaSet,
        "po" | "pod" | "pods" => KubeKind::Pod,
        "svc" | "service" | "services" => KubeKind::Service,
        other => {
            shared.set_status(
                Level::Warn,
                format!(":xray knows deploy, rs, pod and svc, not {other}."),
            );
            return;
        }
    };
    let wanted = kube.target.namespace.as_deref();
    let namespace = match kind {
        KubeKind::Deployment => namespace_of(&kube.deployments, wanted, name),
        KubeKind::ReplicaSet => namespace_of(&kube.replica_sets, wanted, name),
        KubeKind::Pod => namespace_of(&kube.pods, wanted, name),
        KubeKind::Service => namespace_of(&kube.services, wanted, name),
    };
    match namespace {
        Some(namespace) => open(kube, shared, XrayTarget::object(kind, &namespace, name)),
        None => shared.set_status(
            Level::Warn,
            format!("No {} named {name} here.", kind.kubectl_name()),
        ),
    }
}

fn namespace_of<R: Named>(rows: &[R], namespace: Option<&str>, name: &str) -> Option<String> {
    rows.iter()
        .find(|r| r.name() == name && namespace.is_none_or(|n| r.namespace() == n))
        .map(|r| r.namespace().to_string())
}

/// The pane's selected object, as a target.
pub(crate) fn selected_target(kube: &KubeState, pane: Pane) -> Option<XrayTarget> {
    super::actions::selected_object(kube, pane)
        .map(|(kind, namespace, name)| XrayTarget::object(kind, &namespace, &name))
}
