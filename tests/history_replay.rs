//! Learn mode's promise, end to end: what the cockpit did against one
//! simulated cluster, exported with `:export`, run by bash with the real
//! `docker` and `kubectl` against a second, fresh one, gives the same state:
//! the same image, the same running container, the deployment at 3/3 behind
//! the same kind of Service, and the same Cloud Run service answering at
//! its URL (the deploy's `docker login` and `docker push` replayed too).

mod common;

use common::cockpit::Cockpit;
use crossterm::event::KeyCode;
use pilothouse::app::core::model::{JobState, Model};
use pilothouse::cli::SimArgs;
use pilothouse::sim::Sim;
use std::collections::BTreeSet;
use std::path::Path;

/// What the walkthrough leaves behind, as a user would check it.
#[derive(Debug, PartialEq, Eq)]
struct State {
    images: BTreeSet<String>,
    containers: BTreeSet<String>,
    deployments: BTreeSet<String>,
    services: BTreeSet<String>,
}

fn state(model: &Model) -> State {
    State {
        images: model
            .docker
            .images
            .iter()
            .map(|i| format!("{}:{}", i.repository, i.tag))
            .collect(),
        containers: model
            .docker
            .containers
            .iter()
            .filter(|c| c.state.is_running())
            .map(|c| format!("{} {} {}", c.name, c.image, c.ports.len()))
            .collect(),
        deployments: model
            .kube
            .deployments
            .iter()
            .filter(|d| d.namespace == "default")
            .map(|d| format!("{} {}/{}", d.name, d.ready, d.desired))
            .collect(),
        services: model
            .kube
            .services
            .iter()
            .filter(|s| s.namespace == "default" && s.name != "kubernetes")
            .map(|s| format!("{} {} {:?}", s.name, s.kind, s.port))
            .collect(),
    }
}

async fn connected(cockpit: &mut Cockpit) {
    cockpit
        .until("the engine and the cluster", |m| {
            matches!(
                m.kube.connection,
                pilothouse::app::kube::state::KubeConnection::Connected(_)
            ) && matches!(
                m.docker.connection,
                pilothouse::domain::Connection::Connected(_)
            )
        })
        .await;
}

fn succeeded(model: &Model, title: &str) -> bool {
    model
        .jobs
        .list
        .iter()
        .any(|j| j.title.starts_with(title) && matches!(j.state, JobState::Succeeded(_)))
}

