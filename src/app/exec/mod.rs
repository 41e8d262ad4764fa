//! Inside a workload: `S` opens a shell in the selected container or pod
//! (the terminal is handed over until it exits), `X` runs one command there
//! with its output in Jobs. A pod of several containers asks which first.

use crate::app::core::command::Command;
use crate::app::core::forms::{Field, Form, FormKind};
use crate::app::core::handled::Handled;
use crate::app::core::launch::launch;
use crate::app::core::model::{Level, Overlay, PickItem, PickPurpose, Picker};
use crate::app::core::shared::Shared;
use crate::domain::exec::ExecTarget;

pub mod state;
pub use state::{ExecState, Inside};

/// `S` or `X` on a target; a pod of several containers gets a picker first.
pub fn start(
    exec: &mut ExecState,
    shared: &mut Shared,
    target: ExecTarget,
    choices: &[String],
    inside: Inside,
) -> Vec<Command> {
    let title = match inside {
        Inside::Shell => "a shell",
        Inside::Command => "a command",
    };
    // Refused before anything runs, the bash probe included.
    if shared.refuse_if_readonly(&format!("{title} in {}", target.label())) {
        exec.prefill = None;
        return Vec::new();
    }
    if let ExecTarget::Pod {
        namespace,
        pod,
        context,
        ..
    } = &target
        && choices.len() > 1
    {
        let items = choices
            .iter()
            .map(|c| PickItem {
                label: c.clone(),
                detail: ExecTarget::Pod {
                    namespace: namespace.clone(),
                    pod: pod.clone(),
                    container: c.clone(),
                    context: context.clone(),
                }
                .command_line(
                    inside == Inside::Shell,
                    // The shell's probe has not run yet; a command is typed after.
                    &[match inside {
                        Inside::Shell => "SHELL".to_string(),
                        Inside::Command => "CMD".to_string(),
                    }],
                ),
            })
            .collect();
        shared.overlay = Overlay::Pick(Picker {
            title: format!("{} in which container of {pod}?", capitalised(title)),
            items,
            selected: 0,
            purpose: PickPurpose::ExecContainer {
                target: target.clone(),
                inside,
            },
        });
        return Vec::new();
    }
    match inside {
        Inside::Shell => open_shell(exec, shared, target),
        Inside::Command => {
            open_form(exec, shared, target);
            Vec::new()
        }
    }
}

/// The container chosen in the picker.
pub fn picked(
    exec: &mut ExecState,
    shared: &mut Shared,
    mut target: ExecTarget,
    container: String,
    inside: Inside,
) -> Vec<Command> {
    if let ExecTarget::Pod { container: c, .. } = &mut target {
        *c = container;
    }
    start(exec, shared, target, &[], inside)
}

fn open_shell(exec: &ExecState, shared: &mut Shared, target: ExecTarget) -> Vec<Command> {
    if !exec.shell.is_empty() {
        let shell = exec.shell.clone();
        return launch(shared, Command::Shell { target, shell });
    }
    shared.set_status(
        Level::Info,
        format!("Opening a shell in {}: looking for bash…", target.label()),
    );
    vec![Command::ProbeShell(target)]
}

fn open_form(exec: &mut ExecState, shared: &mut Shared, target: ExecTarget) {
    // The form's learn line is the command line up to the typed command.
    let prefix = target.command_line(false, &[]);
    shared.overlay = Overlay::Form(Form {
        kind: FormKind::Exec,
        title: "Run a command inside",
        fields: vec![Field::new(
            "Command",
            "words as in a shell: cat run.py, ls -l /, sh -c 'echo $HOME'",
            &exec.prefill.take().unwrap_or_default(),
        )],
        focus: 0,
        pending: false,
        subject: Some((prefix, target.label())),
    });
    exec.form_target = Some(target);
}

/// The exec form's command, checked by the form: one job with its output.
pub fn submit(exec: &mut ExecState, shared: &mut Shared, command: Vec<String>) -> Vec<Command> {
    let Some(target) = exec.form_target.take() else {
        return Vec::new();
    };
    let job = shared.alloc_job();
    launch(
        shared,
        Command::Exec {
            job,
            target,
            command,
        },
    )
}

/// The probe said which shell: hand the terminal over (after learn mode's question).
pub fn on_shell_found(
    shared: &mut Shared,
    target: ExecTarget,
    result: Result<String, String>,
) -> Handled {
    match result {
        Ok(shell) => Handled::shown(launch(shared, Command::Shell { target, shell })),
        Err(problem) => {
            shared.set_status(
                Level::Error,
                format!("No shell in {}: {problem}", target.label()),
            );
            Handled::shown(Vec::new())
        }
    }
}

/// The shell has exited and the cockpit is back.
pub fn on_shell_ended(
    shared: &mut Shared,
    target: ExecTarget,
    result: Result<i32, String>,
) -> Handled {
    let (level, text) = match result {
        Ok(0) => (
            Level::Info,
            format!("Back from the shell in {}.", target.label()),
        ),
        Ok(code) => (
            Level::Warn,
            format!(
                "Back from the shell in {} (it ended with exit code {code}).",
                target.label()
            ),
        ),
        Err(problem) => (
            Level::Error,
            format!("The shell in {} could not run: {problem}", target.label()),
        ),
    };
    shared.set_status(level, text);
    Handled::shown(Vec::new())
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod update_exec_tests;
