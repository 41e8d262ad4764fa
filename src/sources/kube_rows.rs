//! Kubernetes objects mapped to the plain rows the panes show, as kubectl
//! prints them (STATUS reasons, READY counts, PORT(S), EXTERNAL-IP).

use super::kube_pod::PodSummary;
use crate::domain::kube::{
    ContainerExit, DeploymentRow, EventRow, PodContainer, PodRow, PodTrouble, ReplicaSetRow,
    ServiceRow,
};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Event as K8sEvent, Node, Service};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

/// The node's InternalIP, where nodePorts answer.
pub fn internal_ip(node: &Node) -> Option<String> {
    let addresses = node.status.as_ref()?.addresses.as_ref()?;
    addresses
        .iter()
        .find(|a| a.type_ == "InternalIP")
        .map(|a| a.address.clone())
}

fn seconds(time: Option<&Time>) -> i64 {
    time.map(|t| t.0.as_second()).unwrap_or(0)
}

/// A Deployment's `matchLabels` as a label selector (`app=web,tier=front`).
pub fn selector_of(d: &Deployment) -> String {
    d.spec
        .as_ref()
        .and_then(|s| s.selector.match_labels.as_ref())
        .map(|labels| {
            labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default()
}

pub fn deployment_row(d: &Deployment) -> DeploymentRow {
    let status = d.status.as_ref();
    let count = |v: Option<i32>| v.unwrap_or(0).max(0) as u32;
    let selector = selector_of(d);
    let port = d
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .and_then(|pod| {
            pod.containers
                .iter()
                .flat_map(|c| c.ports.iter().flatten())
                .next()
        })
        .and_then(|p| u16::try_from(p.container_port).ok());
    DeploymentRow {
        selector,
        port,
        namespace: d.metadata.namespace.clone().unwrap_or_default(),
        name: d.metadata.name.clone().unwrap_or_default(),
        desired: count(d.spec.as_ref().and_then(|s| s.replicas).or(Some(1))),
        ready: count(status.and_then(|s| s.ready_replicas)),
        up_to_date: count(status.and_then(|s| s.updated_replicas)),
        available: count(status.and_then(|s| s.available_replicas)),
        created: seconds(d.metadata.creation_timestamp.as_ref()),
        stuck: stuck(d),
    }
}

/// The message of a condition that says the rollout is stuck.
fn stuck(d: &Deployment) -> Option<String> {
    d.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| {
            (c.type_ == "Progressing" && c.status == "False")
                || (c.type_ == "ReplicaFailure" && c.status == "True")
        })
        .map(|c| {
            c.message
                .clone()
                .or_else(|| c.reason.clone())
                .unwrap_or_default()
        })
}

/// STATUS as kubectl shows it: Terminating, a container's waiting or terminated reason, else the phase.
pub fn pod_row(p: &PodSummary) -> PodRow {
    let statuses = p
        .status
        .as_ref()
        .map(|s| s.container_statuses.as_slice())
        .unwrap_or_default();
    let reason = statuses.iter().find_map(|c| {
        let state = c.state.as_ref()?;
        state
            .waiting
            .as_ref()
            .and_then(|w| w.reason.clone())
            .or_else(|| state.terminated.as_ref().and_then(|t| t.reason.clone()))
    });
    let status = if p.metadata.deletion_timestamp.is_some() {
        "Terminating".to_string()
    } else {
        reason.unwrap_or_else(|| {
            p.status
                .as_ref()
                .and_then(|s| s.phase.clone())
                .unwrap_or_else(|| "Unknown".into())
        })
    };
    PodRow {
        namespace: p.metadata.namespace.clone().unwrap_or_default(),
        name: p.metadata.name.clone().unwrap_or_default(),
        ready: statuses.iter().filter(|c| c.ready).count() as u32,
        containers: p.spec.as_ref().map_or(0, |s| s.containers.len()) as u32,
        status,
        restarts: statuses.iter().map(|c| c.restart_count.max(0) as u32).sum(),
        created: seconds(p.metadata.creation_timestamp.as_ref()),
        node: p
            .spec
            .as_ref()
            .and_then(|s| s.node_name.clone())
            .unwrap_or_default(),
        replica_set: controller(&p.metadata, "ReplicaSet"),
        container_names: p
            .spec
            .as_ref()
            .map(|s| s.containers.iter().map(|c| c.name.clone()).collect())
            .unwrap_or_default(),
        labels: p
            .metadata
            .labels
            .iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        trouble: trouble(p),
        container_states: container_states(p),
    }
}

/// Each container of the spec, joined by name with its status.
fn container_states(p: &PodSummary) -> Vec<PodContainer> {
    let statuses = p
        .status
        .as_ref()
        .map(|s| s.container_statuses.as_slice())
        .unwrap_or_default();
    let spec = p.spec.as_ref().map(|s| s.containers.as_slice());
    spec.unwrap_or_default()
        .iter()
        .map(|c| {
            let status = statuses.iter().find(|s| s.name == c.name);
            PodContainer {
                name: c.name.clone(),
                image: c.image.clone().unwrap_or_default(),
                state: status
                    .and_then(|s| s.state.as_ref())
                    .map_or_else(|| "unknown".to_string(), state_words),
                ready: status.is_some_and(|s| s.ready),
                restarts: status.map_or(0, |s| s.restart_count.max(0) as u32),
            }
        })
        .collect()
}

fn state_words(state: &super::kube_pod::StateSummary) -> String {
    let reason = |r: &super::kube_pod::Reason| r.reason.clone().unwrap_or_default();
    match (&state.waiting, &state.terminated) {
        (Some(waiting), _) => format!("waiting: {}", reason(waiting)),
        (None, Some(ended)) => format!(
            "terminated: {} (exit {})",
            reason(ended),
            ended.exit_code.unwrap_or_default()
        ),
        (None, None) => "running".to_string(),
    }
}

/// What a pod that is not ready says of itself; None for a ready, finished
/// or terminating one.
fn trouble(p: &PodSummary) -> Option<Box<PodTrouble>> {
    let status = p.status.as_ref()?;
    let phase = status.phase.as_deref().unwrap_or_default();
    let all_ready =
        !status.container_statuses.is_empty() && status.container_statuses.iter().all(|c| c.ready);
    if p.metadata.deletion_timestamp.is_some()
        || phase == "Succeeded"
        || (phase == "Running" && all_ready)
    {
        return None;
    }
    let unschedulable = status
        .conditions
        .iter()
        .find(|c| c.type_ == "PodScheduled" && c.status == "False")
        .and_then(|c| c.message.clone());
    let not_ready = status.container_statuses.iter().find(|c| !c.ready);
    let spec_containers = p.spec.as_ref().map(|s| s.containers.as_slice());
    let container = not_ready
        .map(|c| c.name.clone())
        .or_else(|| spec_containers?.first().map(|c| c.name.clone()))
        .unwrap_or_default();
    let image = spec_containers
        .and_then(|all| all.iter().find(|c| c.name == container))
        .and_then(|c| c.image.clone())
        .unwrap_or_default();
    let state = not_ready.and_then(|c| c.state.as_ref());
    let ended = |state: Option<&super::kube_pod::StateSummary>| {
        let terminated = state?.terminated.as_ref()?;
        Some(ContainerExit {
            code: terminated.exit_code.unwrap_or_default(),
            reason: terminated.reason.clone().unwrap_or_default(),
        })
    };
    Some(Box::new(PodTrouble {
        message: state
            .and_then(|s| s.waiting.as_ref())
            .and_then(|w| w.message.clone())
            .unwrap_or_default(),
        exit: ended(state).or_else(|| ended(not_ready.and_then(|c| c.last_state.as_ref()))),
        container,
        image,
        unschedulable,
    }))
}

/// The name of the object's controller of this kind (its ownerReference with `controller: true`).
fn controller(
    metadata: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    kind: &str,
) -> Option<String> {
    metadata
        .owner_references
        .as_ref()?
        .iter()
        .find(|o| o.controller == Some(true) && o.kind == kind)
        .map(|o| o.name.clone())
}

pub fn replica_set_row(r: &ReplicaSet) -> ReplicaSetRow {
    let annotation = |key: &str| {
        r.metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(key))
            .cloned()
            .unwrap_or_default()
    };
    let containers = r
        .spec
        .as_ref()
        .and_then(|s| s.template.as_ref())
        .and_then(|t| t.spec.as_ref())
        .map(|p| p.containers.clone())
        .unwrap_or_default();
    let env = containers
        .iter()
        .flat_map(|c| c.env.iter().flatten())
        .map(|e| match &e.value {
            Some(value) => format!("{}={value}", e.name),
            None => format!("{}=(from elsewhere)", e.name),
        })
        .collect();
    ReplicaSetRow {
        namespace: r.metadata.namespace.clone().unwrap_or_default(),
        name: r.metadata.name.clone().unwrap_or_default(),
        deployment: controller(&r.metadata, "Deployment"),
        revision: annotation("deployment.kubernetes.io/revision")
            .parse()
            .unwrap_or(0),
        images: containers
            .iter()
            .map(|c| c.image.clone().unwrap_or_default())
            .collect(),
        env,
        desired: r.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0).max(0) as u32,
        ready: r
            .status
            .as_ref()
            .and_then(|s| s.ready_replicas)
            .unwrap_or(0)
            .max(0) as u32,
        created: seconds(r.metadata.creation_timestamp.as_ref()),
        change_cause: annotation("kubernetes.io/change-cause"),
    }
}

