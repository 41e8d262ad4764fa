//! Against the real Docker engine: build a tiny busybox image from scratch,
//! see it through the source, run it on a 127.0.0.1 port, fetch from it, read
//! its logs and stats, stop and remove it; a broken Dockerfile shows the
//! engine's error; invalid input creates nothing.

mod common;

use common::scenario::{self, Expect, job_updates};
use common::*;
use pilothouse::app::core::command::{BuildSpec, Command, RunSpec};
use pilothouse::app::core::event::{DockerEvent, Event, JobUpdate};
use pilothouse::app::core::model::{JobState, Model, Overlay};
use pilothouse::app::update;
use pilothouse::effects::docker::engine as fx;
use pilothouse::sources::docker_endpoint::DockerEnv;
use std::time::SystemTime;
use tokio::sync::mpsc;

const MISSING_IMAGE: &str = "pilothouse-test-no-such-image:never";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn build_run_fetch_logs_stats_stop_remove() {
    let Some(docker) = engine("build_run_fetch_logs_stats_stop_remove").await else {
        return;
    };
    let tag = format!("pilothouse-test-www:{}", std::process::id());
    let name = format!("pilothouse-test-{}", std::process::id());
    let dir = tempfile::tempdir().expect("tempdir");
    let page = format!("hello from pilothouse test {}", std::process::id());
    busybox_context(dir.path(), &page);
    let expect = Expect {
        page,
        log_line: "response:200".into(),
    };
    // The scenario asserts as it goes: run it as a task of its own, so that a failed
    // assertion still leaves the clean-up below to run.
    let scenario = {
        let (docker, context) = (docker.clone(), dir.path().to_path_buf());
        let (tag, name) = (tag.clone(), name.clone());
        tokio::spawn(async move {
            scenario::run(
                &docker,
                DockerEnv::from_process(),
                &context,
                &tag,
                &name,
                &expect,
            )
            .await
        })
    };
    let outcome = scenario.await;
    clean_up(&docker, &[&name], &[&tag]).await;
    match outcome {
        Ok(result) => result.unwrap_or_else(|e| panic!("{e}")),
        Err(panicked) => std::panic::resume_unwind(panicked.into_panic()),
    }
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
            builder: pilothouse::domain::Builder::BuildKit,
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
    tokio::spawn(pilothouse::effects::docker::build::build(
        common::local_engine().await,
        job,
        spec,
        tx,
    ));
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
    assert!(matches!(&model.jobs.list[0].state, JobState::Failed(e) if e.contains("no-such-file")));
    assert!(
        model
            .shared
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
        matches!(model.shared.overlay, Overlay::Form(_)),
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
