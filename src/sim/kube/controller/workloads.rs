//! Deployments and ReplicaSets: the sets, their pods' count, their status.

use super::admit::on_create;
use super::common::*;
use super::revisions;
use crate::sim::clock::{now_secs, parse_rfc3339, rfc3339};
use crate::sim::kube::store::Store;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Instant;

/// A short hash of a pod template, in Kubernetes' safe alphabet, for `pod-template-hash`.
fn template_hash(template: &Value) -> String {
    let digest = crate::sim::docker::state::sha256_hex(&[template.to_string().as_bytes()]);
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    digest
        .as_bytes()
        .chunks(2)
        .take(10)
        .map(|pair| ALPHABET[(pair[0] as usize * 7 + pair[1] as usize) % ALPHABET.len()] as char)
        .collect()
}

/// The ReplicaSets a Deployment (by uid) owns.
fn owned_sets(store: &Store, namespace: &str, deployment_uid: &str) -> Vec<Value> {
    store.owned("replicasets", namespace, deployment_uid)
}

/// When the rollout last moved: the stored Progressing condition's update
/// time while the counts stay as they were, now when they changed.
fn last_progress(current: Option<&Value>, next: &Value) -> i64 {
    let counts = |status: &Value| {
        ["replicas", "updatedReplicas", "readyReplicas"].map(|k| status[k].as_i64())
    };
    current
        .and_then(|d| d.get("status"))
        .filter(|stored| counts(stored) == counts(next))
        .and_then(|stored| stored["conditions"].as_array())
        .and_then(|conditions| conditions.iter().find(|c| c["type"] == "Progressing"))
        .and_then(|c| c["lastUpdateTime"].as_str())
        .and_then(parse_rfc3339)
        .unwrap_or_else(now_secs)
}

