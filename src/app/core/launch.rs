//! Starting a command: the read-only guard, the Jobs entry, the learn line.

use crate::app::core::command::{Command, JobId};
use crate::app::core::model::{Job, JobState, Level, MAX_JOBS, Model, Pane};
use std::collections::VecDeque;

pub(crate) fn alloc_job(model: &mut Model) -> JobId {
    let id = model.next_job;
    model.next_job += 1;
    id
}

/// Refuse in read-only mode with a sentence; true when refused.
pub(crate) fn refuse_if_readonly(model: &mut Model, what: &str) -> bool {
    if model.readonly {
        model.set_status(
            Level::Warn,
            format!("Read-only mode: {what} refused (pilothouse was started with --readonly)."),
        );
    }
    model.readonly
}

/// Start a command: refuse mutations when read-only, in learn mode ask first
/// with the command line, then record a job and a history entry for it.
pub(crate) fn launch(model: &mut Model, command: Command) -> Vec<Command> {
    if model.learn_mode
        && asks_in_learn_mode(&command)
        && !(command.mutates() && model.readonly)
        && let Some(line) = command.learn_line()
    {
        model.learn = Some(line.clone());
        model.overlay =
            crate::app::core::model::Overlay::Confirm(crate::app::core::model::Confirm {
                message: format!(
                    "Learn mode: {} stands for this command line:\n$ {line}\nRun it?",
                    job_title(&command)
                ),
                on_yes: command,
            });
        return Vec::new();
    }
    launch_confirmed(model, command)
}

/// The user has said yes already (a confirmation, or learn mode is off).
pub(crate) fn launch_confirmed(model: &mut Model, command: Command) -> Vec<Command> {
    if command.mutates() && refuse_if_readonly(model, &job_title(&command)) {
        return Vec::new();
    }
    let learn = command.learn_line();
    if let Some(job) = job_id(&command) {
        model.jobs.push(Job {
            id: job,
            title: job_title(&command),
            learn: learn.clone().unwrap_or_default(),
            state: JobState::Running,
            started: model.now,
            finished: None,
            output: VecDeque::new(),
            step: None,
        });
        if model.jobs.len() > MAX_JOBS
            && let Some(pos) = model.jobs.iter().position(|j| j.state != JobState::Running)
        {
            model.jobs.remove(pos);
        }
        model.rebuild_view(Pane::Jobs);
        model.jobs_table.bottom();
    }
    if learn.is_some() {
        model.learn = learn;
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
        )
}

pub(crate) fn job_id(command: &Command) -> Option<JobId> {
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
        | Command::Minikube { job, .. }
        | Command::CloudDeploy { job, .. } => Some(*job),
        _ => None,
    }
}

pub(crate) fn job_title(command: &Command) -> String {
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
        Command::Minikube { profile, op, .. } => format!("minikube {} {profile}", op.verb()),
        Command::CloudDeploy { service, .. } => format!("deploy {service} to Cloud Run"),
        Command::SaveCloudSettings(_) => "save pilothouse.toml".to_string(),
        Command::WriteWorkflow { path, .. } => format!("write {path}"),
        Command::ScaffoldDockerfile { .. } => "write a Dockerfile".to_string(),
        Command::ScaffoldDeployment { name, .. } => format!("write {name}-deployment.yaml"),
        Command::OpenUrl(url) => format!("open {url}"),
        Command::ExportHistory { path, .. } => format!("export history to {}", path.display()),
        Command::WatchStats(_)
        | Command::FollowLogs(_)
        | Command::InspectImage(_)
        | Command::ShowYaml { .. }
        | Command::FollowPodLogs { .. }
        | Command::ProbeMinikube { .. }
        | Command::MinikubeServiceUrl { .. }
        | Command::MinikubeDockerEnv { .. }
        | Command::UseDockerEngine(_)
        | Command::SwitchKube(_)
        | Command::CompletePath { .. }
        | Command::LoadCloudSettings
        | Command::CancelJob(_)
        | Command::CloudRefresh { .. } => String::new(),
    }
}

/// Record the commands `update` hands to the effects that are the user's
/// actions; every action passes here, whichever key or form started it.
pub(crate) fn record(model: &mut Model, commands: &[Command]) {
    let mut added = false;
    for command in commands {
        // The line only for what is kept: most commands (streams, probes) are not.
        let Some(replay) = crate::app::learn::history::replay_of(command) else {
            continue;
        };
        let Some(line) = command.learn_line() else {
            continue;
        };
        let job = job_id(command);
        if model.history.len() >= crate::app::learn::history::HISTORY_CAPACITY {
            model.history.remove(0);
        }
        model
            .history
            .push(crate::app::learn::history::HistoryEntry {
                at: model.now,
                title: job_title(command),
                line,
                job,
                outcome: if job.is_some() {
                    crate::app::learn::history::Outcome::Running
                } else {
                    crate::app::learn::history::Outcome::Done
                },
                replay,
            });
        added = true;
    }
    if added {
        model.rebuild_view(Pane::History);
        model.history_table.bottom();
    }
}

/// `L`, `:learn`: learn mode on or off.
pub(crate) fn toggle_learn(model: &mut Model) {
    model.learn_mode = !model.learn_mode;
    let text = if model.learn_mode {
        "Learn mode on: each action shows the command line it stands for and waits for y. L turns it off."
    } else {
        "Learn mode off: actions run at once (removals still ask). L turns it on."
    };
    model.set_status(Level::Info, text);
}
