//! Bad input to the simulated API server: the Status errors a real one
//! gives, and nothing stored.

mod common;

use common::http_request;
use pilothouse::sim::kube::{KubeConfig, KubeSim};
use serde_json::{Value, json};

const DEPLOYMENTS: &str = "/apis/apps/v1/namespaces/default/deployments";

fn deployment(name: &str, replicas: i64) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
           "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "cookbook"}]}}}})
}

async fn stored_deployments(port: u16) -> usize {
    let (_, body) = http_request(port, "GET", DEPLOYMENTS, "application/json", b"").await;
    let list: Value = serde_json::from_str(&body).expect("a DeploymentList");
    list["items"].as_array().map_or(0, Vec::len)
}

fn status_of(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|_| panic!("a Status body, got: {body}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_real_status_errors_and_store_nothing() {
    let sim = KubeSim::start(KubeConfig::default(), None)
        .await
        .expect("the sim starts");
    let port: u16 = sim
        .url
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    let (status, _) = http_request(
        port,
        "POST",
        DEPLOYMENTS,
        "application/json",
        deployment("existing", 1).to_string().as_bytes(),
    )
    .await;
    assert_eq!(status, 201);

    let mut wrong_namespace = deployment("web", 1);
    wrong_namespace["metadata"]["namespace"] = json!("kube-system");
    let mut wrong_version = deployment("web", 1);
    wrong_version["apiVersion"] = json!("apps/v1beta1");
    let mut wrong_kind = deployment("web", 1);
    wrong_kind["kind"] = json!("StatefulSet");
    let mut no_containers = deployment("web", 1);
    no_containers["spec"]["template"]["spec"]["containers"] = json!([]);
    let cases: Vec<(&str, &str, String, &str, u16, &str, &str)> = vec![
        (
            "malformed JSON",
            DEPLOYMENTS,
            "{\"metadata\": ".into(),
            "application/json",
            400,
            "BadRequest",
            "json parse error",
        ),
        (
            "malformed YAML",
            DEPLOYMENTS,
            "metadata: [unclosed".into(),
            "application/yaml",
            400,
            "BadRequest",
            "error decoding YAML",
        ),
        (
            "an unknown kind",
            "/apis/apps/v1/namespaces/default/statefulsets",
            "{}".into(),
            "application/json",
            404,
            "NotFound",
            "could not find the requested resource",
        ),
        (
            "a wrong apiVersion",
            DEPLOYMENTS,
            wrong_version.to_string(),
            "application/json",
            400,
            "BadRequest",
            "does not match the expected API version",
        ),
        (
            "a kind that does not match the URL",
            DEPLOYMENTS,
            wrong_kind.to_string(),
            "application/json",
            400,
            "BadRequest",
            "does not match the expected kind",
        ),
        (
            "an RFC 1123 violation",
            DEPLOYMENTS,
            deployment("Web_App", 1).to_string(),
            "application/json",
            422,
            "Invalid",
            "RFC 1123",
        ),
        (
            "a name that is too long",
            DEPLOYMENTS,
            deployment(&"a".repeat(254), 1).to_string(),
            "application/json",
            422,
            "Invalid",
            "metadata.name",
        ),
        (
            "negative replicas",
            DEPLOYMENTS,
            deployment("web", -2).to_string(),
            "application/json",
            422,
            "Invalid",
            "spec.replicas: Invalid value: -2",
        ),
        (
            "no containers",
            DEPLOYMENTS,
            no_containers.to_string(),
            "application/json",
            422,
            "Invalid",
            "containers: Required value",
        ),
        (
            "a namespace other than the URL's",
            DEPLOYMENTS,
            wrong_namespace.to_string(),
            "application/json",
            400,
            "BadRequest",
            "does not match the namespace",
        ),
        (
            "a namespace that does not exist",
            "/apis/apps/v1/namespaces/nope/deployments",
            deployment("web", 1).to_string(),
            "application/json",
            404,
            "NotFound",
            "namespaces \"nope\" not found",
        ),
        (
            "a name that exists",
            DEPLOYMENTS,
            deployment("existing", 1).to_string(),
            "application/json",
            409,
            "AlreadyExists",
            "already exists",
        ),
    ];
    for (what, path, body, content_type, code, reason, says) in cases {
        let before = stored_deployments(port).await;
        let (status, answer) =
            http_request(port, "POST", path, content_type, body.as_bytes()).await;
        let parsed = status_of(&answer);
        assert_eq!(status, code, "{what}: {answer}");
        assert_eq!(
            (
                parsed["kind"].as_str(),
                parsed["status"].as_str(),
                parsed["code"].as_u64()
            ),
            (Some("Status"), Some("Failure"), Some(code as u64)),
            "{what}"
        );
        assert_eq!(parsed["reason"], json!(reason), "{what}: {answer}");
        assert!(
            parsed["message"].as_str().unwrap_or("").contains(says),
            "{what}: {answer}"
        );
        assert_eq!(
            stored_deployments(port).await,
            before,
            "{what}: nothing stored"
        );
    }

    // Invalid answers carry causes naming the field.
    let (_, answer) = http_request(
        port,
        "POST",
        DEPLOYMENTS,
        "application/json",
        deployment("Bad!", 1).to_string().as_bytes(),
    )
    .await;
    assert_eq!(
        status_of(&answer)["details"]["causes"][0]["field"],
        json!("metadata.name")
    );

    // Writes to an object: mismatched names, unknown patch types, optimistic concurrency, missing objects.
    let existing = format!("{DEPLOYMENTS}/existing");
    let (status, answer) = http_request(
        port,
        "PUT",
        &existing,
        "application/json",
        deployment("other", 1).to_string().as_bytes(),
    )
    .await;
    assert_eq!(
        (status, status_of(&answer)["reason"].clone()),
        (400, json!("BadRequest")),
        "{answer}"
    );
    let (status, answer) = http_request(port, "PATCH", &existing, "application/xml", b"<x/>").await;
    assert_eq!(
        (status, status_of(&answer)["reason"].clone()),
        (415, json!("UnsupportedMediaType")),
        "{answer}"
    );
    let mut stale = deployment("existing", 5);
    stale["metadata"]["resourceVersion"] = json!("1");
    let (status, answer) = http_request(
        port,
        "PUT",
        &existing,
        "application/json",
        stale.to_string().as_bytes(),
    )
    .await;
    assert_eq!(
        (status, status_of(&answer)["reason"].clone()),
        (409, json!("Conflict")),
        "{answer}"
    );
    let (status, answer) = http_request(
        port,
        "PATCH",
        &existing,
        "application/merge-patch+json",
        br#"{"spec":{"replicas":-1}}"#,
    )
    .await;
    assert_eq!(
        status, 422,
        "a patch to negative replicas is refused: {answer}"
    );
    let (status, answer) = http_request(
        port,
        "GET",
        &format!("{DEPLOYMENTS}/missing"),
        "application/json",
        b"",
    )
    .await;
    assert_eq!(
        (status, status_of(&answer)["message"].clone()),
        (404, json!("deployments.apps \"missing\" not found"))
    );
    let (status, answer) = http_request(
        port,
        "PATCH",
        &format!("{existing}?fieldManager=test"),
        "application/apply-patch+yaml",
        b"kind: [",
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    let (status, answer) = http_request(
        port,
        "PATCH",
        &existing,
        "application/apply-patch+yaml",
        deployment("existing", 1).to_string().as_bytes(),
    )
    .await;
    assert!(
        status == 400 && answer.contains("fieldManager is required"),
        "{answer}"
    );
    let (_, body) = http_request(port, "GET", &existing, "application/json", b"").await;
    let stored: Value = serde_json::from_str(&body).expect("the deployment");
    assert_eq!(
        stored["spec"]["replicas"],
        json!(1),
        "none of the refused writes changed it"
    );
}
