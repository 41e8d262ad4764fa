//! kubectl's columns for the kinds beyond the workloads: ConfigMaps,
//! Secrets, Endpoints, EndpointSlices, Jobs, CronJobs, storage, Ingresses
//! and HorizontalPodAutoscalers (`table.rs` has the others, and
//! falls back to these, then to NAME STATUS AGE).

use serde_json::{Value, json};

pub(super) fn columns(plural: &str) -> Option<Vec<Value>> {
    let column = |name: &str, kind: &str| {
        let format = if name == "Name" { "name" } else { "" };
        json!({"name": name, "type": kind, "format": format, "description": "", "priority": 0})
    };
    Some(match plural {
        "configmaps" => vec![
            column("Name", "string"),
            column("Data", "integer"),
            column("Age", "string"),
        ],
        "secrets" => vec![
            column("Name", "string"),
            column("Type", "string"),
            column("Data", "integer"),
            column("Age", "string"),
        ],
        "endpoints" => vec![
            column("Name", "string"),
            column("Endpoints", "string"),
            column("Age", "string"),
        ],
        "jobs" => vec![
            column("Name", "string"),
            column("Status", "string"),
            column("Completions", "string"),
            column("Duration", "string"),
            column("Age", "string"),
        ],
        "persistentvolumeclaims" => vec![
            column("Name", "string"),
            column("Status", "string"),
            column("Volume", "string"),
            column("Capacity", "string"),
            column("Access Modes", "string"),
            column("StorageClass", "string"),
            column("VolumeAttributesClass", "string"),
            column("Age", "string"),
        ],
        "persistentvolumes" => vec![
            column("Name", "string"),
            column("Capacity", "string"),
            column("Access Modes", "string"),
            column("Reclaim Policy", "string"),
            column("Status", "string"),
            column("Claim", "string"),
            column("StorageClass", "string"),
            column("VolumeAttributesClass", "string"),
            column("Reason", "string"),
            column("Age", "string"),
        ],
        "storageclasses" => vec![
            column("Name", "string"),
            column("Provisioner", "string"),
            column("ReclaimPolicy", "string"),
            column("VolumeBindingMode", "string"),
            column("AllowVolumeExpansion", "string"),
            column("Age", "string"),
        ],
        "ingresses" => vec![
            column("Name", "string"),
            column("Class", "string"),
            column("Hosts", "string"),
            column("Address", "string"),
            column("Ports", "string"),
            column("Age", "string"),
        ],
        "horizontalpodautoscalers" => vec![
            column("Name", "string"),
            column("Reference", "string"),
            column("Targets", "string"),
            column("MinPods", "string"),
            column("MaxPods", "string"),
            column("Replicas", "string"),
            column("Age", "string"),
        ],
        "cronjobs" => vec![
            column("Name", "string"),
            column("Schedule", "string"),
            column("Timezone", "string"),
            column("Suspend", "boolean"),
            column("Active", "integer"),
            column("Last Schedule", "date"),
            column("Age", "string"),
        ],
        "endpointslices" => vec![
            column("Name", "string"),
            column("AddressType", "string"),
            column("Ports", "string"),
            column("Endpoints", "string"),
            column("Age", "string"),
        ],
        _ => return None,
    })
}

