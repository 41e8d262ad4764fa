//! `meta.k8s.io/v1` Table answers with kubectl's columns, so `kubectl get`
//! prints what it prints against a real cluster.

use super::resources::Resource;
use serde_json::{Value, json};

/// kubectl's short ages, from an RFC 3339 timestamp.
pub fn short_age(created: &str, now: i64) -> String {
    let Some(then) = parse_rfc3339(created) else {
        return "<unknown>".into();
    };
    let now = std::time::UNIX_EPOCH + std::time::Duration::from_secs(now.max(0) as u64);
    crate::domain::kube::short_age(then, now)
}

/// "2026-11-27T10:00:00Z" -> seconds since the epoch.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let (date, time) = text.trim_end_matches('Z').split_once('T')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time
        .split(':')
        .map(|p| p.split('.').next().and_then(|s| s.parse::<i64>().ok()));
    let (hh, mm, ss) = (t.next()??, t.next()??, t.next()??);
    // Days from civil (Howard Hinnant).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * 86_400 + hh * 3600 + mm * 60 + ss)
}

fn column(name: &str, kind: &str, priority: u8) -> Value {
    let format = if name == "Name" { "name" } else { "" };
    json!({"name": name, "type": kind, "format": format, "description": "", "priority": priority})
}

fn s<'a>(object: &'a Value, pointer: &str) -> &'a str {
    crate::sim::kube::stored::text_at(object, pointer)
}

fn n(object: &Value, pointer: &str) -> i64 {
    object.pointer(pointer).and_then(Value::as_i64).unwrap_or(0)
}

pub fn columns(resource: &Resource) -> Vec<Value> {
    match resource.plural {
        "deployments" => vec![
            column("Name", "string", 0),
            column("Ready", "string", 0),
            column("Up-to-date", "integer", 0),
            column("Available", "integer", 0),
            column("Age", "string", 0),
            column("Containers", "string", 1),
            column("Images", "string", 1),
            column("Selector", "string", 1),
        ],
        "replicasets" => vec![
            column("Name", "string", 0),
            column("Desired", "integer", 0),
            column("Current", "integer", 0),
            column("Ready", "integer", 0),
            column("Age", "string", 0),
        ],
        "pods" => vec![
            column("Name", "string", 0),
            column("Ready", "string", 0),
            column("Status", "string", 0),
            column("Restarts", "string", 0),
            column("Age", "string", 0),
            column("IP", "string", 1),
            column("Node", "string", 1),
        ],
        "services" => vec![
            column("Name", "string", 0),
            column("Type", "string", 0),
            column("Cluster-IP", "string", 0),
            column("External-IP", "string", 0),
            column("Port(s)", "string", 0),
            column("Age", "string", 0),
            column("Selector", "string", 1),
        ],
        "nodes" => vec![
            column("Name", "string", 0),
            column("Status", "string", 0),
            column("Roles", "string", 0),
            column("Age", "string", 0),
            column("Version", "string", 0),
        ],
        "events" => vec![
            column("Last Seen", "string", 0),
            column("Type", "string", 0),
            column("Reason", "string", 0),
            column("Object", "string", 0),
            column("Message", "string", 0),
        ],
        other => super::table_more::columns(other).unwrap_or_else(|| {
            vec![
                column("Name", "string", 0),
                column("Status", "string", 0),
                column("Age", "string", 0),
            ]
        }),
    }
}

