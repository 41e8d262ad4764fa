//! ctrl-c on a running job ends it and the process group it started: a
//! stand-in CLI (as minikube start, minikube dashboard, and gcloud
//! mid-deploy) that starts a child of its own and then hangs is cancelled
//! through the effects, and both processes are gone. A job with nothing to
//! cancel says so rather than leaving "Cancelling…" unanswered.

mod common;

use pilothouse::app::Command;
use pilothouse::app::core::event::{Event, JobUpdate};
use pilothouse::domain::minikube::MinikubeOp;
use pilothouse::effects::Effects;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// How the stand-in is started: as minikube (start) or as gcloud (a deploy).
#[derive(Clone, Copy)]
enum Via {
    Minikube,
    GcloudDeploy,
    /// `minikube dashboard --url` that never prints its URL.
    Dashboard,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_minikube_start_ends_its_process_group() {
    cancel_via(Via::Minikube).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_deploy_ends_its_gcloud_and_what_it_started() {
    cancel_via(Via::GcloudDeploy).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_dashboard_ends_its_process_group() {
    cancel_via(Via::Dashboard).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_what_cannot_be_cancelled_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut effects = Effects::new(tx, watch::channel(None).1, dir.path().into());
    effects.perform(Command::CancelJob(99));
    let event = tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("an answer in time")
        .expect("events flow");
    assert!(
        matches!(&event, Event::EffectFailed(why) if why.starts_with("Nothing to cancel")),
        "{event:?}"
    );
}

async fn cancel_via(via: Via) {
    let dir = tempfile::tempdir().expect("temp dir");
    let pids = dir.path().join("pids");
    let program = dir.path().join("hangs");
    common::write_program(
        &program,
        &format!(
            "#!/bin/sh\nsleep 600 &\necho $! > '{0}'\necho $$ >> '{0}'\necho started\nwait\n",
            pids.display()
        ),
    );
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut effects = Effects::new(tx, watch::channel(None).1, dir.path().into());
    match via {
        Via::Minikube => {
            effects.set_minikube(&program);
            effects.perform(Command::Minikube {
                job: 7,
                profile: "minikube".into(),
                op: MinikubeOp::Start,
            });
        }
        Via::Dashboard => {
            effects.set_minikube(&program);
            effects.perform(Command::Minikube {
                job: 7,
                profile: "minikube".into(),
                op: MinikubeOp::Dashboard,
            });
        }
        Via::GcloudDeploy => {
            effects.set_gcloud(&program);
            effects.perform(Command::CloudDeploy {
                job: 7,
                service: "web".into(),
                local: None,
                steps: vec![vec!["run".into(), "deploy".into(), "web".into()]],
                describe: vec!["run".into(), "services".into(), "describe".into()],
            });
        }
    }
    // Wait until it runs, with a child of its own (both have written their pids).
    let read_pids = || -> Vec<i32> {
        std::fs::read_to_string(&pids)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.trim().parse().ok())
            .collect()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while read_pids().len() < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the stand-in started in time"
        );
        if let Ok(event) = rx.try_recv() {
            assert!(
                !matches!(
                    &event,
                    Event::Job {
                        id: 7,
                        update: JobUpdate::Finished(_)
                    }
                ),
                "the stand-in ended before it started: {event:?}"
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let pids = read_pids();
    assert_eq!(pids.len(), 2);
    assert!(pids.iter().all(|p| common::alive(*p)));
    effects.perform(Command::CancelJob(7));
    // The job's last output lines and steps may come first; then its end.
    let event = loop {
        let event = tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .expect("the job ends in time")
            .expect("events flow");
        if !matches!(
            &event,
            Event::Job {
                update: JobUpdate::Output(_) | JobUpdate::Step { .. },
                ..
            }
        ) {
            break event;
        }
    };
    assert!(
        matches!(&event, Event::Job { id: 7, update: JobUpdate::Finished(Err(e)) } if e.starts_with("cancelled")),
        "{event:?}"
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while pids.iter().any(|p| common::alive(*p)) {
        assert!(
            std::time::Instant::now() < deadline,
            "the job's processes ended"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
