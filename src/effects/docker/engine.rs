//! Docker commands (builds are in `build.rs`): push, run, start/stop/restart/remove, and the two
//! streams that follow one container (logs, stats).

use super::build_stream::engine_reason;
use crate::app::core::command::{ContainerOp, JobId, RunSpec};
use crate::app::core::event::{DockerEvent, Event, JobUpdate};
use crate::domain::StatsSample;
use crate::sources::describe;
use bollard::Docker;
use bollard::container::LogOutput;
use bollard::models::{ContainerCreateBody, ContainerStatsResponse, HostConfig, PortBinding};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, LogsOptionsBuilder, RemoveContainerOptionsBuilder,
    RemoveImageOptionsBuilder, StatsOptionsBuilder,
};
use futures::StreamExt;
use std::collections::HashMap;
use tokio::sync::mpsc::UnboundedSender;

pub type Sender = UnboundedSender<Event>;

fn job(tx: &Sender, id: JobId, update: JobUpdate) {
    let _ = tx.send(Event::Job { id, update });
}

/// `docker push IMAGE`, with the registry's credentials (never logged or shown);
/// the engine's progress lines go into the job.
pub(crate) async fn push(
    docker: &Docker,
    id: JobId,
    image: &str,
    credentials: bollard::auth::DockerCredentials,
    tx: &Sender,
) -> Result<String, String> {
    // The tag is after the last ':' that follows the last '/'.
    let last_slash = image.rfind('/').unwrap_or(0);
    let (name, tag) = match image[last_slash..].rfind(':') {
        Some(at) => (&image[..last_slash + at], &image[last_slash + at + 1..]),
        None => (image, "latest"),
    };
    let options = bollard::query_parameters::PushImageOptionsBuilder::default()
        .tag(tag)
        .build();
    let mut stream = docker.push_image(name, Some(options), Some(credentials));
    let mut last = String::new();
    while let Some(item) = stream.next().await {
        let info = item.map_err(|e| format!("pushing {image} failed: {}", describe(&e)))?;
        if let Some(detail) = info.error_detail {
            return Err(format!(
                "pushing {image} failed: {}",
                engine_reason(detail, "the registry refused it")
            ));
        }
        if let Some(status) = info.status {
            job(tx, id, JobUpdate::Output(vec![status.clone()]));
            last = status;
        }
    }
    Ok(last)
}

/// `docker run -d`: create, then start.
pub async fn run(docker: Docker, id: JobId, spec: RunSpec, tx: Sender) {
    let result = run_inner(&docker, &spec).await;
    job(&tx, id, JobUpdate::Finished(result));
}

pub async fn run_inner(docker: &Docker, spec: &RunSpec) -> Result<String, String> {
    let mut bindings: HashMap<String, Option<Vec<PortBinding>>> = HashMap::new();
    for port in &spec.ports {
        bindings
            .entry(port.container_key())
            .or_insert_with(|| Some(Vec::new()))
            .get_or_insert_with(Vec::new)
            .push(PortBinding {
                host_ip: Some(port.host_ip.clone()),
                host_port: Some(port.host_port.to_string()),
            });
    }
    let mut exposed: Vec<String> = bindings.keys().cloned().collect();
    exposed.sort();
    let body = ContainerCreateBody {
        image: Some(spec.image.clone()),
        env: Some(spec.env.iter().map(|(k, v)| format!("{k}={v}")).collect()),
        labels: Some(spec.labels.iter().cloned().collect()),
        exposed_ports: Some(exposed),
        host_config: Some(HostConfig {
            port_bindings: Some(bindings),
            ..Default::default()
        }),
        ..Default::default()
    };
    let options = spec
        .name
        .as_ref()
        .map(|name| CreateContainerOptionsBuilder::default().name(name).build());
    let created = docker
        .create_container(options, body)
        .await
        .map_err(|e| engine_error("creating the container", &e))?;
    if let Err(err) = docker.start_container(&created.id, None).await {
        // Leave nothing half-made behind: the user asked for a running container.
        let _ = docker
            .remove_container(
                &created.id,
                Some(RemoveContainerOptionsBuilder::default().force(true).build()),
            )
            .await;
        return Err(engine_error("starting the container", &err));
    }
    Ok(format!(
        "started {} from {}",
        spec.name
            .clone()
            .unwrap_or_else(|| crate::domain::short_id(&created.id).to_string()),
        spec.image
    ))
}

