//! What the forwards report: listening (or refused at the form), the pod
//! each reaches and when it moves, connections and bytes, the end of a pod
//! forward, and `[[forward]]` of `pilothouse.toml` read and written.

use super::{ForwardRow, ForwardsState, LOCAL_PORT, reopen_form};
use crate::app::core::command::Command;
use crate::app::core::event::ForwardEvent;
use crate::app::core::forms::FormKind;
use crate::app::core::handled::Handled;
use crate::app::core::launch::launch_confirmed;
use crate::app::core::model::{Level, Overlay, Pane};
use crate::app::core::shared::Shared;
use crate::domain::forward::{ForwardSpec, ForwardState, ForwardStats};

pub fn on_forward(
    forwards: &mut ForwardsState,
    shared: &mut Shared,
    event: ForwardEvent,
) -> Handled {
    match event {
        ForwardEvent::Proposed { wanted, free } => on_proposed(forwards, shared, wanted, free),
        ForwardEvent::Started { id, spec, kept } => {
            on_started(forwards, shared, id, spec, kept);
            Handled::shown(Vec::new())
        }
        ForwardEvent::Refused {
            spec,
            kept,
            problem,
        } => {
            if kept {
                // Listed as ended, so it is neither lost from the file nor hidden.
                let id = forwards.alloc_id();
                add_row(
                    forwards,
                    id,
                    spec.clone(),
                    kept,
                    ForwardState::Ended(problem.clone()),
                );
                shared.set_status(
                    Level::Error,
                    format!(
                        "The kept forward {} could not start: {problem}",
                        spec.target()
                    ),
                );
            } else {
                reopen_form(forwards, shared, &spec, problem);
            }
            Handled::shown(Vec::new())
        }
        ForwardEvent::Reaching {
            id,
            pod,
            moved_from,
        } => {
            let Some(row) = forwards.row_mut(id) else {
                return Handled::unseen();
            };
            if matches!(row.state, ForwardState::Ended(_)) {
                return Handled::unseen();
            }
            match pod {
                Ok(pod) => {
                    if let Some((from, why)) = moved_from {
                        shared.set_status(
                            Level::Warn,
                            format!(
                                "{} (127.0.0.1:{}) now reaches pod {pod}: pod {from} {why}.",
                                row.spec.target(),
                                row.spec.local_port
                            ),
                        );
                    }
                    row.pod = Some(pod);
                    row.state = ForwardState::Active;
                }
                Err(why) => {
                    row.pod = None;
                    row.state = ForwardState::Waiting(why);
                }
            }
            forwards.rebuild();
            Handled::shown(Vec::new())
        }
        ForwardEvent::Stats { id, stats } => on_stats(forwards, shared.pane, id, stats),
        ForwardEvent::Ended { id, reason } => {
            let Some(row) = forwards.row_mut(id) else {
                return Handled::unseen();
            };
            shared.set_status(
                Level::Warn,
                format!(
                    "The forward {} -> {} stopped: {reason}.",
                    row.spec.url(),
                    row.spec.target()
                ),
            );
            row.state = ForwardState::Ended(reason);
            row.stats.open = 0;
            forwards.rebuild();
            Handled::shown(Vec::new())
        }
        ForwardEvent::ConnectionFailed { id, problem } => {
            let Some(row) = forwards.row_mut(id) else {
                return Handled::unseen();
            };
            shared.set_status(
                Level::Warn,
                format!(
                    "127.0.0.1:{} -> {}: {problem}",
                    row.spec.local_port,
                    row.spec.target()
                ),
            );
            Handled::shown(Vec::new())
        }
        ForwardEvent::Kept(result) => Handled::shown(on_kept(forwards, shared, result)),
        ForwardEvent::Saved(Ok(path)) => {
            tracing::info!(path = %path.display(), "kept forwards written");
            Handled::unseen()
        }
        ForwardEvent::Saved(Err(problem)) => {
            shared.set_status(Level::Error, problem);
            Handled::shown(Vec::new())
        }
    }
}

/// A free local port: put it in the field while it still holds the guess.
fn on_proposed(
    forwards: &mut ForwardsState,
    shared: &mut Shared,
    wanted: u16,
    free: Option<u16>,
) -> Handled {
    if forwards.proposed != Some(wanted) {
        return Handled::unseen();
    }
    let Overlay::Form(form) = &mut shared.overlay else {
        return Handled::unseen();
    };
    if form.kind != FormKind::Forward || form.fields[LOCAL_PORT].value() != wanted.to_string() {
        return Handled::unseen();
    }
    match free {
        Some(free) if free == wanted => return Handled::unseen(),
        Some(free) => {
            form.fields[LOCAL_PORT].input = tui_input::Input::new(free.to_string());
            forwards.proposed = Some(free);
            shared.set_status(
                Level::Info,
                format!("127.0.0.1:{wanted} is in use; {free} is free."),
            );
        }
        None => shared.set_status(
            Level::Warn,
            format!("No free port from {wanted} up to the next 100: type one."),
        ),
    }
    Handled::shown(Vec::new())
}

fn on_started(
    forwards: &mut ForwardsState,
    shared: &mut Shared,
    id: u64,
    spec: ForwardSpec,
    kept: bool,
) {
    if let Overlay::Form(form) = &shared.overlay
        && form.kind == FormKind::Forward
        && form.pending
    {
        shared.overlay = Overlay::None;
        forwards.form_target = None;
    }
    let state = ForwardState::Waiting("looking for a pod".to_string());
    add_row(forwards, id, spec.clone(), kept, state);
    let how = if shared.pane == Pane::Forwards {
        "o opens it"
    } else {
        "P lists the forwards"
    };
    shared.set_status(
        Level::Info,
        format!("Forwarding {} to {} ({how}).", spec.url(), spec.target()),
    );
}

fn add_row(
    forwards: &mut ForwardsState,
    id: u64,
    spec: ForwardSpec,
    kept: bool,
    state: ForwardState,
) {
    forwards.rows.push(ForwardRow {
        id,
        spec,
        pod: None,
        state,
        stats: ForwardStats::default(),
        kept,
    });
    forwards.rebuild();
}

fn on_stats(forwards: &mut ForwardsState, pane: Pane, id: u64, stats: ForwardStats) -> Handled {
    let Some(row) = forwards.row_mut(id) else {
        return Handled::unseen();
    };
    row.stats = stats;
    Handled::seen_if(pane == Pane::Forwards)
}

/// The kept forwards: each started (without learn mode's question: the user
/// asked for them in the file), or what is wrong with it said.
fn on_kept(
    forwards: &mut ForwardsState,
    shared: &mut Shared,
    result: Result<Vec<Result<ForwardSpec, String>>, String>,
) -> Vec<Command> {
    let entries = match result {
        Ok(entries) => entries,
        Err(problem) => {
            shared.set_status(
                Level::Warn,
                format!("pilothouse.toml: {problem}; no kept forwards started."),
            );
            return Vec::new();
        }
    };
    let mut commands = Vec::new();
    for entry in entries {
        match entry {
            Ok(spec) => {
                if forwards.rows.iter().any(|r| r.spec == spec) {
                    continue;
                }
                let id = forwards.alloc_id();
                commands.extend(launch_confirmed(
                    shared,
                    Command::StartForward {
                        id,
                        spec,
                        kept: true,
                    },
                ));
            }
            Err(problem) => shared.set_status(
                Level::Warn,
                format!("pilothouse.toml [[forward]]: {problem}"),
            ),
        }
    }
    commands
}
