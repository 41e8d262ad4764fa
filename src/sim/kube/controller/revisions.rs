//! A Deployment's revisions, kept as the Deployment controller keeps them:
//! each ReplicaSet's `deployment.kubernetes.io/revision` annotation, a new
//! number for a new template and for an old template brought back (the set
//! is reused, its old number noted in `revision-history`), the Deployment
//! annotated with its current revision, and no more old sets than
//! `revisionHistoryLimit`. So `kubectl rollout history` and `kubectl
//! rollout undo` work against the simulated cluster as against a real one.

use super::common::{res, s};
use crate::sim::kube::store::Store;
use serde_json::{Value, json};

const REVISION: &str = "deployment.kubernetes.io/revision";
const HISTORY: &str = "deployment.kubernetes.io/revision-history";
/// Kubernetes' default `revisionHistoryLimit`.
const DEFAULT_HISTORY_LIMIT: usize = 10;

pub(super) fn revision_of(replica_set: &Value) -> i64 {
    replica_set
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(REVISION))
        .and_then(Value::as_str)
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

/// The number a new revision gets: one more than any the Deployment's sets carry.
pub(super) fn next_revision(owned: &[Value]) -> i64 {
    owned.iter().map(revision_of).max().unwrap_or(0) + 1
}

/// The set whose template the Deployment has now becomes the newest revision
/// again when it is not (a rollback): a new number, the old one kept in
/// `revision-history`. Then the Deployment carries that number.
pub(super) fn make_current(store: &mut Store, deployment: &Value, owned: &[Value], current: &str) {
    let Some(set) = owned.iter().find(|r| s(r, "/metadata/name") == current) else {
        return;
    };
    let mut revision = revision_of(set);
    let newest = owned.iter().map(revision_of).max().unwrap_or(0);
    if revision < newest {
        let old = revision;
        revision = newest + 1;
        if let Some(stored) = store.get("replicasets", s(set, "/metadata/namespace"), current) {
            let mut next = stored.clone();
            let annotations = &mut next["metadata"]["annotations"];
            let history = match annotations.get(HISTORY).and_then(Value::as_str) {
                Some(before) if !before.is_empty() => format!("{before},{old}"),
                _ => old.to_string(),
            };
            annotations[REVISION] = json!(revision.to_string());
            annotations[HISTORY] = json!(history);
            store.replace(res("replicasets"), next);
        }
    }
    let ns = s(deployment, "/metadata/namespace");
    let name = s(deployment, "/metadata/name");
    if let Some(stored) = store.get("deployments", ns, name) {
        let annotated = stored
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(REVISION))
            .and_then(Value::as_str)
            == Some(revision.to_string().as_str());
        if !annotated {
            let mut next = stored.clone();
            if !next["metadata"]["annotations"].is_object() {
                next["metadata"]["annotations"] = json!({});
            }
            next["metadata"]["annotations"][REVISION] = json!(revision.to_string());
            store.replace(res("deployments"), next);
        }
    }
}

/// Old sets scaled to nothing beyond the Deployment's history limit go, oldest first.
pub(super) fn prune(store: &mut Store, deployment: &Value, owned: &[Value], current: &str) {
    let limit = deployment
        .pointer("/spec/revisionHistoryLimit")
        .and_then(Value::as_u64)
        .map_or(DEFAULT_HISTORY_LIMIT, |l| l as usize);
    let mut idle: Vec<&Value> = owned
        .iter()
        .filter(|r| {
            s(r, "/metadata/name") != current
                && r.pointer("/spec/replicas").and_then(Value::as_i64) == Some(0)
                && r.pointer("/status/replicas")
                    .and_then(Value::as_i64)
                    .unwrap_or(0)
                    == 0
        })
        .collect();
    if idle.len() <= limit {
        return;
    }
    idle.sort_by_key(|r| revision_of(r));
    let extra = idle.len() - limit;
    for set in idle.into_iter().take(extra) {
        store.remove(
            res("replicasets"),
            s(set, "/metadata/namespace"),
            s(set, "/metadata/name"),
        );
    }
}

/// Whether the Deployment is paused (`kubectl rollout pause`): no new rollout starts.
pub(super) fn paused(deployment: &Value) -> bool {
    deployment.pointer("/spec/paused").and_then(Value::as_bool) == Some(true)
}

/// The set a paused Deployment keeps: its newest revision.
pub(super) fn newest(owned: &[Value]) -> Option<String> {
    owned
        .iter()
        .max_by_key(|r| revision_of(r))
        .map(|r| s(r, "/metadata/name").to_string())
}

/// What a new set takes from its Deployment's annotations (its change-cause,
/// say), as the controller copies them: not the revision's own, not kubectl's
/// last applied configuration.
pub(super) fn inherited_annotations(deployment: &Value) -> Value {
    let mut kept = serde_json::Map::new();
    if let Some(annotations) = deployment
        .pointer("/metadata/annotations")
        .and_then(Value::as_object)
    {
        for (key, value) in annotations {
            if !key.starts_with("deployment.kubernetes.io/")
                && key != "kubectl.kubernetes.io/last-applied-configuration"
            {
                kept.insert(key.clone(), value.clone());
            }
        }
    }
    Value::Object(kept)
}

/// The set whose pod template is the Deployment's, compared as Kubernetes
/// compares them: without the set's `pod-template-hash` label, and with
/// nulls and empty objects and lists taken as absent.
pub(super) fn set_with_template(owned: &[Value], template: &Value) -> Option<String> {
    let wanted = normalised(template);
    owned
        .iter()
        .find(|set| {
            let mut theirs = set
                .pointer("/spec/template")
                .cloned()
                .unwrap_or(Value::Null);
            if let Some(labels) = theirs
                .pointer_mut("/metadata/labels")
                .and_then(Value::as_object_mut)
            {
                labels.remove("pod-template-hash");
            }
            normalised(&theirs) == wanted
        })
        .map(|set| s(set, "/metadata/name").to_string())
}

fn normalised(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), normalised(v)))
                .filter(|(_, v)| !is_empty(v))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(normalised).collect()),
        other => other.clone(),
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Object(map) => map.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}
