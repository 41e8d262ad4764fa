//! The simulated API server's storage: objects by resource, namespace and
//! name, one resourceVersion counter, a bounded change log that watches
//! replay from, and pod logs.

use super::resources::Resource;
pub use super::stored::{Brief, Stored};
use crate::sim::clock::{now_nanos, now_secs, rfc3339};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, VecDeque};
use tokio::sync::broadcast;

/// Changes kept for watches that resume from a resourceVersion; older ones get 410 Gone.
pub const CHANGES_KEPT: usize = 20_000;
pub const POD_LOG_LINES: usize = 2_000;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key {
    pub plural: &'static str,
    pub namespace: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct Change {
    pub rv: u64,
    pub plural: &'static str,
    pub namespace: String,
    pub name: String,
    /// ADDED, MODIFIED or DELETED.
    pub kind: &'static str,
    /// Shared with the store while it is the current version: the log costs no copies,
    /// and a superseded version costs its compact text.
    pub object: Stored,
}

/// One line of a pod's log and when it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// Nanoseconds since the epoch.
    pub at: i128,
    pub text: String,
}

pub struct Store {
    objects: BTreeMap<Key, Stored>,
    rv: u64,
    changes: VecDeque<Change>,
    pub watchers: broadcast::Sender<Change>,
    /// Pod uid -> log lines.
    pub pod_logs: HashMap<String, VecDeque<LogLine>>,
    pub pod_log_tx: broadcast::Sender<(String, LogLine)>,
    /// Pod uid -> what the container's last ended run printed (`logs --previous`).
    pub last_runs: HashMap<String, Vec<String>>,
    /// Events as (namespace, name), oldest first, so old ones can be dropped cheaply.
    pub event_order: VecDeque<(String, String)>,
    seed: u64,
    /// How many times each key was drawn from.
    draws: HashMap<String, u64>,
}

impl Store {
    pub fn new(seed: u64) -> Self {
        Self {
            objects: BTreeMap::new(),
            rv: 100,
            changes: VecDeque::new(),
            watchers: broadcast::channel(16_384).0,
            pod_logs: HashMap::new(),
            pod_log_tx: broadcast::channel(4096).0,
            last_runs: HashMap::new(),
            event_order: VecDeque::new(),
            seed,
            draws: HashMap::new(),
        }
    }

    pub fn resource_version(&self) -> u64 {
        self.rv
    }

    /// The oldest resourceVersion a watch can still resume after.
    pub fn oldest_resumable(&self) -> u64 {
        self.changes
            .front()
            .map(|c| c.rv.saturating_sub(1))
            .unwrap_or(self.rv)
    }

    pub fn changes_after(&self, rv: u64) -> impl Iterator<Item = &Change> {
        // resourceVersions only grow, so the first newer change is found by bisection.
        let start = self.changes.partition_point(|c| c.rv <= rv);
        self.changes.range(start..)
    }

