//! managedFields: who owns which field, updated on every write, and the
//! conflict check of server-side apply.

use super::patch::{
    FieldPath, display_path, field_paths, fields_v1, paths_from_fields_v1, remove_at,
    strategic_merge, value_at,
};
use crate::sim::clock::{now_secs, rfc3339};
use serde_json::{Value, json};
use std::collections::BTreeSet;

struct Entry {
    manager: String,
    operation: String,
    api_version: String,
    paths: BTreeSet<FieldPath>,
}

fn entries(object: &Value) -> Vec<Entry> {
    object
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|e| Entry {
                    manager: e
                        .get("manager")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    operation: e
                        .get("operation")
                        .and_then(Value::as_str)
                        .unwrap_or("Update")
                        .to_string(),
                    api_version: e
                        .get("apiVersion")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    paths: e
                        .get("fieldsV1")
                        .map(paths_from_fields_v1)
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn store_entries(object: &mut Value, entries: Vec<Entry>) {
    let time = rfc3339(now_secs());
    let list: Vec<Value> = entries
        .into_iter()
        .filter(|e| !e.paths.is_empty())
        .map(|e| {
            json!({"manager": e.manager, "operation": e.operation, "apiVersion": e.api_version, "time": time,
                   "fieldsType": "FieldsV1", "fieldsV1": fields_v1(&e.paths)})
        })
        .collect();
    object["metadata"]["managedFields"] = json!(list);
}

/// A non-apply write (create, update, patch, scale): the writer takes the fields it changed.
pub fn record_update(before: Option<&Value>, after: &mut Value, manager: &str) {
    let api_version = after
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let mut list = before.map(entries).unwrap_or_default();
    let changed: BTreeSet<FieldPath> = field_paths(after)
        .into_iter()
        .filter(|p| before.is_none_or(|b| value_at(b, p) != value_at(after, p)))
        .collect();
    if changed.is_empty() {
        store_entries(after, list);
        return;
    }
    for entry in &mut list {
        entry.paths.retain(|p| !changed.contains(p));
    }
    match list
        .iter_mut()
        .find(|e| e.manager == manager && e.operation == "Update")
    {
        Some(entry) => entry.paths.extend(changed),
        None => list.push(Entry {
            manager: manager.to_string(),
            operation: "Update".into(),
            api_version,
            paths: changed,
        }),
    }
    store_entries(after, list);
}

/// Server-side apply of `applied` onto `existing` (None: create). Returns the
/// new object, or the conflicts as (manager, field) pairs.
pub fn apply(
    existing: Option<&Value>,
    applied: &Value,
    manager: &str,
    force: bool,
) -> Result<Value, Vec<(String, String)>> {
    let api_version = applied
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let applied_paths = field_paths(applied);
    let Some(existing) = existing else {
        let mut created = applied.clone();
        store_entries(
            &mut created,
            vec![Entry {
                manager: manager.into(),
                operation: "Apply".into(),
                api_version,
                paths: applied_paths,
            }],
        );
        return Ok(created);
    };
    let mut list = entries(existing);
    // A manager is its name and operation: `kubectl` updating (scale) is not `kubectl` applying.
    let is_self = |e: &Entry| e.manager == manager && e.operation == "Apply";
    let mut conflicts = Vec::new();
    for entry in list.iter().filter(|e| !is_self(e)) {
        for path in entry.paths.intersection(&applied_paths) {
            if value_at(existing, path) != value_at(applied, path) {
                conflicts.push((
                    entry.manager.clone(),
                    display_path(path),
                    entry.api_version.clone(),
                ));
            }
        }
    }
    if !conflicts.is_empty() && !force {
        return Err(conflicts.into_iter().map(|(m, f, _)| (m, f)).collect());
    }
    let mut merged = existing.clone();
    // Fields this manager applied before and no longer applies go, unless someone else owns them.
    if let Some(previous) = list
        .iter()
        .find(|e| e.manager == manager && e.operation == "Apply")
    {
        let others: BTreeSet<&FieldPath> = list
            .iter()
            .filter(|e| !is_self(e))
            .flat_map(|e| &e.paths)
            .collect();
        for path in previous.paths.difference(&applied_paths) {
            if !others.contains(path) {
                remove_at(&mut merged, path);
            }
        }
    }
    let mut body = applied.clone();
    if let Some(metadata) = body.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.remove("managedFields");
        metadata.remove("resourceVersion");
    }
    strategic_merge(&mut merged, &body);
    for entry in list
        .iter_mut()
        .filter(|e| !(e.manager == manager && e.operation == "Apply"))
    {
        // Shared fields with the same value stay co-owned; forced ones change hands.
        entry.paths.retain(|p| {
            !applied_paths.contains(p) || value_at(existing, p) == value_at(applied, p)
        });
    }
    list.retain(|e| !(e.manager == manager && e.operation == "Apply"));
    list.push(Entry {
        manager: manager.into(),
        operation: "Apply".into(),
        api_version,
        paths: applied_paths,
    });
    store_entries(&mut merged, list);
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(replicas: i64, image: &str) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
               "spec": {"replicas": replicas, "template": {"spec": {"containers": [{"name": "web", "image": image}]}}}})
    }

    #[test]
    fn apply_creates_then_merges_and_owns_fields() {
        let created = apply(None, &manifest(1, "a:1"), "kubectl", false).unwrap();
        let managers = created["metadata"]["managedFields"].as_array().unwrap();
        assert_eq!(managers[0]["manager"], "kubectl");
        assert_eq!(managers[0]["operation"], "Apply");
        let again = apply(Some(&created), &manifest(1, "a:2"), "kubectl", false).unwrap();
        assert_eq!(
            again["spec"]["template"]["spec"]["containers"][0]["image"],
            "a:2"
        );
    }

    #[test]
    fn another_managers_field_conflicts_unless_forced() {
        let created = apply(None, &manifest(1, "a:1"), "kubectl", false).unwrap();
        // Someone scales it: they now own spec.replicas.
        let mut scaled = created.clone();
        scaled["spec"]["replicas"] = json!(3);
        record_update(Some(&created), &mut scaled, "kubectl-scale");
        let conflicts = apply(Some(&scaled), &manifest(1, "a:1"), "kubectl", false).unwrap_err();
        assert_eq!(
            conflicts,
            vec![("kubectl-scale".to_string(), ".spec.replicas".to_string())]
        );
        // The same value is no conflict; forcing takes the field over.
        assert!(apply(Some(&scaled), &manifest(3, "a:1"), "kubectl", false).is_ok());
        let forced = apply(Some(&scaled), &manifest(1, "a:1"), "kubectl", true).unwrap();
        assert_eq!(forced["spec"]["replicas"], 1);
        let owners: Vec<&str> = forced["metadata"]["managedFields"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["manager"].as_str())
            .collect();
        assert_eq!(owners, vec!["kubectl"], "kubectl-scale lost its only field");
    }

    #[test]
    fn the_same_name_updating_is_another_manager() {
        // `kubectl scale` sends no fieldManager: the server names it "kubectl", operation Update.
        let created = apply(None, &manifest(1, "a:1"), "kubectl", false).unwrap();
        let mut scaled = created.clone();
        scaled["spec"]["replicas"] = json!(3);
        record_update(Some(&created), &mut scaled, "kubectl");
        let conflicts = apply(Some(&scaled), &manifest(1, "a:1"), "kubectl", false).unwrap_err();
        assert_eq!(
            conflicts,
            vec![("kubectl".to_string(), ".spec.replicas".to_string())]
        );
    }
}
