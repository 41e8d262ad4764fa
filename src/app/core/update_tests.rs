//! `update` for every key path and action, refusals included. No engine, no
//! terminal: keys in, model and commands out.

use crate::app::core::command::{BuildSpec, Command, ContainerOp};
use crate::app::core::event::{BuildContextProblem, DockerEvent, Event};
use crate::app::core::forms::{BUILD_CONTEXT, BUILD_TAG, RUN_PORTS};
use crate::app::core::model::{JobState, Overlay, Pane};
use crate::app::core::update::step;
use crate::app::update;
use crate::domain::ContainerState;
use crate::ui::testing::*;
use crossterm::event::KeyCode;

fn spec() -> BuildSpec {
    BuildSpec {
        context: ".".into(),
        dockerfile: "Dockerfile".into(),
        tag: "cookbook:latest".into(),
    }
}

#[test]
fn quit_keys_and_signals_end_the_program() {
    let mut model = populated();
    press_str(&mut model, "q");
    assert!(model.view.quit);
    let mut model = populated();
    press_ctrl(&mut model, 'c');
    assert!(model.view.quit);
    let mut model = populated();
    update(&mut model, Event::Terminate);
    assert!(model.view.quit);
}

#[test]
fn help_opens_and_esc_closes_it() {
    let mut model = populated();
    press_str(&mut model, "?");
    assert!(matches!(model.shared.overlay, Overlay::Help(_)));
    press_str(&mut model, "q");
    assert!(
        matches!(model.shared.overlay, Overlay::Help(_)),
        "q is typed into help's filter"
    );
    press(&mut model, KeyCode::Backspace);
    press(&mut model, KeyCode::Esc);
    assert!(matches!(model.shared.overlay, Overlay::None));
    assert!(
        !model.view.quit,
        "the key that closes help does nothing else"
    );
}

#[test]
fn panes_switch_by_number_and_tab() {
    let mut model = populated();
    press_str(&mut model, "2");
    assert_eq!(model.shared.pane, Pane::Images);
    press(&mut model, KeyCode::Tab);
    assert_eq!(model.shared.pane, Pane::Jobs);
    press(&mut model, KeyCode::BackTab);
    press(&mut model, KeyCode::BackTab);
    assert_eq!(model.shared.pane, Pane::Containers);
    press(&mut model, KeyCode::BackTab);
    assert_eq!(
        model.shared.pane,
        Pane::History,
        "shift-tab wraps to the last pane"
    );
    for (key, pane) in [
        ('5', Pane::Deployments),
        ('6', Pane::Pods),
        ('7', Pane::Services),
        ('8', Pane::Events),
        ('9', Pane::Cloud),
        ('0', Pane::History),
        ('4', Pane::Logs),
    ] {
        press_str(&mut model, &key.to_string());
        assert_eq!(model.shared.pane, pane);
    }
    press_str(&mut model, "1");
    assert_eq!(model.shared.pane, Pane::Containers);
}

#[test]
fn movement_keys_move_the_selection_within_bounds() {
    let mut model = with_many_containers(50);
    press_str(&mut model, "jj");
    assert_eq!(model.docker.containers_table.selected, 2);
    press_str(&mut model, "k");
    assert_eq!(model.docker.containers_table.selected, 1);
    press_str(&mut model, "G");
    assert_eq!(model.docker.containers_table.selected, 49);
    press_str(&mut model, "j");
    assert_eq!(model.docker.containers_table.selected, 49);
    press_str(&mut model, "g");
    assert_eq!(model.docker.containers_table.selected, 0);
    press(&mut model, KeyCode::PageDown);
    assert_eq!(model.docker.containers_table.selected, 10);
    press(&mut model, KeyCode::Up);
    assert_eq!(model.docker.containers_table.selected, 9);
}

