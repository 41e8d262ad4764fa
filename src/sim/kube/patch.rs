//! Patches as the API server applies them: JSON merge (RFC 7386), JSON patch
//! (RFC 6902), strategic merge (lists of named items merge by name), and
//! server-side apply with managedFields and conflict detection.

use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

pub fn merge_patch(target: &mut Value, patch: &Value) {
    match (target.as_object_mut(), patch.as_object()) {
        (Some(target), Some(patch)) => {
            for (key, value) in patch {
                if value.is_null() {
                    target.remove(key);
                } else {
                    merge_patch(target.entry(key.clone()).or_insert(Value::Null), value);
                }
            }
        }
        _ => *target = strip_nulls(patch),
    }
}

fn strip_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), strip_nulls(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Like a merge patch, but lists whose items carry the list's merge key
/// (`name`, `containerPort`, `port`) merge item by item.
pub fn strategic_merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(target), Value::Object(patch)) => {
            for (key, value) in patch {
                if key.starts_with("$") {
                    continue;
                }
                if value.is_null() {
                    target.remove(key);
                } else {
                    strategic_merge(target.entry(key.clone()).or_insert(Value::Null), value);
                }
            }
        }
        (Value::Array(target), Value::Array(patch)) if merge_key(patch).is_some() => {
            let key = merge_key(patch).unwrap_or("name");
            for item in patch {
                match target
                    .iter_mut()
                    .find(|t| t.get(key).is_some() && t.get(key) == item.get(key))
                {
                    Some(existing) => strategic_merge(existing, item),
                    None => target.push(item.clone()),
                }
            }
        }
        (target, patch) => *target = strip_nulls(patch),
    }
}

fn merge_key(items: &[Value]) -> Option<&'static str> {
    ["name", "containerPort", "port"]
        .into_iter()
        .find(|k| !items.is_empty() && items.iter().all(|i| i.get(*k).is_some()))
}

/// RFC 6902 JSON patch.
pub fn json_patch(target: &mut Value, operations: &Value) -> Result<(), String> {
    let operations = operations
        .as_array()
        .ok_or("a JSON patch must be an array of operations")?;
    for op in operations {
        let kind = op
            .get("op")
            .and_then(Value::as_str)
            .ok_or("a JSON patch operation needs \"op\"")?;
        let path = op
            .get("path")
            .and_then(Value::as_str)
            .ok_or("a JSON patch operation needs \"path\"")?;
        match kind {
            "add" | "replace" => {
                let value = op
                    .get("value")
                    .cloned()
                    .ok_or("add/replace needs \"value\"")?;
                set_pointer(target, path, value, kind == "add")?;
            }
            "remove" => {
                remove_pointer(target, path)?;
            }
            "test" => {
                if target.pointer(path) != op.get("value") {
                    return Err(format!("test operation failed at {path}"));
                }
            }
            "move" | "copy" => {
                let from = op
                    .get("from")
                    .and_then(Value::as_str)
                    .ok_or("move/copy needs \"from\"")?;
                let value = target
                    .pointer(from)
                    .cloned()
                    .ok_or_else(|| format!("no value at {from}"))?;
                if kind == "move" {
                    remove_pointer(target, from)?;
                }
                set_pointer(target, path, value, true)?;
            }
            other => return Err(format!("unknown JSON patch operation {other:?}")),
        }
    }
    Ok(())
}

fn split_pointer(path: &str) -> Result<(String, String), String> {
    let (parent, last) = path
        .rsplit_once('/')
        .ok_or_else(|| format!("{path:?} is not a JSON pointer"))?;
    Ok((
        parent.to_string(),
        last.replace("~1", "/").replace("~0", "~"),
    ))
}

