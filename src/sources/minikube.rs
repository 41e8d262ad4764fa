//! minikube, read through its own CLI: `profile list -o json` says whether the
//! current context is a minikube profile, `status -o json` how it is, and
//! `docker-env --shell none` where its engine listens. Each answer becomes one
//! state for the header, never a stream of errors.

use crate::domain::minikube::{MinikubeDockerEnv, MinikubeState, MinikubeStatus};
use crate::process::{self, Finished, RunError};
use serde_json::Value;
use std::ffi::OsStr;
use std::path::PathBuf;
use std::time::Duration;

/// minikube answers status in about a second; a wedged VM driver should not hang the header.
const PROBE_TIMEOUT: Duration = Duration::from_secs(20);
/// `status` exit code for a profile minikube does not have.
const EXIT_PROFILE_NOT_FOUND: i32 = 85;

/// Which minikube profile (if any) the context is, and its status.
pub async fn probe(program: &OsStr, context: Option<&str>) -> MinikubeState {
    let listed = process::output(
        process::command(program, ["profile", "list", "-o", "json"]),
        PROBE_TIMEOUT,
    )
    .await;
    let profiles = match listed {
        Err(RunError::NotFound) => return MinikubeState::NotInstalled,
        Err(e) => {
            return MinikubeState::Failed(format!("minikube profile list: {}", run_error(&e)));
        }
        // No profile at all is an error to minikube (`{"error":...}`, exit 80;
        // a fresh install without its profiles folder, exit 1): a plain state to us.
        Ok(done) if is_error_answer(&done.stdout) => Vec::new(),
        Ok(done) => match parse_profile_list(&done.stdout) {
            Ok(profiles) => profiles,
            Err(e) => return MinikubeState::Failed(format!("minikube profile list: {e}")),
        },
    };
    let Some(profile) = context.filter(|c| profiles.iter().any(|p| p == c)) else {
        return MinikubeState::NotAProfile { profiles };
    };
    let status = process::output(
        process::command(program, ["-p", profile, "status", "-o", "json"]),
        PROBE_TIMEOUT,
    )
    .await;
    match status {
        Err(e) => MinikubeState::Failed(format!("minikube status: {}", run_error(&e))),
        Ok(done) => status_state(profile, &done),
    }
}

/// stdout first: a non-zero exit with valid JSON is how minikube says "stopped".
fn status_state(profile: &str, done: &Finished) -> MinikubeState {
    match parse_status(&done.stdout) {
        Ok(status) => MinikubeState::Status(status),
        Err(_) if done.code == Some(EXIT_PROFILE_NOT_FOUND) => MinikubeState::ProfileMissing {
            profile: profile.to_string(),
        },
        Err(e) => MinikubeState::Failed(format!("minikube status: {e} ({})", done.reason())),
    }
}

/// minikube's JSON error form, `{"error":{...}}`, whatever the exit code.
fn is_error_answer(stdout: &str) -> bool {
    serde_json::from_str::<Value>(stdout.trim()).is_ok_and(|v| v.get("error").is_some())
}

pub fn run_error(e: &RunError) -> String {
    e.sentence("", "minikube is not installed (not on PATH)")
}