pub(crate) fn engine_error(doing: &str, err: &bollard::errors::Error) -> String {
    match err {
        bollard::errors::Error::DockerResponseServerError { message, .. } => {
            format!("{doing} failed: {message}")
        }
        other => format!("{doing} failed: {}", describe(other)),
    }
}

pub async fn container_op(
    docker: Docker,
    id: JobId,
    container: String,
    op: ContainerOp,
    tx: Sender,
) {
    let result = match op {
        ContainerOp::Start => docker.start_container(&container, None).await,
        ContainerOp::Stop => docker.stop_container(&container, None).await,
        ContainerOp::Restart => docker.restart_container(&container, None).await,
        ContainerOp::Remove => {
            docker
                .remove_container(
                    &container,
                    Some(RemoveContainerOptionsBuilder::default().force(true).build()),
                )
                .await
        }
    };
    let done = match op {
        ContainerOp::Start => "started",
        ContainerOp::Stop => "stopped",
        ContainerOp::Restart => "restarted",
        ContainerOp::Remove => "removed",
    };
    let result = result
        .map(|_| done.to_string())
        .map_err(|e| engine_error(op.verb(), &e));
    job(&tx, id, JobUpdate::Finished(result));
}

pub async fn remove_image(docker: Docker, id: JobId, reference: String, tx: Sender) {
    let result = docker
        .remove_image(
            &reference,
            Some(RemoveImageOptionsBuilder::default().build()),
            None,
        )
        .await
        .map(|deleted| format!("removed ({} layers)", deleted.len()))
        .map_err(|e| engine_error("removing the image", &e));
    job(&tx, id, JobUpdate::Finished(result));
}

/// The ports an image exposes; a failure only means no suggestion.
/// The lowest TCP port an image EXPOSEs ("8000/tcp" gives 8000).
pub async fn first_exposed_tcp_port(docker: &Docker, reference: &str) -> Option<u16> {
    let image = docker.inspect_image(reference).await.ok()?;
    let mut ports: Vec<u16> = image
        .config?
        .exposed_ports?
        .iter()
        .filter_map(|p| p.strip_suffix("/tcp")?.parse().ok())
        .collect();
    ports.sort_unstable();
    ports.first().copied()
}

pub async fn exposed_ports(docker: Docker, reference: String, tx: Sender) {
    match docker.inspect_image(&reference).await {
        Ok(image) => {
            let mut ports = image
                .config
                .and_then(|c| c.exposed_ports)
                .unwrap_or_default();
            ports.sort();
            let _ = tx.send(Event::Docker(DockerEvent::ImageExposedPorts {
                reference,
                ports,
            }));
        }
        Err(err) => tracing::debug!(%reference, error = %describe(&err), "cannot inspect image"),
    }
}

/// Follow a container's logs, the last 500 lines first, in batches.
pub async fn follow_logs(docker: Docker, container: String, tx: Sender) {
    let options = LogsOptionsBuilder::default()
        .follow(true)
        .stdout(true)
        .stderr(true)
        .tail("500")
        .build();
    let mut stream = docker.logs(&container, Some(options)).ready_chunks(256);
    let mut partial = String::new();
    while let Some(chunk) = stream.next().await {
        let mut lines = Vec::new();
        for item in chunk {
            match item {
                Ok(output) => {
                    let bytes = match output {
                        LogOutput::StdOut { message }
                        | LogOutput::StdErr { message }
                        | LogOutput::Console { message }
                        | LogOutput::StdIn { message } => message,
                    };
                    partial.push_str(&String::from_utf8_lossy(&bytes));
                    while let Some(pos) = partial.find('\n') {
                        let line: String = partial.drain(..=pos).collect();
                        lines.push(line.trim_end_matches(['\n', '\r']).to_string());
                    }
                }
                Err(err) => {
                    let reason = Some(describe(&err));
                    let _ = tx.send(Event::LogsEnded {
                        key: container.clone(),
                        reason,
                    });
                    return;
                }
            }
        }
        if !lines.is_empty()
            && tx
                .send(Event::LogLines {
                    key: container.clone(),
                    lines,
                })
                .is_err()
        {
            return;
        }
    }
    if !partial.is_empty() {
        let _ = tx.send(Event::LogLines {
            key: container.clone(),
            lines: vec![partial],
        });
    }
    let _ = tx.send(Event::LogsEnded {
        key: container,
        reason: None,
    });
}