    /// A deterministic number for `key`: from the seed, the key, and how many
    /// times that key was asked for. Keyed, so names do not depend on how
    /// requests and controller passes interleave: the same seed and the same
    /// steps give the same names.
    pub fn derive(&mut self, key: &str) -> u64 {
        use sha2::{Digest, Sha256};
        let count = match self.draws.get_mut(key) {
            Some(count) => count,
            None => self.draws.entry(key.to_string()).or_insert(0),
        };
        *count += 1;
        let mut hasher = Sha256::new();
        hasher.update(self.seed.to_be_bytes());
        hasher.update(key.as_bytes());
        hasher.update(count.to_be_bytes());
        // The digest's first eight bytes, big-endian: the number its first
        // sixteen hex digits spell, without writing the hex.
        let digest = hasher.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first)
    }

    /// A suffix like the ones Kubernetes generates (`bcdfghjklmnpqrstvwxz2456789`).
    pub fn random_suffix(&mut self, key: &str, len: usize) -> String {
        const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
        let mut n = self.derive(key);
        (0..len)
            .map(|_| {
                let c = ALPHABET[(n % ALPHABET.len() as u64) as usize] as char;
                n /= ALPHABET.len() as u64;
                c
            })
            .collect()
    }

    pub fn new_uid(&mut self, key: &str) -> String {
        let a = self.derive(key);
        let b = self.derive(key);
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            (b >> 48) & 0x3fff | 0x8000,
            b & 0xffff_ffff_ffff
        )
    }

    /// The object, parsed from its stored text.
    pub fn get(&self, plural: &'static str, namespace: &str, name: &str) -> Option<Value> {
        self.stored(plural, namespace, name).map(Stored::value)
    }

    /// The object as stored: its text and brief, without parsing it.
    pub fn stored(&self, plural: &'static str, namespace: &str, name: &str) -> Option<&Stored> {
        self.objects.get(&Key {
            plural,
            namespace: namespace.to_string(),
            name: name.to_string(),
        })
    }

    /// Objects of one resource (in one namespace), by a range of the sorted keys: O(log n + k).
    /// Each is parsed: a scan over every pod reads `briefs` instead.
    pub fn list(&self, plural: &'static str, namespace: Option<&str>) -> Vec<Value> {
        self.range(plural, namespace)
            .map(|(_, v)| v.value())
            .collect()
    }

    /// Objects of one resource in a namespace that `owner_uid` owns: chosen by
    /// their briefs, so only the owned ones are parsed.
    pub fn owned(&self, plural: &'static str, namespace: &str, owner_uid: &str) -> Vec<Value> {
        self.range(plural, Some(namespace))
            .filter(|(_, v)| v.brief.owners.iter().any(|(_, uid)| uid == owner_uid))
            .map(|(_, v)| v.value())
            .collect()
    }

    /// The briefs of one resource's objects (in one namespace), with their keys.
    pub fn briefs(
        &self,
        plural: &'static str,
        namespace: Option<&str>,
    ) -> impl Iterator<Item = (&Key, &Brief)> {
        self.range(plural, namespace).map(|(k, v)| (k, &*v.brief))
    }

    pub fn count(&self, plural: &'static str, namespace: Option<&str>) -> usize {
        self.range(plural, namespace).count()
    }

    pub fn range(
        &self,
        plural: &'static str,
        namespace: Option<&str>,
    ) -> impl Iterator<Item = (&Key, &Stored)> {
        self.range_after(plural, namespace, None)
    }

    /// Objects of one resource (in one namespace) in key order, starting after
    /// `after` (namespace, name) when given: a page of a long list costs its
    /// own objects and a seek, never a walk over the pages before it.
    pub fn range_after(
        &self,
        plural: &'static str,
        namespace: Option<&str>,
        after: Option<(&str, &str)>,
    ) -> impl Iterator<Item = (&Key, &Stored)> {
        use std::ops::Bound;
        let start = match after {
            Some((ns, name)) => Bound::Excluded(Key {
                plural,
                namespace: ns.to_string(),
                name: name.to_string(),
            }),
            None => Bound::Included(Key {
                plural,
                namespace: namespace.unwrap_or("").to_string(),
                name: String::new(),
            }),
        };
        self.objects
            .range((start, Bound::Unbounded))
            .take_while(move |(k, _)| {
                k.plural == plural && namespace.is_none_or(|ns| k.namespace == ns)
            })
    }

    fn record(
        &mut self,
        plural: &'static str,
        (namespace, name): (&str, &str),
        kind: &'static str,
        object: Stored,
    ) {
        let change = Change {
            rv: self.rv,
            plural,
            namespace: namespace.to_string(),
            name: name.to_string(),
            kind,
            object,
        };
        if self.changes.len() >= CHANGES_KEPT {
            self.changes.pop_front();
        }
        self.changes.push_back(change.clone());
        let _ = self.watchers.send(change);
    }

    /// Store a new object: fills uid, resourceVersion, creationTimestamp and generation.
    pub fn insert(&mut self, resource: &Resource, mut object: Value) -> Value {
        self.rv += 1;
        let (namespace, name) = namespace_and_name(&object);
        object["apiVersion"] = json!(resource.api_version());
        object["kind"] = json!(resource.kind);
        let uid = self.new_uid(&format!("uid/{}/{namespace}/{name}", resource.plural));
        let metadata = &mut object["metadata"];
        metadata["uid"] = json!(uid);
        metadata["resourceVersion"] = json!(self.rv.to_string());
        metadata["creationTimestamp"] = json!(rfc3339(now_secs()));
        if matches!(resource.plural, "deployments" | "replicasets") {
            metadata["generation"] = json!(1);
        }
        let stored = Stored::new(&object);
        self.record(
            resource.plural,
            (&namespace, &name),
            "ADDED",
            stored.clone(),
        );
        self.objects.insert(
            Key {
                plural: resource.plural,
                namespace,
                name,
            },
            stored,
        );
        object
    }

    /// Replace a stored object; a change to `spec` bumps `metadata.generation`.
    pub fn replace(&mut self, resource: &Resource, mut object: Value) -> Value {
        self.rv += 1;
        let (namespace, name) = namespace_and_name(&object);
        let key = Key {
            plural: resource.plural,
            namespace: namespace.clone(),
            name,
        };
        if let Some(old) = self.objects.get(&key) {
            let brief = &old.brief;
            // Only what has a generation is parsed: its spec decides the bump.
            if let Some(generation) = brief.generation {
                let bumped = if old.value().get("spec") != object.get("spec") {
                    generation + 1
                } else {
                    generation
                };
                object["metadata"]["generation"] = json!(bumped);
            }
            for (field, value) in [("uid", &brief.uid), ("creationTimestamp", &brief.created)] {
                if !value.is_empty() {
                    object["metadata"][field] = json!(value);
                }
            }
        }
        object["apiVersion"] = json!(resource.api_version());
        object["kind"] = json!(resource.kind);
        object["metadata"]["resourceVersion"] = json!(self.rv.to_string());
        let stored = Stored::new(&object);
        self.record(
            resource.plural,
            (&namespace, &key.name),
            "MODIFIED",
            stored.clone(),
        );
        self.objects.insert(key, stored);
        object
    }

    /// Delete an object: the change, and the version returned, carry the
    /// deletion's resourceVersion, as a real API server's DELETED event does.
    pub fn remove(&mut self, resource: &Resource, namespace: &str, name: &str) -> Option<Stored> {
        let key = Key {
            plural: resource.plural,
            namespace: namespace.to_string(),
            name: name.to_string(),
        };
        let last = self.objects.remove(&key)?;
        self.rv += 1;
        if resource.plural == "pods" {
            self.pod_logs.remove(&last.brief.uid);
            self.last_runs.remove(&last.brief.uid);
        }
        let deleted = last.at_resource_version(self.rv);
        self.record(
            resource.plural,
            (namespace, name),
            "DELETED",
            deleted.clone(),
        );
        Some(deleted)
    }

    /// What an ended run printed, for `logs --previous` once it is the last state.
    pub fn keep_last_run(&mut self, uid: &str, output: Vec<String>) {
        self.last_runs.insert(uid.to_string(), output);
    }

    pub fn append_pod_log(&mut self, uid: &str, text: String) {
        self.append_pod_log_at(uid, now_nanos(), text);
    }

    /// A line written at a given time (nanoseconds since the epoch), as the
    /// kubelet stamps each line it reads from a container.
    pub fn append_pod_log_at(&mut self, uid: &str, at: i128, text: String) {
        let line = LogLine { at, text };
        let lines = self.pod_logs.entry(uid.to_string()).or_default();
        if lines.len() >= POD_LOG_LINES {
            lines.pop_front();
        }
        lines.push_back(line.clone());
        let _ = self.pod_log_tx.send((uid.to_string(), line));
    }
}

