//! Cloud Run's services as gcloud writes and reads them (`serving.knative.dev/v1`):
//! list, create or replace (a new revision, Ready shortly after, with a URL on
//! 127.0.0.1 that answers `Hello from <service>`).

use super::common::{
    DENIED_PROJECT, Deployed, READY_AFTER, State, google_error, not_found, not_served, region_of,
    segments_of, valid_service_name,
};
use crate::sim::clock::{now_secs, rfc3339};
use crate::sim::http::{Body, Responder, hello_server, json, read_body};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// Cloud Run's calls: serviceusage, the knative services, the IAM policy.
pub(super) async fn api(state: Arc<Mutex<State>>, request: Request<Incoming>) -> Response<Body> {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let region = region_of(&request);
    tracing::debug!(%method, %path, %region, "cloud run sim");
    let segments = segments_of(&path);
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    // One project the caller may not use, so API errors can be shown and tested.
    if segments.contains(&DENIED_PROJECT) && segments.first() != Some(&"v1") {
        return google_error(
            403,
            "PERMISSION_DENIED",
            &format!(
                "Permission 'run.services.get' denied on resource 'namespaces/{DENIED_PROJECT}/services' (or it may not exist)."
            ),
        );
    }
    let selector = crate::sim::http::query(&request)
        .get("labelSelector")
        .cloned();
    if let [
        "apis",
        "serving.knative.dev",
        "v1",
        "namespaces",
        project,
        rest @ ..,
    ] = segments.as_slice()
    {
        let asked = Knative {
            project,
            region: &region,
            selector: selector.as_deref(),
        };
        return knative(&state, asked, rest, request).await;
    }
    match (&method, segments.as_slice()) {
        // serviceusage: every API is enabled here.
        (&Method::GET, ["v1", "projects", project, "services", api]) => json(
            StatusCode::OK,
            &json!({"name": format!("projects/{project}/services/{api}"), "state": "ENABLED"}),
        ),
        // `gcloud run services list`: every region at once (`locations/-`).
        (&Method::GET, ["v1", "projects", project, "locations", location, "services"]) => {
            list(&state, project, (*location != "-").then_some(*location))
        }
        // IAM (`--allow-unauthenticated`): accept the policy and hand it back.
        (&Method::POST, ["v1", "projects", _, "locations", _, "services", action])
            if action.ends_with(":setIamPolicy") =>
        {
            let body = read_body(request).await.unwrap_or_default();
            let policy = serde_json::from_slice::<Value>(&body)
                .ok()
                .and_then(|b| b.get("policy").cloned())
                .unwrap_or(json!({}));
            json(StatusCode::OK, &policy)
        }
        (_, ["v1", "projects", _, "locations", _, "services", action])
            if action.ends_with(":getIamPolicy") =>
        {
            json(
                StatusCode::OK,
                &json!({"version": 1, "etag": "BwYAAAAAAAA="}),
            )
        }
        _ => not_served("Cloud Run", &method, &path),
    }
}

/// Where a knative call is made: the project (its namespace), the region (from the
/// host), and a list's label selector.
struct Knative<'a> {
    project: &'a str,
    region: &'a str,
    selector: Option<&'a str>,
}

/// `apis/serving.knative.dev/v1/namespaces/PROJECT/…`: services and revisions.
async fn knative(
    state: &Arc<Mutex<State>>,
    asked: Knative<'_>,
    rest: &[&str],
    request: Request<Incoming>,
) -> Response<Body> {
    let Knative {
        project,
        region,
        selector,
    } = asked;
    let method = request.method().clone();
    let key = |name: &str| (project.to_string(), region.to_string(), name.to_string());
    match (&method, rest) {
        (&Method::GET, ["revisions"]) => {
            let state = state.lock().unwrap_or_else(|p| p.into_inner());
            super::revisions::list(&state, project, region, selector)
        }
        (&Method::GET, ["revisions", name]) => {
            let state = state.lock().unwrap_or_else(|p| p.into_inner());
            super::revisions::get(&state, project, region, name)
        }
        (&Method::GET, ["services"]) => list(state, project, Some(region)),
        (&Method::POST, ["services"]) | (&Method::PUT, ["services", _]) => {
            let name = rest.get(1).copied();
            match read_body(request).await {
                Ok(body) => write(state, project, region, name, &body),
                Err(e) => google_error(400, "INVALID_ARGUMENT", &e),
            }
        }
        (&Method::GET, ["services", name]) => {
            let state = state.lock().unwrap_or_else(|p| p.into_inner());
            match state.services.get(&key(name)) {
                Some(deployed) => json(StatusCode::OK, &deployed.service),
                None => not_found(name, region, project),
            }
        }
        (&Method::DELETE, ["services", name]) => {
            let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
            match state.services.remove(&key(name)) {
                Some(mut deployed) => {
                    if let Some(task) = deployed.listener.take() {
                        task.abort();
                    }
                    json(
                        StatusCode::OK,
                        &json!({"kind": "Status", "apiVersion": "v1", "status": "Success", "details": {"name": name, "kind": "services"}}),
                    )
                }
                None => not_found(name, region, project),
            }
        }
        _ => not_served("Cloud Run", &method, request.uri().path()),
    }
}

