//! Why it is not ready, against the simulated cluster: each state a learner
//! meets is produced there with the real kubectl (an image the cluster's
//! engine lacks, one no registry has, a container that exits, a request no
//! node can hold, a rollout past its deadline, a Service selecting nothing),
//! kubectl itself sees it as on a real cluster, and the cockpit's reason
//! line under the selected row names it and the next step.

mod common;

use common::cockpit::Cockpit;
use common::kubectl::Kubectl;
use pilothouse::app::core::model::Model;
use pilothouse::cli::SimArgs;
use pilothouse::sim::Sim;

const MANIFEST: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: never}
spec:
  progressDeadlineSeconds: 2
  selector: {matchLabels: {app: never}}
  template:
    metadata: {labels: {app: never}}
    spec:
      containers: [{name: app, image: "missing:1", imagePullPolicy: Never}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: pull}
spec:
  selector: {matchLabels: {app: pull}}
  template:
    metadata: {labels: {app: pull}}
    spec:
      containers: [{name: app, image: "registry.example/team/pull:1", imagePullPolicy: IfNotPresent}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: crasher}
spec:
  selector: {matchLabels: {app: crasher}}
  template:
    metadata: {labels: {app: crasher}}
    spec:
      containers: [{name: app, image: "crasher:1", imagePullPolicy: Never}]
---
apiVersion: v1
kind: Pod
metadata: {name: big, labels: {app: big}}
spec:
  containers: [{name: app, image: "crasher:1", imagePullPolicy: Never, command: ["python", "app.py"], resources: {requests: {cpu: "8"}}}]
---
apiVersion: v1
kind: Service
metadata: {name: lonely}
spec:
  selector: {app: crasherr}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: crashing}
spec:
  selector: {app: crasher}
  ports: [{port: 80}]
"#;

/// Filter the pane in view down to `name` and return its reason line once
/// `done` holds for it.
async fn reason_of(
    cockpit: &mut Cockpit,
    pane: char,
    name: &str,
    done: impl Fn(&str) -> bool,
) -> String {
    cockpit.keys(&format!("{pane}/"));
    cockpit.key(crossterm::event::KeyCode::Esc);
    cockpit.keys(&format!("/{name}\n"));
    let line = |m: &Model| {
        pilothouse::layout::diagnosis(m)
            .map(|d| d.line())
            .unwrap_or_default()
    };
    cockpit
        .until(&format!("the reason line of {name}"), |m| done(&line(m)))
        .await;
    line(&cockpit.model)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_not_ready_state_is_produced_in_the_sim_and_named_with_its_next_step() {
    let test = "each_not_ready_state_is_produced_in_the_sim_and_named_with_its_next_step";
    if !common::cli_available(test, "kubectl", &["version", "--client"]) {
        return;
    }
    let sim = Sim::start(&SimArgs::default())
        .await
        .expect("the sim starts");
    let context = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(
        context.path().join("Dockerfile"),
        "FROM scratch\nCMD [\"sh\", \"-c\", \"echo loading config; echo config.yaml not found; exit 3\"]\n",
    )
    .expect("the Dockerfile is written");
    common::build_on_sim(&sim, context.path().to_path_buf(), "crasher:1").await;
    let manifest = context.path().join("broken.yaml");
    std::fs::write(&manifest, MANIFEST).expect("the manifest is written");
    let kubectl = Kubectl::new(sim.kubeconfig_path.display().to_string());
    let kubectl = tokio::task::spawn_blocking(move || {
        kubectl.ok(&["apply", "-f", &manifest.display().to_string()]);
        kubectl
    })
    .await
    .expect("kubectl apply");

    let mut cockpit = Cockpit::on(&sim);
    // The pod's status can come a moment after its event: wait for the status's own line.
    let missing = reason_of(&mut cockpit, '6', "never-", |l| {
        l.contains("is not in the cluster's engine")
    })
    .await;
    assert_eq!(
        missing,
        "ErrImageNeverPull · missing:1 is not in the cluster's engine: press e (docker-env), then b"
    );
    let pull = reason_of(&mut cockpit, '6', "pull-", |l| {
        l.starts_with("ImagePullBackOff") && l.contains("check the image's")
    })
    .await;
    assert!(
        pull.contains("Failed to pull image \"registry.example/team/pull:1\"")
            && pull.contains("check the image's name and tag"),
        "{pull}"
    );
    let crash = reason_of(&mut cockpit, '6', "crasher-", |l| {
        l.starts_with("CrashLoopBackOff") && l.contains("it last wrote")
    })
    .await;
    assert!(
        crash.contains("app exited with code 3, restarted")
            && crash.contains("it last wrote: loading config | config.yaml not found")
            && crash.ends_with("press l for its log (p there: the run before)"),
        "{crash}"
    );
    let big = reason_of(&mut cockpit, '6', "big", |l| l.starts_with("Unschedulable")).await;
    assert!(
        big.contains("0/1 nodes are available: 1 Insufficient cpu.")
            && big.contains("ask for less"),
        "{big}"
    );
    let stuck = reason_of(&mut cockpit, '5', "never", |l| {
        l.starts_with("Rollout stuck")
    })
    .await;
    assert!(
        stuck.contains("has timed out progressing. Next step: never-")
            && stuck.contains("ErrImageNeverPull · press e (docker-env), then b"),
        "{stuck}"
    );
    let lonely = reason_of(&mut cockpit, '7', "lonely", |l| !l.is_empty()).await;
    assert!(
        lonely.starts_with(
            "No endpoints · selector app=crasherr matches no ready pod: no pod matches it ("
        ) && lonely.contains(" has app="),
        "{lonely}"
    );
    let crashing = reason_of(&mut cockpit, '7', "crashing", |l| !l.is_empty()).await;
    assert!(
        crashing.starts_with(
            "No endpoints · selector app=crasher matches no ready pod (1 matched, none ready): crasher-"
        ) && crashing.contains("CrashLoopBackOff · app exited with code 3"),
        "{crashing}"
    );

    // The real kubectl sees the same states as on a real cluster.
    tokio::task::spawn_blocking(move || {
        let previous = kubectl.ok(&["logs", "--previous", "deployment/crasher"]);
        assert_eq!(previous.trim(), "loading config\nconfig.yaml not found");
        let (ok, status) = kubectl.run(&["rollout", "status", "deployment/never", "--timeout=5s"]);
        assert!(
            !ok && status.contains("exceeded its progress deadline"),
            "{status}"
        );
        let reason = kubectl.ok(&[
            "get",
            "pod",
            "big",
            "-o",
            "jsonpath={.status.conditions[0].reason}",
        ]);
        assert_eq!(reason, "Unschedulable");
        let events = kubectl.ok(&[
            "get",
            "events",
            "--field-selector",
            "reason=FailedScheduling",
        ]);
        assert!(
            events.contains("default-scheduler") || events.contains("pod/big"),
            "{events}"
        );
    })
    .await
    .expect("kubectl's view");
}
