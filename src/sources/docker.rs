//! The Docker source: connects as the docker CLI does, keeps the container
//! and image lists live from the events API plus a periodic relist, and
//! reconnects with backoff when the engine goes away.

use super::docker_endpoint::{DockerEnv, EngineClient, connect_engine, resolve};
use super::{Backoff, RECONNECT_CEILING, describe};
use crate::app::core::event::{DockerEvent, Event};
use crate::domain::minikube::MinikubeDockerEnv;
use crate::domain::{ContainerRow, ContainerState, EndpointLabel, ImageRow, PortMapping, Protocol};
use bollard::Docker;
use bollard::models::{ContainerSummary, ImageSummary, PortSummaryTypeEnum};
use bollard::query_parameters::{
    EventsOptionsBuilder, ListContainersOptionsBuilder, ListImagesOptionsBuilder,
};
use futures::StreamExt;
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// After an engine event, wait this long for more before relisting, so a
/// burst (a build creates many) costs one relist.
const EVENT_DEBOUNCE: Duration = Duration::from_millis(150);

pub struct DockerSource {
    /// Read again on every attempt, so a fixed docker config is picked up without a restart.
    pub env: DockerEnv,
    pub refresh: Duration,
    pub events: mpsc::UnboundedSender<Event>,
    /// The live client, for the effects; None while disconnected.
    pub client: watch::Sender<Option<EngineClient>>,
}

impl DockerSource {
    pub async fn run(self) {
        self.run_switchable(watch::channel(None).1).await
    }

    /// Run, and move to minikube's engine (or back) whenever `switch` says so.
    pub async fn run_switchable(self, mut switch: watch::Receiver<Option<MinikubeDockerEnv>>) {
        let send = |event| self.events.send(Event::Docker(event)).is_ok();
        let mut backoff = Backoff::new(Duration::from_secs(1), RECONNECT_CEILING);
        loop {
            let engine = switch.borrow_and_update().clone();
            let endpoint = match &engine {
                None => resolve(&self.env),
                Some(minikube) => resolve(&minikube_env(minikube)).map(|mut endpoint| {
                    endpoint.origin = format!("minikube -p {} docker-env", minikube.profile);
                    endpoint
                }),
            };
            if let Ok(endpoint) = &endpoint {
                send(DockerEvent::Endpoint(EndpointLabel {
                    host: endpoint.host.clone(),
                    origin: endpoint.origin.clone(),
                }));
            }
            if !send(DockerEvent::Connecting) {
                return;
            }
            let attempt = match endpoint {
                Ok(endpoint) => connect_engine(endpoint, self.env.buildkit.as_deref()).await,
                Err(err) => Err(format!("{err:#}")),
            };
            let reason = match attempt {
                Ok((engine, info)) => {
                    backoff.reset();
                    let docker = engine.docker.clone();
                    self.client.send_replace(Some(engine));
                    send(DockerEvent::Connected(info));
                    let reason = tokio::select! {
                        reason = self.watch_engine(&docker) => Some(reason),
                        _ = switched(&mut switch) => None,
                    };
                    self.client.send_replace(None);
                    match reason {
                        Some(reason) => reason,
                        // Another engine was chosen: connect to it at once.
                        None => continue,
                    }
                }
                Err(reason) => reason,
            };
            let retry_in = backoff.next_delay();
            tracing::warn!(%reason, ?retry_in, "docker engine unreachable");
            if !send(DockerEvent::Disconnected { reason, retry_in }) {
                return;
            }
            tokio::select! {
                _ = tokio::time::sleep(retry_in) => {}
                _ = switched(&mut switch) => backoff.reset(),
            }
        }
    }