pub fn cells(resource: &Resource, o: &Value, now: i64) -> Vec<Value> {
    let name = s(o, "/metadata/name");
    let age = short_age(s(o, "/metadata/creationTimestamp"), now);
    match resource.plural {
        "deployments" => {
            let containers = o
                .pointer("/spec/template/spec/containers")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let names: Vec<&str> = containers
                .iter()
                .filter_map(|c| c["name"].as_str())
                .collect();
            let images: Vec<&str> = containers
                .iter()
                .filter_map(|c| c["image"].as_str())
                .collect();
            let selector = selector_text(o.pointer("/spec/selector/matchLabels"));
            vec![
                json!(name),
                json!(format!(
                    "{}/{}",
                    n(o, "/status/readyReplicas"),
                    n(o, "/spec/replicas")
                )),
                json!(n(o, "/status/updatedReplicas")),
                json!(n(o, "/status/availableReplicas")),
                json!(age),
                json!(names.join(",")),
                json!(images.join(",")),
                json!(selector),
            ]
        }
        "replicasets" => vec![
            json!(name),
            json!(n(o, "/spec/replicas")),
            json!(n(o, "/status/replicas")),
            json!(n(o, "/status/readyReplicas")),
            json!(age),
        ],
        "pods" => {
            let statuses = o
                .pointer("/status/containerStatuses")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let total = o
                .pointer("/spec/containers")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            let ready = statuses
                .iter()
                .filter(|c| c["ready"] == json!(true))
                .count();
            let restarts: i64 = statuses
                .iter()
                .filter_map(|c| c["restartCount"].as_i64())
                .sum();
            let ip = s(o, "/status/podIP");
            let node = s(o, "/spec/nodeName");
            vec![
                json!(name),
                json!(format!("{ready}/{total}")),
                json!(pod_status(o)),
                json!(restarts.to_string()),
                json!(age),
                json!(if ip.is_empty() { "<none>" } else { ip }),
                json!(if node.is_empty() { "<none>" } else { node }),
            ]
        }
        "services" => {
            let kind = s(o, "/spec/type");
            let external = match kind {
                "LoadBalancer" => {
                    let ingress: Vec<&str> = o
                        .pointer("/status/loadBalancer/ingress")
                        .and_then(Value::as_array)
                        .map(|l| l.iter().filter_map(|i| i["ip"].as_str()).collect())
                        .unwrap_or_default();
                    if ingress.is_empty() {
                        "<pending>".to_string()
                    } else {
                        ingress.join(",")
                    }
                }
                _ => "<none>".to_string(),
            };
            let ports: Vec<String> = o
                .pointer("/spec/ports")
                .and_then(Value::as_array)
                .map(|l| {
                    l.iter()
                        .map(|p| {
                            let port = p["port"].as_i64().unwrap_or(0);
                            let proto = p["protocol"].as_str().unwrap_or("TCP");
                            match p["nodePort"].as_i64() {
                                Some(node_port) => format!("{port}:{node_port}/{proto}"),
                                None => format!("{port}/{proto}"),
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            let cluster_ip = s(o, "/spec/clusterIP");
            vec![
                json!(name),
                json!(kind),
                json!(if cluster_ip.is_empty() {
                    "<none>"
                } else {
                    cluster_ip
                }),
                json!(external),
                json!(if ports.is_empty() {
                    "<none>".to_string()
                } else {
                    ports.join(",")
                }),
                json!(age),
                json!(selector_text(o.pointer("/spec/selector"))),
            ]
        }
        "nodes" => {
            let ready = o
                .pointer("/status/conditions")
                .and_then(Value::as_array)
                .and_then(|c| c.iter().find(|c| c["type"] == "Ready"))
                .is_some_and(|c| c["status"] == "True");
            let roles: Vec<&str> = o
                .pointer("/metadata/labels")
                .and_then(Value::as_object)
                .map(|l| {
                    l.keys()
                        .filter_map(|k| k.strip_prefix("node-role.kubernetes.io/"))
                        .collect()
                })
                .unwrap_or_default();
            vec![
                json!(name),
                json!(if ready { "Ready" } else { "NotReady" }),
                json!(if roles.is_empty() {
                    "<none>".to_string()
                } else {
                    roles.join(",")
                }),
                json!(age),
                json!(s(o, "/status/nodeInfo/kubeletVersion")),
            ]
        }
        "events" => {
            let last = s(o, "/lastTimestamp");
            let object = format!(
                "{}/{}",
                s(o, "/involvedObject/kind").to_lowercase(),
                s(o, "/involvedObject/name")
            );
            vec![
                json!(short_age(
                    if last.is_empty() {
                        s(o, "/metadata/creationTimestamp")
                    } else {
                        last
                    },
                    now
                )),
                json!(s(o, "/type")),
                json!(s(o, "/reason")),
                json!(object),
                json!(s(o, "/message")),
            ]
        }
        other => super::table_more::cells(other, o, name, &age, &|t| short_age(t, now))
            .unwrap_or_else(|| vec![json!(name), json!(s(o, "/status/phase")), json!(age)]),
    }
}

fn selector_text(labels: Option<&Value>) -> String {
    let pairs: Vec<String> = labels
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                .collect()
        })
        .unwrap_or_default();
    if pairs.is_empty() {
        "<none>".into()
    } else {
        pairs.join(",")
    }
}

/// The STATUS kubectl shows for a pod: the waiting reason of a container if
/// any (ErrImageNeverPull, ContainerCreating…), Terminating, or the phase.
pub fn pod_status(pod: &Value) -> String {
    if pod.pointer("/metadata/deletionTimestamp").is_some() {
        return "Terminating".into();
    }
    let statuses = pod
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array);
    for status in statuses.into_iter().flatten() {
        if let Some(reason) = status
            .pointer("/state/waiting/reason")
            .and_then(Value::as_str)
        {
            return reason.to_string();
        }
        if let Some(reason) = status
            .pointer("/state/terminated/reason")
            .and_then(Value::as_str)
        {
            return reason.to_string();
        }
    }
    s(pod, "/status/phase").to_string()
}

pub fn table(resource: &Resource, objects: &[&Value], resource_version: u64, now: i64) -> Value {
    let rows: Vec<Value> = objects
        .iter()
        .map(|o| {
            json!({"cells": cells(resource, o, now), "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": o["metadata"]}})
        })
        .collect();
    json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": resource_version.to_string()},
           "columnDefinitions": columns(resource), "rows": rows})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::clock::rfc3339;

    #[test]
    fn ages_read_like_kubectl() {
        let t = 1_800_000_000;
        assert_eq!(parse_rfc3339(&rfc3339(t)), Some(t));
        assert_eq!(short_age(&rfc3339(t - 5), t), "5s");
        assert_eq!(short_age(&rfc3339(t - 192), t), "3m12s");
        assert_eq!(short_age(&rfc3339(t - 4 * 3600), t), "4h");
        assert_eq!(short_age(&rfc3339(t - 2 * 86_400 - 5 * 3600), t), "2d5h");
    }

    #[test]
    fn pod_status_prefers_waiting_reasons() {
        let pod = json!({"status": {"phase": "Pending", "containerStatuses": [{"state": {"waiting": {"reason": "ErrImageNeverPull"}}}]}});
        assert_eq!(pod_status(&pod), "ErrImageNeverPull");
        assert_eq!(
            pod_status(
                &json!({"metadata": {"deletionTimestamp": "x"}, "status": {"phase": "Running"}})
            ),
            "Terminating"
        );
        assert_eq!(
            pod_status(&json!({"status": {"phase": "Running"}})),
            "Running"
        );
    }
}
