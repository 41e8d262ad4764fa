//! Containers that end. A simulated container runs no process, so one whose
//! command is a shell line with an `exit` in it (`sh -c 'echo no config;
//! exit 3'`, from the pod spec or the image's CMD) is run by the built-in
//! shell when it starts: what it prints is its log, and the `exit` its end.
//! Then the kubelet's restart cycle follows: Error (or Completed), a
//! back-off (CrashLoopBackOff, the last run in `lastState`), a restart with
//! the count raised; `restartPolicy: Never` ends the pod instead. Every other
//! container runs on, as before.

use super::common::*;
use crate::sim::clock::{now_secs, rfc3339};
use crate::sim::kube::shared::Timing;
use crate::sim::kube::store::Store;
use crate::sim::shell::{BUILTINS, Machine, is_shell, run_argv};
use serde_json::{Value, json};
use std::time::Instant;

/// How one run of the container ended.
pub(super) struct Run {
    pub(super) code: i32,
    pub(super) output: Vec<String>,
}

/// The container's command (spec, else the image's), when it ends: a shell
/// line with an `exit`, or, in a pod that is not restarted (`finite`: a
/// Job's, `restartPolicy` Never or OnFailure), any command at all.
pub(super) fn ending_command(
    container: &Value,
    machine: &Machine,
    finite: bool,
) -> Option<Vec<String>> {
    let words = |key: &str| -> Vec<String> {
        container[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default()
    };
    let (command, args) = (words("command"), words("args"));
    let argv: Vec<String> = if command.is_empty() && args.is_empty() {
        shell_words(&machine.command)
    } else if command.is_empty() {
        args
    } else {
        command.into_iter().chain(args).collect()
    };
    match argv.as_slice() {
        [shell, flag, line, ..] if is_shell(shell) && flag == "-c" && line.contains("exit") => {
            Some(argv)
        }
        _ if finite => {
            let argv = if argv.is_empty() {
                machine
                    .command
                    .split_whitespace()
                    .map(String::from)
                    .collect()
            } else {
                argv
            };
            Some(if argv.is_empty() {
                vec!["exit".to_string()]
            } else {
                argv
            })
        }
        _ => None,
    }
}

/// The image's command line as the engine keeps it (`sh -c echo…` joined by
/// spaces): the shell and `-c`, then the rest as the one line.
fn shell_words(command_line: &str) -> Vec<String> {
    let mut parts = command_line.splitn(3, ' ');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(shell), Some("-c"), Some(line)) => {
            vec![shell.to_string(), "-c".to_string(), line.to_string()]
        }
        _ => Vec::new(),
    }
}

pub(super) fn run(machine: &Machine, argv: &[String]) -> Run {
    // A program the built-in shell does not have (a Job's `perl`, `python`)
    // ends as if it had done its work, and its log says so.
    if let Some(program) = argv.first()
        && !is_shell(program)
        && !BUILTINS.contains(&program.rsplit('/').next().unwrap_or(program))
    {
        return Run {
            code: 0,
            output: vec![format!(
                "[pilothouse sim] {} is not run in the simulated cluster; the container ends as if it had succeeded",
                argv.join(" ")
            )],
        };
    }
    let ran = run_argv(machine, argv);
    let text =
        String::from_utf8_lossy(&ran.stdout).to_string() + &String::from_utf8_lossy(&ran.stderr);
    Run {
        code: ran.code,
        output: text.lines().map(String::from).collect(),
    }
}

fn terminated(run: &Run, started: &str) -> Value {
    let reason = if run.code == 0 { "Completed" } else { "Error" };
    json!({"terminated": {"exitCode": run.code, "reason": reason, "startedAt": started,
                          "finishedAt": rfc3339(now_secs()), "containerID": ""}})
}

/// The pod as the kubelet reports it when the container has just ended:
/// not ready, its state terminated; for `restartPolicy: Never` (or
/// OnFailure and a clean end) the pod's phase ends too.
pub(super) fn ended(pod: &Value, container: &str, run: &Run) -> (Value, bool) {
    let now = rfc3339(now_secs());
    let policy = s(pod, "/spec/restartPolicy");
    let last = match policy {
        "Never" => true,
        "OnFailure" => run.code == 0,
        _ => false,
    };
    let mut next = pod.clone();
    if last {
        next["status"]["phase"] = json!(if run.code == 0 { "Succeeded" } else { "Failed" });
    }
    set_not_ready(&mut next, container, &now);
    if let Some(status) = container_status(&mut next, container) {
        status["ready"] = json!(false);
        status["started"] = json!(false);
        status["state"] = terminated(run, &now);
    }
    (next, last)
}

fn set_not_ready(pod: &mut Value, container: &str, now: &str) {
    if let Some(conditions) = pod
        .pointer_mut("/status/conditions")
        .and_then(Value::as_array_mut)
    {
        for condition in conditions
            .iter_mut()
            .filter(|c| matches!(c["type"].as_str(), Some("Ready" | "ContainersReady")))
        {
            condition["status"] = json!("False");
            condition["reason"] = json!("ContainersNotReady");
            condition["message"] = json!(format!("containers with unready status: [{container}]"));
            condition["lastTransitionTime"] = json!(now);
        }
    }
}

