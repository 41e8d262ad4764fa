//! ctrl-c on a running job ends it and the process group it started: a
//! stand-in CLI (as minikube start, minikube dashboard, and gcloud
//! mid-deploy) that starts a child of its own and then hangs is cancelled
//! through the effects, and both processes are gone. Every job that waits
//! on the engine or the cluster ends at once when cancelled. A job with
//! nothing to cancel says so rather than leaving "Cancelling…" unanswered.

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

/// Every job that talks to the engine or the cluster can be cancelled while
/// it waits: against an engine and an API server that take the connection
/// and never answer, each kind (build, run, a container's stop, an image's
/// removal, scale, apply, expose, rollout restart, delete, a dev cycle)
/// is still running after 300 ms, and ends as cancelled at once when asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_engine_and_cluster_job_ends_when_cancelled_while_it_hangs() {
    use pilothouse::app::core::command::{BuildSpec, ContainerOp, DevPlan, ExposeSpec, RunSpec};
    use pilothouse::domain::kube::KubeKind;
    use tokio::io::AsyncReadExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let port = listener.local_addr().expect("its address").port();
    // Takes every connection, reads what comes, answers nothing.
    let silent = tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buffer = [0u8; 4096];
                while matches!(stream.read(&mut buffer).await, Ok(n) if n > 0) {}
            });
        }
    });
    let endpoint = pilothouse::sources::docker_endpoint::Endpoint {
        host: format!("tcp://127.0.0.1:{port}"),
        tls: None,
        origin: "test".into(),
    };
    let engine = pilothouse::sources::docker_endpoint::EngineClient {
        docker: pilothouse::sources::docker_endpoint::client_for(&endpoint).expect("a client"),
        endpoint,
        builder: pilothouse::domain::Builder::BuildKit,
    };
    let config = kube::Config::new(format!("http://127.0.0.1:{port}").parse().expect("a URL"));
    let client = kube::Client::try_from(config).expect("a kube client");
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("Dockerfile"), "FROM scratch\n").expect("a Dockerfile");
    let build = BuildSpec {
        context: ".".into(),
        dockerfile: "Dockerfile".into(),
        tag: "hangs:latest".into(),
    };
    let jobs = vec![
        Command::Build {
            job: 1,
            spec: build.clone(),
        },
        Command::Run {
            job: 2,
            spec: RunSpec {
                image: "hangs:latest".into(),
                name: None,
                ports: vec![],
                env: vec![],
                labels: vec![],
            },
        },
        Command::Container {
            job: 3,
            id: "abc".into(),
            name: "web".into(),
            op: ContainerOp::Stop,
        },
        Command::RemoveImage {
            job: 4,
            reference: "hangs:latest".into(),
        },
        Command::Scale {
            job: 5,
            namespace: "default".into(),
            name: "web".into(),
            replicas: 3,
        },
        Command::Apply {
            job: 6,
            path: dir.path().join("cm.yaml"),
            documents: vec![serde_json::json!({
                "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}, "data": {}
            })],
            force: false,
            namespace: Some("default".into()),
        },
        Command::Expose {
            job: 7,
            spec: ExposeSpec {
                namespace: "default".into(),
                deployment: "web".into(),
                service: "web".into(),
                kind: "ClusterIP".into(),
                port: 80,
                target_port: 8000,
            },
        },
        Command::RolloutRestart {
            job: 8,
            namespace: "default".into(),
            name: "web".into(),
        },
        Command::DeleteObject {
            job: 9,
            kind: KubeKind::Service,
            namespace: "default".into(),
            name: "web".into(),
        },
        Command::DevCycle {
            job: 10,
            plan: DevPlan {
                build,
                sync: vec![],
                restart_after_sync: false,
                skip: vec![],
            },
        },
    ];
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut effects = Effects::new(tx, watch::channel(Some(engine)).1, dir.path().into())
        .with_kube(watch::channel(Some(client)).1);
    let names: Vec<(u64, &str)> = jobs
        .iter()
        .enumerate()
        .map(|(i, c)| (i as u64 + 1, c.name()))
        .collect();
    for job in jobs {
        effects.perform(job);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    while let Ok(event) = rx.try_recv() {
        assert!(
            !matches!(
                event,
                Event::Job {
                    update: JobUpdate::Finished(_),
                    ..
                }
            ),
            "a job ended by itself against a silent engine and cluster: {event:?}"
        );
    }
    for (job, name) in &names {
        effects.perform(Command::CancelJob(*job));
        let ended = loop {
            match tokio::time::timeout(Duration::from_secs(2), rx.recv()).await {
                Ok(Some(Event::Job {
                    id,
                    update: JobUpdate::Finished(result),
                })) if id == *job => {
                    break result;
                }
                Ok(Some(_)) => continue,
                other => panic!("{name} (job {job}) did not end when cancelled: {other:?}"),
            }
        };
        assert!(
            ended.as_ref().is_err_and(|e| e.starts_with("cancelled")),
            "{name}: {ended:?}"
        );
    }
    silent.abort();
}
