//! What each key action does to the model, and the commands it asks for.

use super::command::{Command, ContainerOp, quote};
use super::forms::Form;
use super::forms::MAX_REPLICAS;
use super::keymap::Action;
use super::kube_state::KubeConnection;
use super::launch::{alloc_job, launch, refuse_if_readonly};
use super::model::{Confirm, Job, Level, Model, Overlay, Pane, PodLogSource, YamlView};
use super::table::TableRow;
use crate::domain::kube::KubeKind;
use crate::domain::{ContainerRow, ImageRow};
use tui_input::Input;

const PAGE: isize = 10;

pub(super) fn on_action(model: &mut Model, action: Action) -> Vec<Command> {
    let pane = model.pane;
    match action {
        Action::Help => model.overlay = Overlay::Help,
        Action::Quit => model.quit = true,
        Action::NextPane => switch_pane(model, Pane::ALL[(pane.index() + 1) % Pane::ALL.len()]),
        Action::PrevPane => switch_pane(
            model,
            Pane::ALL[(pane.index() + Pane::ALL.len() - 1) % Pane::ALL.len()],
        ),
        Action::PaneContainers => switch_pane(model, Pane::Containers),
        Action::PaneImages => switch_pane(model, Pane::Images),
        Action::PaneJobs => switch_pane(model, Pane::Jobs),
        Action::PaneLogs => switch_pane(model, Pane::Logs),
        Action::PaneDeployments => switch_pane(model, Pane::Deployments),
        Action::PanePods => switch_pane(model, Pane::Pods),
        Action::PaneServices => switch_pane(model, Pane::Services),
        Action::PaneEvents => switch_pane(model, Pane::Events),
        Action::PaneCloud => switch_pane(model, Pane::Cloud),
        Action::Deploy => return super::cloud::deploy(model),
        Action::Refresh => return super::cloud::refresh(model),
        Action::CloudSettings => return super::cloud_forms::settings_form(model),
        Action::Workflow => return super::cloud_forms::workflow_form(model),
        Action::CancelJob => return cancel_job(model),
        Action::Open if pane == Pane::Cloud => return super::cloud::open(model),
        Action::Down => move_selection(model, 1),
        Action::Up => move_selection(model, -1),
        Action::PageDown => move_selection(model, PAGE),
        Action::PageUp => move_selection(model, -PAGE),
        Action::Top => move_selection(model, isize::MIN / 2),
        Action::Bottom => move_selection(model, isize::MAX / 2),
        Action::Filter => model.filter_input = Some(Input::new(model.filter_of(pane).to_string())),
        Action::Back => back(model),
        Action::SortNext => sort(model, false),
        Action::SortReverse => sort(model, true),
        Action::ToggleAll => {
            model.docker.show_all = !model.docker.show_all;
            model.rebuild_view(Pane::Containers);
        }
        Action::ToggleFollow => {
            model.logs.follow = !model.logs.follow;
            model.logs.scroll_back = 0;
        }
        Action::Build => {
            if !refuse_if_readonly(model, "build") {
                model.overlay = Overlay::Form(Form::build(&model.cwd));
            }
        }
        Action::Run => return open_run_form(model),
        Action::StopStart => return container_op(model, None),
        Action::Restart if pane == Pane::Deployments => rollout_restart(model),
        Action::Restart => return container_op(model, Some(ContainerOp::Restart)),
        Action::Remove => remove(model),
        Action::Logs if pane == Pane::Pods => return follow_pod_logs(model),
        Action::Logs => return follow_logs(model),
        Action::Open => return open(model),
        Action::Scale => return open_scale_form(model),
        Action::ScaleUp => return scale_by(model, 1),
        Action::ScaleDown => return scale_by(model, -1),
        Action::Yaml => return show_yaml(model),
        Action::DrillDown => drill_down(model),
        Action::Minikube => super::minikube::open_menu(model),
        Action::CommandLine => super::command_line::open(model),
        Action::PreviousLogs => return toggle_previous(model),
        Action::DeploymentManifest => deployment_manifest(model),
        Action::DockerEnv => return super::minikube::toggle_docker_env(model),
        Action::Expose => {
            if !refuse_if_readonly(model, "expose") {
                match selected_deployment(model) {
                    Some((namespace, name, _)) => {
                        model.overlay = Overlay::Form(Form::expose(&namespace, &name))
                    }
                    None => model.set_status(Level::Warn, "No deployment selected."),
                }
            }
        }
        Action::Apply => {
            if !refuse_if_readonly(model, "apply") {
                // The walkthrough's manifest is the likely one; the user can type another.
                let default = if model.cwd.join("cookbook-deployment.yaml").exists() {
                    "cookbook-deployment.yaml"
                } else {
                    ""
                };
                model.overlay = Overlay::Form(Form::apply(default));
            }
        }
    }
    Vec::new()
}

