//! The dev loop's keys: watch on and off, pause and resume, trigger a cycle
//! now, the loop's mode and a target's; and starting a cycle.

use crate::app::core::command::{BuildSpec, Command, DevPlan, SyncCopy, WatchSpec};
use crate::app::core::launch::launch_confirmed;
use crate::app::core::model::{Level, Pane};
use crate::app::core::shared::Shared;
use crate::app::dev::state::{CYCLES_KEPT, Cycle, CycleResult, DevState, WatchState};
use std::path::Path;

/// The app the loop builds: the last build started, else the directory
/// pilothouse runs in with the build form's default tag.
pub fn app_build(dev: &DevState, cwd: &Path) -> BuildSpec {
    dev.app.clone().unwrap_or_else(|| {
        let dir_name = cwd
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        BuildSpec {
            // As the build form has it: relative, so the command line reads `docker build … .`.
            context: std::path::PathBuf::from("."),
            dockerfile: "Dockerfile".to_string(),
            tag: crate::app::core::validate::default_tag_for_dir(&dir_name),
        }
    })
}

/// `w` and `:watch`: start watching the app's build context, or stop.
pub fn toggle_watch(dev: &mut DevState, shared: &mut Shared) -> Vec<Command> {
    if dev.is_on() {
        dev.watch = WatchState::Off;
        dev.pending.clear();
        dev.pending_held = None;
        shared.set_status(Level::Info, "Stopped watching; w watches again.");
        return vec![Command::Watch(None)];
    }
    if shared.refuse_if_readonly("watching and rebuilding on save") {
        return Vec::new();
    }
    let app = app_build(dev, &shared.cwd);
    // Collecting the components drops the "." parts: "/app/." reads as "/app".
    let context: std::path::PathBuf = shared.cwd.join(&app.context).components().collect();
    dev.watch = WatchState::Watching;
    shared.set_status(
        Level::Info,
        format!(
            "Watching {}: a save rebuilds {} and replaces what runs it. p pauses, t runs now, m manual (in Jobs).",
            context.display(),
            app.tag
        ),
    );
    dev.app = Some(app.clone());
    // The Dev section sits atop Jobs: the cycles are what the user watches next.
    shared.pane = Pane::Jobs;
    vec![Command::Watch(Some(WatchSpec {
        context,
        dockerfile: app.dockerfile,
    }))]
}

/// `p` in Jobs: pause (changes are noted) or resume (and run what was noted).
pub fn toggle_pause(dev: &mut DevState, shared: &mut Shared) -> Vec<Command> {
    match dev.watch {
        WatchState::Off => {
            shared.set_status(Level::Info, "Not watching; w starts the dev loop.");
            Vec::new()
        }
        WatchState::Watching => {
            dev.watch = WatchState::Paused;
            shared.set_status(
                Level::Info,
                "Paused: changes are noted, nothing runs; p resumes.",
            );
            Vec::new()
        }
        WatchState::Paused => {
            dev.watch = WatchState::Watching;
            shared.set_status(Level::Info, "Watching again.");
            run_pending(dev, shared)
        }
    }
}

/// `t` in Jobs: a cycle now, for every target, manual ones too.
pub fn trigger(dev: &mut DevState, shared: &mut Shared) -> Vec<Command> {
    if dev.running.is_some() {
        dev.again = true;
        shared.set_status(Level::Info, "A cycle is running; one more follows it.");
        return Vec::new();
    }
    start_cycle(dev, shared, true)
}

/// `m` in Jobs: the whole loop auto (a save runs a cycle) or manual (noted; `t` runs).
pub fn toggle_mode(dev: &mut DevState, shared: &mut Shared) -> Vec<Command> {
    dev.manual = !dev.manual;
    if dev.manual {
        shared.set_status(
            Level::Info,
            "Manual: saves are noted and nothing runs until t.",
        );
        Vec::new()
    } else {
        shared.set_status(Level::Info, "Auto: a save runs a cycle.");
        run_pending(dev, shared)
    }
}

/// `m` on a container or Deployment: that target auto or manual.
pub fn toggle_target(dev: &mut DevState, shared: &mut Shared, target: Option<String>) {
    let Some(target) = target else {
        shared.set_status(Level::Info, "Select a container or Deployment first.");
        return;
    };
    if dev.manual_targets.remove(&target) {
        shared.set_status(
            Level::Info,
            format!("{target}: auto; the dev loop updates it on each save."),
        );
    } else {
        shared.set_status(
            Level::Info,
            format!("{target}: manual; saves leave it as it is until t in Jobs."),
        );
        dev.manual_targets.insert(target);
    }
}

/// New changes: a cycle now, unless one runs (it takes them when it ends),
/// or the loop is paused or manual.
pub fn run_pending(dev: &mut DevState, shared: &mut Shared) -> Vec<Command> {
    if dev.pending.is_empty()
        || dev.running.is_some()
        || dev.watch != WatchState::Watching
        || dev.manual
    {
        return Vec::new();
    }
    start_cycle(dev, shared, false)
}

/// Start a cycle over the pending changes (none: a plain rebuild).
pub fn start_cycle(dev: &mut DevState, shared: &mut Shared, by_hand: bool) -> Vec<Command> {
    let build = app_build(dev, &shared.cwd);
    let files: Vec<String> = std::mem::take(&mut dev.pending).into_iter().collect();
    let seen = dev.pending_held.take();
    let plan = DevPlan {
        sync: sync_copies(dev, &files),
        restart_after_sync: dev.settings.restart_after_sync,
        skip: if by_hand {
            Vec::new()
        } else {
            dev.manual_targets.iter().cloned().collect()
        },
        build,
    };
    let job = shared.alloc_job();
    let commands = launch_confirmed(
        shared,
        Command::DevCycle {
            job,
            plan: plan.clone(),
        },
    );
    if commands.is_empty() {
        return commands;
    }
    dev.next_number += 1;
    if dev.cycles.len() >= CYCLES_KEPT {
        dev.cycles.remove(0);
    }
    dev.cycles.push(Cycle {
        number: dev.next_number,
        job,
        files,
        sync: !plan.sync.is_empty(),
        seen,
        stages: Vec::new(),
        result: CycleResult::Running,
    });
    dev.running = Some(job);
    commands
}

/// The sync path's copies: only when every change falls under a rule (and
/// `[dev]` is sound); one change outside them means a rebuild.
fn sync_copies(dev: &DevState, files: &[String]) -> Vec<SyncCopy> {
    if files.is_empty() || dev.settings_error.is_some() {
        return Vec::new();
    }
    let copies: Option<Vec<SyncCopy>> = files
        .iter()
        .map(|from| {
            dev.settings.destination(from).map(|to| SyncCopy {
                from: from.clone(),
                to,
            })
        })
        .collect();
    copies.unwrap_or_default()
}