/// The stats stream of one container, one sample a second.
pub async fn watch_stats(docker: Docker, container: String, tx: Sender) {
    let options = StatsOptionsBuilder::default().stream(true).build();
    let mut stream = docker.stats(&container, Some(options));
    while let Some(Ok(stats)) = stream.next().await {
        let Some(sample) = stats_sample(&stats) else {
            continue;
        };
        if tx
            .send(Event::Docker(DockerEvent::Stats {
                id: container.clone(),
                sample,
            }))
            .is_err()
        {
            return;
        }
    }
}

/// CPU and memory the way `docker stats` computes them.
pub fn stats_sample(stats: &ContainerStatsResponse) -> Option<StatsSample> {
    let cpu = stats.cpu_stats.as_ref()?;
    let pre = stats.precpu_stats.as_ref();
    let total = cpu
        .cpu_usage
        .as_ref()
        .and_then(|u| u.total_usage)
        .unwrap_or(0);
    let pre_total = pre
        .and_then(|p| p.cpu_usage.as_ref())
        .and_then(|u| u.total_usage)
        .unwrap_or(0);
    let system = cpu.system_cpu_usage.unwrap_or(0);
    let pre_system = pre.and_then(|p| p.system_cpu_usage).unwrap_or(0);
    let cpus = cpu
        .online_cpus
        .map(u64::from)
        .or_else(|| {
            cpu.cpu_usage
                .as_ref()
                .and_then(|u| u.percpu_usage.as_ref())
                .map(|v| v.len() as u64)
        })
        .unwrap_or(1);
    let cpu_delta = total.saturating_sub(pre_total) as f64;
    let system_delta = system.saturating_sub(pre_system) as f64;
    let cpu_percent = if system_delta > 0.0 {
        cpu_delta / system_delta * cpus as f64 * 100.0
    } else {
        0.0
    };
    let memory = stats.memory_stats.as_ref();
    let usage = memory.and_then(|m| m.usage).unwrap_or(0);
    // Page cache is not the container's working set: cgroup v2 calls it inactive_file, v1 total_inactive_file.
    let inactive = memory
        .and_then(|m| m.stats.as_ref())
        .and_then(|s| {
            s.get("inactive_file")
                .or_else(|| s.get("total_inactive_file"))
                .copied()
        })
        .unwrap_or(0);
    Some(StatsSample {
        cpu_percent,
        memory_bytes: usage.saturating_sub(inactive),
        memory_limit: memory.and_then(|m| m.limit).unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_compute_like_docker_stats() {
        let stats: ContainerStatsResponse = serde_json::from_value(serde_json::json!({
            "cpu_stats": {"cpu_usage": {"total_usage": 2_000_000_000u64}, "system_cpu_usage": 20_000_000_000u64, "online_cpus": 2},
            "precpu_stats": {"cpu_usage": {"total_usage": 1_000_000_000u64}, "system_cpu_usage": 10_000_000_000u64},
            "memory_stats": {"usage": 30_000_000u64, "limit": 2_000_000_000u64, "stats": {"inactive_file": 10_000_000u64}}
        }))
        .unwrap();
        let sample = stats_sample(&stats).unwrap();
        assert!(
            (sample.cpu_percent - 20.0).abs() < 1e-9,
            "{}",
            sample.cpu_percent
        );
        assert_eq!(sample.memory_bytes, 20_000_000);
        assert_eq!(sample.memory_limit, 2_000_000_000);
    }
}
