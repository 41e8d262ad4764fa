//! minikube in the cockpit, through a stand-in `minikube` executable
//! (tests/fixtures/bin/minikube) that prints what the real one prints
//! (REFERENCE.md): no profile, a missing profile (exit 85), stopped (exit 7),
//! start and stop streamed into Jobs, the dashboard (URL opened, proxy kept),
//! `service --url` that blocks (kept running, ended with the cockpit) or
//! exits 115, and the docker-env switch to a second engine, over TLS with
//! client certificates as minikube's, and back. The cluster is the simulated
//! one; its context `pilothouse-sim` plays the minikube profile.

mod common;

use common::cockpit::Cockpit;
use pilothouse::app::Event;
use pilothouse::app::core::model::{JobState, Overlay, Pane};
use pilothouse::cli::SimArgs;
use pilothouse::domain::minikube::MinikubeState;
use pilothouse::sim::Sim;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

const PROFILE: &str = "pilothouse-sim";

/// The stand-in, copied beside its state so nothing global (PATH, env) changes.
fn fake_minikube() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let program = dir.path().join("minikube");
    let wrapper = format!(
        "#!/bin/sh\nFAKE_MINIKUBE_DIR='{}' exec '{}' \"$@\"\n",
        dir.path().display(),
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/bin/minikube")
            .display()
    );
    common::write_program(&program, &wrapper);
    (dir, program)
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("fake state written");
}

fn calls(dir: &Path, containing: &str) -> usize {
    std::fs::read_to_string(dir.join("calls"))
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains(containing))
        .count()
}

/// A tick far enough ahead that the cockpit asks minikube again.
fn tick_ahead(cockpit: &mut Cockpit) {
    let later = cockpit.model.shared.now + Duration::from_secs(3600);
    cockpit.send(Event::Tick(later));
}

/// The header of a wide terminal (the sim's long engine version takes room).
fn header(cockpit: &Cockpit) -> String {
    cockpit.screen(160).lines().next().unwrap_or("").to_string()
}

