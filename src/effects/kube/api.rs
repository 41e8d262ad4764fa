//! Kubernetes commands through kube-rs: scale (the scale subresource) and delete.

use crate::app::core::command::JobId;
use crate::app::core::event::Event;
use crate::domain::kube::KubeKind;
use crate::sources::describe;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Pod, Service};
use kube::Client;
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use tokio::sync::mpsc::UnboundedSender;

use crate::effects::shared::finish_job as finish;

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

/// `kubectl rollout restart`: stamp the pod template, as kubectl does, so the
/// Deployment rolls out a new ReplicaSet.
pub async fn rollout_restart(
    client: Client,
    id: JobId,
    namespace: String,
    name: String,
    tx: UnboundedSender<Event>,
) {
    let api: Api<Deployment> = Api::namespaced(client, &namespace);
    let now = k8s_openapi::jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let patch = Patch::Merge(serde_json::json!({"spec": {"template": {"metadata": {
        "annotations": {"kubectl.kubernetes.io/restartedAt": now}
    }}}}));
    let result = api
        .patch(&name, &PatchParams::default(), &patch)
        .await
        .map(|_| format!("deployment.apps/{name} restarted"))
        .map_err(|e| format!("restarting {name} failed: {}", describe(&e)));
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
        KubeKind::ReplicaSet => Api::<ReplicaSet>::namespaced(client, &namespace)
            .delete(&name, &params)
            .await
            .map(|_| ()),
    };
    let result = result
        .map(|_| format!("{} \"{name}\" deleted", kind.kubectl_name()))
        .map_err(|e| format!("deleting {name} failed: {}", describe(&e)));
    finish(&tx, id, result);
}

/// The object as `kubectl get -o yaml` shows it, managedFields folded, Secret data masked.
pub async fn yaml(
    client: Option<Client>,
    kind: KubeKind,
    namespace: String,
    name: String,
    tx: UnboundedSender<Event>,
) {
    let title = format!("{}/{name} -n {namespace}", kind.kubectl_name());
    let text = match client {
        None => Err("the cluster is not connected".to_string()),
        Some(client) => fetch(client, kind, &namespace, &name).await.map(to_yaml),
    };
    let _ = tx.send(Event::YamlLoaded { title, text });
}

async fn fetch(
    client: Client,
    kind: KubeKind,
    namespace: &str,
    name: &str,
) -> Result<serde_json::Value, String> {
    let value = match kind {
        KubeKind::Deployment => Api::<Deployment>::namespaced(client, namespace)
            .get(name)
            .await
            .map(serde_json::to_value),
        KubeKind::Pod => Api::<Pod>::namespaced(client, namespace)
            .get(name)
            .await
            .map(serde_json::to_value),
        KubeKind::Service => Api::<Service>::namespaced(client, namespace)
            .get(name)
            .await
            .map(serde_json::to_value),
        KubeKind::ReplicaSet => Api::<ReplicaSet>::namespaced(client, namespace)
            .get(name)
            .await
            .map(serde_json::to_value),
    };
    match value {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(format!("cannot show {name}: {e}")),
        Err(e) => Err(format!("cannot read {name}: {}", describe(&e))),
    }
}

/// YAML for reading: managedFields folded to one line, Secret values masked.
pub fn to_yaml(mut object: serde_json::Value) -> String {
    if let Some(metadata) = object
        .get_mut("metadata")
        .and_then(serde_json::Value::as_object_mut)
        && let Some(fields) = metadata.remove("managedFields")
    {
        let count = fields.as_array().map_or(0, Vec::len);
        metadata.insert(
            "managedFields".into(),
            serde_json::json!(format!("(folded: {count} entries)")),
        );
    }
    if object.get("kind").and_then(serde_json::Value::as_str) == Some("Secret") {
        for key in ["data", "stringData"] {
            if let Some(map) = object
                .get_mut(key)
                .and_then(serde_json::Value::as_object_mut)
            {
                for value in map.values_mut() {
                    *value = serde_json::json!("********");
                }
            }
        }
    }
    serde_yaml_ng::to_string(&object).unwrap_or_else(|e| format!("# cannot render YAML: {e}"))
}

/// `kubectl expose deployment`: a Service whose selector is the deployment's `matchLabels`.
pub async fn expose(
    client: Client,
    id: JobId,
    spec: crate::app::core::command::ExposeSpec,
    tx: UnboundedSender<Event>,
) {
    let result = expose_inner(client, &spec).await;
    finish(&tx, id, result);
}

