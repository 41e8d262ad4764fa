//! Writes: create, update, patch (merge, JSON, strategic, apply) and delete.

use super::*;

pub fn create(
    shared: &KubeShared,
    target: &Target,
    mut object: Value,
    manager: &str,
    dry_run: bool,
) -> Response<Body> {
    let mut store = lock(shared);
    if let Some(refusal) = namespace_missing(&store, target) {
        return status_response(&refusal, None, None);
    }
    if target.resource.namespaced
        && let Some(ns) = &target.namespace
        && object.pointer("/metadata/namespace").is_none()
        && let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut)
    {
        metadata.insert("namespace".into(), json!(ns));
    }
    if object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
        && let Some(prefix) = object
            .pointer("/metadata/generateName")
            .and_then(Value::as_str)
            .map(String::from)
    {
        let suffix = store.random_suffix(&format!("generate/{prefix}"), 5);
        object["metadata"]["name"] = json!(format!("{prefix}{suffix}"));
    }
    if let Err(refusal) = admission::check(target.resource, target.namespace.as_deref(), &object) {
        return status_response(&refusal, Some(target.resource), None);
    }
    admission::defaults(target.resource, &mut object);
    let ns = object
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let name = object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let ns_key = if target.resource.namespaced {
        ns.as_str()
    } else {
        ""
    };
    if store
        .stored(target.resource.plural, ns_key, &name)
        .is_some()
    {
        let refusal = Refusal {
            code: 409,
            reason: "AlreadyExists",
            message: format!(
                "{} \"{name}\" already exists",
                plural_group(target.resource)
            ),
            causes: Vec::new(),
        };
        return status_response(&refusal, Some(target.resource), Some(&name));
    }
    if !target.resource.namespaced
        && let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut)
    {
        metadata.remove("namespace");
    }
    crate::sim::kube::controller::on_create(&mut store, target.resource, &mut object);
    managed::record_update(None, &mut object, manager);
    if dry_run {
        return json(StatusCode::CREATED, &object);
    }
    let stored = store.insert(target.resource, object);
    json(StatusCode::CREATED, &stored)
}

fn plural_group(resource: &Resource) -> String {
    if resource.group.is_empty() {
        resource.plural.to_string()
    } else {
        format!("{}.{}", resource.plural, resource.group)
    }
}

/// PUT: replace the whole object (or its status), with optimistic concurrency.
pub fn update(
    shared: &KubeShared,
    target: &Target,
    object: Value,
    manager: &str,
) -> Response<Body> {
    let mut store = lock(shared);
    let (_, name, current) = match current_object(&store, target) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    if let Some(rv) = object
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        && Some(rv)
            != current
                .pointer("/metadata/resourceVersion")
                .and_then(Value::as_str)
    {
        let refusal = Refusal {
            code: 409,
            reason: "Conflict",
            message: format!(
                "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
                plural_group(target.resource)
            ),
            causes: Vec::new(),
        };
        return status_response(&refusal, Some(target.resource), Some(&name));
    }
    let mut next = if target.sub.as_deref() == Some("status") {
        let mut next = current.clone();
        next["status"] = object.get("status").cloned().unwrap_or(json!({}));
        next
    } else {
        let mut next = object;
        next["status"] = current.get("status").cloned().unwrap_or(json!({}));
        next
    };
    write(&mut store, target, &current, &mut next, manager)
}

pub(super) fn write(
    store: &mut Store,
    target: &Target,
    current: &Value,
    next: &mut Value,
    manager: &str,
) -> Response<Body> {
    if next.pointer("/metadata/name") != current.pointer("/metadata/name") {
        return status_response(
            &Refusal::bad_request("the name of the object does not match the name on the URL"),
            Some(target.resource),
            None,
        );
    }
    if let Err(refusal) = admission::check(target.resource, target.namespace.as_deref(), next) {
        return status_response(&refusal, Some(target.resource), None);
    }
    admission::defaults(target.resource, next);
    if !target.resource.namespaced
        && let Some(metadata) = next.get_mut("metadata").and_then(Value::as_object_mut)
    {
        metadata.remove("namespace");
    }
    managed::record_update(Some(current), next, manager);
    crate::sim::kube::controller::on_update(store, target.resource, current, next);
    let stored = store.replace(target.resource, next.clone());
    json(StatusCode::OK, &stored)
}

pub fn patch(
    shared: &KubeShared,
    target: &Target,
    content_type: &str,
    body: &[u8],
    query: &HashMap<String, String>,
    manager: &str,
) -> Response<Body> {
    let media = content_type.split(';').next().unwrap_or("").trim();
    if media == "application/apply-patch+yaml" || media == "application/apply-patch+json" {
        return apply(shared, target, body, query);
    }
    const PATCH_TYPES: [&str; 3] = [
        "application/merge-patch+json",
        "application/strategic-merge-patch+json",
        "application/json-patch+json",
    ];
    if !PATCH_TYPES.contains(&media) {
        let refusal = Refusal {
            code: 415,
            reason: "UnsupportedMediaType",
            message: format!(
                "the body of the request was in an unknown format ({media}) - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json"
            ),
            causes: Vec::new(),
        };
        return status_response(&refusal, None, None);
    }
    let patch: Value = match serde_json::from_slice(body) {
        Ok(p) => p,
        Err(e) => {
            return status_response(
                &Refusal::bad_request(format!("error decoding patch: {e}")),
                None,
                None,
            );
        }
    };
    let mut store = lock(shared);
    let (_, name, current) = match current_object(&store, target) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let mut next = current.clone();
    let result = match media {
        "application/merge-patch+json" => {
            merge_patch(&mut next, &patch);
            Ok(())
        }
        "application/strategic-merge-patch+json" => {
            strategic_merge(&mut next, &patch);
            Ok(())
        }
        "application/json-patch+json" => json_patch(&mut next, &patch),
        other => {
            let refusal = Refusal {
                code: 415,
                reason: "UnsupportedMediaType",
                message: format!(
                    "the body of the request was in an unknown format ({other}) - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json"
                ),
                causes: Vec::new(),
            };
            return status_response(&refusal, None, None);
        }
    };
    if let Err(e) = result {
        return status_response(
            &Refusal {
                code: 422,
                reason: "Invalid",
                message: e,
                causes: Vec::new(),
            },
            Some(target.resource),
            Some(&name),
        );
    }
    write(&mut store, target, &current, &mut next, manager)
}

