//! The History pane's data: every action performed, with the command line it
//! stands for, when, and how it ended; and the shell script `:export` writes.

use crate::app::core::command::{Command, JobId};
use crate::app::core::table::{TableRow, TableState};
use crate::domain::minikube::MinikubeOp;
use crate::domain::text::quote;
use std::cmp::Ordering;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// Old entries go first past this, so a long session's memory stays flat.
pub const HISTORY_CAPACITY: usize = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replay {
    /// A change the script repeats.
    Run,
    /// Something looked at or written by pilothouse itself: a comment in the script.
    Note,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Running,
    Succeeded(String),
    Failed(String),
    /// Handed to the effects; no job reports back.
    Done,
}

impl Outcome {
    pub fn label(&self) -> String {
        match self {
            Self::Running => "running".to_string(),
            Self::Succeeded(summary) if summary.is_empty() => "✓ done".to_string(),
            Self::Succeeded(summary) => format!("✓ {summary}"),
            Self::Failed(error) => format!("✗ {error}"),
            Self::Done => "✓ done".to_string(),
        }
    }
}

/// Every action performed, oldest first (bounded), and the History pane's table.
#[derive(Debug, Clone, Default)]
pub struct History {
    pub entries: Vec<HistoryEntry>,
    pub table: TableState,
    /// The last change started, and what undoes it (`z`).
    pub last_change: Option<crate::app::learn::last_change::LastChange>,
}

