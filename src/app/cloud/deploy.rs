//! Cloud Run in the model: gcloud's state, the project's settings, the
//! services list, and the deploy (`D`): the exact command lines first, a
//! yes, then a job that streams them and ends with the Service URL.

use crate::app::cloud::settings::{CloudRunSettings, DeployMode, command_line};
use crate::app::core::command::Command;
use crate::app::core::event::CloudEvent;
use crate::app::core::model::{Confirm, Level, Overlay, Pane};
use crate::app::core::shared::Shared;
use crate::domain::cloud::GcloudState;

const ASKING: &str = "Asking gcloud…";

pub use crate::app::cloud::state::{
    AppPorts, CLOUD_RUN_PORT, CloudModel, INSTALL_HINT, SettingsState,
};

/// gcloud is a Python program that costs about a second of CPU each time it
/// starts: at the start it would compete with loading the first lists (on two
/// cores, 78 % of the CPU samples while 10,000 pods loaded were gcloud's).
/// It is asked once the Cloud Run pane is shown, or this many ticks in.
const GCLOUD_AFTER_TICKS: u32 = 5;

/// At the first tick: read the settings; at the first tick on the Cloud Run
/// pane, or a few seconds in, ask gcloud who is logged in.
pub(crate) fn on_tick(cloud: &mut CloudModel, shared: &mut Shared) -> Vec<Command> {
    let mut commands = Vec::new();
    if cloud.ticks == 0 {
        commands.push(Command::LoadCloudSettings);
    }
    cloud.ticks = cloud.ticks.saturating_add(1);
    if !cloud.asked && (shared.pane == Pane::Cloud || cloud.ticks >= GCLOUD_AFTER_TICKS) {
        cloud.asked = true;
        commands.push(Command::CloudRefresh { list: None });
    }
    commands
}

/// `r` in the Cloud pane: gcloud's account and project again, and the services.
pub(crate) fn refresh(cloud: &mut CloudModel, shared: &mut Shared) -> Vec<Command> {
    let list = cloud.settings().map(CloudRunSettings::list_services_args);
    let command = Command::CloudRefresh { list };
    shared.learn = command.learn_line();
    shared.set_status(Level::Info, ASKING);
    let mut commands = vec![command];
    // In a service's revisions, r asks for them again too.
    if let Some(view) = &mut cloud.revisions {
        view.loading = true;
        commands.push(Command::CloudRevisions {
            service: view.service.clone(),
        });
    }
    commands
}

