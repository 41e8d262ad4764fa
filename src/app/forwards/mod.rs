//! Port-forwards managed by the cockpit: `F` on a pod, Deployment or Service
//! asks for the local port (a free one proposed) and starts a forward on
//! 127.0.0.1; the Forwards pane (`P`, `:forwards`) lists them with the pod
//! each reaches now; `o` opens one, `s` stops or starts one, `ctrl-d`
//! removes one, `D` stops all, `K` keeps one in `pilothouse.toml` so it
//! starts again with pilothouse.

use crate::app::core::command::Command;
use crate::app::core::forms::{Field, Form, FormKind};
use crate::app::core::launch::{launch, launch_confirmed};
use crate::app::core::model::{Level, Overlay};
use crate::app::core::shared::Shared;
use crate::domain::forward::{ForwardSpec, ForwardState, KeptForward};

pub mod events;
pub mod state;
pub use state::{FormTarget, ForwardRow, ForwardsState};

/// The forward form's fields.
pub const LOCAL_PORT: usize = 0;
pub const REMOTE_PORT: usize = 1;

/// The local port to propose for a remote one: the same where a user may
/// bind it (1024 and up), else 8080; the effect moves it up to a free one.
pub fn local_guess(remote: Option<u16>) -> u16 {
    match remote {
        Some(port) if port >= 1024 => port,
        _ => 8080,
    }
}

/// `F`: the form for a forward to this object; the effect proposes a free local port.
pub fn open_form(
    forwards: &mut ForwardsState,
    shared: &mut Shared,
    target: FormTarget,
    remote: Option<u16>,
) -> Vec<Command> {
    let local = local_guess(remote);
    let remote_text = remote.map(|p| p.to_string()).unwrap_or_default();
    shared.overlay = Overlay::Form(form(&target, &local.to_string(), &remote_text));
    forwards.form_target = Some(target);
    forwards.proposed = Some(local);
    vec![Command::ProposeLocalPort(local)]
}

fn form(target: &FormTarget, local: &str, remote: &str) -> Form {
    let remote_hint = match target.kind {
        crate::domain::forward::ForwardKind::Service => {
            "the Service's port (its targetPort is looked up)"
        }
        _ => "the container's port",
    };
    Form {
        kind: FormKind::Forward,
        title: "Forward a port",
        fields: vec![
            Field::new("Local port", "on 127.0.0.1; a free one is proposed", local),
            Field::new("Remote port", remote_hint, remote),
        ],
        focus: if remote.is_empty() {
            REMOTE_PORT
        } else {
            LOCAL_PORT
        },
        pending: false,
        subject: Some((
            target.namespace.clone(),
            format!("{}/{}", target.kind.prefix(), target.name),
        )),
    }
}

/// The form's ports, checked at their fields: start it (the form waits for the local port).
pub fn submit(
    forwards: &mut ForwardsState,
    shared: &mut Shared,
    local_port: u16,
    remote_port: u16,
) -> Vec<Command> {
    let Some(target) = forwards.form_target.clone() else {
        shared.overlay = Overlay::None;
        return Vec::new();
    };
    if let Some(row) = forwards
        .rows
        .iter()
        .find(|r| r.spec.local_port == local_port && !matches!(r.state, ForwardState::Ended(_)))
    {
        let message = format!(
            "127.0.0.1:{local_port} already forwards to {}; pick another port",
            row.spec.target()
        );
        if let Overlay::Form(form) = &mut shared.overlay {
            form.fields[LOCAL_PORT].error = Some(message);
            form.focus = LOCAL_PORT;
        }
        return Vec::new();
    }
    if let Overlay::Form(form) = &mut shared.overlay {
        form.pending = true;
    }
    let spec = ForwardSpec {
        namespace: target.namespace,
        kind: target.kind,
        name: target.name,
        local_port,
        remote_port,
    };
    let id = forwards.alloc_id();
    launch(
        shared,
        Command::StartForward {
            id,
            spec,
            kept: false,
        },
    )
}

/// The form again, for a forward whose local port was refused, the reason at its field.
pub(crate) fn reopen_form(
    forwards: &mut ForwardsState,
    shared: &mut Shared,
    spec: &ForwardSpec,
    problem: String,
) {
    let target = FormTarget {
        namespace: spec.namespace.clone(),
        kind: spec.kind,
        name: spec.name.clone(),
    };
    let mut form = form(
        &target,
        &spec.local_port.to_string(),
        &spec.remote_port.to_string(),
    );
    form.fields[LOCAL_PORT].error = Some(problem);
    form.focus = LOCAL_PORT;
    shared.overlay = Overlay::Form(form);
    forwards.form_target = Some(target);
    forwards.proposed = None;
}

