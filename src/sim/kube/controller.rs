//! The controllers that make the simulated cluster behave like minikube:
//! Deployment -> ReplicaSet -> Pods moving Pending -> ContainerCreating ->
//! Running, image checks against the simulated engine, Services with
//! nodePorts that answer on 127.0.0.1, events, and garbage collection.

use super::KubeShared;
use super::resources::{self, Resource};
use super::selectors::LabelSelector;
use super::store::Store;
use crate::sim::clock::{now_secs, rfc3339};
use crate::sim::http::{Responder, hello_server};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// Events kept per namespace; older ones are deleted, as the API server's TTL would.
const EVENTS_KEPT: usize = 1_000;

#[derive(Debug, Clone)]
pub struct Timing {
    pub schedule: Duration,
    pub create: Duration,
    pub back_off: Duration,
    pub terminate: Duration,
    pub tick: Duration,
    /// How often a watch that asked for bookmarks gets one.
    pub bookmark: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            schedule: Duration::from_millis(150),
            create: Duration::from_millis(600),
            back_off: Duration::from_millis(1500),
            terminate: Duration::from_millis(800),
            tick: Duration::from_millis(100),
            bookmark: Duration::from_secs(5),
        }
    }
}

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

fn assign_service_addresses(store: &mut Store, service: &mut Value) {
    if s(service, "/spec/clusterIP").is_empty() {
        let n = store.list("services", None).len() as u64
            + 1
            + store.derive(&format!("cluster-ip/{}", s(service, "/metadata/name"))) % 200;
        let ip = format!(
            "10.{}.{}.{}",
            96 + (n / 65_536) % 4,
            (n / 256) % 256,
            n % 254 + 1
        );
        service["spec"]["clusterIP"] = json!(ip);
        service["spec"]["clusterIPs"] = json!([ip]);
    }
    let wants_node_port = matches!(s(service, "/spec/type"), "NodePort" | "LoadBalancer");
    let taken: HashSet<i64> = store
        .list("services", None)
        .iter()
        .filter(|other| other.pointer("/metadata/uid") != service.pointer("/metadata/uid"))
        .flat_map(|o| {
            o.pointer("/spec/ports")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|p| p["nodePort"].as_i64())
        .collect();
    let node_port_key = format!(
        "node-port/{}/{}",
        s(service, "/metadata/namespace"),
        s(service, "/metadata/name")
    );
    if let Some(ports) = service
        .pointer_mut("/spec/ports")
        .and_then(Value::as_array_mut)
    {
        for port in ports {
            if !wants_node_port {
                if let Some(map) = port.as_object_mut() {
                    map.remove("nodePort");
                }
                continue;
            }
            if port.get("nodePort").and_then(Value::as_i64).is_none() {
                let mut candidate = 30_000 + (store.derive(&node_port_key) % 2768) as i64;
                while taken.contains(&candidate) {
                    candidate = 30_000 + (candidate - 30_000 + 1) % 2768;
                }
                port["nodePort"] = json!(candidate);
            }
        }
    }
    if s(service, "/spec/type") == "LoadBalancer" {
        // Without `minikube tunnel` nothing fills the ingress: EXTERNAL-IP stays <pending>.
        service["status"] = json!({"loadBalancer": {}});
    } else if service.get("status").is_none() {
        service["status"] = json!({"loadBalancer": {}});
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

/// A short hash of a pod template, in Kubernetes' safe alphabet, for `pod-template-hash`.
fn template_hash(template: &Value) -> String {
    let digest = crate::sim::docker::state::sha256_hex(&[template.to_string().as_bytes()]);
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    digest
        .as_bytes()
        .chunks(2)
        .take(10)
        .map(|pair| ALPHABET[(pair[0] as usize * 7 + pair[1] as usize) % ALPHABET.len()] as char)
        .collect()
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

    fn deployments(&mut self, store: &mut Store) {
        let deployments: Vec<Value> = store
            .list("deployments", None)
            .into_iter()
            .cloned()
            .collect();
        for deployment in deployments {
            let (ns, name, duid) = (
                s(&deployment, "/metadata/namespace").to_string(),
                s(&deployment, "/metadata/name").to_string(),
                uid(&deployment),
            );
            let desired = deployment
                .pointer("/spec/replicas")
                .and_then(Value::as_i64)
                .unwrap_or(1);
            let template = deployment
                .pointer("/spec/template")
                .cloned()
                .unwrap_or(json!({}));
            let hash = template_hash(&template);
            let rs_name = format!("{name}-{hash}");
            let owned: Vec<Value> = store
                .list("replicasets", Some(&ns))
                .into_iter()
                .filter(|r| owned_by(r, &duid))
                .cloned()
                .collect();
            let revision = owned.len() as i64 + 1;
            match owned.iter().find(|r| s(r, "/metadata/name") == rs_name) {
                None => {
                    let mut labels = template
                        .pointer("/metadata/labels")
                        .cloned()
                        .unwrap_or(json!({}));
                    labels["pod-template-hash"] = json!(hash);
                    let mut selector = deployment
                        .pointer("/spec/selector/matchLabels")
                        .cloned()
                        .unwrap_or(json!({}));
                    selector["pod-template-hash"] = json!(hash);
                    let mut rs_template = template.clone();
                    rs_template["metadata"]["labels"] = labels.clone();
                    let rs = json!({
                        "metadata": {"name": rs_name, "namespace": ns, "labels": labels,
                                     "annotations": {"deployment.kubernetes.io/revision": revision.to_string(), "deployment.kubernetes.io/desired-replicas": desired.to_string()},
                                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": name, "uid": duid, "controller": true, "blockOwnerDeletion": true}]},
                        "spec": {"replicas": desired, "selector": {"matchLabels": selector}, "template": rs_template},
                        "status": {"replicas": 0},
                    });
                    store.insert(res("replicasets"), rs);
                    record_event(
                        store,
                        &deployment,
                        "Normal",
                        "ScalingReplicaSet",
                        &format!("Scaled up replica set {rs_name} from 0 to {desired}"),
                    );
                }
                Some(rs) => {
                    let current = rs
                        .pointer("/spec/replicas")
                        .and_then(Value::as_i64)
                        .unwrap_or(0);
                    if current != desired {
                        let mut next = rs.clone();
                        next["spec"]["replicas"] = json!(desired);
                        store.replace(res("replicasets"), next);
                        let verb = if desired > current { "up" } else { "down" };
                        record_event(
                            store,
                            &deployment,
                            "Normal",
                            "ScalingReplicaSet",
                            &format!(
                                "Scaled {verb} replica set {rs_name} from {current} to {desired}"
                            ),
                        );
                    }
                }
            }
            // Rolling update, simplified: old sets go to zero once the new one is fully ready.
            let new_ready = store
                .get("replicasets", &ns, &rs_name)
                .and_then(|r| r.pointer("/status/readyReplicas"))
                .and_then(Value::as_i64)
                .unwrap_or(0);
            for old in owned.iter().filter(|r| s(r, "/metadata/name") != rs_name) {
                let old_replicas = old
                    .pointer("/spec/replicas")
                    .and_then(Value::as_i64)
                    .unwrap_or(0);
                if old_replicas > 0 && new_ready >= desired {
                    let mut next = old.clone();
                    next["spec"]["replicas"] = json!(0);
                    store.replace(res("replicasets"), next);
                    record_event(
                        store,
                        &deployment,
                        "Normal",
                        "ScalingReplicaSet",
                        &format!(
                            "Scaled down replica set {} from {old_replicas} to 0",
                            s(old, "/metadata/name")
                        ),
                    );
                }
            }
            self.deployment_status(store, &deployment, &rs_name, desired);
        }
    }

    fn deployment_status(
        &self,
        store: &mut Store,
        deployment: &Value,
        rs_name: &str,
        desired: i64,
    ) {
        let ns = s(deployment, "/metadata/namespace");
        let duid = uid(deployment);
        let sets: Vec<&Value> = store
            .list("replicasets", Some(ns))
            .into_iter()
            .filter(|r| owned_by(r, &duid))
            .collect();
        let sum = |p: &str| {
            sets.iter()
                .filter_map(|r| r.pointer(p).and_then(Value::as_i64))
                .sum::<i64>()
        };
        let (replicas, ready) = (sum("/status/replicas"), sum("/status/readyReplicas"));
        let updated = sets
            .iter()
            .find(|r| s(r, "/metadata/name") == rs_name)
            .and_then(|r| r.pointer("/status/replicas"))
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let complete = updated == desired && replicas == desired && ready == desired;
        let now = rfc3339(now_secs());
        let mut status = json!({
            "observedGeneration": deployment.pointer("/metadata/generation").cloned().unwrap_or(json!(1)),
            "replicas": replicas, "updatedReplicas": updated, "readyReplicas": ready, "availableReplicas": ready,
            "conditions": [
                {"type": "Available", "status": if ready >= desired { "True" } else { "False" }, "reason": if ready >= desired { "MinimumReplicasAvailable" } else { "MinimumReplicasUnavailable" },
                 "message": if ready >= desired { "Deployment has minimum availability." } else { "Deployment does not have minimum availability." }, "lastUpdateTime": now, "lastTransitionTime": now},
                {"type": "Progressing", "status": "True", "reason": if complete { "NewReplicaSetAvailable" } else { "ReplicaSetUpdated" },
                 "message": if complete { format!("ReplicaSet \"{rs_name}\" has successfully progressed.") } else { format!("ReplicaSet \"{rs_name}\" is progressing.") }, "lastUpdateTime": now, "lastTransitionTime": now},
            ],
        });
        if replicas > ready {
            status["unavailableReplicas"] = json!(replicas - ready);
        }
        if let Some(current) = store.get("deployments", ns, s(deployment, "/metadata/name"))
            && !same_status(current.get("status"), &status)
        {
            let mut next = current.clone();
            next["status"] = status;
            store.replace(res("deployments"), next);
        }
    }

    fn replicasets(&mut self, store: &mut Store) {
        // One pass over the pods, indexed by owner: each set then costs only its own pods.
        let mut by_owner: HashMap<String, Vec<PodInfo>> = HashMap::new();
        for pod in store.list("pods", None) {
            let Some(owner) = pod
                .pointer("/metadata/ownerReferences/0/uid")
                .and_then(Value::as_str)
            else {
                continue;
            };
            by_owner
                .entry(owner.to_string())
                .or_default()
                .push(PodInfo {
                    name: s(pod, "/metadata/name").to_string(),
                    ready: pod_ready(pod),
                    terminating: pod.pointer("/metadata/deletionTimestamp").is_some(),
                    rv: s(pod, "/metadata/resourceVersion").parse().unwrap_or(0),
                });
        }
        let sets: Vec<Value> = store
            .list("replicasets", None)
            .into_iter()
            .cloned()
            .collect();
        for rs in sets {
            let (ns, name, rs_uid) = (
                s(&rs, "/metadata/namespace").to_string(),
                s(&rs, "/metadata/name").to_string(),
                uid(&rs),
            );
            let desired = rs
                .pointer("/spec/replicas")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            let mut live: Vec<PodInfo> = by_owner
                .remove(&rs_uid)
                .unwrap_or_default()
                .into_iter()
                .filter(|p| !p.terminating)
                .collect();
            let count = live.len() as i64;
            if count < desired {
                for _ in count..desired {
                    let pod_name = format!(
                        "{name}-{}",
                        store.random_suffix(&format!("pod/{ns}/{name}"), 5)
                    );
                    let template = rs.pointer("/spec/template").cloned().unwrap_or(json!({}));
                    let mut pod = json!({
                        "metadata": {"name": pod_name, "namespace": ns, "labels": template.pointer("/metadata/labels").cloned().unwrap_or(json!({})),
                                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": name, "uid": rs_uid, "controller": true, "blockOwnerDeletion": true}]},
                        "spec": template.get("spec").cloned().unwrap_or(json!({})),
                    });
                    on_create(store, res("pods"), &mut pod);
                    let stored = store.insert(res("pods"), pod);
                    self.stage_since.insert(
                        uid(&stored),
                        Tracked {
                            namespace: ns.clone(),
                            name: pod_name.clone(),
                            since: Instant::now(),
                        },
                    );
                    record_event(
                        store,
                        &rs,
                        "Normal",
                        "SuccessfulCreate",
                        &format!("Created pod: {pod_name}"),
                    );
                }
            } else if count > desired {
                // The newest go first.
                live.sort_by_key(|p| std::cmp::Reverse(p.rv));
                for pod in live.drain(..(count - desired) as usize) {
                    mark_terminating(store, &ns, &pod.name);
                    record_event(
                        store,
                        &rs,
                        "Normal",
                        "SuccessfulDelete",
                        &format!("Deleted pod: {}", pod.name),
                    );
                }
            }
            // Pods made in this pass are counted on the next one, a tick later, as a real controller's informer would.
            let ready = live.iter().filter(|p| p.ready).count();
            let status = json!({"replicas": live.len(), "fullyLabeledReplicas": live.len(), "readyReplicas": ready, "availableReplicas": ready,
                                "observedGeneration": rs.pointer("/metadata/generation").cloned().unwrap_or(json!(1))});
            if let Some(current) = store.get("replicasets", &ns, &name)
                && !same_status(current.get("status"), &status)
            {
                let mut next = current.clone();
                next["status"] = status;
                store.replace(res("replicasets"), next);
            }
        }
    }

    /// Pods to move along, from the changes since the last pass: new ones,
    /// ones being deleted, ones gone. Only these are visited, so a quiet
    /// cluster of 10,000 running pods costs nothing per tick.
    fn discover(&mut self, store: &Store) {
        for change in store
            .changes_after(self.last_rv)
            .filter(|c| c.plural == "pods")
        {
            let pod = &change.object;
            let pod_uid = uid(pod);
            let tracked = || Tracked {
                namespace: change.namespace.clone(),
                name: s(pod, "/metadata/name").to_string(),
                since: Instant::now(),
            };
            match change.kind {
                "DELETED" => {
                    self.stage_since.remove(&pod_uid);
                    self.terminating_since.remove(&pod_uid);
                }
                _ if pod.pointer("/metadata/deletionTimestamp").is_some() => {
                    self.stage_since.remove(&pod_uid);
                    self.terminating_since
                        .entry(pod_uid)
                        .or_insert_with(tracked);
                }
                "ADDED" if s(pod, "/status/phase") != "Running" => {
                    self.stage_since.entry(pod_uid).or_insert_with(tracked);
                }
                _ => {}
            }
        }
    }

    fn pods(&mut self, store: &mut Store, timing: &Timing, images: &HashSet<String>) {
        let done: Vec<(String, String, String)> = self
            .terminating_since
            .iter()
            .filter(|(_, t)| t.since.elapsed() >= timing.terminate)
            .map(|(u, t)| (u.clone(), t.namespace.clone(), t.name.clone()))
            .collect();
        for (pod_uid, ns, name) in done {
            self.terminating_since.remove(&pod_uid);
            if store
                .get("pods", &ns, &name)
                .is_some_and(|p| uid(p) == pod_uid)
            {
                store.remove(res("pods"), &ns, &name);
            }
        }
        let candidates: Vec<(String, String, String, Duration)> = self
            .stage_since
            .iter()
            .map(|(u, t)| {
                (
                    u.clone(),
                    t.namespace.clone(),
                    t.name.clone(),
                    t.since.elapsed(),
                )
            })
            .collect();
        for (pod_uid, ns, name, elapsed) in candidates {
            let Some(pod) = store
                .get("pods", &ns, &name)
                .filter(|p| uid(p) == pod_uid)
                .cloned()
            else {
                self.stage_since.remove(&pod_uid);
                continue;
            };
            let phase = s(&pod, "/status/phase").to_string();
            let waiting = s(&pod, "/status/containerStatuses/0/state/waiting/reason").to_string();
            let scheduled = !s(&pod, "/spec/nodeName").is_empty();
            let next = if !scheduled && elapsed >= timing.schedule {
                Some(self.schedule(store, &pod))
            } else if scheduled && phase == "Pending" && elapsed >= timing.create {
                self.start_containers(
                    store,
                    &pod,
                    images,
                    &waiting,
                    elapsed >= timing.create + timing.back_off,
                )
            } else {
                None
            };
            let Some(next) = next else { continue };
            let running = s(&next, "/status/phase") == "Running";
            let next_waiting =
                s(&next, "/status/containerStatuses/0/state/waiting/reason").to_string();
            store.replace(res("pods"), next);
            if running {
                self.stage_since.remove(&pod_uid);
            } else if (next_waiting != waiting || !scheduled)
                && let Some(tracked) = self.stage_since.get_mut(&pod_uid)
            {
                // A new stage: its own delay starts now.
                tracked.since = Instant::now();
            }
        }
    }

    fn schedule(&self, store: &mut Store, pod: &Value) -> Value {
        let mut next = pod.clone();
        let now = rfc3339(now_secs());
        next["spec"]["nodeName"] = json!("minikube");
        next["status"]["hostIP"] = json!("127.0.0.1");
        next["status"]["startTime"] = json!(now);
        next["status"]["conditions"] =
            json!([{"type": "PodScheduled", "status": "True", "lastTransitionTime": now}]);
        next["status"]["containerStatuses"] = container_statuses(
            pod,
            |_| json!({"waiting": {"reason": "ContainerCreating"}}),
            false,
        );
        let pod_ref = format!(
            "{}/{}",
            s(pod, "/metadata/namespace"),
            s(pod, "/metadata/name")
        );
        record_event(
            store,
            pod,
            "Normal",
            "Scheduled",
            &format!("Successfully assigned {pod_ref} to minikube"),
        );
        next
    }

    /// Images present on the simulated engine (or preloaded, as on minikube) start; others fail as minikube's would.
    fn start_containers(
        &mut self,
        store: &mut Store,
        pod: &Value,
        images: &HashSet<String>,
        waiting: &str,
        backed_off: bool,
    ) -> Option<Value> {
        let containers = pod
            .pointer("/spec/containers")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let missing: Vec<&Value> = containers
            .iter()
            .filter(|c| !image_present(s(c, "/image"), images))
            .collect();
        if let Some(container) = missing.first() {
            let image = s(container, "/image");
            let never = s(container, "/imagePullPolicy") == "Never";
            let (reason, message) = if never {
                (
                    "ErrImageNeverPull",
                    format!("Container image \"{image}\" is not present with pull policy of Never"),
                )
            } else if waiting == "ErrImagePull" && backed_off {
                (
                    "ImagePullBackOff",
                    format!("Back-off pulling image \"{image}\""),
                )
            } else if waiting == "ImagePullBackOff" {
                return None;
            } else {
                (
                    "ErrImagePull",
                    format!(
                        "Failed to pull image \"{image}\": the pilothouse simulated cluster has no registry; build the image on its engine"
                    ),
                )
            };
            if reason == waiting {
                return None;
            }
            let mut next = pod.clone();
            next["status"]["containerStatuses"] = container_statuses(
                pod,
                |c| {
                    if image_present(s(c, "/image"), images) {
                        json!({"waiting": {"reason": "ContainerCreating"}})
                    } else {
                        json!({"waiting": {"reason": reason, "message": message}})
                    }
                },
                false,
            );
            let event_reason = if reason == "ImagePullBackOff" {
                "BackOff"
            } else if never {
                "ErrImageNeverPull"
            } else {
                "Failed"
            };
            let kind = if reason == "ImagePullBackOff" {
                "Normal"
            } else {
                "Warning"
            };
            record_event(store, pod, kind, event_reason, &message);
            return Some(next);
        }
        let now = rfc3339(now_secs());
        let mut next = pod.clone();
        self.next_ip = self.next_ip.wrapping_add(1);
        let index = self.next_ip % 250 + 2;
        next["status"]["phase"] = json!("Running");
        next["status"]["podIP"] = json!(format!("10.244.0.{index}"));
        next["status"]["podIPs"] = json!([{"ip": format!("10.244.0.{index}")}]);
        next["status"]["conditions"] = json!([
            {"type": "Initialized", "status": "True", "lastTransitionTime": now},
            {"type": "Ready", "status": "True", "lastTransitionTime": now},
            {"type": "ContainersReady", "status": "True", "lastTransitionTime": now},
            {"type": "PodScheduled", "status": "True", "lastTransitionTime": now},
        ]);
        next["status"]["containerStatuses"] =
            container_statuses(pod, |_| json!({"running": {"startedAt": now}}), true);
        let pod_uid = uid(pod);
        for container in &containers {
            let (cname, image) = (s(container, "/name"), s(container, "/image"));
            record_event(
                store,
                pod,
                "Normal",
                "Pulled",
                &format!("Container image \"{image}\" already present on machine"),
            );
            record_event(
                store,
                pod,
                "Normal",
                "Created",
                &format!("Created container {cname}"),
            );
            record_event(
                store,
                pod,
                "Normal",
                "Started",
                &format!("Started container {cname}"),
            );
            store.append_pod_log(
                &pod_uid,
                format!(
                    "[pilothouse sim] {} started {image}",
                    s(pod, "/metadata/name")
                ),
            );
        }
        Some(next)
    }

    fn services(&mut self, store: &mut Store, shared: &Arc<KubeShared>) {
        let services: Vec<Value> = store.list("services", None).into_iter().cloned().collect();
        let live: HashSet<String> = services.iter().map(uid).collect();
        self.listeners.retain(|u, (_, tasks)| {
            let keep = live.contains(u);
            if !keep {
                tasks.iter().for_each(JoinHandle::abort);
            }
            keep
        });
        for service in services {
            let service_uid = uid(&service);
            let ports: Vec<i64> = service
                .pointer("/spec/ports")
                .and_then(Value::as_array)
                .map(|l| l.iter().filter_map(|p| p["nodePort"].as_i64()).collect())
                .unwrap_or_default();
            if self
                .listeners
                .get(&service_uid)
                .is_some_and(|(bound, _)| *bound == ports)
            {
                continue;
            }
            if let Some((_, tasks)) = self.listeners.remove(&service_uid) {
                tasks.iter().for_each(JoinHandle::abort);
            }
            let mut tasks = Vec::new();
            for port in &ports {
                match std::net::TcpListener::bind(("127.0.0.1", *port as u16))
                    .and_then(|l| l.set_nonblocking(true).map(|_| l))
                    .and_then(tokio::net::TcpListener::from_std)
                {
                    Ok(listener) => tasks.push(tokio::spawn(hello_server(
                        listener,
                        self.responder(shared, &service),
                    ))),
                    Err(e) => record_event(
                        store,
                        &service,
                        "Warning",
                        "FailedToBindNodePort",
                        &format!("cannot listen on 127.0.0.1:{port}: {e}"),
                    ),
                }
            }
            self.listeners.insert(service_uid, (ports, tasks));
        }
    }

    /// Answer with the name of a ready pod behind the service, round-robin.
    fn responder(&self, shared: &Arc<KubeShared>, service: &Value) -> Responder {
        let shared = shared.clone();
        let ns = s(service, "/metadata/namespace").to_string();
        let selector = LabelSelector::from_match_labels(
            service.pointer("/spec/selector").unwrap_or(&json!({})),
        );
        let counter = self.round_robin.clone();
        Arc::new(move |request_line: &str, peer| {
            let mut store = shared.store.lock().unwrap_or_else(|p| p.into_inner());
            let ready: Vec<(String, String)> = store
                .list("pods", Some(&ns))
                .into_iter()
                .filter(|p| {
                    selector.matches(p.pointer("/metadata/labels"))
                        && pod_ready(p)
                        && p.pointer("/metadata/deletionTimestamp").is_none()
                })
                .map(|p| (s(p, "/metadata/name").to_string(), uid(p)))
                .collect();
            if ready.is_empty() {
                return (503, "no ready endpoints for this service\n".to_string());
            }
            let (name, pod_uid) =
                &ready[counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % ready.len()];
            let body = format!("Hello from {name}\n");
            store.append_pod_log(
                pod_uid,
                format!("{peer} \"{request_line}\" 200 {}", body.len()),
            );
            (200, body)
        })
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

fn container_statuses(pod: &Value, state: impl Fn(&Value) -> Value, ready: bool) -> Value {
    let containers = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    json!(containers.iter().map(|c| {
        json!({"name": c["name"], "image": c["image"], "imageID": "", "ready": ready, "started": ready, "restartCount": 0, "state": state(c)})
    }).collect::<Vec<_>>())
}

/// minikube preloads its own images; everything else must be on the engine.
fn image_present(image: &str, images: &HashSet<String>) -> bool {
    if image.starts_with("registry.k8s.io/") || image.starts_with("gcr.io/k8s-minikube/") {
        return true;
    }
    let tagged = crate::sim::docker::state::normalize_reference(image);
    images.contains(&tagged) || images.contains(image)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_hashes_are_stable_and_safe() {
        let a = template_hash(&json!({"spec": {"containers": [{"image": "a"}]}}));
        assert_eq!(
            a,
            template_hash(&json!({"spec": {"containers": [{"image": "a"}]}}))
        );
        assert_ne!(
            a,
            template_hash(&json!({"spec": {"containers": [{"image": "b"}]}}))
        );
        assert_eq!(a.len(), 10);
        assert!(a.chars().all(|c| "bcdfghjklmnpqrstvwxz2456789".contains(c)));
    }

    #[test]
    fn preloaded_and_engine_images() {
        let images: HashSet<String> = ["cookbook:latest".to_string()].into();
        assert!(image_present("cookbook", &images));
        assert!(image_present("registry.k8s.io/pause:3.10", &images));
        assert!(!image_present("nginx", &images));
    }
}
