//! Before the simulated cluster's folder is removed, the CLIs still running
//! against it are ended: a gcloud the cockpit started (its environment names
//! the folder in `CLOUDSDK_CONFIG`) makes its configuration folder again if
//! it is still starting when the folder goes, leaving a `pilothouse-sim-*`
//! behind. Only processes whose environment points into this folder are
//! touched: they were started for this sim. Linux's `/proc`; elsewhere nothing.

use std::path::Path;
use std::time::{Duration, Instant};

/// The processes (not this one) whose `CLOUDSDK_CONFIG` is inside `dir`.
fn using(dir: &Path) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let me = std::process::id() as i32;
    let wanted = format!("CLOUDSDK_CONFIG={}", dir.display());
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| *pid != me && !ended(*pid))
        .filter(|pid| {
            // Another user's process cannot be read, and is not ours to end.
            std::fs::read(format!("/proc/{pid}/environ")).is_ok_and(|environ| {
                environ
                    .split(|b| *b == 0)
                    .any(|entry| entry.starts_with(wanted.as_bytes()))
            })
        })
        .collect()
}

/// Gone, or a zombie (it writes nothing more; its parent collects it).
fn ended(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        Err(_) => true,
    }
}

/// End them, and wait (up to a second) until they have.
pub fn end_clis_using(dir: &Path) {
    let pids = using(dir);
    if pids.is_empty() {
        return;
    }
    tracing::debug!(?pids, dir = %dir.display(), "ending CLIs still using the simulated cluster");
    for pid in &pids {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(*pid),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
    let deadline = Instant::now() + Duration::from_secs(1);
    while Instant::now() < deadline && !pids.iter().all(|pid| ended(*pid)) {
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_pointed_at_the_folder_is_ended_and_no_other() {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("gcloud");
        let mut pointed = std::process::Command::new("sleep")
            .arg("30")
            .env("CLOUDSDK_CONFIG", &config)
            .spawn()
            .expect("sleep starts");
        let mut other = std::process::Command::new("sleep")
            .arg("30")
            .env("CLOUDSDK_CONFIG", "/elsewhere/gcloud")
            .spawn()
            .expect("sleep starts");
        let pid = pointed.id() as i32;
        assert_eq!(using(dir.path()), vec![pid]);
        end_clis_using(dir.path());
        assert!(pointed.wait().is_ok_and(|status| !status.success()));
        assert!(
            other.try_wait().is_ok_and(|status| status.is_none()),
            "the other still runs"
        );
        let _ = other.kill();
        let _ = other.wait();
    }
}
