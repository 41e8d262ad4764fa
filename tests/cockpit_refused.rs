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
        .until(
            "all namespaces, nodes and namespaces said not allowed",
            |m| m.kube.not_allowed.len() == 3,
        )
        .await;
    let said = cockpit.model.kube.not_allowed.join("; ");
    assert!(
        said.starts_with(
            "all namespaces not allowed for user pilothouse-dev: watching namespace default"
        ),
        "{said}"
    );
    let status = cockpit
        .model
        .shared
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default();
    assert!(
        status.contains("nodes: not allowed") && status.contains("namespaces: not allowed"),
        "{status}"
    );
    assert!(
        cockpit
            .screen(160)
            .lines()
            .next()
            .unwrap_or_default()
            .contains("nodes not allowed")
    );
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

    // An action the cluster refuses says which verb on which resource.
    let options = kube::config::KubeConfigOptions {
        context: Some("pilothouse-sim-dev".into()),
        ..Default::default()
    };
    let config = kube::Config::from_custom_kubeconfig(
        kube::config::Kubeconfig::read_from(&kubeconfig).expect("kubeconfig read"),
        &options,
    )
    .await
    .expect("the dev config");
    let dev = kube::Client::try_from(config).expect("the dev client");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let elsewhere = serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "settings", "namespace": "kube-system"}, "data": {"MODE": "dev"}});
    pilothouse::effects::kube::apply::apply(
        dev,
        9,
        "m.yaml".into(),
        vec![elsewhere],
        false,
        None,
        tx,
    )
    .await;
    let mut ended = None;
    while let Ok(event) = rx.try_recv() {
        if let pilothouse::app::Event::Job {
            update: pilothouse::app::core::event::JobUpdate::Finished(result),
            ..
        } = event
        {
            ended = Some(result);
        }
    }
    let why = ended.expect("the job ended").expect_err("refused");
    assert!(
        why.contains("configmaps \"settings\" is forbidden: User \"pilothouse-dev\" cannot patch resource \"configmaps\""),
        "{why}"
    );

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
            .contains("credentials refused"),
        "{}",
        cockpit.screen(160)
    );
}

/// Kubeconfig users whose credentials come from an exec plugin (as
/// gke-gcloud-auth-plugin, aws and kubelogin give them): one that prints a
/// good token connects; one that fails, and one that is not installed, are
/// named by their command, with what the failing one said.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credential_plugins_that_work_fail_or_are_missing() {
    let sim = Sim::start(&SimArgs {
        seed: 53,
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
    let good = dir.path().join("good-plugin");
    common::write_program(
        &good,
        &format!(
            "#!/bin/sh\necho '{{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"{token}\"}}}}'\n"
        ),
    );
    let bad = dir.path().join("bad-plugin");
    common::write_program(
        &bad,
        "#!/bin/sh\necho 'error: the login has expired; run: login' >&2\nexit 1\n",
    );
    let missing = dir.path().join("gke-gcloud-auth-plugin");
    let with_plugin = |name: &str, plugin: &std::path::Path| {
        let sub = dir.path().join(name);
        std::fs::create_dir(&sub).expect("a folder");
        kubeconfig_with(&sim, &sub, |text| {
            text.replacen(
                &format!("  user:\n    token: {token}\n"),
                &format!(
                    "  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {}\n      interactiveMode: Never\n",
                    plugin.display()
                ),
                1,
            )
        })
    };

    let mut works = Cockpit::start(
        sim.docker.host(),
        &with_plugin("good", &good),
        sim.sample_app.clone(),
    );
    works
        .until("connected through the plugin's token", |m| {
            matches!(m.kube.connection, KubeConnection::Connected(_)) && !m.kube.pods.is_empty()
        })
        .await;
    let mut fails = Cockpit::start(
        sim.docker.host(),
        &with_plugin("bad", &bad),
        sim.sample_app.clone(),
    );
    fails
        .until("the failing plugin named, with what it said", |m| {
            matches!(&m.kube.connection, KubeConnection::Rejected(why)
                if why.contains(&format!("the credential plugin {} of user pilothouse-sim failed", bad.display()))
                    && why.contains("the login has expired"))
        })
        .await;
    let mut absent = Cockpit::start(
        sim.docker.host(),
        &with_plugin("missing", &missing),
        sim.sample_app.clone(),
    );
    absent
        .until("the missing plugin named", |m| {
            matches!(&m.kube.connection, KubeConnection::Rejected(why)
                if why.contains(&format!("the credential plugin {} of user pilothouse-sim is not installed", missing.display())))
        })
        .await;
}