fn set_pointer(target: &mut Value, path: &str, value: Value, insert: bool) -> Result<(), String> {
    let (parent, last) = split_pointer(path)?;
    let container = target
        .pointer_mut(&parent)
        .ok_or_else(|| format!("no parent for {path}"))?;
    match container {
        Value::Object(map) => {
            if !insert && !map.contains_key(&last) {
                return Err(format!("replace: no value at {path}"));
            }
            map.insert(last, value);
        }
        Value::Array(list) => {
            if last == "-" {
                list.push(value);
            } else {
                let index: usize = last
                    .parse()
                    .map_err(|_| format!("{last:?} is not an index"))?;
                if insert && index <= list.len() {
                    list.insert(index, value);
                } else if !insert && index < list.len() {
                    list[index] = value;
                } else {
                    return Err(format!("index {index} is out of range at {path}"));
                }
            }
        }
        _ => {
            return Err(format!(
                "cannot set {path}: the parent is not an object or list"
            ));
        }
    }
    Ok(())
}

fn remove_pointer(target: &mut Value, path: &str) -> Result<(), String> {
    let (parent, last) = split_pointer(path)?;
    let container = target
        .pointer_mut(&parent)
        .ok_or_else(|| format!("no value at {path}"))?;
    let removed = match container {
        Value::Object(map) => map.remove(&last).is_some(),
        Value::Array(list) => match last.parse::<usize>() {
            Ok(i) if i < list.len() => {
                list.remove(i);
                true
            }
            _ => false,
        },
        _ => false,
    };
    if removed {
        Ok(())
    } else {
        Err(format!("remove: no value at {path}"))
    }
}

/// A field path as managedFields name it: `f:spec`, `f:replicas`, `k:{"name":"web"}`.
pub type FieldPath = Vec<String>;

/// The leaf fields a (partial) object sets. Lists of named items are keyed by name; other lists are leaves.
pub fn field_paths(value: &Value) -> BTreeSet<FieldPath> {
    let mut paths = BTreeSet::new();
    collect(value, &mut Vec::new(), &mut paths);
    paths
}

fn collect(value: &Value, prefix: &mut Vec<String>, out: &mut BTreeSet<FieldPath>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, child) in map {
                if prefix.is_empty() && matches!(key.as_str(), "apiVersion" | "kind" | "status") {
                    continue;
                }
                if prefix.len() == 1
                    && prefix[0] == "f:metadata"
                    && !matches!(key.as_str(), "labels" | "annotations")
                {
                    continue;
                }
                prefix.push(format!("f:{key}"));
                collect(child, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(items)
            if !items.is_empty()
                && items
                    .iter()
                    .all(|i| i.get("name").and_then(Value::as_str).is_some()) =>
        {
            for item in items {
                let name = item.get("name").and_then(Value::as_str).unwrap_or_default();
                prefix.push(format!("k:{}", json!({"name": name})));
                collect(item, prefix, out);
                prefix.pop();
            }
        }
        _ => {
            if !prefix.is_empty() {
                out.insert(prefix.clone());
            }
        }
    }
}

/// The value at a field path, if the object has one.
pub fn value_at<'a>(value: &'a Value, path: &[String]) -> Option<&'a Value> {
    let mut current = value;
    for segment in path {
        current = if let Some(field) = segment.strip_prefix("f:") {
            current.get(field)?
        } else if let Some(key) = segment.strip_prefix("k:") {
            let key: Value = serde_json::from_str(key).ok()?;
            current
                .as_array()?
                .iter()
                .find(|item| item.get("name") == key.get("name"))?
        } else {
            return None;
        };
    }
    Some(current)
}

pub fn remove_at(value: &mut Value, path: &[String]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut current = value;
    for segment in parents {
        let next = if let Some(field) = segment.strip_prefix("f:") {
            current.get_mut(field)
        } else if let Some(key) = segment.strip_prefix("k:") {
            let key: Value = serde_json::from_str(key).unwrap_or(Value::Null);
            current
                .as_array_mut()
                .and_then(|items| items.iter_mut().find(|i| i.get("name") == key.get("name")))
        } else {
            None
        };
        match next {
            Some(next) => current = next,
            None => return,
        }
    }
    if let Some(field) = last.strip_prefix("f:")
        && let Some(map) = current.as_object_mut()
    {
        map.remove(field);
    }
}

