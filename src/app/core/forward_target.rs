//! What `F` forwards to: the selected pod, Deployment or Service of the pane
//! in view, and the remote port to propose (the Service's port, or the
//! container port its Deployment's pod template declares).

use crate::app::core::command::Command;
use crate::app::core::model::{Level, Model, Pane};
use crate::app::forwards::FormTarget;
use crate::domain::forward::ForwardKind;

pub(crate) fn port_forward(model: &mut Model) -> Vec<Command> {
    let kube = &model.kube;
    let chosen = match model.shared.pane {
        Pane::Pods => kube.pods_table.selected_row(&kube.pods).map(|pod| {
            // A pod's own ports are not in its row: its Deployment's template declares them.
            let deployment = pod.replica_set.as_ref().and_then(|rs| {
                kube.replica_sets
                    .iter()
                    .find(|r| &r.name == rs && r.namespace == pod.namespace)
                    .and_then(|r| r.deployment.clone())
            });
            let port = deployment.and_then(|d| {
                kube.deployments
                    .iter()
                    .find(|row| row.name == d && row.namespace == pod.namespace)
                    .and_then(|row| row.port)
            });
            (
                ForwardKind::Pod,
                pod.namespace.clone(),
                pod.name.clone(),
                port,
            )
        }),
        Pane::Deployments => kube
            .deployments_table
            .selected_row(&kube.deployments)
            .map(|d| {
                (
                    ForwardKind::Deployment,
                    d.namespace.clone(),
                    d.name.clone(),
                    d.port,
                )
            }),
        Pane::Services => kube.services_table.selected_row(&kube.services).map(|s| {
            (
                ForwardKind::Service,
                s.namespace.clone(),
                s.name.clone(),
                s.port,
            )
        }),
        _ => return Vec::new(),
    };
    let Some((kind, namespace, name, port)) = chosen else {
        let what = match model.shared.pane {
            Pane::Pods => "pod",
            Pane::Deployments => "deployment",
            _ => "service",
        };
        model.set_status(Level::Warn, format!("No {what} selected to forward to."));
        return Vec::new();
    };
    crate::app::forwards::open_form(
        &mut model.forwards,
        &mut model.shared,
        FormTarget {
            namespace,
            kind,
            name,
        },
        port,
    )
}
