//! Services: cluster IPs, nodePorts, and the listeners that answer on them.

use super::common::*;
use crate::sim::http::{Responder, hello_server};
use crate::sim::kube::selectors::LabelSelector;
use crate::sim::kube::shared::KubeShared;
use crate::sim::kube::store::Store;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::Arc;
use tokio::task::JoinHandle;

pub(super) fn assign_service_addresses(store: &mut Store, service: &mut Value) {
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

impl Controller {
    pub(super) fn services(&mut self, store: &mut Store, shared: &Arc<KubeShared>) {
        let services: Vec<Value> = store.list("services", None);
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

    /// Answer with the name and image of a ready pod behind the service, round-robin.
    fn responder(&self, shared: &Arc<KubeShared>, service: &Value) -> Responder {
        let shared = shared.clone();
        let ns = s(service, "/metadata/namespace").to_string();
        let selector = LabelSelector::from_match_labels(
            service.pointer("/spec/selector").unwrap_or(&json!({})),
        );
        let counter = self.round_robin.clone();
        Arc::new(move |request_line: &str, peer| {
            let mut store = shared.store.lock().unwrap_or_else(|p| p.into_inner());
            let ready: Vec<(String, String, String)> = store
                .list("pods", Some(&ns))
                .into_iter()
                .filter(|p| {
                    selector.matches(p.pointer("/metadata/labels"))
                        && pod_ready(p)
                        && p.pointer("/metadata/deletionTimestamp").is_none()
                })
                .map(|p| {
                    let image = s(&p, "/spec/containers/0/image").to_string();
                    (s(&p, "/metadata/name").to_string(), uid(&p), image)
                })
                .collect();
            if ready.is_empty() {
                return (503, "no ready endpoints for this service\n".to_string());
            }
            let (name, pod_uid, image) =
                &ready[counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % ready.len()];
            // The image names the build that serves: the dev loop's tests watch it change.
            let body = format!("Hello from {name} running {image}\n");
            store.append_pod_log(
                pod_uid,
                format!("{peer} \"{request_line}\" 200 {}", body.len()),
            );
            (200, body)
        })
    }
}