/// `s` in Forwards: stop the selected forward (it stays listed, ended), or
/// start an ended one again.
pub fn stop_start(forwards: &mut ForwardsState, shared: &mut Shared) -> Vec<Command> {
    let Some(row) = forwards.selected().cloned() else {
        shared.set_status(Level::Warn, "No forward selected.");
        return Vec::new();
    };
    let what = format!("{} -> {}", row.spec.url(), row.spec.target());
    if matches!(row.state, ForwardState::Ended(_)) {
        forwards.rows.retain(|r| r.id != row.id);
        forwards.rebuild();
        let id = forwards.alloc_id();
        shared.set_status(Level::Info, format!("Starting {what} again…"));
        return launch(
            shared,
            Command::StartForward {
                id,
                spec: row.spec,
                kept: row.kept,
            },
        );
    }
    end_row(forwards, row.id, "stopped");
    shared.set_status(
        Level::Info,
        format!("Stopped {what} (s starts it again, ctrl-d removes it)."),
    );
    vec![Command::StopForward(row.id)]
}

/// `ctrl-d` in Forwards: stop the selected forward and remove it (from
/// `pilothouse.toml` too, when it was kept there).
pub fn remove(forwards: &mut ForwardsState, shared: &mut Shared) -> Vec<Command> {
    let Some(row) = forwards.selected().cloned() else {
        shared.set_status(Level::Warn, "No forward selected.");
        return Vec::new();
    };
    forwards.rows.retain(|r| r.id != row.id);
    forwards.rebuild();
    let mut commands = Vec::new();
    if !matches!(row.state, ForwardState::Ended(_)) {
        commands.push(Command::StopForward(row.id));
    }
    let what = format!("{} -> {}", row.spec.url(), row.spec.target());
    if row.kept {
        shared.set_status(
            Level::Info,
            format!("Removed {what}; it is no longer kept in pilothouse.toml."),
        );
        commands.extend(save_kept(forwards, shared));
    } else {
        shared.set_status(Level::Info, format!("Removed {what}."));
    }
    commands
}

fn end_row(forwards: &mut ForwardsState, id: crate::domain::forward::ForwardId, why: &str) {
    if let Some(row) = forwards.row_mut(id) {
        row.state = ForwardState::Ended(why.to_string());
        row.pod = None;
        row.stats.open = 0;
    }
    forwards.rebuild();
}

/// `D` in Forwards: stop every forward (each stays listed, ended: `s` starts one again).
pub fn stop_all(forwards: &mut ForwardsState, shared: &mut Shared) -> Vec<Command> {
    let running: Vec<_> = forwards
        .rows
        .iter()
        .filter(|r| !matches!(r.state, ForwardState::Ended(_)))
        .map(|r| r.id)
        .collect();
    if running.is_empty() {
        shared.set_status(Level::Info, "No forward is running.");
        return Vec::new();
    }
    for id in &running {
        end_row(forwards, *id, "stopped");
    }
    shared.set_status(
        Level::Info,
        format!("Stopped {} forward(s).", running.len()),
    );
    running.into_iter().map(Command::StopForward).collect()
}

/// `K` in Forwards: keep the selected forward in `pilothouse.toml`, or no longer.
pub fn toggle_keep(forwards: &mut ForwardsState, shared: &mut Shared) -> Vec<Command> {
    let Some(id) = forwards.selected().map(|r| r.id) else {
        shared.set_status(Level::Warn, "No forward selected.");
        return Vec::new();
    };
    if shared.refuse_if_readonly("keep a forward in pilothouse.toml") {
        return Vec::new();
    }
    let Some(row) = forwards.row_mut(id) else {
        return Vec::new();
    };
    row.kept = !row.kept;
    let text = if row.kept {
        format!(
            "{} -> {} will start again with pilothouse (kept in pilothouse.toml).",
            row.spec.url(),
            row.spec.target()
        )
    } else {
        format!(
            "{} -> {} is no longer kept in pilothouse.toml.",
            row.spec.url(),
            row.spec.target()
        )
    };
    shared.set_status(Level::Info, text);
    save_kept(forwards, shared)
}

/// `[[forward]]` of `pilothouse.toml` is the kept rows, in their order.
fn save_kept(forwards: &ForwardsState, shared: &mut Shared) -> Vec<Command> {
    let kept: Vec<KeptForward> = forwards
        .rows
        .iter()
        .filter(|r| r.kept)
        .map(|r| r.spec.kept())
        .collect();
    launch_confirmed(shared, Command::KeepForwards(kept))
}

/// `o` in Forwards: the local URL in the browser.
pub fn open(forwards: &ForwardsState, shared: &mut Shared) -> Vec<Command> {
    match forwards.selected() {
        None => {
            shared.set_status(Level::Warn, "No forward selected.");
            Vec::new()
        }
        Some(row) if matches!(row.state, ForwardState::Ended(_)) => {
            shared.set_status(
                Level::Warn,
                format!("That forward has ended ({}).", row.state.label()),
            );
            Vec::new()
        }
        Some(row) => {
            let url = row.spec.url();
            launch(shared, Command::OpenUrl(url))
        }
    }
}

/// At the first tick: read the forwards kept in `pilothouse.toml`.
pub fn on_tick(forwards: &mut ForwardsState) -> Vec<Command> {
    if forwards.loaded {
        return Vec::new();
    }
    forwards.loaded = true;
    vec![Command::LoadKeptForwards]
}

#[cfg(test)]
mod update_forwards_tests;