pub(super) fn list(
    state: &Arc<Mutex<State>>,
    project: &str,
    region: Option<&str>,
) -> Response<Body> {
    let state = state.lock().unwrap_or_else(|p| p.into_inner());
    let items: Vec<&Value> = state
        .services
        .iter()
        .filter(|((p, r, _), _)| p == project && region.is_none_or(|region| r == region))
        .map(|(_, d)| &d.service)
        .collect();
    json(
        StatusCode::OK,
        &json!({"apiVersion": "serving.knative.dev/v1", "kind": "ServiceList", "metadata": {}, "items": items, "unreachable": []}),
    )
}

/// Create (name None) or replace a service; a new revision turns Ready shortly after.
pub(super) fn write(
    state: &Arc<Mutex<State>>,
    project: &str,
    region: &str,
    url_name: Option<&str>,
    body: &[u8],
) -> Response<Body> {
    let mut service = match super::common::json_body(body) {
        Ok(v) => v,
        Err(refused) => return *refused,
    };
    let name = service
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if !valid_service_name(&name) {
        return google_error(
            400,
            "INVALID_ARGUMENT",
            &format!(
                "metadata.name: Invalid value '{name}': must use only lowercase alphanumeric characters and dashes, cannot begin or end with a dash, and cannot be longer than 49 characters."
            ),
        );
    }
    if url_name.is_some_and(|n| n != name) {
        return google_error(
            400,
            "INVALID_ARGUMENT",
            "metadata.name: the name in the body does not match the URL",
        );
    }
    let image = service
        .pointer("/spec/template/spec/containers/0/image")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if image.is_empty() {
        return google_error(
            400,
            "INVALID_ARGUMENT",
            "spec.template.spec.containers[0].image: Required value",
        );
    }
    let key = (project.to_string(), region.to_string(), name.clone());
    let mut guard = state.lock().unwrap_or_else(|p| p.into_inner());
    let existing = guard.services.get(&key).map(|d| d.service.clone());
    match (&existing, url_name) {
        (Some(_), None) => {
            return google_error(
                409,
                "ALREADY_EXISTS",
                &format!("Resource '{name}' already exists."),
            );
        }
        (None, Some(_)) => {
            return not_found(&name, region, project);
        }
        _ => {}
    }
    // A change of the template makes a revision; a change of traffic alone does not.
    if let Some(existing) = existing
        .as_ref()
        .filter(|e| e["spec"]["template"] == service["spec"]["template"])
    {
        return retarget(
            &mut guard,
            &key,
            existing.clone(),
            &service["spec"]["traffic"],
        );
    }
    guard.generation_counter += 1;
    let generation = existing
        .as_ref()
        .and_then(|e| e.pointer("/metadata/generation"))
        .and_then(Value::as_i64)
        .unwrap_or(0)
        + 1;
    let revision = format!(
        "{name}-{generation:05}-{}",
        &crate::sim::docker::state::sha256_hex(&[
            image.as_bytes(),
            &guard.generation_counter.to_be_bytes()
        ])[..3]
    );
    let now = rfc3339(now_secs());
    service["apiVersion"] = json!("serving.knative.dev/v1");
    service["kind"] = json!("Service");
    let metadata = &mut service["metadata"];
    metadata["namespace"] = json!(project);
    metadata["generation"] = json!(generation);
    metadata["uid"] = json!(
        crate::sim::docker::state::sha256_hex(&[project.as_bytes(), name.as_bytes()])[..32]
            .to_string()
    );
    metadata["creationTimestamp"] = existing
        .as_ref()
        .and_then(|e| e.pointer("/metadata/creationTimestamp").cloned())
        .unwrap_or(json!(now));
    metadata["labels"]["cloud.googleapis.com/location"] = json!(region);
    metadata["resourceVersion"] = json!(format!("AAY{generation}"));
    let url = existing
        .as_ref()
        .and_then(|e| e.pointer("/status/url").cloned());
    service["status"] = json!({
        "observedGeneration": generation,
        "conditions": [
            {"type": "Ready", "status": "Unknown", "reason": "Deploying", "lastTransitionTime": now},
            {"type": "ConfigurationsReady", "status": "Unknown", "lastTransitionTime": now},
            {"type": "RoutesReady", "status": "Unknown", "lastTransitionTime": now},
        ],
        "latestCreatedRevisionName": revision,
    });
    if let Some(url) = url {
        service["status"]["url"] = url;
    }
    // As Cloud Run does, a service that names no split sends everything to its latest.
    if service["spec"]["traffic"]
        .as_array()
        .is_none_or(|targets| targets.is_empty())
    {
        service["spec"]["traffic"] = json!([{"latestRevision": true, "percent": 100}]);
    }
    super::revisions::record(&mut guard, (project, region), &service, &revision, &now);
    let answer = service.clone();
    let listener = guard
        .services
        .remove(&key)
        .and_then(|mut d| d.listener.take());
    guard
        .services
        .insert(key.clone(), Deployed { service, listener });
    drop(guard);
    tokio::spawn(become_ready(state.clone(), key, revision));
    json(
        if url_name.is_some() {
            StatusCode::OK
        } else {
            StatusCode::CREATED
        },
        &answer,
    )
}

