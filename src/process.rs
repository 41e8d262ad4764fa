//! External CLIs (minikube, later gcloud): run with an argument vector, never
//! through a shell, each in its own process group so that ending it ends
//! whatever it started (minikube's tunnels, kubectl proxies).

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use std::ffi::OsStr;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunError {
    /// The program is not on PATH.
    NotFound,
    TimedOut(Duration),
    Failed(String),
}

impl RunError {
    /// The sentence the user reads: `program` names who gave no answer
    /// (empty where the caller names it already), `missing` says how to install it.
    pub fn sentence(&self, program: &str, missing: &str) -> String {
        match self {
            Self::NotFound => missing.to_string(),
            Self::TimedOut(after) if program.is_empty() => {
                format!("no answer in {} s", after.as_secs())
            }
            Self::TimedOut(after) => format!("{program} gave no answer in {} s", after.as_secs()),
            Self::Failed(why) => why.clone(),
        }
    }
}

/// What a finished process printed, and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Finished {
    /// What a user needs to read: minikube's "Exiting due to X: why" line or
    /// gcloud's "ERROR: (command) why" if there is one, else the last non-empty
    /// line of stderr (else stdout).
    pub fn reason(&self) -> String {
        let exiting = self.stderr.lines().find_map(|l| {
            let (_, why) = l.split_once("Exiting due to ")?;
            Some(
                why.split_once(": ")
                    .map_or(why, |(_, text)| text)
                    .trim()
                    .to_string(),
            )
        });
        if let Some(why) = exiting {
            return why;
        }
        // gcloud: "ERROR: (gcloud.run.deploy) why", then lines of advice.
        let gcloud = self.stderr.lines().find_map(|l| {
            let why = l.trim().strip_prefix("ERROR: ")?;
            let why = match why.strip_prefix('(').and_then(|rest| rest.split_once(") ")) {
                Some((_, text)) => text,
                None => why,
            };
            Some(why.trim().to_string())
        });
        if let Some(why) = gcloud {
            return why;
        }
        let last = |text: &str| {
            text.lines()
                .rev()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .map(String::from)
        };
        last(&self.stderr)
            .or_else(|| last(&self.stdout))
            .unwrap_or_else(|| match self.code {
                Some(code) => format!("exit status {code}"),
                None => "ended by a signal".to_string(),
            })
    }
}

/// Ends the whole process group when dropped.
#[derive(Debug)]
pub struct GroupGuard(Option<u32>);

impl Drop for GroupGuard {
    fn drop(&mut self) {
        if let Some(pid) = self.0.take().and_then(|p| i32::try_from(p).ok()) {
            // The group may be gone already; nothing to report then.
            let _ = killpg(Pid::from_raw(pid), Signal::SIGTERM);
        }
    }
}

pub fn command<I, S>(program: &OsStr, args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    command
}

pub fn spawn(mut command: Command) -> Result<(Child, GroupGuard), RunError> {
    match command.spawn() {
        Ok(child) => {
            let guard = GroupGuard(child.id());
            Ok((child, guard))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(RunError::NotFound),
        Err(e) => Err(RunError::Failed(e.to_string())),
    }
}

/// Run to the end, or end it after `timeout`.
pub async fn output(command: Command, timeout: Duration) -> Result<Finished, RunError> {
    let (child, guard) = spawn(command)?;
    let result = tokio::time::timeout(timeout, child.wait_with_output()).await;
    match result {
        Err(_) => Err(RunError::TimedOut(timeout)),
        Ok(Err(e)) => Err(RunError::Failed(e.to_string())),
        Ok(Ok(output)) => {
            drop(guard);
            Ok(Finished {
                code: output.status.code(),
                stdout: strip_ansi(&String::from_utf8_lossy(&output.stdout)),
                stderr: strip_ansi(&String::from_utf8_lossy(&output.stderr)),
            })
        }
    }
}

/// Terminal escapes (colour, bold) removed: CLIs such as gcloud emit them even
/// into a pipe, and the panes draw text, not escapes.
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        // CSI: ESC [ parameters final-byte; other escapes: ESC and one more character.
        if chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        } else {
            chars.next();
        }
    }
    out
}

