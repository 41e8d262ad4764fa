//! `update` for a Deployment's rollout history (`h`): the revisions with what
//! changed, the roll back asked first with kubectl's line, pause and resume.

use crate::app::core::command::Command;
use crate::app::core::event::{Event, KubeEvent};
use crate::app::core::model::{Overlay, PickPurpose};
use crate::app::update;
use crate::domain::kube::ReplicaSetRow;
use crate::ui::testing::*;
use crossterm::event::KeyCode;

fn set(revision: u64, image: &str, env: &[&str], cause: &str) -> ReplicaSetRow {
    ReplicaSetRow {
        namespace: "default".into(),
        name: format!("cookbook-recipe-rev{revision}"),
        deployment: Some("cookbook-recipe".into()),
        revision,
        images: vec![image.into()],
        env: env.iter().map(|e| e.to_string()).collect(),
        desired: if revision == 3 { 3 } else { 0 },
        ready: if revision == 3 { 3 } else { 0 },
        created: ago(100 - revision),
        change_cause: cause.into(),
    }
}

/// The Deployments pane with cookbook-recipe's three revisions known.
fn with_history() -> crate::app::Model {
    let mut model = on_pane(with_cluster(), '5');
    update(
        &mut model,
        Event::Kube(KubeEvent::ReplicaSets(vec![
            set(1, "cookbook:v1", &[], ""),
            set(3, "cookbook:v2", &["GREETING=bonjour"], "greet in French"),
            set(2, "cookbook:v2", &["GREETING=hello"], ""),
            // Another deployment's set is not listed.
            ReplicaSetRow {
                deployment: Some("coredns".into()),
                revision: 7,
                ..set(7, "coredns:1", &[], "")
            },
        ])),
    );
    model
}

#[test]
fn h_lists_the_revisions_newest_first_with_what_changed() {
    let mut model = with_history();
    assert!(press_str(&mut model, "h").is_empty());
    let Overlay::Pick(picker) = &model.shared.overlay else {
        panic!("h opens the history: {:?}", model.shared.overlay)
    };
    let labels: Vec<&str> = picker.items.iter().map(|i| i.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "revision 3 (current)  cookbook:v2  3/3 pods",
            "revision 2  cookbook:v2  0/0 pods",
            "revision 1  cookbook:v1  0/0 pods",
            "pause rollouts",
            "resume rollouts"
        ]
    );
    let details: Vec<&str> = picker.items.iter().map(|i| i.detail.as_str()).collect();
    assert_eq!(details[0], "env GREETING=hello → bonjour · greet in French");
    assert_eq!(
        details[1],
        "image cookbook:v1 → cookbook:v2 · env +GREETING=hello"
    );
    assert_eq!(details[2], "first revision");
    assert_eq!(
        model.shared.learn.as_deref(),
        Some("kubectl rollout history deployment/cookbook-recipe -n default")
    );
    for (w, h) in [(120, 40), (80, 24)] {
        snap!(format!("rollout_history_{w}x{h}"), &model, w, h);
    }
}

#[test]
fn enter_on_an_old_revision_asks_then_rolls_back() {
    let mut model = with_history();
    press_str(&mut model, "h");
    // The current revision is not a roll back.
    assert!(press(&mut model, KeyCode::Enter).is_empty());
    assert!(status_text(&model).contains("Revision 3 is the current one"));
    press_str(&mut model, "hjj");
    assert!(press(&mut model, KeyCode::Enter).is_empty(), "asks first");
    let Overlay::Confirm(confirm) = &model.shared.overlay else {
        panic!("asks: {:?}", model.shared.overlay)
    };
    let line = "kubectl rollout undo deployment/cookbook-recipe --to-revision=1 -n default";
    assert!(
        confirm.message.ends_with(&format!("$ {line}")),
        "{}",
        confirm.message
    );
    assert!(confirm.message.contains("comes back as revision 4"));
    assert_eq!(model.shared.learn.as_deref(), Some(line));
    let commands = press_str(&mut model, "y");
    assert!(
        matches!(&commands[..], [Command::RolloutUndo { name, revision: 1, .. }] if name == "cookbook-recipe"),
        "{commands:?}"
    );
    assert_eq!(
        model.jobs.list.last().map(|j| j.title.as_str()),
        Some("roll cookbook-recipe back to revision 1")
    );
    assert_eq!(
        model.history.entries.last().map(|h| h.line.as_str()),
        Some(line)
    );
}

#[test]
fn pause_and_resume_are_the_last_rows_and_read_only_refuses() {
    let mut model = with_history();
    press_str(&mut model, "hG");
    let commands = press(&mut model, KeyCode::Enter);
    assert!(
        matches!(&commands[..], [Command::RolloutPause { paused: false, .. }]),
        "{commands:?}"
    );
    assert_eq!(
        model.shared.learn.as_deref(),
        Some("kubectl rollout resume deployment/cookbook-recipe -n default")
    );
    press_str(&mut model, "hGk");
    let commands = press(&mut model, KeyCode::Enter);
    assert!(
        matches!(&commands[..], [Command::RolloutPause { paused: true, .. }]),
        "{commands:?}"
    );
    let mut readonly = with_history();
    readonly.shared.readonly = true;
    press_str(&mut readonly, "hG");
    assert!(press(&mut readonly, KeyCode::Enter).is_empty());
    assert!(
        status_text(&readonly).contains("refused"),
        "{}",
        status_text(&readonly)
    );
    // A deployment with no revisions known yet still offers pause and resume.
    let mut bare = on_pane(with_cluster(), '5');
    press_str(&mut bare, "h");
    assert!(
        matches!(&bare.shared.overlay, Overlay::Pick(p) if p.items.len() == 2
            && matches!(&p.purpose, PickPurpose::Rollout { revisions, .. } if revisions.is_empty())),
        "{:?}",
        bare.shared.overlay
    );
}
