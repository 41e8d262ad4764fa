//! The `:` commands that write a file in the app's directory: `:export`
//! (the history as a script) and `:save` (the Logs pane's lines).

use crate::app::core::command::Command;
use crate::app::core::model::{Level, Model};
use crate::domain::text::quote;

/// Where `:export` writes without a path (in the app's directory).
pub const DEFAULT_EXPORT: &str = "pilothouse-history.sh";
/// Where `:save` writes without a path (in the app's directory).
pub const DEFAULT_LOGS: &str = "pilothouse-logs.log";

/// `:export [PATH]`: the history as a script, relative paths in the app's directory.
pub(super) fn export(model: &mut Model, path: &str, replace: bool) -> Vec<Command> {
    let path = if path.is_empty() {
        DEFAULT_EXPORT
    } else {
        path
    };
    let path = model.shared.cwd.join(path);
    if crate::app::learn::history::replayed(&model.history.entries) == 0 {
        model.set_status(
            Level::Warn,
            "Nothing to export yet: the history holds no change to repeat (build, run, apply, scale…).",
        );
        return Vec::new();
    }
    let text = crate::app::learn::history::script(
        &model.history.entries,
        &model.shared.cwd,
        model.shared.now,
    );
    model.shared.learn = Some(format!("cat > {}", quote(&path.display().to_string())));
    vec![Command::ExportHistory {
        path,
        text,
        replace,
    }]
}

/// `:save [PATH]`: every line the Logs pane holds (its search aside), in the app's directory by default.
pub(super) fn save_logs(model: &mut Model, path: &str, replace: bool) -> Vec<Command> {
    let logs = &model.docker.logs;
    if logs.lines.is_empty() {
        model.set_status(
            Level::Warn,
            "No log lines to save: open logs first (l on a container, pod or deployment).",
        );
        return Vec::new();
    }
    let path = model
        .shared
        .cwd
        .join(if path.is_empty() { DEFAULT_LOGS } else { path });
    let mut text = logs
        .lines
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join("\n");
    text.push('\n');
    model.shared.learn = Some(format!("cat > {}", quote(&path.display().to_string())));
    vec![Command::SaveLogs {
        path,
        text,
        replace,
    }]
}