/// Run to the end, handing each line of stdout and stderr (escapes removed) to `line` as it comes.
pub async fn stream_lines(
    command: Command,
    mut line: impl FnMut(String),
) -> Result<Finished, RunError> {
    let (mut child, _guard) = spawn(command)?;
    let stdout = child.stdout.take().map(|s| BufReader::new(s).lines());
    let stderr = child.stderr.take().map(|s| BufReader::new(s).lines());
    let (Some(mut stdout), Some(mut stderr)) = (stdout, stderr) else {
        return Err(RunError::Failed("no output pipes".into()));
    };
    // The end of stderr is where a CLI says why it failed; a bounded tail keeps it.
    let mut err_tail = std::collections::VecDeque::new();
    let (mut out_open, mut err_open) = (true, true);
    while out_open || err_open {
        tokio::select! {
            next = stdout.next_line(), if out_open => match next {
                Ok(Some(text)) => line(strip_ansi(&text)),
                _ => out_open = false,
            },
            next = stderr.next_line(), if err_open => match next {
                Ok(Some(text)) => {
                    let text = strip_ansi(&text);
                    if err_tail.len() == 20 {
                        err_tail.pop_front();
                    }
                    err_tail.push_back(text.clone());
                    line(text);
                }
                _ => err_open = false,
            },
        }
    }
    let status = child
        .wait()
        .await
        .map_err(|e| RunError::Failed(e.to_string()))?;
    Ok(Finished {
        code: status.code(),
        stdout: String::new(),
        stderr: Vec::from(err_tail).join("\n"),
    })
}

/// A process kept running after it printed what we needed (a tunnel, a proxy).
/// Dropping it ends its process group.
#[derive(Debug)]
pub struct Kept {
    drain: tokio::task::JoinHandle<()>,
    _guard: GroupGuard,
}

impl Drop for Kept {
    fn drop(&mut self) {
        self.drain.abort();
    }
}