/// `ago` writes a timestamp's age as kubectl does.
pub(super) fn cells(
    plural: &str,
    o: &Value,
    name: &str,
    age: &str,
    ago: &dyn Fn(&str) -> String,
) -> Option<Vec<Value>> {
    let count = |pointer: &str| {
        o.pointer(pointer)
            .and_then(Value::as_object)
            .map_or(0, |m| m.len())
    };
    Some(match plural {
        "configmaps" => vec![
            json!(name),
            json!(count("/data") + count("/binaryData")),
            json!(age),
        ],
        "secrets" => vec![
            json!(name),
            json!(
                o.pointer("/type")
                    .and_then(Value::as_str)
                    .unwrap_or("Opaque")
            ),
            json!(count("/data")),
            json!(age),
        ],
        "endpoints" => vec![json!(name), json!(endpoints_text(o)), json!(age)],
        "jobs" => {
            let done = |kind: &str| {
                list(o, "/status/conditions")
                    .iter()
                    .any(|c| c["type"] == kind && c["status"] == "True")
            };
            let status = if done("Complete") {
                "Complete"
            } else if done("Failed") {
                "Failed"
            } else if o.pointer("/spec/suspend") == Some(&json!(true)) {
                "Suspended"
            } else {
                "Running"
            };
            let number = |p: &str| o.pointer(p).and_then(Value::as_i64).unwrap_or(0);
            let stamp = |p: &str| {
                o.pointer(p)
                    .and_then(Value::as_str)
                    .and_then(crate::sim::clock::parse_rfc3339)
            };
            let duration = match (stamp("/status/startTime"), stamp("/status/completionTime")) {
                (Some(start), Some(end)) => format!("{}s", (end - start).max(0)),
                (Some(start), None) => {
                    format!("{}s", (crate::sim::clock::now_secs() - start).max(0))
                }
                _ => String::new(),
            };
            vec![
                json!(name),
                json!(status),
                json!(format!(
                    "{}/{}",
                    number("/status/succeeded"),
                    o.pointer("/spec/completions")
                        .and_then(Value::as_i64)
                        .unwrap_or(1)
                )),
                json!(duration),
                json!(age),
            ]
        }
        "persistentvolumeclaims" => vec![
            json!(name),
            json!(text(o, "/status/phase", "Pending")),
            json!(text(o, "/spec/volumeName", "")),
            json!(text(o, "/status/capacity/storage", "")),
            json!(modes(o, "/status/accessModes")),
            json!(text(o, "/spec/storageClassName", "<unset>")),
            json!("<unset>"),
            json!(age),
        ],
        "persistentvolumes" => vec![
            json!(name),
            json!(text(o, "/spec/capacity/storage", "")),
            json!(modes(o, "/spec/accessModes")),
            json!(text(o, "/spec/persistentVolumeReclaimPolicy", "Retain")),
            json!(text(o, "/status/phase", "Available")),
            json!(match text(o, "/spec/claimRef/name", "") {
                claim if claim.is_empty() => String::new(),
                claim => format!("{}/{claim}", text(o, "/spec/claimRef/namespace", "")),
            }),
            json!(text(o, "/spec/storageClassName", "")),
            json!("<unset>"),
            json!(""),
            json!(age),
        ],
        "storageclasses" => {
            let default = o
                .pointer("/metadata/annotations/storageclass.kubernetes.io~1is-default-class")
                == Some(&json!("true"));
            vec![
                json!(if default {
                    format!("{name} (default)")
                } else {
                    name.to_string()
                }),
                json!(text(o, "/provisioner", "")),
                json!(text(o, "/reclaimPolicy", "Delete")),
                json!(text(o, "/volumeBindingMode", "Immediate")),
                json!(o.pointer("/allowVolumeExpansion") == Some(&json!(true))),
                json!(age),
            ]
        }
        "ingresses" => {
            let hosts: Vec<String> = list(o, "/spec/rules")
                .iter()
                .map(|r| r["host"].as_str().unwrap_or("*").to_string())
                .collect();
            let tls = !list(o, "/spec/tls").is_empty();
            vec![
                json!(name),
                json!(text(o, "/spec/ingressClassName", "<none>")),
                json!(if hosts.is_empty() {
                    "*".to_string()
                } else {
                    hosts.join(",")
                }),
                json!(text(o, "/status/loadBalancer/ingress/0/ip", "")),
                json!(if tls { "80, 443" } else { "80" }),
                json!(age),
            ]
        }
        "horizontalpodautoscalers" => {
            let number = |p: &str| o.pointer(p).and_then(Value::as_i64);
            let targets: Vec<String> = list(o, "/spec/metrics")
                .iter()
                .filter_map(|m| {
                    let resource = m.pointer("/resource/name")?.as_str()?;
                    let target = m.pointer("/resource/target/averageUtilization")?.as_i64()?;
                    Some(format!("{resource}: <unknown>/{target}%"))
                })
                .collect();
            vec![
                json!(name),
                json!(format!(
                    "{}/{}",
                    text(o, "/spec/scaleTargetRef/kind", ""),
                    text(o, "/spec/scaleTargetRef/name", "")
                )),
                json!(if targets.is_empty() {
                    "<none>".to_string()
                } else {
                    targets.join(", ")
                }),
                json!(number("/spec/minReplicas").unwrap_or(1).to_string()),
                json!(number("/spec/maxReplicas").unwrap_or(0).to_string()),
                json!(number("/status/currentReplicas").unwrap_or(0).to_string()),
                json!(age),
            ]
        }
        "cronjobs" => {
            let last = o
                .pointer("/status/lastScheduleTime")
                .and_then(Value::as_str)
                .map_or("<none>".to_string(), ago);
            vec![
                json!(name),
                json!(
                    o.pointer("/spec/schedule")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                ),
                json!(
                    o.pointer("/spec/timeZone")
                        .and_then(Value::as_str)
                        .unwrap_or("<none>")
                ),
                json!(o.pointer("/spec/suspend") == Some(&json!(true))),
                json!(list(o, "/status/active").len()),
                json!(last),
                json!(age),
            ]
        }
        "endpointslices" => {
            let ports: Vec<String> = list(o, "/ports")
                .iter()
                .filter_map(|p| p["port"].as_i64())
                .map(|p| p.to_string())
                .collect();
            let addresses: Vec<String> = list(o, "/endpoints")
                .iter()
                .flat_map(|e| list(e, "/addresses"))
                .filter_map(|a| a.as_str().map(String::from))
                .collect();
            vec![
                json!(name),
                json!(
                    o.pointer("/addressType")
                        .and_then(Value::as_str)
                        .unwrap_or("IPv4")
                ),
                json!(if ports.is_empty() {
                    "<unset>".to_string()
                } else {
                    ports.join(",")
                }),
                json!(shortened(&addresses)),
                json!(age),
            ]
        }
        _ => return None,
    })
}

