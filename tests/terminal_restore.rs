//! However pilothouse ends, the terminal is given back as it was: a panic
//! in `update`, a panic while rendering, Ctrl-C and SIGTERM, each in a
//! pseudo-terminal of our own. Checked twice: in what the program wrote (it
//! leaves the alternate screen and shows the cursor after its last frame)
//! and in the terminal's modes once it has gone (raw mode off: the line
//! discipline, echo and signals are back as they were before it started).

use nix::pty::{Winsize, openpty};
use nix::sys::signal::{Signal, kill};
use nix::sys::termios::{InputFlags, LocalFlags, OutputFlags, Termios, tcgetattr};
use nix::unistd::Pid;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::process::{Child, Command, ExitStatus};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ENTER_ALTERNATE: &str = "\x1b[?1049h";
const LEAVE_ALTERNATE: &str = "\x1b[?1049l";
const SHOW_CURSOR: &str = "\x1b[?25h";
const MOUSE_ON: &str = "\x1b[?1000h";
const MOUSE_OFF: &str = "\x1b[?1000l";
const F12: &[u8] = b"\x1b[24~";

struct Session {
    child: Child,
    input: File,
    output: Arc<Mutex<Vec<u8>>>,
    /// Kept open, so the terminal's modes can be read after the program has gone.
    terminal: OwnedFd,
    before: Termios,
    _home: tempfile::TempDir,
}

impl Session {
    /// pilothouse on a fresh 120x40 pseudo-terminal, with no engine and no cluster.
    fn start(panic: Option<&str>) -> Self {
        let size = Winsize {
            ws_row: 40,
            ws_col: 120,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        let pty = openpty(Some(&size), None).expect("a pseudo-terminal");
        let before = tcgetattr(&pty.slave).expect("the terminal's modes");
        let home = tempfile::tempdir().expect("tempdir");
        let stdio = || pty.slave.try_clone().expect("the terminal's fd");
        let mut command = Command::new(env!("CARGO_BIN_EXE_pilothouse"));
        command
            .args(["--learn", "off"])
            .env("HOME", home.path())
            .env("PILOTHOUSE_CONFIG", home.path().join("none.toml"))
            .env(
                "DOCKER_HOST",
                format!("unix://{}/no.sock", home.path().display()),
            )
            .env("KUBECONFIG", home.path().join("no-kubeconfig"))
            .env("CLOUDSDK_CONFIG", home.path().join("gcloud"))
            .env("TERM", "xterm-256color")
            .env_remove("PILOTHOUSE_TEST_PANIC")
            .stdin(stdio())
            .stdout(stdio())
            .stderr(stdio());
        if let Some(stage) = panic {
            command.env("PILOTHOUSE_TEST_PANIC", stage);
        }
        let child = command.spawn().expect("pilothouse starts");
        let master = File::from(pty.master);
        let input = master.try_clone().expect("the terminal's input side");
        let output = Arc::new(Mutex::new(Vec::new()));
        let sink = output.clone();
        std::thread::spawn(move || {
            let mut master = master;
            let mut chunk = [0u8; 8192];
            // Ends with EIO once the program and its children have closed the terminal.
            while let Ok(n) = master.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                sink.lock().expect("output").extend_from_slice(&chunk[..n]);
            }
        });
        Self {
            child,
            input,
            output,
            terminal: pty.slave,
            before,
            _home: home,
        }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().expect("output")).into_owned()
    }

    fn wait_for(&self, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.text().contains(what) {
            assert!(
                Instant::now() < deadline,
                "never saw {what:?}: {:?}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn press(&mut self, bytes: &[u8]) {
        self.input.write_all(bytes).expect("typed");
    }

    fn exit_status(&mut self) -> ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.try_wait().expect("the program's state") {
                // What it wrote last reaches the reader a moment later.
                std::thread::sleep(Duration::from_millis(300));
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "pilothouse did not end: {:?}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The program has gone: the screen is left, the cursor shown, the modes as before.
    fn assert_restored(&self, how: &str) {
        let text = self.text();
        let entered = text
            .rfind(ENTER_ALTERNATE)
            .expect("the alternate screen was used");
        let after = &text[entered..];
        let tail = &after[after.len().saturating_sub(400)..];
        assert!(
            after.contains(LEAVE_ALTERNATE),
            "{how}: the alternate screen was left: {tail:?}"
        );
        assert!(
            after.contains(SHOW_CURSOR),
            "{how}: the cursor was shown again: {tail:?}"
        );
        if after.contains(MOUSE_ON) {
            assert!(
                after.contains(MOUSE_OFF),
                "{how}: mouse capture was turned off: {tail:?}"
            );
        }
        let now = tcgetattr(&self.terminal).expect("the terminal's modes");
        let raw_off = LocalFlags::ICANON | LocalFlags::ECHO | LocalFlags::ISIG | LocalFlags::IEXTEN;
        assert_eq!(
            now.local_flags & raw_off,
            self.before.local_flags & raw_off,
            "{how}: line editing, echo and signals are back"
        );
        assert_eq!(
            now.input_flags & InputFlags::ICRNL,
            self.before.input_flags & InputFlags::ICRNL,
            "{how}: return reads as newline again"
        );
        assert_eq!(
            now.output_flags & OutputFlags::OPOST,
            self.before.output_flags & OutputFlags::OPOST,
            "{how}: output processing is back"
        );
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Running, the terminal is the program's: raw mode on, alternate screen.
fn started(panic: Option<&str>) -> Session {
    let session = Session::start(panic);
    session.wait_for("Containers");
    let modes = tcgetattr(&session.terminal).expect("modes");
    assert!(
        !modes.local_flags.contains(LocalFlags::ICANON),
        "raw mode while running"
    );
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