fn switch_pane(model: &mut Model, pane: Pane) {
    model.pane = pane;
    model.filter_input = None;
}

fn move_selection(model: &mut Model, delta: isize) {
    if model.pane == Pane::Logs {
        let logs = &mut model.logs;
        let max = logs.lines.len().saturating_sub(1) as isize;
        // Moving up leaves follow mode, as scrolling back in a pager does.
        let back = (logs.scroll_back as isize - delta).clamp(0, max.max(0));
        logs.scroll_back = back as usize;
        logs.follow = back == 0 && logs.follow;
        return;
    }
    if let Some(table) = model.table_mut(model.pane) {
        table.move_by(delta);
    }
}

fn back(model: &mut Model) {
    let pane = model.pane;
    if !model.filter_of(pane).is_empty() {
        set_filter(model, String::new());
    } else if pane == Pane::Logs {
        model.pane = Pane::Containers;
    } else if pane == Pane::Pods && model.kube.pods_of.is_some() {
        // Back from a deployment's pods to the deployment.
        model.kube.pods_of = None;
        model.kube.rebuild(Pane::Pods);
        model.pane = Pane::Deployments;
    } else {
        model.dirty = false;
    }
}

fn sort(model: &mut Model, reverse: bool) {
    let pane = model.pane;
    let columns = match pane {
        Pane::Containers => ContainerRow::column_count(),
        Pane::Images => ImageRow::column_count(),
        Pane::Jobs => Job::column_count(),
        Pane::Logs => return,
        kube => super::kube_state::KubeState::column_count(kube),
    };
    if let Some(table) = model.table_mut(pane) {
        if reverse {
            table.descending = !table.descending;
            if table.sort_column.is_none() {
                table.sort_column = Some(0);
            }
        } else {
            table.sort_next(columns);
        }
    }
    model.rebuild_view(pane);
}

pub(super) fn set_filter(model: &mut Model, text: String) {
    let pane = model.pane;
    match model.table_mut(pane) {
        Some(table) => table.filter = text,
        None => model.logs.search = text,
    }
    model.rebuild_view(pane);
}

fn open_run_form(model: &mut Model) -> Vec<Command> {
    if refuse_if_readonly(model, "run") {
        return Vec::new();
    }
    match model.selected_image() {
        Some(image) => {
            let reference = image.reference();
            model.overlay = Overlay::Form(Form::run(&reference, ""));
            // The image's EXPOSE lines fill in the ports while the user reads the form.
            return vec![Command::InspectImage(reference)];
        }
        None => model.set_status(Level::Warn, "No image selected: build one with b first."),
    }
    Vec::new()
}

fn container_op(model: &mut Model, op: Option<ContainerOp>) -> Vec<Command> {
    let Some(container) = model.selected_container() else {
        model.set_status(Level::Warn, "No container selected.");
        return Vec::new();
    };
    let op = op.unwrap_or(if container.state.is_running() {
        ContainerOp::Stop
    } else {
        ContainerOp::Start
    });
    let (id, name) = (container.id.clone(), container.name.clone());
    let job = alloc_job(model);
    launch(model, Command::Container { job, id, name, op })
}

fn remove(model: &mut Model) {
    if refuse_if_readonly(model, "remove") {
        return;
    }
    // The job id is only taken when there is something to confirm.
    let Some((message, on_yes)) = removal(model, model.next_job) else {
        return;
    };
    alloc_job(model);
    model.overlay = Overlay::Confirm(Confirm { message, on_yes });
}

/// What ctrl-d asks, and the command a yes runs, for the selected row of the pane.
fn removal(model: &Model, job: u64) -> Option<(String, Command)> {
    let kube = &model.kube;
    match model.pane {
        Pane::Containers => {
            let c = model.selected_container()?;
            let running = if c.state.is_running() {
                " It is running and will be stopped."
            } else {
                ""
            };
            let command = Command::Container {
                job,
                id: c.id.clone(),
                name: c.name.clone(),
                op: ContainerOp::Remove,
            };
            Some((
                format!("Remove container {} ({})?{running}", c.name, c.short_id()),
                command,
            ))
        }
        Pane::Images => {
            let reference = model.selected_image()?.reference();
            Some((
                format!("Remove image {reference}?"),
                Command::RemoveImage { job, reference },
            ))
        }
        Pane::Deployments => {
            let d = kube.deployments_table.selected_row(&kube.deployments)?;
            let command = Command::DeleteObject {
                job,
                kind: KubeKind::Deployment,
                namespace: d.namespace.clone(),
                name: d.name.clone(),
            };
            Some((
                format!(
                    "Delete deployment {} in {}? Its ReplicaSets and pods go too.",
                    d.name, d.namespace
                ),
                command,
            ))
        }
        Pane::Pods => {
            let p = kube.pods_table.selected_row(&kube.pods)?;
            let command = Command::DeleteObject {
                job,
                kind: KubeKind::Pod,
                namespace: p.namespace.clone(),
                name: p.name.clone(),
            };
            Some((
                format!(
                    "Delete pod {} in {}? A ReplicaSet that owns it makes a new one.",
                    p.name, p.namespace
                ),
                command,
            ))
        }
        Pane::Services => {
            let svc = kube.services_table.selected_row(&kube.services)?;
            let command = Command::DeleteObject {
                job,
                kind: KubeKind::Service,
                namespace: svc.namespace.clone(),
                name: svc.name.clone(),
            };
            Some((
                format!("Delete service {} in {}?", svc.name, svc.namespace),
                command,
            ))
        }
        Pane::Jobs | Pane::Logs | Pane::Events | Pane::Cloud => None,
    }
}

