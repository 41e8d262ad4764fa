//! The REST verbs of the simulated API server: list, watch, get, create,
//! update, patch (merge, JSON, strategic, apply), delete, and the scale,
//! status and log subresources.

use super::admission::{self, Refusal};
use super::managed;
use super::patch::{json_patch, merge_patch, strategic_merge};
use super::resources::{self, Resource};
use super::selectors::{FieldSelector, LabelSelector};
use super::store::Store;
use super::{KubeShared, table};
use crate::sim::clock::{now_secs, rfc3339};
use crate::sim::http::{Body, json, streaming};
use bytes::Bytes;
use hyper::{Response, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::mpsc;

#[derive(Debug, Clone)]
pub struct Target {
    pub resource: &'static Resource,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub sub: Option<String>,
}

/// `/api/v1/namespaces/default/pods/x/log` and friends.
pub fn parse_target(segments: &[&str]) -> Option<Target> {
    let (group, rest) = match segments {
        ["api", "v1", rest @ ..] => ("", rest),
        ["apis", group, "v1", rest @ ..] => (*group, rest),
        _ => return None,
    };
    let (namespace, rest) = match rest {
        ["namespaces", ns, plural, rest @ ..] => {
            (Some(ns.to_string()), [&[*plural][..], rest].concat())
        }
        other => (None, other.to_vec()),
    };
    let resource = resources::by_plural(group, rest.first()?)?;
    if namespace.is_some() && !resource.namespaced {
        return None;
    }
    Some(Target {
        resource,
        namespace,
        name: rest.get(1).map(|s| s.to_string()),
        sub: rest.get(2).map(|s| s.to_string()),
    })
}

pub fn status_response(
    refusal: &Refusal,
    resource: Option<&Resource>,
    name: Option<&str>,
) -> Response<Body> {
    let mut details = json!({});
    if let Some(name) = name {
        details["name"] = json!(name);
    }
    if let Some(r) = resource {
        details["group"] = json!(r.group);
        details["kind"] = json!(r.plural);
    }
    if !refusal.causes.is_empty() {
        details["causes"] = json!(refusal.causes.iter().map(|(f, m)| json!({"reason": if refusal.code == 409 { "FieldManagerConflict" } else { "FieldValueInvalid" }, "message": m, "field": f})).collect::<Vec<_>>());
    }
    let status = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                        "message": refusal.message, "reason": refusal.reason, "details": details, "code": refusal.code});
    json(
        StatusCode::from_u16(refusal.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        &status,
    )
}

fn lock(shared: &KubeShared) -> std::sync::MutexGuard<'_, Store> {
    shared.store.lock().unwrap_or_else(|p| p.into_inner())
}

fn namespace_missing(store: &Store, target: &Target) -> Option<Refusal> {
    let ns = target.namespace.as_deref()?;
    store.get("namespaces", "", ns).is_none().then(|| {
        Refusal::not_found(
            resources::by_plural("", "namespaces").expect("namespaces"),
            ns,
        )
    })
}

fn key_of(target: &Target) -> (&str, &str) {
    (
        if target.resource.namespaced {
            target.namespace.as_deref().unwrap_or("default")
        } else {
            ""
        },
        target.name.as_deref().unwrap_or(""),
    )
}

fn wants_table(accept: &str) -> bool {
    accept.contains("as=Table")
}

fn selectors(query: &HashMap<String, String>) -> Result<(LabelSelector, FieldSelector), Refusal> {
    let labels = LabelSelector::parse(query.get("labelSelector").map(String::as_str).unwrap_or(""))
        .map_err(Refusal::bad_request)?;
    let fields = FieldSelector::parse(query.get("fieldSelector").map(String::as_str).unwrap_or(""))
        .map_err(Refusal::bad_request)?;
    Ok((labels, fields))
}

