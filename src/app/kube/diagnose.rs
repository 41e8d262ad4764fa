//! Why it is not ready: one line for a Deployment, Pod or Service that is
//! not healthy, with the reason and the next step, read from the rows the
//! kube source reports (container states, conditions, recent events, the
//! pods a selector matches) and, for a crashing container, the last lines
//! of its previous run. Pure: the panes show it under the selected row.

use super::state::{CrashTail, KubeState};
use crate::app::core::command::Command;
use crate::app::core::pane::Pane;
use crate::domain::kube::{DeploymentRow, PodRow, ServiceRow};

/// What is wrong, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    /// The reason in a word: `ErrImageNeverPull`, `CrashLoopBackOff`, `Unschedulable`.
    pub reason: String,
    /// What is wrong, in the cluster's words where it has them.
    pub what: String,
    /// The next step, with the key that takes it when there is one.
    pub next: String,
}

impl Diagnosis {
    fn new(reason: &str, what: String, next: impl Into<String>) -> Self {
        Self {
            reason: reason.to_string(),
            what,
            next: next.into(),
        }
    }

    /// The line as the pane shows it: `ErrImageNeverPull · what: next`
    /// (`what. Next step: next` when the cluster's words end a sentence).
    pub fn line(&self) -> String {
        match (self.next.is_empty(), self.what.ends_with('.')) {
            (true, _) => format!("{} · {}", self.reason, self.what),
            (false, true) => format!("{} · {} Next step: {}", self.reason, self.what, self.next),
            (false, false) => format!("{} · {}: {}", self.reason, self.what, self.next),
        }
    }
}

/// Whether the cockpit's Docker engine is the cluster's own (minikube's
/// docker-env in use, or the demo's simulated cluster, which shares its
/// engine), which changes how a missing image is fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Engines {
    pub cluster_engine_in_use: bool,
}

pub fn pod(kube: &KubeState, row: &PodRow, engines: Engines) -> Option<Diagnosis> {
    let trouble = row.trouble.as_deref()?;
    if let Some(why) = &trouble.unschedulable {
        let next = if why.contains("node affinity/selector") {
            "no node has the labels its nodeSelector asks for: remove it (y shows it) or label the node (kubectl label node NAME KEY=VALUE)"
        } else if why.contains("Insufficient") {
            "ask for less (kubectl set resources … --requests) or make room by scaling something down"
        } else {
            ""
        };
        return Some(Diagnosis::new("Unschedulable", why.clone(), next));
    }
    let image = with_tag(&trouble.image);
    match row.status.as_str() {
        "ErrImageNeverPull" => {
            let next = if engines.cluster_engine_in_use {
                "press b to build it there"
            } else {
                "press e (docker-env), then b"
            };
            Some(Diagnosis::new(
                "ErrImageNeverPull",
                format!("{image} is not in the cluster's engine"),
                next,
            ))
        }
        "ErrImagePull" | "ImagePullBackOff" => {
            let registry = latest_event(kube, row, &["Failed", "ErrImagePull"])
                .unwrap_or_else(|| trouble.message.clone());
            Some(Diagnosis::new(
                &row.status,
                registry,
                "check the image's name and tag (y), or build it in the cluster's engine (e, then b) with imagePullPolicy: Never",
            ))
        }
        "CrashLoopBackOff" | "Error" | "OOMKilled" | "Completed" => crashed(kube, row),
        "CreateContainerConfigError" | "InvalidImageName" | "CreateContainerError" => {
            Some(Diagnosis::new(
                &row.status,
                trouble.message.clone(),
                "fix what the pod spec refers to (y shows it)",
            ))
        }
        _ => not_ready_otherwise(kube, row),
    }
}

/// A container that ran and ended: its exit, and the last lines it wrote.
fn crashed(kube: &KubeState, row: &PodRow) -> Option<Diagnosis> {
    let trouble = row.trouble.as_deref()?;
    let exit = trouble.exit.as_ref()?;
    let how = if exit.reason == "OOMKilled" {
        "was killed for using more memory than its limit (OOMKilled)".to_string()
    } else {
        format!("exited with code {}", exit.code)
    };
    let restarts = match row.restarts {
        0 => String::new(),
        1 => ", restarted once".to_string(),
        n => format!(", restarted {n} times"),
    };
    let tail = kube
        .crash_tails
        .get(&crash_key(row))
        .filter(|t| !t.lines.is_empty())
        .map(|t| format!("; it last wrote: {}", t.lines.join(" | ")))
        .unwrap_or_default();
    Some(Diagnosis::new(
        &row.status,
        format!("{} {how}{restarts}{tail}", trouble.container),
        "press l for its log (p there: the run before)",
    ))
}

