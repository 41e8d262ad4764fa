//! Keys in the relationships view (`t`): move among the objects, open one's
//! YAML (and come back), its logs, its pane row, or the tree from it.

use crate::app::core::actions::on_action;
use crate::app::core::handled::Handled;
use crate::app::core::keymap::Action;
use crate::app::core::model::{Level, Model, Overlay, PodLogSource};
use crate::app::kube::xray::{self, XrayTarget};
use crate::app::kube::xray_open;
use crate::domain::kube::KubeKind;
use crossterm::event::{KeyCode, KeyEvent};

pub(crate) fn on_xray_key(model: &mut Model, key: KeyEvent) -> Handled {
    let engines = model.engines();
    let Overlay::Xray(view) = &mut model.shared.overlay else {
        return Handled::unseen();
    };
    let lines = xray::tree(&model.kube, &view.root, engines);
    let targets: Vec<&XrayTarget> = lines.iter().filter_map(|l| l.target.as_ref()).collect();
    let at = targets
        .iter()
        .position(|t| **t == view.selected)
        .unwrap_or(0);
    let last = targets.len().saturating_sub(1);
    let mut move_to = |index: usize| {
        if let Some(target) = targets.get(index.min(last)) {
            view.selected = (*target).clone();
        }
    };
    match key.code {
        KeyCode::Down | KeyCode::Char('j') => move_to(at + 1),
        KeyCode::Up | KeyCode::Char('k') => move_to(at.saturating_sub(1)),
        KeyCode::PageDown => move_to(at + 10),
        KeyCode::PageUp => move_to(at.saturating_sub(10)),
        KeyCode::Home | KeyCode::Char('g') => move_to(0),
        KeyCode::End | KeyCode::Char('G') => move_to(last),
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('t') => {
            model.shared.overlay = Overlay::None;
        }
        KeyCode::Char('x') => {
            let target = view.selected.clone();
            xray_open::open(&model.kube, &mut model.shared, target);
        }
        KeyCode::Char('y') => return yaml(model),
        KeyCode::Char('l') => return logs(model),
        KeyCode::Enter => {
            let Overlay::Xray(view) = std::mem::take(&mut model.shared.overlay) else {
                return Handled::unseen();
            };
            go_to_row(model, &view.selected);
        }
        _ => return Handled::unseen(),
    }
    Handled::shown(Vec::new())
}

/// The selected object's pane row; says so when it is not there.
fn go_to_row(model: &mut Model, target: &XrayTarget) -> bool {
    let found = xray_open::go_to(&mut model.kube, &mut model.shared, target);
    if !found {
        model.set_status(
            Level::Warn,
            format!(
                "{}/{} has no row in the pane (gone, or a ReplicaSet no Deployment owns).",
                target.kind.kubectl_name(),
                target.name
            ),
        );
    } else if target.kind == KubeKind::ReplicaSet {
        model.set_status(
            Level::Info,
            "ReplicaSets have no pane of their own: this is the Deployment that owns it (h lists its revisions).",
        );
    }
    found
}

/// `y`: the YAML of the object under the cursor (a container's pod); esc
/// there comes back to the tree.
fn yaml(model: &mut Model) -> Handled {
    let Overlay::Xray(view) = std::mem::take(&mut model.shared.overlay) else {
        return Handled::unseen();
    };
    let target = &view.selected;
    let commands = crate::app::kube::actions::open_yaml(
        &mut model.shared,
        target.kind,
        target.namespace.clone(),
        target.name.clone(),
    );
    if let Overlay::Yaml(yaml) = &mut model.shared.overlay {
        yaml.back = Some(Box::new(view));
    }
    Handled::shown(commands)
}

/// `l`: a container's or a pod's logs, or a Deployment's (its selector's) in the Logs pane.
fn logs(model: &mut Model) -> Handled {
    let Overlay::Xray(view) = &model.shared.overlay else {
        return Handled::unseen();
    };
    let target = view.selected.clone();
    if !matches!(target.kind, KubeKind::Pod | KubeKind::Deployment) {
        model.set_status(
            Level::Warn,
            "l follows the logs of a Deployment, a pod or a container; move to one of them.",
        );
        return Handled::shown(Vec::new());
    }
    model.shared.overlay = Overlay::None;
    if !go_to_row(model, &target) {
        return Handled::shown(Vec::new());
    }
    match &target.container {
        Some(container) => crate::app::docker::actions::pod_logs(
            &mut model.docker.logs,
            &mut model.shared,
            PodLogSource {
                namespace: target.namespace.clone(),
                name: target.name.clone(),
                container: Some(container.clone()),
                previous: false,
            },
        )
        .into(),
        None => on_action(model, Action::Logs),
    }
}