async fn expose_inner(
    client: Client,
    spec: &crate::app::core::command::ExposeSpec,
) -> Result<String, String> {
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &spec.namespace);
    let deployment = deployments.get(&spec.deployment).await.map_err(|e| {
        format!(
            "cannot read deployment {}: {}",
            spec.deployment,
            describe(&e)
        )
    })?;
    let selector = deployment
        .spec
        .and_then(|s| s.selector.match_labels)
        .filter(|labels| !labels.is_empty())
        .ok_or_else(|| {
            format!(
                "deployment {} has no matchLabels to select its pods by",
                spec.deployment
            )
        })?;
    let service: Service = serde_json::from_value(serde_json::json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": spec.service, "namespace": spec.namespace, "labels": selector},
        "spec": {"type": spec.kind, "selector": selector, "ports": [{"port": spec.port, "targetPort": spec.target_port, "protocol": "TCP"}]},
    }))
    .map_err(|e| format!("cannot build the Service: {e}"))?;
    let params = kube::api::PostParams {
        field_manager: Some(crate::effects::kube::apply::FIELD_MANAGER.into()),
        ..Default::default()
    };
    Api::<Service>::namespaced(client, &spec.namespace)
        .create(&params, &service)
        .await
        .map(|_| format!("service/{} exposed", spec.service))
        .map_err(|e| format!("exposing {} failed: {}", spec.deployment, describe(&e)))
}

/// A pod's logs, the last 500 lines then followed, into the Logs pane.
/// Which pod log stream: `kubectl logs [-c C] [--previous]`.
pub struct PodLogs {
    pub namespace: String,
    pub name: String,
    pub container: Option<String>,
    pub previous: bool,
}

pub async fn follow_logs(client: Option<Client>, source: PodLogs, tx: UnboundedSender<Event>) {
    let PodLogs {
        namespace,
        name,
        container,
        previous,
    } = source;
    use futures::{AsyncBufReadExt, TryStreamExt};
    let key = crate::app::pod_log_key(&namespace, &name);
    let Some(client) = client else {
        let _ = tx.send(Event::LogsEnded {
            key,
            reason: Some("the cluster is not connected".into()),
        });
        return;
    };
    // The previous container has ended: its log is read whole, not followed.
    let params = kube::api::LogParams {
        follow: !previous,
        tail_lines: (!previous).then_some(500),
        container,
        previous,
        ..Default::default()
    };
    let stream = match Api::<Pod>::namespaced(client, &namespace)
        .log_stream(&name, &params)
        .await
    {
        Ok(stream) => stream,
        Err(e) => {
            let _ = tx.send(Event::LogsEnded {
                key,
                reason: Some(describe(&e)),
            });
            return;
        }
    };
    let mut lines = stream.lines();
    loop {
        match lines.try_next().await {
            Ok(Some(line)) => {
                if tx
                    .send(Event::LogLines {
                        key: key.clone(),
                        lines: vec![line],
                    })
                    .is_err()
                {
                    return;
                }
            }
            Ok(None) => break,
            Err(e) => {
                let _ = tx.send(Event::LogsEnded {
                    key,
                    reason: Some(e.to_string()),
                });
                return;
            }
        }
    }
    let _ = tx.send(Event::LogsEnded {
        key,
        reason: Some("the pod's log stream ended".into()),
    });
}

/// The last three lines of a crashed container's previous run, for its
/// reason line; none when they cannot be read (the line then goes without).
pub async fn crash_tail(
    client: Option<Client>,
    pod: PodLogs,
    restarts: u32,
    tx: UnboundedSender<Event>,
) {
    let params = kube::api::LogParams {
        tail_lines: Some(3),
        container: pod.container,
        previous: true,
        ..Default::default()
    };
    let text = match client {
        Some(client) => Api::<Pod>::namespaced(client, &pod.namespace)
            .logs(&pod.name, &params)
            .await
            .unwrap_or_else(|e| {
                tracing::debug!(error = %e, pod = %pod.name, "the previous run's log could not be read");
                String::new()
            }),
        None => String::new(),
    };
    let _ = tx.send(Event::Kube(crate::app::core::event::KubeEvent::CrashTail {
        namespace: pod.namespace,
        name: pod.name,
        restarts,
        lines: text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(String::from)
            .collect(),
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_folds_managed_fields_and_masks_secrets() {
        let object = serde_json::json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "managedFields": [{"manager": "a"}, {"manager": "b"}]},
                                         "data": {"password": "aHVudGVyMg=="}, "type": "Opaque"});
        let text = to_yaml(object);
        assert!(
            text.contains("managedFields: '(folded: 2 entries)'"),
            "{text}"
        );
        assert!(
            text.contains("password: '********'") && !text.contains("aHVudGVyMg=="),
            "{text}"
        );
    }
}
