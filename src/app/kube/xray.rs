//! Relationships (`t`, `:xray`): how the objects hang together, as a tree
//! built from the watched rows on every frame, so it stays live.
//! Deployment -> its ReplicaSets (revision, the current one marked) -> their
//! pods -> containers, followed through ownerReferences (the rows carry
//! their controller's name), never guessed from names; a Service -> the
//! pods its selector matches, and the near misses with the label that
//! differs. Pure: `tree` reads `KubeState`; opening it and going to a
//! row are in `xray_open.rs`, its keys in `core/xray_keys.rs`.

use super::diagnose::{self, Engines};
use super::state::KubeState;
pub use super::xray_state::{XrayTarget, XrayView};
use crate::domain::kube::{DeploymentRow, KubeKind, PodRow, ReplicaSetRow, ServiceRow};

/// How a line is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Good,
    Bad,
    /// A note: the reason under an object, a near miss, something gone.
    Note,
}

/// One line as drawn: the tree's branches, the object and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XrayLine {
    /// `├─ `, `│  └─ `: the branches drawn before the text.
    pub prefix: String,
    /// `deployment/cookbook`
    pub label: String,
    /// `3/3 ready · selector app=cookbook`
    pub detail: String,
    pub health: Health,
    /// None for a note (a reason, a near miss): the cursor passes over it.
    pub target: Option<XrayTarget>,
}

struct Branch {
    line: XrayLine,
    /// Why it is not ready, drawn on a line of its own under it.
    reason: Option<String>,
    children: Vec<Branch>,
}

impl Branch {
    fn new(target: Option<XrayTarget>, label: String, detail: String, health: Health) -> Self {
        Self {
            line: XrayLine {
                prefix: String::new(),
                label,
                detail,
                health,
                target,
            },
            reason: None,
            children: Vec::new(),
        }
    }
}

/// The lines of the tree that starts at `root`. A pod or ReplicaSet a
/// Deployment owns is shown in its Deployment's tree (the cursor starts on it).
pub fn tree(kube: &KubeState, root: &XrayTarget, engines: Engines) -> Vec<XrayLine> {
    let top = match root.kind {
        KubeKind::Deployment => find(&kube.deployments, root).map(|d| deployment(kube, d, engines)),
        KubeKind::Service => find(&kube.services, root).map(|s| service(kube, s, engines)),
        KubeKind::ReplicaSet => find(&kube.replica_sets, root).map(|r| {
            owning_deployment(kube, r).map_or_else(
                || replica_set(kube, r, false, engines),
                |d| deployment(kube, d, engines),
            )
        }),
        KubeKind::Pod => find(&kube.pods, root).map(|p| {
            match pod_owner(kube, p).and_then(|rs| owning_deployment(kube, rs)) {
                Some(d) => deployment(kube, d, engines),
                None => lone_pod(kube, p, engines),
            }
        }),
    };
    let top = top.unwrap_or_else(|| {
        Branch::new(
            None,
            format!("{}/{}", root.kind.kubectl_name(), root.name),
            "is gone (deleted, or not in the namespace watched)".to_string(),
            Health::Note,
        )
    });
    let mut lines = Vec::new();
    flatten(top, "", "", &mut lines);
    lines
}

/// Where the tree of `target` starts: its Deployment when one owns it.
pub fn root_of(kube: &KubeState, target: &XrayTarget) -> XrayTarget {
    let deployment = match target.kind {
        KubeKind::Pod => find(&kube.pods, target)
            .and_then(|p| pod_owner(kube, p))
            .and_then(|rs| owning_deployment(kube, rs)),
        KubeKind::ReplicaSet => {
            find(&kube.replica_sets, target).and_then(|r| owning_deployment(kube, r))
        }
        _ => None,
    };
    deployment.map_or_else(
        || XrayTarget {
            container: None,
            ..target.clone()
        },
        |d| XrayTarget::object(KubeKind::Deployment, &d.namespace, &d.name),
    )
}

pub(crate) trait Named {
    fn namespace(&self) -> &str;
    fn name(&self) -> &str;
}

macro_rules! named {
    ($($row:ty),*) => {$(
        impl Named for $row {
            fn namespace(&self) -> &str { &self.namespace }
            fn name(&self) -> &str { &self.name }
        }
    )*};
}
named!(DeploymentRow, ServiceRow, ReplicaSetRow, PodRow);

pub(crate) fn find<'a, R: Named>(rows: &'a [R], target: &XrayTarget) -> Option<&'a R> {
    rows.iter()
        .find(|r| r.namespace() == target.namespace && r.name() == target.name)
}

