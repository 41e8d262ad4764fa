//! `update` for the Cloud pane: what is asked at the start, D's question and
//! its refusals, the settings form, and o. No gcloud runs.

use crate::app::cloud::deploy::{AppPorts, SettingsState};
use crate::app::cloud::settings::{CloudRunSettings, DeployMode};
use crate::app::core::command::Command;
use crate::app::core::event::{CloudEvent, Event};
use crate::app::core::model::{Overlay, Pane};
use crate::app::update;
use crate::domain::cloud::{GcloudConfig, GcloudState};
use crate::ui::testing::*;
use crossterm::event::KeyCode;

pub(super) fn settings(mode: DeployMode) -> CloudRunSettings {
    CloudRunSettings {
        project: "my-proj".into(),
        region: "europe-west1".into(),
        service: "cookbook".into(),
        repository: "apps".into(),
        image: String::new(),
        mode,
        allow_unauthenticated: true,
    }
}

pub(super) fn on_cloud(mode: DeployMode) -> crate::app::Model {
    let mut model = on_pane(populated(), '9');
    update(
        &mut model,
        Event::Cloud(CloudEvent::Gcloud(GcloudState::Ready(GcloudConfig {
            account: Some("ada@example.com".into()),
            project: Some("my-proj".into()),
            region: None,
        }))),
    );
    update(
        &mut model,
        Event::Cloud(CloudEvent::Settings(Ok(Some(settings(mode))))),
    );
    update(
        &mut model,
        Event::Cloud(CloudEvent::AppPorts(AppPorts {
            exposed: vec![8000],
            reads_port_env: false,
            test_command: "pip install -r requirements.txt && python -m compileall -q .".into(),
            language: Some(crate::app::cloud::workflow::LanguageSetup::Python {
                version: "3.x".into(),
            }),
        })),
    );
    // Its repository already checked (the check has a test of its own).
    model
        .cloud
        .repositories
        .push(settings(mode).repository_ref());
    model
}

#[test]
fn on_the_cloud_run_pane_gcloud_is_asked_at_the_next_tick() {
    let mut model = populated();
    model.shared.pane = Pane::Containers;
    update(&mut model, Event::Tick(now()));
    model.shared.pane = Pane::Cloud;
    let commands = cloud_commands(update(&mut model, Event::Tick(now())));
    assert_eq!(commands, vec![Command::CloudRefresh { list: None }]);
}

/// What a tick asks of the cloud side (minikube is asked at ticks too).
fn cloud_commands(commands: Vec<Command>) -> Vec<Command> {
    commands
        .into_iter()
        .filter(|c| matches!(c, Command::LoadCloudSettings | Command::CloudRefresh { .. }))
        .collect()
}

#[test]
fn the_first_tick_reads_the_settings_and_gcloud_is_asked_once_a_few_seconds_in() {
    let mut model = populated();
    model.shared.pane = Pane::Containers;
    let commands = cloud_commands(update(&mut model, Event::Tick(now())));
    assert_eq!(commands, vec![Command::LoadCloudSettings]);
    let ticks: Vec<Vec<Command>> = (0..4)
        .map(|_| cloud_commands(update(&mut model, Event::Tick(now()))))
        .collect();
    assert!(ticks[..3].iter().all(Vec::is_empty), "{ticks:?}");
    assert_eq!(
        ticks[3],
        vec![Command::CloudRefresh { list: None }],
        "the fifth tick asks gcloud"
    );
    let again = cloud_commands(update(&mut model, Event::Tick(now())));
    assert!(again.is_empty(), "asked once: {again:?}");
    // Settings and a logged-in gcloud: the services of that project and region are listed.
    let commands = update(
        &mut model,
        Event::Cloud(CloudEvent::Gcloud(GcloudState::Ready(
            GcloudConfig::default(),
        ))),
    );
    assert!(commands.is_empty(), "no settings yet");
    let commands = update(
        &mut model,
        Event::Cloud(CloudEvent::Settings(Ok(Some(settings(DeployMode::Source))))),
    );
    assert_eq!(
        commands,
        vec![Command::CloudRefresh {
            list: Some(settings(DeployMode::Source).list_services_args())
        }]
    );
}

