//! Managed port-forwards in the cockpit, against the simulated cluster
//! through the real kube source and effects: `F` on a Service, a request
//! through the forward reaches a pod; that pod deleted, the forward moves
//! to the other ready pod and says so; a pod forward stops with its pod;
//! `K` keeps a forward in `pilothouse.toml` and a new cockpit starts it again;
//! a connection to a port nothing listens on says why in the status line.

mod common;

use common::cockpit::Cockpit;
use crossterm::event::KeyCode;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Pod, Service};
use pilothouse::app::Event;
use pilothouse::app::core::model::{Model, Overlay, Pane};
use pilothouse::domain::forward::ForwardState;

/// cookbook-recipe: two replicas whose container names its port `http`,
/// and a Service whose port 80 targets that name.
async fn two_pods_behind_a_service(client: &kube::Client) {
    let deployments: kube::Api<Deployment> = kube::Api::namespaced(client.clone(), "default");
    let deployment = serde_json::from_value(serde_json::json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "cookbook-recipe"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "cookbook-recipe"}},
            "template": {
                "metadata": {"labels": {"app": "cookbook-recipe"}},
                "spec": {"containers": [{
                    "name": "cookbook", "image": "cookbook:latest", "imagePullPolicy": "Never",
                    "ports": [{"name": "http", "containerPort": 8000}]
                }]}
            }
        }
    }))
    .expect("deployment");
    deployments
        .create(&Default::default(), &deployment)
        .await
        .expect("deployment created");
    let services: kube::Api<Service> = kube::Api::namespaced(client.clone(), "default");
    let service = serde_json::from_value(serde_json::json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "cookbook-recipe"},
        "spec": {
            "selector": {"app": "cookbook-recipe"},
            "ports": [{"port": 80, "targetPort": "http"}]
        }
    }))
    .expect("service");
    services
        .create(&Default::default(), &service)
        .await
        .expect("service created");
}

fn running_pods(model: &Model) -> Vec<String> {
    model
        .kube
        .pods
        .iter()
        .filter(|p| p.name.starts_with("cookbook-recipe-") && p.status == "Running")
        .map(|p| p.name.clone())
        .collect()
}

fn reaching(model: &Model) -> Option<String> {
    let row = model.forwards.rows.first()?;
    (row.state == ForwardState::Active)
        .then(|| row.pod.clone())
        .flatten()
}

