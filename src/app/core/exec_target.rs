//! Which container or pod `S`, `X` and `:exec` act on: the selection of the
//! pane in view, when it runs.

use crate::app::core::command::Command;
use crate::app::core::model::{Level, Model, Pane};

/// `S` and `X`: the selected container, or the selected pod (its containers to choose from).
pub(crate) fn inside(model: &mut Model, inside: crate::app::exec::Inside) -> Vec<Command> {
    use crate::domain::exec::ExecTarget;
    let (target, choices) = match model.shared.pane {
        Pane::Pods => {
            let Some(pod) = model.kube.pods_table.selected_row(&model.kube.pods) else {
                model.set_status(Level::Warn, "No pod selected.");
                return Vec::new();
            };
            if pod.status != "Running" {
                let text = format!(
                    "{} is {}: a shell or command needs a running pod.",
                    pod.name, pod.status
                );
                model.set_status(Level::Warn, text);
                return Vec::new();
            }
            let target = ExecTarget::Pod {
                namespace: pod.namespace.clone(),
                pod: pod.name.clone(),
                container: pod.container_names.first().cloned().unwrap_or_default(),
                context: model.kube.target.context.clone(),
            };
            (target, pod.container_names.clone())
        }
        _ => {
            let Some(container) = model.docker.selected_container() else {
                model.set_status(Level::Warn, "No container selected.");
                return Vec::new();
            };
            if !container.state.is_running() {
                let text = format!("{} is not running: start it with s first.", container.name);
                model.set_status(Level::Warn, text);
                return Vec::new();
            }
            let target = ExecTarget::Container {
                name: container.name.clone(),
            };
            (target, Vec::new())
        }
    };
    crate::app::exec::start(&mut model.exec, &mut model.shared, target, &choices, inside)
}
