//! `update` and the relationships view: the sample app's trees from a
//! Deployment, a pod, a ReplicaSet and a Service; moving, YAML and back,
//! a pane row, a container's logs; and the tree following the watches.

use crate::app::core::command::Command;
use crate::app::core::event::{Event, KubeEvent};
use crate::app::core::model::{Model, Overlay, Pane};
use crate::app::kube::xray::{self, XrayTarget};
use crate::app::update;
use crate::domain::kube::KubeKind;
use crate::ui::testing::*;
use crossterm::event::KeyCode;

fn tree_text(model: &Model) -> Vec<String> {
    let Overlay::Xray(view) = &model.shared.overlay else {
        panic!("the tree is not open: {:?}", model.shared.overlay);
    };
    xray::tree(&model.kube, &view.root, model.engines())
        .into_iter()
        .map(|l| format!("{}{}  {}", l.prefix, l.label, l.detail))
        .collect()
}

fn selected(model: &Model) -> XrayTarget {
    match &model.shared.overlay {
        Overlay::Xray(view) => view.selected.clone(),
        other => panic!("the tree is not open: {other:?}"),
    }
}

#[test]
fn a_deployment_shows_its_replicasets_pods_containers_and_service() {
    let mut model = on_pane(sample_app(true), '5');
    press_str(&mut model, "t");
    assert_eq!(
        tree_text(&model),
        [
            "deployment/cookbook  3/3 ready · selector app=cookbook",
            "├─ replicaset/cookbook-6f7d9c8b4  revision 2 (current) · 3/3 ready · cookbook:v2",
            "│  ├─ pod/cookbook-6f7d9c8b4-2xkqp  Running · 1/1 ready · node minikube · 0 restarts",
            "│  │  └─ container web  cookbook:v2 · running",
            "│  ├─ pod/cookbook-6f7d9c8b4-h8w4z  Running · 1/1 ready · node minikube · 0 restarts",
            "│  │  └─ container web  cookbook:v2 · running",
            "│  └─ pod/cookbook-6f7d9c8b4-q5m7d  Running · 1/1 ready · node minikube · 0 restarts",
            "│     └─ container web  cookbook:v2 · running",
            "├─ replicaset/cookbook-5c4b8f7d2  revision 1 · 0/0 ready · cookbook:v1",
            "└─ service/cookbook  NodePort · selects these pods (3 ready) · 8000:31234/TCP",
        ]
    );
    assert_eq!(
        model.shared.learn.as_deref(),
        Some("kubectl get deployment,replicaset,pod,service -n default -l app=cookbook -o wide")
    );
    for (w, h) in [(120, 40), (80, 24)] {
        snap!(format!("xray_deployment_{w}x{h}"), &model, w, h);
    }
}

#[test]
fn a_pod_that_is_not_ready_says_why_in_the_tree() {
    let mut model = on_pane(sample_app(false), '5');
    press_str(&mut model, "t");
    let lines = tree_text(&model);
    assert!(
        lines.iter().any(|l| l
            == "│     │  why:  CrashLoopBackOff · web exited with code 1, restarted 4 times: press l for its log (p there: the run before)"),
        "{lines:#?}"
    );
    assert!(
        lines[1].starts_with("│  why:  CrashLoopBackOff · 1 of its pods not ready"),
        "{lines:#?}"
    );
    snap!("xray_crashing_120x40", &model, 120, 40);
}

#[test]
fn a_service_shows_the_pods_it_selects_and_the_label_a_near_miss_lacks() {
    let mut model = on_pane(with_stray_pod(sample_app(true)), '7');
    press_str(&mut model, "t");
    let lines = tree_text(&model);
    assert_eq!(
        lines[0],
        "service/cookbook  NodePort · 8000:31234/TCP · selector app=cookbook"
    );
    assert_eq!(
        lines[1],
        "├─ pod/cookbook-6f7d9c8b4-2xkqp  ready, serves · Running · 1/1 ready · node minikube · 0 restarts"
    );
    assert_eq!(
        lines.last().map(String::as_str),
        Some(
            "└─ pod/cookbook-debug  not selected: has app=cookbok, the selector wants app=cookbook"
        )
    );
    assert_eq!(lines.len(), 5, "{lines:#?}");
    snap!("xray_service_120x40", &model, 120, 40);
}

