//! The cockpit itself against the simulated cluster: the model fed by the
//! real Docker and Kubernetes sources, keys through `update`, commands run by
//! the real effects. The Kubernetes steps the cockpit has keys for so far:
//! apply (and force after a conflict), expose, scale with the form and with +,
//! open a Service, its YAML, a pod's logs, delete a pod, rollout restart.

mod common;

use common::cockpit::Cockpit;
use crossterm::event::KeyCode;
use pilothouse::app::core::model::{JobState, Model, Overlay};
use pilothouse::cli::SimArgs;
use pilothouse::sim::Sim;
use std::collections::HashSet;

/// The names of the pods in `default`.
fn default_pods(model: &Model) -> HashSet<String> {
    model
        .kube
        .pods
        .iter()
        .filter(|p| p.namespace == "default")
        .map(|p| p.name.clone())
        .collect()
}

fn ready(model: &Model, name: &str, want: u32) -> bool {
    model
        .kube
        .deployments
        .iter()
        .any(|d| d.name == name && d.ready == want && d.desired == want)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cockpit_scales_opens_and_deletes_against_the_sim() {
    let sim = Sim::start(&SimArgs {
        pod_start_ms: 100,
        ..Default::default()
    })
    .await
    .expect("the sim starts");
    common::build_cookbook(&sim).await;
    let mut cockpit = Cockpit::start(
        sim.docker.host(),
        &sim.kubeconfig_path,
        sim.sample_app.clone(),
    );
    cockpit
        .until("the cluster", |m| {
            matches!(
                m.kube.connection,
                pilothouse::app::kube::state::KubeConnection::Connected(_)
            )
        })
        .await;

    // m on the built image offers its Deployment manifest; the sample app already has one, which is kept.
    cockpit
        .until("the cookbook image", |m| {
            m.docker.images.iter().any(|i| i.repository == "cookbook")
        })
        .await;
    cockpit.keys("2/cookbook\nm");
    cockpit.keys("y");
    cockpit
        .until("the refusal to overwrite", |m| {
            m.shared
                .status
                .as_ref()
                .is_some_and(|s| s.text.contains("cookbook-deployment.yaml already exists"))
        })
        .await;
    cockpit.key(KeyCode::Esc);

    // Apply with a (from Deployments: in Containers, a shows stopped containers): the form
    // offers the sample app's manifest; enter applies it server-side.
    cockpit.keys("5");
    cockpit.open_apply_form().await;
    // Tab completes the path, as a shell does.
    for _ in 0..40 {
        cockpit.key(KeyCode::Backspace);
    }
    cockpit.keys("cookbook-d");
    cockpit.key(KeyCode::Tab);
    cockpit
        .until(
            "the completed path",
            |m| matches!(&m.shared.overlay, Overlay::Form(f) if f.value(0) == "cookbook-deployment.yaml"),
        )
        .await;
    cockpit.keys("\n");
    cockpit.until("the apply job", |m| m.jobs.list.iter().any(|j| matches!(&j.state, JobState::Succeeded(s) if s.contains("deployment.apps/cookbook-recipe serverside-applied")))).await;
    cockpit
        .until("cookbook-recipe READY 1/1", |m| {
            ready(m, "cookbook-recipe", 1)
        })
        .await;

    // The sim records the write (the record the bad-input test relies on being empty).
    let writes = sim.kube.shared.writes();
    assert!(
        writes
            .iter()
            .any(|w| w == "PATCH /apis/apps/v1/namespaces/default/deployments/cookbook-recipe"),
        "{writes:?}"
    );

    // Expose it with x: a LoadBalancer on port 8000, as the walkthrough does.
    cockpit.keys("x\n");
    cockpit
        .until("the Service", |m| {
            m.kube.services.iter().any(|s| {
                s.name == "cookbook-recipe"
                    && s.kind == "LoadBalancer"
                    && s.external_ip == "<pending>"
            })
        })
        .await;

    // Scale with the form: 5 (Deployments), s, replace the count with 3, enter.
    cockpit.keys("5");
    assert_eq!(
        cockpit
            .model
            .kube
            .deployments_table
            .selected_row(&cockpit.model.kube.deployments)
            .map(|d| d.name.as_str()),
        Some("cookbook-recipe")
    );
    cockpit.keys("s");
    assert!(matches!(cockpit.model.shared.overlay, Overlay::Form(_)));
    cockpit.key(KeyCode::Backspace);
    cockpit.keys("3\n");
    assert_eq!(
        cockpit.model.shared.learn.as_deref(),
        Some("kubectl scale --replicas=3 deployment/cookbook-recipe -n default")
    );
    cockpit
        .until("READY 3/3", |m| ready(m, "cookbook-recipe", 3))
        .await;

    // Applying the manifest again conflicts with that scale (replicas 1 vs 3): the cockpit asks, y forces.
    cockpit.open_apply_form().await;
    cockpit.keys("\n");
    cockpit
        .until(
            "the conflict question",
            |m| matches!(&m.shared.overlay, Overlay::Confirm(c) if c.message.contains(".spec.replicas")),
        )
        .await;
    cockpit.keys("y");
    cockpit
        .until("READY 1/1 after the forced apply", |m| {
            ready(m, "cookbook-recipe", 1)
        })
        .await;
    cockpit.keys("5");
    cockpit.key(KeyCode::Char('+'));
    cockpit.key(KeyCode::Char('+'));
    cockpit
        .until("READY 3/3 again", |m| ready(m, "cookbook-recipe", 3))
        .await;

    // enter on the deployment: its three pods (by their ReplicaSet), esc back.
    cockpit.keys("5g\n");
    cockpit
        .until("the deployment's pods", |m| {
            m.kube.pods_table.view.len() == 3
        })
        .await;
    let shown: Vec<String> = cockpit
        .model
        .kube
        .pods_table
        .view
        .iter()
        .map(|&i| cockpit.model.kube.pods[i].name.clone())
        .collect();
    assert!(
        shown.iter().all(|n| n.starts_with("cookbook-recipe-")),
        "{shown:?}"
    );
    cockpit.key(KeyCode::Esc);
    assert_eq!(
        cockpit.model.shared.pane,
        pilothouse::app::core::model::Pane::Deployments
    );

    // Open the Service: its nodePort on the node's address; three pods answer in turn.
    // g: the top row, default/cookbook-recipe (the selection had stayed on kubernetes, the first row to arrive).
    cockpit.keys("7go");
    let url = cockpit.opened.pop().expect("o opened a URL");
    let port: u16 = url
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("a port in the URL");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let mut answers = HashSet::new();
    for _ in 0..9 {
        let body = common::http_get(port, "/")
            .await
            .expect("the service answers");
        answers.insert(body.lines().last().unwrap_or("").to_string());
    }
    assert_eq!(answers.len(), 3, "{answers:?}");

    // The Service's YAML: y, and it says LoadBalancer; esc closes it.
    cockpit.keys("y");
    cockpit
        .until("the Service YAML", |m| {
            m.shared
                .overlay
                .clone_yaml()
                .and_then(|v| v.lines)
                .is_some_and(|lines| lines.iter().any(|l| l.trim() == "type: LoadBalancer"))
        })
        .await;
    cockpit.key(KeyCode::Esc);
    assert!(matches!(cockpit.model.shared.overlay, Overlay::None));

    // A pod's logs with l: the sim's start line and the requests just made.
    cockpit.keys("6g");
    cockpit.keys("/cookbook\n");
    cockpit.keys("l");
    assert_eq!(
        cockpit.model.shared.pane,
        pilothouse::app::core::model::Pane::Logs
    );
    cockpit
        .until("the pod's log", |m| {
            m.docker
                .logs
                .lines
                .iter()
                .any(|l| l.contains("started cookbook:latest"))
        })
        .await;
    // p: the previous container; this one never restarted, and the pane says so as kubectl would.
    cockpit.keys("p");
    cockpit
        .until("no previous container", |m| {
            m.docker
                .logs
                .ended
                .as_deref()
                .is_some_and(|e| e.contains("previous terminated container"))
        })
        .await;
    cockpit.key(KeyCode::Esc);
    cockpit.keys("6");
    cockpit.key(KeyCode::Esc);

    // Delete a pod with ctrl-d and a yes: its ReplicaSet makes another.
    cockpit.keys("6");
    let before = default_pods(&cockpit.model);
    cockpit.ctrl('d');
    cockpit.keys("y");
    cockpit
        .until("a replacement pod", |m| {
            let running: Vec<&str> = m
                .kube
                .pods
                .iter()
                .filter(|p| p.namespace == "default" && p.status == "Running")
                .map(|p| p.name.as_str())
                .collect();
            running.len() == 3 && running.iter().any(|n| !before.contains(*n))
        })
        .await;

    // Rollout restart with r and a yes: a new ReplicaSet, and three new pods replace all the old.
    let before = default_pods(&cockpit.model);
    cockpit.keys("5g");
    cockpit.keys("r");
    assert!(
        matches!(&cockpit.model.shared.overlay, Overlay::Confirm(c) if c.message.starts_with("Restart cookbook-recipe?"))
    );
    cockpit.keys("y");
    assert_eq!(
        cockpit.model.shared.learn.as_deref(),
        Some("kubectl rollout restart deployment/cookbook-recipe -n default")
    );
    cockpit
        .until("three new pods and none of the old", |m| {
            let pods: Vec<_> = m
                .kube
                .pods
                .iter()
                .filter(|p| p.namespace == "default")
                .collect();
            pods.len() == 3
                && pods
                    .iter()
                    .all(|p| p.status == "Running" && !before.contains(&p.name))
        })
        .await;
}
