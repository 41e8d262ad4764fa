//! The built binary as a person uses it, in tmux: start, see the Containers
//! pane, build an image with keys, watch it appear in Images, quit; and the
//! terminal is restored (no alternate screen, cursor visible) after `q`,
//! Ctrl-C and SIGTERM.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::tmux::{Tmux, tmux_available};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn build_with_keys_then_quit_restores_the_terminal() {
    let test = "build_with_keys_then_quit_restores_the_terminal";
    if !tmux_available(test) {
        return;
    }
    let Some(docker) = common::engine(test).await else {
        return;
    };
    let root = tempfile::tempdir().expect("tempdir");
    let app_name = format!("phtmux-{}", std::process::id());
    let app = root.path().join(&app_name);
    std::fs::create_dir(&app).expect("app dir");
    common::busybox_context(&app, "tmux test");
    let tag = format!("{app_name}:latest");
    let outcome = std::panic::AssertUnwindSafe(async {
        let tmux = Tmux::start("build", &app, root.path());
        tmux.wait_for("Containers (", Duration::from_secs(15));
        tmux.wait_for("● docker", Duration::from_secs(15));
        tmux.keys(&["b"]);
        // The form shows the command line it stands for before anything runs
        // (waited for, not read from the first capture: a frame may be half drawn).
        let form = tmux.wait_for(&format!("docker build -t {tag} ."), Duration::from_secs(5));
        assert!(form.contains("Build an image"), "{form}");
        tmux.keys(&["Enter"]);
        tmux.wait_for(&format!("✓ build {tag}"), Duration::from_secs(60));
        tmux.keys(&["2"]);
        // A table row starts at the border; the status line also names the tag.
        let images = tmux.wait_for(&format!("│{app_name} "), Duration::from_secs(15));
        assert!(
            images.contains("┌ Images") && images.contains("REPOSITORY"),
            "{images}"
        );
        tmux.keys(&["q"]);
        tmux.wait_for("pilothouse-exited:0", Duration::from_secs(10));
        assert_eq!(
            tmux.modes(),
            "0 1",
            "alternate screen left and cursor visible"
        );
    });
    let result = futures::FutureExt::catch_unwind(outcome).await;
    common::clean_up(&docker, &[], &[&tag]).await;
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn ctrl_c_and_sigterm_restore_the_terminal() {
    let test = "ctrl_c_and_sigterm_restore_the_terminal";
    if !tmux_available(test) {
        return;
    }
    let root = tempfile::tempdir().expect("tempdir");
    let tmux = Tmux::start("ctrlc", root.path(), root.path());
    tmux.wait_for("Containers (", Duration::from_secs(15));
    assert_eq!(
        tmux.modes(),
        "1 0",
        "running: alternate screen on, cursor hidden"
    );
    tmux.keys(&["C-c"]);
    tmux.wait_for("pilothouse-exited:0", Duration::from_secs(10));
    assert_eq!(tmux.modes(), "0 1");
    drop(tmux);

    let tmux = Tmux::start("sigterm", root.path(), root.path());
    tmux.wait_for("Containers (", Duration::from_secs(15));
    let pid = tmux.program_pid();
    assert!(!pid.is_empty(), "found the program's pid");
    let status = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(status.success());
    tmux.wait_for("pilothouse-exited:0", Duration::from_secs(10));
    assert_eq!(tmux.modes(), "0 1");
}