#[tokio::test]
async fn no_minikube_binary_is_one_clear_state() {
    let state = pilothouse::sources::minikube::probe(
        "/nonexistent/pilothouse-test/minikube".as_ref(),
        Some("minikube"),
    )
    .await;
    assert_eq!(state, MinikubeState::NotInstalled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn minikube_states_start_stop_service_url_and_docker_env() {
    let sim = Sim::start(&SimArgs {
        pod_start_ms: 100,
        ..Default::default()
    })
    .await
    .expect("the sim starts");
    // A second simulated engine plays minikube's own: TLS with client certificates, as minikube serves it.
    let minikube_engine = Sim::start(&SimArgs {
        docker_tls_port: Some(0),
        ..Default::default()
    })
    .await
    .expect("a second sim starts");
    common::build_cookbook(&sim).await;
    let (state, program) = fake_minikube();
    let state = state.path().to_path_buf();
    let mut cockpit = Cockpit::start(
        sim.docker.host(),
        &sim.kubeconfig_path,
        sim.sample_app.clone(),
    );
    cockpit.effects.set_minikube(&program);
    cockpit
        .until("the cluster", |m| {
            matches!(
                m.kube.connection,
                pilothouse::app::kube::state::KubeConnection::Connected(_)
            )
        })
        .await;
    cockpit.send(Event::Tick(SystemTime::now()));
    cockpit
        .until("minikube asked: no profiles", |m| {
            matches!(m.minikube.state, MinikubeState::NotAProfile { .. })
                && m.minikube.context.as_deref() == Some(PROFILE)
        })
        .await;
    assert!(
        !header(&cockpit).contains("minikube"),
        "{}",
        header(&cockpit)
    );
    // M still offers to start minikube's default profile.
    cockpit.keys("M");
    let Overlay::Pick(menu) = &cockpit.model.shared.overlay else {
        panic!("M opens the menu")
    };
    assert_eq!(menu.items[0].detail, "minikube -p minikube start");
    cockpit.key(crossterm::event::KeyCode::Esc);

    // Listed but without a config: status exits 85, one clear state.
    write(&state, "profiles", &format!("{PROFILE}\n"));
    tick_ahead(&mut cockpit);
    cockpit
        .until("profile missing", |m| {
            matches!(&m.minikube.state, MinikubeState::ProfileMissing { profile } if profile == PROFILE)
        })
        .await;
    assert!(
        header(&cockpit).contains("◆ minikube: profile missing (M)"),
        "{}",
        header(&cockpit)
    );

    // Stopped: exit 7 with JSON on stdout; e refuses with the reason.
    write(&state, &format!("state-{PROFILE}"), "Stopped\n");
    tick_ahead(&mut cockpit);
    cockpit
        .until("stopped", |m| {
            m.minikube.status().is_some_and(|s| s.host == "Stopped")
        })
        .await;
    assert!(
        header(&cockpit).contains("◆ minikube Stopped (M: start)"),
        "{}",
        header(&cockpit)
    );
    cockpit.keys("e");
    let status = cockpit
        .model
        .shared
        .status
        .clone()
        .map(|s| s.text)
        .unwrap_or_default();
    assert!(status.contains("is not running (Host Stopped"), "{status}");

    // M, enter: start, streamed into Jobs; then the status says Running.
    cockpit.keys("M");
    let Overlay::Pick(menu) = &cockpit.model.shared.overlay else {
        panic!("M opens the menu")
    };
    assert!(
        menu.title.contains("Host Stopped · Kubelet Stopped"),
        "{}",
        menu.title
    );
    cockpit.keys("\n");
    assert_eq!(cockpit.model.shared.pane, Pane::Jobs);
    assert_eq!(
        cockpit.model.shared.learn.as_deref(),
        Some("minikube -p pilothouse-sim start")
    );
    cockpit
        .until("the start job", |m| {
            m.jobs.list.iter().any(|j| {
                matches!(&j.state, JobState::Succeeded(s) if s == "the cluster is up")
                    && j.output
                        .iter()
                        .any(|l| l.contains("Done! kubectl is now configured"))
                    && j.output
                        .iter()
                        .any(|l| l.contains("Updating the running docker"))
            })
        })
        .await;
    cockpit
        .until("start reported", |m| m.minikube.next_probe.is_none())
        .await;
    cockpit.send(Event::Tick(SystemTime::now()));
    cockpit
        .until("running", |m| {
            m.minikube.is_current() && m.minikube.status().is_some_and(|s| s.is_running())
        })
        .await;
    assert!(
        header(&cockpit).contains("◆ minikube Running"),
        "{}",
        header(&cockpit)
    );

    // M, down twice, enter: the dashboard; its URL is opened and its proxy kept.
    cockpit.keys("Mjj\n");
    assert_eq!(
        cockpit.model.shared.learn.as_deref(),
        Some("minikube -p pilothouse-sim dashboard --url")
    );
    let dashboard = "http://127.0.0.1:36541/api/v1/namespaces/kubernetes-dashboard/services/http:kubernetes-dashboard:/proxy/";
    cockpit
        .until("the dashboard opened", |m| {
            m.minikube
                .urls
                .get("dashboard/pilothouse-sim")
                .map(String::as_str)
                == Some(dashboard)
        })
        .await;
    assert_eq!(cockpit.opened, vec![dashboard.to_string()]);
    cockpit.opened.clear();

    // o on a Service of a minikube context: `minikube service --url`. Not found first (exit 115)…
    cockpit.keys("7");
    cockpit.keys("/kubernetes\n");
    cockpit.keys("o");
    assert_eq!(
        cockpit.model.shared.learn.as_deref(),
        Some("minikube -p pilothouse-sim service kubernetes -n default --url")
    );
    cockpit
        .until("the not-found message", |m| {
            m.shared.status.as_ref().is_some_and(|s| {
                s.text == "Service 'kubernetes' was not found in 'default' namespace."
            })
        })
        .await;
    // …then a URL, printed before it blocks as a tunnel does: opened, and the process kept.
    write(&state, "url-default-kubernetes", "http://127.0.0.1:31234\n");
    write(&state, "block", "");
    cockpit.keys("o");
    cockpit
        .until("the URL opened", |m| {
            m.minikube.urls.contains_key("service/default/kubernetes")
        })
        .await;
    assert_eq!(cockpit.opened, vec!["http://127.0.0.1:31234".to_string()]);
    let pid: i32 = std::fs::read_to_string(state.join("service.pid"))
        .expect("the service pid")
        .trim()
        .parse()
        .expect("a pid");
    assert!(common::alive(pid), "minikube service is kept running");
    // Opening it again reuses the URL; no second process.
    cockpit.keys("o");
    assert_eq!(cockpit.opened.len(), 2);
    assert_eq!(calls(&state, "service kubernetes"), 2);

    // e: the Docker side moves to minikube's engine (docker-env), and back.
    let (engine, certs) = minikube_engine
        .docker_tls
        .clone()
        .expect("the second engine over TLS");
    // As REFERENCE.md gives it: TLS on, the host, the cert dir, the active profile.
    write(
        &state,
        "docker-env",
        &format!(
            "DOCKER_TLS_VERIFY=1\nDOCKER_HOST={engine}\nDOCKER_CERT_PATH={}\nMINIKUBE_ACTIVE_DOCKERD={PROFILE}\n",
            certs.display()
        ),
    );
    let has_cookbook =
        |m: &pilothouse::app::Model| m.docker.images.iter().any(|i| i.repository == "cookbook");
    cockpit
        .until("cookbook on the own engine", has_cookbook)
        .await;
    cockpit.keys("e");
    assert_eq!(
        cockpit.model.shared.learn.as_deref(),
        Some("eval $(minikube -p pilothouse-sim docker-env)")
    );
    cockpit
        .until("connected to minikube's engine", |m| {
            m.docker.endpoint.origin == "minikube -p pilothouse-sim docker-env"
                && matches!(
                    m.docker.connection,
                    pilothouse::domain::Connection::Connected(_)
                )
                && !has_cookbook(m)
        })
        .await;
    assert_eq!(cockpit.model.docker.endpoint.host, engine);
    assert!(
        header(&cockpit).contains("● docker on minikube pilothouse-sim"),
        "{}",
        header(&cockpit)
    );
    cockpit.keys("e");
    assert_eq!(
        cockpit.model.shared.learn.as_deref(),
        Some("eval $(minikube docker-env --unset)")
    );
    cockpit
        .until("back on the own engine", |m| {
            m.docker.endpoint.origin == "DOCKER_HOST" && has_cookbook(m)
        })
        .await;

    // M, j, enter: stop asks first; y stops it.
    cockpit.keys("Mj\n");
    assert!(
        matches!(&cockpit.model.shared.overlay, Overlay::Confirm(c) if c.message.starts_with("Stop minikube profile pilothouse-sim?"))
    );
    cockpit.keys("y");
    cockpit
        .until("the stop job", |m| {
            m.jobs.list.iter().any(
                |j| matches!(&j.state, JobState::Succeeded(s) if s == "the cluster is stopped"),
            )
        })
        .await;
    cockpit
        .until("stop reported", |m| m.minikube.next_probe.is_none())
        .await;
    cockpit.send(Event::Tick(SystemTime::now()));
    cockpit
        .until("stopped again", |m| {
            m.minikube.status().is_some_and(|s| s.host == "Stopped")
        })
        .await;

    // Nothing the cockpit ran went through a shell or touched the user's files: only these calls.
    let all = std::fs::read_to_string(state.join("calls")).unwrap_or_default();
    for line in all.lines() {
        let known = [
            "profile list -o json",
            "-p pilothouse-sim status -o json",
            "-p pilothouse-sim start",
            "-p pilothouse-sim stop",
            "-p pilothouse-sim service kubernetes -n default --url",
            "-p pilothouse-sim docker-env --shell none",
            "-p pilothouse-sim dashboard --url",
        ];
        assert!(known.contains(&line), "unexpected call: {line}");
    }

    // Quitting ends the kept `minikube service` and what it started.
    drop(cockpit);
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while common::alive(pid) {
        assert!(
            std::time::Instant::now() < deadline,
            "the kept process ended with the cockpit"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The shapes real installs print, each read into one clear state or sentence:
/// a fresh install's JSON error (exit 1), older and newer `profile list`
/// fields, a paused cluster (exit 2) and its docker-env (exit 103), the
/// 'none' driver (exit 51) and a runtime that is not Docker (exit 14).
#[tokio::test]
async fn minikube_shapes_of_real_installs() {
    use pilothouse::sources::minikube::{docker_env, probe};
    let (dir, program) = fake_minikube();
    let dir = dir.path().to_path_buf();
    let program = program.as_os_str();

    write(&dir, "fresh", "");
    assert_eq!(
        probe(program, Some("minikube")).await,
        MinikubeState::NotAProfile { profiles: vec![] },
        "a fresh install has no profiles: not an error in the header"
    );
    std::fs::remove_file(dir.join("fresh")).expect("fresh removed");

    for shape in ["old", "new", "current"] {
        write(&dir, "list-shape", shape);
        std::fs::remove_file(dir.join("profiles")).ok();
        assert_eq!(
            probe(program, Some(PROFILE)).await,
            MinikubeState::NotAProfile { profiles: vec![] },
            "{shape}: no profiles"
        );
        write(&dir, "profiles", &format!("{PROFILE}\nother\n"));
        write(&dir, &format!("state-{PROFILE}"), "Running");
        let MinikubeState::Status(status) = probe(program, Some(PROFILE)).await else {
            panic!("{shape}: the profile's status")
        };
        assert!(status.is_running(), "{shape}");
    }

    write(&dir, &format!("state-{PROFILE}"), "Paused");
    let MinikubeState::Status(status) = probe(program, Some(PROFILE)).await else {
        panic!("paused is a status")
    };
    assert!(status.is_paused() && !status.is_running(), "{status:?}");
    let refused = docker_env(program, PROFILE).await.unwrap_err();
    assert!(
        refused.contains("is paused: unpause it first (M)"),
        "{refused}"
    );

    write(&dir, &format!("state-{PROFILE}"), "Running");
    write(&dir, &format!("driver-{PROFILE}"), "none");
    let refused = docker_env(program, PROFILE).await.unwrap_err();
    assert!(
        refused.contains("'none' driver") && refused.contains("no docker-env needed"),
        "{refused}"
    );
    std::fs::remove_file(dir.join(format!("driver-{PROFILE}"))).expect("driver removed");

    write(&dir, &format!("runtime-{PROFILE}"), "cri-o");
    let refused = docker_env(program, PROFILE).await.unwrap_err();
    assert!(
        refused.contains("runs no Docker engine")
            && refused.contains("only supports the docker and containerd runtimes")
            && refused.contains(&format!("minikube -p {PROFILE} image load IMAGE")),
        "{refused}"
    );
    std::fs::remove_file(dir.join(format!("runtime-{PROFILE}"))).expect("runtime removed");

    write(&dir, &format!("state-{PROFILE}"), "Stopped");
    let refused = docker_env(program, PROFILE).await.unwrap_err();
    assert!(
        refused.contains("is not running: start it first (M)"),
        "{refused}"
    );
}
