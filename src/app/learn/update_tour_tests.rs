//! `update` for the guided tour: each step is noticed from the model (an
//! image listed, a deployment ready, a service opened…), whatever key or CLI
//! made it so; esc leaves, `:tour` resumes.

use crate::app::core::command::Command;
use crate::app::core::event::{CloudEvent, DockerEvent, Event, JobUpdate, KubeEvent};
use crate::app::core::model::{Model, Pane};
use crate::app::learn::tour::STEPS;
use crate::app::update;
use crate::domain::kube::{DeploymentRow, ServiceRow};
use crate::ui::testing::*;
use crossterm::event::KeyCode;

fn finish(model: &mut Model, commands: &[Command], summary: &str) {
    for job in job_commands(commands) {
        let id = job_id(job);
        update(
            model,
            Event::Job {
                id,
                update: JobUpdate::Finished(Ok(summary.to_string())),
            },
        );
    }
}

fn job_id(command: &Command) -> u64 {
    crate::app::core::launch::job_id(command).unwrap_or_else(|| panic!("not a job: {command:?}"))
}

fn deployment(ready: u32, desired: u32) -> DeploymentRow {
    DeploymentRow {
        namespace: "default".into(),
        name: "cookbook-recipe".into(),
        desired,
        ready,
        up_to_date: desired,
        available: ready,
        created: 1_800_000_000,
        selector: "app=cookbook-recipe".into(),
        port: Some(8000),
        ..Default::default()
    }
}

fn step_title(model: &Model) -> &'static str {
    STEPS[model.tour.step].title
}

#[test]
fn the_tour_notices_each_step_from_the_model_and_ends() {
    let mut model = empty_model();
    run_command(&mut model, "tour");
    assert!(model.tour.active);
    assert_eq!(step_title(&model), "The engine");
    assert!(
        status_text(&model).contains("step 1 of 13"),
        "{}",
        status_text(&model)
    );
    assert!(screen_text(&model, 120, 40).contains("Tour 1/13: The engine"));

    // The engine answers: done by itself, no key.
    model = connected(model);
    update(&mut model, Event::Tick(now()));
    assert_eq!(step_title(&model), "The Dockerfile");

    // A build starts (the Dockerfile was found), then succeeds and the image is listed.
    let commands = vec![update_build(&mut model)];
    assert_eq!(step_title(&model), "The image");
    finish(&mut model, &commands, "built");
    assert_eq!(
        step_title(&model),
        "The image",
        "not before the image is listed"
    );
    update(
        &mut model,
        Event::Docker(DockerEvent::Images(vec![image(
            "sha256:93a5d18da20a",
            "cookbook",
            "latest",
            1090,
            7,
        )])),
    );
    assert_eq!(step_title(&model), "The container");
    assert_eq!(model.tour.image.as_deref(), Some("cookbook:latest"));

    // A container of that image runs (started here or by `docker run` elsewhere).
    update(
        &mut model,
        Event::Docker(DockerEvent::Containers(vec![container(
            "3f2a9c81b7d4aa",
            "cookbook-web",
            "cookbook:latest",
            crate::domain::ContainerState::Running,
            Some(8000),
            60,
        )])),
    );
    assert_eq!(step_title(&model), "The Deployment");

    // Applied and listed, then READY.
    let apply = Command::Apply {
        namespace: None,
        job: 90,
        path: "cookbook-deployment.yaml".into(),
        documents: vec![serde_json::json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "cookbook-recipe"},
        })],
        force: false,
    };
    model.shared.next_job = 91;
    let commands = started(&mut model, apply);
    update(&mut model, Event::Tick(now()));
    // The apply job ends before the watch lists the deployment: the tour waits for the row.
    finish(
        &mut model,
        &commands,
        "deployment.apps/cookbook-recipe serverside-applied",
    );
    // Another deployment listed first is not the one the tour follows.
    let mut coredns = deployment(1, 1);
    coredns.namespace = "kube-system".into();
    coredns.name = "coredns".into();
    update(
        &mut model,
        Event::Kube(KubeEvent::Deployments(vec![coredns.clone()].into())),
    );
    assert_eq!(step_title(&model), "The Deployment", "not listed yet");
    update(
        &mut model,
        Event::Kube(KubeEvent::Deployments(
            vec![coredns, deployment(0, 1)].into(),
        )),
    );
    assert_eq!(step_title(&model), "READY");
    assert_eq!(
        model.tour.deployment,
        Some(("default".to_string(), "cookbook-recipe".to_string()))
    );
    update(
        &mut model,
        Event::Kube(KubeEvent::Deployments(vec![deployment(1, 1)].into())),
    );
    assert_eq!(step_title(&model), "The Service");

    // Exposed, then opened on its NodePort.
    update(
        &mut model,
        Event::Kube(KubeEvent::Services(vec![service(31871)].into())),
    );
    assert_eq!(step_title(&model), "NodePort and <pending>");
    // Connected, with the node's address (the fixture cluster's: 192.168.49.2).
    model.kube.connection = with_cluster().kube.connection;
    model.shared.pane = Pane::Services;
    let commands = press_str(&mut model, "o");
    assert_eq!(
        commands,
        [Command::OpenUrl("http://192.168.49.2:31871/".into())]
    );
    assert_eq!(step_title(&model), "Scaling");

    // Three ready copies.
    update(
        &mut model,
        Event::Kube(KubeEvent::Deployments(vec![deployment(1, 3)].into())),
    );
    assert_eq!(step_title(&model), "Scaling");
    update(
        &mut model,
        Event::Kube(KubeEvent::Deployments(vec![deployment(3, 3)].into())),
    );
    assert_eq!(step_title(&model), "When it breaks");

    // Broken on purpose: a new pod of its set cannot get its image.
    update(
        &mut model,
        Event::Kube(KubeEvent::ReplicaSets(vec![
            crate::domain::kube::ReplicaSetRow {
                namespace: "default".into(),
                name: "cookbook-recipe-5d8f7c6b4".into(),
                deployment: Some("cookbook-recipe".into()),
                ..Default::default()
            },
        ])),
    );
    let pod = |status: &str| crate::domain::kube::PodRow {
        namespace: "default".into(),
        name: "cookbook-recipe-5d8f7c6b4-x1".into(),
        status: status.into(),
        containers: 1,
        replica_set: Some("cookbook-recipe-5d8f7c6b4".into()),
        ..Default::default()
    };
    update(
        &mut model,
        Event::Kube(KubeEvent::Pods(vec![pod("ErrImageNeverPull")].into())),
    );
    assert_eq!(
        step_title(&model),
        "When it breaks",
        "whole again is still to come"
    );
    // Rolled back: the failing pod is gone and every replica is ready.
    update(&mut model, Event::Kube(KubeEvent::Pods(vec![].into())));
    assert_eq!(step_title(&model), "The dev loop");

    // The dev loop: a save's cycle succeeds.
    press_str(&mut model, "w");
    let commands = update(
        &mut model,
        Event::Dev(crate::app::core::event::DevEvent::Changed {
            paths: vec!["run.py".into()],
            held: std::time::Duration::from_millis(150),
        }),
    );
    assert!(
        matches!(commands.as_slice(), [Command::DevCycle { .. }]),
        "{commands:?}"
    );
    finish(
        &mut model,
        &commands,
        "cookbook:dev-3f2a1b9 serving: deployment/cookbook-recipe 3/3",
    );
    assert_eq!(step_title(&model), "Cloud Run and $PORT");

    // A Cloud Run deploy succeeds, then the workflow is written.
    let deploy = Command::CloudDeploy {
        job: 95,
        service: "cookbook".into(),
        local: None,
        steps: Vec::new(),
        describe: Vec::new(),
    };
    let commands = started_confirmed(&mut model, deploy);
    finish(&mut model, &commands, "https://cookbook-sim.a.run.app");
    assert_eq!(step_title(&model), "The workflow");
    update(
        &mut model,
        Event::Cloud(CloudEvent::WorkflowWritten(Ok((
            ".github/workflows/deploy.yml".into(),
            "written, actionlint clean".into(),
        )))),
    );
    assert!(model.tour.finished);
    assert!(
        status_text(&model).contains("Tour complete"),
        "{}",
        status_text(&model)
    );
    assert!(screen_text(&model, 120, 40).contains("Tour: complete"));
}