fn apply(
    shared: &KubeShared,
    target: &Target,
    body: &[u8],
    query: &HashMap<String, String>,
) -> Response<Body> {
    let Some(manager) = query.get("fieldManager").filter(|m| !m.is_empty()) else {
        return status_response(
            &Refusal::bad_request(
                "PATCH, application/apply-patch+yaml: fieldManager is required for apply requests",
            ),
            None,
            None,
        );
    };
    if manager.len() > 128 {
        return status_response(
            &Refusal::bad_request("fieldManager: Too long: may not be more than 128 bytes"),
            None,
            None,
        );
    }
    let applied: Value = match serde_yaml_ng::from_slice::<Value>(body) {
        Ok(v) => v,
        Err(e) => {
            return status_response(
                &Refusal::bad_request(format!("error decoding YAML: {e}")),
                None,
                None,
            );
        }
    };
    let name = target.name.as_deref().unwrap_or("");
    if applied.pointer("/metadata/name").and_then(Value::as_str) != Some(name) {
        return status_response(
            &Refusal::bad_request("the name of the object does not match the name on the URL"),
            Some(target.resource),
            None,
        );
    }
    if let Err(refusal) = admission::check(target.resource, target.namespace.as_deref(), &applied) {
        return status_response(&refusal, Some(target.resource), None);
    }
    let force = query.get("force").is_some_and(|f| f == "true");
    let mut store = lock(shared);
    if let Some(refusal) = namespace_missing(&store, target) {
        return status_response(&refusal, None, None);
    }
    let (ns, name) = key_of(target);
    let (ns, name) = (ns.to_string(), name.to_string());
    let current = store.get(target.resource.plural, &ns, &name);
    match managed::apply(current.as_ref(), &applied, manager, force) {
        Err(conflicts) => {
            let fields: Vec<String> = conflicts
                .iter()
                .map(|(m, f)| format!("conflict with \"{m}\": {f}"))
                .collect();
            let refusal = Refusal {
                code: 409,
                reason: "Conflict",
                message: format!(
                    "Apply failed with {} conflict{}: {}",
                    conflicts.len(),
                    if conflicts.len() == 1 { "" } else { "s" },
                    fields.join("\n")
                ),
                causes: conflicts
                    .iter()
                    .map(|(m, f)| (f.clone(), format!("conflict with \"{m}\"")))
                    .collect(),
            };
            status_response(&refusal, Some(target.resource), Some(&name))
        }
        Ok(mut next) => {
            if target.resource.namespaced && next.pointer("/metadata/namespace").is_none() {
                next["metadata"]["namespace"] = json!(ns);
            }
            admission::defaults(target.resource, &mut next);
            match current {
                Some(current) => {
                    crate::sim::kube::controller::on_update(
                        &mut store,
                        target.resource,
                        &current,
                        &mut next,
                    );
                    json(StatusCode::OK, &store.replace(target.resource, next))
                }
                None => {
                    crate::sim::kube::controller::on_create(&mut store, target.resource, &mut next);
                    json(StatusCode::CREATED, &store.insert(target.resource, next))
                }
            }
        }
    }
}

pub fn delete(shared: &KubeShared, target: &Target, body: &[u8]) -> Response<Body> {
    let options: Value = serde_json::from_slice(body).unwrap_or(json!({}));
    let mut store = lock(shared);
    let (ns, name, current) = match current_object(&store, target) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let grace = options.get("gracePeriodSeconds").and_then(Value::as_i64);
    if target.resource.plural == "pods" && grace != Some(0) {
        // Pods terminate first (kubectl shows Terminating); the controller removes them.
        if current.pointer("/metadata/deletionTimestamp").is_none() {
            let mut next = current.clone();
            next["metadata"]["deletionTimestamp"] = json!(rfc3339(now_secs()));
            next["metadata"]["deletionGracePeriodSeconds"] = json!(grace.unwrap_or(30));
            let stored = store.replace(target.resource, next);
            crate::sim::kube::controller::record_event(
                &mut store,
                &stored,
                "Normal",
                "Killing",
                &format!("Stopping container {}", first_container(&stored)),
            );
            return json(StatusCode::OK, &stored);
        }
        return json(StatusCode::OK, &current);
    }
    let removed = store
        .remove(target.resource, &ns, &name)
        .map(|deleted| deleted.value())
        .unwrap_or(current);
    let orphan = options.get("propagationPolicy").and_then(Value::as_str) == Some("Orphan");
    if !orphan {
        crate::sim::kube::controller::collect_garbage(&mut store);
    }
    json(
        StatusCode::OK,
        &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                                 "details": {"name": name, "group": target.resource.group, "kind": target.resource.plural, "uid": removed["metadata"]["uid"]}}),
    )
}

pub(super) fn first_container(pod: &Value) -> String {
    pod.pointer("/spec/containers/0/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}
