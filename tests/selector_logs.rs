//! The logs of a whole Deployment in the cockpit, against the simulated
//! cluster: `l` on a Deployment streams its pod's log lines led by the
//! pod's name; scaled up, the new pod joins the stream and says so; `t`
//! starts it again from the last minute, leaving older lines out.

mod common;

use common::cockpit::Cockpit;
use k8s_openapi::api::apps::v1::Deployment;
use pilothouse::app::core::model::{Model, Pane};

fn lines(model: &Model) -> Vec<String> {
    model.docker.logs.lines.iter().cloned().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deployments_logs_join_the_pod_of_a_scale_up() {
    let sim = common::sim_with_cookbook(14).await;
    let client = common::sim_client(&sim).await;
    let deployments: kube::Api<Deployment> = kube::Api::namespaced(client.clone(), "default");
    let deployment = serde_json::from_value(serde_json::json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "cookbook-recipe"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "cookbook-recipe"}},
            "template": {
                "metadata": {"labels": {"app": "cookbook-recipe"}},
                "spec": {"containers": [{"name": "cookbook", "image": "cookbook:latest", "imagePullPolicy": "Never"}]}
            }
        }
    }))
    .expect("deployment");
    deployments
        .create(&Default::default(), &deployment)
        .await
        .expect("deployment created");

    let mut cockpit = Cockpit::on(&sim);
    cockpit
        .until("the Deployment with its running pod", |m| {
            m.kube
                .deployments
                .iter()
                .any(|d| d.name == "cookbook-recipe")
                && m.kube
                    .pods
                    .iter()
                    .any(|p| p.status == "Running" && p.name.starts_with("cookbook-recipe-"))
        })
        .await;
    cockpit.keys("5/cookbook-recipe\n");
    cockpit.keys("l");
    assert_eq!(cockpit.model.shared.pane, Pane::Logs);
    let first = cockpit
        .model
        .kube
        .pods
        .iter()
        .find(|p| p.name.starts_with("cookbook-recipe-"))
        .map(|p| p.name.clone())
        .expect("the pod");
    cockpit
        .until("the first pod's start line, led by its name", |m| {
            lines(m).iter().any(|l| {
                l.starts_with(&format!(
                    "{first} │ [pilothouse sim] {first} started cookbook:latest"
                ))
            })
        })
        .await;

    deployments
        .patch_scale(
            "cookbook-recipe",
            &Default::default(),
            &kube::api::Patch::Merge(serde_json::json!({"spec": {"replicas": 2}})),
        )
        .await
        .expect("scaled to 2");
    cockpit
        .until("the new pod joined, then its start line", |m| {
            let all = lines(m);
            let joined = all
                .iter()
                .position(|l| l.ends_with(" │ ── joined ──") && !l.starts_with(&first));
            joined.is_some_and(|at| {
                let pod = all[at].split(" │ ").next().unwrap_or_default().to_string();
                all[at..]
                    .iter()
                    .any(|l| l.starts_with(&format!("{pod} │ [pilothouse sim] {pod} started")))
            })
        })
        .await;
    assert!(cockpit.screen(120).contains(" │ ── joined ──"));

    // `t`: from the last minute only. A line the first pod wrote ten minutes
    // ago is in the last lines, and not in the last minute.
    {
        let mut store = sim.kube.shared.store.lock().expect("the store");
        let uid = store
            .get("pods", "default", &first)
            .and_then(|p| p["metadata"]["uid"].as_str().map(String::from))
            .expect("the first pod's uid");
        let ten_minutes_ago = pilothouse::sim::clock::now_nanos() - 600 * 1_000_000_000;
        store.append_pod_log_at(&uid, ten_minutes_ago, "an old line".into());
    }
    cockpit.keys("5l");
    cockpit
        .until("the old line among the last lines", |m| {
            lines(m)
                .iter()
                .any(|l| l == &format!("{first} │ an old line"))
        })
        .await;
    cockpit.keys("t");
    assert!(
        cockpit.model.docker.logs.lines.is_empty(),
        "the stream starts over"
    );
    cockpit
        .until("both pods' start lines again, from the last minute", |m| {
            lines(m)
                .iter()
                .filter(|l| l.contains("[pilothouse sim]"))
                .count()
                >= 2
        })
        .await;
    assert!(
        !lines(&cockpit.model)
            .iter()
            .any(|l| l.ends_with("an old line")),
        "{:?}",
        lines(&cockpit.model)
    );
    assert!(cockpit.screen(120).contains("since 1m ago"));
}
