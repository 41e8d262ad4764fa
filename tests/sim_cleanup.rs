//! The simulated cluster's folder is private while it runs (0700; the
//! kubeconfig, the gcloud configuration and the engine's TLS keys 0600) and
//! gone once it ends, however it is ended: `pilothouse sim` and `pilothouse
//! --demo` each on SIGTERM, SIGHUP (its terminal closed) and SIGINT (Ctrl-C).
//! Each run gets a temporary folder of its own (TMPDIR), which is counted
//! before and after.

mod common;

use common::pty::Session;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SIGNALS: [Signal; 3] = [Signal::SIGTERM, Signal::SIGHUP, Signal::SIGINT];

fn sim_folders(tmp: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(tmp)
        .expect("the temporary folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("pilothouse-sim-"))
        })
        .collect()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// The one folder a running sim made, and that only its owner may read in it.
fn assert_private(tmp: &Path, tls: bool) {
    let folders = sim_folders(tmp);
    assert_eq!(folders.len(), 1, "{folders:?}");
    let folder = &folders[0];
    assert_eq!(mode(folder), 0o700, "{}", folder.display());
    let mut secret = vec![
        folder.join("kubeconfig"),
        folder.join("gcloud/active_config"),
        folder.join("gcloud/configurations/config_default"),
    ];
    if tls {
        for name in ["ca.pem", "cert.pem", "key.pem"] {
            secret.push(folder.join("docker-certs").join(name));
        }
        assert_eq!(mode(&folder.join("docker-certs")), 0o700);
    }
    for file in secret {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
}

fn wait_until_gone(tmp: &Path, how: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !sim_folders(tmp).is_empty() {
        assert!(
            Instant::now() < deadline,
            "{how}: left behind {:?}",
            sim_folders(tmp)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn pid_of(child: &std::process::Child) -> Pid {
    Pid::from_raw(i32::try_from(child.id()).expect("a pid"))
}

#[test]
fn pilothouse_sim_keeps_its_folder_private_and_removes_it_on_every_stop_signal() {
    for signal in SIGNALS {
        let tmp = tempfile::tempdir().expect("a temporary folder of its own");
        let mut sim = Command::new(env!("CARGO_BIN_EXE_pilothouse"))
            .args(["sim", "--docker-tls-port", "0"])
            .env("TMPDIR", tmp.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("pilothouse sim starts");
        let mut stdout = BufReader::new(sim.stdout.take().expect("its output"));
        let mut printed = String::new();
        while !printed.contains("Ctrl-C stops it") {
            let mut line = String::new();
            let read = stdout.read_line(&mut line).expect("its output");
            assert!(read > 0, "it ended before it was ready:\n{printed}");
            printed.push_str(&line);
        }
        assert_private(tmp.path(), true);
        kill(pid_of(&sim), signal).expect("the signal sent");
        let status = sim.wait().expect("it ends");
        assert!(status.success(), "{signal}: {status}");
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut rest).expect("its last words");
        assert!(rest.contains("stopped and cleaned up"), "{signal}: {rest}");
        wait_until_gone(tmp.path(), &format!("pilothouse sim, {signal}"));
    }
}

#[test]
fn the_demo_removes_its_folder_on_every_stop_signal() {
    for signal in SIGNALS {
        let tmp = tempfile::tempdir().expect("a temporary folder of its own");
        let mut session = Session::start(
            &["--demo", "--learn", "off"],
            &[("TMPDIR", tmp.path().display().to_string())],
        );
        session.wait_for("pilothouse-sim");
        assert_private(tmp.path(), false);
        kill(pid_of(&session.child), signal).expect("the signal sent");
        let status = session.exit_status();
        assert!(status.success(), "{signal}: {status}");
        session.assert_restored(&format!("the demo, {signal}"));
        wait_until_gone(tmp.path(), &format!("--demo, {signal}"));
    }
}