/// The pod's own answer through the forward on this local port.
async fn hello_through(port: u16) -> String {
    let answer = common::http_get(port, "/").await.expect("an answer");
    answer.lines().last().unwrap_or_default().trim().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_forward_moves_to_another_pod_and_a_kept_one_starts_again() {
    let sim = common::sim_with_cookbook(11).await;
    let client = common::sim_client(&sim).await;
    two_pods_behind_a_service(&client).await;
    let pods: kube::Api<Pod> = kube::Api::namespaced(client.clone(), "default");

    let mut cockpit = Cockpit::on(&sim);
    cockpit
        .until("two running pods and the Service", |m| {
            running_pods(m).len() == 2
                && m.kube.services.iter().any(|s| s.name == "cookbook-recipe")
        })
        .await;
    cockpit.keys("7/cookbook-recipe\n");
    cockpit.keys("F");
    let port = common::free_port();
    cockpit.replace_field(&port.to_string());
    assert!(
        matches!(&cockpit.model.shared.overlay, Overlay::Form(f) if f.value(1) == "80"),
        "the Service's port is proposed"
    );
    cockpit.key(KeyCode::Enter);
    cockpit
        .until("the forward reaching a pod", |m| reaching(m).is_some())
        .await;
    let first = reaching(&cockpit.model).expect("a pod");
    assert_eq!(
        hello_through(port).await,
        format!("Hello from {first} running cookbook:latest"),
        "the named targetPort leads to the pod's port 8000"
    );
    assert_eq!(
        cockpit.history_lines().last().copied(),
        Some(
            format!(
                "kubectl port-forward svc/cookbook-recipe {port}:80 -n default --address 127.0.0.1"
            )
            .as_str()
        )
    );

    // The pod it reaches is deleted: the forward moves to the other one and says so.
    pods.delete(&first, &Default::default())
        .await
        .expect("pod deleted");
    cockpit
        .until("the forward on another pod", |m| {
            reaching(m).is_some_and(|pod| pod != first)
        })
        .await;
    let second = reaching(&cockpit.model).expect("a pod");
    let status = cockpit
        .model
        .shared
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default();
    assert!(
        status.contains(&format!("now reaches pod {second}")) && status.contains(&first),
        "{status}"
    );
    assert_eq!(
        hello_through(port).await,
        format!("Hello from {second} running cookbook:latest")
    );
    cockpit
        .until("two connections counted, bytes both ways", |m| {
            let stats = m.forwards.rows[0].stats;
            stats.total >= 2 && stats.bytes_in > 0 && stats.bytes_out > 0
        })
        .await;

    // Kept in the app's pilothouse.toml.
    cockpit.keys("P");
    assert_eq!(cockpit.model.shared.pane, Pane::Forwards);
    cockpit.keys("K");
    cockpit
        .until_event(
            "pilothouse.toml written",
            |e| {
                matches!(
                    e,
                    Event::Forward(pilothouse::app::core::event::ForwardEvent::Saved(Ok(_)))
                )
            },
            |_| true,
        )
        .await;
    let settings =
        std::fs::read_to_string(sim.sample_app.join("pilothouse.toml")).expect("the settings");
    assert!(
        settings.contains("[[forward]]") && settings.contains("target = \"svc/cookbook-recipe\""),
        "{settings}"
    );
    assert!(
        settings.contains("[cloudrun]"),
        "the other tables stay: {settings}"
    );
    drop(cockpit);
    // Its listener is gone with its cockpit.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
    );

    let mut again = Cockpit::on(&sim);
    again.send(Event::Tick(std::time::SystemTime::now()));
    again
        .until("the kept forward started and reaching a pod", |m| {
            reaching(m).is_some() && m.forwards.rows[0].kept
        })
        .await;
    assert_eq!(
        hello_through(port).await,
        format!("Hello from {second} running cookbook:latest")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pod_forward_stops_when_its_pod_is_gone() {
    let sim = common::sim_with_cookbook(12).await;
    let client = common::sim_client(&sim).await;
    let pods: kube::Api<Pod> = kube::Api::namespaced(client.clone(), "default");
    common::running_pod(
        &pods,
        "web",
        serde_json::json!({"ports": [{"containerPort": 8000}]}),
    )
    .await;
    let mut cockpit = Cockpit::on(&sim);
    cockpit
        .until("the pod listed", |m| {
            m.kube.pods.iter().any(|p| p.name == "web")
        })
        .await;
    cockpit.keys("6/web\n");
    cockpit.keys("F");
    // A pod's row carries no ports: the remote field is asked first.
    cockpit.replace_field("8000");
    cockpit.key(KeyCode::Tab);
    let port = common::free_port();
    cockpit.replace_field(&port.to_string());
    assert!(
        matches!(&cockpit.model.shared.overlay, Overlay::Form(f) if f.value(0) == port.to_string() && f.value(1) == "8000"),
        "{:?}",
        cockpit.model.shared.overlay
    );
    cockpit.key(KeyCode::Enter);
    cockpit
        .until("the forward reaching web", |m| {
            reaching(m).as_deref() == Some("web")
        })
        .await;
    assert_eq!(
        hello_through(port).await,
        "Hello from web running cookbook:latest"
    );
    // A port the pod does not declare: the kubelet's word reaches the status line.
    cockpit.keys("6F");
    cockpit.replace_field("9999");
    cockpit.key(KeyCode::Tab);
    let closed = common::free_port();
    cockpit.replace_field(&closed.to_string());
    cockpit.key(KeyCode::Enter);
    cockpit
        .until("the second forward reaching web", |m| {
            m.forwards.rows.len() == 2 && m.forwards.rows[1].state == ForwardState::Active
        })
        .await;
    {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", closed))
            .await
            .expect("the forward listens");
        let _ = stream.write_all(b"GET / HTTP/1.0\r\n\r\n").await;
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer).await;
        assert!(answer.is_empty(), "nothing answers on 9999");
    }
    cockpit
        .until("the kubelet's refusal in the status line", |m| {
            m.shared.status.as_ref().is_some_and(|s| {
                s.text.contains(&format!(
                    "127.0.0.1:{closed} -> pod/web: error forwarding port 9999 to pod web"
                ))
            })
        })
        .await;
    pods.delete("web", &Default::default())
        .await
        .expect("pod deleted");
    cockpit
        .until("the forward ended", |m| {
            matches!(&m.forwards.rows[0].state, ForwardState::Ended(why) if why == "its pod is gone")
        })
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err(),
        "the local port is free again"
    );
}
