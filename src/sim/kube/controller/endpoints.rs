//! Endpoints and EndpointSlices, as the endpoints and endpointslice
//! controllers keep them: for every Service with a selector, the pods it
//! selects (ready ones as addresses, the others as not ready), with the
//! port each Service port reaches on them (a named targetPort looked up in
//! the pod's containers). `kubectl get endpoints` and `describe service`
//! read them; they follow a scale or a deleted pod on the next pass.

use super::common::*;
use crate::sim::kube::selectors::LabelSelector;
use crate::sim::kube::store::Store;
use serde_json::{Value, json};
use std::collections::HashSet;

/// The slices' label naming their Service, as the real controller sets it.
const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";

struct Backend {
    ip: String,
    node: String,
    ready: bool,
    terminating: bool,
    pod: Value,
}

impl Controller {
    pub(super) fn endpoints(&mut self, store: &mut Store) {
        let services: Vec<Value> = store.list("services", None);
        let mut kept: HashSet<(String, String)> = HashSet::new();
        for service in &services {
            let Some(selector) = service
                .pointer("/spec/selector")
                .filter(|s| s.as_object().is_some_and(|m| !m.is_empty()))
            else {
                continue;
            };
            let namespace = s(service, "/metadata/namespace").to_string();
            let name = s(service, "/metadata/name").to_string();
            kept.insert((namespace.clone(), name.clone()));
            let selector = LabelSelector::from_match_labels(selector);
            let mut backends: Vec<Backend> = store
                .list("pods", Some(&namespace))
                .into_iter()
                .filter(|p| selector.matches(p.pointer("/metadata/labels")))
                .filter(|p| !s(p, "/status/podIP").is_empty())
                .map(|p| Backend {
                    ip: s(&p, "/status/podIP").to_string(),
                    node: s(&p, "/spec/nodeName").to_string(),
                    ready: pod_ready(&p),
                    terminating: p.pointer("/metadata/deletionTimestamp").is_some(),
                    pod: p.clone(),
                })
                .collect();
            backends.sort_by(|a, b| a.ip.cmp(&b.ip));
            let ports = service_ports(service, backends.first().map(|b| &b.pod));
            write_endpoints(store, service, &backends, &ports);
            write_slice(store, service, &backends, &ports);
        }
        // A Service's endpoints go with it.
        let stale: Vec<(String, String)> = store
            .list("endpoints", None)
            .into_iter()
            .map(|e| {
                (
                    s(&e, "/metadata/namespace").to_string(),
                    s(&e, "/metadata/name").to_string(),
                )
            })
            .filter(|key| !kept.contains(key) && key.1 != "kubernetes")
            .collect();
        for (namespace, name) in stale {
            store.remove(res("endpoints"), &namespace, &name);
        }
        let stale_slices: Vec<(String, String)> = store
            .list("endpointslices", None)
            .into_iter()
            .filter(|e| {
                let service = e
                    .pointer(&format!(
                        "/metadata/labels/{}",
                        SERVICE_NAME_LABEL.replace('/', "~1")
                    ))
                    .and_then(Value::as_str)
                    .unwrap_or("");
                !kept.contains(&(s(e, "/metadata/namespace").to_string(), service.to_string()))
                    && service != "kubernetes"
            })
            .map(|e| {
                (
                    s(&e, "/metadata/namespace").to_string(),
                    s(&e, "/metadata/name").to_string(),
                )
            })
            .collect();
        for (namespace, name) in stale_slices {
            store.remove(res("endpointslices"), &namespace, &name);
        }
    }
}

/// Each Service port as its endpoints carry it: its name, the port it
/// reaches on the pods, its protocol.
fn service_ports(service: &Value, pod: Option<&Value>) -> Vec<Value> {
    let ports = service
        .pointer("/spec/ports")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    ports
        .iter()
        .map(|port| {
            let target = match port.get("targetPort") {
                Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
                Some(Value::String(named)) => pod.and_then(|p| named_port(p, named)).unwrap_or(0),
                _ => port["port"].as_i64().unwrap_or(0),
            };
            // A slice's port always has a name, "" when the Service's has none
            // (kubectl describe reads it unchecked); Endpoints leave it out.
            json!({"name": port["name"].as_str().unwrap_or(""), "port": target,
                   "protocol": port["protocol"].as_str().unwrap_or("TCP")})
        })
        .filter(|p| p["port"].as_i64().unwrap_or(0) > 0)
        .collect()
}

