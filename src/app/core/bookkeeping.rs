//! What runs after every event's handler, over the whole model: a Jobs
//! entry and a History entry for each command started, and the tour's look
//! at every feature's state.

use crate::app::core::command::Command;
use crate::app::core::launch::{job_id, job_title};
use crate::app::core::model::{Job, JobState, MAX_JOBS, Model, Pane};
use crate::app::core::shared::Shared;
use crate::app::learn::tour::{Seen, Tour};
use std::collections::VecDeque;

/// Record the commands `update` hands to the effects that are the user's
/// actions; every action passes here, whichever key or form started it.
pub fn record(model: &mut Model, commands: &[Command]) {
    // The last build started names the app the dev loop rebuilds.
    if let Some(spec) = commands.iter().rev().find_map(|c| match c {
        Command::Build { spec, .. } => Some(spec),
        _ => None,
    }) {
        model.dev.app = Some(spec.clone());
    }
    add_jobs(model, commands);
    add_history(model, commands);
    crate::app::learn::undo::note(&mut model.kube, &mut model.history.last_change, commands);
}

fn add_history(model: &mut Model, commands: &[Command]) {
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
        model
            .history
            .push(crate::app::learn::history::HistoryEntry {
                at: model.shared.now,
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
        model.history.table.bottom();
    }
}

/// A Jobs entry for each command that is a job.
fn add_jobs(model: &mut Model, commands: &[Command]) {
    let mut added = false;
    for command in commands {
        let Some(job) = job_id(command) else {
            continue;
        };
        model.jobs.list.push(Job {
            id: job,
            title: job_title(command),
            learn: command.learn_line().unwrap_or_default(),
            state: JobState::Running,
            started: model.shared.now,
            finished: None,
            output: VecDeque::new(),
            step: None,
        });
        if model.jobs.list.len() > MAX_JOBS
            && let Some(pos) = model
                .jobs
                .list
                .iter()
                .position(|j| j.state != JobState::Running)
        {
            model.jobs.list.remove(pos);
        }
        added = true;
    }
    if added {
        model.rebuild_view(Pane::Jobs);
        model.jobs.table.bottom();
    }
}

/// The tour, the shared context, and every other feature's state read only.
fn with_seen<R>(model: &mut Model, act: impl FnOnce(&mut Tour, &mut Shared, &Seen) -> R) -> R {
    let Model {
        shared,
        docker,
        kube,
        cloud,
        jobs,
        history,
        tour,
        ..
    } = model;
    let seen = Seen {
        docker,
        kube,
        cloud,
        jobs,
        history,
    };
    act(tour, shared, &seen)
}

/// After each event the tour looks at every feature's state for its step.
pub fn advance_tour(model: &mut Model) -> bool {
    with_seen(model, crate::app::learn::tour::advance)
}

/// `:tour` and `--tour`: start the tour, or resume it where it was left.
pub fn start_tour(model: &mut Model) {
    with_seen(model, crate::app::learn::tour::start)
}