pub fn service_row(s: &Service) -> ServiceRow {
    let spec = s.spec.as_ref();
    let kind = spec
        .and_then(|s| s.type_.clone())
        .unwrap_or_else(|| "ClusterIP".into());
    let ingress: Vec<String> = s
        .status
        .as_ref()
        .and_then(|st| st.load_balancer.as_ref())
        .and_then(|lb| lb.ingress.as_ref())
        .map(|list| {
            list.iter()
                .filter_map(|i| i.ip.clone().or_else(|| i.hostname.clone()))
                .collect()
        })
        .unwrap_or_default();
    let external_ip = match (kind.as_str(), ingress.is_empty()) {
        ("LoadBalancer", true) => "<pending>".to_string(),
        (_, false) => ingress.join(","),
        _ => "<none>".to_string(),
    };
    let ports: Vec<String> = spec
        .and_then(|s| s.ports.clone())
        .unwrap_or_default()
        .iter()
        .map(|p| {
            let proto = p.protocol.clone().unwrap_or_else(|| "TCP".into());
            match p.node_port {
                Some(node_port) => format!("{}:{node_port}/{proto}", p.port),
                None => format!("{}/{proto}", p.port),
            }
        })
        .collect();
    let node_ports = spec
        .and_then(|s| s.ports.clone())
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p.node_port.and_then(|n| u16::try_from(n).ok()))
        .collect();
    let port = spec
        .and_then(|s| s.ports.as_ref())
        .and_then(|ports| ports.first())
        .and_then(|p| u16::try_from(p.port).ok());
    ServiceRow {
        port,
        ingress: ingress.clone(),
        node_ports,
        namespace: s.metadata.namespace.clone().unwrap_or_default(),
        name: s.metadata.name.clone().unwrap_or_default(),
        kind,
        cluster_ip: spec
            .and_then(|s| s.cluster_ip.clone())
            .unwrap_or_else(|| "<none>".into()),
        external_ip,
        ports: if ports.is_empty() {
            "<none>".into()
        } else {
            ports.join(",")
        },
        created: seconds(s.metadata.creation_timestamp.as_ref()),
        selector: spec
            .and_then(|s| s.selector.as_ref())
            .map(|labels| labels.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
    }
}

