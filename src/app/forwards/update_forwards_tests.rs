//! `update` for port-forwards: `F` opens the form with the Service's (or the
//! template's) port and a local port the effect proposes, bad ports are
//! refused at their fields, the forward's life (started, reaching, moved,
//! ended) shows in the Forwards pane and the status, and `s`, `ctrl-d`,
//! `D`, `K` and the kept forwards at start do what the pane says.

use crate::app::core::command::Command;
use crate::app::core::event::{Event, ForwardEvent};
use crate::app::core::model::{Model, Overlay, Pane};
use crate::app::update;
use crate::domain::forward::{ForwardKind, ForwardSpec, ForwardState, KeptForward};
use crate::ui::testing::*;
use crossterm::event::KeyCode;

fn service_spec(local: u16) -> ForwardSpec {
    ForwardSpec {
        namespace: "default".into(),
        kind: ForwardKind::Service,
        name: "cookbook-recipe".into(),
        local_port: local,
        remote_port: 8000,
    }
}

fn form_values(model: &Model) -> (String, String) {
    let Overlay::Form(form) = &model.shared.overlay else {
        panic!("the forward form is open: {:?}", model.shared.overlay);
    };
    (
        form.fields[0].value().to_string(),
        form.fields[1].value().to_string(),
    )
}

fn field_error(model: &Model, field: usize) -> String {
    let Overlay::Form(form) = &model.shared.overlay else {
        panic!("the form is open");
    };
    form.fields[field].error.clone().unwrap_or_default()
}

/// A forward started from the Services pane and reported listening.
fn forwarding(kept: bool) -> Model {
    let mut model = on_pane(with_cluster(), '7');
    press(&mut model, KeyCode::Char('F'));
    press(&mut model, KeyCode::Enter);
    update(
        &mut model,
        Event::Forward(ForwardEvent::Started {
            id: 1,
            spec: service_spec(8000),
            kept,
        }),
    );
    model
}

#[test]
fn f_on_a_service_proposes_its_port_and_starts_the_forward() {
    let mut model = on_pane(with_cluster(), '7');
    let commands = press(&mut model, KeyCode::Char('F'));
    assert_eq!(commands, vec![Command::ProposeLocalPort(8000)]);
    assert_eq!(form_values(&model), ("8000".into(), "8000".into()));
    // 8000 is taken here: the effect's free port replaces the guess.
    update(
        &mut model,
        Event::Forward(ForwardEvent::Proposed {
            wanted: 8000,
            free: Some(8001),
        }),
    );
    assert_eq!(form_values(&model).0, "8001");
    assert_eq!(
        status_text(&model),
        "127.0.0.1:8000 is in use; 8001 is free."
    );
    let commands = press(&mut model, KeyCode::Enter);
    assert_eq!(
        commands,
        vec![Command::StartForward {
            id: 1,
            spec: service_spec(8001),
            kept: false
        }]
    );
    assert_eq!(
        model.shared.learn.as_deref(),
        Some("kubectl port-forward svc/cookbook-recipe 8001:8000 -n default --address 127.0.0.1")
    );
    let history = model.history.entries.last().expect("a History entry");
    assert_eq!(history.line, model.shared.learn.clone().unwrap_or_default());
    assert!(matches!(model.shared.overlay, Overlay::Form(ref f) if f.pending));
    update(
        &mut model,
        Event::Forward(ForwardEvent::Started {
            id: 1,
            spec: service_spec(8001),
            kept: false,
        }),
    );
    assert!(matches!(model.shared.overlay, Overlay::None));
    assert_eq!(
        status_text(&model),
        "Forwarding http://127.0.0.1:8001/ to svc/cookbook-recipe (P lists the forwards)."
    );
    press(&mut model, KeyCode::Char('P'));
    assert_eq!(model.shared.pane, Pane::Forwards);
    let row = model.forwards.selected().expect("the forward's row");
    assert_eq!(row.spec, service_spec(8001));
    assert!(matches!(row.state, ForwardState::Waiting(_)));
}

#[test]
fn a_typed_port_is_not_replaced_by_the_proposal() {
    let mut model = on_pane(with_cluster(), '7');
    press(&mut model, KeyCode::Char('F'));
    press(&mut model, KeyCode::Backspace);
    press_str(&mut model, "5");
    update(
        &mut model,
        Event::Forward(ForwardEvent::Proposed {
            wanted: 8000,
            free: Some(8001),
        }),
    );
    assert_eq!(form_values(&model).0, "8005");
}