fn follow_logs(model: &mut Model) -> Vec<Command> {
    let Some(container) = model.selected_container() else {
        model.set_status(Level::Warn, "No container selected.");
        return Vec::new();
    };
    let (id, name) = (container.id.clone(), container.name.clone());
    let logs = &mut model.logs;
    logs.container_id = Some(id.clone());
    logs.pod = None;
    logs.container_name = name;
    logs.lines.clear();
    logs.follow = true;
    logs.scroll_back = 0;
    logs.ended = None;
    model.pane = Pane::Logs;
    let command = Command::FollowLogs(Some(id));
    model.learn = command.learn_line();
    vec![command]
}

fn open(model: &mut Model) -> Vec<Command> {
    if model.pane == Pane::Services && model.minikube.is_current() {
        let kube = &model.kube;
        let Some((namespace, name)) = kube
            .services_table
            .selected_row(&kube.services)
            .map(|s| (s.namespace.clone(), s.name.clone()))
        else {
            model.set_status(Level::Warn, "No service selected.");
            return Vec::new();
        };
        return super::minikube::open_service(model, &namespace, &name);
    }
    let url = match model.pane {
        Pane::Services => service_url(model),
        _ => container_url(model),
    };
    match url {
        Ok(url) => {
            model.set_status(Level::Info, format!("Opening {url}"));
            let command = Command::OpenUrl(url);
            model.learn = command.learn_line();
            vec![command]
        }
        Err(why) => {
            model.set_status(Level::Warn, why);
            Vec::new()
        }
    }
}

fn container_url(model: &Model) -> Result<String, String> {
    let container = model.selected_container().ok_or("No container selected.")?;
    container.first_url().ok_or_else(|| {
        format!(
            "{} publishes no port: run it with a port map (r on its image) to open it.",
            container.name
        )
    })
}

/// A Service's URL: a LoadBalancer's ingress address on the Service's port,
/// else its nodePort on the node's address (on the sim, 127.0.0.1).
fn service_url(model: &Model) -> Result<String, String> {
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

fn selected_deployment(model: &Model) -> Option<(String, String, u32)> {
    let kube = &model.kube;
    kube.deployments_table
        .selected_row(&kube.deployments)
        .map(|d| (d.namespace.clone(), d.name.clone(), d.desired))
}

fn open_scale_form(model: &mut Model) -> Vec<Command> {
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
fn scale_by(model: &mut Model, delta: i64) -> Vec<Command> {
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
pub(super) fn scale_to(
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
            .iter_mut()
            .find(|d| d.namespace == namespace && d.name == name)
    {
        row.desired = replicas;
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

/// ctrl-c in Jobs: end the selected running job; with none running there, quit as everywhere.
fn cancel_job(model: &mut Model) -> Vec<Command> {
    let running = model
        .selected_job()
        .filter(|j| j.state == super::model::JobState::Running)
        .map(|j| (j.id, j.title.clone()));
    match running {
        Some((id, title)) => {
            model.set_status(Level::Info, format!("Cancelling {title}…"));
            vec![Command::CancelJob(id)]
        }
        None => {
            model.quit = true;
            Vec::new()
        }
    }
}

/// `m` on an image: the walkthrough's Deployment manifest for it, asked first.
fn deployment_manifest(model: &mut Model) {
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
fn rollout_restart(model: &mut Model) {
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
fn selected_object(model: &Model) -> Option<(KubeKind, String, String)> {
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
fn show_yaml(model: &mut Model) -> Vec<Command> {
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
fn drill_down(model: &mut Model) {
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
fn follow_pod_logs(model: &mut Model) -> Vec<Command> {
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
            .map(|c| crate::app::model::PickItem {
                label: c.clone(),
                detail: format!("kubectl logs -f {name} -c {c}"),
            })
            .collect();
        model.overlay = Overlay::Pick(crate::app::model::Picker {
            title: format!("Logs of which container of {name}?"),
            items,
            selected: 0,
            purpose: crate::app::model::PickPurpose::PodContainer {
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
pub(super) fn pod_logs(model: &mut Model, source: PodLogSource) -> Vec<Command> {
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
fn toggle_previous(model: &mut Model) -> Vec<Command> {
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
