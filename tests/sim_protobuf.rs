//! kubectl 1.32 sends `create deployment`, `create namespace`, `create
//! configmap` and `create secret` bodies as protobuf (the `k8s\0` envelope
//! around a runtime.Unknown). The simulated API server reads them as a real
//! one does: the objects are stored with the values kubectl put in them
//! (a secret's bytes, an explicit `--replicas=0`), and the Deployment runs.
//! `kubectl auth whoami` names the user.

mod common;

use common::kubectl::Kubectl;

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
}