fn container_status<'a>(pod: &'a mut Value, container: &str) -> Option<&'a mut Value> {
    pod.pointer_mut("/status/containerStatuses")?
        .as_array_mut()?
        .iter_mut()
        .find(|c| c["name"] == json!(container))
}

impl super::Controller {
    /// The restart cycle of every pod whose container ends.
    pub(super) fn crashes(&mut self, store: &mut Store, timing: &Timing) {
        let due: Vec<String> = self
            .crashing
            .iter()
            .filter(|(_, c)| {
                let wait = if c.backing_off {
                    timing.back_off * 2
                } else {
                    timing.back_off
                };
                c.since.elapsed() >= wait
            })
            .map(|(uid, _)| uid.clone())
            .collect();
        for pod_uid in due {
            let Some(crash) = self.crashing.get_mut(&pod_uid) else {
                continue;
            };
            let Some(pod) = store
                .get("pods", &crash.namespace, &crash.name)
                .filter(|p| uid(p) == pod_uid)
            else {
                self.crashing.remove(&pod_uid);
                continue;
            };
            crash.since = Instant::now();
            let next = if crash.backing_off {
                crash.backing_off = false;
                let run = run(&crash.machine, &crash.argv);
                // A new container: its log starts empty (the last one's is `--previous`).
                store.pod_logs.remove(&pod_uid);
                for line in &run.output {
                    store.append_pod_log(&pod_uid, line.clone());
                }
                record_event(
                    store,
                    &pod,
                    "Normal",
                    "Started",
                    &format!("Started container {}", crash.container),
                );
                let (next, _) = ended(&pod, &crash.container, &run);
                store.keep_last_run(&pod_uid, run.output);
                next
            } else {
                crash.backing_off = true;
                back_off(store, &pod, &crash.container, timing)
            };
            store.replace(res("pods"), next);
        }
    }
}

/// CrashLoopBackOff: the run that ended moves to `lastState`, the count goes up.
fn back_off(store: &mut Store, pod: &Value, container: &str, timing: &Timing) -> Value {
    let mut next = pod.clone();
    let pod_ref = format!(
        "{}_{}({})",
        s(pod, "/metadata/name"),
        s(pod, "/metadata/namespace"),
        s(pod, "/metadata/uid")
    );
    let seconds = (timing.back_off * 2).as_secs().max(1);
    if let Some(status) = container_status(&mut next, container) {
        let ended = status["state"].clone();
        status["lastState"] = ended;
        status["state"] = json!({"waiting": {"reason": "CrashLoopBackOff",
            "message": format!("back-off {seconds}s restarting failed container={container} pod={pod_ref}")}});
        let count = status["restartCount"].as_i64().unwrap_or(0) + 1;
        status["restartCount"] = json!(count);
    }
    record_event(
        store,
        pod,
        "Warning",
        "BackOff",
        &format!("Back-off restarting failed container {container} in pod {pod_ref}"),
    );
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_shell_line_that_exits_ends() {
        let machine = Machine::default();
        let spec = |c: Value| ending_command(&c, &machine, false);
        assert!(spec(json!({"command": ["sh", "-c", "echo no config; exit 3"]})).is_some());
        assert!(spec(json!({"command": ["sh"], "args": ["-c", "exit 1"]})).is_some());
        assert!(spec(json!({"command": ["python", "app.py"]})).is_none());
        assert!(spec(json!({"command": ["sh", "-c", "echo hello"]})).is_none());
        let image = Machine {
            command: "/bin/sh -c echo starting; exit 2".into(),
            ..Default::default()
        };
        let argv = ending_command(&json!({}), &image, false).expect("the image's CMD ends");
        let ran = run(&image, &argv);
        assert_eq!((ran.code, ran.output), (2, vec!["starting".to_string()]));
    }

    #[test]
    fn a_jobs_command_runs_to_its_end() {
        let machine = Machine::default();
        let argv = ending_command(&json!({"command": ["echo", "hello"]}), &machine, true)
            .expect("a finite pod's command ends");
        let ran = run(&machine, &argv);
        assert_eq!((ran.code, ran.output), (0, vec!["hello".to_string()]));
        let argv = ending_command(
            &json!({"command": ["perl", "-e", "print 1"]}),
            &machine,
            true,
        )
        .expect("ends");
        let ran = run(&machine, &argv);
        assert_eq!(ran.code, 0);
        assert!(ran.output[0].contains("perl -e print 1 is not run in the simulated cluster"));
        let argv = ending_command(
            &json!({"command": ["sh", "-c", "echo no; exit 4"]}),
            &machine,
            true,
        )
        .expect("ends");
        assert_eq!(run(&machine, &argv).code, 4);
    }

    #[test]
    fn a_pod_that_must_not_restart_ends() {
        let pod = json!({"spec": {"restartPolicy": "Never"}, "status": {"phase": "Running",
            "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [{"name": "app", "ready": true, "restartCount": 0, "state": {"running": {}}}]}});
        let (next, last) = ended(
            &pod,
            "app",
            &Run {
                code: 3,
                output: Vec::new(),
            },
        );
        assert!(last);
        assert_eq!(next["status"]["phase"], "Failed");
        assert_eq!(next["status"]["conditions"][0]["status"], "False");
        assert_eq!(
            next["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"],
            3
        );
    }
}
