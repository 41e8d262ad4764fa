//! Starting a command: the read-only guard, learn mode's question, the
//! learn line. (Its Jobs and History entries: `bookkeeping`.)

use crate::app::core::command::{Command, JobId};
use crate::app::core::model::{Confirm, Level, Model, Overlay};
use crate::app::core::shared::Shared;

/// Start a command: refuse mutations when read-only, and in learn mode ask
/// first with the command line. The Jobs and History entries are made by
/// `record`, from every command `update` returns.
pub fn launch(shared: &mut Shared, command: Command) -> Vec<Command> {
    if shared.learn_mode
        && asks_in_learn_mode(&command)
        && !(command.mutates() && shared.readonly)
        && let Some(line) = command.learn_line()
    {
        shared.learn = Some(line.clone());
        shared.overlay = Overlay::Confirm(Confirm {
            message: format!(
                "Learn mode: {} stands for this command line:\n$ {line}\nRun it?",
                job_title(&command)
            ),
            on_yes: command,
        });
        return Vec::new();
    }
    launch_confirmed(shared, command)
}

/// The user has said yes already (a confirmation, or learn mode is off).
pub fn launch_confirmed(shared: &mut Shared, command: Command) -> Vec<Command> {
    if command.mutates() && shared.refuse_if_readonly(&job_title(&command)) {
        return Vec::new();
    }
    if let Some(learn) = command.learn_line() {
        shared.learn = Some(learn);
    }
    vec![command]
}

/// Learn mode asks before the actions a user starts; streams, probes and
/// checks run as they would, and the commands a check leads to are asked then.
fn asks_in_learn_mode(command: &Command) -> bool {
    crate::app::learn::history::replay_of(command) == Some(crate::app::learn::history::Replay::Run)
        || matches!(
            command,
            Command::ScaffoldDockerfile { .. }
                | Command::ScaffoldDeployment { .. }
                | Command::WriteWorkflow { .. }
                | Command::SaveCloudSettings(_)
                | Command::Shell { .. }
                | Command::StartForward { .. }
        )
}

pub fn job_id(command: &Command) -> Option<JobId> {
    match command {
        Command::Build { job, .. }
        | Command::Run { job, .. }
        | Command::Container { job, .. }
        | Command::RemoveImage { job, .. }
        | Command::Scale { job, .. }
        | Command::Apply { job, .. }
        | Command::Expose { job, .. }
        | Command::DeleteObject { job, .. }
        | Command::RolloutRestart { job, .. }
        | Command::RolloutUndo { job, .. }
        | Command::RolloutPause { job, .. }
        | Command::SetImage { job, .. }
        | Command::Minikube { job, .. }
        | Command::CloudDeploy { job, .. }
        | Command::CloudCreateRepository { job, .. }
        | Command::CloudUpdateTraffic { job, .. }
        | Command::DevCycle { job, .. }
        | Command::Exec { job, .. } => Some(*job),
        _ => None,
    }
}

pub fn job_title(command: &Command) -> String {
    match command {
        Command::Build { spec, .. } | Command::CheckBuildContext(spec) => {
            format!("build {}", spec.tag)
        }
        Command::Run { spec, .. } => format!("run {}", spec.image),
        Command::Container { name, op, .. } => format!("{} {name}", op.verb()),
        Command::RemoveImage { reference, .. } => format!("remove image {reference}"),
        Command::Scale { name, replicas, .. } => format!("scale {name} to {replicas}"),
        Command::Apply { path, .. } | Command::CheckManifest { path } => {
            format!("apply {}", path.display())
        }
        Command::Expose { spec, .. } => format!("expose {} as {}", spec.deployment, spec.kind),
        Command::DeleteObject { kind, name, .. } => {
            format!("delete {} {name}", kind.kubectl_name())
        }
        Command::RolloutRestart { name, .. } => format!("restart {name}"),
        Command::RolloutUndo { name, revision, .. } => {
            format!("roll {name} back to revision {revision}")
        }
        Command::RolloutPause { name, paused, .. } => {
            format!(
                "{} {name}'s rollouts",
                if *paused { "pause" } else { "resume" }
            )
        }
        Command::SetImage { name, image, .. } => format!("set {name}'s image to {image}"),
        Command::Minikube { profile, op, .. } => format!("minikube {} {profile}", op.verb()),
        Command::CloudDeploy { service, .. } => format!("deploy {service} to Cloud Run"),
        Command::CloudCreateRepository { repository, .. } => {
            format!(
                "create repository {} in {}",
                repository.name, repository.region
            )
        }
        Command::CloudUpdateTraffic {
            service, revision, ..
        } => format!("all of {}'s traffic to {revision}", service.name),
        Command::SaveCloudSettings(_) => "save pilothouse.toml".to_string(),
        Command::WriteWorkflow { path, .. } => format!("write {path}"),
        Command::ScaffoldDockerfile { .. } => "write a Dockerfile".to_string(),
        Command::ScaffoldDeployment { name, .. } => format!("write {name}-deployment.yaml"),
        Command::OpenUrl(url) => format!("open {url}"),
        Command::DevCycle { plan, .. } if !plan.sync.is_empty() => {
            format!(
                "dev: sync {} file(s) into {}",
                plan.sync.len(),
                plan.build.tag
            )
        }
        Command::DevCycle { plan, .. } => format!("dev: rebuild {}", plan.build.tag),
        Command::ExportHistory { path, .. } => format!("export history to {}", path.display()),
        Command::SaveLogs { path, .. } => format!("save the logs to {}", path.display()),
        Command::Shell { target, .. } => format!("a shell in {}", target.label()),
        Command::Exec {
            target, command, ..
        } => format!("exec {} in {}", command.join(" "), target.label()),
        Command::ProbeShell(target) => format!("open a shell in {}", target.label()),
        Command::StartForward { spec, .. } => format!(
            "forward {} to {}",
            spec.url().trim_end_matches('/'),
            spec.target()
        ),
        Command::KeepForwards(_) => "keep forwards in pilothouse.toml".to_string(),
        Command::CloudCheckRepository { repository, .. } => {
            format!("check repository {}", repository.name)
        }
        Command::WatchStats(_)
        | Command::ProposeLocalPort(_)
        | Command::StopForward(_)
        | Command::LoadKeptForwards
        | Command::FollowLogs(_)
        | Command::InspectImage(_)
        | Command::ShowYaml { .. }
        | Command::Explain { .. }
        | Command::FollowPodLogs { .. }
        | Command::ReadCrashTail { .. }
        | Command::FollowSelectorLogs { .. }
        | Command::FollowCloudLogs { .. }
        | Command::CloudRevisions { .. }
        | Command::ProbeMinikube { .. }
        | Command::MinikubeServiceUrl { .. }
        | Command::MinikubeDockerEnv { .. }
        | Command::UseDockerEngine(_)
        | Command::SwitchKube(_)
        | Command::CompletePath { .. }
        | Command::SuggestManifest
        | Command::LoadCloudSettings
        | Command::CancelJob(_)
        | Command::CloudRefresh { .. }
        | Command::Watch(_) => String::new(),
    }
}

/// `L`, `:learn`: learn mode on or off.
pub(crate) fn toggle_learn(model: &mut Model) {
    model.shared.learn_mode = !model.shared.learn_mode;
    let text = if model.shared.learn_mode {
        "Learn mode on: each action shows the command line it stands for and waits for y. L turns it off."
    } else {
        "Learn mode off: actions run at once (removals still ask). L turns it on."
    };
    model.set_status(Level::Info, text);
}
