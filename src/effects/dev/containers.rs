//! The dev loop's containers: which run the app's image, replacing one with
//! the same name, ports, env and labels on a new build, copying synced files
//! in, and waiting until a published port answers.

use crate::app::core::command::{RunSpec, SyncCopy};
use crate::app::core::validate::PortMap;
use crate::domain::Protocol;
use crate::effects::docker::engine::{engine_error, run_inner};
use bollard::Docker;
use bollard::query_parameters::{
    ListContainersOptionsBuilder, RemoveContainerOptionsBuilder, UploadToContainerOptionsBuilder,
};
use std::path::Path;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One attempt of the ready check while the container is new.
const QUICK_ATTEMPT: Duration = Duration::from_millis(100);

/// How long a replaced container's port may take to answer.
const READY_WITHIN: Duration = Duration::from_secs(60);

/// A running container of the app's image, as created.
#[derive(Debug, Clone)]
pub struct Running {
    pub id: String,
    pub name: String,
    pub image_id: String,
    pub spec: RunSpec,
}

/// `cookbook:latest` -> `cookbook`; `reg:5000/a/b:1` -> `reg:5000/a/b`.
pub fn repository(reference: &str) -> &str {
    let reference = reference.split('@').next().unwrap_or(reference);
    let last_slash = reference.rfind('/').map_or(0, |i| i + 1);
    match reference[last_slash..].rfind(':') {
        Some(colon) => &reference[..last_slash + colon],
        None => reference,
    }
}

