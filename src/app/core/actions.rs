//! What each key action does to the model, and the commands it asks for.

use crate::app::core::command::{Command, ContainerOp};
use crate::app::core::forms::Form;
use crate::app::core::handled::Handled;
use crate::app::core::keymap::Action;
use crate::app::core::model::{Confirm, Job, Level, Model, Overlay, Pane};
use crate::app::core::table::TableRow;
use crate::app::docker::actions::{
    container_op, container_url, deployment_manifest, follow_logs, open_run_form, pod_logs,
    toggle_previous,
};
use crate::app::docker::state::SelectorLogs;
use crate::app::kube::actions::{
    drill_down, follow_pod_logs, open_scale_form, rollout_restart, scale_by, selected_deployment,
    service_url, show_yaml,
};
use crate::domain::kube::KubeKind;
use crate::domain::{ContainerRow, ImageRow};
use tui_input::Input;
const PAGE: isize = 10;

pub(crate) fn on_action(model: &mut Model, action: Action) -> Handled {
    let pane = model.shared.pane;
    let cloud = (&mut model.cloud, &mut model.docker.logs);
    if let Some(commands) = crate::app::cloud::actions::on_action(cloud, &mut model.shared, action)
    {
        return commands.into();
    }
    match action {
        Action::Help => model.shared.overlay = Overlay::Help(Default::default()),
        Action::Palette => model.shared.overlay = Overlay::Palette(Default::default()),
        Action::Quit => model.view.quit = true,
        Action::NextPane => switch_pane(model, Pane::ALL[(pane.index() + 1) % Pane::ALL.len()]),
        // Forwards sits after Services: back goes there.
        Action::PrevPane if pane == Pane::Forwards => switch_pane(model, Pane::Services),
        Action::PrevPane => switch_pane(
            model,
            Pane::ALL[(pane.index() + Pane::ALL.len() - 1) % Pane::ALL.len()],
        ),
        Action::PaneForwards => switch_pane(model, Pane::Forwards),
        Action::OnlyPod => crate::app::docker::selector_logs::cycle_only_pod(
            &mut model.docker.logs,
            &mut model.shared,
        ),
        Action::LogSince => {
            return crate::app::docker::selector_logs::cycle_since(
                &mut model.docker.logs,
                &mut model.shared,
            )
            .into();
        }
        Action::PortForward => {
            return crate::app::core::forward_target::port_forward(model).into();
        }
        Action::StopAllForwards => {
            return crate::app::forwards::stop_all(&mut model.forwards, &mut model.shared).into();
        }
        Action::KeepForward => {
            return crate::app::forwards::toggle_keep(&mut model.forwards, &mut model.shared)
                .into();
        }
        Action::Remove if pane == Pane::Forwards => {
            return crate::app::forwards::remove(&mut model.forwards, &mut model.shared).into();
        }
        Action::StopStart if pane == Pane::Forwards => {
            return crate::app::forwards::stop_start(&mut model.forwards, &mut model.shared).into();
        }
        Action::Open if pane == Pane::Forwards => {
            return crate::app::forwards::open(&model.forwards, &mut model.shared).into();
        }
        Action::PaneContainers => switch_pane(model, Pane::Containers),
        Action::PaneImages => switch_pane(model, Pane::Images),
        Action::PaneJobs => switch_pane(model, Pane::Jobs),
        Action::PaneLogs => switch_pane(model, Pane::Logs),
        Action::PaneDeployments => switch_pane(model, Pane::Deployments),
        Action::PanePods => switch_pane(model, Pane::Pods),
        Action::PaneServices => switch_pane(model, Pane::Services),
        Action::PaneEvents => switch_pane(model, Pane::Events),
        Action::PaneCloud => switch_pane(model, Pane::Cloud),
        Action::PaneHistory => switch_pane(model, Pane::History),
        Action::NextTheme => {
            let name = model.view.themes.cycle().name.clone();
            model.set_status(Level::Info, format!("Theme: {name} (T: next, :theme NAME)"));
        }
        Action::ToggleLearn => crate::app::core::launch::toggle_learn(model),
        Action::CancelJob => return cancel_job(model).into(),
        Action::ToggleWatch => {
            return crate::app::dev::actions::toggle_watch(&mut model.dev, &mut model.shared)
                .into();
        }
        Action::PauseWatch => {
            return crate::app::dev::actions::toggle_pause(&mut model.dev, &mut model.shared)
                .into();
        }
        Action::TriggerCycle => {
            return crate::app::dev::actions::trigger(&mut model.dev, &mut model.shared).into();
        }
        Action::DevMode if pane == Pane::Jobs => {
            return crate::app::dev::actions::toggle_mode(&mut model.dev, &mut model.shared).into();
        }
        Action::DevMode => {
            let target = match pane {
                Pane::Containers => model
                    .selected_container()
                    .map(|c| crate::app::dev::state::container_target(&c.name)),
                Pane::Deployments => {
                    selected_deployment(&model.kube).map(|(namespace, name, _)| {
                        crate::app::dev::state::deployment_target(&namespace, &name)
                    })
                }
                _ => None,
            };
            crate::app::dev::actions::toggle_target(&mut model.dev, &mut model.shared, target);
        }
        Action::Down => move_selection(model, 1),
        Action::Up => move_selection(model, -1),
        Action::PageDown => move_selection(model, PAGE),
        Action::PageUp => move_selection(model, -PAGE),
        Action::Top => move_selection(model, isize::MIN / 2),
        Action::Bottom => move_selection(model, isize::MAX / 2),
        Action::Filter => {
            model.view.filter_input = Some(Input::new(model.filter_of(pane).to_string()))
        }
        Action::Back => return Handled::seen_if(back(model)),
        Action::SortNext => sort(model, false),
        Action::SortReverse => sort(model, true),
        Action::ToggleAll => {
            model.docker.show_all = !model.docker.show_all;
            model.rebuild_view(Pane::Containers);
        }
        Action::ToggleFollow => {
            model.docker.logs.follow = !model.docker.logs.follow;
            model.docker.logs.scroll_back = 0;
        }
        Action::Build => {
            if !model.shared.refuse_if_readonly("build") {
                model.shared.overlay = Overlay::Form(Form::build(&model.shared.cwd));
            }
        }
        Action::Run => return open_run_form(&mut model.docker, &mut model.shared).into(),
        Action::StopStart => {
            return container_op(&mut model.docker, &mut model.shared, None).into();
        }
        Action::Restart if pane == Pane::Deployments => {
            rollout_restart(&mut model.kube, &mut model.shared)
        }
        Action::Restart => {
            let restart = Some(ContainerOp::Restart);
            return container_op(&mut model.docker, &mut model.shared, restart).into();
        }
        Action::Remove => remove(model),
        Action::Logs if pane == Pane::Deployments => {
            let kube = &model.kube;
            let Some(deployment) = kube.deployments_table.selected_row(&kube.deployments) else {
                model.set_status(Level::Warn, "No deployment selected.");
                return Handled::shown(Vec::new());
            };
            let (namespace, selector) = (deployment.namespace.clone(), deployment.selector.clone());
            if selector.is_empty() {
                model.set_status(
                    Level::Warn,
                    "That deployment selects no pods (no matchLabels).",
                );
                return Handled::shown(Vec::new());
            }
            return crate::app::docker::selector_logs::selector_logs(
                &mut model.docker.logs,
                &mut model.shared,
                SelectorLogs {
                    namespace,
                    selector,
                    since: None,
                },
            )
            .into();
        }
        Action::Logs if pane == Pane::Pods => {
            return match follow_pod_logs(&mut model.kube, &mut model.shared) {
                Some(source) => pod_logs(&mut model.docker.logs, &mut model.shared, source).into(),
                None => Handled::shown(Vec::new()),
            };
        }
        Action::Logs => return follow_logs(&mut model.docker, &mut model.shared).into(),
        Action::Shell => {
            return crate::app::core::exec_target::inside(model, crate::app::exec::Inside::Shell)
                .into();
        }
        Action::ExecCommand => {
            return crate::app::core::exec_target::inside(model, crate::app::exec::Inside::Command)
                .into();
        }
        Action::Open => return open(model).into(),
        Action::Scale => return open_scale_form(&mut model.kube, &mut model.shared).into(),
        Action::ScaleUp => return scale_by(&mut model.kube, &mut model.shared, 1),
        Action::ScaleDown => return scale_by(&mut model.kube, &mut model.shared, -1),
        Action::Yaml => return show_yaml(&mut model.kube, &mut model.shared).into(),
        Action::RolloutHistory => crate::app::kube::rollout::open(&model.kube, &mut model.shared),
        Action::Xray => match crate::app::kube::xray_open::selected_target(&model.kube, pane) {
            Some(target) => {
                crate::app::kube::xray_open::open(&model.kube, &mut model.shared, target)
            }
            None => model.set_status(Level::Warn, "Nothing selected."),
        },
        Action::Undo => {
            crate::app::learn::undo::undo(&model.history.last_change, &mut model.shared)
        }
        Action::DrillDown => {
            model.view.filter_input = None;
            drill_down(&mut model.kube, &mut model.shared);
        }
        Action::Minikube => {
            crate::app::kube::minikube::open_menu(&mut model.minikube, &mut model.shared)
        }
        // Answered by the Cloud Run side above.
        Action::Deploy
        | Action::Refresh
        | Action::CloudSettings
        | Action::Workflow
        | Action::Revisions
        | Action::TrafficToRevision => {}
        Action::CommandLine => crate::app::core::command_line::open(model),
        Action::PreviousLogs => {
            return toggle_previous(&mut model.docker.logs, &mut model.shared).into();
        }
        Action::DeploymentManifest => deployment_manifest(&model.docker, &mut model.shared),
        Action::DockerEnv => {
            return crate::app::kube::minikube::toggle_docker_env(
                &mut model.minikube,
                &mut model.shared,
            )
            .into();
        }
        Action::Expose => {
            if !model.shared.refuse_if_readonly("expose") {
                match selected_deployment(&model.kube) {
                    Some((namespace, name, _)) => {
                        model.shared.overlay = Overlay::Form(Form::expose(&namespace, &name))
                    }
                    None => model.set_status(Level::Warn, "No deployment selected."),
                }
            }
        }
        Action::Apply => {
            if !model.shared.refuse_if_readonly("apply") {
                model.shared.overlay = Overlay::Form(Form::apply(""));
                // The walkthrough's manifest is the likely one (the effect looks); the user can type another.
                return Handled::shown(vec![Command::SuggestManifest]);
            }
        }
    }
    Handled::shown(Vec::new())
}

