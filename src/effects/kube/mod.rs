//! The Kubernetes family: apply (the check the form waits for, then a
//! server-side apply), expose, scale (in order), rollout restart, delete, a
//! pod's log stream and an object's YAML, through the client the kube source
//! publishes; and switching what that source watches.

pub mod api;
pub mod apply;
pub mod selector_logs;

use super::shared::Shared;
use crate::app::core::command::Command;
use crate::domain::kube::KubeTarget;
use tokio::sync::{mpsc::UnboundedSender, watch};

/// Work queued to run in order.
type Queued = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

#[derive(Default)]
pub struct KubeEffects {
    /// Scale commands, in order.
    scale_lane: Option<UnboundedSender<Queued>>,
    /// Tells the kube source which context and namespace to watch.
    pub switch: Option<watch::Sender<KubeTarget>>,
}

impl KubeEffects {
    pub fn perform(&mut self, command: Command, shared: &mut Shared) {
        let tx = shared.tx.clone();
        match command {
            Command::FollowPodLogs {
                namespace,
                name,
                container,
                previous,
            } => {
                let source = api::PodLogs {
                    namespace,
                    name,
                    container,
                    previous,
                };
                let task = tokio::spawn(api::follow_logs(shared.kube(), source, tx));
                shared.follow_logs(Some(task));
            }
            Command::FollowSelectorLogs {
                namespace,
                selector,
                since,
            } => {
                let task = tokio::spawn(selector_logs::follow(
                    shared.kube(),
                    namespace,
                    selector,
                    since,
                    tx,
                ));
                shared.follow_logs(Some(task));
            }
            Command::Expose { job, spec } => shared.with_cluster(job, |client| {
                tokio::spawn(api::expose(client, job, spec, tx))
            }),
            Command::CheckManifest { path } => {
                tokio::spawn(apply::check(shared.kube(), shared.cwd.clone(), path, tx));
            }
            Command::Apply {
                job,
                path,
                documents,
                force,
                namespace,
            } => shared.with_cluster(job, |client| {
                tokio::spawn(apply::apply(
                    client, job, path, documents, force, namespace, tx,
                ))
            }),
            Command::ShowYaml {
                kind,
                namespace,
                name,
            } => {
                tokio::spawn(api::yaml(shared.kube(), kind, namespace, name, tx));
            }
            Command::Scale {
                job,
                namespace,
                name,
                replicas,
            } => {
                // Scales run one after another: two quick + must not reach the server in the wrong order.
                let lane = self.scale_lane.get_or_insert_with(|| {
                    let (lane_tx, mut lane_rx) = tokio::sync::mpsc::unbounded_channel::<Queued>();
                    tokio::spawn(async move {
                        while let Some(job) = lane_rx.recv().await {
                            job.await;
                        }
                    });
                    lane_tx
                });
                match shared.kube() {
                    Some(client) => {
                        let _ = lane.send(Box::pin(api::scale(
                            client, job, namespace, name, replicas, tx,
                        )));
                    }
                    None => shared.cluster_missing(job),
                }
            }
            Command::RolloutRestart {
                job,
                namespace,
                name,
            } => shared.with_cluster(job, |client| {
                tokio::spawn(api::rollout_restart(client, job, namespace, name, tx))
            }),
            Command::DeleteObject {
                job,
                kind,
                namespace,
                name,
            } => shared.with_cluster(job, |client| {
                tokio::spawn(api::delete(client, job, kind, namespace, name, tx))
            }),
            Command::SwitchKube(target) => match &self.switch {
                Some(switch) => {
                    switch.send_replace(target);
                }
                None => shared.failed("This cockpit cannot switch contexts."),
            },
            other => super::shared::misrouted("kube", &other),
        }
    }
}
