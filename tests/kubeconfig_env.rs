//! KUBECONFIG naming several files, as kubectl merges them: the clusters and
//! users in one file, the context in another. The only test in this binary,
//! because it sets the process environment.

mod common;

use pilothouse::app::kube::state::KubeConnection;
use pilothouse::cli::SimArgs;
use pilothouse::sim::Sim;
use pilothouse::sources::kube::KubeSource;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubeconfig_files_named_by_kubeconfig_are_merged() {
    let sim = Sim::start(&SimArgs::default())
        .await
        .expect("the sim starts");
    let (cluster, user) = (common::sim_cluster(&sim), common::sim_admin_user(&sim));
    let dir = tempfile::tempdir().expect("temp dir");
    let clusters = dir.path().join("clusters");
    let contexts = dir.path().join("contexts");
    std::fs::write(
        &clusters,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: sim\n  cluster:\n{cluster}users:\n- name: u\n{user}"
        ),
    )
    .expect("write");
    std::fs::write(
        &contexts,
        "apiVersion: v1\nkind: Config\ncurrent-context: merged\ncontexts:\n- name: merged\n  context:\n    cluster: sim\n    user: u\n",
    )
    .expect("write");
    let joined = std::env::join_paths([&contexts, &clusters]).expect("paths join");
    // SAFETY: the only test in this binary; nothing else reads the environment concurrently yet.
    unsafe { std::env::set_var("KUBECONFIG", &joined) };

    let (tx, mut rx) = mpsc::unbounded_channel();
    let (client_tx, _client_rx) = watch::channel(None);
    let source = tokio::spawn(
        KubeSource {
            kubeconfig: None,
            context: None,
            events: tx,
            client: client_tx,
        }
        .run(),
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let mut model = pilothouse::app::Model::new(".".into(), false, std::time::SystemTime::now());
    loop {
        let event = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("connected in time")
            .expect("events flow");
        pilothouse::app::update(&mut model, event);
        if let KubeConnection::Connected(info) = &model.kube.connection {
            assert_eq!(info.context, "merged");
            assert_eq!(info.server, sim.kube.url.trim_end_matches('/'));
            break;
        }
    }
    source.abort();
}