/// Running but not ready, or waiting for a reason without a rule of its
/// own: the newest warning the cluster recorded for it.
fn not_ready_otherwise(kube: &KubeState, row: &PodRow) -> Option<Diagnosis> {
    let warning = kube
        .events
        .iter()
        .filter(|e| e.warning && is_about(e, row))
        .max_by_key(|e| e.last_seen)?;
    Some(Diagnosis::new(
        &warning.reason,
        warning.message.clone(),
        "press 8 for the cluster's events",
    ))
}

fn is_about(event: &crate::domain::kube::EventRow, row: &PodRow) -> bool {
    event.namespace == row.namespace && event.object == format!("pod/{}", row.name)
}

/// The newest event of these reasons about the pod: the registry's own words.
fn latest_event(kube: &KubeState, row: &PodRow, reasons: &[&str]) -> Option<String> {
    kube.events
        .iter()
        .filter(|e| is_about(e, row) && reasons.contains(&e.reason.as_str()))
        .max_by_key(|e| e.last_seen)
        .map(|e| e.message.clone())
}

fn with_tag(image: &str) -> String {
    let name = image.rsplit('/').next().unwrap_or(image);
    if name.contains(':') || name.contains('@') {
        image.to_string()
    } else {
        format!("{image}:latest")
    }
}

pub(crate) fn is_ready(pod: &PodRow) -> bool {
    pod.status == "Running" && pod.containers > 0 && pod.ready == pod.containers
}

/// The Deployment's own pods (through the ReplicaSets it owns).
fn pods_of<'a>(kube: &'a KubeState, row: &DeploymentRow) -> Vec<&'a PodRow> {
    let sets: Vec<&str> = kube
        .replica_sets
        .iter()
        .filter(|r| r.namespace == row.namespace && r.deployment.as_deref() == Some(&row.name))
        .map(|r| r.name.as_str())
        .collect();
    kube.pods
        .iter()
        .filter(|p| p.namespace == row.namespace)
        .filter(|p| {
            p.replica_set
                .as_deref()
                .is_some_and(|rs| sets.contains(&rs))
        })
        .collect()
}

/// The first pod of these with something to say.
fn first_diagnosed(
    kube: &KubeState,
    pods: &[&PodRow],
    engines: Engines,
) -> Option<(String, Diagnosis)> {
    pods.iter()
        .filter(|p| !is_ready(p))
        .find_map(|p| pod(kube, p, engines).map(|d| (p.name.clone(), d)))
}

pub fn deployment(kube: &KubeState, row: &DeploymentRow, engines: Engines) -> Option<Diagnosis> {
    // Ready counts can look whole while a rollout's new pods fail (the old
    // ones still serve), so its pods are looked at either way.
    let pods = pods_of(kube, row);
    let from_pod = first_diagnosed(kube, &pods, engines);
    if let Some(stuck) = &row.stuck {
        let next = match &from_pod {
            Some((name, d)) => format!("{name}: {} · {}", d.reason, d.next),
            None => "h lists its revisions to roll back to".to_string(),
        };
        return Some(Diagnosis::new("Rollout stuck", stuck.clone(), next));
    }
    let (name, d) = from_pod?;
    let not_ready = pods.iter().filter(|p| !is_ready(p)).count();
    let how = if row.ready >= row.desired {
        "its rollout is held up (the old pods still serve)".to_string()
    } else {
        format!("{not_ready} of its pods not ready")
    };
    Some(Diagnosis::new(
        &d.reason,
        format!("{how}; {name}: {}", d.what),
        d.next,
    ))
}

pub fn service(kube: &KubeState, row: &ServiceRow, engines: Engines) -> Option<Diagnosis> {
    if row.selector.is_empty() {
        return None;
    }
    let selector = row
        .selector
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    let same_namespace: Vec<&PodRow> = kube
        .pods
        .iter()
        .filter(|p| p.namespace == row.namespace)
        .collect();
    let matched: Vec<&PodRow> = same_namespace
        .iter()
        .copied()
        .filter(|p| selects(&row.selector, p))
        .collect();
    if matched.iter().any(|p| is_ready(p)) {
        return None;
    }
    if matched.is_empty() {
        let closest = same_namespace
            .iter()
            .filter_map(|p| differing_label(&row.selector, p).map(|d| (p, d)))
            .next();
        let what = match closest {
            Some((pod, (key, Some(value)))) => format!(
                "selector {selector} matches no ready pod: no pod matches it ({} has {key}={value})",
                pod.name
            ),
            Some((pod, (key, None))) => format!(
                "selector {selector} matches no ready pod: no pod matches it ({} has no label {key})",
                pod.name
            ),
            None => format!("selector {selector} matches no ready pod: no pod matches it"),
        };
        return Some(Diagnosis::new(
            "No endpoints",
            what,
            "fix the Service's selector (y) or the pods' labels",
        ));
    }
    let what = format!(
        "selector {selector} matches no ready pod ({} matched, none ready)",
        matched.len()
    );
    let next = first_diagnosed(kube, &matched, engines)
        .map(|(name, d)| format!("{name}: {} · {}", d.reason, d.what))
        .unwrap_or_else(|| "its pods are still starting".to_string());
    Some(Diagnosis::new("No endpoints", what, next))
}

