//! The dev loop's Deployments: which run the app's image, `kubectl set image`
//! to a new build, and waiting until the rollout is complete.

use super::containers::repository;
use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, ListParams, Patch, PatchParams};
use std::time::{Duration, Instant};

/// How long a rollout may take before the cycle says why it is not done.
const ROLLOUT_WITHIN: Duration = Duration::from_secs(120);

/// A Deployment container whose image is a tag of the app's repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub namespace: String,
    pub name: String,
    pub container: String,
    pub image: String,
}

/// Every Deployment container (in any namespace) that runs a tag of `repo`.
pub async fn running_of(client: &kube::Client, repo: &str) -> Result<Vec<Target>, String> {
    let api: Api<Deployment> = Api::all(client.clone());
    let list = api
        .list(&ListParams::default())
        .await
        .map_err(|e| format!("listing Deployments failed: {e}"))?;
    let mut targets = Vec::new();
    for deployment in list.items {
        let namespace = deployment.metadata.namespace.clone().unwrap_or_default();
        let name = deployment.metadata.name.clone().unwrap_or_default();
        let containers = deployment
            .spec
            .and_then(|s| s.template.spec)
            .map(|s| s.containers)
            .unwrap_or_default();
        for container in containers {
            let image = container.image.unwrap_or_default();
            if repository(&image) == repo {
                targets.push(Target {
                    namespace: namespace.clone(),
                    name: name.clone(),
                    container: container.name,
                    image,
                });
            }
        }
    }
    Ok(targets)
}

/// `kubectl set image deployment/NAME CONTAINER=IMAGE -n NS`: a strategic
/// merge patch of that one container, as kubectl sends it.
pub async fn set_image(client: &kube::Client, target: &Target, image: &str) -> Result<(), String> {
    let api: Api<Deployment> = Api::namespaced(client.clone(), &target.namespace);
    let patch = serde_json::json!({"spec": {"template": {"spec": {"containers": [
        {"name": target.container, "image": image}
    ]}}}});
    api.patch(
        &target.name,
        &PatchParams::default(),
        &Patch::Strategic(patch),
    )
    .await
    .map(|_| ())
    .map_err(|e| {
        format!(
            "setting the image of deployment/{} failed: {e}",
            target.name
        )
    })
}

/// Wait as `kubectl rollout status` does: the controller saw the change,
/// every replica is updated and available, and no old one is left.
pub async fn wait_rolled_out(
    client: &kube::Client,
    namespace: &str,
    name: &str,
) -> Result<String, String> {
    let api: Api<Deployment> = Api::namespaced(client.clone(), namespace);
    let deadline = Instant::now() + ROLLOUT_WITHIN;
    loop {
        let deployment = api
            .get(name)
            .await
            .map_err(|e| format!("reading deployment/{name} failed: {e}"))?;
        let wanted = deployment
            .spec
            .as_ref()
            .and_then(|s| s.replicas)
            .unwrap_or(1);
        let status = deployment.status.unwrap_or_default();
        let observed =
            status.observed_generation.unwrap_or(0) >= deployment.metadata.generation.unwrap_or(0);
        let updated = status.updated_replicas.unwrap_or(0);
        let available = status.available_replicas.unwrap_or(0);
        let total = status.replicas.unwrap_or(0);
        if observed && updated == wanted && available == wanted && total == wanted {
            return Ok(format!("deployment/{name} {available}/{wanted}"));
        }
        if Instant::now() > deadline {
            return Err(format!(
                "the rollout of deployment/{name} is not complete after {} s ({updated} of {wanted} updated, {available} available); its pods say why (6)",
                ROLLOUT_WITHIN.as_secs()
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
