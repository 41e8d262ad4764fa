//! The controllers that make the simulated cluster behave like minikube:
//! Deployment -> ReplicaSet -> Pods moving Pending -> ContainerCreating ->
//! Running, image checks against the simulated engine, Services with
//! nodePorts that answer on 127.0.0.1, events, and garbage collection.

use super::resources::{self, Resource};
use super::selectors::LabelSelector;
use super::shared::{KubeShared, Timing};
use super::store::Store;
use crate::sim::clock::{now_secs, rfc3339};
use crate::sim::http::{Responder, hello_server};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

mod pods;
mod services;
mod workloads;

use services::assign_service_addresses;

/// Events kept per namespace; older ones are deleted, as the API server's TTL would.
const EVENTS_KEPT: usize = 1_000;

fn res(plural: &str) -> &'static Resource {
    let group = if matches!(plural, "deployments" | "replicasets") {
        "apps"
    } else {
        ""
    };
    resources::by_plural(group, plural).unwrap_or(&resources::RESOURCES[0])
}

fn s<'a>(object: &'a Value, pointer: &str) -> &'a str {
    object
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn uid(object: &Value) -> String {
    s(object, "/metadata/uid").to_string()
}

/// Filled in when an object is created: service IPs and nodePorts, a pod's first status.
pub fn on_create(store: &mut Store, resource: &Resource, object: &mut Value) {
    match resource.plural {
        "services" => assign_service_addresses(store, object),
        "pods"
            if object
                .get("status")
                .is_none_or(|s| s.get("phase").is_none()) =>
        {
            object["status"] = json!({"phase": "Pending", "qosClass": "BestEffort"});
        }
        "deployments" | "replicasets" if object.get("status").is_none() => {
            object["status"] = json!({})
        }
        "namespaces" => object["status"] = json!({"phase": "Active"}),
        _ => {}
    }
}

pub fn on_update(store: &mut Store, resource: &Resource, _before: &Value, after: &mut Value) {
    if resource.plural == "services" {
        assign_service_addresses(store, after);
    }
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
    let component = match reason {
        "Scheduled" => "default-scheduler",
        "SuccessfulCreate" | "SuccessfulDelete" => "replicaset-controller",
        "ScalingReplicaSet" => "deployment-controller",
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
    let order = store.event_order.entry(namespace.clone()).or_default();
    order.push_back(name);
    let expired: Vec<String> = if order.len() > EVENTS_KEPT {
        order.drain(..order.len() - EVENTS_KEPT).collect()
    } else {
        Vec::new()
    };
    for old in expired {
        store.remove(events, &namespace, &old);
    }
}

fn owned_by(object: &Value, owner_uid: &str) -> bool {
    object
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .is_some_and(|refs| refs.iter().any(|r| r["uid"] == json!(owner_uid)))
}

/// Delete what lost its owner (ReplicaSets of a deleted Deployment, Pods of a deleted ReplicaSet).
pub fn collect_garbage(store: &mut Store) {
    loop {
        let live: HashSet<String> = ["deployments", "replicasets"]
            .iter()
            .flat_map(|p| store.list(p, None))
            .map(uid)
            .collect();
        let orphans: Vec<(&'static str, String, String)> = ["replicasets", "pods"]
            .iter()
            .flat_map(|plural| {
                store
                    .list(plural, None)
                    .into_iter()
                    .filter(|o| {
                        o.pointer("/metadata/ownerReferences")
                            .and_then(Value::as_array)
                            .is_some_and(|refs| {
                                refs.iter().any(|r| {
                                    matches!(r["kind"].as_str(), Some("Deployment" | "ReplicaSet"))
                                        && !live.contains(r["uid"].as_str().unwrap_or(""))
                                })
                            })
                    })
                    .map(|o| {
                        (
                            *plural,
                            s(o, "/metadata/namespace").to_string(),
                            s(o, "/metadata/name").to_string(),
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut changed = false;
        for (plural, ns, name) in orphans {
            if plural == "pods" {
                changed |= mark_terminating(store, &ns, &name);
            } else {
                store.remove(res(plural), &ns, &name);
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

fn mark_terminating(store: &mut Store, ns: &str, name: &str) -> bool {
    let Some(pod) = store.get("pods", ns, name).cloned() else {
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
struct Tracked {
    namespace: String,
    name: String,
    since: Instant,
}

/// What the ReplicaSet controller needs of each pod, gathered in one pass.
struct PodInfo {
    name: String,
    ready: bool,
    terminating: bool,
    rv: u64,
}

#[derive(Default)]
pub struct Controller {
    /// Pods still on their way to Running (or stuck waiting), by uid.
    stage_since: HashMap<String, Tracked>,
    /// Pods being deleted, by uid.
    terminating_since: HashMap<String, Tracked>,
    listeners: HashMap<String, (Vec<i64>, Vec<JoinHandle<()>>)>,
    round_robin: Arc<std::sync::atomic::AtomicUsize>,
    last_rv: u64,
    next_ip: u32,
}

impl Drop for Controller {
    fn drop(&mut self) {
        for (_, (_, tasks)) in self.listeners.drain() {
            tasks.iter().for_each(JoinHandle::abort);
        }
    }
}

pub async fn run(shared: Arc<KubeShared>) {
    let mut controller = Controller::default();
    let mut tick = tokio::time::interval(shared.timing.tick);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
        controller.reconcile(&shared);
    }
}

impl Controller {
    pub fn reconcile(&mut self, shared: &Arc<KubeShared>) {
        let images = shared.engine_images();
        let mut store = shared.store.lock().unwrap_or_else(|p| p.into_inner());
        let busy = !self.stage_since.is_empty()
            || !self.terminating_since.is_empty()
            || store.resource_version() != self.last_rv;
        if !busy {
            return;
        }
        self.discover(&store);
        // What this pass writes is looked at again on the next one (statuses follow pods a tick
        // later); a pass that writes nothing leaves the version alone, and the loop goes quiet.
        self.last_rv = store.resource_version();
        self.deployments(&mut store);
        self.replicasets(&mut store);
        self.pods(&mut store, &shared.timing, &images);
        self.services(&mut store, shared);
    }
}

fn same_status(current: Option<&Value>, next: &Value) -> bool {
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