/// `{"f:spec":{"f:replicas":{}}}` from a set of paths.
pub fn fields_v1(paths: &BTreeSet<FieldPath>) -> Value {
    let mut root = Map::new();
    for path in paths {
        let mut node = &mut root;
        for segment in path {
            let entry = node
                .entry(segment.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            node = match entry {
                Value::Object(map) => map,
                _ => break,
            };
        }
    }
    Value::Object(root)
}

pub fn paths_from_fields_v1(fields: &Value) -> BTreeSet<FieldPath> {
    let mut out = BTreeSet::new();
    fn walk(value: &Value, prefix: &mut Vec<String>, out: &mut BTreeSet<FieldPath>) {
        match value.as_object() {
            Some(map) if !map.is_empty() => {
                for (k, v) in map {
                    if k == "." {
                        continue;
                    }
                    prefix.push(k.clone());
                    walk(v, prefix, out);
                    prefix.pop();
                }
            }
            _ => {
                if !prefix.is_empty() {
                    out.insert(prefix.clone());
                }
            }
        }
    }
    walk(fields, &mut Vec::new(), &mut out);
    out
}

pub fn display_path(path: &FieldPath) -> String {
    path.iter()
        .map(|s| match s.strip_prefix("f:") {
            Some(field) => format!(".{field}"),
            None => format!(
                "[{}]",
                s.trim_start_matches("k:")
                    .replace('"', "")
                    .replace(['{', '}'], "")
                    .replace(':', "=")
            ),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_patch_follows_rfc_7386() {
        let mut target = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut target, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(target, json!({"a": "z", "c": {"d": "e"}}));
    }

    #[test]
    fn strategic_merge_merges_containers_by_name() {
        let mut target = json!({"containers": [{"name": "web", "image": "a:1"}, {"name": "side", "image": "s:1"}]});
        strategic_merge(
            &mut target,
            &json!({"containers": [{"name": "web", "image": "a:2"}]}),
        );
        assert_eq!(target["containers"][0]["image"], "a:2");
        assert_eq!(target["containers"][1]["image"], "s:1");
    }

    #[test]
    fn json_patch_operations() {
        let mut target = json!({"spec": {"replicas": 1, "list": [1, 2]}});
        json_patch(
            &mut target,
            &json!([
                {"op": "replace", "path": "/spec/replicas", "value": 3},
                {"op": "add", "path": "/spec/list/-", "value": 3},
                {"op": "remove", "path": "/spec/list/0"},
                {"op": "test", "path": "/spec/replicas", "value": 3},
            ]),
        )
        .unwrap();
        assert_eq!(target, json!({"spec": {"replicas": 3, "list": [2, 3]}}));
        assert!(
            json_patch(
                &mut target,
                &json!([{"op": "replace", "path": "/spec/nope", "value": 1}])
            )
            .is_err()
        );
        assert!(json_patch(&mut target, &json!({"op": "add"})).is_err());
    }

    #[test]
    fn field_sets_key_named_list_items() {
        let applied = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x", "labels": {"app": "x"}},
            "spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "web", "image": "a"}]}}}});
        let paths = field_paths(&applied);
        let shown: Vec<String> = paths.iter().map(display_path).collect();
        assert_eq!(
            shown,
            vec![
                ".metadata.labels.app",
                ".spec.replicas",
                ".spec.template.spec.containers[name=web].image",
                ".spec.template.spec.containers[name=web].name"
            ]
        );
        let round_trip = paths_from_fields_v1(&fields_v1(&paths));
        assert_eq!(round_trip, paths);
        let path: FieldPath = vec![
            "f:spec".into(),
            "f:template".into(),
            "f:spec".into(),
            "f:containers".into(),
            "k:{\"name\":\"web\"}".into(),
            "f:image".into(),
        ];
        assert_eq!(value_at(&applied, &path), Some(&json!("a")));
    }
}
