//! The Kubernetes key actions: scale, restart, YAML, drill-down, pod logs,
//! and the Deployment manifest for an image. Split from `actions` along the
//! Docker/Kubernetes seam.

use crate::app::core::command::Command;
use crate::app::core::forms::{Form, MAX_REPLICAS};
use crate::app::core::keyed::RowChanges;
use crate::app::core::launch::{alloc_job, launch, refuse_if_readonly};
use crate::app::core::model::{Confirm, Level, Model, Overlay, Pane, PodLogSource, YamlView};
use crate::app::kube::state::KubeConnection;
use crate::domain::kube::{DeploymentRow, KubeKind};
use crate::domain::text::quote;

/// A Service's URL: a LoadBalancer's ingress address on the Service's port,
/// else its nodePort on the node's address (on the sim, 127.0.0.1).
pub(crate) fn service_url(model: &Model) -> Result<String, String> {
    let kube = &model.kube;
    let service = kube
        .services_table
        .selected_row(&kube.services)
        .ok_or("No service selected.")?;
    if let (Some(address), Some(port)) = (service.ingress.first(), service.port) {
        return Ok(format!("http://{address}:{port}/"));
    }
    let node_port = service.node_ports.first().ok_or_else(|| {
        format!(
            "{} is {}: expose the deployment as NodePort or LoadBalancer to open it.",
            service.name, service.kind
        )
    })?;
    let address = match &kube.connection {
        KubeConnection::Connected(info) => info.node_address.clone(),
        _ => None,
    }
    .ok_or("The node's address is not known yet.")?;
    Ok(format!("http://{address}:{node_port}/"))
}

pub(crate) fn selected_deployment(model: &Model) -> Option<(String, String, u32)> {
    let kube = &model.kube;
    kube.deployments_table
        .selected_row(&kube.deployments)
        .map(|d| (d.namespace.clone(), d.name.clone(), d.desired))
}

pub(crate) fn open_scale_form(model: &mut Model) -> Vec<Command> {
    if refuse_if_readonly(model, "scale") {
        return Vec::new();
    }
    match selected_deployment(model) {
        Some((namespace, name, desired)) => {
            model.overlay = Overlay::Form(Form::scale(&namespace, &name, desired))
        }
        None => model.set_status(Level::Warn, "No deployment selected."),
    }
    Vec::new()
}

/// `+`/`-`: one replica more or less; down to zero asks first.
pub(crate) fn scale_by(model: &mut Model, delta: i64) -> Vec<Command> {
    let Some((namespace, name, desired)) = selected_deployment(model) else {
        model.set_status(Level::Warn, "No deployment selected.");
        return Vec::new();
    };
    let wanted = (i64::from(desired) + delta).clamp(0, i64::from(MAX_REPLICAS)) as u32;
    if wanted == desired {
        model.dirty = false;
        return Vec::new();
    }
    scale_to(model, namespace, name, wanted)
}

/// Scale, asking first when it stops every pod.
pub(crate) fn scale_to(
    model: &mut Model,
    namespace: String,
    name: String,
    replicas: u32,
) -> Vec<Command> {
    if refuse_if_readonly(model, "scale") {
        return Vec::new();
    }
    let job = alloc_job(model);
    // Shown at once, so a second + counts from the new number; the watch confirms it.
    if replicas > 0
        && let Some(row) = model
            .kube
            .deployments
            .iter()
            .find(|d| d.namespace == namespace && d.name == name)
    {
        let changed = DeploymentRow {
            desired: replicas,
            ..row.clone()
        };
        let kube = &mut model.kube;
        let changes = RowChanges {
            upserted: vec![changed],
            removed: Vec::new(),
        };
        kube.deployments
            .apply(changes, &mut kube.deployments_table, |_| true, 0);
    }
    let command = Command::Scale {
        job,
        namespace,
        name: name.clone(),
        replicas,
    };
    if replicas == 0 {
        model.overlay = Overlay::Confirm(Confirm {
            message: format!("Scale {name} to zero? Every pod of it stops."),
            on_yes: command,
        });
        return Vec::new();
    }
    launch(model, command)
}

/// `m` on an image: the walkthrough's Deployment manifest for it, asked first.
pub(crate) fn deployment_manifest(model: &mut Model) {
    if refuse_if_readonly(model, "write a manifest") {
        return;
    }
    let Some(image) = model.selected_image().map(|i| i.reference()) else {
        model.set_status(Level::Warn, "No image selected.");
        return;
    };
    let name = deployment_name(&image);
    let on_yes = Command::ScaffoldDeployment {
        dir: model.cwd.clone(),
        name: name.clone(),
        image: image.clone(),
    };
    model.learn = on_yes.learn_line();
    model.overlay = Overlay::Confirm(Confirm {
        message: format!(
            "Write {name}-deployment.yaml in {} (a Deployment of {image}, imagePullPolicy: Never)? An existing file is never overwritten.",
            model.cwd.display()
        ),
        on_yes,
    });
}

/// A Deployment name from an image reference: its last path part, made a DNS-1123 label.
pub fn deployment_name(image: &str) -> String {
    let repository = image.rsplit('/').next().unwrap_or(image);
    let repository = repository.split([':', '@']).next().unwrap_or(repository);
    let mut name: String = repository
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    name.truncate(63 - "-deployment".len());
    let name = name.trim_matches('-').to_string();
    if name.is_empty() {
        "app".to_string()
    } else {
        name
    }
}

