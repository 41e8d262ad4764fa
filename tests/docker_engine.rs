//! Against the real Docker engine: build a tiny busybox image from scratch,
//! see it through the source, run it on a 127.0.0.1 port, fetch from it, read
//! its logs and stats, stop and remove it; a broken Dockerfile shows the
//! engine's error; invalid input creates nothing.

mod common;

use common::*;
use pilothouse::app::command::{BuildSpec, Command, ContainerOp, RunSpec};
use pilothouse::app::event::{DockerEvent, Event, JobUpdate};
use pilothouse::app::model::{JobState, Model, Overlay};
use pilothouse::app::update;
use pilothouse::app::validate::port_maps;
use pilothouse::effects::docker as fx;
use pilothouse::sources::docker::DockerSource;
use pilothouse::sources::docker_endpoint::DockerEnv;
use std::time::{Duration, SystemTime};
use tokio::sync::{mpsc, watch};

const MISSING_IMAGE: &str = "pilothouse-test-no-such-image:never";

/// Run a job effect and collect its updates until it finishes.
async fn job_updates(
    rx: &mut mpsc::UnboundedReceiver<Event>,
    id: u64,
) -> (Vec<JobUpdate>, Result<String, String>) {
    let mut updates = Vec::new();
    let result = next_matching(rx, &format!("job {id} to finish"), |event| match event {
        Event::Job {
            id: got,
            update: JobUpdate::Finished(result),
        } if got == id => Some(result),
        Event::Job { id: got, update } if got == id => {
            updates.push(update);
            None
        }
        _ => None,
    })
    .await;
    (updates, result)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn build_run_fetch_logs_stats_stop_remove() {
    let Some(docker) = engine("build_run_fetch_logs_stats_stop_remove").await else {
        return;
    };
    let tag = format!("pilothouse-test-www:{}", std::process::id());
    let name = format!("pilothouse-test-{}", std::process::id());
    let outcome = scenario(&docker, &tag, &name).await;
    clean_up(&docker, &[&name], &[&tag]).await;
    outcome.unwrap_or_else(|e| panic!("{e}"));
}

async fn scenario(docker: &bollard::Docker, tag: &str, name: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let page = format!("hello from pilothouse test {}", std::process::id());
    busybox_context(dir.path(), &page);
    let (tx, mut rx) = mpsc::unbounded_channel();

    // The source reports the engine and keeps lists live.
    let (client_tx, _client_rx) = watch::channel(None);
    let source = DockerSource {
        env: DockerEnv::from_process(),
        refresh: Duration::from_secs(2),
        events: tx.clone(),
        client: client_tx,
    };
    let source_task = tokio::spawn(source.run());
    let info = next_matching(&mut rx, "Connected", |e| match e {
        Event::Docker(DockerEvent::Connected(info)) => Some(info),
        _ => None,
    })
    .await;
    assert!(
        !info.version.is_empty() && info.version != "?",
        "engine version shown: {info:?}"
    );

    // Build.
    let spec = BuildSpec {
        context: dir.path().to_path_buf(),
        dockerfile: "Dockerfile".into(),
        tag: tag.to_string(),
    };
    tokio::spawn(fx::build(docker.clone(), 1, spec, tx.clone()));
    let (updates, result) = job_updates(&mut rx, 1).await;
    let summary = result.map_err(|e| format!("build failed: {e}"))?;
    assert!(summary.contains(tag), "{summary}");
    let steps: Vec<(u32, u32)> = updates
        .iter()
        .filter_map(|u| match u {
            JobUpdate::Step { current, total } => Some((*current, *total)),
            _ => None,
        })
        .collect();
    assert_eq!(
        steps.last(),
        Some(&(6, 6)),
        "step gauge reaches the last step: {steps:?}"
    );
    let output: Vec<String> = updates
        .into_iter()
        .flat_map(|u| match u {
            JobUpdate::Output(lines) => lines,
            _ => vec![],
        })
        .collect();
    assert!(
        output
            .iter()
            .any(|l| l.starts_with("Sending build context")),
        "{output:?}"
    );

    // The image appears in the source's list.
    let (repo, version) = tag.split_once(':').unwrap_or((tag, "latest"));
    next_matching(&mut rx, "the built image in Images", |e| match e {
        Event::Docker(DockerEvent::Images(rows))
            if rows
                .iter()
                .any(|r| r.repository == repo && r.tag == version) =>
        {
            Some(())
        }
        _ => None,
    })
    .await;

    // Its EXPOSE line is what the run form suggests.
    tokio::spawn(fx::exposed_ports(
        docker.clone(),
        tag.to_string(),
        tx.clone(),
    ));
    let exposed = next_matching(&mut rx, "the image's exposed ports", |e| match e {
        Event::Docker(DockerEvent::ImageExposedPorts { ports, .. }) => Some(ports),
        _ => None,
    })
    .await;
    assert_eq!(exposed, vec!["8000/tcp".to_string()]);

    // Run with a loopback port.
    let port = free_port();
    let run = RunSpec {
        image: tag.to_string(),
        name: Some(name.to_string()),
        ports: port_maps(&format!("{port}:8000")).map_err(|e| e.to_string())?,
        env: vec![("GREETING".into(), "hi".into())],
        labels: vec![("pilothouse.test".into(), "1".into())],
    };
    tokio::spawn(fx::run(docker.clone(), 2, run, tx.clone()));
    let (_, result) = job_updates(&mut rx, 2).await;
    result.map_err(|e| format!("run failed: {e}"))?;
    let container = next_matching(
        &mut rx,
        "the running container in Containers",
        |e| match e {
            Event::Docker(DockerEvent::Containers(rows)) => rows
                .into_iter()
                .find(|r| r.name == name && r.state.is_running()),
            _ => None,
        },
    )
    .await;
    assert_eq!(
        container.first_url(),
        Some(format!("http://127.0.0.1:{port}/")),
        "published on loopback only"
    );

    // Fetch through the published port.
    let body = http_get(port, "/index.html")
        .await
        .map_err(|e| format!("GET through 127.0.0.1:{port} failed: {e}"))?;
    assert!(body.contains(&page), "served page: {body}");

    // Logs and stats arrive.
    tokio::spawn(fx::follow_logs(
        docker.clone(),
        container.id.clone(),
        tx.clone(),
    ));
    let line = next_matching(&mut rx, "a log line", |e| match e {
        Event::Docker(DockerEvent::LogLines { lines, .. }) => {
            lines.into_iter().find(|l| l.contains("response:200"))
        }
        _ => None,
    })
    .await;
    assert!(
        line.contains("127.0.0.1") || line.contains("response"),
        "{line}"
    );
    let stats = tokio::spawn(fx::watch_stats(
        docker.clone(),
        container.id.clone(),
        tx.clone(),
    ));
    let sample = next_matching(&mut rx, "a stats sample", |e| match e {
        Event::Docker(DockerEvent::Stats { sample, .. }) => Some(sample),
        _ => None,
    })
    .await;
    assert!(sample.memory_bytes > 0, "{sample:?}");
    stats.abort();

    // Stop, then remove.
    tokio::spawn(fx::container_op(
        docker.clone(),
        3,
        container.id.clone(),
        ContainerOp::Stop,
        tx.clone(),
    ));
    let (_, result) = job_updates(&mut rx, 3).await;
    assert_eq!(result, Ok("stopped".to_string()));
    tokio::spawn(fx::container_op(
        docker.clone(),
        4,
        container.id.clone(),
        ContainerOp::Remove,
        tx.clone(),
    ));
    let (_, result) = job_updates(&mut rx, 4).await;
    assert_eq!(result, Ok("removed".to_string()));
    next_matching(&mut rx, "the container gone from the list", |e| match e {
        Event::Docker(DockerEvent::Containers(rows)) if !rows.iter().any(|r| r.name == name) => {
            Some(())
        }
        _ => None,
    })
    .await;
    source_task.abort();
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_dockerfile_shows_the_engine_error_in_jobs_and_status() {
    let Some(docker) =
        engine("a_broken_dockerfile_shows_the_engine_error_in_jobs_and_status").await
    else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM scratch\nLABEL pilothouse.test=1\nCOPY no-such-file /x\n",
    )
    .expect("write");
    let tag = format!("pilothouse-test-broken:{}", std::process::id());
    let mut model = Model::new(dir.path().to_path_buf(), false, SystemTime::now());
    update(
        &mut model,
        Event::Docker(DockerEvent::Connected(pilothouse::domain::EngineInfo {
            version: "x".into(),
            api_version: "x".into(),
            os: "linux".into(),
        })),
    );
    let spec = BuildSpec {
        context: dir.path().to_path_buf(),
        dockerfile: "Dockerfile".into(),
        tag: tag.clone(),
    };
    let commands = update(&mut model, Event::Key(key('b')));
    assert!(commands.iter().all(|c| matches!(c, Command::WatchStats(_))));
    update(
        &mut model,
        Event::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Enter,
        )),
    );
    let commands = update(&mut model, Event::BuildContextChecked(Ok(spec.clone())));
    let Some(Command::Build { job, spec }) = commands
        .into_iter()
        .find(|c| matches!(c, Command::Build { .. }))
    else {
        panic!("a build command");
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    tokio::spawn(fx::build(docker.clone(), job, spec, tx));
    let (_, result) = job_updates(&mut rx, job).await;
    let error = result.clone().expect_err("the build must fail");
    assert!(
        error.contains("no-such-file"),
        "the engine's own words: {error}"
    );
    update(
        &mut model,
        Event::Job {
            id: job,
            update: JobUpdate::Finished(result),
        },
    );
    assert!(matches!(&model.jobs[0].state, JobState::Failed(e) if e.contains("no-such-file")));
    assert!(
        model
            .status
            .as_ref()
            .is_some_and(|s| s.text.contains("no-such-file"))
    );
    clean_up(&docker, &[], &[&tag]).await;
}

