//! The controllers that make the simulated cluster behave like minikube:
//! Deployment -> ReplicaSet -> Pods moving Pending -> ContainerCreating ->
//! Running, image checks against the simulated engine, Services with
//! nodePorts that answer on 127.0.0.1, events, and garbage collection.

use super::shared::KubeShared;
use super::store::Store;
use std::collections::HashSet;
use std::sync::Arc;

mod admit;
mod common;
mod crash;
mod endpoints;
mod jobs;
pub(super) mod pods;
mod revisions;
mod scheduler;
mod services;
mod storage;
mod workloads;

pub use admit::{on_create, on_update};
pub use common::{Controller, record_event};
use common::{mark_terminating, res};

/// Delete what lost its owner (ReplicaSets of a deleted Deployment, Pods of a deleted ReplicaSet).
pub fn collect_garbage(store: &mut Store) {
    loop {
        let live: HashSet<&str> = ["deployments", "replicasets", "jobs", "cronjobs"]
            .iter()
            .flat_map(|p| store.briefs(p, None))
            .map(|(_, brief)| brief.uid.as_str())
            .collect();
        // The briefs say who owns what: 50,000 pods are looked at without parsing one.
        let orphans: Vec<(&'static str, String, String)> = ["replicasets", "pods", "jobs"]
            .iter()
            .flat_map(|plural| {
                store
                    .briefs(plural, None)
                    .filter(|(_, brief)| {
                        brief.owners.iter().any(|(kind, owner)| {
                            matches!(
                                kind.as_str(),
                                "Deployment" | "ReplicaSet" | "Job" | "CronJob"
                            ) && !live.contains(owner.as_str())
                        })
                    })
                    .map(|(key, _)| (*plural, key.namespace.clone(), key.name.clone()))
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut changed = false;
        for (plural, ns, name) in orphans {
            if plural == "pods" {
                changed |= mark_terminating(store, &ns, &name);
            } else {
                store.remove(res(plural), &ns, &name);
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

pub async fn run(shared: Arc<KubeShared>) {
    let mut controller = Controller::default();
    let mut tick = tokio::time::interval(shared.timing.tick);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
        controller.reconcile(&shared);
    }
}

impl Controller {
    pub fn reconcile(&mut self, shared: &Arc<KubeShared>) {
        let images = shared.engine_images();
        let mut store = shared.store.lock().unwrap_or_else(|p| p.into_inner());
        let busy = !self.stage_since.is_empty()
            || !self.crashing.is_empty()
            || !self.terminating_since.is_empty()
            || store.resource_version() != self.last_rv
            || (store.count("cronjobs", None) > 0
                && crate::sim::clock::now_secs() / 60 != self.cron_minute);
        if !busy {
            return;
        }
        self.discover(&store);
        // What this pass writes is looked at again on the next one (statuses follow pods a tick
        // later); a pass that writes nothing leaves the version alone, and the loop goes quiet.
        self.last_rv = store.resource_version();
        self.cron_minute = crate::sim::clock::now_secs() / 60;
        self.deployments(&mut store);
        self.replicasets(&mut store);
        self.pods(&mut store, &shared.timing, &images, shared.engine.as_ref());
        self.crashes(&mut store, &shared.timing);
        self.services(&mut store, shared);
        self.endpoints(&mut store);
        self.jobs(&mut store);
        self.cronjobs(&mut store);
        self.claims(&mut store);
        self.autoscalers(&mut store);
    }
}