#[test]
fn filter_narrows_live_enter_keeps_esc_clears() {
    let mut model = populated();
    press_str(&mut model, "/worker");
    assert!(model.view.filter_input.is_some());
    assert_eq!(model.docker.containers_table.view.len(), 1);
    press_str(&mut model, "\n");
    assert!(model.view.filter_input.is_none());
    assert_eq!(model.docker.containers_table.filter, "worker");
    assert_eq!(model.selected_container().unwrap().name, "cookbook-worker");
    press_str(&mut model, "\x1b");
    assert_eq!(model.docker.containers_table.filter, "");
    assert_eq!(model.docker.containers_table.view.len(), 2);
    press_str(&mut model, "/zzz\x1b");
    assert_eq!(
        model.docker.containers_table.view.len(),
        2,
        "esc while typing drops the filter"
    );
}

#[test]
fn sort_keys_reorder_the_view() {
    let mut model = on_pane(populated(), '2');
    press_str(&mut model, ">");
    assert_eq!(model.docker.images_table.sort_column, Some(0));
    let names: Vec<_> = model
        .docker
        .images_table
        .view
        .iter()
        .map(|&i| model.docker.images[i].repository.clone())
        .collect();
    assert_eq!(names, vec!["busybox-www", "cookbook", "cookbook"]);
    press_str(&mut model, "<");
    let first = model.docker.images_table.view[0];
    assert_eq!(model.docker.images[first].repository, "cookbook");
}

#[test]
fn a_shows_stopped_containers_too() {
    let mut model = populated();
    assert_eq!(model.docker.containers_table.view.len(), 2);
    press_str(&mut model, "a");
    assert_eq!(model.docker.containers_table.view.len(), 3);
    press_str(&mut model, "a");
    assert_eq!(model.docker.containers_table.view.len(), 2);
}

#[test]
fn build_form_checks_the_context_then_starts_a_job() {
    let mut model = populated();
    press_str(&mut model, "b");
    let Overlay::Form(form) = &model.shared.overlay else {
        panic!("build form expected")
    };
    assert_eq!(form.value(BUILD_TAG), "cookbook:latest");
    assert_eq!(form.value(BUILD_CONTEXT), ".");
    let commands = press_str(&mut model, "\n");
    assert_eq!(commands, vec![Command::CheckBuildContext(spec())]);
    assert!(
        model.jobs.list.is_empty(),
        "no job before the context is checked"
    );
    let commands = update(&mut model, Event::BuildContextChecked(Ok(spec())));
    assert!(matches!(model.shared.overlay, Overlay::None));
    assert_eq!(
        job_commands(&commands),
        vec![&Command::Build {
            job: 1,
            spec: spec()
        }]
    );
    assert_eq!(model.jobs.list[0].state, JobState::Running);
    assert_eq!(model.shared.pane, Pane::Jobs, "the build's output shows");
    assert_eq!(
        model.jobs.list[0].learn,
        "docker build -t cookbook:latest ."
    );
    assert_eq!(
        model.shared.learn.as_deref(),
        Some("docker build -t cookbook:latest .")
    );
}

#[test]
fn build_form_refuses_a_bad_tag_at_the_field_and_sends_nothing() {
    let mut model = populated();
    press_str(&mut model, "b");
    // Clear the tag and type an invalid one.
    for _ in 0..20 {
        press(&mut model, KeyCode::Backspace);
    }
    let commands = press_str(&mut model, "Cook Book\n");
    assert!(job_commands(&commands).is_empty());
    let Overlay::Form(form) = &model.shared.overlay else {
        panic!("form stays open")
    };
    assert!(
        form.fields[BUILD_TAG]
            .error
            .as_deref()
            .unwrap_or("")
            .contains("white space")
    );
}

#[test]
fn build_context_problems_come_back_to_the_form() {
    let mut model = populated();
    press_str(&mut model, "b\n");
    let problem = BuildContextProblem::Field {
        field: BUILD_CONTEXT,
        message: "nope does not exist".into(),
    };
    let commands = update(&mut model, Event::BuildContextChecked(Err(problem)));
    assert!(job_commands(&commands).is_empty());
    let Overlay::Form(form) = &model.shared.overlay else {
        panic!("form stays open")
    };
    assert_eq!(
        form.fields[BUILD_CONTEXT].error.as_deref(),
        Some("nope does not exist")
    );
    assert!(!form.pending);
}