#[test]
fn d_shows_the_command_lines_and_the_port_warning_then_deploys() {
    let mut model = on_cloud(DeployMode::CloudBuild);
    assert!(press_str(&mut model, "D").is_empty());
    let Overlay::Confirm(confirm) = &model.shared.overlay else {
        panic!("D asks first")
    };
    let lines: Vec<&str> = confirm.message.lines().collect();
    assert_eq!(
        lines[0],
        "Deploy cookbook to Cloud Run in my-proj (europe-west1), a public URL (--allow-unauthenticated), mode cloud-build?"
    );
    assert!(lines[1].starts_with(
        "⚠ Cloud Run sends requests to $PORT (8080), but the Dockerfile EXPOSEs 8000"
    ));
    assert_eq!(
        lines[2],
        "$ gcloud builds submit --tag europe-west1-docker.pkg.dev/my-proj/apps/cookbook:latest --project my-proj"
    );
    assert!(lines[3].starts_with("$ gcloud run deploy cookbook --image "));
    for (w, h) in [(120, 40), (80, 24)] {
        snap!(format!("cloud_deploy_confirm_{w}x{h}"), &model, w, h);
    }
    let commands = press_str(&mut model, "y");
    assert!(
        matches!(&commands[..], [Command::CloudDeploy { steps, .. }] if steps.len() == 2),
        "{commands:?}"
    );
    assert_eq!(
        model.jobs.list.last().map(|j| j.title.as_str()),
        Some("deploy cookbook to Cloud Run")
    );
    // The URL arrives: said, kept for o, and the list refreshed.
    let commands = update(
        &mut model,
        Event::Cloud(CloudEvent::Deployed {
            service: "cookbook".into(),
            url: "https://cookbook-abc-ew.a.run.app".into(),
        }),
    );
    assert!(matches!(
        &commands[..],
        [Command::CloudRefresh { list: Some(_) }]
    ));
    model.shared.pane = Pane::Cloud;
    assert_eq!(
        press_str(&mut model, "o"),
        vec![Command::OpenUrl("https://cookbook-abc-ew.a.run.app".into())]
    );
}

#[test]
fn d_refuses_with_a_sentence_when_it_cannot_deploy() {
    let mut readonly = on_cloud(DeployMode::Source);
    readonly.shared.readonly = true;
    assert!(press_str(&mut readonly, "D").is_empty());
    assert!(status_text(&readonly).contains("deploy refused"));
    let mut no_gcloud = on_cloud(DeployMode::Source);
    no_gcloud.cloud.gcloud = GcloudState::NotInstalled;
    press_str(&mut no_gcloud, "D");
    assert!(status_text(&no_gcloud).starts_with("gcloud is not installed"));
    let mut no_settings = on_cloud(DeployMode::Source);
    no_settings.cloud.settings = SettingsState::Missing;
    press_str(&mut no_settings, "D");
    assert!(status_text(&no_settings).contains("press s"));
    let mut invalid = on_cloud(DeployMode::Source);
    if let SettingsState::Loaded(settings) = &mut invalid.cloud.settings {
        settings.project = "Not_A_Project".into();
    }
    press_str(&mut invalid, "D");
    assert!(status_text(&invalid).starts_with("pilothouse.toml project:"));
    assert!(matches!(invalid.shared.overlay, Overlay::None));
    // The local mode says what it does before the gcloud step: build, log in with the token, push.
    let mut local = on_cloud(DeployMode::Local);
    press_str(&mut local, "D");
    let Overlay::Confirm(confirm) = &local.shared.overlay else {
        panic!("D asks first")
    };
    let steps: Vec<&str> = confirm
        .message
        .lines()
        .filter(|l| l.starts_with("$ "))
        .collect();
    assert_eq!(
        steps,
        [
            "$ docker build --platform linux/amd64 -t europe-west1-docker.pkg.dev/my-proj/apps/cookbook:latest .",
            "$ gcloud auth print-access-token | docker login -u oauth2accesstoken --password-stdin europe-west1-docker.pkg.dev",
            "$ docker push europe-west1-docker.pkg.dev/my-proj/apps/cookbook:latest",
            "$ gcloud run deploy cookbook --image europe-west1-docker.pkg.dev/my-proj/apps/cookbook:latest --region europe-west1 --platform managed --allow-unauthenticated --project my-proj --quiet",
        ]
    );
}