fn pod_owner<'a>(kube: &'a KubeState, pod: &PodRow) -> Option<&'a ReplicaSetRow> {
    let owner = pod.replica_set.as_deref()?;
    kube.replica_sets
        .iter()
        .find(|r| r.namespace == pod.namespace && r.name == owner)
}

fn owning_deployment<'a>(kube: &'a KubeState, rs: &ReplicaSetRow) -> Option<&'a DeploymentRow> {
    let owner = rs.deployment.as_deref()?;
    kube.deployments
        .iter()
        .find(|d| d.namespace == rs.namespace && d.name == owner)
}

fn health(good: bool) -> Health {
    if good { Health::Good } else { Health::Bad }
}

fn deployment(kube: &KubeState, d: &DeploymentRow, engines: Engines) -> Branch {
    let mut sets: Vec<&ReplicaSetRow> = kube
        .replica_sets
        .iter()
        .filter(|r| r.namespace == d.namespace && r.deployment.as_deref() == Some(&d.name))
        .collect();
    sets.sort_by(|a, b| b.revision.cmp(&a.revision).then(a.name.cmp(&b.name)));
    let current = sets.first().map(|r| r.name.clone());
    let mut branch = Branch::new(
        Some(XrayTarget::object(
            KubeKind::Deployment,
            &d.namespace,
            &d.name,
        )),
        format!("deployment/{}", d.name),
        format!("{}/{} ready · selector {}", d.ready, d.desired, d.selector),
        health(d.ready >= d.desired && d.stuck.is_none()),
    );
    branch.reason = diagnose::deployment(kube, d, engines).map(|x| x.line());
    branch.children = sets
        .into_iter()
        .map(|r| replica_set(kube, r, current.as_deref() == Some(&r.name), engines))
        .collect();
    let pods: Vec<&PodRow> = branch
        .children
        .iter()
        .flat_map(|rs| rs.children.iter())
        .filter_map(|p| p.line.target.as_ref())
        .filter_map(|t| find(&kube.pods, t))
        .collect();
    let template_labels: Vec<(String, String)> = d
        .selector
        .split(',')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    branch.children.extend(
        kube.services
            .iter()
            .filter(|s| s.namespace == d.namespace && !s.selector.is_empty())
            .filter(|s| {
                is_subset(&s.selector, &template_labels)
                    || pods.iter().any(|p| is_subset(&s.selector, &p.labels))
            })
            .map(|s| {
                let ready = pods
                    .iter()
                    .filter(|p| is_subset(&s.selector, &p.labels) && diagnose::is_ready(p))
                    .count();
                Branch::new(
                    Some(XrayTarget::object(KubeKind::Service, &s.namespace, &s.name)),
                    format!("service/{}", s.name),
                    format!(
                        "{} · selects these pods ({ready} ready) · {}",
                        s.kind, s.ports
                    ),
                    health(ready > 0),
                )
            }),
    );
    branch
}

fn replica_set(kube: &KubeState, r: &ReplicaSetRow, current: bool, engines: Engines) -> Branch {
    let revision = if r.revision == 0 {
        String::new()
    } else {
        format!(
            "revision {}{} · ",
            r.revision,
            if current { " (current)" } else { "" }
        )
    };
    let mut branch = Branch::new(
        Some(XrayTarget::object(
            KubeKind::ReplicaSet,
            &r.namespace,
            &r.name,
        )),
        format!("replicaset/{}", r.name),
        format!(
            "{revision}{}/{} ready · {}",
            r.ready,
            r.desired,
            r.images.join(", ")
        ),
        if r.desired == 0 {
            Health::Note
        } else {
            health(r.ready >= r.desired)
        },
    );
    let mut pods: Vec<&PodRow> = kube
        .pods
        .iter()
        .filter(|p| p.namespace == r.namespace && p.replica_set.as_deref() == Some(&r.name))
        .collect();
    pods.sort_by(|a, b| a.name.cmp(&b.name));
    branch.children = pods
        .into_iter()
        .map(|p| pod(kube, p, engines, Vec::new()))
        .collect();
    branch
}

fn pod(kube: &KubeState, p: &PodRow, engines: Engines, extra: Vec<Branch>) -> Branch {
    let node = if p.node.is_empty() {
        "no node".to_string()
    } else {
        format!("node {}", p.node)
    };
    let mut branch = Branch::new(
        Some(XrayTarget::object(KubeKind::Pod, &p.namespace, &p.name)),
        format!("pod/{}", p.name),
        format!(
            "{} · {}/{} ready · {node} · {} restarts",
            p.status, p.ready, p.containers, p.restarts
        ),
        health(diagnose::is_ready(p)),
    );
    branch.reason = diagnose::pod(kube, p, engines).map(|x| x.line());
    branch.children = p
        .container_states
        .iter()
        .map(|c| {
            Branch::new(
                Some(XrayTarget {
                    container: Some(c.name.clone()),
                    ..XrayTarget::object(KubeKind::Pod, &p.namespace, &p.name)
                }),
                format!("container {}", c.name),
                format!("{} · {}", c.image, c.state),
                health(c.ready),
            )
        })
        .collect();
    branch.children.extend(extra);
    branch
}