impl History {
    /// Keep an entry; the oldest goes past the capacity.
    pub fn push(&mut self, entry: HistoryEntry) {
        if self.entries.len() >= HISTORY_CAPACITY {
            self.entries.remove(0);
        }
        self.entries.push(entry);
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub at: SystemTime,
    pub title: String,
    pub line: String,
    pub job: Option<JobId>,
    pub outcome: Outcome,
    pub replay: Replay,
}

/// Whether a command belongs in the history, and how the script treats it.
/// Streams, probes and checks are the cockpit's own business, not the user's actions.
pub fn replay_of(command: &Command) -> Option<Replay> {
    match command {
        Command::Build { .. }
        | Command::Run { .. }
        | Command::Container { .. }
        | Command::RemoveImage { .. }
        | Command::Scale { .. }
        | Command::Apply { .. }
        | Command::Expose { .. }
        | Command::RolloutRestart { .. }
        | Command::RolloutUndo { .. }
        | Command::RolloutPause { .. }
        | Command::SetImage { .. }
        | Command::DeleteObject { .. }
        | Command::CloudDeploy { .. }
        | Command::CloudCreateRepository { .. }
        | Command::CloudUpdateTraffic { .. }
        | Command::MinikubeDockerEnv { .. }
        | Command::UseDockerEngine(None)
        | Command::Exec { .. } => Some(Replay::Run),
        Command::Minikube { op, .. } => Some(match op {
            MinikubeOp::Start | MinikubeOp::Stop | MinikubeOp::Unpause => Replay::Run,
            _ => Replay::Note,
        }),
        Command::ScaffoldDockerfile { .. }
        | Command::ScaffoldDeployment { .. }
        | Command::SaveCloudSettings(_)
        | Command::WriteWorkflow { .. }
        | Command::OpenUrl(_)
        | Command::ShowYaml { .. }
        | Command::Explain { .. }
        | Command::FollowPodLogs { .. }
        | Command::FollowSelectorLogs { .. }
        | Command::FollowCloudLogs { .. }
        | Command::CloudRevisions { .. }
        | Command::MinikubeServiceUrl { .. }
        | Command::Shell { .. }
        | Command::StartForward { .. } => Some(Replay::Note),
        _ => None,
    }
}

/// How many commands the script repeats: the changes that did not fail.
pub fn replayed(entries: &[HistoryEntry]) -> usize {
    entries.iter().filter(|h| repeats(h)).count()
}

fn repeats(entry: &HistoryEntry) -> bool {
    entry.replay == Replay::Run && !matches!(entry.outcome, Outcome::Failed(_))
}

/// Seconds since the epoch as `HH:MM:SS` UTC; the date goes in the script's header.
pub fn clock(at: SystemTime) -> String {
    let secs = at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    format!(
        "{:02}:{:02}:{:02}",
        secs / 3600 % 24,
        secs / 60 % 60,
        secs % 60
    )
}

/// `YYYY-MM-DD HH:MM:SS UTC`.
pub fn date_time(at: SystemTime) -> String {
    let secs = at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    // Days to a civil date (Howard Hinnant's algorithm, proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {} UTC", clock(at))
}

/// The history as a bash script: the changes that succeeded (or still ran) as
/// commands, everything else as comments saying why it is not repeated.
pub fn script(entries: &[HistoryEntry], cwd: &Path, now: SystemTime) -> String {
    let mut out = String::from("#!/usr/bin/env bash\n");
    out.push_str(&format!(
        "# pilothouse history, exported {}.\n",
        date_time(now)
    ));
    out.push_str(
        "# It repeats the changes made in the cockpit with the docker, kubectl,\n\
         # minikube and gcloud CLIs, against whatever DOCKER_HOST, KUBECONFIG and the\n\
         # gcloud configuration point at when it runs. Failed actions and things only\n\
         # looked at are kept as comments. Against pilothouse's simulated cluster\n\
         # (`pilothouse sim` prints its exports), set DOCKER_BUILDKIT=0 as it says.\n",
    );
    out.push_str("set -euo pipefail\n\n");
    out.push_str(&format!("cd {}\n", quote(&cwd.display().to_string())));
    for entry in entries {
        out.push_str(&format!(
            "\n# {} {}: {}\n",
            clock(entry.at),
            entry.title,
            entry.outcome.label()
        ));
        match (&entry.outcome, entry.replay) {
            (Outcome::Failed(_), _) => {
                out.push_str(&format!("# (failed, not repeated) {}\n", entry.line))
            }
            (_, Replay::Note) => out.push_str(&format!("# (not repeated) {}\n", entry.line)),
            (_, Replay::Run) => {
                out.push_str(&entry.line);
                out.push('\n');
            }
        }
    }
    out
}

impl TableRow for HistoryEntry {
    fn key(&self) -> String {
        format!("{:?}|{}", self.at, self.line)
    }
    fn has_key(&self, key: &str) -> bool {
        self.key() == key
    }
    fn matches(&self, needle: &str) -> bool {
        self.line.to_lowercase().contains(needle) || self.title.to_lowercase().contains(needle)
    }
    fn compare(&self, other: &Self, column: usize) -> Ordering {
        match column {
            0 => self.at.cmp(&other.at),
            1 => self.line.cmp(&other.line),
            _ => self.outcome.label().cmp(&other.outcome.label()),
        }
    }
    fn column_count() -> usize {
        3
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn entry(secs: u64, line: &str, outcome: Outcome, replay: Replay) -> HistoryEntry {
        HistoryEntry {
            at: UNIX_EPOCH + Duration::from_secs(secs),
            title: line.split(' ').take(2).collect::<Vec<_>>().join(" "),
            line: line.to_string(),
            job: None,
            outcome,
            replay,
        }
    }

    #[test]
    fn dates_are_civil_utc() {
        assert_eq!(date_time(UNIX_EPOCH), "1970-01-01 00:00:00 UTC");
        assert_eq!(
            date_time(UNIX_EPOCH + Duration::from_secs(1_795_792_332)),
            "2026-11-27 15:12:12 UTC"
        );
        assert_eq!(
            date_time(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29 00:00:00 UTC"
        );
    }

    #[test]
    fn the_script_repeats_changes_and_comments_the_rest() {
        let entries = [
            entry(
                60,
                "docker build -t cookbook .",
                Outcome::Succeeded("built".into()),
                Replay::Run,
            ),
            entry(
                120,
                "kubectl scale --replicas=abc",
                Outcome::Failed("no".into()),
                Replay::Run,
            ),
            entry(
                180,
                "kubectl get svc web -n default -o yaml",
                Outcome::Done,
                Replay::Note,
            ),
            entry(
                240,
                "kubectl scale --replicas=3 deployment/web -n default",
                Outcome::Running,
                Replay::Run,
            ),
        ];
        let text = script(&entries, Path::new("/tmp/my app"), UNIX_EPOCH);
        assert!(text.starts_with("#!/usr/bin/env bash\n"));
        assert!(text.contains("\nset -euo pipefail\n"));
        assert!(text.contains("\ncd '/tmp/my app'\n"));
        let commands: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect();
        assert_eq!(
            commands,
            [
                "set -euo pipefail",
                "cd '/tmp/my app'",
                "docker build -t cookbook .",
                "kubectl scale --replicas=3 deployment/web -n default"
            ]
        );
        assert!(text.contains("# 00:02:00 kubectl scale: ✗ no\n# (failed, not repeated) kubectl scale --replicas=abc\n"));
        assert!(text.contains("# (not repeated) kubectl get svc web -n default -o yaml"));
    }
}
