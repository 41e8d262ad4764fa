//! The metrics API (`metrics.k8s.io/v1beta1`), as metrics-server answers
//! it, so `kubectl top pods` and `kubectl top nodes` work. A simulated
//! container does no work, so its usage is made up, steadily: a small CPU
//! and memory figure drawn from the pod's uid that drifts a little from one
//! minute to the next.

use super::store::Store;
use crate::sim::clock::{now_secs, rfc3339};
use serde_json::{Value, json};

fn text<'a>(object: &'a Value, pointer: &str) -> &'a str {
    object
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// A figure in `low..high` that stays with `key` and moves with the minute.
fn steady(key: &str, low: u64, high: u64) -> u64 {
    let minute = (now_secs() / 60) as u64;
    let seed = key.bytes().fold(1_469_598_103_934_665_603u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(1_099_511_628_211)
    });
    let base = seed % (high - low);
    let drift = (seed >> 17).wrapping_add(minute) % 5;
    low + (base + drift) % (high - low)
}

fn running(pod: &Value) -> bool {
    text(pod, "/status/phase") == "Running" && pod.pointer("/metadata/deletionTimestamp").is_none()
}

fn pod_metrics(pod: &Value) -> Value {
    let uid = text(pod, "/metadata/uid");
    let containers: Vec<Value> = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| {
            let name = c["name"].as_str().unwrap_or_default();
            let key = format!("{uid}/{name}");
            json!({"name": name, "usage": {
                "cpu": format!("{}n", steady(&key, 1, 40) * 1_000_000),
                "memory": format!("{}Ki", steady(&format!("{key}/memory"), 8, 96) * 1024),
            }})
        })
        .collect();
    json!({
        "metadata": {"name": text(pod, "/metadata/name"), "namespace": text(pod, "/metadata/namespace"),
                     "labels": pod.pointer("/metadata/labels").cloned().unwrap_or(json!({})),
                     "creationTimestamp": rfc3339(now_secs())},
        "timestamp": rfc3339(now_secs() - 5), "window": "10.06s", "containers": containers,
    })
}

fn node_metrics(store: &Store, node: &Value) -> Value {
    let name = text(node, "/metadata/name");
    // Counted from the briefs: a node of 50,000 pods is not parsed for a number.
    let pods = store
        .briefs("pods", None)
        .filter(|(_, p)| p.phase == "Running" && !p.terminating && p.node_name == name)
        .count();
    // The node's system work, plus what its pods use.
    let cpu_milli = 180 + pods as u64 * 20;
    let memory_mi = 700 + pods as u64 * 48;
    json!({
        "metadata": {"name": name, "labels": node.pointer("/metadata/labels").cloned().unwrap_or(json!({})),
                     "creationTimestamp": rfc3339(now_secs())},
        "timestamp": rfc3339(now_secs() - 5), "window": "10.06s",
        "usage": {"cpu": format!("{}m", cpu_milli + steady(name, 0, 30)), "memory": format!("{memory_mi}Mi")},
    })
}

/// The answer for `/apis/metrics.k8s.io/v1beta1/...` (the segments after
/// the version); None for a path it does not serve, or an object not there.
pub fn answer(store: &Store, rest: &[&str]) -> Option<Value> {
    let list = |kind: &str, items: Vec<Value>| {
        json!({"kind": format!("{kind}List"), "apiVersion": "metrics.k8s.io/v1beta1",
               "metadata": {}, "items": items})
    };
    let with_kind = |kind: &str, mut item: Value| {
        item["kind"] = json!(kind);
        item["apiVersion"] = json!("metrics.k8s.io/v1beta1");
        item
    };
    Some(match rest {
        ["pods"] => list(
            "PodMetrics",
            store
                .list("pods", None)
                .iter()
                .filter(|p| running(p))
                .map(pod_metrics)
                .collect(),
        ),
        ["namespaces", namespace, "pods"] => list(
            "PodMetrics",
            store
                .list("pods", Some(namespace))
                .iter()
                .filter(|p| running(p))
                .map(pod_metrics)
                .collect(),
        ),
        ["namespaces", namespace, "pods", name] => {
            let pod = store.get("pods", namespace, name).filter(running)?;
            with_kind("PodMetrics", pod_metrics(&pod))
        }
        ["nodes"] => list(
            "NodeMetrics",
            store
                .list("nodes", None)
                .into_iter()
                .map(|n| node_metrics(store, &n))
                .collect(),
        ),
        ["nodes", name] => with_kind(
            "NodeMetrics",
            node_metrics(store, &store.get("nodes", "", name)?),
        ),
        _ => return None,
    })
}