pub(crate) fn on_cloud(
    cloud: &mut CloudModel,
    shared: &mut Shared,
    event: CloudEvent,
) -> Vec<Command> {
    match event {
        CloudEvent::Settings(result) => {
            cloud.settings = match result {
                Ok(Some(settings)) => SettingsState::Loaded(settings),
                Ok(None) => SettingsState::Missing,
                Err(message) => SettingsState::Invalid(message),
            };
            // With settings known, the services of their project and region can be listed.
            if let (Some(settings), GcloudState::Ready(_)) = (cloud.settings(), &cloud.gcloud) {
                return vec![Command::CloudRefresh {
                    list: Some(settings.list_services_args()),
                }];
            }
        }
        CloudEvent::AppPorts(ports) => cloud.app_ports = ports,
        CloudEvent::Gcloud(state) => {
            if !matches!(state, GcloudState::Ready(_))
                && shared.status.as_ref().is_some_and(|s| s.text == ASKING)
            {
                shared.status = None;
            }
            let first_ready = !matches!(cloud.gcloud, GcloudState::Ready(_))
                && matches!(state, GcloudState::Ready(_));
            cloud.gcloud = state;
            if first_ready && let Some(settings) = cloud.settings() {
                return vec![Command::CloudRefresh {
                    list: Some(settings.list_services_args()),
                }];
            }
        }
        CloudEvent::Services(Ok(rows)) => {
            // The answer came: "asking" is no longer true (any other status stays).
            if shared.status.as_ref().is_some_and(|s| s.text == ASKING) {
                shared.status = None;
            }
            let selected = cloud
                .table
                .selected_row(&cloud.services)
                .map(|s| s.name.clone());
            cloud.services = rows;
            cloud.services_error = None;
            cloud
                .table
                .rebuild_keeping(&cloud.services, |_| true, selected.as_deref());
        }
        CloudEvent::Services(Err(message)) => cloud.services_error = Some(message),
        CloudEvent::Deployed { service, url } => {
            cloud.url = Some(url.clone());
            let list = cloud.settings().map(CloudRunSettings::list_services_args);
            shared.set_status(
                Level::Info,
                format!("{service} is serving at {url}. o in the Cloud pane opens it."),
            );
            return vec![Command::CloudRefresh { list }];
        }
        CloudEvent::SettingsSaved(Ok(path)) => {
            shared.set_status(Level::Info, format!("Saved {}.", path.display()));
            return vec![Command::LoadCloudSettings];
        }
        CloudEvent::SettingsSaved(Err(message)) => shared.set_status(Level::Error, message),
        CloudEvent::WorkflowDiffers { path, diff, text } => {
            let mut message = format!("{path} exists and differs. Replace it? The changes:");
            for line in diff.iter().take(24) {
                message.push('\n');
                message.push_str(line);
            }
            if diff.len() > 24 {
                message.push_str(&format!("\n… and {} more lines", diff.len() - 24));
            }
            shared.overlay = Overlay::Confirm(Confirm {
                message,
                on_yes: Command::WriteWorkflow {
                    path,
                    text,
                    force: true,
                },
            });
        }
        CloudEvent::WorkflowWritten(Ok((path, verdict))) => {
            cloud.workflow_written = Some(path.clone());
            let needs = match cloud.workflow_needs.len() {
                0 => String::new(),
                n => format!(
                    " It needs {n} repository setting{}: listed in the Cloud pane (9).",
                    if n == 1 { "" } else { "s" }
                ),
            };
            shared.set_status(Level::Info, format!("{path}: {verdict}.{needs}"));
        }
        CloudEvent::WorkflowWritten(Err(message)) => shared.set_status(Level::Error, message),
        CloudEvent::Repository { repository, exists } => {
            return on_repository(cloud, shared, repository, exists);
        }
        CloudEvent::Revisions { service, result } => {
            crate::app::cloud::revisions::on_revisions(cloud, &service, result);
        }
        CloudEvent::TrafficMoved(service) => {
            return crate::app::cloud::revisions::on_traffic_moved(cloud, &service);
        }
        CloudEvent::RepositoryCreated(repository) => {
            if !cloud.repositories.contains(&repository) {
                cloud.repositories.push(repository);
            }
            // Made at the deploy's request: the deploy's own question comes next.
            return deploy(cloud, shared);
        }
    }
    Vec::new()
}

/// The repository check's answer: there, the deploy's question; missing, the offer
/// to create it (asking first); unknown (gcloud could not say), the deploy's question
/// with the reason, and gcloud says the rest in the job.
fn on_repository(
    cloud: &mut CloudModel,
    shared: &mut Shared,
    repository: crate::domain::cloud::RepositoryRef,
    exists: Result<bool, String>,
) -> Vec<Command> {
    // The question was answered: "checking" is no longer true.
    if shared
        .status
        .as_ref()
        .is_some_and(|s| s.text.starts_with(CHECKING_REPOSITORY))
    {
        shared.status = None;
    }
    let Some(settings) = cloud.settings().cloned() else {
        return Vec::new();
    };
    if settings.repository_ref() != repository {
        // The settings changed since the question: the next D asks again.
        return Vec::new();
    }
    match exists {
        Ok(true) => {
            cloud.repositories.push(repository);
            deploy(cloud, shared)
        }
        Ok(false) => {
            let args = settings.repository_create_args();
            let line = command_line("gcloud", &args);
            let message = format!(
                "Artifact Registry has no repository {} in {} (project {}), and the deploy pushes its image there. Create it?\n$ {line}",
                repository.name, repository.region, repository.project
            );
            let job = shared.alloc_job();
            let on_yes = Command::CloudCreateRepository {
                job,
                repository,
                args,
            };
            shared.ask_first(message, on_yes);
            Vec::new()
        }
        Err(reason) => {
            cloud.repositories.push(repository);
            let commands = deploy(cloud, shared);
            shared.set_status(
                Level::Warn,
                format!("Could not check the Artifact Registry repository ({reason}); the deploy will say if it is missing."),
            );
            commands
        }
    }
}

