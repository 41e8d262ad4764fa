//! What the simulated Google Cloud's parts share: the Cloud Run state (its
//! services and revisions), the project's number, and the errors and names
//! Google's APIs use. A leaf: every part uses it, it uses none of them.

use crate::sim::http::{Body, json};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::task::JoinHandle;

/// How long a new revision takes to become Ready.
pub(super) const READY_AFTER: Duration = Duration::from_millis(600);

pub(super) struct Deployed {
    pub(super) service: Value,
    pub(super) listener: Option<JoinHandle<()>>,
}

#[derive(Default)]
pub(super) struct State {
    /// (project, region, name) -> the service.
    pub(super) services: BTreeMap<(String, String, String), Deployed>,
    pub(super) revisions: Revisions,
    pub(super) generation_counter: u64,
    /// Cloud Logging's entries: the request log of every service.
    pub(super) logs: super::logging::Logs,
}

/// The project number the sim's project has (Cloud Build names its logs bucket by it).
pub(crate) const PROJECT_NUMBER: &str = "123456789012";

pub(super) fn google_error(code: u16, status: &str, message: &str) -> Response<Body> {
    json(
        StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        &json!({"error": {"code": code, "message": message, "status": status}}),
    )
}

/// A request's JSON body, or the answer Google's APIs give one that is not JSON.
pub(super) fn json_body(body: &[u8]) -> Result<Value, Box<Response<Body>>> {
    serde_json::from_slice(body).map_err(|e| {
        Box::new(google_error(
            400,
            "INVALID_ARGUMENT",
            &format!("Invalid JSON payload received. {e}"),
        ))
    })
}

/// A request no part of the simulated Google Cloud answers: 404, naming the API.
pub(super) fn not_served(api: &str, method: &hyper::Method, path: &str) -> Response<Body> {
    google_error(
        404,
        "NOT_FOUND",
        &format!("the simulated {api} does not serve {method} {path}"),
    )
}

/// A request path's segments (`/v1/projects/p/builds` -> `v1`, `projects`, `p`, `builds`).
pub(super) fn segments_of(path: &str) -> Vec<String> {
    path.trim_matches('/')
        .split('/')
        .map(String::from)
        .collect()
}

pub(super) fn not_found(name: &str, region: &str, project: &str) -> Response<Body> {
    google_error(
        404,
        "NOT_FOUND",
        &format!(
            "Resource '{name}' of kind 'SERVICE' in region '{region}' in project '{project}' does not exist."
        ),
    )
}

/// The project whose Cloud Run calls the sim refuses with 403 PERMISSION_DENIED.
pub const DENIED_PROJECT: &str = "pilothouse-denied";

/// Cloud Run's service name rule.
pub fn valid_service_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 49
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The region from a host such as `us-central1-127.0.0.1:PORT` (gcloud prefixes it).
pub(super) fn region_of(request: &Request<Incoming>) -> String {
    let host = request.uri().host().map(String::from).or_else(|| {
        request
            .headers()
            .get("host")
            .and_then(|h| h.to_str().ok())
            .map(|h| h.split(':').next().unwrap_or(h).to_string())
    });
    host.and_then(|h| h.strip_suffix("-127.0.0.1").map(String::from))
        .unwrap_or_else(|| "us-central1".to_string())
}

/// (project, region, revision name) -> the revision.
pub type Revisions = BTreeMap<(String, String, String), Value>;