#[test]
fn bad_ports_are_refused_at_their_fields() {
    let mut model = on_pane(with_cluster(), '7');
    press(&mut model, KeyCode::Char('F'));
    for _ in 0..4 {
        press(&mut model, KeyCode::Backspace);
    }
    press_str(&mut model, "70000");
    assert!(press(&mut model, KeyCode::Enter).is_empty());
    assert_eq!(
        field_error(&model, 0),
        "70000 is out of range: a port is 1 to 65535"
    );
    for _ in 0..5 {
        press(&mut model, KeyCode::Backspace);
    }
    press_str(&mut model, "9000");
    press(&mut model, KeyCode::Tab);
    for _ in 0..4 {
        press(&mut model, KeyCode::Backspace);
    }
    assert!(press(&mut model, KeyCode::Enter).is_empty());
    assert_eq!(field_error(&model, 1), "a port is required (1 to 65535)");
    assert_eq!(field_error(&model, 0), "");
}

#[test]
fn a_local_port_in_use_comes_back_to_its_field() {
    let mut model = on_pane(with_cluster(), '7');
    press(&mut model, KeyCode::Char('F'));
    press(&mut model, KeyCode::Enter);
    let problem = "127.0.0.1:8000 is in use by another program; pick another port";
    update(
        &mut model,
        Event::Forward(ForwardEvent::Refused {
            spec: service_spec(8000),
            kept: false,
            problem: problem.into(),
        }),
    );
    assert_eq!(field_error(&model, 0), problem);
    assert_eq!(form_values(&model), ("8000".into(), "8000".into()));
    assert!(model.forwards.rows.is_empty());
    // A port one of our own forwards holds is refused before anything runs.
    let mut model = forwarding(false);
    press(&mut model, KeyCode::Char('7'));
    press(&mut model, KeyCode::Char('F'));
    assert!(press(&mut model, KeyCode::Enter).is_empty());
    assert_eq!(
        field_error(&model, 0),
        "127.0.0.1:8000 already forwards to svc/cookbook-recipe; pick another port"
    );
}

#[test]
fn a_forward_says_which_pod_it_reaches_and_when_it_moves() {
    let mut model = forwarding(false);
    let reach = |pod: &str, from: Option<(&str, &str)>| {
        Event::Forward(ForwardEvent::Reaching {
            id: 1,
            pod: Ok(pod.into()),
            moved_from: from.map(|(p, why)| (p.into(), why.into())),
        })
    };
    update(&mut model, reach("cookbook-recipe-a", None));
    let row = &model.forwards.rows[0];
    assert_eq!(row.pod.as_deref(), Some("cookbook-recipe-a"));
    assert_eq!(row.state, ForwardState::Active);
    update(
        &mut model,
        reach("cookbook-recipe-b", Some(("cookbook-recipe-a", "is gone"))),
    );
    assert_eq!(
        status_text(&model),
        "svc/cookbook-recipe (127.0.0.1:8000) now reaches pod cookbook-recipe-b: pod cookbook-recipe-a is gone."
    );
    assert_eq!(
        model.forwards.rows[0].pod.as_deref(),
        Some("cookbook-recipe-b")
    );
    update(
        &mut model,
        Event::Forward(ForwardEvent::Reaching {
            id: 1,
            pod: Err("no ready pod".into()),
            moved_from: None,
        }),
    );
    assert_eq!(
        model.forwards.rows[0].state,
        ForwardState::Waiting("no ready pod".into())
    );
    update(
        &mut model,
        Event::Forward(ForwardEvent::Ended {
            id: 1,
            reason: "its pod is gone".into(),
        }),
    );
    assert_eq!(
        model.forwards.rows[0].state,
        ForwardState::Ended("its pod is gone".into())
    );
    assert!(status_text(&model).contains("stopped: its pod is gone"));
}

