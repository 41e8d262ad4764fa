//! The built-in shell of a simulated container or pod. A simulated
//! container runs no processes, so `docker exec` and `kubectl exec` reach
//! this instead: a few commands (`ls`, `cat`, `pwd`, `cd`, `env`,
//! `hostname`, `echo`, `ps`, `exit`, `command -v`, and `>`/`>>` where the
//! machine keeps files) over the files the image was built with and the
//! files copied in since, and a clear sentence for anything else. Pure: bytes in, bytes out, no I/O; the engine and the API
//! server carry it over their own protocols (see `sim/STREAMS.md`).

mod commands;
mod machine;
mod session;

pub use machine::{BUILTINS, Machine, Ran, ShellState, Written, is_shell, resolve};
pub use session::{Output, Session};

use machine::failed;

/// A one-off exec (`docker exec NAME cat run.py`, `kubectl exec POD -- ls`):
/// the command vector run once. A shell (`sh`, with no `-c`) is interactive
/// and belongs to a [`Session`]; `sh -c LINE` runs LINE.
pub fn run_argv(machine: &Machine, argv: &[String]) -> Ran {
    let mut state = ShellState::new(machine);
    match argv {
        [] => failed(126, "exec: no command given\n"),
        [shell, flag, line, ..] if is_shell(shell) && flag == "-c" => {
            commands::run_line(machine, &mut state, line)
        }
        words => commands::run_words(machine, &mut state, words),
    }
}

#[cfg(test)]
mod tests;