/// Start it and wait for the first stdout line that starts with `http`; keep it
/// running. Exiting first, or `timeout`, is an error with what it said.
pub async fn first_url_then_keep(
    command: Command,
    timeout: Duration,
) -> Result<(String, Kept), Result<Finished, RunError>> {
    let (mut child, guard) = spawn(command).map_err(Err)?;
    let stdout = child.stdout.take().map(|s| BufReader::new(s).lines());
    let stderr = child.stderr.take().map(|s| BufReader::new(s).lines());
    let (Some(mut stdout), Some(mut stderr)) = (stdout, stderr) else {
        return Err(Err(RunError::Failed("no output pipes".into())));
    };
    let mut said = Finished {
        code: None,
        stdout: String::new(),
        stderr: String::new(),
    };
    let deadline = tokio::time::Instant::now() + timeout;
    let mut err_open = true;
    let url = loop {
        tokio::select! {
            next = stdout.next_line() => match next {
                Ok(Some(text)) => {
                    let text = text.trim().to_string();
                    if text.starts_with("http://") || text.starts_with("https://") {
                        break text;
                    }
                    said.stdout.push_str(&text);
                    said.stdout.push('\n');
                }
                _ => {
                    // It ended without a URL: collect the rest of what it said and its code.
                    while let Ok(Some(text)) = stderr.next_line().await {
                        said.stderr.push_str(&text);
                        said.stderr.push('\n');
                    }
                    said.code = child.wait().await.ok().and_then(|s| s.code());
                    return Err(Ok(said));
                }
            },
            next = stderr.next_line(), if err_open => match next {
                Ok(Some(text)) => {
                    said.stderr.push_str(&text);
                    said.stderr.push('\n');
                }
                _ => err_open = false,
            },
            _ = tokio::time::sleep_until(deadline) => return Err(Err(RunError::TimedOut(timeout))),
        }
    };
    // Keep reading what it prints, so a full pipe never blocks it.
    let drain = tokio::spawn(async move {
        let _child = child;
        let drain_out = async { while let Ok(Some(_)) = stdout.next_line().await {} };
        let drain_err = async { while let Ok(Some(_)) = stderr.next_line().await {} };
        tokio::join!(drain_out, drain_err);
        std::future::pending::<()>().await;
    });
    Ok((
        url,
        Kept {
            drain,
            _guard: guard,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        command(OsStr::new("sh"), ["-c", script])
    }

    #[tokio::test]
    async fn output_reports_code_and_reason_and_a_missing_program() {
        let done = output(
            sh("echo out; echo oops >&2; exit 7"),
            Duration::from_secs(5),
        )
        .await
        .expect("sh runs");
        assert_eq!((done.code, done.reason().as_str()), (Some(7), "oops"));
        let missing = output(
            command(OsStr::new("pilothouse-no-such-program"), [""; 0]),
            Duration::from_secs(5),
        )
        .await;
        assert_eq!(missing, Err(RunError::NotFound));
        let slow = output(sh("sleep 5"), Duration::from_millis(100)).await;
        assert_eq!(slow, Err(RunError::TimedOut(Duration::from_millis(100))));
    }

    #[tokio::test]
    async fn a_kept_process_lives_until_dropped_and_takes_its_group_along() {
        let dir = tempfile::tempdir().expect("temp dir");
        let pids = dir.path().join("pids");
        // A child of the kept process (as minikube's ssh tunnel is) must end with it.
        let script = format!(
            "sleep 60 & echo $! > {0}; echo $$ >> {0}; echo progress >&2; echo http://127.0.0.1:1234/; wait",
            pids.display()
        );
        let (url, kept) = first_url_then_keep(sh(&script), Duration::from_secs(5))
            .await
            .expect("a URL");
        assert_eq!(url, "http://127.0.0.1:1234/");
        let pids: Vec<i32> = std::fs::read_to_string(&pids)
            .expect("pids written")
            .lines()
            .filter_map(|l| l.trim().parse().ok())
            .collect();
        assert_eq!(pids.len(), 2);
        let alive = |pid: i32| nix::sys::signal::kill(Pid::from_raw(pid), None).is_ok();
        assert!(pids.iter().all(|p| alive(*p)), "kept alive");
        drop(kept);
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while pids.iter().any(|p| alive(*p) && !is_zombie(*p)) {
            assert!(std::time::Instant::now() < deadline, "the group ended");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn is_zombie(pid: i32) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| {
                s.rsplit(')')
                    .next()
                    .unwrap_or("")
                    .trim_start()
                    .starts_with('Z')
            })
            .unwrap_or(true)
    }

    #[test]
    fn the_reason_is_the_clis_own_sentence() {
        let gcloud = Finished {
            code: Some(1),
            stdout: String::new(),
            stderr: "ERROR: (gcloud.run.deploy) You do not currently have an active account selected.\nPlease run:\n\n  $ gcloud auth login\n\nto select an already authenticated account to use.\n".into(),
        };
        assert_eq!(
            gcloud.reason(),
            "You do not currently have an active account selected."
        );
        let minikube = Finished {
            code: Some(115),
            stdout: String::new(),
            stderr: "❌  Exiting due to SVC_NOT_FOUND: Service 'web' was not found in 'default' namespace.\nYou may select another namespace\n".into(),
        };
        assert_eq!(
            minikube.reason(),
            "Service 'web' was not found in 'default' namespace."
        );
    }

    #[test]
    fn escapes_are_removed() {
        assert_eq!(
            strip_ansi(
                "Service [\u{1b}[1mcookbook\u{1b}[m] is serving \u{1b}[1;32m100\u{1b}[0m percent"
            ),
            "Service [cookbook] is serving 100 percent"
        );
        assert_eq!(strip_ansi("plain"), "plain");
    }

    #[tokio::test]
    async fn exiting_before_a_url_gives_what_it_said() {
        let script = "echo \"Service 'web' was not found in 'default' namespace.\" >&2; exit 115";
        let Err(Ok(said)) = first_url_then_keep(sh(script), Duration::from_secs(5)).await else {
            panic!("an error with what it said")
        };
        assert_eq!(said.code, Some(115));
        assert!(said.reason().contains("was not found"));
    }
}