const CHECKING_REPOSITORY: &str = "Checking that Artifact Registry has the repository";

/// `D`: show what will run, and run it after a yes.
pub(crate) fn deploy(cloud: &mut CloudModel, shared: &mut Shared) -> Vec<Command> {
    if shared.refuse_if_readonly("deploy") {
        return Vec::new();
    }
    if cloud.gcloud == GcloudState::NotInstalled {
        shared.set_status(Level::Warn, INSTALL_HINT);
        return Vec::new();
    }
    let settings = match &cloud.settings {
        SettingsState::Loaded(settings) => settings.clone(),
        SettingsState::Invalid(message) => {
            shared.set_status(
                Level::Error,
                format!("pilothouse.toml: {message}. Fix it, or press s to rewrite it."),
            );
            return Vec::new();
        }
        SettingsState::Missing | SettingsState::Unknown => {
            shared.set_status(
                Level::Warn,
                "No [cloudrun] settings yet: press s to set the project, region and service.",
            );
            return Vec::new();
        }
    };
    let (errors, _) = settings.check();
    if let Some((field, message)) = errors.first() {
        shared.set_status(Level::Error, format!("pilothouse.toml {field}: {message}"));
        return Vec::new();
    }
    // The modes that push to the repository check it first (once a session), so a
    // missing one is offered rather than failing inside the job.
    let pushes = matches!(settings.mode, DeployMode::CloudBuild | DeployMode::Local);
    let repository = settings.repository_ref();
    if pushes && !cloud.repositories.contains(&repository) {
        let args = settings.repository_describe_args();
        shared.learn = Some(command_line("gcloud", &args));
        shared.set_status(
            Level::Info,
            format!(
                "{CHECKING_REPOSITORY} {} in {}…",
                repository.name, repository.region
            ),
        );
        return vec![Command::CloudCheckRepository { repository, args }];
    }
    let local = (settings.mode == DeployMode::Local).then(|| settings.image());
    let steps = settings.deploy_steps();
    let lines: Vec<String> = local
        .iter()
        .flat_map(|image| crate::app::cloud::settings::local_lines(image))
        .chain(steps.iter().map(|a| command_line("gcloud", a)))
        .collect();
    let access = if settings.allow_unauthenticated {
        "a public URL (--allow-unauthenticated)"
    } else {
        "a private URL (--no-allow-unauthenticated)"
    };
    let mut message = format!(
        "Deploy {} to Cloud Run in {} ({}), {access}, mode {}?",
        settings.service,
        settings.project,
        settings.region,
        settings.mode.label()
    );
    for warning in cloud.warnings() {
        message.push_str("\n⚠ ");
        message.push_str(&warning);
    }
    for line in &lines {
        message.push_str("\n$ ");
        message.push_str(line);
    }
    let job = shared.alloc_job();
    let on_yes = Command::CloudDeploy {
        job,
        service: settings.service.clone(),
        local,
        steps,
        describe: settings.describe_url_args(),
    };
    shared.learn = Some(lines.join(" && "));
    shared.overlay = Overlay::Confirm(Confirm { message, on_yes });
    Vec::new()
}

/// `o` in the Cloud pane: the selected service's URL, else the last deploy's.
pub(crate) fn open(cloud: &mut CloudModel, shared: &mut Shared) -> Vec<Command> {
    let url = cloud
        .table
        .selected_row(&cloud.services)
        .map(|s| s.url.clone())
        .filter(|u| !u.is_empty())
        .or_else(|| cloud.url.clone());
    match url {
        Some(url) => {
            shared.set_status(Level::Info, format!("Opening {url}"));
            vec![Command::OpenUrl(url)]
        }
        None => {
            shared.set_status(Level::Warn, "No Cloud Run URL yet: deploy with D.");
            Vec::new()
        }
    }
}
