//! `update` for every key path and action, refusals included. No engine, no
//! terminal: keys in, model and commands out.

use super::command::{BuildSpec, Command, ContainerOp};
use super::event::{BuildContextProblem, DockerEvent, Event};
use super::forms::{BUILD_CONTEXT, BUILD_TAG, RUN_PORTS};
use super::model::{JobState, Overlay, Pane};
use super::update;
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

fn status_text(model: &crate::app::Model) -> String {
    model
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

fn job_commands(commands: &[Command]) -> Vec<&Command> {
    commands
        .iter()
        .filter(|c| !matches!(c, Command::WatchStats(_)))
        .collect()
}

#[test]
fn quit_keys_and_signals_end_the_program() {
    let mut model = populated();
    press_str(&mut model, "q");
    assert!(model.quit);
    let mut model = populated();
    press_ctrl(&mut model, 'c');
    assert!(model.quit);
    let mut model = populated();
    update(&mut model, Event::Terminate);
    assert!(model.quit);
}

#[test]
fn help_opens_and_any_key_closes_it() {
    let mut model = populated();
    press_str(&mut model, "?");
    assert!(matches!(model.overlay, Overlay::Help));
    press_str(&mut model, "q");
    assert!(matches!(model.overlay, Overlay::None));
    assert!(!model.quit, "the key that closes help does nothing else");
}

#[test]
fn panes_switch_by_number_and_tab() {
    let mut model = populated();
    press_str(&mut model, "2");
    assert_eq!(model.pane, Pane::Images);
    press(&mut model, KeyCode::Tab);
    assert_eq!(model.pane, Pane::Jobs);
    press(&mut model, KeyCode::BackTab);
    press(&mut model, KeyCode::BackTab);
    assert_eq!(model.pane, Pane::Containers);
    press(&mut model, KeyCode::BackTab);
    assert_eq!(model.pane, Pane::Events, "shift-tab wraps to the last pane");
    for (key, pane) in [
        ('5', Pane::Deployments),
        ('6', Pane::Pods),
        ('7', Pane::Services),
        ('8', Pane::Events),
        ('4', Pane::Logs),
    ] {
        press_str(&mut model, &key.to_string());
        assert_eq!(model.pane, pane);
    }
    press_str(&mut model, "1");
    assert_eq!(model.pane, Pane::Containers);
}

#[test]
fn movement_keys_move_the_selection_within_bounds() {
    let mut model = with_many_containers(50);
    press_str(&mut model, "jj");
    assert_eq!(model.containers_table.selected, 2);
    press_str(&mut model, "k");
    assert_eq!(model.containers_table.selected, 1);
    press_str(&mut model, "G");
    assert_eq!(model.containers_table.selected, 49);
    press_str(&mut model, "j");
    assert_eq!(model.containers_table.selected, 49);
    press_str(&mut model, "g");
    assert_eq!(model.containers_table.selected, 0);
    press(&mut model, KeyCode::PageDown);
    assert_eq!(model.containers_table.selected, 10);
    press(&mut model, KeyCode::Up);
    assert_eq!(model.containers_table.selected, 9);
}

#[test]
fn filter_narrows_live_enter_keeps_esc_clears() {
    let mut model = populated();
    press_str(&mut model, "/worker");
    assert!(model.filter_input.is_some());
    assert_eq!(model.containers_table.view.len(), 1);
    press_str(&mut model, "\n");
    assert!(model.filter_input.is_none());
    assert_eq!(model.containers_table.filter, "worker");
    assert_eq!(model.selected_container().unwrap().name, "cookbook-worker");
    press_str(&mut model, "\x1b");
    assert_eq!(model.containers_table.filter, "");
    assert_eq!(model.containers_table.view.len(), 2);
    press_str(&mut model, "/zzz\x1b");
    assert_eq!(
        model.containers_table.view.len(),
        2,
        "esc while typing drops the filter"
    );
}

#[test]
fn sort_keys_reorder_the_view() {
    let mut model = on_pane(populated(), '2');
    press_str(&mut model, ">");
    assert_eq!(model.images_table.sort_column, Some(0));
    let names: Vec<_> = model
        .images_table
        .view
        .iter()
        .map(|&i| model.docker.images[i].repository.clone())
        .collect();
    assert_eq!(names, vec!["busybox-www", "cookbook", "cookbook"]);
    press_str(&mut model, "<");
    let first = model.images_table.view[0];
    assert_eq!(model.docker.images[first].repository, "cookbook");
}

#[test]
fn a_shows_stopped_containers_too() {
    let mut model = populated();
    assert_eq!(model.containers_table.view.len(), 2);
    press_str(&mut model, "a");
    assert_eq!(model.containers_table.view.len(), 3);
    press_str(&mut model, "a");
    assert_eq!(model.containers_table.view.len(), 2);
}

#[test]
fn build_form_checks_the_context_then_starts_a_job() {
    let mut model = populated();
    press_str(&mut model, "b");
    let Overlay::Form(form) = &model.overlay else {
        panic!("build form expected")
    };
    assert_eq!(form.value(BUILD_TAG), "cookbook:latest");
    assert_eq!(form.value(BUILD_CONTEXT), ".");
    let commands = press_str(&mut model, "\n");
    assert_eq!(commands, vec![Command::CheckBuildContext(spec())]);
    assert!(
        model.jobs.is_empty(),
        "no job before the context is checked"
    );
    let commands = update(&mut model, Event::BuildContextChecked(Ok(spec())));
    assert!(matches!(model.overlay, Overlay::None));
    assert_eq!(
        job_commands(&commands),
        vec![&Command::Build {
            job: 1,
            spec: spec()
        }]
    );
    assert_eq!(model.jobs[0].state, JobState::Running);
    assert_eq!(model.pane, Pane::Jobs, "the build's output shows");
    assert_eq!(model.jobs[0].learn, "docker build -t cookbook:latest .");
    assert_eq!(
        model.learn.as_deref(),
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
    let Overlay::Form(form) = &model.overlay else {
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
    let Overlay::Form(form) = &model.overlay else {
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
    assert!(matches!(model.overlay, Overlay::Confirm(_)));
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
    assert!(matches!(model.overlay, Overlay::None));
    assert!(job_commands(&commands).is_empty());
}

#[test]
fn run_form_sends_create_and_start_with_loopback_ports() {
    let mut model = on_pane(populated(), '2');
    press_str(&mut model, "r");
    let Overlay::Form(form) = &model.overlay else {
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
        model.jobs[0].learn,
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
        let Overlay::Form(form) = &model.overlay else {
            panic!("form stays open")
        };
        assert!(
            form.fields[field].error.is_some(),
            "{typed:?}: error at field {field}"
        );
        assert!(model.jobs.is_empty());
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
    assert_eq!(model.learn.as_deref(), Some("docker start old-try"));
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
    assert_eq!(model.jobs[0].title, "restart cookbook-web");
}

#[test]
fn remove_asks_first_and_no_keeps_everything() {
    let mut model = populated();
    press_ctrl(&mut model, 'd');
    let Overlay::Confirm(confirm) = &model.overlay else {
        panic!("confirmation expected")
    };
    assert!(
        confirm.message.contains("cookbook-web") && confirm.message.contains("will be stopped")
    );
    assert!(job_commands(&press_str(&mut model, "n")).is_empty());
    assert!(model.jobs.is_empty());
    press_ctrl(&mut model, 'd');
    press_str(&mut model, "x"); // any other key leaves the question open
    assert!(matches!(model.overlay, Overlay::Confirm(_)));
    let commands = press_str(&mut model, "y");
    assert!(matches!(
        job_commands(&commands)[..],
        [Command::Container {
            op: ContainerOp::Remove,
            ..
        }]
    ));
    assert_eq!(model.learn.as_deref(), Some("docker rm -f cookbook-web"));
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
    model.readonly = true;
    for keys in ["b", "s", "r", "2r"] {
        let commands = press_str(&mut model, keys);
        assert!(job_commands(&commands).is_empty(), "{keys}");
        assert!(
            matches!(model.overlay, Overlay::None),
            "{keys}: no form opens"
        );
        assert!(
            status_text(&model).contains("Read-only"),
            "{keys}: {}",
            status_text(&model)
        );
        model.status = None;
        press_str(&mut model, "1");
    }
    press_ctrl(&mut model, 'd');
    assert!(matches!(model.overlay, Overlay::None));
    assert!(status_text(&model).contains("Read-only"));
    assert!(model.jobs.is_empty());
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
    model.dirty = false;
    let commands = press_str(&mut model, "Z");
    assert!(commands.is_empty());
    assert!(!model.dirty);
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
    let Overlay::Form(form) = &model.overlay else {
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
    let Overlay::Form(form) = &typed.overlay else {
        panic!("run form")
    };
    assert_eq!(form.value(RUN_PORTS), "9000:80");
}

#[test]
fn kubernetes_panes_scale_delete_and_open() {
    use crate::domain::kube::KubeKind;
    let mut model = on_pane(with_cluster(), '5');
    // The fixture's first row (sorted by namespace) is default/cookbook-recipe, desired 3.
    let commands = press_str(&mut model, "+");
    assert!(
        matches!(
            job_commands(&commands)[..],
            [Command::Scale { replicas: 4, .. }]
        ),
        "{commands:?}"
    );
    assert_eq!(
        model.learn.as_deref(),
        Some("kubectl scale --replicas=4 deployment/cookbook-recipe -n default")
    );
    // A second + counts from the number just asked for, not the one the watch last saw.
    let commands = press_str(&mut model, "+");
    assert!(
        matches!(
            job_commands(&commands)[..],
            [Command::Scale { replicas: 5, .. }]
        ),
        "{commands:?}"
    );
    press_str(&mut model, "--");
    let commands = press_str(&mut model, "s");
    assert!(job_commands(&commands).is_empty());
    let Overlay::Form(form) = &model.overlay else {
        panic!("scale form")
    };
    assert_eq!(form.value(0), "3");
    // Bad replica counts are refused at the field and nothing is sent.
    for bad in ["-1", "many", "1000", ""] {
        let mut typed = model.clone();
        press(&mut typed, KeyCode::Backspace);
        let commands = press_str(&mut typed, &format!("{bad}\n"));
        assert!(job_commands(&commands).is_empty(), "{bad}");
        let Overlay::Form(form) = &typed.overlay else {
            panic!("form stays open for {bad}")
        };
        assert!(form.fields[0].error.is_some(), "{bad}");
    }
    // Zero asks first.
    press(&mut model, KeyCode::Backspace);
    assert!(job_commands(&press_str(&mut model, "0\n")).is_empty());
    assert!(matches!(model.overlay, Overlay::Confirm(_)));
    let commands = press_str(&mut model, "y");
    assert!(matches!(
        job_commands(&commands)[..],
        [Command::Scale { replicas: 0, .. }]
    ));
    // ctrl-d on a pod deletes it after a yes.
    press_str(&mut model, "6");
    press_ctrl(&mut model, 'd');
    let commands = press_str(&mut model, "y");
    assert!(matches!(
        job_commands(&commands)[..],
        [Command::DeleteObject {
            kind: KubeKind::Pod,
            ..
        }]
    ));
    // o on a LoadBalancer opens its nodePort on the node; on a ClusterIP it says why not.
    press_str(&mut model, "7");
    assert_eq!(
        job_commands(&press_str(&mut model, "o")),
        vec![&Command::OpenUrl("http://192.168.49.2:31234/".into())]
    );
    press_str(&mut model, "j");
    assert!(job_commands(&press_str(&mut model, "o")).is_empty());
    assert!(
        status_text(&model).contains("kubernetes is ClusterIP"),
        "{}",
        status_text(&model)
    );
    // Read-only refuses them all.
    let mut readonly = on_pane(with_cluster(), '5');
    readonly.readonly = true;
    for keys in ["+", "-", "s"] {
        assert!(job_commands(&press_str(&mut readonly, keys)).is_empty());
        assert!(matches!(readonly.overlay, Overlay::None), "{keys}");
    }
}

#[test]
fn yaml_view_loads_scrolls_and_closes_and_enter_drills_down() {
    use crate::app::model::YamlView;
    use crate::domain::kube::KubeKind;
    let mut model = on_pane(with_cluster(), '7');
    let commands = press_str(&mut model, "y");
    assert_eq!(
        commands,
        vec![Command::ShowYaml {
            kind: KubeKind::Service,
            namespace: "default".into(),
            name: "cookbook-recipe".into()
        }]
    );
    assert_eq!(
        model.learn.as_deref(),
        Some("kubectl get service cookbook-recipe -n default -o yaml")
    );
    let title = "service/cookbook-recipe -n default".to_string();
    let text: String = (0..50).map(|i| format!("line{i}: value\n")).collect();
    update(
        &mut model,
        Event::YamlLoaded {
            title: "service/other -n default".into(),
            text: Ok("stale".into()),
        },
    );
    assert_eq!(
        model.overlay.clone_yaml().and_then(|v| v.lines),
        None,
        "an answer for another object is ignored"
    );
    update(
        &mut model,
        Event::YamlLoaded {
            title: title.clone(),
            text: Ok(text),
        },
    );
    press_str(&mut model, "jjj");
    assert_eq!(
        model.overlay.clone_yaml().map(|v: YamlView| v.scroll),
        Some(3)
    );
    press(&mut model, KeyCode::End);
    assert_eq!(model.overlay.clone_yaml().map(|v| v.scroll), Some(49));
    press_str(&mut model, "\x1b");
    assert!(matches!(model.overlay, Overlay::None));
    // A failed read says why in the status bar.
    press_str(&mut model, "y");
    update(
        &mut model,
        Event::YamlLoaded {
            title,
            text: Err("cannot read cookbook-recipe: gone".into()),
        },
    );
    assert!(matches!(model.overlay, Overlay::None));
    assert!(status_text(&model).contains("gone"));
    // enter on a deployment shows its pods.
    press_str(&mut model, "5\n");
    assert_eq!(model.pane, Pane::Pods);
    assert_eq!(model.kube.pods_table.filter, "cookbook-recipe");
    assert_eq!(model.kube.pods_table.view.len(), 3);
}

#[test]
fn apply_checks_the_manifest_first_and_offers_force_after_a_conflict() {
    let mut model = on_pane(with_cluster(), '5');
    press_str(&mut model, "a");
    let Overlay::Form(form) = &model.overlay else {
        panic!("apply form")
    };
    assert_eq!(
        form.value(0),
        "",
        "no cookbook-deployment.yaml in the fixture's directory"
    );
    assert!(
        job_commands(&press_str(&mut model, "\n")).is_empty(),
        "an empty path sends nothing"
    );
    let commands = press_str(&mut model, "deploy.yaml\n");
    assert_eq!(
        commands,
        vec![Command::CheckManifest {
            path: "deploy.yaml".into()
        }]
    );
    // A bad file comes back to the field; nothing is applied.
    update(
        &mut model,
        Event::ManifestChecked {
            path: "deploy.yaml".into(),
            result: Err(
                "deploy.yaml is not valid YAML: mapping values are not allowed at line 3 column 7"
                    .into(),
            ),
        },
    );
    let Overlay::Form(form) = &model.overlay else {
        panic!("the form stays")
    };
    assert!(
        form.fields[0]
            .error
            .as_deref()
            .unwrap_or("")
            .contains("line 3 column 7")
    );
    assert!(model.jobs.is_empty());
    // A good one is applied, and the learn line says how.
    press_str(&mut model, "\n");
    let documents = vec![
        serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}}),
    ];
    let commands = update(
        &mut model,
        Event::ManifestChecked {
            path: "deploy.yaml".into(),
            result: Ok(documents.clone()),
        },
    );
    assert!(matches!(
        job_commands(&commands)[..],
        [Command::Apply { force: false, .. }]
    ));
    assert_eq!(
        model.learn.as_deref(),
        Some("kubectl apply --server-side -f deploy.yaml")
    );
    // A conflict asks before forcing.
    update(
        &mut model,
        Event::ApplyConflict {
            path: "deploy.yaml".into(),
            documents,
            message: "Apply failed with 1 conflict: conflict with \"kubectl\": .spec.replicas"
                .into(),
        },
    );
    let Overlay::Confirm(confirm) = &model.overlay else {
        panic!("a question")
    };
    assert!(
        confirm.message.contains("conflict with \"kubectl\"") && confirm.message.contains("Force")
    );
    let commands = press_str(&mut model, "y");
    assert!(matches!(
        job_commands(&commands)[..],
        [Command::Apply { force: true, .. }]
    ));
    assert_eq!(
        model.learn.as_deref(),
        Some("kubectl apply --server-side --force-conflicts -f deploy.yaml")
    );
}

#[test]
fn expose_form_validates_and_sends_the_service() {
    let mut model = on_pane(with_cluster(), '5');
    press_str(&mut model, "x");
    let Overlay::Form(form) = &model.overlay else {
        panic!("expose form")
    };
    assert_eq!((form.value(0), form.value(1)), ("LoadBalancer", "8000"));
    assert_eq!(
        form.learn_line(),
        "kubectl expose deployment cookbook-recipe --type=LoadBalancer --port=8000 -n default"
    );
    for (field, typed, says) in [
        (0, "Ingress", "not a Service type"),
        (1, "70000", "outside 1-65535"),
        (2, "http", "not a port number"),
        (3, "Web_1", "not a Service name"),
    ] {
        let mut bad = model.clone();
        let Overlay::Form(form) = &mut bad.overlay else {
            unreachable!()
        };
        form.fields[field].input = tui_input::Input::new(typed.to_string());
        let commands = press_str(&mut bad, "\n");
        assert!(job_commands(&commands).is_empty(), "{typed}");
        let Overlay::Form(form) = &bad.overlay else {
            panic!("stays open")
        };
        assert!(
            form.fields[field]
                .error
                .as_deref()
                .unwrap_or("")
                .contains(says),
            "{typed}: {:?}",
            form.fields[field].error
        );
    }
    let commands = press_str(&mut model, "\n");
    let [Command::Expose { spec, .. }] = job_commands(&commands)[..] else {
        panic!("{commands:?}")
    };
    assert_eq!(
        (
            spec.kind.as_str(),
            spec.port,
            spec.target_port,
            spec.service.as_str()
        ),
        ("LoadBalancer", 8000, 8000, "cookbook-recipe")
    );
}

#[test]
fn l_on_a_pod_follows_its_logs() {
    let mut model = on_pane(with_cluster(), '6');
    let commands = press_str(&mut model, "l");
    assert_eq!(
        commands,
        vec![Command::FollowPodLogs {
            namespace: "default".into(),
            name: "cookbook-recipe-7c9f8d6b5-2xkqp".into()
        }]
    );
    assert_eq!(model.pane, Pane::Logs);
    assert_eq!(
        model.learn.as_deref(),
        Some("kubectl logs -f --tail=500 cookbook-recipe-7c9f8d6b5-2xkqp -n default")
    );
    let key = crate::app::pod_log_key("default", "cookbook-recipe-7c9f8d6b5-2xkqp");
    update(
        &mut model,
        Event::LogLines {
            key: key.clone(),
            lines: vec!["hello".into()],
        },
    );
    assert_eq!(model.logs.lines.back().map(String::as_str), Some("hello"));
    update(
        &mut model,
        Event::LogLines {
            key: "pod/default/other".into(),
            lines: vec!["not mine".into()],
        },
    );
    assert_eq!(model.logs.lines.len(), 1);
}

#[test]
fn what_the_user_just_applied_is_selected_when_it_arrives() {
    use crate::app::event::KubeEvent;
    let mut model = on_pane(with_cluster(), '5');
    press_str(&mut model, "j");
    assert_eq!(
        model
            .kube
            .deployments_table
            .selected_row(&model.kube.deployments)
            .map(|d| d.name.as_str()),
        Some("coredns")
    );
    press_str(&mut model, "a");
    let documents = vec![
        serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}}),
    ];
    press_str(&mut model, "x.yaml\n");
    update(
        &mut model,
        Event::ManifestChecked {
            path: "x.yaml".into(),
            result: Ok(documents),
        },
    );
    let mut rows = model.kube.deployments.clone();
    let mut web = rows[0].clone();
    web.name = "web".into();
    rows.push(web);
    update(
        &mut model,
        Event::Kube(KubeEvent::Deployments(rows.clone())),
    );
    assert_eq!(
        model
            .kube
            .deployments_table
            .selected_row(&model.kube.deployments)
            .map(|d| d.name.as_str()),
        Some("web")
    );
    // Once: the next update keeps whatever the user selects.
    press_str(&mut model, "k");
    update(&mut model, Event::Kube(KubeEvent::Deployments(rows)));
    assert_ne!(
        model
            .kube
            .deployments_table
            .selected_row(&model.kube.deployments)
            .map(|d| d.name.as_str()),
        Some("web")
    );
}

#[test]
fn an_exposed_service_is_selected_even_when_named_as_its_deployment() {
    use crate::app::event::KubeEvent;
    let mut model = on_pane(with_cluster(), '5');
    press_str(&mut model, "x\n");
    // The deployment of the same name updates first: it must not take the Service's turn.
    let deployments = model.kube.deployments.clone();
    update(&mut model, Event::Kube(KubeEvent::Deployments(deployments)));
    let mut services = model.kube.services.clone();
    services.retain(|s| s.name == "kubernetes");
    update(
        &mut model,
        Event::Kube(KubeEvent::Services(services.clone())),
    );
    let mut exposed = services[0].clone();
    exposed.name = "cookbook-recipe".into();
    services.push(exposed);
    update(&mut model, Event::Kube(KubeEvent::Services(services)));
    assert_eq!(
        model
            .kube
            .services_table
            .selected_row(&model.kube.services)
            .map(|s| s.name.as_str()),
        Some("cookbook-recipe")
    );
}