/// Only the traffic changed (`update-traffic`): the split moves at once, no revision is made.
fn retarget(
    state: &mut State,
    key: &(String, String, String),
    mut service: Value,
    traffic: &Value,
) -> Response<Body> {
    service["spec"]["traffic"] = traffic.clone();
    let latest = service["status"]["latestReadyRevisionName"]
        .as_str()
        .or(service["status"]["latestCreatedRevisionName"].as_str())
        .unwrap_or_default()
        .to_string();
    for target in traffic.as_array().into_iter().flatten() {
        if let Some(name) = target["revisionName"].as_str()
            && !state
                .revisions
                .contains_key(&(key.0.clone(), key.1.clone(), name.to_string()))
        {
            return google_error(
                400,
                "INVALID_ARGUMENT",
                &format!(
                    "spec.traffic: revision '{name}' of service '{}' does not exist",
                    key.2
                ),
            );
        }
    }
    service["status"]["traffic"] = super::revisions::traffic(&service, &latest);
    let generation = service["metadata"]["generation"].as_i64().unwrap_or(1) + 1;
    service["metadata"]["generation"] = json!(generation);
    service["status"]["observedGeneration"] = json!(generation);
    if let Some(deployed) = state.services.get_mut(key) {
        deployed.service = service.clone();
    }
    json(StatusCode::OK, &service)
}

/// What the service's URL answers: its name and the revision that has the traffic.
fn responder(state: Arc<Mutex<State>>, key: (String, String, String)) -> Responder {
    Arc::new(move |request_line: &str, _| {
        let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
        let (revision, url) = state
            .services
            .get(&key)
            .map(|d| {
                let revision = super::revisions::serving(&d.service).unwrap_or_default();
                (
                    revision,
                    d.service["status"]["url"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                )
            })
            .unwrap_or_default();
        let served = super::logging::Served {
            service: (&key.0, &key.1, &key.2),
            revision: &revision,
            url: &url,
        };
        state.logs.request(&served, request_line, 200);
        (200, format!("Hello from {} (revision {revision})\n", key.2))
    })
}

async fn become_ready(state: Arc<Mutex<State>>, key: (String, String, String), revision: String) {
    tokio::time::sleep(READY_AFTER).await;
    let needs_listener = {
        let state = state.lock().unwrap_or_else(|p| p.into_inner());
        state
            .services
            .get(&key)
            .is_some_and(|d| d.listener.is_none())
    };
    let mut bound = None;
    if needs_listener && let Ok(listener) = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await {
        let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
        let answer = responder(state.clone(), key.clone());
        bound = Some((port, tokio::spawn(hello_server(listener, answer))));
    }
    let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
    let Some(deployed) = state.services.get_mut(&key) else {
        return;
    };
    if let Some((port, task)) = bound {
        deployed.listener = Some(task);
        deployed.service["status"]["url"] = json!(format!("http://127.0.0.1:{port}"));
        deployed.service["status"]["address"] = json!({"url": format!("http://127.0.0.1:{port}")});
    }
    let now = rfc3339(now_secs());
    let status = &mut deployed.service["status"];
    status["conditions"] = json!([
        {"type": "Ready", "status": "True", "lastTransitionTime": now},
        {"type": "ConfigurationsReady", "status": "True", "lastTransitionTime": now},
        {"type": "RoutesReady", "status": "True", "lastTransitionTime": now},
    ]);
    status["latestReadyRevisionName"] = json!(revision);
    let traffic = super::revisions::traffic(&deployed.service, &revision);
    deployed.service["status"]["traffic"] = traffic;
}