fn namespace_and_name(object: &Value) -> (String, String) {
    let field = |pointer: &str| super::stored::text_at(object, pointer).to_string();
    (field("/metadata/namespace"), field("/metadata/name"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::kube::resources::by_plural;

    #[test]
    fn versions_grow_and_changes_replay() {
        let mut store = Store::new(7);
        let deployments = by_plural("apps", "deployments").unwrap();
        let created = store.insert(
            deployments,
            json!({"metadata": {"name": "web", "namespace": "default"}, "spec": {"replicas": 1}}),
        );
        let rv1: u64 = created["metadata"]["resourceVersion"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let mut changed = created.clone();
        changed["spec"]["replicas"] = json!(3);
        let updated = store.replace(deployments, changed);
        assert_eq!(updated["metadata"]["generation"], json!(2));
        assert_eq!(updated["metadata"]["uid"], created["metadata"]["uid"]);
        let kinds: Vec<&str> = store.changes_after(rv1).map(|c| c.kind).collect();
        assert_eq!(kinds, vec!["MODIFIED"]);
        assert!(store.remove(deployments, "default", "web").is_some());
        assert!(store.get("deployments", "default", "web").is_none());
    }

    #[test]
    fn seeds_give_the_same_names() {
        let (mut a, mut b) = (Store::new(42), Store::new(42));
        assert_eq!(a.random_suffix("k", 5), b.random_suffix("k", 5));
        assert_eq!(a.new_uid("u"), b.new_uid("u"));
        assert_ne!(
            a.random_suffix("k", 5),
            a.random_suffix("k", 5),
            "a second draw differs"
        );
        assert_ne!(
            Store::new(1).random_suffix("k", 10),
            Store::new(2).random_suffix("k", 10)
        );
    }
}
