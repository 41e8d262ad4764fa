//! However pilothouse ends, the terminal is given back as it was: a panic
//! in `update`, a panic while rendering, Ctrl-C and SIGTERM, each in a
//! pseudo-terminal of our own. Checked twice: in what the program wrote (it
//! leaves the alternate screen and shows the cursor after its last frame)
//! and in the terminal's modes once it has gone (raw mode off: the line
//! discipline, echo and signals are back as they were before it started).

mod common;

use common::pty::{ENTER_ALTERNATE, LEAVE_ALTERNATE, Session};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use std::time::Duration;

const F12: &[u8] = b"\x1b[24~";

/// pilothouse with no engine and no cluster, and the panic a test asks for.
fn start(panic: Option<&str>) -> Session {
    let home = tempfile::tempdir().expect("a place for the missing engine and cluster");
    let mut env = vec![
        (
            "DOCKER_HOST",
            format!("unix://{}/no.sock", home.path().display()),
        ),
        (
            "KUBECONFIG",
            home.path().join("no-kubeconfig").display().to_string(),
        ),
        (
            "CLOUDSDK_CONFIG",
            home.path().join("gcloud").display().to_string(),
        ),
    ];
    if let Some(stage) = panic {
        env.push(("PILOTHOUSE_TEST_PANIC", stage.to_string()));
    }
    Session::start(&["--learn", "off"], &env)
}

/// Running, the terminal is the program's: raw mode on, alternate screen.
fn started(panic: Option<&str>) -> Session {
    let session = start(panic);
    session.wait_for("Containers");
    assert!(session.is_raw(), "raw mode while running");
    assert!(session.text().contains(ENTER_ALTERNATE));
    session
}

#[test]
fn a_panic_in_update_restores_the_terminal_and_reads_clearly() {
    let mut session = started(Some("update"));
    session.press(F12);
    let status = session.exit_status();
    assert_eq!(
        status.code(),
        Some(101),
        "a panic ends the program as a panic"
    );
    session.assert_restored("panic in update");
    let text = session.text();
    let report = text
        .rfind("injected panic in update")
        .expect("the panic is reported");
    assert!(
        report > text.rfind(LEAVE_ALTERNATE).expect("left"),
        "the report is printed on the restored screen, where it stays readable"
    );
}

#[test]
fn a_panic_in_rendering_restores_the_terminal() {
    let mut session = started(Some("render"));
    session.press(F12);
    let status = session.exit_status();
    assert_eq!(status.code(), Some(101));
    session.assert_restored("panic in render");
    let text = session.text();
    let report = text
        .rfind("injected panic in render")
        .expect("the panic is reported");
    assert!(report > text.rfind(LEAVE_ALTERNATE).expect("left"));
}

#[test]
fn ctrl_c_restores_the_terminal() {
    let mut session = started(None);
    session.press(b"\x03");
    assert!(session.exit_status().success());
    session.assert_restored("ctrl-c");
}

#[test]
fn sigterm_restores_the_terminal() {
    let mut session = started(None);
    let pid = Pid::from_raw(i32::try_from(session.child.id()).expect("a pid"));
    kill(pid, Signal::SIGTERM).expect("SIGTERM sent");
    assert!(session.exit_status().success());
    session.assert_restored("SIGTERM");
}

#[test]
fn without_the_variable_f12_is_only_a_key() {
    let mut session = started(None);
    session.press(F12);
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        session.child.try_wait().expect("state").is_none(),
        "F12 does nothing special unless a test asks"
    );
    session.press(b"q");
    assert!(session.exit_status().success());
    session.assert_restored("q");
}
