//! Pods on their way: scheduled, their containers created, started, or
//! stuck on an image the simulated engine does not have.

use super::common::*;
use super::{crash, scheduler};
use crate::sim::clock::{now_secs, rfc3339};
use crate::sim::docker::Shared as EngineShared;
use crate::sim::kube::shared::Timing;
use crate::sim::kube::store::Store;
use crate::sim::shell::Machine;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::time::{Duration, Instant};

impl Controller {
    /// Pods to move along, from the changes since the last pass: new ones,
    /// ones being deleted, ones gone. Only these are visited, so a quiet
    /// cluster of 10,000 running pods costs nothing per tick.
    pub(super) fn discover(&mut self, store: &Store) {
        for change in store
            .changes_after(self.last_rv)
            .filter(|c| c.plural == "pods")
        {
            // The brief carries what this needs: no pod is parsed.
            let pod = &change.object.brief;
            let pod_uid = pod.uid.clone();
            let tracked = || Tracked {
                namespace: change.namespace.clone(),
                name: change.name.clone(),
                since: Instant::now(),
            };
            match change.kind {
                "DELETED" => {
                    self.crashing.remove(&pod_uid);
                    self.stage_since.remove(&pod_uid);
                    self.terminating_since.remove(&pod_uid);
                }
                _ if pod.terminating => {
                    self.crashing.remove(&pod_uid);
                    self.stage_since.remove(&pod_uid);
                    self.terminating_since
                        .entry(pod_uid)
                        .or_insert_with(tracked);
                }
                "ADDED" if pod.phase != "Running" => {
                    self.stage_since.entry(pod_uid).or_insert_with(tracked);
                }
                _ => {}
            }
        }
    }

    pub(super) fn pods(
        &mut self,
        store: &mut Store,
        timing: &Timing,
        images: &HashSet<String>,
        engine: Option<&EngineShared>,
    ) {
        let done: Vec<(String, String, String)> = self
            .terminating_since
            .iter()
            .filter(|(_, t)| t.since.elapsed() >= timing.terminate)
            .map(|(u, t)| (u.clone(), t.namespace.clone(), t.name.clone()))
            .collect();
        for (pod_uid, ns, name) in done {
            self.terminating_since.remove(&pod_uid);
            if store
                .get("pods", &ns, &name)
                .is_some_and(|p| uid(&p) == pod_uid)
            {
                store.remove(res("pods"), &ns, &name);
            }
        }
        let candidates: Vec<(String, String, String, Duration)> = self
            .stage_since
            .iter()
            .map(|(u, t)| {
                (
                    u.clone(),
                    t.namespace.clone(),
                    t.name.clone(),
                    t.since.elapsed(),
                )
            })
            .collect();
        for (pod_uid, ns, name, elapsed) in candidates {
            let Some(brief) = store
                .stored("pods", &ns, &name)
                .map(|p| &p.brief)
                .filter(|p| p.uid == pod_uid)
            else {
                self.stage_since.remove(&pod_uid);
                continue;
            };
            let scheduled = !brief.node_name.is_empty();
            // The brief says whether this stage is due; only a pod that moves is parsed.
            let due = if scheduled {
                brief.phase == "Pending" && elapsed >= timing.create
            } else {
                elapsed >= timing.schedule
            };
            if !due {
                continue;
            }
            let Some(pod) = store.get("pods", &ns, &name) else {
                continue;
            };
            let phase = s(&pod, "/status/phase").to_string();
            let waiting = s(&pod, "/status/containerStatuses/0/state/waiting/reason").to_string();
            let next = if !scheduled && elapsed >= timing.schedule {
                let placed = self.schedule(store, &pod);
                if placed.is_none()
                    && let Some(tracked) = self.stage_since.get_mut(&pod_uid)
                {
                    // Still no room: look again after a while, not every tick.
                    tracked.since = Instant::now();
                }
                placed
            } else if scheduled && phase == "Pending" && elapsed >= timing.create {
                self.start_containers(
                    store,
                    &pod,
                    (images, engine),
                    &waiting,
                    elapsed >= timing.create + timing.back_off,
                )
            } else {
                None
            };
            let Some(next) = next else { continue };
            let running = s(&next, "/status/phase") == "Running";
            let next_waiting =
                s(&next, "/status/containerStatuses/0/state/waiting/reason").to_string();
            store.replace(res("pods"), next);
            if running {
                self.stage_since.remove(&pod_uid);
            } else if (next_waiting != waiting || !scheduled)
                && let Some(tracked) = self.stage_since.get_mut(&pod_uid)
            {
                // A new stage: its own delay starts now.
                tracked.since = Instant::now();
            }
        }
    }

