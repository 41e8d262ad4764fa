//! The cockpit with a user the cluster says no to. As `pilothouse-sim-dev`
//! (allowed only in namespace `default`): all namespaces are not allowed,
//! so it watches `default` and says so once; nodes and namespaces are not
//! allowed, said once each; its pods are listed and kept current; and no
//! refused request is repeated (the API server's refusals are counted over
//! 10 s). With a token the cluster does not know: the header names the
//! user and says the credentials were rejected.

mod common;

use common::cockpit::Cockpit;
use pilothouse::app::kube::state::KubeConnection;
use pilothouse::cli::SimArgs;
use pilothouse::sim::Sim;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// The sim's kubeconfig with another current context, or another token for the admin.
fn kubeconfig_with(
    sim: &Sim,
    dir: &std::path::Path,
    edit: impl Fn(String) -> String,
) -> std::path::PathBuf {
    let text = std::fs::read_to_string(&sim.kubeconfig_path).expect("the sim's kubeconfig");
    let path = dir.join("kubeconfig");
    std::fs::write(&path, edit(text)).expect("kubeconfig written");
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_bound_to_one_namespace_sees_it_and_is_told_the_rest_once() {
    let sim = common::sim_with_cookbook(51).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let kubeconfig = kubeconfig_with(&sim, dir.path(), |text| {
        text.replace(
            "current-context: pilothouse-sim\n",
            "current-context: pilothouse-sim-dev\n",
        )
    });
    // A pod of its own in `default`, through the admin.
    let client = common::sim_client(&sim).await;
    let pods: kube::Api<k8s_openapi::api::core::v1::Pod> = kube::Api::namespaced(client, "default");
    let pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "web"},
        "spec": {"containers": [{"name": "web", "image": "cookbook:latest", "imagePullPolicy": "Never"}]}
    }))
    .expect("pod");
    pods.create(&Default::default(), &pod)
        .await
        .expect("pod created");

    let mut cockpit = Cockpit::start(sim.docker.host(), &kubeconfig, sim.sample_app.clone());
    cockpit
        .until("connected, watching default, its pod listed", |m| {
            matches!(m.kube.connection, KubeConnection::Connected(_))
                && m.kube.target.namespace.as_deref() == Some("default")
                && m.kube.pods.iter().any(|p| p.name == "web")
        })
        .await;
    cockpit
        .until("nodes and namespaces said not allowed", |m| {
            m.kube.not_allowed.len() == 2
        })
        .await;
    let said = cockpit.model.kube.not_allowed.join("; ");
    assert!(
        said.contains("nodes: not allowed for user pilothouse-dev"),
        "{said}"
    );
    assert!(
        said.contains("namespaces: not allowed for user pilothouse-dev"),
        "{said}"
    );
    assert!(
        cockpit
            .model
            .kube
            .pods
            .iter()
            .all(|p| p.namespace == "default"),
        "only its namespace's pods"
    );
    assert!(
        cockpit.model.kube.trouble.is_none(),
        "{:?}",
        cockpit.model.kube.trouble
    );

    // No refusal is asked again: over 10 s the server refuses nothing more.
    let refused = sim.kube.shared.refused.load(Ordering::Relaxed);
    let requests = sim.kube.shared.requests.load(Ordering::Relaxed);
    cockpit
        .throughout(Duration::from_secs(10), "running", |_| true)
        .await;
    assert_eq!(
        sim.kube.shared.refused.load(Ordering::Relaxed),
        refused,
        "a refused request was repeated"
    );
    let asked = sim.kube.shared.requests.load(Ordering::Relaxed) - requests;
    // Five namespaced watches, renewed every 10 s: about one request each.
    assert!(asked <= 12, "{asked} requests in 10 s");

    // Still current: a pod made now appears.
    let pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "api"},
        "spec": {"containers": [{"name": "api", "image": "cookbook:latest", "imagePullPolicy": "Never"}]}
    }))
    .expect("pod");
    pods.create(&Default::default(), &pod)
        .await
        .expect("pod created");
    cockpit
        .until("the new pod, by watch", |m| {
            m.kube.pods.iter().any(|p| p.name == "api")
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_token_names_the_user_and_is_not_retried_in_a_loop() {
    let sim = Sim::start(&SimArgs {
        seed: 52,
        ..Default::default()
    })
    .await
    .expect("the sim starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let token = sim
        .kube
        .shared
        .auth
        .as_ref()
        .expect("auth")
        .admin_token
        .clone();
    let kubeconfig = kubeconfig_with(&sim, dir.path(), |text| {
        text.replace(&token, "an-expired-token")
    });
    let mut cockpit = Cockpit::start(sim.docker.host(), &kubeconfig, sim.sample_app.clone());
    cockpit
        .until("the rejection, named", |m| {
            matches!(&m.kube.connection, KubeConnection::Rejected(why)
                if why.contains("rejected the credentials of user pilothouse-sim") && why.contains("expired"))
        })
        .await;
    let refused = sim.kube.shared.refused.load(Ordering::Relaxed);
    cockpit
        .throughout(Duration::from_secs(10), "running", |_| true)
        .await;
    let again = sim.kube.shared.refused.load(Ordering::Relaxed) - refused;
    assert_eq!(again, 0, "asked again {again} times within 10 s");
    assert!(
        cockpit
            .screen(160)
            .lines()
            .next()
            .unwrap_or_default()
            .contains("credentials rejected (401)"),
        "{}",
        cockpit.screen(160)
    );
}