fn key(c: char) -> crossterm::event::KeyEvent {
    crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char(c))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_inputs_create_nothing() {
    let Some(docker) = engine("invalid_inputs_create_nothing").await else {
        return;
    };
    let count = || async {
        let filters = std::collections::HashMap::from([("label", vec!["pilothouse.test=1"])]);
        let options = bollard::query_parameters::ListContainersOptionsBuilder::default()
            .all(true)
            .filters(&filters)
            .build();
        let containers = docker
            .list_containers(Some(options))
            .await
            .unwrap_or_default();
        containers
            .iter()
            .filter(|c| c.image.as_deref() == Some(MISSING_IMAGE))
            .count()
    };
    let before = count().await;
    // Bad form input never reaches an effect.
    let mut model = Model::new(".".into(), false, SystemTime::now());
    update(
        &mut model,
        Event::Docker(DockerEvent::Images(vec![pilothouse::domain::ImageRow {
            id: "sha256:00".into(),
            repository: "cookbook".into(),
            tag: "latest".into(),
            created: 0,
            size: 0,
        }])),
    );
    update(&mut model, Event::Key(key('2')));
    update(&mut model, Event::Key(key('r')));
    let mut sent = Vec::new();
    for c in "70000:8000".chars() {
        sent.extend(update(&mut model, Event::Key(key(c))));
    }
    sent.extend(update(
        &mut model,
        Event::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Enter,
        )),
    ));
    assert!(
        sent.iter().all(|c| matches!(c, Command::WatchStats(_))),
        "nothing sent: {sent:?}"
    );
    assert!(
        matches!(model.overlay, Overlay::Form(_)),
        "the form stays open with the message"
    );
    // An image the engine does not have: the engine refuses and nothing is left behind.
    let (tx, mut rx) = mpsc::unbounded_channel();
    let run = RunSpec {
        image: MISSING_IMAGE.into(),
        name: None,
        ports: vec![],
        env: vec![],
        labels: vec![("pilothouse.test".into(), "1".into())],
    };
    tokio::spawn(fx::run(docker.clone(), 9, run, tx));
    let (_, result) = job_updates(&mut rx, 9).await;
    let error = result.expect_err("no such image");
    assert!(error.contains("creating the container failed"), "{error}");
    assert_eq!(count().await, before, "no container was created");
}