fn switch_pane(model: &mut Model, pane: Pane) {
    model.shared.pane = pane;
    model.view.filter_input = None;
}

fn move_selection(model: &mut Model, delta: isize) {
    if model.shared.pane == Pane::Logs {
        let logs = &mut model.docker.logs;
        let max = logs.lines.len().saturating_sub(1) as isize;
        // Moving up leaves follow mode, as scrolling back in a pager does.
        let back = (logs.scroll_back as isize - delta).clamp(0, max.max(0));
        logs.scroll_back = back as usize;
        logs.follow = back == 0 && logs.follow;
        return;
    }
    if let Some(table) = model.table_mut(model.shared.pane) {
        table.move_by(delta);
    }
}

/// `esc`: clear the filter, leave Logs or a deployment's pods, or leave the tour; false when there is nothing to go back from.
fn back(model: &mut Model) -> bool {
    let pane = model.shared.pane;
    if !model.filter_of(pane).is_empty() {
        set_filter(model, String::new());
    } else if pane == Pane::Logs && crate::app::cloud::revisions::is_cloud_log(&model.docker.logs) {
        model.shared.pane = Pane::Cloud;
    } else if pane == Pane::Logs {
        model.shared.pane = Pane::Containers;
    } else if pane == Pane::Cloud && crate::app::cloud::revisions::close(&mut model.cloud) {
        model.cloud.rebuild();
    } else if pane == Pane::Pods && model.kube.pods_of.is_some() {
        // Back from a deployment's pods to the deployment.
        model.kube.pods_of = None;
        model.kube.rebuild(Pane::Pods);
        model.shared.pane = Pane::Deployments;
    } else if model.tour.active {
        crate::app::learn::tour::leave(&mut model.tour, &mut model.shared);
    } else {
        return false;
    }
    true
}

