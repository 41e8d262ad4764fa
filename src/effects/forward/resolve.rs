//! Which pod a forward reaches, and on which of its ports: the pod itself,
//! or a ready pod of the Deployment's or Service's selector (a Service's port
//! is mapped through its targetPort, a named one looked up in the pod).

use crate::domain::forward::{ForwardKind, ForwardSpec};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::Api;
use kube::api::ListParams;
use std::collections::BTreeMap;

/// Why a pod forward cannot start: its pod is not there (it stops, as kubectl's would).
pub const POD_NOT_FOUND: &str = "its pod is not found";

/// A pod to reach and the port on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub pod: String,
    pub port: u16,
}

/// How the pod a forward reaches is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PodHealth {
    Serving,
    /// It cannot serve: why ("is gone", "is terminating", "is not ready").
    Lost(String),
    /// It is gone for good (a pod forward stops).
    Gone(String),
}

/// How the pod a forward reaches is doing; errors reaching the API count as serving
/// (a forward is not moved because the API server blinked).
pub async fn health(client: &kube::Client, spec: &ForwardSpec, pod: &str) -> PodHealth {
    let pods: Api<Pod> = Api::namespaced(client.clone(), &spec.namespace);
    match pods.get_opt(pod).await {
        Ok(None) => PodHealth::Gone("is gone".to_string()),
        Ok(Some(found)) => {
            let phase = found.status.as_ref().and_then(|s| s.phase.as_deref());
            if matches!(phase, Some("Succeeded" | "Failed")) {
                return PodHealth::Gone(format!("has ended ({})", phase.unwrap_or_default()));
            }
            if spec.kind == ForwardKind::Pod {
                // kubectl keeps a pod forward until the pod is gone: so do we.
                return PodHealth::Serving;
            }
            if found.metadata.deletion_timestamp.is_some() {
                PodHealth::Lost("is terminating".to_string())
            } else if !is_ready(&found) {
                PodHealth::Lost("is not ready".to_string())
            } else {
                PodHealth::Serving
            }
        }
        Err(e) => {
            tracing::debug!(error = %e, pod, "forward: reading the pod failed; kept");
            PodHealth::Serving
        }
    }
}

/// The pod to reach now, or why there is none (the forward waits and says so).
pub async fn resolve(client: &kube::Client, spec: &ForwardSpec) -> Result<Resolved, String> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), &spec.namespace);
    match spec.kind {
        ForwardKind::Pod => match pods.get_opt(&spec.name).await {
            Ok(Some(_)) => Ok(Resolved {
                pod: spec.name.clone(),
                port: spec.remote_port,
            }),
            Ok(None) => Err(POD_NOT_FOUND.to_string()),
            Err(e) => Err(format!("reading pod {}: {}", spec.name, api_error(&e))),
        },
        ForwardKind::Deployment => {
            let deployments: Api<Deployment> = Api::namespaced(client.clone(), &spec.namespace);
            let deployment = deployments
                .get_opt(&spec.name)
                .await
                .map_err(|e| format!("reading {}: {}", spec.target(), api_error(&e)))?
                .ok_or_else(|| format!("deployment {} not found", spec.name))?;
            let labels = deployment
                .spec
                .and_then(|s| s.selector.match_labels)
                .unwrap_or_default();
            let pod = ready_pod(&pods, &labels, spec).await?;
            Ok(Resolved {
                pod: pod.metadata.name.unwrap_or_default(),
                port: spec.remote_port,
            })
        }
        ForwardKind::Service => {
            let services: Api<Service> = Api::namespaced(client.clone(), &spec.namespace);
            let service = services
                .get_opt(&spec.name)
                .await
                .map_err(|e| format!("reading {}: {}", spec.target(), api_error(&e)))?
                .ok_or_else(|| format!("service {} not found", spec.name))?;
            let service_spec = service.spec.unwrap_or_default();
            let target = service_spec
                .ports
                .unwrap_or_default()
                .into_iter()
                .find(|p| p.port == i32::from(spec.remote_port))
                .ok_or_else(|| format!("{} has no port {}", spec.target(), spec.remote_port))?
                .target_port;
            let labels = service_spec.selector.unwrap_or_default();
            if labels.is_empty() {
                return Err(format!("{} selects no pods (no selector)", spec.target()));
            }
            let pod = ready_pod(&pods, &labels, spec).await?;
            let port = match target {
                None => spec.remote_port,
                Some(IntOrString::Int(port)) => {
                    u16::try_from(port).map_err(|_| format!("targetPort {port} is not a port"))?
                }
                Some(IntOrString::String(name)) => named_port(&pod, &name).ok_or_else(|| {
                    format!(
                        "pod {} has no port named {name}",
                        pod.metadata.name.clone().unwrap_or_default()
                    )
                })?,
            };
            Ok(Resolved {
                pod: pod.metadata.name.unwrap_or_default(),
                port,
            })
        }
    }
}

/// The first ready, not terminating pod the labels select, by name (the
/// same pod each time while it lasts).
async fn ready_pod(
    pods: &Api<Pod>,
    labels: &BTreeMap<String, String>,
    spec: &ForwardSpec,
) -> Result<Pod, String> {
    let selector = labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    let list = pods
        .list(&ListParams::default().labels(&selector))
        .await
        .map_err(|e| format!("listing the pods of {}: {}", spec.target(), api_error(&e)))?;
    let mut ready: Vec<Pod> = list
        .items
        .into_iter()
        .filter(|p| p.metadata.deletion_timestamp.is_none() && is_ready(p))
        .collect();
    ready.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    ready
        .into_iter()
        .next()
        .ok_or_else(|| "no ready pod".to_string())
}

fn is_ready(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|conditions| {
            conditions
                .iter()
                .any(|c| c.type_ == "Ready" && c.status == "True")
        })
}

fn named_port(pod: &Pod, name: &str) -> Option<u16> {
    pod.spec
        .as_ref()?
        .containers
        .iter()
        .flat_map(|c| c.ports.iter().flatten())
        .find(|p| p.name.as_deref() == Some(name))
        .and_then(|p| u16::try_from(p.container_port).ok())
}

/// The API server's own message where it sent one.
fn api_error(error: &kube::Error) -> String {
    match error {
        kube::Error::Api(status) => status.message.clone(),
        other => other.to_string(),
    }
}
