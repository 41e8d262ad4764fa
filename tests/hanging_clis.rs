//! A minikube or a gcloud that hangs: each is given up after its timeout,
//! the reason is named where the user looks (the Cloud Run pane; the
//! minikube state the header shows), and the stand-in and the child it
//! started are both ended, as its process group is. (ctrl-c on a running
//! job, the other way out, is tests/cancel_job.rs.)

mod common;

use common::cockpit::Cockpit;
use pilothouse::app::Event;
use pilothouse::domain::cloud::GcloudState;
use pilothouse::domain::minikube::MinikubeState;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A program that starts a child, writes both pids, says nothing and waits forever.
fn hanging(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let pids = dir.join(format!("{name}.pids"));
    let program = dir.join(name);
    common::write_program(
        &program,
        &format!(
            "#!/bin/sh\nsleep 600 &\necho $! > '{0}'\necho $$ >> '{0}'\nwait\n",
            pids.display()
        ),
    );
    (program, pids)
}

/// Both processes of the stand-in are gone (a moment is allowed for the signal).
fn all_ended(pids: &Path) {
    let pids: Vec<i32> = std::fs::read_to_string(pids)
        .expect("the stand-in ran")
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect();
    assert_eq!(pids.len(), 2, "the stand-in and its child");
    let deadline = Instant::now() + Duration::from_secs(5);
    while pids.iter().any(|&p| common::alive(p)) {
        assert!(Instant::now() < deadline, "still running: {pids:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_minikube_that_hangs_is_given_up_after_20_s_with_its_children() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (program, pids) = hanging(dir.path(), "minikube");
    let started = Instant::now();
    let state = pilothouse::sources::minikube::probe(program.as_os_str(), Some("minikube")).await;
    let waited = started.elapsed();
    assert_eq!(
        state,
        MinikubeState::Failed("minikube profile list: no answer in 20 s".into())
    );
    assert!(waited < Duration::from_secs(25), "given up in {waited:?}");
    all_ended(&pids);
    eprintln!("HANG minikube: given up after {waited:?}, its process group ended");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gcloud_that_hangs_is_named_on_the_cloud_pane_and_ended() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (program, pids) = hanging(dir.path(), "gcloud");
    let nowhere = dir.path().join("none");
    let mut cockpit = Cockpit::start(
        format!("unix://{}", nowhere.join("docker.sock").display()),
        &nowhere.join("kubeconfig"),
        dir.path().to_path_buf(),
    );
    cockpit.effects.set_gcloud(&program);
    cockpit.effects.set_gcloud_timeout(Duration::from_secs(2));
    // gcloud is asked at once on the Cloud Run pane.
    cockpit.keys("9");
    let started = Instant::now();
    cockpit.send(Event::Tick(std::time::SystemTime::now()));
    cockpit
        .until("gcloud given up", |m| {
            matches!(m.cloud.gcloud, GcloudState::Failed(_))
        })
        .await;
    let waited = started.elapsed();
    let GcloudState::Failed(reason) = &cockpit.model.cloud.gcloud else {
        unreachable!()
    };
    assert!(reason.contains("gcloud gave no answer in 2 s"), "{reason}");
    let screen = cockpit.screen(120);
    assert!(screen.contains("gcloud gave no answer in 2 s"), "{screen}");
    assert!(waited < Duration::from_secs(5), "given up in {waited:?}");
    all_ended(&pids);
    eprintln!("HANG gcloud: named after {waited:?} (timeout 2 s), its process group ended");
}
