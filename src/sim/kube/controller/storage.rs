//! PersistentVolumeClaims bound as minikube's storage provisioner binds
//! them: a claim with no class gets the default one (`standard`), and a
//! claim of a class whose binding is Immediate gets a new PersistentVolume
//! of the size it asks for, bound both ways. HorizontalPodAutoscalers
//! record their target's replicas (the sim has no load to scale on).

use super::common::*;
use crate::sim::kube::store::Store;
use serde_json::{Value, json};

impl Controller {
    pub(super) fn claims(&mut self, store: &mut Store) {
        let default_class = store
            .list("storageclasses", None)
            .into_iter()
            .find(|c| {
                c.pointer("/metadata/annotations/storageclass.kubernetes.io~1is-default-class")
                    == Some(&json!("true"))
            })
            .map(|c| s(&c, "/metadata/name").to_string());
        let claims: Vec<Value> = store
            .list("persistentvolumeclaims", None)
            .into_iter()
            .filter(|c| s(c, "/status/phase") != "Bound")
            .collect();
        for claim in claims {
            let mut next = claim.clone();
            let class = match s(&claim, "/spec/storageClassName") {
                "" => match &default_class {
                    Some(class) => {
                        next["spec"]["storageClassName"] = json!(class);
                        class.clone()
                    }
                    None => continue,
                },
                named => named.to_string(),
            };
            let binds_now = store
                .get("storageclasses", "", &class)
                .is_some_and(|c| s(&c, "/volumeBindingMode") != "WaitForFirstConsumer");
            if !binds_now {
                if next != claim {
                    store.replace(res("persistentvolumeclaims"), next);
                }
                continue;
            }
            let size = claim
                .pointer("/spec/resources/requests/storage")
                .cloned()
                .unwrap_or(json!("1Gi"));
            let modes = claim
                .pointer("/spec/accessModes")
                .cloned()
                .unwrap_or(json!(["ReadWriteOnce"]));
            let volume = format!("pvc-{}", uid(&claim));
            let (namespace, name) = (
                s(&claim, "/metadata/namespace"),
                s(&claim, "/metadata/name"),
            );
            store.insert(
                res("persistentvolumes"),
                json!({
                    "metadata": {"name": volume, "annotations": {"pv.kubernetes.io/provisioned-by": "k8s.io/minikube-hostpath"}},
                    "spec": {"capacity": {"storage": size}, "accessModes": modes, "persistentVolumeReclaimPolicy": "Delete",
                             "storageClassName": class, "volumeMode": "Filesystem",
                             "hostPath": {"path": format!("/tmp/hostpath-provisioner/{namespace}/{name}"), "type": ""},
                             "claimRef": {"kind": "PersistentVolumeClaim", "apiVersion": "v1", "namespace": namespace,
                                          "name": name, "uid": uid(&claim)}},
                    "status": {"phase": "Bound"},
                }),
            );
            next["spec"]["volumeName"] = json!(volume);
            next["status"] =
                json!({"phase": "Bound", "accessModes": modes, "capacity": {"storage": size}});
            record_event(
                store,
                &claim,
                "Normal",
                "ProvisioningSucceeded",
                &format!("Successfully provisioned volume {volume}"),
            );
            store.replace(res("persistentvolumeclaims"), next);
        }
        // A released volume goes with its claim (reclaimPolicy Delete).
        let claimed: Vec<String> = store
            .list("persistentvolumeclaims", None)
            .iter()
            .map(uid)
            .collect();
        let released: Vec<String> = store
            .list("persistentvolumes", None)
            .into_iter()
            .filter(|v| {
                let owner = s(v, "/spec/claimRef/uid");
                !owner.is_empty() && !claimed.iter().any(|c| c == owner)
            })
            .map(|v| s(&v, "/metadata/name").to_string())
            .collect();
        for volume in released {
            store.remove(res("persistentvolumes"), "", &volume);
        }
    }

    pub(super) fn autoscalers(&mut self, store: &mut Store) {
        let autoscalers: Vec<Value> = store
            .list("horizontalpodautoscalers", None)
            .into_iter()
            .collect();
        for hpa in autoscalers {
            let namespace = s(&hpa, "/metadata/namespace");
            let plural = match s(&hpa, "/spec/scaleTargetRef/kind") {
                "Deployment" => "deployments",
                "ReplicaSet" => "replicasets",
                _ => continue,
            };
            let Some(target) = store.get(plural, namespace, s(&hpa, "/spec/scaleTargetRef/name"))
            else {
                continue;
            };
            let replicas = target
                .pointer("/status/replicas")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            let mut status = hpa.get("status").cloned().unwrap_or(json!({}));
            status["currentReplicas"] = json!(replicas);
            status["desiredReplicas"] = json!(replicas);
            status["conditions"] = json!([{
                "type": "ScalingActive", "status": "False", "reason": "FailedGetResourceMetric",
                "message": "the simulated cluster has no load to measure: the autoscaler keeps the current replicas",
                "lastTransitionTime": hpa.pointer("/metadata/creationTimestamp").cloned().unwrap_or(json!(null)),
            }]);
            if hpa.get("status") != Some(&status) {
                let mut next = hpa.clone();
                next["status"] = status;
                store.replace(res("horizontalpodautoscalers"), next);
            }
        }
    }
}
