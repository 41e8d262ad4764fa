//! An object as the simulated API server keeps it: its JSON text, compact,
//! and a brief of the few fields the controllers scan every object for.
//!
//! A running pod is about 1.5 KB as text and about 11 KB as a
//! `serde_json::Value` (a map is a B-tree node of eleven slots however few
//! keys it holds). Kept as text, 50,000 pods fit in a few hundred megabytes;
//! a reader parses the one it needs, and the scans that visit every pod on
//! each controller pass (owners, readiness, phase) read the brief instead.

use serde_json::Value;
use serde_json::value::RawValue;
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

    /// The same object at another resourceVersion, as a deletion records it.
    /// The new value is spliced into the stored text where the old one
    /// stands; nothing else is parsed or written again. Expiring an event
    /// this way costs a fraction of parsing it whole, and the preloaded
    /// cluster expires a quarter of a million.
    pub fn at_resource_version(&self, resource_version: u64) -> Stored {
        let json = self
            .text_with_resource_version(resource_version)
            .unwrap_or_else(|| {
                let mut object = self.value();
                object["metadata"]["resourceVersion"] = Value::from(resource_version.to_string());
                serde_json::to_vec(&object).unwrap_or_default()
            });
        Stored {
            json: json.into(),
            brief: Arc::new(Brief {
                resource_version,
                ..(*self.brief).clone()
            }),
        }
    }

    fn text_with_resource_version(&self, resource_version: u64) -> Option<Vec<u8>> {
        // The old value's place in the text, found by a scan that allocates
        // nothing; the new text is the old one with that value replaced, which
        // is what `new` would write (the key keeps its place).
        #[derive(serde::Deserialize)]
        struct Object<'a> {
            #[serde(borrow)]
            metadata: &'a RawValue,
        }
        #[derive(serde::Deserialize)]
        struct Metadata<'a> {
            #[serde(borrow, rename = "resourceVersion")]
            resource_version: &'a RawValue,
        }
        let object: Object = serde_json::from_slice(&self.json).ok()?;
        let metadata: Metadata = serde_json::from_str(object.metadata.get()).ok()?;
        let old = metadata.resource_version.get().as_bytes();
        let start = (old.as_ptr() as usize).checked_sub(self.json.as_ptr() as usize)?;
        let end = start + old.len();
        if self.json.get(start..end)? != old {
            return None;
        }
        let mut text = Vec::with_capacity(self.json.len() + 4);
        text.extend_from_slice(&self.json[..start]);
        serde_json::to_writer(&mut text, &resource_version.to_string()).ok()?;
        text.extend_from_slice(&self.json[end..]);
        Some(text)
    }
}

impl Brief {
    pub fn of(object: &Value) -> Self {
        let text = |pointer: &str| text_at(object, pointer).to_string();
        let owners = at(object, "/metadata/ownerReferences")
            .and_then(Value::as_array)
            .map(|refs| {
                refs.iter()
                    .map(|r| (string(&r["kind"]), string(&r["uid"])))
                    .collect()
            })
            .unwrap_or_default();
        let ready = at(object, "/status/conditions")
            .and_then(Value::as_array)
            .is_some_and(|c| {
                c.iter()
                    .any(|c| c["type"] == "Ready" && c["status"] == "True")
            });
        Self {
            uid: text("/metadata/uid"),
            created: text("/metadata/creationTimestamp"),
            generation: at(object, "/metadata/generation").and_then(Value::as_i64),
            resource_version: text("/metadata/resourceVersion").parse().unwrap_or(0),
            owners,
            phase: text("/status/phase"),
            node_name: text("/spec/nodeName"),
            ready,
            terminating: at(object, "/metadata/deletionTimestamp").is_some(),
            has_container_status: at(object, "/status/containerStatuses/0").is_some(),
        }
    }
}

impl Brief {
    pub fn first_owner_uid(&self) -> Option<&str> {
        self.owners.first().map(|(_, uid)| uid.as_str())
    }
}

/// `Value::pointer` for the pointers this code writes, which escape nothing
/// (no `~0` or `~1`): the same answer without unescaping every token into a
/// new string, which made `pointer` a tenth of the simulated cluster's start.
pub fn at<'a>(object: &'a Value, pointer: &str) -> Option<&'a Value> {
    if pointer.contains('~') {
        return object.pointer(pointer);
    }
    if pointer.is_empty() {
        return Some(object);
    }
    let tokens = pointer.strip_prefix('/')?;
    tokens
        .split('/')
        .try_fold(object, |node, token| match node {
            Value::Object(map) => map.get(token),
            // As `pointer` reads an index: digits only, no sign and no leading zero.
            Value::Array(items)
                if !token.starts_with('+') && (token == "0" || !token.starts_with('0')) =>
            {
                token.parse::<usize>().ok().and_then(|i| items.get(i))
            }
            _ => None,
        })
}

/// The string at `pointer`, or "" when there is none.
pub fn text_at<'a>(object: &'a Value, pointer: &str) -> &'a str {
    at(object, pointer).and_then(Value::as_str).unwrap_or("")
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
    fn a_new_resource_version_is_spliced_in_and_matches_the_whole_rewrite() {
        let event = json!({
            "apiVersion": "v1", "kind": "Event", "count": 1, "message": "Pulled \"web\"",
            "involvedObject": {"kind": "Pod", "name": "web-1", "resourceVersion": "40"},
            "metadata": {"name": "web-1.abc", "namespace": "default", "uid": "e-1",
                         "resourceVersion": "41", "creationTimestamp": "2026-12-05T10:00:00Z"},
        });
        let stored = Stored::new(&event);
        assert!(
            stored.text_with_resource_version(97).is_some(),
            "the value is replaced in place, without parsing the whole object"
        );
        let deleted = stored.at_resource_version(97);
        let mut expected = event.clone();
        expected["metadata"]["resourceVersion"] = json!("97");
        assert_eq!(deleted.json(), Stored::new(&expected).json());
        assert_eq!(
            deleted.value()["involvedObject"]["resourceVersion"],
            json!("40")
        );
        assert_eq!(deleted.brief.resource_version, 97);
        assert_eq!(deleted.brief.uid, "e-1");
    }

    #[test]
    fn at_reads_what_pointer_reads() {
        let pod = json!({"metadata": {"a/b": 1, "name": "x"},
                         "spec": {"containers": [{"name": "c0"}, {"name": "c1"}]}});
        for pointer in [
            "",
            "/metadata/name",
            "/spec/containers/1/name",
            "/spec/containers/01/name",
            "/spec/containers/+1/name",
            "/spec/containers/9",
            "/metadata/a~1b",
            "/metadata/name/deeper",
            "metadata",
            "/spec/containers/0",
        ] {
            assert_eq!(at(&pod, pointer), pod.pointer(pointer), "{pointer}");
        }
        assert_eq!(text_at(&pod, "/spec/containers/1/name"), "c1");
        assert_eq!(text_at(&pod, "/spec/nothing"), "");
    }

    #[test]
    fn an_object_without_the_fields_has_an_empty_brief() {
        let brief = Brief::of(&json!({"metadata": {"name": "x"}}));
        assert_eq!(brief, Brief::default());
    }
}