pub fn list(
    shared: &KubeShared,
    target: &Target,
    query: &HashMap<String, String>,
    accept: &str,
) -> Response<Body> {
    let (labels, fields) = match selectors(query) {
        Ok(s) => s,
        Err(r) => return status_response(&r, None, None),
    };
    let store = lock(shared);
    let mut items: Vec<&Value> = store
        .list(target.resource.plural, target.namespace.as_deref())
        .into_iter()
        .filter(|o| labels.matches(o.pointer("/metadata/labels")) && fields.matches(o))
        .collect();
    let offset: usize = query
        .get("continue")
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let limit: usize = query
        .get("limit")
        .and_then(|l| l.parse().ok())
        .filter(|l| *l > 0)
        .unwrap_or(usize::MAX);
    let total = items.len();
    items = items.into_iter().skip(offset).take(limit).collect();
    let mut metadata = json!({"resourceVersion": store.resource_version().to_string()});
    if offset + items.len() < total {
        metadata["continue"] = json!((offset + items.len()).to_string());
        metadata["remainingItemCount"] = json!(total - offset - items.len());
    }
    if wants_table(accept) {
        let mut t = table::table(
            target.resource,
            &items,
            store.resource_version(),
            now_secs(),
        );
        t["metadata"] = metadata;
        return json(StatusCode::OK, &t);
    }
    // Written item by item: building one big Value would deep-copy every object first.
    let mut body = Vec::with_capacity(items.len() * 1024 + 256);
    let head = json!({"kind": format!("{}List", target.resource.kind), "apiVersion": target.resource.api_version(), "metadata": metadata});
    let head = head.to_string();
    body.extend_from_slice(&head.as_bytes()[..head.len() - 1]);
    body.extend_from_slice(b",\"items\":[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        if serde_json::to_writer(&mut body, item).is_err() {
            return status_response(
                &Refusal {
                    code: 500,
                    reason: "InternalError",
                    message: "cannot encode the list".into(),
                    causes: Vec::new(),
                },
                None,
                None,
            );
        }
    }
    body.extend_from_slice(b"]}");
    crate::sim::http::full(StatusCode::OK, "application/json", body)
}

/// A watch: replay from `resourceVersion`, then live changes; bookmarks if asked; 410 when too old.
pub fn watch(
    shared: &Arc<KubeShared>,
    target: &Target,
    query: &HashMap<String, String>,
    accept: &str,
) -> Response<Body> {
    let (labels, fields) = match selectors(query) {
        Ok(s) => s,
        Err(r) => return status_response(&r, None, None),
    };
    let (tx, rx) = mpsc::unbounded_channel::<Bytes>();
    // `kubectl get -w` asks for Tables: each event then carries a one-row Table.
    let as_table = wants_table(accept);
    let resource = target.resource;
    let send = move |kind: &str, object: &Value| {
        let object = if as_table && kind != "ERROR" && kind != "BOOKMARK" {
            let rv = object
                .pointer("/metadata/resourceVersion")
                .and_then(Value::as_str)
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            table::table(resource, &[object], rv, now_secs())
        } else {
            object.clone()
        };
        tx.send(Bytes::from(format!(
            "{}\n",
            json!({"type": kind, "object": object})
        )))
        .is_ok()
    };
    let plural = target.resource.plural;
    let namespace = target.namespace.clone();
    let matches = move |object: &Value, ns: &str| {
        namespace.as_deref().is_none_or(|n| n == ns)
            && labels.matches(object.pointer("/metadata/labels"))
            && fields.matches(object)
    };
    let store = lock(shared);
    let mut live = store.watchers.subscribe();
    let requested: Option<u64> = query
        .get("resourceVersion")
        .filter(|v| !v.is_empty())
        .and_then(|v| v.parse().ok());
    let mut last_rv = store.resource_version();
    match requested {
        Some(rv) if rv != 0 && rv < store.oldest_resumable() => {
            let status = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                "message": format!("too old resource version: {rv} ({})", store.oldest_resumable()), "reason": "Expired", "code": 410});
            send("ERROR", &status);
            return streaming(StatusCode::OK, "application/json", rx);
        }
        Some(rv) if rv != 0 => {
            for change in store.changes_after(rv).filter(|c| c.plural == plural) {
                if matches(&change.object, &change.namespace) {
                    send(change.kind, &change.object);
                }
            }
        }
        _ => {
            for object in store.list(plural, None) {
                let ns = object
                    .pointer("/metadata/namespace")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                if matches(object, ns) {
                    send("ADDED", object);
                }
            }
        }
    }
    drop(store);
    let bookmark_every = shared.timing.bookmark;
    let bookmarks = query
        .get("allowWatchBookmarks")
        .is_some_and(|v| v == "true" || v == "1");
    let timeout = query
        .get("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .unwrap_or(1800)
        .clamp(1, 3600);
    let kind = target.resource.kind;
    let api_version = target.resource.api_version();
    tokio::spawn(async move {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(timeout);
        let mut bookmark = tokio::time::interval(bookmark_every);
        bookmark.tick().await;
        loop {
            tokio::select! {
                change = live.recv() => match change {
                    Ok(change) => {
                        last_rv = change.rv;
                        if change.plural == plural && matches(&change.object, &change.namespace) && !send(change.kind, &change.object) {
                            return;
                        }
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        // This watcher fell behind: end it, as a real server does, so the client relists.
                        return;
                    }
                    Err(_) => return,
                },
                _ = bookmark.tick(), if bookmarks => {
                    let object = json!({"kind": kind, "apiVersion": api_version, "metadata": {"resourceVersion": last_rv.to_string()}});
                    if !send("BOOKMARK", &object) {
                        return;
                    }
                }
                _ = tokio::time::sleep_until(deadline) => return,
            }
        }
    });
    streaming(StatusCode::OK, "application/json", rx)
}