#[test]
fn a_pod_or_replicaset_opens_its_deployments_tree_on_itself() {
    let mut model = on_pane(sample_app(true), '6');
    press_str(&mut model, "g");
    let pod = model
        .kube
        .pods_table
        .selected_row(&model.kube.pods)
        .expect("a pod")
        .name
        .clone();
    press_str(&mut model, "t");
    let Overlay::Xray(view) = &model.shared.overlay else {
        panic!("no tree");
    };
    assert_eq!(
        view.root,
        XrayTarget::object(KubeKind::Deployment, "default", "cookbook")
    );
    assert_eq!(
        view.selected,
        XrayTarget::object(KubeKind::Pod, "default", &pod)
    );

    press(&mut model, KeyCode::Esc);
    run_command(&mut model, "xray rs cookbook-5c4b8f7d2");
    assert_eq!(
        selected(&model),
        XrayTarget::object(KubeKind::ReplicaSet, "default", "cookbook-5c4b8f7d2")
    );
    press(&mut model, KeyCode::Esc);
    run_command(&mut model, "xray svc/nothing");
    assert!(matches!(model.shared.overlay, Overlay::None));
    assert_eq!(status_text(&model), "No service named nothing here.");
}

#[test]
fn keys_move_open_yaml_and_come_back_go_to_the_row_and_follow_logs() {
    let mut model = on_pane(sample_app(true), '5');
    press_str(&mut model, "t");
    // deployment -> replicaset -> pod
    press_str(&mut model, "jj");
    let pod = XrayTarget::object(KubeKind::Pod, "default", "cookbook-6f7d9c8b4-2xkqp");
    assert_eq!(selected(&model), pod);

    let commands = press_str(&mut model, "y");
    assert!(matches!(
        commands.as_slice(),
        [Command::ShowYaml { kind: KubeKind::Pod, name, .. }] if name == "cookbook-6f7d9c8b4-2xkqp"
    ));
    assert!(matches!(&model.shared.overlay, Overlay::Yaml(v) if v.back.is_some()));
    press(&mut model, KeyCode::Esc);
    assert_eq!(
        selected(&model),
        pod,
        "esc in the YAML comes back to the tree"
    );

    // The container: its own logs.
    press_str(&mut model, "j");
    let commands = press_str(&mut model, "l");
    assert!(
        commands.iter().any(|c| matches!(c,
            Command::FollowPodLogs { name, container: Some(c), .. }
                if name == "cookbook-6f7d9c8b4-2xkqp" && c == "web")),
        "{commands:?}"
    );
    assert_eq!(model.shared.pane, Pane::Logs);

    // enter: the pod's row in the Pods pane, even behind a filter.
    model.kube.pods_table.filter = "nothing-matches".into();
    press_str(&mut model, "5t");
    press_str(&mut model, "jjj");
    press(&mut model, KeyCode::Enter);
    assert!(matches!(model.shared.overlay, Overlay::None));
    assert_eq!(model.shared.pane, Pane::Pods);
    assert_eq!(
        model
            .kube
            .pods_table
            .selected_row(&model.kube.pods)
            .map(|p| p.name.as_str()),
        Some("cookbook-6f7d9c8b4-2xkqp")
    );

    // A ReplicaSet has no pane: enter shows its Deployment and says so; l says where it works.
    press_str(&mut model, "5t");
    press_str(&mut model, "G");
    press(&mut model, KeyCode::Up);
    assert_eq!(selected(&model).kind, KubeKind::ReplicaSet);
    press_str(&mut model, "l");
    assert!(status_text(&model).starts_with("l follows the logs of a Deployment"));
    press(&mut model, KeyCode::Enter);
    assert_eq!(model.shared.pane, Pane::Deployments);
    assert!(status_text(&model).starts_with("ReplicaSets have no pane of their own"));
}

#[test]
fn the_tree_follows_the_watches_and_x_starts_it_from_the_service() {
    let mut model = on_pane(sample_app(true), '5');
    press_str(&mut model, "t");
    press_str(&mut model, "G");
    assert_eq!(selected(&model).kind, KubeKind::Service);
    // A pod is deleted and replaced: the tree shows the new one at once.
    let mut pods = model.kube.pods.to_vec();
    pods[0].name = "cookbook-6f7d9c8b4-n3w1p".into();
    update(&mut model, Event::Kube(KubeEvent::Pods(pods.into())));
    let lines = tree_text(&model);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("pod/cookbook-6f7d9c8b4-n3w1p"))
    );
    assert!(
        !lines
            .iter()
            .any(|l| l.contains("pod/cookbook-6f7d9c8b4-2xkqp"))
    );

    press_str(&mut model, "x");
    let Overlay::Xray(view) = &model.shared.overlay else {
        panic!("no tree");
    };
    assert_eq!(view.root.kind, KubeKind::Service);

    // The root itself deleted: the tree says so.
    update(
        &mut model,
        Event::Kube(KubeEvent::Services(Vec::new().into())),
    );
    assert_eq!(
        tree_text(&model),
        ["service/cookbook  is gone (deleted, or not in the namespace watched)"]
    );
    press_str(&mut model, "t");
    assert!(
        matches!(model.shared.overlay, Overlay::None),
        "t closes it too"
    );
}