fn named_port(pod: &Value, name: &str) -> Option<i64> {
    pod.pointer("/spec/containers")?
        .as_array()?
        .iter()
        .flat_map(|c| c["ports"].as_array().cloned().unwrap_or_default())
        .find(|p| p["name"] == name)
        .and_then(|p| p["containerPort"].as_i64())
}

fn target_ref(pod: &Value) -> Value {
    json!({
        "kind": "Pod",
        "namespace": s(pod, "/metadata/namespace"),
        "name": s(pod, "/metadata/name"),
        "uid": s(pod, "/metadata/uid"),
    })
}

fn write_endpoints(store: &mut Store, service: &Value, backends: &[Backend], ports: &[Value]) {
    let namespace = s(service, "/metadata/namespace");
    let name = s(service, "/metadata/name");
    let address =
        |b: &Backend| json!({"ip": b.ip, "nodeName": b.node, "targetRef": target_ref(&b.pod)});
    let ready: Vec<Value> = backends
        .iter()
        .filter(|b| b.ready && !b.terminating)
        .map(address)
        .collect();
    let not_ready: Vec<Value> = backends
        .iter()
        .filter(|b| !b.ready || b.terminating)
        .map(address)
        .collect();
    let mut subset = serde_json::Map::new();
    if !ready.is_empty() {
        subset.insert("addresses".into(), json!(ready));
    }
    if !not_ready.is_empty() {
        subset.insert("notReadyAddresses".into(), json!(not_ready));
    }
    let mut endpoints = json!({
        "metadata": {"name": name, "namespace": namespace,
                     "labels": service.pointer("/metadata/labels").cloned().unwrap_or(json!({}))},
    });
    if !subset.is_empty() && !ports.is_empty() {
        let ports: Vec<Value> = ports
            .iter()
            .cloned()
            .map(|mut p| {
                if p["name"] == "" {
                    p.as_object_mut().map(|m| m.remove("name"));
                }
                p
            })
            .collect();
        subset.insert("ports".into(), json!(ports));
        endpoints["subsets"] = json!([subset]);
    }
    put(store, "endpoints", namespace, name, endpoints, &["subsets"]);
}

fn write_slice(store: &mut Store, service: &Value, backends: &[Backend], ports: &[Value]) {
    let namespace = s(service, "/metadata/namespace").to_string();
    let service_name = s(service, "/metadata/name").to_string();
    let existing = store
        .list("endpointslices", Some(&namespace))
        .into_iter()
        .find(|e| {
            e.pointer(&format!(
                "/metadata/labels/{}",
                SERVICE_NAME_LABEL.replace('/', "~1")
            )) == Some(&json!(service_name))
        })
        .map(|e| s(&e, "/metadata/name").to_string());
    let name = existing.unwrap_or_else(|| {
        let suffix = store.random_suffix(&format!("endpointslice/{namespace}/{service_name}"), 5);
        format!("{service_name}-{suffix}")
    });
    let endpoints: Vec<Value> = backends
        .iter()
        .map(|b| {
            json!({
                "addresses": [b.ip],
                "conditions": {"ready": b.ready && !b.terminating, "serving": b.ready, "terminating": b.terminating},
                "nodeName": b.node,
                "targetRef": target_ref(&b.pod),
            })
        })
        .collect();
    let slice = json!({
        "metadata": {
            "name": name, "namespace": namespace,
            "labels": {SERVICE_NAME_LABEL: service_name, "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"},
            "ownerReferences": [{"apiVersion": "v1", "kind": "Service", "name": service_name,
                                 "uid": s(service, "/metadata/uid"), "controller": true, "blockOwnerDeletion": true}],
        },
        "addressType": "IPv4",
        "endpoints": endpoints,
        "ports": ports,
    });
    put(
        store,
        "endpointslices",
        &namespace,
        &name,
        slice,
        &["endpoints", "ports"],
    );
}

/// Store the object unless what it says (`fields`) is already so.
fn put(
    store: &mut Store,
    plural: &str,
    namespace: &str,
    name: &str,
    object: Value,
    fields: &[&str],
) {
    let resource = res(plural);
    match store.get(resource.plural, namespace, name) {
        Some(old) if fields.iter().all(|f| old.get(*f) == object.get(*f)) => {}
        Some(old) => {
            let mut next = object;
            next["metadata"]["uid"] = old["metadata"]["uid"].clone();
            store.replace(resource, next);
        }
        None => {
            store.insert(resource, object);
        }
    }
}