/// Running containers created from any tag of `repo` (their configured
/// image, which stays as typed when the tag moves to a new build).
pub async fn running_of(docker: &Docker, repo: &str) -> Result<Vec<Running>, String> {
    let options = ListContainersOptionsBuilder::default().all(false).build();
    let listed = docker
        .list_containers(Some(options))
        .await
        .map_err(|e| engine_error("listing containers", &e))?;
    let mut found = Vec::new();
    for summary in listed {
        let Some(id) = summary.id else { continue };
        let shown = summary.image.unwrap_or_default();
        // A moved tag shows as an image id: look inside those, and at the repository's own.
        if repository(&shown) != repo && !shown.starts_with("sha256:") && !is_hex(&shown) {
            continue;
        }
        let Ok(inspected) = docker.inspect_container(&id, None).await else {
            continue;
        };
        let config = inspected.config.unwrap_or_default();
        let configured = config.image.clone().unwrap_or_default();
        if repository(&configured) != repo {
            continue;
        }
        let image_id = inspected.image.unwrap_or_default();
        let image_env = match docker.inspect_image(&image_id).await {
            Ok(image) => image.config.and_then(|c| c.env).unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        let name = inspected
            .name
            .unwrap_or_default()
            .trim_start_matches('/')
            .to_string();
        let ports = inspected
            .host_config
            .and_then(|h| h.port_bindings)
            .map(|bindings| port_maps(&bindings))
            .unwrap_or_default();
        // The image's own ENV lines come with it; only what the run added is carried over.
        let env = config
            .env
            .unwrap_or_default()
            .into_iter()
            .filter(|entry| !image_env.contains(entry))
            .filter_map(|entry| {
                entry
                    .split_once('=')
                    .map(|(k, v)| (k.to_string(), v.to_string()))
            })
            .collect();
        let mut labels: Vec<(String, String)> =
            config.labels.unwrap_or_default().into_iter().collect();
        labels.sort();
        found.push(Running {
            id,
            name: name.clone(),
            image_id,
            spec: RunSpec {
                image: configured,
                name: Some(name),
                ports,
                env,
                labels,
            },
        });
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

fn is_hex(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_hexdigit())
}

type Bindings = std::collections::HashMap<String, Option<Vec<bollard::models::PortBinding>>>;

fn port_maps(bindings: &Bindings) -> Vec<PortMap> {
    let mut maps = Vec::new();
    for (key, list) in bindings {
        let (port, proto) = key.split_once('/').unwrap_or((key, "tcp"));
        let Ok(container_port) = port.parse::<u16>() else {
            continue;
        };
        let protocol = match proto {
            "udp" => Protocol::Udp,
            "sctp" => Protocol::Sctp,
            _ => Protocol::Tcp,
        };
        for binding in list.iter().flatten() {
            let host_port = binding
                .host_port
                .as_deref()
                .and_then(|p| p.parse::<u16>().ok())
                .unwrap_or(0);
            let host_ip = binding
                .host_ip
                .clone()
                .filter(|ip| !ip.is_empty())
                .unwrap_or_else(|| "0.0.0.0".to_string());
            maps.push(PortMap {
                host_ip,
                host_port,
                container_port,
                protocol,
            });
        }
    }
    maps.sort_by_key(|m| (m.container_port, m.host_port));
    maps
}

/// `docker rm -f NAME && docker run -d …` with the new build; the spec used.
pub async fn replace(docker: &Docker, old: &Running, image: &str) -> Result<RunSpec, String> {
    docker
        .remove_container(
            &old.id,
            Some(RemoveContainerOptionsBuilder::default().force(true).build()),
        )
        .await
        .map_err(|e| engine_error(&format!("removing {}", old.name), &e))?;
    let spec = RunSpec {
        image: image.to_string(),
        ..old.spec.clone()
    };
    run_inner(docker, &spec)
        .await
        .map_err(|e| format!("{}: {e}", old.name))?;
    Ok(spec)
}

/// `docker cp` of each file: one tar, unpacked at `/` in the container.
pub async fn copy_in(
    docker: &Docker,
    container: &Running,
    context: &Path,
    copies: &[SyncCopy],
) -> Result<(), String> {
    let context = context.to_path_buf();
    let copies = copies.to_vec();
    let tar = tokio::task::spawn_blocking(move || sync_tar(&context, &copies))
        .await
        .map_err(|e| format!("packing the synced files failed: {e}"))??;
    let options = UploadToContainerOptionsBuilder::default().path("/").build();
    docker
        .upload_to_container(&container.id, Some(options), bollard::body_full(tar.into()))
        .await
        .map_err(|e| engine_error(&format!("copying into {}", container.name), &e))
}

/// The synced files, each at its path in the container.
pub fn sync_tar(context: &Path, copies: &[SyncCopy]) -> Result<Vec<u8>, String> {
    let mut builder = tar::Builder::new(Vec::new());
    for copy in copies {
        let source = context.join(&copy.from);
        let content =
            std::fs::read(&source).map_err(|e| format!("cannot read {}: {e}", source.display()))?;
        let mode = std::fs::metadata(&source)
            .map(|m| std::os::unix::fs::PermissionsExt::mode(&m.permissions()))
            .unwrap_or(0o644);
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(mode & 0o7777);
        header.set_mtime(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        );
        builder
            .append_data(
                &mut header,
                copy.to.trim_start_matches('/'),
                content.as_slice(),
            )
            .map_err(|e| format!("cannot pack {}: {e}", copy.from))?;
    }
    builder
        .into_inner()
        .map_err(|e| format!("cannot finish the sync archive: {e}"))
}

/// Wait until each published TCP port answers a request on 127.0.0.1.
pub async fn wait_answering(spec: &RunSpec) -> Result<(), String> {
    let name = spec.name.as_deref().unwrap_or("the container");
    let deadline = Instant::now() + READY_WITHIN;
    for port in spec.ports.iter().filter(|p| p.protocol == Protocol::Tcp) {
        if port.host_port == 0 {
            continue;
        }
        // A request sent while the container's network is still being wired sits
        // in a SYN retransmit for a second: short attempts win that. An app slow
        // to answer gets longer ones after a few seconds.
        let started = Instant::now();
        let mut patience = QUICK_ATTEMPT;
        while !answers(port.host_port, patience).await {
            if started.elapsed() > Duration::from_secs(3) {
                patience = (patience * 2).min(Duration::from_secs(2));
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "{name} runs, but 127.0.0.1:{} did not answer within {} s",
                    port.host_port,
                    READY_WITHIN.as_secs()
                ));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    Ok(())
}

/// Some answer to a plain HTTP request: Docker's proxy accepts a connection
/// before the app listens, so a connect alone proves nothing.
async fn answers(port: u16, patience: Duration) -> bool {
    let attempt = async {
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .ok()?;
        stream
            .write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
            .await
            .ok()?;
        let mut byte = [0u8; 1];
        (stream.read(&mut byte).await.ok()? > 0).then_some(())
    };
    let started = Instant::now();
    let answered = tokio::time::timeout(patience, attempt)
        .await
        .ok()
        .flatten()
        .is_some();
    tracing::debug!(port, answered, took = ?started.elapsed(), "ready check");
    answered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories_drop_the_tag_not_the_registry_port() {
        assert_eq!(repository("cookbook:latest"), "cookbook");
        assert_eq!(repository("cookbook"), "cookbook");
        assert_eq!(repository("reg:5000/a/b:1"), "reg:5000/a/b");
        assert_eq!(repository("reg:5000/a/b"), "reg:5000/a/b");
        assert_eq!(repository("a/b@sha256:00"), "a/b");
    }

    #[test]
    fn the_sync_archive_holds_each_file_at_its_container_path() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("templates")).expect("mkdir");
        std::fs::write(dir.path().join("templates/index.html"), "new").expect("write");
        let tar = sync_tar(
            dir.path(),
            &[SyncCopy {
                from: "templates/index.html".into(),
                to: "/app/templates/index.html".into(),
            }],
        )
        .expect("packs");
        let mut archive = tar::Archive::new(tar.as_slice());
        let names: Vec<String> = archive
            .entries()
            .expect("entries")
            .map(|e| {
                e.expect("entry")
                    .path()
                    .expect("path")
                    .display()
                    .to_string()
            })
            .collect();
        assert_eq!(names, vec!["app/templates/index.html"]);
        let missing = sync_tar(
            dir.path(),
            &[SyncCopy {
                from: "gone.html".into(),
                to: "/app/gone.html".into(),
            }],
        );
        assert!(missing.unwrap_err().contains("gone.html"));
    }
}