#[test]
fn the_settings_form_checks_each_field_and_saves() {
    let mut model = on_cloud(DeployMode::CloudBuild);
    press_str(&mut model, "s");
    let Overlay::Form(form) = &model.shared.overlay else {
        panic!("s opens the form")
    };
    assert_eq!(form.value(0), "my-proj");
    // A bad project and a bad mode: both named at their fields; nothing is written.
    for _ in 0..20 {
        press(&mut model, KeyCode::Backspace);
    }
    press_str(&mut model, "Bad_Project");
    for _ in 0..5 {
        press(&mut model, KeyCode::Tab);
    }
    for _ in 0..20 {
        press(&mut model, KeyCode::Backspace);
    }
    press_str(&mut model, "ftp");
    assert!(press(&mut model, KeyCode::Enter).is_empty());
    let Overlay::Form(form) = &model.shared.overlay else {
        panic!("the form stays")
    };
    assert!(
        form.fields[0]
            .error
            .as_deref()
            .is_some_and(|e| e.contains("not a project id"))
    );
    assert!(
        form.fields[5]
            .error
            .as_deref()
            .is_some_and(|e| e.contains("not a mode"))
    );
    // Fixed (the focus went to the first field in error): saved as pilothouse.toml.
    for _ in 0..20 {
        press(&mut model, KeyCode::Backspace);
    }
    press_str(&mut model, "good-proj");
    for _ in 0..5 {
        press(&mut model, KeyCode::Tab);
    }
    for _ in 0..20 {
        press(&mut model, KeyCode::Backspace);
    }
    press_str(&mut model, "source");
    let commands = press(&mut model, KeyCode::Enter);
    let [Command::SaveCloudSettings(saved)] = &commands[..] else {
        panic!("{commands:?}")
    };
    assert_eq!(
        (saved.project.as_str(), saved.mode),
        ("good-proj", DeployMode::Source)
    );
}

#[test]
fn w_writes_a_workflow_and_asks_with_the_diff_before_replacing_one() {
    // Without Cloud Run settings: the test-only workflow is offered, and written.
    let mut none = on_pane(populated(), '9');
    none.cloud.settings = SettingsState::Missing;
    none.cloud.app_ports.test_command = "make test".into();
    press_str(&mut none, "W");
    assert!(status_text(&none).contains("ci writes the test-only workflow"));
    let Overlay::Form(form) = &none.shared.overlay else {
        panic!("W opens the form without settings too")
    };
    assert_eq!(form.value(0), "ci");
    let commands = press(&mut none, KeyCode::Enter);
    assert!(
        matches!(&commands[..], [Command::WriteWorkflow { path, .. }] if path.ends_with("ci.yml")),
        "{commands:?}"
    );

    let mut model = on_cloud(DeployMode::CloudBuild);
    model.cloud.app_ports.test_command = "python -m pytest".into();
    press_str(&mut model, "W");
    let Overlay::Form(form) = &model.shared.overlay else {
        panic!("W opens the form")
    };
    assert_eq!(form.value(3), "python -m pytest");
    // A branch that is no branch is refused at its field.
    press(&mut model, KeyCode::Tab);
    for _ in 0..10 {
        press(&mut model, KeyCode::Backspace);
    }
    press_str(&mut model, "-bad..name");
    assert!(press(&mut model, KeyCode::Enter).is_empty());
    let Overlay::Form(form) = &model.shared.overlay else {
        panic!("the form stays")
    };
    assert!(form.fields[1].error.is_some());
    for _ in 0..20 {
        press(&mut model, KeyCode::Backspace);
    }
    press_str(&mut model, "release");
    let commands = press(&mut model, KeyCode::Enter);
    let [
        Command::WriteWorkflow {
            path,
            text,
            force: false,
        },
    ] = &commands[..]
    else {
        panic!("{commands:?}")
    };
    assert_eq!(path, ".github/workflows/deploy.yml");
    assert!(text.contains("branches: [release]"));
    // The file exists and differs: the question shows the diff; y replaces it.
    update(
        &mut model,
        Event::Cloud(CloudEvent::WorkflowDiffers {
            path: path.clone(),
            diff: vec!["- branches: [main]".into(), "+ branches: [release]".into()],
            text: text.clone(),
        }),
    );
    let Overlay::Confirm(confirm) = &model.shared.overlay else {
        panic!("asks before replacing")
    };
    assert!(confirm.message.contains("+ branches: [release]"));
    let commands = press_str(&mut model, "y");
    assert!(matches!(
        &commands[..],
        [Command::WriteWorkflow { force: true, .. }]
    ));
    update(
        &mut model,
        Event::Cloud(CloudEvent::WorkflowWritten(Ok((
            path.clone(),
            "written; actionlint finds nothing".into(),
        )))),
    );
    assert!(status_text(&model).contains("It needs 2 repository settings"));
    model.shared.pane = Pane::Cloud;
    let screen = screen_text(&model, 120, 40);
    assert!(
        screen.contains("variable WIF_PROVIDER: projects/PROJECT_NUMBER/locations/global"),
        "{screen}"
    );
}

