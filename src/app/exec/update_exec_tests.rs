//! `update` for shells and commands inside: `S` probes for bash then hands
//! over (or uses the configured shell), a pod of several containers asks
//! which, `X` opens the command field and refuses bad input there,
//! `--readonly` refuses both, and the learn line and History say what ran.

use crate::app::core::command::Command;
use crate::app::core::event::Event;
use crate::app::core::model::{Level, Model, Overlay, PickPurpose};
use crate::app::update;
use crate::domain::exec::ExecTarget;
use crate::domain::kube::PodRow;
use crate::ui::testing::*;
use crossterm::event::KeyCode;

fn web() -> ExecTarget {
    ExecTarget::Container {
        name: "cookbook-web".into(),
    }
}

fn containers() -> Model {
    on_pane(populated(), '1')
}

#[test]
fn s_on_a_container_looks_for_bash_then_hands_the_terminal_over() {
    let mut model = containers();
    assert_eq!(
        press(&mut model, KeyCode::Char('S')),
        vec![Command::ProbeShell(web())]
    );
    assert!(status_text(&model).contains("looking for bash"));
    let commands = update(
        &mut model,
        Event::ShellFound {
            target: web(),
            result: Ok("bash".into()),
        },
    );
    assert_eq!(
        commands,
        vec![Command::Shell {
            target: web(),
            shell: "bash".into()
        }]
    );
    assert_eq!(
        model.shared.learn.as_deref(),
        Some("docker exec -it cookbook-web bash")
    );
    let history = model.history.entries.last().expect("a History entry");
    assert_eq!(history.line, "docker exec -it cookbook-web bash");
    update(
        &mut model,
        Event::ShellEnded {
            target: web(),
            result: Ok(0),
        },
    );
    assert_eq!(status_text(&model), "Back from the shell in cookbook-web.");
    update(
        &mut model,
        Event::ShellEnded {
            target: web(),
            result: Ok(3),
        },
    );
    assert!(status_text(&model).contains("exit code 3"));
}

#[test]
fn a_configured_shell_skips_the_probe_and_a_stopped_container_has_none() {
    let mut model = containers();
    model.exec.shell = "ash".into();
    assert_eq!(
        press(&mut model, KeyCode::Char('S')),
        vec![Command::Shell {
            target: web(),
            shell: "ash".into()
        }]
    );
    // old-try has exited: shown with `a`, third by age.
    press(&mut model, KeyCode::Char('a'));
    press(&mut model, KeyCode::Char('G'));
    assert!(press(&mut model, KeyCode::Char('S')).is_empty());
    assert!(status_text(&model).contains("old-try is not running"));
}

#[test]
fn no_cli_is_a_clear_sentence() {
    let mut model = containers();
    update(
        &mut model,
        Event::ShellFound {
            target: web(),
            result: Err("docker is not installed".into()),
        },
    );
    assert_eq!(
        model.shared.status.as_ref().map(|s| s.level),
        Some(Level::Error)
    );
    assert!(status_text(&model).contains("No shell in cookbook-web: docker is not installed"));
}

#[test]
fn a_pod_of_several_containers_asks_which() {
    let mut model = on_pane(with_cluster(), '6');
    let mut pods: Vec<PodRow> = model.kube.pods.to_vec();
    for pod in &mut pods {
        pod.container_names = vec!["web".into(), "sidecar".into()];
    }
    update(
        &mut model,
        Event::Kube(crate::app::core::event::KubeEvent::Pods(pods.into())),
    );
    press(&mut model, KeyCode::Char('g'));
    assert!(press(&mut model, KeyCode::Char('S')).is_empty());
    let Overlay::Pick(picker) = &model.shared.overlay else {
        panic!("a picker: {:?}", model.shared.overlay);
    };
    assert!(matches!(picker.purpose, PickPurpose::ExecContainer { .. }));
    assert_eq!(picker.items.len(), 2);
    assert!(
        picker.items[1]
            .detail
            .starts_with("kubectl exec -it cookbook-recipe-")
            && picker.items[1]
                .detail
                .ends_with(" -n default -c sidecar -- SHELL"),
        "{}",
        picker.items[1].detail
    );
    press(&mut model, KeyCode::Down);
    let commands = press(&mut model, KeyCode::Enter);
    let [Command::ProbeShell(ExecTarget::Pod { container, pod, .. })] = &commands[..] else {
        panic!("a probe: {commands:?}");
    };
    assert_eq!(container, "sidecar");
    assert!(pod.starts_with("cookbook-recipe-"), "{pod}");
}

/// The command field's message; the form must still be open.
fn field_error(model: &Model) -> String {
    let Overlay::Form(form) = &model.shared.overlay else {
        panic!("the form stays open");
    };
    form.fields[0].error.clone().unwrap_or_default()
}

#[test]
fn x_runs_one_command_into_jobs_and_refuses_an_empty_or_unclosed_one() {
    let mut model = containers();
    press(&mut model, KeyCode::Char('X'));
    assert!(matches!(model.shared.overlay, Overlay::Form(_)));
    assert!(
        press(&mut model, KeyCode::Enter).is_empty(),
        "an empty command is refused"
    );
    assert!(field_error(&model).contains("required"));
    press_str(&mut model, "cat 'run.py");
    assert!(press(&mut model, KeyCode::Enter).is_empty());
    assert!(field_error(&model).contains("not closed"));
    press(&mut model, KeyCode::Char('\''));
    let commands = press(&mut model, KeyCode::Enter);
    let [
        Command::Exec {
            target, command, ..
        },
    ] = &commands[..]
    else {
        panic!("one exec: {commands:?}");
    };
    assert_eq!(
        (target, command),
        (&web(), &vec!["cat".to_string(), "run.py".to_string()])
    );
    assert_eq!(
        model.shared.learn.as_deref(),
        Some("docker exec cookbook-web cat run.py")
    );
    assert_eq!(
        model.jobs.list.last().map(|j| j.title.as_str()),
        Some("exec cat run.py in cookbook-web")
    );
}

#[test]
fn readonly_refuses_shells_and_commands_before_anything_runs() {
    let mut model = containers();
    model.shared.readonly = true;
    assert!(press(&mut model, KeyCode::Char('S')).is_empty());
    assert!(status_text(&model).contains("Read-only mode: a shell in cookbook-web refused"));
    assert!(press(&mut model, KeyCode::Char('X')).is_empty());
    assert!(matches!(model.shared.overlay, Overlay::None));
}

#[test]
fn colon_exec_fills_the_command_field_with_what_was_typed() {
    let mut model = containers();
    assert!(run_command(&mut model, "exec -- cat 'my file.txt'").is_empty());
    let Overlay::Form(form) = &model.shared.overlay else {
        panic!("the command field: {:?}", model.shared.overlay);
    };
    assert_eq!(form.fields[0].value(), "cat 'my file.txt'");
    assert_eq!(
        form.learn_line(),
        "docker exec cookbook-web cat 'my file.txt'"
    );
    let commands = press(&mut model, KeyCode::Enter);
    assert!(
        matches!(&commands[..], [Command::Exec { command, .. }] if command == &["cat", "my file.txt"])
    );
}
