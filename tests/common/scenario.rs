//! The Docker half of the walkthrough driven through pilothouse's own source
//! and effects: build, see the image, read its EXPOSE, run it on a loopback
//! port, fetch, logs, stats, stop, remove. Run against the real engine and
//! against the simulated one.

use super::*;
use pilothouse::app::core::command::{BuildSpec, ContainerOp, RunSpec};
use pilothouse::app::core::event::{DockerEvent, Event, JobUpdate};
use pilothouse::app::core::validate::port_maps;
use pilothouse::effects::docker::engine as fx;
use pilothouse::sources::docker::DockerSource;
use pilothouse::sources::docker_endpoint::DockerEnv;
use std::path::Path;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// What the served page and the logs must show: they differ between the
/// real busybox httpd and the simulated engine.
pub struct Expect {
    pub page: String,
    pub log_line: String,
}

/// Run a job effect and collect its updates until it finishes.
pub async fn job_updates(
    rx: &mut mpsc::UnboundedReceiver<Event>,
    id: u64,
) -> (Vec<JobUpdate>, Result<String, String>) {
    job_updates_keeping(rx, id, &mut Vec::new()).await
}

/// As `job_updates`, keeping the other events that arrive meanwhile: a list
/// update can come before the job's end, and must not be lost.
pub async fn job_updates_keeping(
    rx: &mut mpsc::UnboundedReceiver<Event>,
    id: u64,
    others: &mut Vec<Event>,
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
        other => {
            others.push(other);
            None
        }
    })
    .await;
    (updates, result)
}

/// The first kept event `pick` accepts, else the next one to arrive.
pub async fn seen_or_next<T>(
    rx: &mut mpsc::UnboundedReceiver<Event>,
    others: &mut Vec<Event>,
    what: &str,
    mut pick: impl FnMut(Event) -> Option<T>,
) -> T {
    for event in others.drain(..) {
        if let Some(found) = pick(event) {
            return found;
        }
    }
    next_matching(rx, what, pick).await
}

pub async fn run(
    docker: &bollard::Docker,
    env: DockerEnv,
    context: &Path,
    tag: &str,
    name: &str,
    expect: &Expect,
) -> Result<(), String> {
    let (tx, mut rx) = mpsc::unbounded_channel();

    // The source reports the engine and keeps lists live.
    let (client_tx, client_rx) = watch::channel(None);
    let source = DockerSource {
        env,
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
        context: context.to_path_buf(),
        dockerfile: "Dockerfile".into(),
        tag: tag.to_string(),
    };
    let engine = client_rx
        .borrow()
        .clone()
        .ok_or("the source said Connected without publishing its client")?;
    // BuildKit counts the two COPY steps (metadata such as LABEL or CMD is no step of
    // its own); the classic builder (DOCKER_BUILDKIT=0) counts all six instructions.
    let last_step = match engine.builder {
        pilothouse::domain::Builder::BuildKit => (2, 2),
        pilothouse::domain::Builder::Classic { .. } => (6, 6),
    };
    tokio::spawn(pilothouse::effects::docker::build::build(
        engine,
        1,
        spec,
        tx.clone(),
    ));
    let mut others = Vec::new();
    let (updates, result) = job_updates_keeping(&mut rx, 1, &mut others).await;
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
        Some(&last_step),
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
    seen_or_next(
        &mut rx,
        &mut others,
        "the built image in Images",
        |e| match e {
            Event::Docker(DockerEvent::Images(rows))
                if rows
                    .iter()
                    .any(|r| r.repository == repo && r.tag == version) =>
            {
                Some(())
            }
            _ => None,
        },
    )
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
    let (_, result) = job_updates_keeping(&mut rx, 2, &mut others).await;
    result.map_err(|e| format!("run failed: {e}"))?;
    let container = seen_or_next(
        &mut rx,
        &mut others,
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
    assert!(body.contains(&expect.page), "served page: {body}");

    // Logs and stats arrive.
    tokio::spawn(fx::follow_logs(
        docker.clone(),
        container.id.clone(),
        tx.clone(),
    ));
    let line = next_matching(&mut rx, "a log line", |e| match e {
        Event::LogLines { lines, .. } => lines.into_iter().find(|l| l.contains(&expect.log_line)),
        _ => None,
    })
    .await;
    assert!(line.contains(&expect.log_line), "{line}");
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
    let (_, result) = job_updates_keeping(&mut rx, 4, &mut others).await;
    assert_eq!(result, Ok("removed".to_string()));
    seen_or_next(
        &mut rx,
        &mut others,
        "the container gone from the list",
        |e| match e {
            Event::Docker(DockerEvent::Containers(rows))
                if !rows.iter().any(|r| r.name == name) =>
            {
                Some(())
            }
            _ => None,
        },
    )
    .await;
    source_task.abort();
    Ok(())
}