#[test]
fn a_missing_dockerfile_offers_a_scaffold_after_confirmation() {
    let mut model = populated();
    press_str(&mut model, "b\n");
    let dir = std::path::PathBuf::from("/home/dev/cookbook");
    update(
        &mut model,
        Event::BuildContextChecked(Err(BuildContextProblem::NoDockerfile { dir: dir.clone() })),
    );
    assert!(matches!(model.shared.overlay, Overlay::Confirm(_)));
    let commands = press_str(&mut model, "y");
    assert_eq!(
        job_commands(&commands),
        vec![&Command::ScaffoldDockerfile { dir: dir.clone() }]
    );
    update(&mut model, Event::Scaffolded(Ok(dir.join("Dockerfile"))));
    assert!(status_text(&model).contains("Press b to build"));
    // Saying no writes nothing.
    press_str(&mut model, "b\n");
    update(
        &mut model,
        Event::BuildContextChecked(Err(BuildContextProblem::NoDockerfile { dir })),
    );
    assert!(job_commands(&press_str(&mut model, "n")).is_empty());
}

#[test]
fn esc_cancels_a_form_without_sending_anything() {
    let mut model = populated();
    press_str(&mut model, "b");
    let commands = press_str(&mut model, "\x1b");
    assert!(matches!(model.shared.overlay, Overlay::None));
    assert!(job_commands(&commands).is_empty());
}

#[test]
fn run_form_sends_create_and_start_with_loopback_ports() {
    let mut model = on_pane(populated(), '2');
    press_str(&mut model, "r");
    let Overlay::Form(form) = &model.shared.overlay else {
        panic!("run form expected")
    };
    assert_eq!(form.focus, RUN_PORTS);
    let commands = press_str(&mut model, "8000:8000\tweb\tGREETING=hi\n");
    let [Command::Run { job, spec }] = job_commands(&commands)[..] else {
        panic!("one run command: {commands:?}")
    };
    assert_eq!(*job, 1);
    assert_eq!(spec.image, "cookbook:latest");
    assert_eq!(spec.name.as_deref(), Some("web"));
    assert_eq!(spec.ports[0].host_ip, "127.0.0.1");
    assert_eq!(spec.env, vec![("GREETING".to_string(), "hi".to_string())]);
    assert_eq!(
        model.jobs.list[0].learn,
        "docker run -d --name web -p 127.0.0.1:8000:8000 -e GREETING=hi cookbook:latest"
    );
}

#[test]
fn run_form_refuses_bad_ports_names_and_env() {
    for (typed, field) in [
        ("99999:80\n", 1),
        ("8000:8000\tx\n", 2),
        ("8000:8000\t\tNOPE\n", 3),
    ] {
        let mut model = on_pane(populated(), '2');
        press_str(&mut model, "r");
        let commands = press_str(&mut model, typed);
        assert!(
            job_commands(&commands).is_empty(),
            "{typed:?} must send nothing"
        );
        let Overlay::Form(form) = &model.shared.overlay else {
            panic!("form stays open")
        };
        assert!(
            form.fields[field].error.is_some(),
            "{typed:?}: error at field {field}"
        );
        assert!(model.jobs.list.is_empty());
    }
}

#[test]
fn s_stops_a_running_container_and_starts_a_stopped_one() {
    let mut model = populated();
    let commands = press_str(&mut model, "s");
    assert!(matches!(
        job_commands(&commands)[..],
        [Command::Container {
            op: ContainerOp::Stop,
            ..
        }]
    ));
    press_str(&mut model, "aG");
    assert_eq!(
        model.selected_container().unwrap().state,
        ContainerState::Exited
    );
    let commands = press_str(&mut model, "s");
    assert!(matches!(
        job_commands(&commands)[..],
        [Command::Container {
            op: ContainerOp::Start,
            ..
        }]
    ));
    assert_eq!(model.shared.learn.as_deref(), Some("docker start old-try"));
}

#[test]
fn r_restarts_a_container() {
    let mut model = populated();
    let commands = press_str(&mut model, "r");
    assert!(matches!(
        job_commands(&commands)[..],
        [Command::Container {
            op: ContainerOp::Restart,
            ..
        }]
    ));
    assert_eq!(model.jobs.list[0].title, "restart cookbook-web");
}