impl Controller {
    pub(super) fn deployments(&mut self, store: &mut Store) {
        let deployments: Vec<Value> = store.list("deployments", None);
        for deployment in deployments {
            let (ns, name, duid) = (
                s(&deployment, "/metadata/namespace").to_string(),
                s(&deployment, "/metadata/name").to_string(),
                uid(&deployment),
            );
            let desired = deployment
                .pointer("/spec/replicas")
                .and_then(Value::as_i64)
                .unwrap_or(1);
            let template = deployment
                .pointer("/spec/template")
                .cloned()
                .unwrap_or(json!({}));
            let hash = template_hash(&template);
            let owned = owned_sets(store, &ns, &duid);
            let mut rs_name = format!("{name}-{hash}");
            // A template brought back (`kubectl rollout undo` sends the old set's template,
            // re-encoded) is the old set's, whatever empty fields it gained.
            if !owned.iter().any(|r| s(r, "/metadata/name") == rs_name)
                && let Some(same) = revisions::set_with_template(&owned, &template)
            {
                rs_name = same;
            }
            // Paused: a changed template waits; the newest set stays the one scaled.
            if revisions::paused(&deployment)
                && !owned.iter().any(|r| s(r, "/metadata/name") == rs_name)
                && let Some(newest) = revisions::newest(&owned)
            {
                rs_name = newest;
            }
            let revision = revisions::next_revision(&owned);
            match owned.iter().find(|r| s(r, "/metadata/name") == rs_name) {
                None => {
                    let mut labels = template
                        .pointer("/metadata/labels")
                        .cloned()
                        .unwrap_or(json!({}));
                    labels["pod-template-hash"] = json!(hash);
                    let mut selector = deployment
                        .pointer("/spec/selector/matchLabels")
                        .cloned()
                        .unwrap_or(json!({}));
                    selector["pod-template-hash"] = json!(hash);
                    let mut rs_template = template.clone();
                    rs_template["metadata"]["labels"] = labels.clone();
                    let mut annotations = revisions::inherited_annotations(&deployment);
                    annotations["deployment.kubernetes.io/revision"] = json!(revision.to_string());
                    annotations["deployment.kubernetes.io/desired-replicas"] =
                        json!(desired.to_string());
                    let rs = json!({
                        "metadata": {"name": rs_name, "namespace": ns, "labels": labels,
                                     "annotations": annotations,
                                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": name, "uid": duid, "controller": true, "blockOwnerDeletion": true}]},
                        "spec": {"replicas": desired, "selector": {"matchLabels": selector}, "template": rs_template},
                        "status": {"replicas": 0},
                    });
                    store.insert(res("replicasets"), rs);
                    record_event(
                        store,
                        &deployment,
                        "Normal",
                        "ScalingReplicaSet",
                        &format!("Scaled up replica set {rs_name} from 0 to {desired}"),
                    );
                }
                Some(rs) => {
                    let current = rs
                        .pointer("/spec/replicas")
                        .and_then(Value::as_i64)
                        .unwrap_or(0);
                    if current != desired {
                        let mut next = rs.clone();
                        next["spec"]["replicas"] = json!(desired);
                        store.replace(res("replicasets"), next);
                        let verb = if desired > current { "up" } else { "down" };
                        record_event(
                            store,
                            &deployment,
                            "Normal",
                            "ScalingReplicaSet",
                            &format!(
                                "Scaled {verb} replica set {rs_name} from {current} to {desired}"
                            ),
                        );
                    }
                }
            }
            // Rolling update, simplified: old sets go to zero once the new one is fully ready.
            let new_ready = store
                .get("replicasets", &ns, &rs_name)
                .and_then(|r| r.pointer("/status/readyReplicas").and_then(Value::as_i64))
                .unwrap_or(0);
            for old in owned.iter().filter(|r| s(r, "/metadata/name") != rs_name) {
                let old_replicas = old
                    .pointer("/spec/replicas")
                    .and_then(Value::as_i64)
                    .unwrap_or(0);
                if old_replicas > 0 && new_ready >= desired {
                    let mut next = old.clone();
                    next["spec"]["replicas"] = json!(0);
                    store.replace(res("replicasets"), next);
                    record_event(
                        store,
                        &deployment,
                        "Normal",
                        "ScalingReplicaSet",
                        &format!(
                            "Scaled down replica set {} from {old_replicas} to 0",
                            s(old, "/metadata/name")
                        ),
                    );
                }
            }
            let owned = owned_sets(store, &ns, &duid);
            revisions::make_current(store, &deployment, &owned, &rs_name);
            revisions::prune(store, &deployment, &owned, &rs_name);
            self.deployment_status(store, &deployment, &rs_name, desired);
        }
    }

    fn deployment_status(
        &self,
        store: &mut Store,
        deployment: &Value,
        rs_name: &str,
        desired: i64,
    ) {
        let ns = s(deployment, "/metadata/namespace");
        let duid = uid(deployment);
        let sets: Vec<Value> = store.owned("replicasets", ns, &duid);
        let sum = |p: &str| {
            sets.iter()
                .filter_map(|r| r.pointer(p).and_then(Value::as_i64))
                .sum::<i64>()
        };
        let (replicas, ready) = (sum("/status/replicas"), sum("/status/readyReplicas"));
        let updated = sets
            .iter()
            .find(|r| s(r, "/metadata/name") == rs_name)
            .and_then(|r| r.pointer("/status/replicas"))
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let complete = updated == desired && replicas == desired && ready == desired;
        let now = rfc3339(now_secs());
        let mut status = json!({
            "observedGeneration": deployment.pointer("/metadata/generation").cloned().unwrap_or(json!(1)),
            "replicas": replicas, "updatedReplicas": updated, "readyReplicas": ready, "availableReplicas": ready,
            "conditions": [
                {"type": "Available", "status": if ready >= desired { "True" } else { "False" }, "reason": if ready >= desired { "MinimumReplicasAvailable" } else { "MinimumReplicasUnavailable" },
                 "message": if ready >= desired { "Deployment has minimum availability." } else { "Deployment does not have minimum availability." }, "lastUpdateTime": now, "lastTransitionTime": now},
                {"type": "Progressing", "status": "True", "reason": if complete { "NewReplicaSetAvailable" } else { "ReplicaSetUpdated" },
                 "message": if complete { format!("ReplicaSet \"{rs_name}\" has successfully progressed.") } else { format!("ReplicaSet \"{rs_name}\" is progressing.") }, "lastUpdateTime": now, "lastTransitionTime": now},
            ],
        });
        if replicas > ready {
            status["unavailableReplicas"] = json!(replicas - ready);
        }
        let deadline = deployment
            .pointer("/spec/progressDeadlineSeconds")
            .and_then(Value::as_i64)
            .unwrap_or(600);
        let progressed_at = last_progress(
            store
                .get("deployments", ns, s(deployment, "/metadata/name"))
                .as_ref(),
            &status,
        );
        if !complete && now_secs() - progressed_at > deadline {
            status["conditions"][1] = json!({"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
                "message": format!("ReplicaSet \"{rs_name}\" has timed out progressing."),
                "lastUpdateTime": rfc3339(progressed_at), "lastTransitionTime": now});
        }
        if revisions::paused(deployment) {
            status["conditions"][1] = json!({"type": "Progressing", "status": "Unknown", "reason": "DeploymentPaused",
                "message": "Deployment is paused", "lastUpdateTime": now, "lastTransitionTime": now});
        }
        if let Some(current) = store.get("deployments", ns, s(deployment, "/metadata/name"))
            && !same_status(current.get("status"), &status)
        {
            let mut next = current.clone();
            next["status"] = status;
            store.replace(res("deployments"), next);
        }
    }

    pub(super) fn replicasets(&mut self, store: &mut Store) {
        // One pass over the pods, indexed by owner: each set then costs only its own pods.
        let mut by_owner: HashMap<String, Vec<PodInfo>> = HashMap::new();
        // Read from the briefs: no pod is parsed for it.
        for (key, pod) in store.briefs("pods", None) {
            let Some(owner) = pod.first_owner_uid() else {
                continue;
            };
            by_owner
                .entry(owner.to_string())
                .or_default()
                .push(PodInfo {
                    name: key.name.clone(),
                    ready: pod.ready,
                    terminating: pod.terminating,
                    rv: pod.resource_version,
                });
        }
        let sets: Vec<Value> = store.list("replicasets", None);
        for rs in sets {
            let (ns, name, rs_uid) = (
                s(&rs, "/metadata/namespace").to_string(),
                s(&rs, "/metadata/name").to_string(),
                uid(&rs),
            );
            let desired = rs
                .pointer("/spec/replicas")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            let mut live: Vec<PodInfo> = by_owner
                .remove(&rs_uid)
                .unwrap_or_default()
                .into_iter()
                .filter(|p| !p.terminating)
                .collect();
            let count = live.len() as i64;
            if count < desired {
                for _ in count..desired {
                    let pod_name = format!(
                        "{name}-{}",
                        store.random_suffix(&format!("pod/{ns}/{name}"), 5)
                    );
                    let template = rs.pointer("/spec/template").cloned().unwrap_or(json!({}));
                    let mut pod = json!({
                        "metadata": {"name": pod_name, "namespace": ns, "labels": template.pointer("/metadata/labels").cloned().unwrap_or(json!({})),
                                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": name, "uid": rs_uid, "controller": true, "blockOwnerDeletion": true}]},
                        "spec": template.get("spec").cloned().unwrap_or(json!({})),
                    });
                    on_create(store, res("pods"), &mut pod);
                    let stored = store.insert(res("pods"), pod);
                    self.stage_since.insert(
                        uid(&stored),
                        Tracked {
                            namespace: ns.clone(),
                            name: pod_name.clone(),
                            since: Instant::now(),
                        },
                    );
                    record_event(
                        store,
                        &rs,
                        "Normal",
                        "SuccessfulCreate",
                        &format!("Created pod: {pod_name}"),
                    );
                }
            } else if count > desired {
                // The newest go first.
                live.sort_by_key(|p| std::cmp::Reverse(p.rv));
                for pod in live.drain(..(count - desired) as usize) {
                    mark_terminating(store, &ns, &pod.name);
                    record_event(
                        store,
                        &rs,
                        "Normal",
                        "SuccessfulDelete",
                        &format!("Deleted pod: {}", pod.name),
                    );
                }
            }
            // Pods made in this pass are counted on the next one, a tick later, as a real controller's informer would.
            let ready = live.iter().filter(|p| p.ready).count();
            let status = json!({"replicas": live.len(), "fullyLabeledReplicas": live.len(), "readyReplicas": ready, "availableReplicas": ready,
                                "observedGeneration": rs.pointer("/metadata/generation").cloned().unwrap_or(json!(1))});
            if let Some(current) = store.get("replicasets", &ns, &name)
                && !same_status(current.get("status"), &status)
            {
                let mut next = current.clone();
                next["status"] = status;
                store.replace(res("replicasets"), next);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_hashes_are_stable_and_safe() {
        let a = template_hash(&json!({"spec": {"containers": [{"image": "a"}]}}));
        assert_eq!(
            a,
            template_hash(&json!({"spec": {"containers": [{"image": "a"}]}}))
        );
        assert_ne!(
            a,
            template_hash(&json!({"spec": {"containers": [{"image": "b"}]}}))
        );
        assert_eq!(a.len(), 10);
        assert!(a.chars().all(|c| "bcdfghjklmnpqrstvwxz2456789".contains(c)));
    }
}
