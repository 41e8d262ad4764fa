//! `a` (apply) against the simulated cluster: objects that name no
//! namespace go to the namespace being watched, as `kubectl apply -n NS`
//! sends them; with all namespaces watched, to the kubeconfig's namespace,
//! and the job says so. Objects that name one stay there.

mod common;

use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::Api;
use pilothouse::app::Event;
use pilothouse::app::core::event::JobUpdate;
use pilothouse::cli::SimArgs;
use pilothouse::sim::Sim;
use tokio::sync::mpsc;

/// Apply `documents` and return the job's output and its result.
async fn apply(
    client: &kube::Client,
    documents: Vec<serde_json::Value>,
    namespace: Option<&str>,
) -> (Vec<String>, Result<String, String>) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    pilothouse::effects::kube::apply::apply(
        client.clone(),
        1,
        "manifest.yaml".into(),
        documents,
        false,
        namespace.map(String::from),
        tx,
    )
    .await;
    let mut output = Vec::new();
    while let Ok(event) = rx.try_recv() {
        if let Event::Job { update, .. } = event {
            match update {
                JobUpdate::Output(lines) => output.extend(lines),
                JobUpdate::Finished(result) => return (output, result),
                JobUpdate::Step { .. } => {}
            }
        }
    }
    panic!("the job never finished: {output:?}");
}

fn config_map(name: &str, namespace: Option<&str>) -> serde_json::Value {
    let mut object = serde_json::json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": name},
        "data": {"greeting": "hello"}
    });
    if let Some(namespace) = namespace {
        object["metadata"]["namespace"] = namespace.into();
    }
    object
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_sends_objects_without_a_namespace_where_the_user_looks() {
    let sim = Sim::start(&SimArgs {
        seed: 21,
        ..Default::default()
    })
    .await
    .expect("the sim starts");
    let client = common::sim_client(&sim).await;
    let namespaces: Api<Namespace> = Api::all(client.clone());
    namespaces
        .create(
            &Default::default(),
            &serde_json::from_value(serde_json::json!({"metadata": {"name": "shop"}}))
                .expect("namespace"),
        )
        .await
        .expect("namespace shop created");
    let in_namespace = |ns: &str| Api::<ConfigMap>::namespaced(client.clone(), ns);

    // Watching `shop`: the nameless one goes there, the named one where it says.
    let (output, result) = apply(
        &client,
        vec![
            config_map("watched", None),
            config_map("named", Some("default")),
        ],
        Some("shop"),
    )
    .await;
    assert!(result.is_ok(), "{result:?}");
    assert!(
        !output.iter().any(|l| l.contains("All namespaces")),
        "{output:?}"
    );
    assert!(
        in_namespace("shop")
            .get_opt("watched")
            .await
            .expect("get")
            .is_some()
    );
    assert!(
        in_namespace("default")
            .get_opt("watched")
            .await
            .expect("get")
            .is_none()
    );
    assert!(
        in_namespace("default")
            .get_opt("named")
            .await
            .expect("get")
            .is_some()
    );

    // All namespaces watched: the kubeconfig's (`default`), and the job says which.
    let (output, result) = apply(&client, vec![config_map("everywhere", None)], None).await;
    assert!(result.is_ok(), "{result:?}");
    assert!(
        output.iter().any(|l| l
            == "All namespaces are watched: objects that name none go to the kubeconfig's namespace, default."),
        "{output:?}"
    );
    assert!(
        in_namespace("default")
            .get_opt("everywhere")
            .await
            .expect("get")
            .is_some()
    );
}