#[test]
fn remove_asks_first_and_no_keeps_everything() {
    let mut model = populated();
    press_ctrl(&mut model, 'd');
    let Overlay::Confirm(confirm) = &model.shared.overlay else {
        panic!("confirmation expected")
    };
    assert!(
        confirm.message.contains("cookbook-web") && confirm.message.contains("will be stopped")
    );
    assert!(job_commands(&press_str(&mut model, "n")).is_empty());
    assert!(model.jobs.list.is_empty());
    press_ctrl(&mut model, 'd');
    press_str(&mut model, "x"); // any other key leaves the question open
    assert!(matches!(model.shared.overlay, Overlay::Confirm(_)));
    let commands = press_str(&mut model, "y");
    assert!(matches!(
        job_commands(&commands)[..],
        [Command::Container {
            op: ContainerOp::Remove,
            ..
        }]
    ));
    assert_eq!(
        model.shared.learn.as_deref(),
        Some("docker rm -f cookbook-web")
    );
}

#[test]
fn remove_on_an_image_removes_the_image() {
    let mut model = on_pane(populated(), '2');
    press_ctrl(&mut model, 'd');
    let commands = press_str(&mut model, "y");
    assert_eq!(
        job_commands(&commands),
        vec![&Command::RemoveImage {
            job: 1,
            reference: "cookbook:latest".into()
        }]
    );
}

#[test]
fn open_uses_the_published_port_or_says_why_not() {
    let mut model = populated();
    let commands = press_str(&mut model, "o");
    assert_eq!(
        job_commands(&commands),
        vec![&Command::OpenUrl("http://127.0.0.1:8000/".into())]
    );
    press_str(&mut model, "j");
    let commands = press_str(&mut model, "o");
    assert!(job_commands(&commands).is_empty());
    assert!(status_text(&model).contains("publishes no port"));
}

#[test]
fn readonly_refuses_every_mutation_with_a_sentence() {
    let mut model = populated();
    model.shared.readonly = true;
    for keys in ["b", "s", "r", "2r"] {
        let commands = press_str(&mut model, keys);
        assert!(job_commands(&commands).is_empty(), "{keys}");
        assert!(
            matches!(model.shared.overlay, Overlay::None),
            "{keys}: no form opens"
        );
        assert!(
            status_text(&model).contains("Read-only"),
            "{keys}: {}",
            status_text(&model)
        );
        model.shared.status = None;
        press_str(&mut model, "1");
    }
    press_ctrl(&mut model, 'd');
    assert!(matches!(model.shared.overlay, Overlay::None));
    assert!(status_text(&model).contains("Read-only"));
    assert!(model.jobs.list.is_empty());
    // Reading stays allowed.
    assert!(
        press_str(&mut model, "l")
            .iter()
            .any(|c| matches!(c, Command::FollowLogs(Some(_))))
    );
}

#[test]
fn unbound_keys_change_nothing_and_draw_nothing() {
    let mut model = populated();
    let pressed = step(&mut model, Event::Key(KeyCode::Char('Z').into()));
    assert!(pressed.commands.is_empty());
    assert!(!pressed.visible);
}

#[test]
fn run_form_suggests_ports_from_the_image_expose_lines() {
    let mut model = on_pane(populated(), '2');
    let commands = press_str(&mut model, "r");
    assert!(commands.contains(&Command::InspectImage("cookbook:latest".into())));
    let exposed = vec!["53/udp".to_string(), "8000/tcp".to_string()];
    update(
        &mut model,
        Event::Docker(DockerEvent::ImageExposedPorts {
            reference: "cookbook:latest".into(),
            ports: exposed.clone(),
        }),
    );
    let Overlay::Form(form) = &model.shared.overlay else {
        panic!("run form")
    };
    assert_eq!(form.value(RUN_PORTS), "53:53/udp 8000:8000");
    // A user who already typed ports keeps them.
    let mut typed = on_pane(populated(), '2');
    press_str(&mut typed, "r9000:80");
    update(
        &mut typed,
        Event::Docker(DockerEvent::ImageExposedPorts {
            reference: "cookbook:latest".into(),
            ports: exposed,
        }),
    );
    let Overlay::Form(form) = &typed.shared.overlay else {
        panic!("run form")
    };
    assert_eq!(form.value(RUN_PORTS), "9000:80");
}
