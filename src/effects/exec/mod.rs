//! Inside a workload: the `bash` probe before a shell, and one-off commands
//! (`docker exec NAME CMD`, `kubectl exec POD -- CMD`) streamed into their
//! job. Both run the CLIs themselves, with the environment that points them
//! at the engine and cluster the cockpit shows; the runtime uses the same
//! environment when it hands the terminal over to a shell.

use super::shared::{Shared, finish_job};
use crate::app::core::command::Command;
use crate::app::core::event::{Event, JobUpdate};
use crate::domain::exec::{BASH_PROBE, ExecTarget, FALLBACK_SHELL};
use crate::domain::minikube::MinikubeDockerEnv;
use crate::process::{self, RunError};
use std::ffi::OsString;
use std::time::Duration;

/// A workload that has not answered whether it has `bash` by then gets `sh`.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Default)]
pub struct ExecEffects {
    /// For `docker`: the engine pilothouse started with (the demo's: its socket).
    pub docker_env: Vec<(String, String)>,
    /// For `docker` after `e`: minikube's engine.
    switched: Option<Vec<(String, String)>>,
    /// For `kubectl`: the kubeconfig pilothouse reads, when it is not the default.
    pub kube_env: Vec<(String, String)>,
}

impl ExecEffects {
    /// The variables the CLI for this target needs, on top of the user's environment.
    pub fn env_for(&self, target: &ExecTarget) -> Vec<(String, String)> {
        match target {
            ExecTarget::Container { .. } => self
                .switched
                .clone()
                .unwrap_or_else(|| self.docker_env.clone()),
            ExecTarget::Pod { .. } => self.kube_env.clone(),
        }
    }

    /// `e` switched the Docker side to minikube's engine (or back).
    pub fn use_docker_engine(&mut self, engine: Option<&MinikubeDockerEnv>) {
        self.switched = engine.map(|env| {
            let mut vars = vec![("DOCKER_HOST".to_string(), env.host.clone())];
            if env.tls_verify {
                vars.push(("DOCKER_TLS_VERIFY".into(), "1".into()));
            }
            if let Some(certs) = &env.cert_path {
                vars.push(("DOCKER_CERT_PATH".into(), certs.display().to_string()));
            }
            vars
        });
    }

    fn command(
        &self,
        target: &ExecTarget,
        interactive: bool,
        words: &[String],
    ) -> tokio::process::Command {
        let mut command = process::command(
            &OsString::from(target.program()),
            target.args(interactive, words),
        );
        command.envs(self.env_for(target));
        command
    }

    pub fn perform(&mut self, command: Command, shared: &mut Shared) {
        let tx = shared.tx.clone();
        match command {
            Command::ProbeShell(target) => {
                let probe: Vec<String> = BASH_PROBE.iter().map(|w| w.to_string()).collect();
                let run = self.command(&target, false, &probe);
                tokio::spawn(async move {
                    let result = match process::output(run, PROBE_TIMEOUT).await {
                        Ok(done) if done.code == Some(0) && done.stdout.contains("bash") => {
                            Ok("bash".to_string())
                        }
                        // No bash, no answer in time, or an error the shell itself will show.
                        Ok(_) | Err(RunError::TimedOut(_)) | Err(RunError::Failed(_)) => {
                            Ok(FALLBACK_SHELL.to_string())
                        }
                        Err(RunError::NotFound) => Err(missing(&target)),
                    };
                    let _ = tx.send(Event::ShellFound { target, result });
                });
            }
            Command::Exec {
                job,
                target,
                command,
            } => {
                let run = self.command(&target, false, &command);
                let cancelled = cancelled_exec(&target, &command);
                let task = tokio::spawn(async move {
                    let sink = tx.clone();
                    let done = process::stream_lines(run, |line| {
                        let _ = sink.send(Event::Job {
                            id: job,
                            update: JobUpdate::Output(vec![line]),
                        });
                    })
                    .await;
                    let result = match done {
                        Ok(done) if done.code == Some(0) => Ok("exit 0".to_string()),
                        Ok(done) => Err(format!(
                            "{} ({})",
                            done.reason(),
                            done.code.map_or("killed".into(), |c| format!("exit {c}"))
                        )),
                        Err(e) => Err(e.sentence(target.program(), &missing(&target))),
                    };
                    finish_job(&tx, job, result);
                });
                shared.track_saying(job, task, cancelled);
            }
            Command::Shell { .. } => {
                shared.failed("A shell needs the terminal: only the cockpit's loop can open one.")
            }
            other => super::shared::misrouted("exec", &other),
        }
    }
}

/// What a cancelled one-off command's end says: the CLI is ended, but neither Docker
/// nor Kubernetes ends the process it started inside when its client goes (moby issue
/// 9098; the kubelet does the same), and pilothouse cannot know which process inside it
/// is, so it says so rather than claim it stopped.
fn cancelled_exec(target: &ExecTarget, command: &[String]) -> String {
    format!(
        "cancelled; {} exec was ended, but `{}` may still run inside {}: {} does not end \
         what an exec started when its client goes",
        target.program(),
        command
            .iter()
            .map(|w| crate::domain::text::quote(w))
            .collect::<Vec<_>>()
            .join(" "),
        target.label(),
        match target {
            ExecTarget::Container { .. } => "Docker",
            ExecTarget::Pod { .. } => "Kubernetes",
        }
    )
}

fn missing(target: &ExecTarget) -> String {
    format!(
        "{} is not installed: pilothouse runs `{} exec` for this, so install it or put it on PATH",
        target.program(),
        target.program()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cancelled_command_says_what_may_still_run_inside() {
        let container = ExecTarget::Container { name: "web".into() };
        let words = vec!["sleep".to_string(), "1 000".to_string()];
        assert_eq!(
            cancelled_exec(&container, &words),
            "cancelled; docker exec was ended, but `sleep '1 000'` may still run inside web: \
             Docker does not end what an exec started when its client goes"
        );
        let pod = ExecTarget::Pod {
            namespace: "default".into(),
            pod: "api-1".into(),
            container: "api".into(),
            context: None,
        };
        assert!(
            cancelled_exec(&pod, &words).contains("inside api-1 (api): Kubernetes does not end")
        );
    }
}