#[test]
fn ctrl_c_in_jobs_cancels_the_running_job_else_quits() {
    let mut model = on_cloud(DeployMode::Source);
    press_str(&mut model, "D");
    press_str(&mut model, "y");
    let id = model
        .jobs
        .list
        .last()
        .map(|j| j.id)
        .expect("the deploy job");
    press_str(&mut model, "3");
    model.jobs.table.bottom();
    assert_eq!(press_ctrl(&mut model, 'c'), vec![Command::CancelJob(id)]);
    assert!(!model.view.quit);
    update(
        &mut model,
        Event::Job {
            id,
            update: crate::app::core::event::JobUpdate::Finished(Err(
                "cancelled; its process was ended".into(),
            )),
        },
    );
    // A late end of its own does not rewrite the cancel.
    update(
        &mut model,
        Event::Job {
            id,
            update: crate::app::core::event::JobUpdate::Finished(Ok("serving".into())),
        },
    );
    assert!(matches!(
        &model.jobs.list.last().map(|j| j.state.clone()),
        Some(crate::app::core::model::JobState::Failed(e)) if e.starts_with("cancelled")
    ));
    // Nothing running there: ctrl-c quits, as everywhere.
    assert!(press_ctrl(&mut model, 'c').is_empty());
    assert!(model.view.quit);
}

/// The modes that push check the Artifact Registry repository before the first deploy:
/// missing, it is offered (asking first, the create line shown), made as a job, and the
/// deploy's own question follows; there, the deploy's question comes at once. The
/// source mode makes its own repository and is not checked.
#[test]
fn a_missing_repository_is_offered_before_the_first_deploy() {
    let mut model = on_cloud(DeployMode::CloudBuild);
    model.cloud.repositories.clear();
    let commands = press_str(&mut model, "D");
    let [Command::CloudCheckRepository { repository, args }] = &commands[..] else {
        panic!("{commands:?}")
    };
    assert_eq!(repository.name, "apps");
    assert_eq!(
        args.join(" "),
        "artifacts repositories describe apps --location=europe-west1 --project=my-proj --format=value(name)"
    );
    assert!(matches!(model.shared.overlay, Overlay::None));
    let repository = repository.clone();
    update(
        &mut model,
        Event::Cloud(CloudEvent::Repository {
            repository: repository.clone(),
            exists: Ok(false),
        }),
    );
    assert!(
        !status_text(&model).contains("Checking"),
        "answered: {}",
        status_text(&model)
    );
    let Overlay::Confirm(confirm) = &model.shared.overlay else {
        panic!("the repository is offered")
    };
    assert!(
        confirm.message.contains("Artifact Registry has no repository apps in europe-west1")
            && confirm.message.contains(
                "$ gcloud artifacts repositories create apps --repository-format=docker --location=europe-west1 --project=my-proj"
            ),
        "{}",
        confirm.message
    );
    let commands = press_str(&mut model, "y");
    assert!(
        matches!(&commands[..], [Command::CloudCreateRepository { .. }]),
        "{commands:?}"
    );
    update(
        &mut model,
        Event::Cloud(CloudEvent::RepositoryCreated(repository.clone())),
    );
    let Overlay::Confirm(confirm) = &model.shared.overlay else {
        panic!("the deploy's question follows")
    };
    assert!(
        confirm.message.starts_with("Deploy cookbook"),
        "{}",
        confirm.message
    );
    // Known now: the next D asks about the deploy at once.
    press_str(&mut model, "n");
    assert!(press_str(&mut model, "D").is_empty());
    assert!(matches!(model.shared.overlay, Overlay::Confirm(_)));

    // There already: the deploy's question at once.
    let mut there = on_cloud(DeployMode::Local);
    there.cloud.repositories.clear();
    let commands = press_str(&mut there, "D");
    let [Command::CloudCheckRepository { repository, .. }] = &commands[..] else {
        panic!("{commands:?}")
    };
    let repository = repository.clone();
    update(
        &mut there,
        Event::Cloud(CloudEvent::Repository {
            repository,
            exists: Ok(true),
        }),
    );
    assert!(matches!(there.shared.overlay, Overlay::Confirm(_)));

    let mut source = on_cloud(DeployMode::Source);
    source.cloud.repositories.clear();
    assert!(press_str(&mut source, "D").is_empty());
    assert!(matches!(source.shared.overlay, Overlay::Confirm(_)));
}