    /// The pod placed on the node, or kept Pending with the scheduler's
    /// reason; None when nothing changed since the last look.
    fn schedule(&self, store: &mut Store, pod: &Value) -> Option<Value> {
        let now = rfc3339(now_secs());
        if let Some(why) = scheduler::unschedulable(store, pod) {
            if s(pod, "/status/conditions/0/message") == why {
                return None;
            }
            let mut next = pod.clone();
            next["status"]["conditions"] = json!([{"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                "message": why, "lastProbeTime": null, "lastTransitionTime": now}]);
            record_event(store, pod, "Warning", "FailedScheduling", &why);
            return Some(next);
        }
        let mut next = pod.clone();
        next["spec"]["nodeName"] = json!("minikube");
        next["status"]["hostIP"] = json!("127.0.0.1");
        next["status"]["startTime"] = json!(now);
        next["status"]["conditions"] =
            json!([{"type": "PodScheduled", "status": "True", "lastTransitionTime": now}]);
        next["status"]["containerStatuses"] = container_statuses(
            pod,
            |_| json!({"waiting": {"reason": "ContainerCreating"}}),
            false,
        );
        let pod_ref = format!(
            "{}/{}",
            s(pod, "/metadata/namespace"),
            s(pod, "/metadata/name")
        );
        record_event(
            store,
            pod,
            "Normal",
            "Scheduled",
            &format!("Successfully assigned {pod_ref} to minikube"),
        );
        Some(next)
    }

    /// Images present on the simulated engine (or preloaded, as on minikube) start; others fail as minikube's would.
    fn start_containers(
        &mut self,
        store: &mut Store,
        pod: &Value,
        (images, engine): (&HashSet<String>, Option<&EngineShared>),
        waiting: &str,
        backed_off: bool,
    ) -> Option<Value> {
        let containers = pod
            .pointer("/spec/containers")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let missing: Vec<&Value> = containers
            .iter()
            .filter(|c| !image_present(s(c, "/image"), images))
            .collect();
        if let Some(container) = missing.first() {
            let image = s(container, "/image");
            let never = s(container, "/imagePullPolicy") == "Never";
            let (reason, message) = if never {
                (
                    "ErrImageNeverPull",
                    format!("Container image \"{image}\" is not present with pull policy of Never"),
                )
            } else if waiting == "ErrImagePull" && backed_off {
                (
                    "ImagePullBackOff",
                    format!("Back-off pulling image \"{image}\""),
                )
            } else if waiting == "ImagePullBackOff" {
                return None;
            } else {
                (
                    "ErrImagePull",
                    format!(
                        "Failed to pull image \"{image}\": the pilothouse simulated cluster has no registry; build the image on its engine"
                    ),
                )
            };
            if reason == waiting {
                return None;
            }
            let mut next = pod.clone();
            next["status"]["containerStatuses"] = container_statuses(
                pod,
                |c| {
                    if image_present(s(c, "/image"), images) {
                        json!({"waiting": {"reason": "ContainerCreating"}})
                    } else {
                        json!({"waiting": {"reason": reason, "message": message}})
                    }
                },
                false,
            );
            let event_reason = if reason == "ImagePullBackOff" {
                "BackOff"
            } else if never {
                "ErrImageNeverPull"
            } else {
                "Failed"
            };
            let kind = if reason == "ImagePullBackOff" {
                "Normal"
            } else {
                "Warning"
            };
            record_event(store, pod, kind, event_reason, &message);
            return Some(next);
        }
        let now = rfc3339(now_secs());
        let mut next = pod.clone();
        self.next_ip = self.next_ip.wrapping_add(1);
        let index = self.next_ip % 250 + 2;
        next["status"]["phase"] = json!("Running");
        next["status"]["podIP"] = json!(format!("10.244.0.{index}"));
        next["status"]["podIPs"] = json!([{"ip": format!("10.244.0.{index}")}]);
        next["status"]["conditions"] = json!([
            {"type": "Initialized", "status": "True", "lastTransitionTime": now},
            {"type": "Ready", "status": "True", "lastTransitionTime": now},
            {"type": "ContainersReady", "status": "True", "lastTransitionTime": now},
            {"type": "PodScheduled", "status": "True", "lastTransitionTime": now},
        ]);
        next["status"]["containerStatuses"] =
            container_statuses(pod, |_| json!({"running": {"startedAt": now}}), true);
        let pod_uid = uid(pod);
        let finite = matches!(s(pod, "/spec/restartPolicy"), "Never" | "OnFailure");
        let ending = containers.iter().find_map(|container| {
            let machine = container_machine(engine, pod, container);
            let argv = crash::ending_command(container, &machine, finite)?;
            Some((s(container, "/name").to_string(), argv, machine))
        });
        for container in &containers {
            let (cname, image) = (s(container, "/name"), s(container, "/image"));
            record_event(
                store,
                pod,
                "Normal",
                "Pulled",
                &format!("Container image \"{image}\" already present on machine"),
            );
            record_event(
                store,
                pod,
                "Normal",
                "Created",
                &format!("Created container {cname}"),
            );
            record_event(
                store,
                pod,
                "Normal",
                "Started",
                &format!("Started container {cname}"),
            );
            if ending.as_ref().is_some_and(|(name, ..)| name == cname) {
                continue;
            }
            store.append_pod_log(
                &pod_uid,
                format!(
                    "[pilothouse sim] {} started {image}",
                    s(pod, "/metadata/name")
                ),
            );
        }
        if let Some((container, argv, machine)) = ending {
            let run = crash::run(&machine, &argv);
            for line in &run.output {
                store.append_pod_log(&pod_uid, line.clone());
            }
            let (ended, last) = crash::ended(&next, &container, &run);
            next = ended;
            store.keep_last_run(&pod_uid, run.output);
            if !last {
                self.crashing.insert(
                    pod_uid,
                    Crashing {
                        namespace: s(pod, "/metadata/namespace").to_string(),
                        name: s(pod, "/metadata/name").to_string(),
                        container,
                        argv,
                        machine,
                        since: Instant::now(),
                        backing_off: false,
                    },
                );
            }
        }
        Some(next)
    }
}

/// What the built-in shell sees in the container: its image's files and
/// environment, then the container's own variables.
fn container_machine(engine: Option<&EngineShared>, pod: &Value, container: &Value) -> Machine {
    let mut machine = engine
        .and_then(|engine| {
            let engine = engine.lock().unwrap_or_else(|p| p.into_inner());
            engine.image_machine(s(container, "/image"))
        })
        .unwrap_or_default();
    machine.hostname = s(pod, "/metadata/name").to_string();
    for pair in container["env"].as_array().into_iter().flatten() {
        if let (Some(k), Some(v)) = (pair["name"].as_str(), pair["value"].as_str()) {
            machine.env.push(format!("{k}={v}"));
        }
    }
    machine
}

fn container_statuses(pod: &Value, state: impl Fn(&Value) -> Value, ready: bool) -> Value {
    let containers = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    json!(containers.iter().map(|c| {
        let image_id = if ready { image_id(c["image"].as_str().unwrap_or_default()) } else { String::new() };
        json!({"name": c["name"], "image": c["image"], "imageID": image_id, "ready": ready, "started": ready, "restartCount": 0, "state": state(c)})
    }).collect::<Vec<_>>())
}

/// What the kubelet reports for a started container's image (a waiting
/// one has ""): the image by digest, as the Docker runtime names it.
pub fn image_id(image: &str) -> String {
    let digest = crate::sim::docker::state::sha256_hex(&[image.as_bytes()]);
    format!("docker-pullable://{image}@sha256:{digest}")
}

/// minikube preloads its own images; everything else must be on the engine.
fn image_present(image: &str, images: &HashSet<String>) -> bool {
    if image.starts_with("registry.k8s.io/") || image.starts_with("gcr.io/k8s-minikube/") {
        return true;
    }
    let tagged = crate::sim::docker::state::normalize_reference(image);
    images.contains(&tagged) || images.contains(image)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preloaded_and_engine_images() {
        let images: HashSet<String> = ["cookbook:latest".to_string()].into();
        assert!(image_present("cookbook", &images));
        assert!(image_present("registry.k8s.io/pause:3.10", &images));
        assert!(!image_present("nginx", &images));
    }
}