/// `pilothouse --demo` on a machine with nothing: the sample app builds and runs
/// on the simulated engine, and its port answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_builds_and_runs_the_sample_app() {
    let test = "the_demo_builds_and_runs_the_sample_app";
    if !tmux_available(test) {
        return;
    }
    let root = tempfile::tempdir().expect("tempdir");
    let port = common::free_port();
    let tmux = Tmux::start_with("demo", root.path(), root.path(), "--demo");
    tmux.wait_for("DEMO", Duration::from_secs(15));
    tmux.wait_for("● docker 24.0.0-pilothouse-sim", Duration::from_secs(15));
    tmux.keys(&["b"]);
    tmux.wait_for("docker build -t cookbook:latest .", Duration::from_secs(5));
    tmux.keys(&["Enter"]);
    // The demo starts in learn mode: the command line first, then y runs it.
    let screen = tmux.wait_for("Learn mode: build cookbook:latest", Duration::from_secs(5));
    assert!(
        screen.contains("$ docker build -t cookbook:latest ."),
        "{screen}"
    );
    assert!(screen.contains(" LEARN "), "{screen}");
    tmux.keys(&["y"]);
    tmux.wait_for("✓ build cookbook:latest", Duration::from_secs(15));
    tmux.keys(&["2"]);
    tmux.wait_for("│cookbook ", Duration::from_secs(10));
    tmux.keys(&["r"]);
    // The image's EXPOSE 8000 is suggested; use a free host port instead.
    tmux.wait_for("8000:8000", Duration::from_secs(5));
    for _ in 0..9 {
        tmux.keys(&["BSpace"]);
    }
    tmux.keys(&[&format!("{port}:8000")]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("Learn mode: run cookbook:latest", Duration::from_secs(5));
    tmux.keys(&["y"]);
    tmux.wait_for("✓ run cookbook:latest", Duration::from_secs(10));
    // The History pane holds both, with their command lines.
    tmux.keys(&["0"]);
    let screen = tmux.wait_for("History [2]", Duration::from_secs(5));
    assert!(
        screen.contains(&format!(
            "docker run -d -p 127.0.0.1:{port}:8000 cookbook:latest"
        )),
        "{screen}"
    );
    let answer = common::http_get(port, "/")
        .await
        .expect("the demo container answers");
    assert!(answer.contains("Hello from "), "{answer}");
    tmux.keys(&["q"]);
    tmux.wait_for("pilothouse-exited:0", Duration::from_secs(10));
    assert_eq!(tmux.modes(), "0 1");
}

/// The Kubernetes half of the walkthrough in `--demo`, with keys: apply,
/// expose, scale to 3, open the Service; its URL answers from a pod.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_runs_the_kubernetes_walkthrough_with_keys() {
    let test = "the_demo_runs_the_kubernetes_walkthrough_with_keys";
    if !tmux_available(test) {
        return;
    }
    let root = tempfile::tempdir().expect("tempdir");
    // BROWSER=true: "opening" succeeds without a browser; the status line shows the URL.
    let tmux = Tmux::start_with("demo-kube", root.path(), root.path(), "--demo --learn off");
    let wait = Duration::from_secs(20);
    tmux.wait_for("⎈ pilothouse-sim", wait);
    tmux.keys(&["b"]);
    tmux.wait_for("docker build -t cookbook:latest .", wait);
    tmux.keys(&["Enter"]);
    tmux.wait_for("✓ build cookbook:latest", wait);
    tmux.keys(&["5", "a"]);
    tmux.wait_for(
        "kubectl apply --server-side -f cookbook-deployment.yaml",
        wait,
    );
    tmux.keys(&["Enter"]);
    tmux.wait_for("deployment.apps/cookbook-recipe serverside-applied", wait);
    // The applied deployment's row arrives by watch a moment after the job ends; act on it once it is there
    // (it is selected when it arrives; before that the selection is on coredns).
    tmux.keys(&["5"]);
    tmux.wait_for("│default        cookbook-recipe", wait);
    tmux.keys(&["x"]);
    tmux.wait_for("Expose a deployment", wait);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("service/cookbook-recipe exposed", wait);
    assert!(
        screen.contains(
            "$ kubectl expose deployment cookbook-recipe --type=LoadBalancer --port=8000 -n default"
        ),
        "{screen}"
    );
    tmux.keys(&["5", "s"]);
    tmux.wait_for("Scale a deployment", wait);
    tmux.keys(&["BSpace", "3", "Enter"]);
    let screen = tmux.wait_for("3/3", wait);
    assert!(screen.contains("cookbook-recipe"), "{screen}");
    tmux.keys(&["7", "o"]);
    let screen = tmux.wait_for("Opening http://127.0.0.1:", wait);
    let url = screen
        .lines()
        .find_map(|l| l.split("Opening ").nth(1))
        .expect("the URL")
        .trim()
        .to_string();
    let port: u16 = url
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("a port");
    let answer = common::http_get(port, "/")
        .await
        .expect("the Service answers");
    assert!(answer.contains("Hello from cookbook-recipe-"), "{answer}");
    tmux.keys(&["q"]);
    tmux.wait_for("pilothouse-exited:0", Duration::from_secs(10));
    assert_eq!(tmux.modes(), "0 1");
}

