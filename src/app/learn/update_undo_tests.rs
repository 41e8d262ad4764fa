//! `update` and `z`: the last change's inverse, worked out when it started,
//! shown as a command line and run after a yes; changes without an inverse
//! say why.

use crate::app::core::command::{Command, ExposeSpec};
use crate::app::core::event::{Event, KubeEvent};
use crate::app::core::model::{Model, Overlay};
use crate::app::update;
use crate::domain::kube::{KubeKind, ReplicaSetRow};
use crate::ui::testing::*;

/// `z`, then the question's text; `y` answers it and the inverse is returned.
fn undo(model: &mut Model) -> (String, Vec<Command>) {
    press_str(model, "z");
    let Overlay::Confirm(confirm) = &model.shared.overlay else {
        panic!(
            "z asks first: {:?} {}",
            model.shared.overlay,
            status_text(model)
        );
    };
    let question = confirm.message.clone();
    (question, press_str(model, "y"))
}

#[test]
fn nothing_to_undo_at_first() {
    let mut model = on_pane(with_cluster(), '5');
    assert!(press_str(&mut model, "z").is_empty());
    assert_eq!(status_text(&model), "Nothing to undo yet.");
}

#[test]
fn a_scale_is_undone_to_the_count_before_it() {
    let mut model = on_pane(with_cluster(), '5');
    // cookbook-recipe wants 3; + asks for 4.
    let commands = press_str(&mut model, "+");
    assert!(
        matches!(commands.as_slice(), [Command::Scale { replicas: 4, .. }]),
        "{commands:?}"
    );
    let (question, commands) = undo(&mut model);
    assert_eq!(
        question,
        "Undo scale cookbook-recipe to 4?\n$ kubectl scale --replicas=3 deployment/cookbook-recipe -n default"
    );
    assert!(
        matches!(commands.as_slice(), [Command::Scale { replicas: 3, name, .. }] if name == "cookbook-recipe"),
        "{commands:?}"
    );
    // Undoing the undo goes back to 4 (the row still shows 4 until the watch says 3).
    let (question, _) = undo(&mut model);
    assert!(
        question.ends_with("--replicas=4 deployment/cookbook-recipe -n default"),
        "{question}"
    );
}

#[test]
fn an_image_change_is_undone_by_rolling_back_to_the_revision_before_it() {
    let mut model = on_pane(with_cluster(), '5');
    update(
        &mut model,
        Event::Kube(KubeEvent::ReplicaSets(vec![ReplicaSetRow {
            namespace: "default".into(),
            name: "cookbook-recipe-7c9f8d6b5".into(),
            deployment: Some("cookbook-recipe".into()),
            revision: 2,
            ..Default::default()
        }])),
    );
    press_str(&mut model, "g");
    let commands = run_command(&mut model, "image cookbook:missing");
    assert!(
        matches!(commands.as_slice(), [Command::SetImage { image, .. }] if image == "cookbook:missing"),
        "{commands:?}"
    );
    assert_eq!(
        commands[0].learn_line().as_deref(),
        Some("kubectl set image deployment/cookbook-recipe '*=cookbook:missing' -n default")
    );
    let (question, commands) = undo(&mut model);
    assert!(
        question.ends_with(
            "$ kubectl rollout undo deployment/cookbook-recipe --to-revision=2 -n default"
        ),
        "{question}"
    );
    assert!(matches!(
        commands.as_slice(),
        [Command::RolloutUndo { revision: 2, .. }]
    ));
}

#[test]
fn an_expose_is_undone_by_deleting_its_service_and_a_delete_cannot_be() {
    let mut model = on_pane(with_cluster(), '5');
    let expose = Command::Expose {
        job: 70,
        spec: ExposeSpec {
            namespace: "default".into(),
            deployment: "cookbook-recipe".into(),
            service: "cookbook-recipe".into(),
            kind: "NodePort".into(),
            port: 8000,
            target_port: 8000,
        },
    };
    crate::app::core::bookkeeping::record(&mut model, &[expose]);
    let (question, commands) = undo(&mut model);
    assert!(
        question.ends_with("$ kubectl delete service cookbook-recipe -n default"),
        "{question}"
    );
    assert!(matches!(
        commands.as_slice(),
        [Command::DeleteObject { kind: KubeKind::Service, name, .. }] if name == "cookbook-recipe"
    ));
    // That delete was the last change now, and a delete has no inverse.
    assert!(press_str(&mut model, "z").is_empty());
    assert!(
        status_text(&model).contains("cannot be undone: a deleted object is gone"),
        "{}",
        status_text(&model)
    );
}

#[test]
fn a_port_forward_is_undone_by_stopping_it() {
    let mut model = on_pane(with_cluster(), '5');
    let start = Command::StartForward {
        id: 4,
        spec: crate::domain::forward::ForwardSpec {
            namespace: "default".into(),
            kind: crate::domain::forward::ForwardKind::Service,
            name: "cookbook-recipe".into(),
            local_port: 8080,
            remote_port: 8000,
        },
        kept: false,
    };
    crate::app::core::bookkeeping::record(&mut model, &[start]);
    let (_, commands) = undo(&mut model);
    assert_eq!(commands, [Command::StopForward(4)]);
}

#[test]
fn a_run_is_undone_by_removing_its_container_and_a_removal_cannot_be() {
    let mut model = on_pane(with_cluster(), '1');
    let run = Command::Run {
        job: 80,
        spec: crate::app::core::command::RunSpec {
            image: "cookbook:latest".into(),
            name: Some("cookbook-web".into()),
            ports: Vec::new(),
            env: Vec::new(),
            labels: Vec::new(),
        },
    };
    crate::app::core::bookkeeping::record(&mut model, &[run]);
    let (question, commands) = undo(&mut model);
    assert!(
        question.ends_with("$ docker rm -f cookbook-web"),
        "{question}"
    );
    assert!(matches!(
        commands.as_slice(),
        [Command::Container { op: crate::app::core::command::ContainerOp::Remove, name, .. }] if name == "cookbook-web"
    ));
    assert!(press_str(&mut model, "z").is_empty());
    assert!(
        status_text(&model).contains("a removed container is gone"),
        "{}",
        status_text(&model)
    );
}