fn text(o: &Value, pointer: &str, otherwise: &str) -> String {
    o.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or(otherwise)
        .to_string()
}

/// `RWO,RWX`, as kubectl shortens access modes.
fn modes(o: &Value, pointer: &str) -> String {
    list(o, pointer)
        .iter()
        .filter_map(Value::as_str)
        .map(|m| match m {
            "ReadWriteOnce" => "RWO",
            "ReadOnlyMany" => "ROX",
            "ReadWriteMany" => "RWX",
            "ReadWriteOncePod" => "RWOP",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn list(o: &Value, pointer: &str) -> Vec<Value> {
    o.pointer(pointer)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// `10.244.0.4:8080,10.244.0.5:8080`: every ready address with every port.
fn endpoints_text(o: &Value) -> String {
    let mut pairs = Vec::new();
    for subset in list(o, "/subsets") {
        let ports: Vec<i64> = list(&subset, "/ports")
            .iter()
            .filter_map(|p| p["port"].as_i64())
            .collect();
        for address in list(&subset, "/addresses") {
            let ip = address["ip"].as_str().unwrap_or_default();
            pairs.extend(ports.iter().map(|port| format!("{ip}:{port}")));
        }
    }
    shortened(&pairs)
}

/// kubectl shows three and counts the rest: `a,b,c + 2 more...`.
fn shortened(items: &[String]) -> String {
    match items.len() {
        0 => "<none>".to_string(),
        1..=3 => items.join(","),
        n => format!("{} + {} more...", items[..3].join(","), n - 3),
    }
}
