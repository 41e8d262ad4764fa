//! pilothouse's Kubernetes source against the simulated cluster: it reports
//! the cluster, and its watchers keep the rows of every Kubernetes pane live.

mod common;

use pilothouse::app::core::event::{Event, KubeEvent};
use pilothouse::app::core::keyed::{KeyedRows, RowsUpdate};
use pilothouse::app::core::table::{TableRow, TableState};
use pilothouse::cli::SimArgs;
use pilothouse::sim::Sim;
use pilothouse::sources::kube::KubeSource;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kube_source_fills_every_kubernetes_pane_from_the_sim() {
    // Plain HTTP: the changes below are written raw (the cockpit's tests reach it over HTTPS).
    let sim = Sim::start(&SimArgs {
        pod_start_ms: 100,
        plain_http: true,
        ..Default::default()
    })
    .await
    .expect("the sim starts");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let source = tokio::spawn(
        KubeSource {
            kubeconfig: Some(sim.kubeconfig_path.clone()),
            context: None,
            events: tx,
            client: tokio::sync::watch::channel(None).0,
        }
        .run(),
    );
    let info = common::next_matching(&mut rx, "Connected", |e| match e {
        Event::Kube(KubeEvent::Connected(info)) => Some(info),
        _ => None,
    })
    .await;
    assert_eq!(
        (info.context.as_str(), info.version.as_str(), info.nodes),
        ("pilothouse-sim", "v1.33.1", 1)
    );
    let pods = common::next_matching(&mut rx, "the seeded pods", |e| match e {
        Event::Kube(KubeEvent::Pods(RowsUpdate::All(rows))) if rows.len() >= 7 => Some(rows),
        _ => None,
    })
    .await;
    assert!(pods.iter().any(|p| p.name == "etcd-minikube"
        && p.status == "Running"
        && p.namespace == "kube-system"));
    // A change through the API reaches the panes by watch: a deployment, its pods (never-pull), a service, events.
    let manifest = include_str!("../assets/cookbook/cookbook-deployment.yaml");
    let port: u16 = sim
        .kube
        .url
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    let (status, body) = common::http_request(
        port,
        "PATCH",
        "/apis/apps/v1/namespaces/default/deployments/cookbook-recipe?fieldManager=test",
        "application/apply-patch+yaml",
        manifest.as_bytes(),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let service = r#"{"metadata":{"name":"cookbook-recipe"},"spec":{"type":"LoadBalancer","selector":{"app":"cookbook-recipe"},"ports":[{"port":8000}]}}"#;
    let (status, body) = common::http_request(
        port,
        "POST",
        "/api/v1/namespaces/default/services",
        "application/json",
        service.as_bytes(),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    // Events arrive per kind, in any order: keep the latest rows of each until all are there.
    // A full list replaces a kind's rows; a watch batch changes them row by row.
    let (mut deployments, mut pods, mut services, mut events) = (
        KeyedRows::default(),
        KeyedRows::default(),
        KeyedRows::default(),
        KeyedRows::default(),
    );
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let done = deployments
            .iter()
            .any(|d: &pilothouse::domain::kube::DeploymentRow| {
                d.name == "cookbook-recipe" && d.desired == 1
            })
            && pods.iter().any(|p: &pilothouse::domain::kube::PodRow| {
                p.name.starts_with("cookbook-recipe-")
                    && p.status == "ErrImageNeverPull"
                    && p.is_failing()
            })
            && services
                .iter()
                .any(|s: &pilothouse::domain::kube::ServiceRow| {
                    s.name == "cookbook-recipe"
                        && s.kind == "LoadBalancer"
                        && s.external_ip == "<pending>"
                        && s.ports.starts_with("8000:3")
                })
            && events.iter().any(|e: &pilothouse::domain::kube::EventRow| {
                e.warning
                    && e.reason == "ErrImageNeverPull"
                    && e.object.starts_with("pod/cookbook-recipe-")
            });
        if done {
            break;
        }
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(Event::Kube(KubeEvent::Deployments(update)))) => {
                merge(&mut deployments, update)
            }
            Ok(Some(Event::Kube(KubeEvent::Pods(update)))) => merge(&mut pods, update),
            Ok(Some(Event::Kube(KubeEvent::Services(update)))) => merge(&mut services, update),
            Ok(Some(Event::Kube(KubeEvent::Events(update)))) => merge(&mut events, update),
            Ok(Some(_)) => {}
            other => panic!(
                "the panes never filled ({other:?}): {deployments:?} {pods:?} {services:?} {events:?}"
            ),
        }
    }
    source.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_kubeconfig_is_one_clear_state() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let missing = dir.path().join("no-such-kubeconfig");
    let source = tokio::spawn(
        KubeSource {
            kubeconfig: Some(missing),
            context: None,
            events: tx,
            client: tokio::sync::watch::channel(None).0,
        }
        .run(),
    );
    let reason = common::next_matching(&mut rx, "Unavailable", |e| match e {
        Event::Kube(KubeEvent::Unavailable(reason)) => Some(reason),
        _ => None,
    })
    .await;
    assert!(reason.contains("no-such-kubeconfig"), "{reason}");
    // And it does not repeat itself every second.
    let again = tokio::time::timeout(std::time::Duration::from_secs(2), rx.recv()).await;
    assert!(again.is_err(), "nothing more within 2 s: {again:?}");
    source.abort();
}

fn merge<R: TableRow>(rows: &mut KeyedRows<R>, update: RowsUpdate<R>) {
    match update {
        RowsUpdate::All(all) => *rows = all.into(),
        RowsUpdate::Changed(changes) => {
            rows.apply(changes, &mut TableState::default(), |_| true, 0);
        }
    }
}
