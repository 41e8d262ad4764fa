//! The built binary in a detached tmux session: keys in, the screen read
//! back, the terminal's modes checked. The user's own config is never read:
//! `PILOTHOUSE_CONFIG` and `XDG_CONFIG_HOME` point into the test's directory.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_pilothouse");

pub struct Tmux {
    session: String,
}

impl Tmux {
    /// Start the binary in a detached 120x40 session, in `dir`.
    pub fn start(name: &str, dir: &Path, state_dir: &Path) -> Self {
        Self::start_with(name, dir, state_dir, "")
    }

    pub fn start_with(name: &str, dir: &Path, state_dir: &Path, flags: &str) -> Self {
        Self::start_full(name, dir, state_dir, "", flags, 120)
    }

    /// `env` is prepended to the command line (`NAME=value …`); `width` columns, 40 rows.
    pub fn start_full(
        name: &str,
        dir: &Path,
        state_dir: &Path,
        env: &str,
        flags: &str,
        width: u16,
    ) -> Self {
        let session = format!("pilothouse-{name}-{}", std::process::id());
        // The tmux server keeps the environment it started with: the test's own
        // temporary folder is passed on, so what the program leaves there is counted.
        let script = format!(
            "TMPDIR='{tmp}' PILOTHOUSE_CONFIG='{state}/config.toml' XDG_CONFIG_HOME='{state}/config' {env} BROWSER=true XDG_STATE_HOME='{state}' '{BIN}' {flags}; echo pilothouse-exited:$?; sleep 120",
            tmp = std::env::temp_dir().display(),
            state = state_dir.display()
        );
        let width = width.to_string();
        let status = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &session,
                "-x",
                &width,
                "-y",
                "40",
                "-c",
            ])
            .arg(dir)
            .arg(script)
            .status()
            .expect("run tmux");
        assert!(status.success(), "tmux new-session failed");
        Self { session }
    }

    pub fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.session])
            .output()
            .expect("capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The screen with its colours and attributes as escape sequences (`capture-pane -e`).
    pub fn screen_styled(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-e", "-p", "-t", &self.session])
            .output()
            .expect("capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Bytes typed as they are: a mouse report, for instance.
    pub fn keys_literal(&self, text: &str) {
        let status = Command::new("tmux")
            .args(["send-keys", "-l", "-t", &self.session, text])
            .status()
            .expect("send-keys");
        assert!(status.success());
    }

    pub fn keys(&self, keys: &[&str]) {
        let status = Command::new("tmux")
            .args(["send-keys", "-t", &self.session])
            .args(keys)
            .status()
            .expect("send-keys");
        assert!(status.success());
    }

    pub fn wait_for(&self, text: &str, within: Duration) -> String {
        let deadline = Instant::now() + within;
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("'{text}' did not appear within {within:?}; the screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `alternate_on cursor_flag` of the pane: "0 1" is a restored terminal.
    pub fn modes(&self) -> String {
        let out = Command::new("tmux")
            .args([
                "display-message",
                "-p",
                "-t",
                &self.session,
                "#{alternate_on} #{cursor_flag}",
            ])
            .output()
            .expect("display-message");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    pub fn program_pid(&self) -> String {
        let out = Command::new("tmux")
            .args(["display-message", "-p", "-t", &self.session, "#{pane_pid}"])
            .output()
            .expect("pane_pid");
        let shell = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let out = Command::new("pgrep")
            .args(["-P", &shell])
            .output()
            .expect("pgrep");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or_default()
            .to_string()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.session])
            .status();
    }
}

pub fn tmux_available(test: &str) -> bool {
    if Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return true;
    }
    let required = ["PILOTHOUSE_REQUIRE_DOCKER", "PILOTHOUSE_REQUIRE_CLIS"]
        .iter()
        .any(|v| std::env::var(v).is_ok_and(|x| x == "1"));
    if required {
        panic!("{test}: tmux is not installed (apt-get install tmux)");
    }
    eprintln!("SKIPPED {test}: tmux is not installed (apt-get install tmux)");
    false
}
