//! Every kind the simulated API server serves, listed after the walkthrough
//! (build, apply, expose, scale, a ConfigMap and a Secret), decodes into
//! k8s-openapi's types, whose required fields must be there; and decoding
//! loses nothing: every field the server sent is one the Kubernetes schema
//! has (re-encoded, the object still holds it), so a strict client
//! generated from the schema accepts the lists whole; and kubectl, given
//! back what the server returned with `--validate=strict`, is accepted.

mod common;

use common::strict::decodes_whole;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{
    ConfigMap, Endpoints, Event, Namespace, Node, Pod, Secret, Service,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::Api;
use kube::api::{ListParams, Patch, PatchParams};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_served_kind_decodes_strictly_after_the_walkthrough() {
    let sim = common::sim_with_cookbook(31).await;
    let client = common::sim_client(&sim).await;
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), "default");
    let manifest: Deployment = serde_json::from_value(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "cookbook-recipe", "labels": {"app": "cookbook-recipe"}},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "cookbook-recipe"}},
            "template": {
                "metadata": {"labels": {"app": "cookbook-recipe"}},
                "spec": {"containers": [{"name": "cookbook-recipe", "image": "cookbook:latest",
                                          "imagePullPolicy": "Never", "ports": [{"containerPort": 8000}]}]}
            }
        }
    }))
    .expect("deployment");
    deployments
        .patch(
            "cookbook-recipe",
            &PatchParams::apply("test"),
            &Patch::Apply(&manifest),
        )
        .await
        .expect("applied");
    let services: Api<Service> = Api::namespaced(client.clone(), "default");
    let service: Service = serde_json::from_value(json!({
        "metadata": {"name": "cookbook-recipe"},
        "spec": {"type": "LoadBalancer", "selector": {"app": "cookbook-recipe"},
                 "ports": [{"port": 8000, "targetPort": 8000}]}
    }))
    .expect("service");
    services
        .create(&Default::default(), &service)
        .await
        .expect("exposed");
    deployments
        .patch_scale(
            "cookbook-recipe",
            &Default::default(),
            &Patch::Merge(json!({"spec": {"replicas": 2}})),
        )
        .await
        .expect("scaled");
    let config: ConfigMap =
        serde_json::from_value(json!({"metadata": {"name": "settings"}, "data": {"MODE": "dev"}}))
            .expect("configmap");
    Api::<ConfigMap>::namespaced(client.clone(), "default")
        .create(&Default::default(), &config)
        .await
        .expect("configmap created");
    let secret: Secret = serde_json::from_value(
        json!({"metadata": {"name": "token"}, "type": "Opaque", "stringData": {"key": "value"}}),
    )
    .expect("secret");
    Api::<Secret>::namespaced(client.clone(), "default")
        .create(&Default::default(), &secret)
        .await
        .expect("secret created");
    // Until both pods run: every state a pod goes through has been written by then.
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let running = pods
            .list(&ListParams::default().labels("app=cookbook-recipe"))
            .await
            .expect("pods")
            .items
            .iter()
            .filter(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running"))
            .count();
        if running == 2 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the pods never ran");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    assert!(decodes_whole::<Namespace>(&client, "/api/v1/namespaces", "Namespace").await >= 4);
    assert!(decodes_whole::<Node>(&client, "/api/v1/nodes", "Node").await >= 1);
    assert!(decodes_whole::<Pod>(&client, "/api/v1/pods", "Pod").await >= 9);
    assert!(decodes_whole::<Service>(&client, "/api/v1/services", "Service").await >= 2);
    assert!(decodes_whole::<ConfigMap>(&client, "/api/v1/configmaps", "ConfigMap").await >= 1);
    assert!(decodes_whole::<Secret>(&client, "/api/v1/secrets", "Secret").await >= 1);
    assert!(decodes_whole::<Event>(&client, "/api/v1/events", "Event").await >= 1);
    assert!(
        decodes_whole::<Deployment>(&client, "/apis/apps/v1/deployments", "Deployment").await >= 2
    );
    assert!(
        decodes_whole::<ReplicaSet>(&client, "/apis/apps/v1/replicasets", "ReplicaSet").await >= 2
    );
    assert!(decodes_whole::<Endpoints>(&client, "/api/v1/endpoints", "Endpoints").await >= 1);
    assert!(
        decodes_whole::<EndpointSlice>(
            &client,
            "/apis/discovery.k8s.io/v1/endpointslices",
            "EndpointSlice"
        )
        .await
            >= 1
    );

    // What the server returns, given back to it by kubectl with strict validation, is accepted.
    if !common::cli_available(
        "every_served_kind_decodes_strictly_after_the_walkthrough (kubectl part)",
        "kubectl",
        &["version", "--client"],
    ) {
        return;
    }
    let kubectl = common::kubectl::Kubectl::new(sim.kubeconfig_path.display());
    let dir = tempfile::tempdir().expect("temp dir");
    tokio::task::spawn_blocking(move || {
        for object in [
            "deployment/cookbook-recipe",
            "service/cookbook-recipe",
            "configmap/settings",
        ] {
            let yaml = kubectl.ok(&["get", object, "-o", "yaml"]);
            let file = dir.path().join("object.yaml");
            std::fs::write(&file, yaml).expect("written");
            let file = file.display().to_string();
            kubectl.says(
                &[
                    "apply",
                    "--validate=strict",
                    "--server-side",
                    "--force-conflicts",
                    "-f",
                    &file,
                ],
                true,
                "serverside-applied",
            );
        }
    })
    .await
    .expect("the kubectl steps");
}
