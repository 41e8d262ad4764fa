//! Whether the one node can take a pod, as the default scheduler decides it
//! for the two cases a learner meets first: a nodeSelector the node does not
//! carry, and requests that do not fit beside the pods already there. The
//! answer, when it is no, is the scheduler's own sentence (what `kubectl
//! describe pod` shows under FailedScheduling).

use super::common::s;
use crate::sim::kube::store::Store;
use serde_json::Value;

/// Why the pod cannot go to the node, or None when it can.
pub(super) fn unschedulable(store: &Store, pod: &Value) -> Option<String> {
    let selector = pod.pointer("/spec/nodeSelector").and_then(Value::as_object);
    let wanted = requests(pod);
    if selector.is_none_or(|s| s.is_empty()) && wanted == Resources::default() {
        return None;
    }
    let nodes = store.list("nodes", None);
    let node = nodes.first()?;
    if let Some(selector) = selector {
        let labels = node.pointer("/metadata/labels");
        let matches = selector.iter().all(|(key, value)| {
            labels.and_then(|l| l.get(key)).and_then(Value::as_str) == value.as_str()
        });
        if !matches {
            return Some(
                "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. \
                 preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."
                    .to_string(),
            );
        }
    }
    let node_name = s(node, "/metadata/name");
    let used = store
        .list("pods", None)
        .into_iter()
        .filter(|p| s(p, "/spec/nodeName") == node_name)
        .filter(|p| !matches!(s(p, "/status/phase"), "Succeeded" | "Failed"))
        .fold(Resources::default(), |sum, p| sum.plus(requests(&p)));
    let capacity = Resources {
        millicpu: cpu_millis(s(node, "/status/allocatable/cpu")).unwrap_or(0),
        memory: bytes(s(node, "/status/allocatable/memory")).unwrap_or(0),
    };
    let mut short = Vec::new();
    if wanted.millicpu > 0 && used.millicpu + wanted.millicpu > capacity.millicpu {
        short.push("1 Insufficient cpu");
    }
    if wanted.memory > 0 && used.memory + wanted.memory > capacity.memory {
        short.push("1 Insufficient memory");
    }
    if short.is_empty() {
        return None;
    }
    Some(format!(
        "0/1 nodes are available: {}. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
        short.join(", ")
    ))
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Resources {
    millicpu: u64,
    memory: u64,
}

impl Resources {
    fn plus(self, other: Self) -> Self {
        Self {
            millicpu: self.millicpu + other.millicpu,
            memory: self.memory + other.memory,
        }
    }
}

/// The sum of the pod's containers' requests (a limit alone counts as the
/// request, as the API server defaults it).
fn requests(pod: &Value) -> Resources {
    let containers = pod.pointer("/spec/containers").and_then(Value::as_array);
    containers
        .into_iter()
        .flatten()
        .map(|c| {
            let asked = |what: &str| {
                c.pointer(&format!("/resources/requests/{what}"))
                    .or_else(|| c.pointer(&format!("/resources/limits/{what}")))
                    .and_then(Value::as_str)
                    .unwrap_or("")
            };
            Resources {
                millicpu: cpu_millis(asked("cpu")).unwrap_or(0),
                memory: bytes(asked("memory")).unwrap_or(0),
            }
        })
        .fold(Resources::default(), Resources::plus)
}

/// A CPU quantity in millicores: `500m`, `2`, `0.5`.
fn cpu_millis(text: &str) -> Option<u64> {
    match text.strip_suffix('m') {
        Some(millis) => millis.parse().ok(),
        None => text
            .parse::<f64>()
            .ok()
            .filter(|v| *v >= 0.0)
            .map(|v| (v * 1000.0).ceil() as u64),
    }
}

/// A memory quantity in bytes: `64Mi`, `1Gi`, `500M`, `128974848`, `129e6`.
fn bytes(text: &str) -> Option<u64> {
    const SUFFIXES: [(&str, f64); 12] = [
        ("Ki", 1024.0),
        ("Mi", 1_048_576.0),
        ("Gi", 1_073_741_824.0),
        ("Ti", 1_099_511_627_776.0),
        ("Pi", 1_125_899_906_842_624.0),
        ("Ei", 1_152_921_504_606_846_976.0),
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
        ("P", 1e15),
        ("E", 1e18),
    ];
    let (number, scale) = SUFFIXES
        .iter()
        .find_map(|(suffix, scale)| text.strip_suffix(suffix).map(|n| (n, *scale)))
        .unwrap_or((text, 1.0));
    number
        .parse::<f64>()
        .ok()
        .filter(|v| *v >= 0.0)
        .map(|v| (v * scale).ceil() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_as_the_api_writes_them() {
        assert_eq!(cpu_millis("500m"), Some(500));
        assert_eq!(cpu_millis("2"), Some(2000));
        assert_eq!(cpu_millis("0.25"), Some(250));
        assert_eq!(cpu_millis("lots"), None);
        assert_eq!(bytes("64Mi"), Some(64 * 1_048_576));
        assert_eq!(bytes("1G"), Some(1_000_000_000));
        assert_eq!(bytes("129e6"), Some(129_000_000));
        assert_eq!(bytes("512"), Some(512));
    }
}
