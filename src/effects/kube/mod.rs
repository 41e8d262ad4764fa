//! The Kubernetes family: apply (the check the form waits for, then a
//! server-side apply), expose, scale (in order), rollout restart, delete, a
//! pod's log stream and an object's YAML, through the client the kube source
//! publishes; and switching what that source watches.

pub mod api;
pub mod apply;
pub mod explain;
pub mod rollout;
pub mod selector_logs;

use super::shared::Shared;
use crate::app::core::command::Command;
use crate::domain::kube::KubeTarget;
use tokio::sync::{oneshot, watch};

#[derive(Default)]
pub struct KubeEffects {
    /// Scales run in order: each waits for the one before it to end (done, failed or
    /// cancelled), told by this channel of the last one queued.
    last_scale: Option<oneshot::Receiver<()>>,
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
            Command::ReadCrashTail {
                namespace,
                name,
                container,
                restarts,
            } => {
                let pod = api::PodLogs {
                    namespace,
                    name,
                    container: Some(container),
                    previous: true,
                };
                tokio::spawn(api::crash_tail(shared.kube(), pod, restarts, tx));
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
            Command::Explain { kind, path } => {
                tokio::spawn(explain::explain(shared.kube(), kind, path, tx));
            }
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
                // Scales run one after another: two quick + must not reach the server in the
                // wrong order. Each is a task of its own, so each can be cancelled.
                let (done_tx, done_rx) = oneshot::channel();
                let previous = self.last_scale.replace(done_rx);
                shared.with_cluster(job, |client| {
                    tokio::spawn(async move {
                        if let Some(previous) = previous {
                            // Ended either way: sent, or dropped when that scale was cancelled.
                            let _ = previous.await;
                        }
                        api::scale(client, job, namespace, name, replicas, tx).await;
                        let _ = done_tx.send(());
                    })
                });
            }
            Command::RolloutUndo {
                job,
                namespace,
                name,
                revision,
            } => shared.with_cluster(job, |client| {
                tokio::spawn(rollout::undo(client, (job, namespace, name), revision, tx))
            }),
            Command::RolloutPause {
                job,
                namespace,
                name,
                paused,
            } => shared.with_cluster(job, |client| {
                tokio::spawn(rollout::pause(client, (job, namespace, name), paused, tx))
            }),
            Command::SetImage {
                job,
                namespace,
                name,
                image,
            } => shared.with_cluster(job, |client| {
                tokio::spawn(rollout::set_image(
                    client,
                    (job, namespace, name),
                    image,
                    tx,
                ))
            }),
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