fn sort(model: &mut Model, reverse: bool) {
    let pane = model.shared.pane;
    let columns = match pane {
        Pane::Containers => ContainerRow::column_count(),
        Pane::Images => ImageRow::column_count(),
        Pane::Jobs => Job::column_count(),
        Pane::History => crate::app::learn::history::HistoryEntry::column_count(),
        Pane::Forwards => crate::app::forwards::ForwardRow::column_count(),
        Pane::Logs => return,
        Pane::Cloud => model.cloud.column_count(),
        kube => crate::app::kube::state::KubeState::column_count(kube),
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

pub(crate) fn set_filter(model: &mut Model, text: String) {
    let pane = model.shared.pane;
    match model.table_mut(pane) {
        Some(table) => table.filter = text,
        None => model.docker.logs.search = text,
    }
    model.rebuild_view(pane);
}

fn remove(model: &mut Model) {
    if model.shared.refuse_if_readonly("remove") {
        return;
    }
    // The job id is only taken when there is something to confirm.
    let Some((message, on_yes)) = removal(model, model.shared.next_job) else {
        return;
    };
    model.shared.alloc_job();
    model.shared.overlay = Overlay::Confirm(Confirm { message, on_yes });
}

/// What ctrl-d asks, and the command a yes runs, for the selected row of the pane.
fn removal(model: &Model, job: u64) -> Option<(String, Command)> {
    let kube = &model.kube;
    match model.shared.pane {
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
        Pane::Jobs | Pane::Logs | Pane::Events | Pane::Cloud | Pane::History | Pane::Forwards => {
            None
        }
    }
}

fn open(model: &mut Model) -> Vec<Command> {
    if model.shared.pane == Pane::Services && model.minikube.is_current() {
        let kube = &model.kube;
        let Some((namespace, name)) = kube
            .services_table
            .selected_row(&kube.services)
            .map(|s| (s.namespace.clone(), s.name.clone()))
        else {
            model.set_status(Level::Warn, "No service selected.");
            return Vec::new();
        };
        return crate::app::kube::minikube::open_service(
            &mut model.minikube,
            &mut model.shared,
            &namespace,
            &name,
        );
    }
    let url = match model.shared.pane {
        Pane::Services => service_url(&model.kube),
        _ => container_url(&model.docker, engine_machine(model).as_deref()),
    };
    match url {
        Ok(url) => {
            model.set_status(Level::Info, format!("Opening {url}"));
            let command = Command::OpenUrl(url);
            model.shared.learn = command.learn_line();
            vec![command]
        }
        Err(why) => {
            model.set_status(Level::Warn, why);
            Vec::new()
        }
    }
}

/// ctrl-c in Jobs: end the selected running job; with none running there, quit as everywhere.
fn cancel_job(model: &mut Model) -> Vec<Command> {
    let running = model
        .selected_job()
        .filter(|j| j.state == crate::app::core::model::JobState::Running)
        .map(|j| (j.id, j.title.clone()));
    match running {
        Some((id, title)) => {
            model.set_status(Level::Info, format!("Cancelling {title}…"));
            vec![Command::CancelJob(id)]
        }
        None => {
            model.view.quit = true;
            Vec::new()
        }
    }
}

/// Where the Docker side's engine runs when not on this machine: on
/// minikube's engine (after `e`) its node, whose address the cluster gives
/// (its `tcp://127.0.0.1:PORT` is a forward to the engine alone, not to the
/// containers' ports); else the host of a `tcp://`/`ssh://` engine elsewhere.
fn engine_machine(model: &Model) -> Option<String> {
    if let Some(env) = &model.minikube.docker_env {
        let node = match &model.kube.connection {
            crate::app::kube::state::KubeConnection::Connected(info) => info.node_address.clone(),
            _ => None,
        };
        return node.or_else(|| crate::domain::remote_machine(&env.host));
    }
    model.docker.endpoint.remote_machine()
}