pub fn event_row(e: &K8sEvent) -> EventRow {
    let involved = &e.involved_object;
    EventRow {
        namespace: e.metadata.namespace.clone().unwrap_or_default(),
        name: e.metadata.name.clone().unwrap_or_default(),
        last_seen: e
            .last_timestamp
            .as_ref()
            .map(|t| t.0.as_second())
            .or_else(|| {
                e.metadata
                    .creation_timestamp
                    .as_ref()
                    .map(|t| t.0.as_second())
            })
            .unwrap_or(0),
        warning: e.type_.as_deref() == Some("Warning"),
        reason: e.reason.clone().unwrap_or_default(),
        object: format!(
            "{}/{}",
            involved.kind.clone().unwrap_or_default().to_lowercase(),
            involved.name.clone().unwrap_or_default()
        ),
        message: e.message.clone().unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_read_like_kubectl() {
        let pod: PodSummary = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web-1", "namespace": "default", "creationTimestamp": "2026-11-27T10:00:00Z"},
            "spec": {"nodeName": "minikube", "containers": [{"name": "web", "image": "cookbook"}]},
            "status": {"phase": "Pending", "containerStatuses": [{"name": "web", "image": "cookbook", "imageID": "", "ready": false, "restartCount": 2,
                        "state": {"waiting": {"reason": "ErrImageNeverPull"}}}]}
        }))
        .unwrap();
        let row = pod_row(&pod);
        assert_eq!(
            (row.status.as_str(), row.ready, row.containers, row.restarts),
            ("ErrImageNeverPull", 0, 1, 2)
        );
        assert!(row.is_failing());
        let service: Service = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"type": "LoadBalancer", "clusterIP": "10.96.0.9", "ports": [{"port": 8000, "nodePort": 31234, "protocol": "TCP"}]},
            "status": {"loadBalancer": {}}
        }))
        .unwrap();
        let row = service_row(&service);
        assert_eq!(
            (row.external_ip.as_str(), row.ports.as_str()),
            ("<pending>", "8000:31234/TCP")
        );
        let deployment: Deployment = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"replicas": 3, "selector": {}, "template": {}},
            "status": {"readyReplicas": 1, "updatedReplicas": 3, "availableReplicas": 1}
        }))
        .unwrap();
        let row = deployment_row(&deployment);
        assert_eq!(
            (row.ready, row.desired, row.up_to_date, row.available),
            (1, 3, 3, 1)
        );
    }
}
