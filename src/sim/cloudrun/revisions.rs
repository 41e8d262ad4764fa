//! Cloud Run's revisions, as the service's Configuration keeps them: one for
//! each change of the service's template (a new image, say), never for a
//! change of traffic alone; the traffic split read from the service's
//! `spec.traffic` (a revision by name, or the latest ready one), so that
//! `gcloud run services update-traffic --to-revisions REV=100` rolls back,
//! and the service's URL answers from the revision that has the traffic.

use super::common::{State, google_error};
use crate::sim::http::{Body, json};
use hyper::{Response, StatusCode};
use serde_json::{Value, json};

/// Keep a new revision of `service` (its template as it was deployed).
pub fn record(
    state: &mut State,
    (project, region): (&str, &str),
    service: &Value,
    revision: &str,
    now: &str,
) {
    let name = service["metadata"]["name"].as_str().unwrap_or_default();
    let template = &service["spec"]["template"];
    let generation = state
        .revisions
        .keys()
        .filter(|(p, r, _)| p == project && r == region)
        .count()
        + 1;
    let revision_json = json!({
        "apiVersion": "serving.knative.dev/v1",
        "kind": "Revision",
        "metadata": {
            "name": revision,
            "namespace": project,
            "generation": 1,
            "creationTimestamp": now,
            "uid": crate::sim::docker::state::sha256_hex(&[revision.as_bytes()])[..32],
            "resourceVersion": format!("AAR{generation}"),
            "labels": {
                "serving.knative.dev/service": name,
                "serving.knative.dev/configuration": name,
                "serving.knative.dev/route": name,
                "cloud.googleapis.com/location": region
            },
            "annotations": template["metadata"]["annotations"].clone(),
            "ownerReferences": [{"kind": "Configuration", "name": name, "apiVersion": "serving.knative.dev/v1", "controller": true}]
        },
        "spec": template["spec"].clone(),
        "status": {
            "observedGeneration": 1,
            "conditions": [
                {"type": "Ready", "status": "True", "lastTransitionTime": now},
                {"type": "ContainerHealthy", "status": "True", "lastTransitionTime": now},
                {"type": "ResourcesAvailable", "status": "True", "lastTransitionTime": now}
            ],
            "logUrl": format!("https://console.cloud.google.com/logs/viewer?project={project}&resource=cloud_run_revision/service_name/{name}/revision_name/{revision}"),
            "imageDigest": template["spec"]["containers"][0]["image"].clone()
        }
    });
    state.revisions.insert(
        (
            project.to_string(),
            region.to_string(),
            revision.to_string(),
        ),
        revision_json,
    );
}

/// The revision as read: `Active` while its service sends it traffic (gcloud's ACTIVE column).
fn as_read(state: &State, (project, region): (&str, &str), revision: &Value) -> Value {
    let name = revision["metadata"]["name"].as_str().unwrap_or_default();
    let service = revision["metadata"]["labels"]["serving.knative.dev/service"]
        .as_str()
        .unwrap_or_default();
    let active = state
        .services
        .get(&(project.to_string(), region.to_string(), service.to_string()))
        .and_then(|d| d.service["status"]["traffic"].as_array().cloned())
        .is_some_and(|targets| {
            targets
                .iter()
                .any(|t| t["revisionName"] == name && t["percent"].as_i64().unwrap_or(0) > 0)
        });
    let mut read = revision.clone();
    if let Some(conditions) = read["status"]["conditions"].as_array_mut() {
        conditions.push(json!({"type": "Active", "status": if active { "True" } else { "False" }}));
    }
    read
}

/// `GET …/revisions?labelSelector=serving.knative.dev/service = NAME`.
pub fn list(state: &State, project: &str, region: &str, selector: Option<&str>) -> Response<Body> {
    // "serving.knative.dev/service = cookbook" (gcloud puts spaces round the '=').
    let service = selector
        .and_then(|s| s.split_once('='))
        .filter(|(key, _)| key.trim() == "serving.knative.dev/service")
        .map(|(_, value)| value.trim().to_string());
    let items: Vec<Value> = state
        .revisions
        .iter()
        .filter(|((p, r, _), revision)| {
            p == project
                && r == region
                && service.as_deref().is_none_or(|name| {
                    revision["metadata"]["labels"]["serving.knative.dev/service"] == name
                })
        })
        .map(|(_, revision)| as_read(state, (project, region), revision))
        .collect();
    json(
        StatusCode::OK,
        &json!({"apiVersion": "serving.knative.dev/v1", "kind": "RevisionList", "metadata": {}, "items": items}),
    )
}

pub fn get(state: &State, project: &str, region: &str, name: &str) -> Response<Body> {
    match state
        .revisions
        .get(&(project.to_string(), region.to_string(), name.to_string()))
    {
        Some(revision) => json(StatusCode::OK, &as_read(state, (project, region), revision)),
        None => google_error(
            404,
            "NOT_FOUND",
            &format!(
                "Resource '{name}' of kind 'REVISION' in region '{region}' in project '{project}' does not exist."
            ),
        ),
    }
}

/// The traffic split `spec.traffic` asks for, each target named (the latest ready
/// revision for `latestRevision: true`); all to the latest when it asks for nothing.
pub fn traffic(service: &Value, latest: &str) -> Value {
    let asked = service["spec"]["traffic"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if asked.is_empty() {
        return json!([{"revisionName": latest, "percent": 100, "latestRevision": true}]);
    }
    let targets: Vec<Value> = asked
        .iter()
        .map(|target| {
            let latest_target = target["latestRevision"].as_bool().unwrap_or(false);
            let name = if latest_target {
                latest.to_string()
            } else {
                target["revisionName"]
                    .as_str()
                    .unwrap_or(latest)
                    .to_string()
            };
            let mut out =
                json!({"revisionName": name, "percent": target["percent"].as_i64().unwrap_or(0)});
            if latest_target {
                out["latestRevision"] = json!(true);
            }
            if let Some(tag) = target["tag"].as_str() {
                out["tag"] = json!(tag);
            }
            out
        })
        .collect();
    Value::Array(targets)
}

/// The revision that gets the most of the service's traffic: the one its URL answers from.
pub fn serving(service: &Value) -> Option<String> {
    service["status"]["traffic"]
        .as_array()?
        .iter()
        .max_by_key(|t| t["percent"].as_i64().unwrap_or(0))
        .and_then(|t| t["revisionName"].as_str().map(String::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traffic_names_its_targets_and_defaults_to_the_latest() {
        let none = json!({"spec": {}});
        assert_eq!(
            traffic(&none, "web-00002-abc"),
            json!([{"revisionName": "web-00002-abc", "percent": 100, "latestRevision": true}])
        );
        let pinned =
            json!({"spec": {"traffic": [{"revisionName": "web-00001-xyz", "percent": 100}]}});
        let split = traffic(&pinned, "web-00002-abc");
        assert_eq!(
            split,
            json!([{"revisionName": "web-00001-xyz", "percent": 100}])
        );
        let service = json!({"status": {"traffic": split}});
        assert_eq!(serving(&service).as_deref(), Some("web-00001-xyz"));
    }
}
