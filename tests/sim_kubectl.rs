//! Real `kubectl` against the simulated cluster: the walkthrough's
//! Kubernetes steps, as a learner would type them.

mod common;

use common::kubectl::Kubectl;

use pilothouse::cli::SimArgs;
use pilothouse::sim::Sim;
use std::collections::HashSet;
use std::time::{Duration, Instant};

const MANIFEST: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/cookbook/cookbook-deployment.yaml"
);

fn kubectl_available(test: &str) -> bool {
    common::cli_available(test, "kubectl", &["version", "--client"])
}

fn sim_args() -> SimArgs {
    SimArgs {
        seed: 7,
        ..Default::default()
    }
}

fn node_port(services: &str) -> u16 {
    let line = services
        .lines()
        .find(|l| l.starts_with("cookbook-recipe"))
        .expect("the service is listed");
    let ports = line
        .split_whitespace()
        .find(|w| w.starts_with("8000:"))
        .expect("8000:<nodePort>/TCP");
    ports
        .trim_start_matches("8000:")
        .trim_end_matches("/TCP")
        .parse()
        .expect("a nodePort")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_runs_the_kubernetes_walkthrough() {
    let test = "kubectl_runs_the_kubernetes_walkthrough";
    if !kubectl_available(test) {
        return;
    }
    let sim = Sim::start(&sim_args()).await.expect("the sim starts");
    common::build_cookbook(&sim).await;
    let kubectl = Kubectl::new(sim.kubeconfig_path.display().to_string());
    let (kubectl, port) = tokio::task::spawn_blocking(move || {
        let nodes = kubectl.ok(&["get", "nodes"]);
        assert!(
            nodes.contains("minikube")
                && nodes.contains("Ready")
                && nodes.contains("control-plane"),
            "{nodes}"
        );
        assert!(
            kubectl
                .ok(&["apply", "--server-side", "-f", MANIFEST])
                .contains("deployment.apps/cookbook-recipe serverside-applied")
        );
        let deployments =
            kubectl.until(&["get", "deployments"], "READY 1/1", |t| t.contains("1/1"));
        let row = deployments
            .lines()
            .find(|l| l.starts_with("cookbook-recipe"))
            .expect("row");
        let cells: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(
            &cells[1..4],
            ["1/1", "1", "1"],
            "READY, UP-TO-DATE, AVAILABLE: {deployments}"
        );
        let exposed = kubectl.ok(&[
            "expose",
            "deployment",
            "cookbook-recipe",
            "--type=LoadBalancer",
            "--port=8000",
        ]);
        assert!(
            exposed.contains("service/cookbook-recipe exposed"),
            "{exposed}"
        );
        let services = kubectl.ok(&["get", "svc"]);
        assert!(
            services.contains("<pending>") && services.contains("LoadBalancer"),
            "{services}"
        );
        let port = node_port(&services);
        assert!((30000..=32767).contains(&port));
        (kubectl, port)
    })
    .await
    .expect("kubectl steps");
    let answer = common::http_get(port, "/")
        .await
        .expect("the nodePort answers");
    assert!(answer.contains("Hello from cookbook-recipe-"), "{answer}");
    let first_pod = answer.lines().last().unwrap_or("").to_string();
    let kubectl = tokio::task::spawn_blocking(move || {
        assert!(
            kubectl
                .ok(&["scale", "--replicas=3", "deployment/cookbook-recipe"])
                .contains("deployment.apps/cookbook-recipe scaled")
        );
        let rollout = kubectl.ok(&[
            "rollout",
            "status",
            "deployment/cookbook-recipe",
            "--timeout=30s",
        ]);
        assert!(rollout.contains("successfully rolled out"), "{rollout}");
        kubectl.until(&["get", "deployments"], "READY 3/3", |t| t.contains("3/3"));
        kubectl
    })
    .await
    .expect("kubectl steps");
    let mut names = HashSet::new();
    for _ in 0..9 {
        let answer = common::http_get(port, "/")
            .await
            .expect("the nodePort answers");
        names.insert(answer.lines().last().unwrap_or("").to_string());
    }
    assert_eq!(
        names.len(),
        3,
        "three pods answer in turn: {names:?} (first: {first_pod})"
    );
    tokio::task::spawn_blocking(move || {
        let logs = kubectl.ok(&["logs", "deployment/cookbook-recipe"]);
        assert!(logs.contains("started cookbook:latest"), "{logs}");
        let events = kubectl.ok(&["get", "events"]);
        for reason in [
            "ScalingReplicaSet",
            "SuccessfulCreate",
            "Scheduled",
            "Pulled",
            "Started",
        ] {
            assert!(events.contains(reason), "{reason} in:\n{events}");
        }
        assert!(
            kubectl
                .ok(&["delete", "deployment", "cookbook-recipe"])
                .contains("deleted")
        );
        kubectl.until(&["get", "pods"], "no pods left", |t| {
            t.contains("No resources found")
        });
        assert!(
            kubectl
                .ok(&["delete", "svc", "cookbook-recipe"])
                .contains("deleted")
        );
    })
    .await
    .expect("kubectl steps");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_sees_never_pull_and_apply_conflicts_as_on_minikube() {
    let test = "kubectl_sees_never_pull_and_apply_conflicts_as_on_minikube";
    if !kubectl_available(test) {
        return;
    }
    let sim = Sim::start(&sim_args()).await.expect("the sim starts");
    let kubectl = Kubectl::new(sim.kubeconfig_path.display().to_string());
    let kubectl = tokio::task::spawn_blocking(move || {
        kubectl.ok(&["apply", "--server-side", "-f", MANIFEST]);
        // The image was never built on the sim's engine: as on minikube with imagePullPolicy: Never.
        kubectl.until(&["get", "pods"], "ErrImageNeverPull", |t| {
            t.contains("ErrImageNeverPull")
        });
        kubectl.ok(&["scale", "--replicas=2", "deployment/cookbook-recipe"]);
        let (ok, conflict) = kubectl.run(&["apply", "--server-side", "-f", MANIFEST]);
        assert!(
            !ok && conflict.contains("conflict with \"kubectl\": .spec.replicas"),
            "{conflict}"
        );
        assert!(
            kubectl
                .ok(&[
                    "apply",
                    "--server-side",
                    "--force-conflicts",
                    "-f",
                    MANIFEST
                ])
                .contains("serverside-applied")
        );
        kubectl
    })
    .await
    .expect("kubectl steps");
    // The image appears on the engine: the pods start by themselves, as the kubelet retries.
    common::build_cookbook(&sim).await;
    tokio::task::spawn_blocking(move || {
        kubectl.until(&["get", "deployments"], "READY 1/1", |t| t.contains("1/1"));
    })
    .await
    .expect("kubectl steps");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_logs_by_label_reads_every_pod_of_the_deployment() {
    let test = "kubectl_logs_by_label_reads_every_pod_of_the_deployment";
    if !kubectl_available(test) {
        return;
    }
    let sim = Sim::start(&sim_args()).await.expect("the sim starts");
    common::build_cookbook(&sim).await;
    let kubectl = Kubectl::new(sim.kubeconfig_path.display().to_string());
    tokio::task::spawn_blocking(move || {
        kubectl.ok(&["apply", "--server-side", "-f", MANIFEST]);
        kubectl.ok(&["scale", "--replicas=2", "deployment/cookbook-recipe"]);
        kubectl.until(&["get", "deployments"], "READY 2/2", |t| t.contains("2/2"));
        let pods = kubectl.ok(&["get", "pods", "-l", "app=cookbook-recipe", "-o", "name"]);
        let logs = kubectl.ok(&["logs", "-l", "app=cookbook-recipe", "--prefix"]);
        for pod in pods.lines() {
            let name = pod.trim_start_matches("pod/");
            assert!(
                logs.contains(&format!(
                    "[{pod}/cookbook-recipe] [pilothouse sim] {name} started cookbook:latest"
                )),
                "{name} in:\n{logs}"
            );
        }
        assert_eq!(pods.lines().count(), 2, "{pods}");
    })
    .await
    .expect("the kubectl steps");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_logs_since_leaves_out_older_lines() {
    let test = "kubectl_logs_since_leaves_out_older_lines";
    if !kubectl_available(test) {
        return;
    }
    let sim = Sim::start(&SimArgs {
        pods: 1,
        ..sim_args()
    })
    .await
    .expect("the sim starts");
    let now = pilothouse::sim::clock::now_nanos();
    let minute = 60 * 1_000_000_000i128;
    let preloaded = || {
        let store = sim.kube.shared.store.lock().expect("the store");
        store.list("pods", Some("load")).first().map(|pod| {
            let field = |f: &str| {
                pod["metadata"][f]
                    .as_str()
                    .expect("uid and name")
                    .to_string()
            };
            (field("uid"), field("name"))
        })
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    let (uid, name) = loop {
        if let Some(pod) = preloaded() {
            break pod;
        }
        assert!(Instant::now() < deadline, "the preloaded pod never came");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let pod_name = {
        let mut store = sim.kube.shared.store.lock().expect("the store");
        store.append_pod_log_at(&uid, now - 30 * minute, "half an hour ago".into());
        store.append_pod_log_at(&uid, now - 8 * minute, "eight minutes ago".into());
        store.append_pod_log_at(&uid, now - minute / 2, "just now".into());
        name
    };
    let since_time = pilothouse::sim::clock::rfc3339(((now - 10 * minute) / 1_000_000_000) as i64);
    let kubectl = Kubectl::new(sim.kubeconfig_path.display().to_string());
    tokio::task::spawn_blocking(move || {
        let pod = pod_name.as_str();
        let all = kubectl.ok(&["logs", pod, "-n", "load"]);
        assert!(
            all.contains("half an hour ago") && all.contains("just now"),
            "{all}"
        );
        let recent = kubectl.ok(&["logs", pod, "-n", "load", "--since=5m"]);
        assert!(recent.contains("just now"), "{recent}");
        assert!(!recent.contains("eight minutes ago"), "{recent}");
        let by_time = kubectl.ok(&[
            "logs",
            pod,
            "-n",
            "load",
            &format!("--since-time={since_time}"),
        ]);
        assert!(
            by_time.contains("eight minutes ago") && by_time.contains("just now"),
            "{by_time}"
        );
        assert!(!by_time.contains("half an hour ago"), "{by_time}");
        let stamped = kubectl.ok(&["logs", pod, "-n", "load", "--since=5m", "--timestamps"]);
        let first = stamped.lines().next().unwrap_or_default();
        let (stamp, text) = first.split_once(' ').expect("a stamp and the line");
        assert_eq!(text, "just now", "{stamped}");
        assert!(
            stamp.len() == "2026-11-27T10:00:00.000000000Z".len() && stamp.ends_with('Z'),
            "{stamped}"
        );
        let (refused, why) = kubectl.run(&[
            "logs",
            pod,
            "-n",
            "load",
            "--since=5m",
            &format!("--since-time={since_time}"),
        ]);
        assert!(!refused, "both at once must be refused: {why}");
    })
    .await
    .expect("the kubectl steps");
}
