//! What the watch and the cycles report: changes (a cycle, or noted),
//! `[dev]` read, stages timed, steps done (each a command line for learn
//! mode and History), a cycle's end (and the one more it may owe).

use crate::app::core::command::{Command, JobId};
use crate::app::core::event::{DevEvent, DevStep};
use crate::app::core::model::Level;
use crate::app::core::shared::Shared;
use crate::app::dev::actions::{run_pending, start_cycle};
use crate::app::dev::state::{CycleResult, DevState, WatchState};
use crate::app::learn::learn_line::dev_step_lines;

/// What core does with a dev event's outcome: the commands, and the
/// command lines of a finished step for the cycle's job and History.
#[derive(Debug, Default)]
pub struct DevReport {
    pub commands: Vec<Command>,
    pub visible: bool,
    /// (the cycle's job, a command line it stood for).
    pub lines: Vec<(JobId, String)>,
    /// A sentence for the cycle's job output (why it rebuilt, what it skipped).
    pub notes: Vec<(JobId, String)>,
}

pub fn on_dev(dev: &mut DevState, shared: &mut Shared, event: DevEvent) -> DevReport {
    let mut report = DevReport {
        visible: true,
        ..DevReport::default()
    };
    match event {
        DevEvent::Changed { paths, held } => {
            if !dev.is_on() || paths.is_empty() {
                report.visible = false;
                return report;
            }
            if dev.pending.is_empty() {
                dev.pending_held = Some(held);
            }
            dev.pending.extend(paths);
            report.commands = run_pending(dev, shared);
            if report.commands.is_empty() && dev.running.is_none() {
                let why = if dev.watch == WatchState::Paused {
                    "paused; p resumes"
                } else {
                    "manual; t runs a cycle"
                };
                shared.set_status(
                    Level::Info,
                    format!("{} change(s) noted ({why}).", dev.pending.len()),
                );
            }
        }
        DevEvent::WatchFailed(reason) => {
            dev.watch = WatchState::Off;
            shared.set_status(Level::Error, format!("The watch stopped: {reason}"));
        }
        DevEvent::Settings(Ok(settings)) => {
            dev.settings = settings;
            dev.settings_error = None;
        }
        DevEvent::Settings(Err(reason)) => {
            shared.set_status(
                Level::Error,
                format!("[dev] not used (every change rebuilds until it is fixed): {reason}"),
            );
            dev.settings = Default::default();
            dev.settings_error = Some(reason);
        }
        DevEvent::Stage { job, stage, took } => match dev.cycle_mut(job) {
            Some(cycle) => cycle.stages.push((stage, took)),
            None => report.visible = false,
        },
        DevEvent::Step { job, step } => match step {
            DevStep::Skipped { target } => report.notes.push((
                job,
                format!("{target} is in manual mode: left on its build (t updates it)"),
            )),
            DevStep::SyncFellBack { reason } => {
                if let Some(cycle) = dev.cycle_mut(job) {
                    cycle.sync = false;
                }
                report
                    .notes
                    .push((job, format!("rebuilding instead of syncing: {reason}")));
            }
            step => {
                report.lines = dev_step_lines(&step)
                    .into_iter()
                    .map(|line| (job, line))
                    .collect();
                if let Some((_, last)) = report.lines.last() {
                    shared.learn = Some(last.clone());
                }
            }
        },
    }
    report
}

/// A job ended: when it was the running cycle, record the result, and run
/// what came in meanwhile (at most one more cycle, whatever the number of saves).
pub fn on_cycle_finished(
    dev: &mut DevState,
    shared: &mut Shared,
    job: JobId,
    result: &Result<String, String>,
) -> Vec<Command> {
    if dev.running != Some(job) {
        return Vec::new();
    }
    dev.running = None;
    if let Some(cycle) = dev.cycle_mut(job) {
        cycle.result = match result {
            Ok(summary) => CycleResult::Done(summary.clone()),
            Err(error) => CycleResult::Failed(error.clone()),
        };
    }
    if std::mem::take(&mut dev.again) {
        return start_cycle(dev, shared, true);
    }
    run_pending(dev, shared)
}
