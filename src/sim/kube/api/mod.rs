//! The REST verbs of the simulated API server: list, watch, get, create,
//! update, patch (merge, JSON, strategic, apply), delete, and the scale,
//! status and log subresources.

use super::admission::{self, Refusal};
use super::managed;
use super::patch::{json_patch, merge_patch, strategic_merge};
use super::resources::{self, Resource};
use super::selectors::{FieldSelector, LabelSelector};
use super::store::{Store, Stored};
use super::{KubeShared, table};
use crate::sim::clock::{now_secs, rfc3339};
use crate::sim::http::{Body, json, streaming};
use bytes::Bytes;
use hyper::{Response, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::mpsc;

mod exec;
mod forwarded_pod;
mod paging;
mod portforward;
mod portforward_spdy;
mod subresources;
mod watch;
mod write;

pub use exec::exec;
pub use portforward::portforward;
pub use subresources::{log, scale};
pub use watch::watch;
pub use write::{create, delete, patch, update};

/// `DELETE` on a collection (`deletecollection`): every object the label
/// and field selectors match, deleted one by one as a single delete would
/// be (pods go through Terminating); the answer lists them.
pub fn delete_collection(
    shared: &KubeShared,
    target: &Target,
    query: &HashMap<String, String>,
    body: &[u8],
) -> Response<Body> {
    let (labels, fields) = match selectors(query) {
        Ok(s) => s,
        Err(r) => return status_response(&r, None, None),
    };
    let names: Vec<(String, String)> = lock(shared)
        .list(target.resource.plural, target.namespace.as_deref())
        .into_iter()
        .filter(|o| labels.matches(o.pointer("/metadata/labels")) && fields.matches(o))
        .map(|o| {
            let text = |p: &str| {
                o.pointer(p)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            };
            (text("/metadata/namespace"), text("/metadata/name"))
        })
        .collect();
    let mut items = Vec::new();
    for (namespace, name) in names {
        let one = Target {
            resource: target.resource,
            namespace: (!namespace.is_empty()).then_some(namespace),
            name: Some(name.clone()),
            sub: None,
        };
        if delete(shared, &one, body).status().is_success() {
            items.push(json!({"metadata": {"name": name}}));
        }
    }
    json(
        StatusCode::OK,
        &json!({"kind": format!("{}List", target.resource.kind), "apiVersion": target.resource.api_version(),
                "metadata": {}, "items": items}),
    )
}

#[derive(Debug, Clone)]
pub struct Target {
    pub resource: &'static Resource,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub sub: Option<String>,
}

/// `/api/v1/namespaces/default/pods/x/log` and friends.
pub fn parse_target(segments: &[&str]) -> Option<Target> {
    let (group, version, rest) = match segments {
        ["api", "v1", rest @ ..] => ("", "v1", rest),
        ["apis", group, version, rest @ ..] => (*group, *version, rest),
        _ => return None,
    };
    let (namespace, rest) = match rest {
        ["namespaces", ns, plural, rest @ ..] => {
            (Some(ns.to_string()), [&[*plural][..], rest].concat())
        }
        other => (None, other.to_vec()),
    };
    let resource = resources::by_plural(group, rest.first()?)?;
    if resource.version != version || (namespace.is_some() && !resource.namespaced) {
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
    store.stored("namespaces", "", ns).is_none().then(|| {
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
    let paging::Page { items, metadata } = match paging::page(
        &store,
        target.resource.plural,
        target.namespace.as_deref(),
        (&labels, &fields),
        query,
    ) {
        Ok(page) => page,
        Err(r) => return status_response(&r, None, None),
    };
    if wants_table(accept) {
        let objects: Vec<Value> = items.iter().map(|stored| stored.value()).collect();
        let mut t = table::table(
            target.resource,
            &objects.iter().collect::<Vec<_>>(),
            store.resource_version(),
            now_secs(),
        );
        t["metadata"] = metadata;
        return json(StatusCode::OK, &t);
    }
    // Written item by item from the stored text: nothing is parsed or re-encoded.
    let mut body = Vec::with_capacity(items.len() * 1024 + 256);
    let head = json!({"kind": format!("{}List", target.resource.kind), "apiVersion": target.resource.api_version(), "metadata": metadata});
    let head = head.to_string();
    body.extend_from_slice(&head.as_bytes()[..head.len() - 1]);
    body.extend_from_slice(b",\"items\":[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(item.json());
    }
    body.extend_from_slice(b"]}");
    crate::sim::http::full(StatusCode::OK, "application/json", body)
}

pub fn get(shared: &KubeShared, target: &Target, accept: &str) -> Response<Body> {
    let store = lock(shared);
    let (ns, name) = key_of(target);
    match store.get(target.resource.plural, ns, name) {
        Some(object) if wants_table(accept) => json(
            StatusCode::OK,
            &table::table(
                target.resource,
                &[&object],
                store.resource_version(),
                now_secs(),
            ),
        ),
        Some(object) => json(StatusCode::OK, &object),
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
        assert!(parse_target(&["apis", "apps", "v1", "statefulsets"]).is_none());
        assert!(
            parse_target(&["apis", "autoscaling", "v1", "horizontalpodautoscalers"]).is_none(),
            "served as v2 only"
        );
        assert!(parse_target(&["api", "v1", "namespaces", "default", "nodes"]).is_none());
    }
}