    /// Keep the lists live until the engine fails; returns why it stopped.
    async fn watch_engine(&self, docker: &Docker) -> String {
        let mut lists = Lists::default();
        if let Err(reason) = lists.relist(docker, &self.events).await {
            return reason;
        }
        let filters = HashMap::from([("type", vec!["container", "image"])]);
        let mut engine_events = docker.events(Some(
            EventsOptionsBuilder::default().filters(&filters).build(),
        ));
        let mut ticker = tokio::time::interval(self.refresh);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticker.tick().await;
        let mut relist_at: Option<tokio::time::Instant> = None;
        loop {
            let debounce = async {
                match relist_at {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                event = engine_events.next() => match event {
                    Some(Ok(_)) => {
                        relist_at.get_or_insert_with(|| tokio::time::Instant::now() + EVENT_DEBOUNCE);
                    }
                    Some(Err(err)) => return describe(&err),
                    None => return "the engine closed its event stream".to_string(),
                },
                _ = debounce => {
                    relist_at = None;
                    if let Err(reason) = lists.relist(docker, &self.events).await {
                        return reason;
                    }
                }
                _ = ticker.tick() => {
                    if let Err(reason) = lists.relist(docker, &self.events).await {
                        return reason;
                    }
                }
            }
            if self.events.is_closed() {
                return "pilothouse is stopping".to_string();
            }
        }
    }
}

/// Resolves when the engine choice changes; never, once nobody can change it.
async fn switched(switch: &mut watch::Receiver<Option<MinikubeDockerEnv>>) {
    if switch.changed().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// minikube's docker-env, as the environment the docker CLI would see after `eval $(minikube docker-env)`.
fn minikube_env(minikube: &MinikubeDockerEnv) -> DockerEnv {
    DockerEnv {
        docker_host: Some(minikube.host.clone()),
        tls_verify: minikube.tls_verify,
        cert_path: minikube.cert_path.clone(),
        ..Default::default()
    }
}

/// What was sent last, so an unchanged relist sends nothing (and draws nothing).
#[derive(Default)]
struct Lists {
    containers: Option<Vec<ContainerRow>>,
    images: Option<Vec<ImageRow>>,
}

impl Lists {
    async fn relist(
        &mut self,
        docker: &Docker,
        events: &mpsc::UnboundedSender<Event>,
    ) -> Result<(), String> {
        let containers = docker
            .list_containers(Some(
                ListContainersOptionsBuilder::default().all(true).build(),
            ))
            .await
            .map_err(|e| format!("listing containers failed: {}", describe(&e)))?;
        let images = docker
            .list_images(Some(ListImagesOptionsBuilder::default().build()))
            .await
            .map_err(|e| format!("listing images failed: {}", describe(&e)))?;
        let containers: Vec<ContainerRow> = containers.into_iter().map(container_row).collect();
        let images: Vec<ImageRow> = images.into_iter().flat_map(image_rows).collect();
        if self.containers.as_ref() != Some(&containers) {
            self.containers = Some(containers.clone());
            let _ = events.send(Event::Docker(DockerEvent::Containers(containers)));
        }
        if self.images.as_ref() != Some(&images) {
            self.images = Some(images.clone());
            let _ = events.send(Event::Docker(DockerEvent::Images(images)));
        }
        Ok(())
    }
}

pub fn container_row(summary: ContainerSummary) -> ContainerRow {
    let mut ports: Vec<PortMapping> = summary
        .ports
        .unwrap_or_default()
        .into_iter()
        .map(|p| PortMapping {
            host_ip: p.ip.filter(|ip| !ip.is_empty()),
            host_port: p.public_port,
            container_port: p.private_port,
            protocol: match p.typ {
                Some(PortSummaryTypeEnum::UDP) => Protocol::Udp,
                Some(PortSummaryTypeEnum::SCTP) => Protocol::Sctp,
                _ => Protocol::Tcp,
            },
        })
        .collect();
    // Published ports first: they are the ones a user opens.
    ports.sort_by_key(|p| {
        (
            p.host_port.is_none(),
            p.container_port,
            p.protocol,
            p.host_ip.clone(),
        )
    });
    ports.dedup();
    let name = summary
        .names
        .unwrap_or_default()
        .first()
        .map(|n| n.trim_start_matches('/').to_string())
        .unwrap_or_default();
    ContainerRow {
        id: summary.id.unwrap_or_default(),
        image: summary.image.unwrap_or_default(),
        command: summary.command.unwrap_or_default(),
        created: summary.created.unwrap_or_default(),
        state: summary
            .state
            .map(|s| ContainerState::parse(s.as_ref()))
            .unwrap_or(ContainerState::Unknown),
        status: summary.status.unwrap_or_default(),
        ports,
        name,
    }
}

/// One row per repository tag, as `docker images` lists them.
pub fn image_rows(summary: ImageSummary) -> Vec<ImageRow> {
    let row = |repository: &str, tag: &str| ImageRow {
        id: summary.id.clone(),
        repository: repository.to_string(),
        tag: tag.to_string(),
        created: summary.created,
        size: summary.size.max(0) as u64,
    };
    let tags: Vec<ImageRow> = summary
        .repo_tags
        .iter()
        .filter(|t| t.as_str() != "<none>:<none>")
        .filter_map(|t| t.rsplit_once(':').map(|(repo, tag)| row(repo, tag)))
        .collect();
    if tags.is_empty() {
        vec![row("<none>", "<none>")]
    } else {
        tags
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_map_to_rows_as_docker_ps_shows_them() {
        let summary: ContainerSummary = serde_json::from_value(serde_json::json!({
            "Id": "3f2a9c81b7d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e",
            "Names": ["/cookbook-web"],
            "Image": "cookbook:latest",
            "Command": "python run.py",
            "Created": 1_800_000_000,
            "State": "running",
            "Status": "Up 5 minutes",
            "Ports": [
                {"IP": "127.0.0.1", "PrivatePort": 8000, "PublicPort": 8000, "Type": "tcp"},
                {"PrivatePort": 53, "Type": "udp"}
            ]
        }))
        .unwrap();
        let row = container_row(summary);
        assert_eq!(row.name, "cookbook-web");
        assert_eq!(row.state, ContainerState::Running);
        assert_eq!(
            crate::domain::format_ports(&row.ports),
            "127.0.0.1:8000->8000/tcp, 53/udp"
        );
        assert_eq!(row.first_url().as_deref(), Some("http://127.0.0.1:8000/"));
    }

    #[test]
    fn images_get_a_row_per_tag_and_untagged_ones_show_none() {
        let summary: ImageSummary = serde_json::from_value(serde_json::json!({
            "Id": "sha256:5d1c2e3f4a5b00000000000000000000000000000000000000000000000000",
            "ParentId": "", "RepoTags": ["cookbook:latest", "localhost:5000/cookbook:v1"], "RepoDigests": [],
            "Created": 1_800_000_000, "Size": 72_500_000, "SharedSize": -1, "Labels": {}, "Containers": -1
        }))
        .unwrap();
        let rows = image_rows(summary.clone());
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].repository, "localhost:5000/cookbook");
        assert_eq!(rows[1].tag, "v1");
        let untagged = image_rows(ImageSummary {
            repo_tags: vec![],
            ..summary
        });
        assert_eq!(untagged[0].repository, "<none>");
        assert_eq!(untagged[0].reference(), "5d1c2e3f4a5b");
    }
}
