//! kubectl 1.32 sends `create deployment`, `create namespace`, `create
//! configmap` and `create secret` bodies as protobuf (the `k8s\0` envelope
//! around a runtime.Unknown). The simulated API server reads them as a real
//! one does: the objects are stored with the values kubectl put in them
//! (a secret's bytes, an explicit `--replicas=0`), and the Deployment runs.
//! `kubectl auth whoami` names the user.

mod common;

use common::kubectl::Kubectl;
use common::strict::decodes_whole;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_create_commands_learners_type_first_work() {
    let test = "the_create_commands_learners_type_first_work";
    if !common::cli_available(test, "kubectl", &["version", "--client"]) {
        return;
    }
    let sim = common::sim_with_cookbook(3).await;
    let kubectl = Kubectl::new(sim.kubeconfig_path.display().to_string());
    tokio::task::spawn_blocking(move || {
        kubectl.says(
            &["create", "deployment", "hello", "--image=cookbook:latest", "--replicas=2", "--port=8000"],
            true,
            "deployment.apps/hello created",
        );
        kubectl.says(&["create", "namespace", "learn"], true, "namespace/learn created");
        kubectl.says(
            &["create", "configmap", "settings", "--from-literal=greeting=hello", "-n", "learn"],
            true,
            "configmap/settings created",
        );
        kubectl.says(
            &["create", "secret", "generic", "db", "--from-literal=password=s3cret", "-n", "learn"],
            true,
            "secret/db created",
        );
        kubectl.says(
            &["create", "deployment", "idle", "--image=cookbook:latest", "--replicas=0"],
            true,
            "deployment.apps/idle created",
        );
        // The values inside came through.
        assert_eq!(
            kubectl.ok(&["get", "configmap", "settings", "-n", "learn", "-o", "jsonpath={.data.greeting}"]),
            "hello"
        );
        assert_eq!(
            kubectl.ok(&["get", "secret", "db", "-n", "learn", "-o", "jsonpath={.data.password}"]),
            "czNjcmV0",
            "base64 of s3cret, as the API server stores a secret's bytes"
        );
        assert_eq!(
            kubectl.ok(&["get", "deployment", "idle", "-o", "jsonpath={.spec.replicas}"]),
            "0",
            "an explicit zero is kept"
        );
        assert_eq!(
            kubectl.ok(&[
                "get", "deployment", "hello",
                "-o", "jsonpath={.spec.template.spec.containers[0].ports[0].containerPort} {.spec.selector.matchLabels.app} {.spec.strategy.type}",
            ]),
            "8000 hello RollingUpdate"
        );
        kubectl.ok(&["rollout", "status", "deployment/hello", "--timeout=20s"]);
        kubectl.says(&["get", "deployment", "hello"], true, "2/2");
        // `auth whoami` (a SelfSubjectReview): who the kubeconfig's token is.
        let whoami = kubectl.says(&["auth", "whoami"], true, "Username    pilothouse-sim");
        assert!(whoami.contains("system:masters"), "{whoami}");
        // A protobuf body with a mistake in it is refused as a real server refuses it.
        kubectl.says(
            &["create", "deployment", "Bad_Name", "--image=cookbook:latest"],
            false,
            "Invalid value: \"Bad_Name\"",
        );
    })
    .await
    .expect("kubectl");

    // What the protobuf bodies made decodes strictly: nothing in it is a field the schema lacks.
    let client = common::sim_client(&sim).await;
    assert!(
        decodes_whole::<Deployment>(&client, "/apis/apps/v1/deployments", "Deployment").await >= 3
    );
    assert!(decodes_whole::<ConfigMap>(&client, "/api/v1/configmaps", "ConfigMap").await >= 1);
    assert!(decodes_whole::<Secret>(&client, "/api/v1/secrets", "Secret").await >= 1);
    assert!(decodes_whole::<Namespace>(&client, "/api/v1/namespaces", "Namespace").await >= 5);
}

/// A ConfigMap in the `k8s\0` envelope: TypeMeta, then the object.
fn config_map_body(name: &str, value: &str, resource_version: Option<&str>) -> Vec<u8> {
    use pilothouse::domain::protobuf::Writer;
    let mut metadata = Writer::default().text(1, name).text(3, "default");
    if let Some(version) = resource_version {
        metadata = metadata.text(6, version);
    }
    let entry = Writer::default().text(1, "greeting").text(2, value);
    let object = Writer::default().message(1, metadata).message(2, entry);
    let type_meta = Writer::default().text(1, "v1").text(2, "ConfigMap");
    let unknown = Writer::default()
        .message(1, type_meta)
        .bytes(2, &object.finish());
    [b"k8s\0".to_vec(), unknown.finish()].concat()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protobuf_and_json_bodies_create_and_update_alike() {
    let sim = pilothouse::sim::Sim::start(&pilothouse::cli::SimArgs::default())
        .await
        .expect("the sim starts");
    let client = common::sim_client(&sim).await;
    let send = |method: &str, url: &str, body: Vec<u8>, media: &str| {
        http::Request::builder()
            .method(method)
            .uri(url)
            .header("content-type", media)
            .body(body)
            .expect("a request")
    };
    const PROTOBUF: &str = "application/vnd.kubernetes.protobuf";
    let created: serde_json::Value = client
        .request(send(
            "POST",
            "/api/v1/namespaces/default/configmaps",
            config_map_body("pb", "hello", None),
            PROTOBUF,
        ))
        .await
        .expect("a protobuf create");
    assert_eq!(created["data"]["greeting"], "hello");
    let version = created["metadata"]["resourceVersion"]
        .as_str()
        .expect("a version")
        .to_string();
    let updated: serde_json::Value = client
        .request(send(
            "PUT",
            "/api/v1/namespaces/default/configmaps/pb",
            config_map_body("pb", "bonjour", Some(&version)),
            PROTOBUF,
        ))
        .await
        .expect("a protobuf update");
    assert_eq!(updated["data"]["greeting"], "bonjour");
    // The same through JSON.
    let json_body = serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "js", "namespace": "default"}, "data": {"greeting": "hello"}});
    let created: serde_json::Value = client
        .request(send(
            "POST",
            "/api/v1/namespaces/default/configmaps",
            json_body.to_string().into_bytes(),
            "application/json",
        ))
        .await
        .expect("a JSON create");
    let mut changed = created.clone();
    changed["data"]["greeting"] = serde_json::json!("bonjour");
    let updated: serde_json::Value = client
        .request(send(
            "PUT",
            "/api/v1/namespaces/default/configmaps/js",
            changed.to_string().into_bytes(),
            "application/json",
        ))
        .await
        .expect("a JSON update");
    assert_eq!(updated["data"]["greeting"], "bonjour");
    // A stale version in protobuf is a conflict, as in JSON.
    let stale = client
        .request::<serde_json::Value>(send(
            "PUT",
            "/api/v1/namespaces/default/configmaps/pb",
            config_map_body("pb", "hola", Some(&version)),
            PROTOBUF,
        ))
        .await;
    assert!(
        stale
            .as_ref()
            .is_err_and(|e| e.to_string().contains("Conflict") || e.to_string().contains("409")),
        "{stale:?}"
    );
}