#[test]
fn s_stops_and_starts_ctrl_d_removes_and_d_stops_all() {
    let mut model = forwarding(false);
    press(&mut model, KeyCode::Char('P'));
    assert_eq!(
        press(&mut model, KeyCode::Char('s')),
        vec![Command::StopForward(1)]
    );
    assert_eq!(
        model.forwards.rows[0].state,
        ForwardState::Ended("stopped".into())
    );
    assert_eq!(
        press(&mut model, KeyCode::Char('s')),
        vec![Command::StartForward {
            id: 2,
            spec: service_spec(8000),
            kept: false
        }]
    );
    update(
        &mut model,
        Event::Forward(ForwardEvent::Started {
            id: 2,
            spec: service_spec(8000),
            kept: false,
        }),
    );
    assert_eq!(model.forwards.rows.len(), 1);
    assert_eq!(
        press(&mut model, KeyCode::Char('D')),
        vec![Command::StopForward(2)]
    );
    assert!(press(&mut model, KeyCode::Char('D')).is_empty());
    assert_eq!(status_text(&model), "No forward is running.");
    assert!(press_ctrl(&mut model, 'd').is_empty());
    assert!(model.forwards.rows.is_empty());
}

#[test]
fn k_keeps_a_forward_in_the_settings_file_and_removing_it_unkeeps() {
    let mut model = forwarding(false);
    press(&mut model, KeyCode::Char('P'));
    let kept = KeptForward {
        target: "svc/cookbook-recipe".into(),
        namespace: "default".into(),
        local: 8000,
        remote: 8000,
    };
    assert_eq!(
        press(&mut model, KeyCode::Char('K')),
        vec![Command::KeepForwards(vec![kept])]
    );
    assert!(model.forwards.rows[0].kept);
    assert_eq!(
        press_ctrl(&mut model, 'd'),
        vec![Command::StopForward(1), Command::KeepForwards(Vec::new())]
    );
    assert!(status_text(&model).contains("no longer kept in pilothouse.toml"));
}

#[test]
fn readonly_refuses_to_keep_but_forwards() {
    let mut model = forwarding(false);
    model.shared.readonly = true;
    press(&mut model, KeyCode::Char('P'));
    assert!(press(&mut model, KeyCode::Char('K')).is_empty());
    assert!(!model.forwards.rows[0].kept);
    assert!(status_text(&model).starts_with("Read-only mode: keep a forward"));
}

#[test]
fn kept_forwards_start_with_pilothouse() {
    let mut model = connected(empty_model());
    let commands = update(&mut model, Event::Tick(now()));
    assert!(commands.contains(&Command::LoadKeptForwards));
    assert!(!update(&mut model, Event::Tick(now())).contains(&Command::LoadKeptForwards));
    let commands = update(
        &mut model,
        Event::Forward(ForwardEvent::Kept(Ok(vec![
            Ok(service_spec(8080)),
            Err("job/x: 'job' cannot be forwarded to: pod/, deploy/ or svc/".into()),
        ]))),
    );
    assert_eq!(
        commands,
        vec![Command::StartForward {
            id: 1,
            spec: service_spec(8080),
            kept: true
        }]
    );
    assert!(status_text(&model).contains("'job' cannot be forwarded"));
    // One that cannot listen stays listed, ended, so the file keeps it.
    update(
        &mut model,
        Event::Forward(ForwardEvent::Refused {
            spec: service_spec(8080),
            kept: true,
            problem: "127.0.0.1:8080 is in use by another program; pick another port".into(),
        }),
    );
    assert!(matches!(model.shared.overlay, Overlay::None));
    let row = &model.forwards.rows[0];
    assert!(row.kept);
    assert!(matches!(row.state, ForwardState::Ended(_)));
}

#[test]
fn f_on_a_pod_or_deployment_proposes_the_templates_port() {
    let mut model = on_pane(with_cluster(), '5');
    assert_eq!(
        press(&mut model, KeyCode::Char('F')),
        vec![Command::ProposeLocalPort(8000)]
    );
    assert_eq!(form_values(&model).1, "8000");
    press(&mut model, KeyCode::Esc);
    // A pod of the cookbook-recipe ReplicaSet: its Deployment's port.
    let mut model = on_pane(with_cluster(), '6');
    press(&mut model, KeyCode::Char('F'));
    assert_eq!(form_values(&model).1, "8000");
    let Overlay::Form(form) = &model.shared.overlay else {
        panic!("the form");
    };
    assert!(
        form.learn_line().starts_with("kubectl port-forward pod/"),
        "{}",
        form.learn_line()
    );
    assert!(
        press(&mut with_cluster(), KeyCode::Char('F')).is_empty(),
        "F does nothing on Containers"
    );
}