/// minikube as a user meets it: the stand-in `minikube` first on PATH, the
/// context a stopped profile; the header says so, M opens the menu, enter
/// starts it with the output in Jobs, and the header turns to Running.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn minikube_on_the_path_in_a_real_terminal() {
    if !tmux_available("minikube_on_the_path_in_a_real_terminal") {
        return;
    }
    let sim = pilothouse::sim::Sim::start(&pilothouse::cli::SimArgs::default())
        .await
        .expect("the sim starts");
    let state = tempfile::tempdir().expect("state dir");
    let fake = tempfile::tempdir().expect("fake minikube state");
    std::fs::write(fake.path().join("profiles"), "pilothouse-sim\n").expect("profiles");
    std::fs::write(fake.path().join("state-pilothouse-sim"), "Stopped\n").expect("state");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bin");
    let env = format!(
        "PATH='{}':\"$PATH\" FAKE_MINIKUBE_DIR='{}' DOCKER_HOST='{}'",
        fixtures.display(),
        fake.path().display(),
        sim.docker.host()
    );
    let flags = format!("--kubeconfig '{}'", sim.kubeconfig_path.display());
    // Wide enough for the whole header (the sim's engine version is long).
    let tmux = Tmux::start_full("minikube", state.path(), state.path(), &env, &flags, 160);
    tmux.wait_for("◆ minikube Stopped (M: start)", Duration::from_secs(20));
    tmux.keys(&["M"]);
    tmux.wait_for(
        "minikube -p pilothouse-sim: Host Stopped · Kubelet Stopped",
        Duration::from_secs(5),
    );
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for(
        "minikube start pilothouse-sim: the cluster is up",
        Duration::from_secs(20),
    );
    assert!(
        screen.contains("$ minikube -p pilothouse-sim start"),
        "{screen}"
    );
    tmux.wait_for("◆ minikube Running", Duration::from_secs(10));
    tmux.keys(&["q"]);
    tmux.wait_for("pilothouse-exited:0", Duration::from_secs(10));
}

/// The walkthrough's end in the demo: the Cloud pane (9), D, the question with
/// its command line and the $PORT warning, y, and the Service URL answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_deploys_to_cloud_run_with_keys() {
    let test = "the_demo_deploys_to_cloud_run_with_keys";
    if !tmux_available(test) {
        return;
    }
    if Command::new("gcloud").arg("--version").output().is_err() {
        if std::env::var("PILOTHOUSE_REQUIRE_CLIS").is_ok_and(|v| v == "1") {
            panic!("{test}: gcloud is not installed, and PILOTHOUSE_REQUIRE_CLIS=1");
        }
        eprintln!("SKIPPED {test}: gcloud is not installed");
        return;
    }
    let root = tempfile::tempdir().expect("tempdir");
    let tmux = Tmux::start_with("demo-cloud", root.path(), root.path(), "--demo --learn off");
    let wait = Duration::from_secs(30);
    tmux.wait_for("⎈ pilothouse-sim", wait);
    tmux.keys(&["9"]);
    tmux.wait_for("account learner@pilothouse.sim", wait);
    tmux.keys(&["D"]);
    let question = tmux.wait_for("y yes  n no", wait);
    assert!(
        question.contains("Deploy cookbook to Cloud Run in pilothouse-sim"),
        "{question}"
    );
    assert!(
        question.contains("⚠ Cloud Run sends requests to $PORT (8080)"),
        "{question}"
    );
    assert!(
        question.contains("$ gcloud run deploy cookbook --image"),
        "{question}"
    );
    tmux.keys(&["y"]);
    let screen = tmux.wait_for("cookbook is serving at http://127.0.0.1:", wait);
    let port: u16 = screen
        .split("cookbook is serving at http://127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split('.').next())
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or_else(|| panic!("a port in:\n{screen}"));
    tmux.wait_for("us-central1", wait);
    tmux.keys(&["o"]);
    tmux.wait_for(&format!("Opening http://127.0.0.1:{port}"), wait);
    let answer = common::http_get(port, "/").await.expect("the URL answers");
    assert!(answer.contains("Hello from cookbook"), "{answer}");
    tmux.keys(&["q"]);
    tmux.wait_for("pilothouse-exited:0", wait);
}
