//! pilothouse in a pseudo-terminal of the test's own: what it wrote, keys
//! typed into it, and the terminal's modes (raw or not) read from outside.

use nix::pty::{Winsize, openpty};
use nix::sys::termios::{InputFlags, LocalFlags, OutputFlags, Termios, tcgetattr};
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::process::{Child, Command, ExitStatus};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const ENTER_ALTERNATE: &str = "\x1b[?1049h";
pub const LEAVE_ALTERNATE: &str = "\x1b[?1049l";
pub const SHOW_CURSOR: &str = "\x1b[?25h";
pub const MOUSE_ON: &str = "\x1b[?1000h";
pub const MOUSE_OFF: &str = "\x1b[?1000l";

pub struct Session {
    pub child: Child,
    input: File,
    output: Arc<Mutex<Vec<u8>>>,
    /// Kept open, so the terminal's modes can be read after the program has gone.
    pub terminal: OwnedFd,
    pub before: Termios,
    _home: tempfile::TempDir,
}

impl Session {
    /// pilothouse on a fresh 120x40 pseudo-terminal with a home and config of
    /// its own, these arguments, and these variables on top.
    pub fn start(args: &[&str], env: &[(&str, String)]) -> Self {
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
            .args(args)
            .env("HOME", home.path())
            .env("PILOTHOUSE_CONFIG", home.path().join("none.toml"))
            .env("TERM", "xterm-256color")
            .env_remove("PILOTHOUSE_TEST_PANIC")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(stdio())
            .stdout(stdio())
            .stderr(stdio());
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

    /// All it has written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().expect("output")).into_owned()
    }

    /// Everything written since `mark` (a length of `text()` taken before).
    pub fn text_since(&self, mark: usize) -> String {
        let text = self.text();
        text.get(mark..).unwrap_or("").to_string()
    }

    /// The screen as a user sees it now (120x40), rows joined by newlines.
    pub fn screen(&self) -> String {
        let (rows, columns) = (
            std::num::NonZeroU16::new(40).expect("rows"),
            std::num::NonZeroU16::new(120).expect("columns"),
        );
        let mut parser = vt100::Parser::new(rows, columns, 0);
        parser.process(&self.output.lock().expect("output"));
        parser.screen().contents()
    }

    /// Waits until the screen shows `what`.
    pub fn wait_for_screen(&self, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.screen().contains(what) {
            assert!(
                Instant::now() < deadline,
                "the screen never showed {what:?}:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn wait_for(&self, what: &str) {
        self.wait_for_since(0, what);
    }

    pub fn wait_for_since(&self, mark: usize, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.text_since(mark).contains(what) {
            assert!(
                Instant::now() < deadline,
                "never saw {what:?}: {:?}",
                self.text_since(mark)
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn press(&mut self, bytes: &[u8]) {
        self.input.write_all(bytes).expect("typed");
    }

    pub fn exit_status(&mut self) -> ExitStatus {
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

    /// Raw mode: no line editing, echo or signals from the terminal.
    pub fn is_raw(&self) -> bool {
        let modes = tcgetattr(&self.terminal).expect("the terminal's modes");
        !modes.local_flags.contains(LocalFlags::ICANON)
            && !modes.local_flags.contains(LocalFlags::ECHO)
    }

    /// The program has gone: the screen is left, the cursor shown, the modes as before.
    pub fn assert_restored(&self, how: &str) {
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
    /// SIGTERM first, so a demo removes its simulated cluster's folder even when a test fails.
    fn drop(&mut self) {
        if let Ok(pid) = i32::try_from(self.child.id()) {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGTERM,
            );
        }
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
