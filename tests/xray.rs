//! The relationships view against the simulated cluster, with objects made
//! by the real kubectl: the sample app after a rollout (one Deployment, two
//! ReplicaSets, three pods, one Service) as the kube source reports it, its
//! ownerReferences followed; a hand-made pod whose label is one letter off,
//! shown as the Service's near miss; and the tree following a pod's deletion.

mod common;

use common::cockpit::Cockpit;
use common::kubectl::Kubectl;
use pilothouse::app::core::model::{Model, Overlay};
use pilothouse::app::kube::xray::{self, XrayLine};

const MANIFEST: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: site, image: "cookbook:latest", imagePullPolicy: Never}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 8000}]
---
apiVersion: v1
kind: Pod
metadata: {name: stray, labels: {app: wbe}}
spec:
  containers: [{name: site, image: "cookbook:latest", imagePullPolicy: Never}]
"#;

fn tree(m: &Model) -> Vec<String> {
    let Overlay::Xray(view) = &m.shared.overlay else {
        return Vec::new();
    };
    xray::tree(&m.kube, &view.root, m.engines())
        .iter()
        .map(|l: &XrayLine| format!("{}{}  {}", l.prefix, l.label, l.detail))
        .collect()
}

fn ready_pods_of_revision_2(lines: &[String]) -> usize {
    lines
        .iter()
        .skip_while(|l| !l.contains("revision 2 (current)"))
        .skip(1)
        .take_while(|l| !l.contains("replicaset/"))
        .filter(|l| l.contains("pod/web-") && l.contains("Running · 1/1 ready"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sample_app_after_a_rollout_hangs_together_as_the_cluster_says() {
    let test = "the_sample_app_after_a_rollout_hangs_together_as_the_cluster_says";
    if !common::cli_available(test, "kubectl", &["version", "--client"]) {
        return;
    }
    let sim = common::sim_with_cookbook(11).await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let manifest = dir.path().join("web.yaml");
    std::fs::write(&manifest, MANIFEST).expect("the manifest is written");
    let kubectl = Kubectl::new(sim.kubeconfig_path.display().to_string());
    let kubectl = tokio::task::spawn_blocking(move || {
        kubectl.ok(&["apply", "-f", &manifest.display().to_string()]);
        kubectl.ok(&["rollout", "status", "deployment/web", "--timeout=20s"]);
        // A new template: a second ReplicaSet, revision 2.
        kubectl.ok(&["set", "env", "deployment/web", "GREETING=hello"]);
        kubectl.ok(&["rollout", "status", "deployment/web", "--timeout=20s"]);
        kubectl
    })
    .await
    .expect("kubectl");

    let mut cockpit = Cockpit::on(&sim);
    cockpit
        .until("web listed", |m| {
            m.kube.deployments.iter().any(|d| d.name == "web")
        })
        .await;
    cockpit.keys("5/web\nt");
    cockpit
        .until(
            "the tree of web with three ready pods in revision 2, the old ones gone",
            |m| {
                let lines = tree(m);
                ready_pods_of_revision_2(&lines) == 3 && lines.len() == 10
            },
        )
        .await;
    let lines = tree(&cockpit.model);
    assert_eq!(
        lines[0], "deployment/web  3/3 ready · selector app=web",
        "{lines:#?}"
    );
    assert!(
        lines[1].starts_with("├─ replicaset/web-")
            && lines[1].contains("revision 2 (current) · 3/3 ready · cookbook:latest"),
        "{lines:#?}"
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains("container site  cookbook:latest · running"))
            .count(),
        3,
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("replicaset/web-") && l.contains("revision 1 · 0/0 ready")),
        "{lines:#?}"
    );
    assert_eq!(
        lines.last().map(String::as_str),
        Some("└─ service/web  ClusterIP · selects these pods (3 ready) · 8000/TCP"),
        "{lines:#?}"
    );
    assert_eq!(
        lines.len(),
        10,
        "the stray pod is not in web's tree: {lines:#?}"
    );
    let screen = cockpit.screen(120);
    assert!(
        screen.contains("deployment/web -n default · how it hangs together"),
        "{screen}"
    );

    // A pod deleted: its ReplicaSet replaces it and the tree shows it without asking.
    let gone = lines
        .iter()
        .find_map(|l| l.split("pod/").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("a pod line")
        .to_string();
    let name = gone.clone();
    let kubectl = tokio::task::spawn_blocking(move || {
        kubectl.ok(&["delete", "pod", &name, "--wait=false"]);
        kubectl
    })
    .await
    .expect("kubectl delete");
    cockpit
        .until(
            "the deleted pod gone from the tree and its replacement ready",
            |m| {
                let lines = tree(m);
                !lines.iter().any(|l| l.contains(&gone))
                    && ready_pods_of_revision_2(&lines) == 3
                    && lines.len() == 10
            },
        )
        .await;

    // The Service's tree: its three pods, and the stray pod one letter off.
    cockpit.key(crossterm::event::KeyCode::Esc);
    cockpit.keys("7/web\nt");
    cockpit
        .until("the Service's tree", |m| {
            tree(m)
                .iter()
                .filter(|l| l.contains("ready, serves"))
                .count()
                == 3
        })
        .await;
    let lines = tree(&cockpit.model);
    assert_eq!(
        lines[0], "service/web  ClusterIP · 8000/TCP · selector app=web",
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l == "└─ pod/stray  not selected: has app=wbe, the selector wants app=web"),
        "{lines:#?}"
    );
    drop(kubectl);
}
