//! Rolling a Deployment back and pausing its rollouts, as kubectl does them:
//! undo finds the ReplicaSet holding the revision (the Deployment's own, by
//! owner), refuses while the Deployment is paused, says so when the template
//! is that revision's already, and otherwise puts that set's pod template
//! back (without its `pod-template-hash` label); the controller then makes
//! it the newest revision. `set image` gives every container one image.

use crate::app::core::command::JobId;
use crate::app::core::event::Event;
use crate::effects::shared::finish_job as finish;
use crate::sources::describe;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use kube::Client;
use kube::api::{Api, ListParams, Patch, PatchParams};
use tokio::sync::mpsc::UnboundedSender;

const REVISION: &str = "deployment.kubernetes.io/revision";

fn revision_of(set: &ReplicaSet) -> u64 {
    set.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(REVISION))
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

/// The pod template as JSON, without the label its set added.
fn template_without_hash(set: &ReplicaSet) -> Option<serde_json::Value> {
    let mut template = serde_json::to_value(set.spec.as_ref()?.template.as_ref()?).ok()?;
    if let Some(labels) = template
        .pointer_mut("/metadata/labels")
        .and_then(serde_json::Value::as_object_mut)
    {
        labels.remove("pod-template-hash");
    }
    Some(template)
}

async fn undo_inner(
    client: Client,
    namespace: &str,
    name: &str,
    revision: u64,
) -> Result<String, String> {
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), namespace);
    let deployment = deployments
        .get(name)
        .await
        .map_err(|e| format!("reading deployment {name} failed: {}", describe(&e)))?;
    if deployment.spec.as_ref().and_then(|s| s.paused) == Some(true) {
        return Err(format!(
            "{name} is paused: resume its rollouts first (h, then resume rollouts)"
        ));
    }
    let uid = deployment.metadata.uid.clone().unwrap_or_default();
    let selector = crate::sources::kube_rows::selector_of(&deployment);
    let sets: Api<ReplicaSet> = Api::namespaced(client, namespace);
    let listed = sets
        .list(&ListParams::default().labels(&selector))
        .await
        .map_err(|e| format!("listing {name}'s replica sets failed: {}", describe(&e)))?;
    let set = listed
        .items
        .iter()
        .filter(|r| {
            r.metadata
                .owner_references
                .iter()
                .flatten()
                .any(|o| o.controller == Some(true) && o.uid == uid)
        })
        .find(|r| revision_of(r) == revision)
        .ok_or_else(|| format!("{name} has no revision {revision} any more"))?;
    let template = template_without_hash(set)
        .ok_or_else(|| format!("revision {revision} of {name} has no pod template"))?;
    let current = deployment
        .spec
        .as_ref()
        .and_then(|s| serde_json::to_value(&s.template).ok());
    if current.as_ref() == Some(&template) {
        return Ok(format!(
            "skipped: {name}'s template already is revision {revision}'s"
        ));
    }
    let patch: json_patch::Patch = serde_json::from_value(serde_json::json!([
        {"op": "replace", "path": "/spec/template", "value": template}
    ]))
    .map_err(|e| format!("the rollback could not be written: {e}"))?;
    deployments
        .patch(name, &PatchParams::default(), &Patch::Json::<()>(patch))
        .await
        .map_err(|e| format!("rolling {name} back failed: {}", describe(&e)))?;
    Ok(format!(
        "deployment.apps/{name} rolled back to revision {revision}"
    ))
}

/// `kubectl rollout undo deployment/NAME --to-revision=N`.
pub async fn undo(
    client: Client,
    (job, namespace, name): (JobId, String, String),
    revision: u64,
    tx: UnboundedSender<Event>,
) {
    let result = undo_inner(client, &namespace, &name, revision).await;
    finish(&tx, job, result);
}

/// `kubectl rollout pause` / `resume`: the Deployment's `spec.paused`.
pub async fn pause(
    client: Client,
    (job, namespace, name): (JobId, String, String),
    paused: bool,
    tx: UnboundedSender<Event>,
) {
    let api: Api<Deployment> = Api::namespaced(client, &namespace);
    let patch = Patch::Merge(serde_json::json!({"spec": {"paused": paused}}));
    let verb = if paused { "paused" } else { "resumed" };
    let result = api
        .patch(&name, &PatchParams::default(), &patch)
        .await
        .map(|_| format!("deployment.apps/{name} {verb}"))
        .map_err(|e| format!("{name} could not be {verb}: {}", describe(&e)));
    finish(&tx, job, result);
}

/// `kubectl set image deployment/NAME '*=IMAGE'`: every container of the
/// pod template (read first, as kubectl reads it) gets the image, in one
/// strategic merge patch keyed by container name.
pub async fn set_image(
    client: Client,
    (job, namespace, name): (JobId, String, String),
    image: String,
    tx: UnboundedSender<Event>,
) {
    let api: Api<Deployment> = Api::namespaced(client, &namespace);
    let result = async {
        let deployment = api
            .get(&name)
            .await
            .map_err(|e| format!("reading deployment {name} failed: {}", describe(&e)))?;
        let containers: Vec<serde_json::Value> = deployment
            .spec
            .and_then(|s| s.template.spec)
            .map(|s| s.containers)
            .unwrap_or_default()
            .into_iter()
            .map(|c| serde_json::json!({"name": c.name, "image": image}))
            .collect();
        if containers.is_empty() {
            return Err(format!("deployment {name} has no containers to set"));
        }
        let patch = serde_json::json!({"spec": {"template": {"spec": {"containers": containers}}}});
        api.patch(&name, &PatchParams::default(), &Patch::Strategic(patch))
            .await
            .map(|_| format!("deployment.apps/{name} image updated to {image}"))
            .map_err(|e| format!("setting the image of {name} failed: {}", describe(&e)))
    }
    .await;
    finish(&tx, job, result);
}