/// `r` on a deployment: a rolling restart, asked first since every pod is replaced.
pub(crate) fn rollout_restart(model: &mut Model) {
    if refuse_if_readonly(model, "rollout restart") {
        return;
    }
    let Some((namespace, name, _)) = selected_deployment(model) else {
        model.set_status(Level::Warn, "No deployment selected.");
        return;
    };
    let job = alloc_job(model);
    let on_yes = Command::RolloutRestart {
        job,
        namespace,
        name: name.clone(),
    };
    model.learn = on_yes.learn_line();
    model.overlay = Overlay::Confirm(Confirm {
        message: format!(
            "Restart {name}? New pods replace the old ones; the old go once the new are ready."
        ),
        on_yes,
    });
}

/// The selected Kubernetes object of the pane: kind, namespace, name.
pub(crate) fn selected_object(model: &Model) -> Option<(KubeKind, String, String)> {
    let kube = &model.kube;
    match model.pane {
        Pane::Deployments => kube
            .deployments_table
            .selected_row(&kube.deployments)
            .map(|d| (KubeKind::Deployment, d.namespace.clone(), d.name.clone())),
        Pane::Pods => kube
            .pods_table
            .selected_row(&kube.pods)
            .map(|p| (KubeKind::Pod, p.namespace.clone(), p.name.clone())),
        Pane::Services => kube
            .services_table
            .selected_row(&kube.services)
            .map(|s| (KubeKind::Service, s.namespace.clone(), s.name.clone())),
        _ => None,
    }
}

/// `y`: open the YAML view; the effect fills it in.
pub(crate) fn show_yaml(model: &mut Model) -> Vec<Command> {
    let Some((kind, namespace, name)) = selected_object(model) else {
        model.set_status(Level::Warn, "Nothing selected.");
        return Vec::new();
    };
    let title = format!("{}/{name} -n {namespace}", kind.kubectl_name());
    model.overlay = Overlay::Yaml(YamlView {
        title,
        lines: None,
        scroll: 0,
    });
    let command = Command::ShowYaml {
        kind,
        namespace,
        name,
    };
    model.learn = command.learn_line();
    vec![command]
}

/// `enter` on a deployment: its pods, those of the ReplicaSets it owns; `esc` goes back.
pub(crate) fn drill_down(model: &mut Model) {
    let kube = &model.kube;
    let Some((owner, selector)) = kube
        .deployments_table
        .selected_row(&kube.deployments)
        .map(|d| ((d.namespace.clone(), d.name.clone()), d.selector.clone()))
    else {
        return;
    };
    model.learn = Some(format!(
        "kubectl get pods -n {} -l {}",
        quote(&owner.0),
        quote(&selector)
    ));
    model.pane = Pane::Pods;
    model.filter_input = None;
    model.kube.pods_table.filter.clear();
    model.kube.pods_of = Some(owner);
    model.kube.rebuild(Pane::Pods);
}

/// `l` on a pod: its logs in the Logs pane, followed; a pod of several containers asks which.
pub(crate) fn follow_pod_logs(model: &mut Model) -> Vec<Command> {
    let kube = &model.kube;
    let Some(pod) = kube.pods_table.selected_row(&kube.pods) else {
        model.set_status(Level::Warn, "No pod selected.");
        return Vec::new();
    };
    let (namespace, name) = (pod.namespace.clone(), pod.name.clone());
    if pod.container_names.len() > 1 {
        let items = pod
            .container_names
            .iter()
            .map(|c| crate::app::core::model::PickItem {
                label: c.clone(),
                detail: format!("kubectl logs -f {name} -c {c}"),
            })
            .collect();
        model.overlay = Overlay::Pick(crate::app::core::model::Picker {
            title: format!("Logs of which container of {name}?"),
            items,
            selected: 0,
            purpose: crate::app::core::model::PickPurpose::PodContainer {
                namespace,
                pod: name,
            },
        });
        return Vec::new();
    }
    let source = PodLogSource {
        namespace,
        name,
        container: None,
        previous: false,
    };
    pod_logs(model, source)
}

/// Show a pod's log stream (the current container's, followed, or the previous one's).
pub(crate) fn pod_logs(model: &mut Model, source: PodLogSource) -> Vec<Command> {
    let logs = &mut model.logs;
    logs.container_id = Some(pod_log_key(&source.namespace, &source.name));
    let container = source
        .container
        .as_ref()
        .map_or(String::new(), |c| format!(" ({c})"));
    let previous = if source.previous { ", previous" } else { "" };
    logs.container_name = format!("pod {}{container}{previous}", source.name);
    logs.lines.clear();
    logs.follow = true;
    logs.scroll_back = 0;
    logs.ended = None;
    logs.pod = Some(source.clone());
    model.pane = Pane::Logs;
    let command = Command::FollowPodLogs {
        namespace: source.namespace,
        name: source.name,
        container: source.container,
        previous: source.previous,
    };
    model.learn = command.learn_line();
    vec![command]
}

/// `p` in Logs: a pod's previous container (after a crash or restart), or back to the current.
pub(crate) fn toggle_previous(model: &mut Model) -> Vec<Command> {
    match model.logs.pod.clone() {
        Some(mut source) => {
            source.previous = !source.previous;
            pod_logs(model, source)
        }
        None => {
            model.set_status(
                Level::Warn,
                "p shows a pod's previous container: open a pod's logs first (l in Pods).",
            );
            Vec::new()
        }
    }
}

/// The Logs pane's key for a pod's stream (a container's is its id).
pub fn pod_log_key(namespace: &str, name: &str) -> String {
    format!("pod/{namespace}/{name}")
}