fn selects(selector: &[(String, String)], pod: &PodRow) -> bool {
    selector
        .iter()
        .all(|(k, v)| pod.labels.iter().any(|(pk, pv)| pk == k && pv == v))
}

/// For a pod the selector does not match but nearly does (it has at least
/// one of the selector's labels), the first label that differs: its key and
/// the pod's value (None: the pod lacks it).
pub fn differing_label(
    selector: &[(String, String)],
    pod: &PodRow,
) -> Option<(String, Option<String>)> {
    let value_of = |key: &str| {
        pod.labels
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    if !selector.iter().any(|(k, _)| value_of(k).is_some()) {
        return None;
    }
    selector
        .iter()
        .find(|(k, v)| value_of(k).as_deref() != Some(v))
        .map(|(k, _)| (k.clone(), value_of(k)))
}

/// The diagnosis of the selected row of the pane in view.
pub fn selected(kube: &KubeState, pane: Pane, engines: Engines) -> Option<Diagnosis> {
    match pane {
        Pane::Pods => {
            let row = kube.pods_table.selected_row(&kube.pods)?;
            pod(kube, row, engines)
        }
        Pane::Deployments => {
            let row = kube.deployments_table.selected_row(&kube.deployments)?;
            deployment(kube, row, engines)
        }
        Pane::Services => {
            let row = kube.services_table.selected_row(&kube.services)?;
            service(kube, row, engines)
        }
        _ => None,
    }
}

fn crash_key(row: &PodRow) -> String {
    format!("{}/{}", row.namespace, row.name)
}

/// After every event: when the selected pod (or the selected Deployment's
/// first crashing pod) has ended a run whose last lines are not known yet,
/// ask for them once (`kubectl logs --previous --tail=3`).
pub fn ask_crash_tail(kube: &mut KubeState, pane: Pane) -> Vec<Command> {
    let row = match pane {
        Pane::Pods => kube.pods_table.selected_row(&kube.pods),
        Pane::Deployments => kube
            .deployments_table
            .selected_row(&kube.deployments)
            .and_then(|d| {
                pods_of(kube, d)
                    .into_iter()
                    .find(|p| p.trouble.as_ref().is_some_and(|t| t.exit.is_some()))
            }),
        _ => None,
    };
    let Some(row) = row.filter(|r| r.restarts > 0) else {
        return Vec::new();
    };
    let Some(trouble) = row.trouble.as_deref().filter(|t| t.exit.is_some()) else {
        return Vec::new();
    };
    let key = crash_key(row);
    if kube
        .crash_tails
        .get(&key)
        .is_some_and(|t| t.restarts == row.restarts)
    {
        return Vec::new();
    }
    let command = Command::ReadCrashTail {
        namespace: row.namespace.clone(),
        name: row.name.clone(),
        container: trouble.container.clone(),
        restarts: row.restarts,
    };
    // Asked once per run: the answer fills the lines in.
    let restarts = row.restarts;
    if kube.crash_tails.len() >= 256 {
        let live: std::collections::HashSet<String> = kube.pods.iter().map(crash_key).collect();
        kube.crash_tails.retain(|k, _| live.contains(k));
    }
    kube.crash_tails.insert(
        key,
        CrashTail {
            restarts,
            lines: Vec::new(),
        },
    );
    vec![command]
}

/// The last lines of a crashed run arrived (or could not be read: then none are shown).
pub fn on_crash_tail(
    kube: &mut KubeState,
    namespace: &str,
    name: &str,
    restarts: u32,
    lines: Vec<String>,
) -> bool {
    let Some(tail) = kube.crash_tails.get_mut(&format!("{namespace}/{name}")) else {
        return false;
    };
    if tail.restarts != restarts {
        return false;
    }
    tail.lines = lines;
    true
}