/// Wait for learn mode's question showing this command line, and say yes.
async fn yes_to(cockpit: &mut Cockpit, line: &str) {
    cockpit
        .until(&format!("the learn-mode question for {line}"), |m| {
            matches!(&m.shared.overlay, pilothouse::app::core::model::Overlay::Confirm(c)
                if c.message.contains(&format!("$ {line}")))
        })
        .await;
    cockpit.keys("y");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_exported_history_replays_with_real_clis_to_the_same_state() {
    let test = "the_exported_history_replays_with_real_clis_to_the_same_state";
    if !common::cli_available(test, "kubectl", &["version", "--client"])
        || !common::cli_available(test, "docker", &["--version"])
        || !common::gcloud_available(test)
    {
        return;
    }
    let first = Sim::start(&SimArgs {
        pod_start_ms: 100,
        ..Default::default()
    })
    .await
    .expect("the first sim starts");
    // The local mode: its `docker login` and `docker push` replay against the second engine.
    common::use_cloud_mode(&first, "local");
    let mut cockpit = Cockpit::on(&first);
    connected(&mut cockpit).await;
    // Learn mode on: each action asks with its command line first.
    cockpit.keys("L");
    assert!(cockpit.model.shared.learn_mode);

    // Build, then run it published on a free loopback port, named.
    cockpit.keys("b\n");
    yes_to(&mut cockpit, "docker build -t cookbook:latest .").await;
    cockpit
        .until("the image", |m| {
            m.docker.images.iter().any(|i| i.repository == "cookbook")
        })
        .await;
    let port = common::free_port();
    cockpit.keys("2/cookbook\nr");
    cockpit.replace_field(&format!("127.0.0.1:{port}:8000"));
    cockpit.key(KeyCode::Tab);
    cockpit.keys("cookbook-web\n");
    yes_to(
        &mut cockpit,
        &format!("docker run -d --name cookbook-web -p 127.0.0.1:{port}:8000 cookbook:latest"),
    )
    .await;
    cockpit
        .until("the container", |m| {
            m.docker
                .containers
                .iter()
                .any(|c| c.name == "cookbook-web" && c.state.is_running())
        })
        .await;

    // Apply, expose, scale to three.
    cockpit.keys("5");
    cockpit.open_apply_form().await;
    cockpit.keys("\n");
    yes_to(
        &mut cockpit,
        "kubectl apply --server-side -f cookbook-deployment.yaml",
    )
    .await;
    cockpit
        .until("READY 1/1", |m| {
            m.kube
                .deployments
                .iter()
                .any(|d| d.name == "cookbook-recipe" && d.ready == 1)
        })
        .await;
    cockpit.keys("x\n");
    yes_to(
        &mut cockpit,
        "kubectl expose deployment cookbook-recipe --type=LoadBalancer --port=8000 -n default",
    )
    .await;
    cockpit
        .until("the Service", |m| succeeded(m, "expose "))
        .await;
    cockpit.keys("s");
    cockpit.replace_field("3");
    cockpit.keys("\n");
    yes_to(
        &mut cockpit,
        "kubectl scale --replicas=3 deployment/cookbook-recipe -n default",
    )
    .await;
    cockpit
        .until("READY 3/3 and the Service listed", |m| {
            m.kube
                .deployments
                .iter()
                .any(|d| d.name == "cookbook-recipe" && d.ready == 3 && d.desired == 3)
                && m.kube.services.iter().any(|s| s.name == "cookbook-recipe")
        })
        .await;

    // The Cloud Run deploy of the local mode: build, log in, push, deploy.
    cockpit.use_sim_gcloud(&first);
    cockpit.keys("9");
    cockpit.send(pilothouse::app::Event::Tick(std::time::SystemTime::now()));
    cockpit
        .until("gcloud's account and the settings", |m| {
            m.cloud.settings().is_some()
                && matches!(
                    m.cloud.gcloud,
                    pilothouse::domain::cloud::GcloudState::Ready(_)
                )
        })
        .await;
    cockpit.keys("D");
    cockpit
        .until("the deploy asks first", |m| {
            matches!(
                &m.shared.overlay,
                pilothouse::app::core::model::Overlay::Confirm(_)
            )
        })
        .await;
    cockpit.keys("y");
    cockpit
        .until("the deploy done", |m| succeeded(m, "deploy "))
        .await;
    let deployed = cloud_services(&first);
    assert_eq!(deployed.len(), 1, "{deployed:?}");

    let before = state(&cockpit.model);
    assert_eq!(before.deployments.len(), 1, "{before:?}");
    assert_eq!(before.containers.len(), 1, "{before:?}");

    // The History pane lists each action with its command line and result.
    cockpit.keys("0");
    let screen = cockpit.screen(160);
    for line in [
        "docker build -t cookbook:latest .",
        &format!("docker run -d --name cookbook-web -p 127.0.0.1:{port}:8000 cookbook:latest"),
        "kubectl apply --server-side -f cookbook-deployment.yaml",
        "kubectl expose deployment cookbook-recipe --type=LoadBalancer --port=8000 -n default",
        "kubectl scale --replicas=3 deployment/cookbook-recipe -n default",
        "docker build --platform linux/amd64 -t us-central1-docker.pkg.dev/pilothouse-sim/apps/cookbook:latest .",
    ] {
        assert!(screen.contains(line), "{line} missing:\n{screen}");
    }

    cockpit.keys(":export replay.sh\n");
    cockpit
        .until("the script written", |m| {
            m.shared
                .status
                .as_ref()
                .is_some_and(|s| s.text.starts_with("Wrote "))
        })
        .await;
    let script_path = first.sample_app.join("replay.sh");
    let script = std::fs::read_to_string(&script_path).expect("the script");
    assert!(script.contains("set -euo pipefail"), "{script}");

    // Free the first cluster's host ports (the container's, the NodePort) for the second.
    cockpit.keys("1");
    cockpit.ctrl('d');
    cockpit.keys("y");
    cockpit.keys("7");
    cockpit.ctrl('d');
    cockpit.keys("y");
    cockpit
        .until("the container and the Service gone", |m| {
            !m.docker.containers.iter().any(|c| c.name == "cookbook-web")
                && !m.kube.services.iter().any(|s| s.name == "cookbook-recipe")
        })
        .await;
    drop(cockpit);

    // A fresh cluster; the script runs with the real CLIs pointed at it.
    let second = Sim::start(&SimArgs {
        pod_start_ms: 100,
        seed: 2,
        ..Default::default()
    })
    .await
    .expect("the second sim starts");
    let output = replay(&script_path, &second).await;
    assert!(output.0, "the script failed:\n{}\n{script}", output.1);

    let replayed_services = cloud_services(&second);
    assert_eq!(
        replayed_services.iter().map(|s| &s.0).collect::<Vec<_>>(),
        deployed.iter().map(|s| &s.0).collect::<Vec<_>>(),
        "the same Cloud Run service:\n{}",
        output.1
    );
    for (name, url) in &replayed_services {
        let port: u16 = url
            .rsplit(':')
            .next()
            .and_then(|p| p.trim_end_matches('/').parse().ok())
            .unwrap_or_else(|| panic!("{name}: {url} has no port"));
        let page = common::http_get(port, "/")
            .await
            .expect("the service answers");
        assert!(page.contains(name.as_str()), "{name} at {url}: {page}");
    }

    let mut replayed = Cockpit::on(&second);
    connected(&mut replayed).await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    while state(&replayed.model) != before {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the replay did not reach the same state:\n{:#?}\nwanted {before:#?}\nscript output:\n{}",
            state(&replayed.model),
            output.1
        );
        if let Ok(Some(event)) =
            tokio::time::timeout(std::time::Duration::from_millis(500), replayed.rx.recv()).await
        {
            replayed.send(event);
        }
    }
}

/// The sim's Cloud Run services with a URL: (name, url).
fn cloud_services(sim: &Sim) -> Vec<(String, String)> {
    sim.cloud_run
        .services()
        .into_iter()
        .filter_map(|(_, _, name, url)| Some((name, url?)))
        .collect()
}

/// `bash SCRIPT` with DOCKER_HOST, KUBECONFIG and gcloud's configuration at `sim`, in a
/// throwaway home.
async fn replay(script: &Path, sim: &Sim) -> (bool, String) {
    let home = tempfile::tempdir().expect("a home");
    let output = tokio::process::Command::new("bash")
        .arg(script)
        .env("HOME", home.path())
        .env("DOCKER_HOST", sim.docker.host())
        .env("DOCKER_CONFIG", home.path().join(".docker"))
        // The simulated engine speaks the classic build API, not BuildKit's session.
        .env("DOCKER_BUILDKIT", "0")
        .env_remove("DOCKER_CONTEXT")
        .env("KUBECONFIG", &sim.kubeconfig_path)
        .envs(sim.gcloud_env())
        .output()
        .await
        .expect("bash runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}