/// Names of the profiles, valid and invalid, from `profile list -o json`.
pub fn parse_profile_list(stdout: &str) -> Result<Vec<String>, String> {
    let value: Value =
        serde_json::from_str(stdout.trim()).map_err(|e| format!("unreadable answer: {e}"))?;
    if let Some(error) = value.get("error") {
        return Err(format!("minikube says: {error}"));
    }
    let names = |key: &str| -> Vec<String> {
        value
            .get(key)
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|p| p.get("Name").and_then(Value::as_str).map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    if value.get("valid").is_none() && value.get("invalid").is_none() {
        return Err("no \"valid\" or \"invalid\" list in the answer".to_string());
    }
    let mut all = names("valid");
    all.extend(names("invalid"));
    Ok(all)
}

/// `status -o json`: one object for one node, an array for several (workers named `-m02`…).
pub fn parse_status(stdout: &str) -> Result<MinikubeStatus, String> {
    let value: Value =
        serde_json::from_str(stdout.trim()).map_err(|e| format!("unreadable answer: {e}"))?;
    let nodes = match value {
        Value::Array(nodes) => nodes,
        object @ Value::Object(_) => vec![object],
        _ => return Err("expected a JSON object or array".to_string()),
    };
    let is_worker = |n: &Value| n.get("Worker").and_then(Value::as_bool) == Some(true);
    let control = nodes
        .iter()
        .find(|n| !is_worker(n))
        .ok_or("no control-plane node in the answer")?;
    let field = |key: &str| -> Result<String, String> {
        control
            .get(key)
            .and_then(Value::as_str)
            .map(String::from)
            .ok_or_else(|| format!("no \"{key}\" in the answer"))
    };
    Ok(MinikubeStatus {
        profile: field("Name")?,
        host: field("Host")?,
        kubelet: field("Kubelet")?,
        apiserver: field("APIServer")?,
        kubeconfig: field("Kubeconfig")?,
        workers: nodes.iter().filter(|n| is_worker(n)).count(),
    })
}

/// `docker-env --shell none`: KEY=VALUE lines (tolerating `export` and quotes).
pub fn parse_docker_env(profile: &str, stdout: &str) -> Result<MinikubeDockerEnv, String> {
    let mut host = None;
    let mut tls_verify = false;
    let mut cert_path = None;
    for line in stdout.lines() {
        let line = line.trim().trim_start_matches("export ");
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim().trim_matches('"').to_string();
        match key.trim() {
            "DOCKER_HOST" => host = Some(value),
            "DOCKER_TLS_VERIFY" => tls_verify = !value.is_empty() && value != "0",
            "DOCKER_CERT_PATH" if !value.is_empty() => cert_path = Some(PathBuf::from(value)),
            _ => {}
        }
    }
    let host = host.ok_or("minikube printed no DOCKER_HOST")?;
    if tls_verify && cert_path.is_none() {
        return Err("minikube asked for TLS but printed no DOCKER_CERT_PATH".to_string());
    }
    Ok(MinikubeDockerEnv {
        profile: profile.to_string(),
        host,
        tls_verify,
        cert_path,
    })
}

/// Run `minikube -p P docker-env --shell none` and read it.
pub async fn docker_env(program: &OsStr, profile: &str) -> Result<MinikubeDockerEnv, String> {
    let done = process::output(
        process::command(program, ["-p", profile, "docker-env", "--shell", "none"]),
        PROBE_TIMEOUT,
    )
    .await
    .map_err(|e| format!("minikube docker-env: {}", run_error(&e)))?;
    if done.code != Some(0) {
        return Err(docker_env_refusal(profile, &done));
    }
    parse_docker_env(profile, &done.stdout)
}

// minikube's exit codes for docker-env's refusals (pkg/minikube/reason/exitcodes.go).
const EXIT_USAGE: i32 = 14;
const EXIT_DRIVER_CONFLICT: i32 = 51;
const EXIT_GUEST_CONFLICT: i32 = 81;
const EXIT_GUEST_NOT_RUNNING: i32 = 83;
const EXIT_GUEST_UNAVAILABLE: i32 = 89;
const EXIT_CONTROL_PLANE_NOT_RUNNING: i32 = 103;

/// Why there is no docker-env, and what to do instead, in a sentence.
fn docker_env_refusal(profile: &str, done: &Finished) -> String {
    let said = done.reason();
    match done.code {
        Some(EXIT_DRIVER_CONFLICT) => format!(
            "minikube profile {profile} uses the 'none' driver: its pods use this machine's own Docker engine,              so images built here already reach them (no docker-env needed)"
        ),
        Some(EXIT_USAGE) if said.contains("runtime") => format!(
            "minikube profile {profile} runs no Docker engine to build in ({said}): build here and              `minikube -p {profile} image load IMAGE`"
        ),
        Some(EXIT_GUEST_CONFLICT) => format!(
            "minikube profile {profile} has several nodes, and docker-env works with one only:              use the registry addon or `minikube image load`"
        ),
        Some(EXIT_CONTROL_PLANE_NOT_RUNNING) if done.stderr.contains("paused") => {
            format!("minikube profile {profile} is paused: unpause it first (M)")
        }
        Some(EXIT_GUEST_NOT_RUNNING | EXIT_GUEST_UNAVAILABLE | EXIT_CONTROL_PLANE_NOT_RUNNING) => {
            format!("minikube profile {profile} is not running: start it first (M)")
        }
        _ => format!("minikube docker-env: {said}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUNNING: &str = r#"{"Name":"minikube","Host":"Running","Kubelet":"Running","APIServer":"Running","Kubeconfig":"Configured","Worker":false}"#;

    #[test]
    fn status_reads_one_node_several_and_stopped() {
        let status = parse_status(RUNNING).expect("parses");
        assert!(status.is_running());
        assert_eq!((status.profile.as_str(), status.workers), ("minikube", 0));
        let two = r#"[{"Name":"m","Host":"Running","Kubelet":"Running","APIServer":"Running","Kubeconfig":"Configured","Worker":false},
                      {"Name":"m-m02","Host":"Running","Kubelet":"Running","APIServer":"Irrelevant","Kubeconfig":"Irrelevant","Worker":true}]"#;
        assert_eq!(parse_status(two).map(|s| s.workers), Ok(1));
        let stopped = r#"{"Name":"minikube","Host":"Stopped","Kubelet":"Stopped","APIServer":"Stopped","Kubeconfig":"Stopped","Worker":false}"#;
        let done = Finished {
            code: Some(7),
            stdout: stopped.into(),
            stderr: String::new(),
        };
        let MinikubeState::Status(status) = status_state("minikube", &done) else {
            panic!("exit 7 with JSON is a status")
        };
        assert!(!status.is_running());
        assert_eq!(status.host, "Stopped");
        let missing = Finished {
            code: Some(85),
            stdout: String::new(),
            stderr: "Profile \"gone\" not found.".into(),
        };
        assert_eq!(
            status_state("gone", &missing),
            MinikubeState::ProfileMissing {
                profile: "gone".into()
            }
        );
        assert!(parse_status("not json").is_err());
        assert!(
            parse_status(r#"{"Name":"m"}"#)
                .unwrap_err()
                .contains("Host")
        );
    }

    #[test]
    fn profile_list_names_valid_and_invalid_profiles() {
        let listed = r#"{"invalid":[{"Name":"broken"}],"valid":[{"Name":"minikube","Status":"OK","Config":{},"Active":true,"ActiveKubeContext":true}]}"#;
        assert_eq!(
            parse_profile_list(listed),
            Ok(vec!["minikube".to_string(), "broken".to_string()])
        );
        assert!(parse_profile_list(r#"{"error":{"message":"x"}}"#).is_err());
        assert!(parse_profile_list("{}").is_err());
    }

    #[test]
    fn docker_env_reads_the_reference_lines() {
        let printed = "DOCKER_TLS_VERIFY=1\nDOCKER_HOST=tcp://127.0.0.1:32842\nDOCKER_CERT_PATH=/home/user/.minikube/certs\nMINIKUBE_ACTIVE_DOCKERD=minikube\n";
        let env = parse_docker_env("minikube", printed).expect("parses");
        assert_eq!(env.host, "tcp://127.0.0.1:32842");
        assert!(env.tls_verify);
        assert_eq!(
            env.cert_path.as_deref(),
            Some(std::path::Path::new("/home/user/.minikube/certs"))
        );
        let exported = "export DOCKER_HOST=\"ssh://docker@127.0.0.1:32843\"\n";
        let env = parse_docker_env("minikube", exported).expect("parses");
        assert!(!env.tls_verify);
        assert!(parse_docker_env("minikube", "").is_err());
        assert!(
            parse_docker_env("minikube", "DOCKER_TLS_VERIFY=1\nDOCKER_HOST=tcp://x:1").is_err()
        );
    }
}
