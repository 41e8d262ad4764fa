//! What the controllers share: reading objects, the events they record,
//! marking a pod terminating, and the state the controller keeps beside the
//! store (when each pod entered its stage, the listeners of services).

use crate::sim::clock::{now_secs, rfc3339};
use crate::sim::kube::resources::{self, Resource};
use crate::sim::kube::store::Store;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;
use tokio::task::JoinHandle;

/// Events kept in all, over every namespace; older ones are deleted, as the API
/// server's TTL would. One cap for the cluster, not one a namespace: 50,000
/// preloaded pods over 50 namespaces would otherwise keep 50,000 events.
pub(super) const EVENTS_KEPT: usize = 2_000;

pub(super) fn res(plural: &str) -> &'static Resource {
    resources::RESOURCES
        .iter()
        .find(|r| r.plural == plural)
        .unwrap_or(&resources::RESOURCES[0])
}

pub(super) fn s<'a>(object: &'a Value, pointer: &str) -> &'a str {
    crate::sim::kube::stored::text_at(object, pointer)
}

pub(super) fn uid(object: &Value) -> String {
    s(object, "/metadata/uid").to_string()
}

/// Record an event as kubectl shows it (`kubectl get events`).
pub fn record_event(store: &mut Store, involved: &Value, kind: &str, reason: &str, message: &str) {
    let namespace = match s(involved, "/metadata/namespace") {
        "" => "default",
        ns => ns,
    }
    .to_string();
    let name = format!(
        "{}.{:016x}",
        s(involved, "/metadata/name"),
        store.derive(&format!(
            "event/{namespace}/{}",
            s(involved, "/metadata/name")
        ))
    );
    let component = match (s(involved, "/kind"), reason) {
        ("Job", _) => "job-controller",
        ("CronJob", _) => "cronjob-controller",
        (_, "Scheduled" | "FailedScheduling") => "default-scheduler",
        (_, "SuccessfulCreate" | "SuccessfulDelete") => "replicaset-controller",
        (_, "ScalingReplicaSet") => "deployment-controller",
        _ => "kubelet",
    };
    let now = rfc3339(now_secs());
    let event = json!({
        "metadata": {"name": name, "namespace": namespace},
        "involvedObject": {"kind": involved["kind"], "namespace": involved["metadata"]["namespace"], "name": involved["metadata"]["name"],
                           "uid": involved["metadata"]["uid"], "apiVersion": involved["apiVersion"], "resourceVersion": involved["metadata"]["resourceVersion"]},
        "reason": reason, "message": message, "type": kind, "count": 1,
        "source": {"component": component, "host": if component == "kubelet" { "minikube" } else { "" }},
        "firstTimestamp": now, "lastTimestamp": now, "reportingComponent": component, "reportingInstance": "minikube",
    });
    let events = res("events");
    store.insert(events, event);
    // Oldest first out, in O(1): the order is kept beside the store.
    let order = &mut store.event_order;
    order.push_back((namespace, name));
    let expired: Vec<(String, String)> = if order.len() > EVENTS_KEPT {
        order.drain(..order.len() - EVENTS_KEPT).collect()
    } else {
        Vec::new()
    };
    for (namespace, old) in expired {
        store.remove(events, &namespace, &old);
    }
}

pub(super) fn mark_terminating(store: &mut Store, ns: &str, name: &str) -> bool {
    let Some(pod) = store.get("pods", ns, name) else {
        return false;
    };
    if pod.pointer("/metadata/deletionTimestamp").is_some() {
        return false;
    }
    let mut next = pod;
    next["metadata"]["deletionTimestamp"] = json!(rfc3339(now_secs()));
    next["metadata"]["deletionGracePeriodSeconds"] = json!(30);
    let stored = store.replace(res("pods"), next);
    let container = s(&stored, "/spec/containers/0/name").to_string();
    record_event(
        store,
        &stored,
        "Normal",
        "Killing",
        &format!("Stopping container {container}"),
    );
    true
}

/// The state the controller keeps beside the store: when each pod entered its
/// current stage, and the listeners of services.
/// A pod the controller is moving along, and since when it is in its stage.
pub(super) struct Tracked {
    pub(super) namespace: String,
    pub(super) name: String,
    pub(super) since: Instant,
}

/// A pod with a container that ends, and where it is in the restart cycle.
pub(super) struct Crashing {
    pub(super) namespace: String,
    pub(super) name: String,
    pub(super) container: String,
    pub(super) argv: Vec<String>,
    pub(super) machine: crate::sim::shell::Machine,
    pub(super) since: Instant,
    pub(super) backing_off: bool,
}

/// What the ReplicaSet controller needs of each pod, gathered in one pass.
pub(super) struct PodInfo {
    pub(super) name: String,
    pub(super) ready: bool,
    pub(super) terminating: bool,
    pub(super) rv: u64,
}

#[derive(Default)]
pub struct Controller {
    /// Pods still on their way to Running (or stuck waiting), by uid.
    pub(super) stage_since: HashMap<String, Tracked>,
    /// Pods being deleted, by uid.
    pub(super) terminating_since: HashMap<String, Tracked>,
    /// Pods whose container ends and restarts, by uid.
    pub(super) crashing: HashMap<String, Crashing>,
    pub(super) listeners: HashMap<String, (Vec<i64>, Vec<JoinHandle<()>>)>,
    pub(super) round_robin: Arc<std::sync::atomic::AtomicUsize>,
    pub(super) last_rv: u64,
    pub(super) next_ip: u32,
    /// The minute CronJobs were last looked at: a new one wakes the controller.
    pub(super) cron_minute: i64,
}

impl Drop for Controller {
    fn drop(&mut self) {
        for (_, (_, tasks)) in self.listeners.drain() {
            tasks.iter().for_each(JoinHandle::abort);
        }
    }
}

pub(super) fn same_status(current: Option<&Value>, next: &Value) -> bool {
    // Condition timestamps change every tick; compare without them.
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(conditions) = v.get_mut("conditions").and_then(Value::as_array_mut) {
            for c in conditions {
                if let Some(map) = c.as_object_mut() {
                    map.remove("lastUpdateTime");
                    map.remove("lastTransitionTime");
                }
            }
        }
        v
    };
    current.is_some_and(|c| strip(c) == strip(next))
}

pub fn pod_ready(pod: &Value) -> bool {
    pod.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|c| {
            c.iter()
                .any(|c| c["type"] == "Ready" && c["status"] == "True")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_capped_over_the_whole_cluster_oldest_first() {
        let mut store = Store::new(1);
        let pod = |namespace: &str, name: &str| {
            json!({"kind": "Pod", "apiVersion": "v1",
                   "metadata": {"namespace": namespace, "name": name, "uid": name}})
        };
        for i in 0..EVENTS_KEPT {
            record_event(
                &mut store,
                &pod("load-00", &format!("p{i}")),
                "Normal",
                "Pulled",
                "pulled",
            );
        }
        for i in 0..50 {
            record_event(
                &mut store,
                &pod("load-01", &format!("q{i}")),
                "Normal",
                "Pulled",
                "pulled",
            );
        }
        let kept = |ns| store.count("events", Some(ns));
        assert_eq!(kept("load-00") + kept("load-01"), EVENTS_KEPT);
        assert_eq!(kept("load-01"), 50, "the newest stay");
        let first = store.list("events", Some("load-00"));
        assert!(
            first.iter().all(|e| e["involvedObject"]["name"] != "p0"),
            "the oldest went first"
        );
        assert!(
            first.iter().any(|e| e["involvedObject"]["name"] == "p50"),
            "p50 is the oldest left"
        );
    }
}