/// A pod no Deployment owns: itself, its containers, the Services that select it.
fn lone_pod(kube: &KubeState, p: &PodRow, engines: Engines) -> Branch {
    let services = kube
        .services
        .iter()
        .filter(|s| s.namespace == p.namespace && !s.selector.is_empty())
        .filter(|s| is_subset(&s.selector, &p.labels))
        .map(|s| {
            Branch::new(
                Some(XrayTarget::object(KubeKind::Service, &s.namespace, &s.name)),
                format!("service/{}", s.name),
                format!("selects it ({})", pairs(&s.selector)),
                Health::Good,
            )
        })
        .collect();
    pod(kube, p, engines, services)
}

fn service(kube: &KubeState, s: &ServiceRow, engines: Engines) -> Branch {
    let selector = if s.selector.is_empty() {
        "no selector (its endpoints are managed by hand)".to_string()
    } else {
        format!("selector {}", pairs(&s.selector))
    };
    let mut branch = Branch::new(
        Some(XrayTarget::object(KubeKind::Service, &s.namespace, &s.name)),
        format!("service/{}", s.name),
        format!("{} · {} · {selector}", s.kind, s.ports),
        Health::Good,
    );
    branch.reason = diagnose::service(kube, s, engines).map(|x| x.line());
    if branch.reason.is_some() {
        branch.line.health = Health::Bad;
    }
    if s.selector.is_empty() {
        return branch;
    }
    let mut pods: Vec<&PodRow> = kube
        .pods
        .iter()
        .filter(|p| p.namespace == s.namespace)
        .collect();
    pods.sort_by(|a, b| a.name.cmp(&b.name));
    let (matched, missed): (Vec<&PodRow>, Vec<&PodRow>) = pods
        .into_iter()
        .partition(|p| is_subset(&s.selector, &p.labels));
    branch.children = matched
        .into_iter()
        .map(|p| {
            let mut child = pod(kube, p, engines, Vec::new());
            child.children.clear();
            child.line.detail = format!(
                "{} · {}",
                if diagnose::is_ready(p) {
                    "ready, serves"
                } else {
                    "matched, not ready"
                },
                child.line.detail
            );
            child
        })
        .collect();
    branch.children.extend(missed.into_iter().filter_map(|p| {
        let (key, value) = diagnose::differing_label(&s.selector, p)?;
        let wanted = s
            .selector
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(String::new(), |(_, v)| v.clone());
        let has = match value {
            Some(value) => format!("has {key}={value}"),
            None => format!("has no label {key}"),
        };
        Some(Branch::new(
            Some(XrayTarget::object(KubeKind::Pod, &p.namespace, &p.name)),
            format!("pod/{}", p.name),
            format!("not selected: {has}, the selector wants {key}={wanted}"),
            Health::Note,
        ))
    }));
    branch
}

fn is_subset(selector: &[(String, String)], labels: &[(String, String)]) -> bool {
    selector
        .iter()
        .all(|(k, v)| labels.iter().any(|(lk, lv)| lk == k && lv == v))
}

pub(crate) fn pairs(selector: &[(String, String)]) -> String {
    selector
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Depth first; `lead` is what this line's branch is drawn with, `rest`
/// what its own children's lines start with.
fn flatten(branch: Branch, lead: &str, rest: &str, lines: &mut Vec<XrayLine>) {
    let Branch {
        mut line,
        reason,
        children,
    } = branch;
    line.prefix = lead.to_string();
    lines.push(line);
    let below = if children.is_empty() { "   " } else { "│  " };
    if let Some(reason) = reason {
        lines.push(XrayLine {
            prefix: format!("{rest}{below}"),
            label: "why:".to_string(),
            detail: reason,
            health: Health::Note,
            target: None,
        });
    }
    let count = children.len();
    for (i, child) in children.into_iter().enumerate() {
        let last = i + 1 == count;
        let lead = format!("{rest}{}", if last { "└─ " } else { "├─ " });
        let rest = format!("{rest}{}", if last { "   " } else { "│  " });
        flatten(child, &lead, &rest, lines);
    }
}

/// The line the cursor is on: the selected target's, else the first
/// object's (the selected one went away).
pub fn cursor(lines: &[XrayLine], selected: &XrayTarget) -> Option<usize> {
    lines
        .iter()
        .position(|l| l.target.as_ref() == Some(selected))
        .or_else(|| lines.iter().position(|l| l.target.is_some()))
}