fn update_build(model: &mut Model) -> Command {
    let build = Command::Build {
        job: model.shared.next_job,
        spec: crate::app::core::command::BuildSpec {
            context: ".".into(),
            dockerfile: "Dockerfile".into(),
            tag: "cookbook:latest".into(),
        },
    };
    model.shared.next_job += 1;
    started(model, build.clone());
    // Launched directly, not through a key: an event lets the tour look.
    update(model, Event::Tick(now()));
    build
}

fn service(node_port: u16) -> ServiceRow {
    ServiceRow {
        namespace: "default".into(),
        name: "cookbook-recipe".into(),
        kind: "LoadBalancer".into(),
        cluster_ip: "10.96.0.39".into(),
        external_ip: "<pending>".into(),
        ports: format!("8000:{node_port}/TCP"),
        node_ports: vec![node_port],
        port: Some(8000),
        ingress: Vec::new(),
        created: 1_800_000_000,
        ..Default::default()
    }
}

#[test]
fn esc_leaves_the_tour_and_tour_resumes_at_the_same_step() {
    let mut model = connected(empty_model());
    run_command(&mut model, "tour");
    assert_eq!(step_title(&model), "The Dockerfile");
    // esc first clears a filter, as it always does; only then does it leave the tour.
    press_str(&mut model, "/web");
    press(&mut model, KeyCode::Enter);
    press(&mut model, KeyCode::Esc);
    assert!(model.tour.active);
    press(&mut model, KeyCode::Esc);
    assert!(!model.tour.active);
    assert!(
        status_text(&model).contains(":tour resumes"),
        "{}",
        status_text(&model)
    );
    assert!(!screen_text(&model, 120, 40).contains("Tour 2/13"));
    run_command(&mut model, "tour");
    assert!(model.tour.active);
    assert_eq!(step_title(&model), "The Dockerfile");
}

/// A command started as a key would start it, with its Jobs and History entries.
fn started(model: &mut Model, command: Command) -> Vec<Command> {
    let commands = crate::app::core::launch::launch(&mut model.shared, command);
    crate::app::core::bookkeeping::record(model, &commands);
    commands
}

/// The same, after the user said yes.
fn started_confirmed(model: &mut Model, command: Command) -> Vec<Command> {
    let commands = crate::app::core::launch::launch_confirmed(&mut model.shared, command);
    crate::app::core::bookkeeping::record(model, &commands);
    commands
}
