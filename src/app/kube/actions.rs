//! The Kubernetes key actions: open a Service, scale, restart, YAML,
//! drill-down, which pod's logs. Each takes the cluster's state and the
//! shared context.

use crate::app::core::command::Command;
use crate::app::core::forms::{Form, MAX_REPLICAS};
use crate::app::core::handled::Handled;
use crate::app::core::keyed::RowChanges;
use crate::app::core::launch::launch;
use crate::app::core::model::{Confirm, Level, Overlay, Pane, PodLogSource, YamlView};
use crate::app::core::shared::Shared;
use crate::app::kube::state::{KubeConnection, KubeState};
use crate::domain::kube::{DeploymentRow, KubeKind};
use crate::domain::text::quote;

/// A Service's URL: a LoadBalancer's ingress address on the Service's port,
/// else its nodePort on the node's address (on the sim, 127.0.0.1).
pub(crate) fn service_url(kube: &KubeState) -> Result<String, String> {
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

pub(crate) fn selected_deployment(kube: &KubeState) -> Option<(String, String, u32)> {
    kube.deployments_table
        .selected_row(&kube.deployments)
        .map(|d| (d.namespace.clone(), d.name.clone(), d.desired))
}

/// `:image IMAGE`: every container of the selected Deployment runs IMAGE
/// (`kubectl set image`); the Deployment rolls out a new revision.
pub(crate) fn set_image(
    kube: &KubeState,
    shared: &mut Shared,
    image: Option<String>,
) -> Vec<Command> {
    let Some(image) = image else {
        shared.set_status(
            Level::Warn,
            ":image IMAGE sets the selected deployment's image, e.g. :image cookbook:v2",
        );
        return Vec::new();
    };
    let selected = (shared.pane == crate::app::core::pane::Pane::Deployments)
        .then(|| selected_deployment(kube))
        .flatten();
    let Some((namespace, name, _)) = selected else {
        shared.set_status(
            Level::Warn,
            ":image works on a deployment: select one in 5 (Deployments) first.",
        );
        return Vec::new();
    };
    let job = shared.alloc_job();
    crate::app::core::launch::launch(
        shared,
        Command::SetImage {
            job,
            namespace,
            name,
            image,
        },
    )
}

pub(crate) fn open_scale_form(kube: &mut KubeState, shared: &mut Shared) -> Vec<Command> {
    if shared.refuse_if_readonly("scale") {
        return Vec::new();
    }
    match selected_deployment(kube) {
        Some((namespace, name, desired)) => {
            shared.overlay = Overlay::Form(Form::scale(&namespace, &name, desired))
        }
        None => shared.set_status(Level::Warn, "No deployment selected."),
    }
    Vec::new()
}

/// `+`/`-`: one replica more or less; down to zero asks first.
pub(crate) fn scale_by(kube: &mut KubeState, shared: &mut Shared, delta: i64) -> Handled {
    let Some((namespace, name, desired)) = selected_deployment(kube) else {
        shared.set_status(Level::Warn, "No deployment selected.");
        return Handled::shown(Vec::new());
    };
    let wanted = (i64::from(desired) + delta).clamp(0, i64::from(MAX_REPLICAS)) as u32;
    if wanted == desired {
        // Already at zero or at the most: nothing to do, nothing to show.
        return Handled::unseen();
    }
    scale_to(kube, shared, namespace, name, wanted).into()
}

/// Scale, asking first when it stops every pod.
pub(crate) fn scale_to(
    kube: &mut KubeState,
    shared: &mut Shared,
    namespace: String,
    name: String,
    replicas: u32,
) -> Vec<Command> {
    if shared.refuse_if_readonly("scale") {
        return Vec::new();
    }
    let job = shared.alloc_job();
    kube.scaled_from = kube
        .deployments
        .iter()
        .find(|d| d.namespace == namespace && d.name == name)
        .map(|d| (namespace.clone(), name.clone(), d.desired));
    // Shown at once, so a second + counts from the new number; the watch confirms it.
    if replicas > 0
        && let Some(row) = kube
            .deployments
            .iter()
            .find(|d| d.namespace == namespace && d.name == name)
    {
        let changed = DeploymentRow {
            desired: replicas,
            ..row.clone()
        };

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
        shared.overlay = Overlay::Confirm(Confirm {
            message: format!("Scale {name} to zero? Every pod of it stops."),
            on_yes: command,
        });
        return Vec::new();
    }
    launch(shared, command)
}

/// `r` on a deployment: a rolling restart, asked first since every pod is replaced.
pub(crate) fn rollout_restart(kube: &mut KubeState, shared: &mut Shared) {
    if shared.refuse_if_readonly("rollout restart") {
        return;
    }
    let Some((namespace, name, _)) = selected_deployment(kube) else {
        shared.set_status(Level::Warn, "No deployment selected.");
        return;
    };
    let job = shared.alloc_job();
    let on_yes = Command::RolloutRestart {
        job,
        namespace,
        name: name.clone(),
    };
    shared.learn = on_yes.learn_line();
    shared.overlay = Overlay::Confirm(Confirm {
        message: format!(
            "Restart {name}? New pods replace the old ones; the old go once the new are ready."
        ),
        on_yes,
    });
}

/// The selected Kubernetes object of the pane: kind, namespace, name.
pub(crate) fn selected_object(kube: &KubeState, pane: Pane) -> Option<(KubeKind, String, String)> {
    match pane {
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
pub(crate) fn show_yaml(kube: &mut KubeState, shared: &mut Shared) -> Vec<Command> {
    let Some((kind, namespace, name)) = selected_object(kube, shared.pane) else {
        shared.set_status(Level::Warn, "Nothing selected.");
        return Vec::new();
    };
    open_yaml(shared, kind, namespace, name)
}

/// The YAML view of one object, loading.
pub(crate) fn open_yaml(
    shared: &mut Shared,
    kind: KubeKind,
    namespace: String,
    name: String,
) -> Vec<Command> {
    let title = format!("{}/{name} -n {namespace}", kind.kubectl_name());
    shared.overlay = Overlay::Yaml(YamlView {
        title,
        lines: None,
        cursor: 0,
        explained: None,
        back: None,
    });
    let command = Command::ShowYaml {
        kind,
        namespace,
        name,
    };
    shared.learn = command.learn_line();
    vec![command]
}

/// `enter` on a deployment: its pods, those of the ReplicaSets it owns; `esc` goes back.
pub(crate) fn drill_down(kube: &mut KubeState, shared: &mut Shared) {
    let Some((owner, selector)) = kube
        .deployments_table
        .selected_row(&kube.deployments)
        .map(|d| ((d.namespace.clone(), d.name.clone()), d.selector.clone()))
    else {
        return;
    };
    shared.learn = Some(format!(
        "kubectl get pods -n {} -l {}",
        quote(&owner.0),
        quote(&selector)
    ));
    shared.pane = Pane::Pods;
    kube.pods_table.filter.clear();
    kube.pods_of = Some(owner);
    kube.rebuild(Pane::Pods);
}

/// `l` on a pod: the stream to follow in the Logs pane; a pod of several
/// containers asks which (a picker, and None).
pub(crate) fn follow_pod_logs(kube: &mut KubeState, shared: &mut Shared) -> Option<PodLogSource> {
    let Some(pod) = kube.pods_table.selected_row(&kube.pods) else {
        shared.set_status(Level::Warn, "No pod selected.");
        return None;
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
        shared.overlay = Overlay::Pick(crate::app::core::model::Picker {
            title: format!("Logs of which container of {name}?"),
            items,
            selected: 0,
            purpose: crate::app::core::model::PickPurpose::PodContainer {
                namespace,
                pod: name,
            },
        });
        return None;
    }
    Some(PodLogSource {
        namespace,
        name,
        container: None,
        previous: false,
    })
}
