//! Kubernetes commands through kube-rs: scale (the scale subresource) and delete.

use crate::app::command::JobId;
use crate::app::event::{Event, JobUpdate};
use crate::domain::kube::KubeKind;
use crate::sources::describe;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Pod, Service};
use kube::Client;
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use tokio::sync::mpsc::UnboundedSender;

fn finish(tx: &UnboundedSender<Event>, id: JobId, result: Result<String, String>) {
    let _ = tx.send(Event::Job {
        id,
        update: JobUpdate::Finished(result),
    });
}

/// `kubectl scale --replicas=N deployment/NAME`: a merge patch of the scale subresource.
pub async fn scale(
    client: Client,
    id: JobId,
    namespace: String,
    name: String,
    replicas: u32,
    tx: UnboundedSender<Event>,
) {
    let api: Api<Deployment> = Api::namespaced(client, &namespace);
    let patch = Patch::Merge(serde_json::json!({"spec": {"replicas": replicas}}));
    let result = api
        .patch_scale(&name, &PatchParams::default(), &patch)
        .await
        .map(|_| format!("deployment.apps/{name} scaled to {replicas}"))
        .map_err(|e| format!("scaling {name} failed: {}", describe(&e)));
    finish(&tx, id, result);
}

/// `kubectl delete KIND NAME`, in the background as kubectl does.
pub async fn delete(
    client: Client,
    id: JobId,
    kind: KubeKind,
    namespace: String,
    name: String,
    tx: UnboundedSender<Event>,
) {
    let params = DeleteParams::background();
    let result = match kind {
        KubeKind::Deployment => Api::<Deployment>::namespaced(client, &namespace)
            .delete(&name, &params)
            .await
            .map(|_| ()),
        KubeKind::Pod => Api::<Pod>::namespaced(client, &namespace)
            .delete(&name, &params)
            .await
            .map(|_| ()),
        KubeKind::Service => Api::<Service>::namespaced(client, &namespace)
            .delete(&name, &params)
            .await
            .map(|_| ()),
    };
    let result = result
        .map(|_| format!("{} \"{name}\" deleted", kind.kubectl_name()))
        .map_err(|e| format!("deleting {name} failed: {}", describe(&e)));
    finish(&tx, id, result);
}