pub fn get(shared: &KubeShared, target: &Target, accept: &str) -> Response<Body> {
    let store = lock(shared);
    let (ns, name) = key_of(target);
    match store.get(target.resource.plural, ns, name) {
        Some(object) if wants_table(accept) => json(
            StatusCode::OK,
            &table::table(
                target.resource,
                &[object],
                store.resource_version(),
                now_secs(),
            ),
        ),
        Some(object) => json(StatusCode::OK, object),
        None => status_response(
            &Refusal::not_found(target.resource, name),
            Some(target.resource),
            Some(name),
        ),
    }
}

/// The manager a write is recorded under: `fieldManager`, else the client's name from its User-Agent.
pub fn manager_of(query: &HashMap<String, String>, user_agent: &str) -> String {
    query.get("fieldManager").cloned().unwrap_or_else(|| {
        let name = user_agent.split('/').next().unwrap_or("unknown").trim();
        if name.is_empty() {
            "unknown".into()
        } else {
            name.to_string()
        }
    })
}

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
    if store.get(target.resource.plural, ns_key, &name).is_some() {
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
    super::controller::on_create(&mut store, target.resource, &mut object);
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

/// The stored object a request names, with its namespace and name, or the 404 a real server gives.
fn current_object(
    store: &Store,
    target: &Target,
) -> Result<(String, String, Value), Box<Response<Body>>> {
    let (ns, name) = key_of(target);
    match store.get(target.resource.plural, ns, name) {
        Some(object) => Ok((ns.to_string(), name.to_string(), object.clone())),
        None => Err(Box::new(status_response(
            &Refusal::not_found(target.resource, name),
            Some(target.resource),
            Some(name),
        ))),
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

fn write(
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
    super::controller::on_update(store, target.resource, current, next);
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
    let current = store.get(target.resource.plural, &ns, &name).cloned();
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
                    super::controller::on_update(&mut store, target.resource, &current, &mut next);
                    json(StatusCode::OK, &store.replace(target.resource, next))
                }
                None => {
                    super::controller::on_create(&mut store, target.resource, &mut next);
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
            super::controller::record_event(
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
    let removed = store.remove(target.resource, &ns, &name).unwrap_or(current);
    let orphan = options.get("propagationPolicy").and_then(Value::as_str) == Some("Orphan");
    if !orphan {
        super::controller::collect_garbage(&mut store);
    }
    json(
        StatusCode::OK,
        &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                                 "details": {"name": name, "group": target.resource.group, "kind": target.resource.plural, "uid": removed["metadata"]["uid"]}}),
    )
}

fn first_container(pod: &Value) -> String {
    pod.pointer("/spec/containers/0/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

/// `deployments/x/scale` as an autoscaling/v1 Scale.
pub fn scale_of(object: &Value) -> Value {
    let selector: Vec<String> = object
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                .collect()
        })
        .unwrap_or_default();
    let metadata = &object["metadata"];
    json!({"kind": "Scale", "apiVersion": "autoscaling/v1",
           "metadata": {"name": metadata["name"], "namespace": metadata["namespace"], "uid": metadata["uid"],
                        "resourceVersion": metadata["resourceVersion"], "creationTimestamp": metadata["creationTimestamp"]},
           "spec": {"replicas": object.pointer("/spec/replicas").cloned().unwrap_or(json!(0))},
           "status": {"replicas": object.pointer("/status/replicas").cloned().unwrap_or(json!(0)), "selector": selector.join(",")}})
}

/// GET, PUT or PATCH of the scale subresource.
pub fn scale(
    shared: &KubeShared,
    target: &Target,
    change: Option<(&str, &[u8])>,
    manager: &str,
) -> Response<Body> {
    let mut store = lock(shared);
    let (ns, name, current) = match current_object(&store, target) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let Some((media, body)) = change else {
        return json(StatusCode::OK, &scale_of(&current));
    };
    let patch: Value = match serde_json::from_slice(body) {
        Ok(p) => p,
        Err(e) => {
            return status_response(
                &Refusal::bad_request(format!("error decoding the Scale: {e}")),
                None,
                None,
            );
        }
    };
    let mut scale = scale_of(&current);
    match media.split(';').next().unwrap_or("") {
        "application/json-patch+json" => {
            if let Err(e) = json_patch(&mut scale, &patch) {
                return status_response(
                    &Refusal {
                        code: 422,
                        reason: "Invalid",
                        message: e,
                        causes: Vec::new(),
                    },
                    None,
                    None,
                );
            }
        }
        "" | "application/json" => scale = patch,
        _ => merge_patch(&mut scale, &patch),
    }
    let Some(replicas) = scale.pointer("/spec/replicas").and_then(Value::as_i64) else {
        return status_response(
            &Refusal::invalid(
                target.resource,
                &name,
                vec![("spec.replicas".into(), "Required value".into())],
            ),
            Some(target.resource),
            Some(&name),
        );
    };
    let mut next = current.clone();
    next["spec"]["replicas"] = json!(replicas);
    let response = write(&mut store, target, &current, &mut next, manager);
    if !response.status().is_success() {
        return response;
    }
    let stored = store
        .get(target.resource.plural, &ns, &name)
        .cloned()
        .unwrap_or(next);
    json(StatusCode::OK, &scale_of(&stored))
}

/// `pods/x/log`: the lines so far (tailLines), then more while following.
pub fn log(
    shared: &KubeShared,
    target: &Target,
    query: &HashMap<String, String>,
) -> Response<Body> {
    let store = lock(shared);
    let (ns, name) = key_of(target);
    let Some(pod) = store.get("pods", ns, name) else {
        return status_response(
            &Refusal::not_found(target.resource, name),
            Some(target.resource),
            Some(name),
        );
    };
    if let Some(container) = query.get("container")
        && !pod
            .pointer("/spec/containers")
            .and_then(Value::as_array)
            .is_some_and(|c| c.iter().any(|c| c["name"] == json!(container)))
    {
        return status_response(
            &Refusal::bad_request(format!("container {container} is not valid for pod {name}")),
            None,
            None,
        );
    }
    if query.get("previous").is_some_and(|p| p == "true") {
        return status_response(
            &Refusal::bad_request(format!(
                "previous terminated container \"{}\" in pod \"{name}\" not found",
                first_container(pod)
            )),
            None,
            None,
        );
    }
    let uid = pod
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let lines = store.pod_logs.get(&uid).cloned().unwrap_or_default();
    let tail = query
        .get("tailLines")
        .and_then(|t| t.parse::<usize>().ok())
        .unwrap_or(usize::MAX);
    let (tx, rx) = mpsc::unbounded_channel();
    for line in lines.iter().skip(lines.len().saturating_sub(tail)) {
        let _ = tx.send(Bytes::from(format!("{line}\n")));
    }
    if query.get("follow").is_some_and(|f| f == "true") {
        let mut more = store.pod_log_tx.subscribe();
        let mut changes = store.watchers.subscribe();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    line = more.recv() => match line {
                        Ok((from, line)) if from == uid => if tx.send(Bytes::from(format!("{line}\n"))).is_err() { return },
                        Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                        Err(_) => return,
                    },
                    change = changes.recv() => match change {
                        Ok(c) if c.kind == "DELETED" && c.object.pointer("/metadata/uid").and_then(Value::as_str) == Some(uid.as_str()) => return,
                        Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                        Err(_) => return,
                    },
                }
            }
        });
    }
    streaming(StatusCode::OK, "text/plain", rx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_from_urls() {
        let t = parse_target(&[
            "apis",
            "apps",
            "v1",
            "namespaces",
            "default",
            "deployments",
            "web",
            "scale",
        ])
        .unwrap();
        assert_eq!(
            (
                t.resource.plural,
                t.namespace.as_deref(),
                t.name.as_deref(),
                t.sub.as_deref()
            ),
            ("deployments", Some("default"), Some("web"), Some("scale"))
        );
        let t = parse_target(&["api", "v1", "pods"]).unwrap();
        assert_eq!(
            (t.resource.plural, t.namespace, t.name),
            ("pods", None, None)
        );
        let t = parse_target(&["api", "v1", "namespaces", "kube-system"]).unwrap();
        assert_eq!(
            (t.resource.plural, t.name.as_deref()),
            ("namespaces", Some("kube-system"))
        );
        assert!(parse_target(&["apis", "batch", "v1", "jobs"]).is_none());
        assert!(parse_target(&["api", "v1", "namespaces", "default", "nodes"]).is_none());
    }
}
