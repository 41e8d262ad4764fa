//! An object as the simulated API server keeps it: its JSON text, compact,
//! and a brief of the few fields the controllers scan every object for.
//!
//! A running pod is about 1.5 KB as text and about 11 KB as a
//! `serde_json::Value` (a map is a B-tree node of eleven slots however few
//! keys it holds). Kept as text, 50,000 pods fit in a few hundred megabytes;
//! a reader parses the one it needs, and the scans that visit every pod on
//! each controller pass (owners, readiness, phase) read the brief instead.

use serde_json::Value;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct Stored {
    json: Arc<[u8]>,
    pub brief: Arc<Brief>,
}

/// What the controllers ask of every object on every pass.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Brief {
    pub uid: String,
    pub created: String,
    pub generation: Option<i64>,
    pub resource_version: u64,
    /// The ownerReferences: kind and uid of each.
    pub owners: Vec<(String, String)>,
    pub phase: String,
    pub node_name: String,
    pub ready: bool,
    pub terminating: bool,
    pub has_container_status: bool,
}

impl Stored {
    pub fn new(object: &Value) -> Self {
        // A Value always serializes: its map keys are strings.
        let json = serde_json::to_vec(object).unwrap_or_default();
        Self {
            json: json.into(),
            brief: Arc::new(Brief::of(object)),
        }
    }

    /// The object's JSON, as a list or a watch event writes it.
    pub fn json(&self) -> &[u8] {
        &self.json
    }

    /// The object, parsed.
    pub fn value(&self) -> Value {
        // The text was written by `new` from a Value, so it parses back.
        serde_json::from_slice(&self.json).unwrap_or(Value::Null)
    }
}

impl Brief {
    pub fn of(object: &Value) -> Self {
        let text = |pointer: &str| {
            object
                .pointer(pointer)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let owners = object
            .pointer("/metadata/ownerReferences")
            .and_then(Value::as_array)
            .map(|refs| {
                refs.iter()
                    .map(|r| (string(&r["kind"]), string(&r["uid"])))
                    .collect()
            })
            .unwrap_or_default();
        let ready = object
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .is_some_and(|c| {
                c.iter()
                    .any(|c| c["type"] == "Ready" && c["status"] == "True")
            });
        Self {
            uid: text("/metadata/uid"),
            created: text("/metadata/creationTimestamp"),
            generation: object
                .pointer("/metadata/generation")
                .and_then(Value::as_i64),
            resource_version: text("/metadata/resourceVersion").parse().unwrap_or(0),
            owners,
            phase: text("/status/phase"),
            node_name: text("/spec/nodeName"),
            ready,
            terminating: object.pointer("/metadata/deletionTimestamp").is_some(),
            has_container_status: object.pointer("/status/containerStatuses/0").is_some(),
        }
    }
}

impl Brief {
    pub fn first_owner_uid(&self) -> Option<&str> {
        self.owners.first().map(|(_, uid)| uid.as_str())
    }
}

fn string(value: &Value) -> String {
    value.as_str().unwrap_or("").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_text_parses_back_to_the_object_and_the_brief_reads_it() {
        let pod = json!({
            "metadata": {"name": "web-1", "namespace": "default", "uid": "u-1", "resourceVersion": "42",
                         "creationTimestamp": "2026-12-05T10:00:00Z", "labels": {"app": "web"},
                         "ownerReferences": [{"kind": "ReplicaSet", "uid": "rs-1"}]},
            "spec": {"nodeName": "minikube"},
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
                       "containerStatuses": [{"name": "web"}]},
        });
        let stored = Stored::new(&pod);
        assert_eq!(stored.value(), pod);
        assert_eq!(
            serde_json::from_slice::<Value>(stored.json()).ok(),
            Some(pod)
        );
        let brief = &stored.brief;
        assert_eq!(brief.uid, "u-1");
        assert_eq!(brief.resource_version, 42);
        assert_eq!(
            brief.owners,
            vec![("ReplicaSet".to_string(), "rs-1".to_string())]
        );
        assert_eq!(brief.first_owner_uid(), Some("rs-1"));
        assert_eq!(brief.phase, "Running");
        assert_eq!(brief.node_name, "minikube");
        assert!(brief.ready && brief.has_container_status && !brief.terminating);
    }

    #[test]
    fn an_object_without_the_fields_has_an_empty_brief() {
        let brief = Brief::of(&json!({"metadata": {"name": "x"}}));
        assert_eq!(brief, Brief::default());
    }
}
