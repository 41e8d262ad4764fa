//! `:ns` and `:ctx` with the real kube source: the watchers move to another
//! namespace or context without a restart, and back. The kubeconfig has the
//! sim's context and one whose server does not answer.

mod common;

use common::cockpit::Cockpit;
use pilothouse::app::kube::state::KubeConnection;
use pilothouse::cli::SimArgs;
use pilothouse::sim::Sim;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ns_and_ctx_switch_the_watchers_at_runtime() {
    // Preloaded pods in `load` beside kube-system's: two namespaces to move between.
    let sim = Sim::start(&SimArgs {
        pods: 20,
        ..Default::default()
    })
    .await
    .expect("the sim starts");
    let (cluster, user) = (common::sim_cluster(&sim), common::sim_admin_user(&sim));
    let dir = tempfile::tempdir().expect("temp dir");
    let kubeconfig = dir.path().join("config");
    let nowhere = common::free_port();
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: pilothouse-sim\n\
             clusters:\n- name: sim\n  cluster:\n{cluster}- name: nowhere\n  cluster:\n    server: http://127.0.0.1:{nowhere}\n\
             contexts:\n- name: pilothouse-sim\n  context:\n    cluster: sim\n    user: u\n- name: elsewhere\n  context:\n    cluster: nowhere\n    user: u\n\
             users:\n- name: u\n{user}"
        ),
    )
    .expect("kubeconfig written");
    let mut cockpit = Cockpit::start(sim.docker.host(), &kubeconfig, sim.sample_app.clone());
    let namespaces = |m: &pilothouse::app::Model| {
        let mut seen: Vec<String> = m.kube.pods.iter().map(|p| p.namespace.clone()).collect();
        seen.sort();
        seen.dedup();
        seen
    };
    cockpit
        .until("pods of every namespace and both contexts listed", |m| {
            namespaces(m).len() > 1 && m.kube.contexts.len() == 2 && m.kube.namespaces.len() > 1
        })
        .await;
    cockpit.keys("6:ns kube-system\n");
    cockpit
        .until("only kube-system's pods", |m| {
            namespaces(m) == ["kube-system"]
                && matches!(m.kube.connection, KubeConnection::Connected(_))
        })
        .await;
    assert!(
        cockpit
            .screen(160)
            .lines()
            .next()
            .unwrap_or("")
            .contains("⎈ pilothouse-sim -n kube-system"),
        "{}",
        cockpit.screen(160)
    );
    cockpit.keys(":ns all\n");
    cockpit
        .until("every namespace again", |m| namespaces(m).len() > 1)
        .await;

    // Another context, through the picker (sorted; the current one selected): its server does not answer.
    cockpit.keys(":ctx\nk\n");
    cockpit
        .until("elsewhere: disconnected", |m| {
            matches!(&m.kube.connection, KubeConnection::Disconnected { reason, .. } if reason.contains(&nowhere.to_string()))
                && m.minikube.context.as_deref() == Some("elsewhere")
        })
        .await;
    assert!(
        cockpit.model.kube.pods.is_empty(),
        "the old context's rows are gone"
    );
    cockpit.keys(":ctx pilothouse-sim\n");
    cockpit
        .until("back on the sim", |m| {
            matches!(&m.kube.connection, KubeConnection::Connected(info) if info.context == "pilothouse-sim")
                && namespaces(m).len() > 1
        })
        .await;
}
