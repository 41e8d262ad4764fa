//! The real `kubectl`, run against a kubeconfig with a cache of its own
//! (so runs do not share discovery), blocking: call it from `spawn_blocking`.

use std::process::Command;
use std::time::{Duration, Instant};

pub struct Kubectl {
    pub kubeconfig: String,
    cache: tempfile::TempDir,
}

impl Kubectl {
    pub fn new(kubeconfig: impl std::fmt::Display) -> Self {
        Self {
            kubeconfig: kubeconfig.to_string(),
            cache: tempfile::tempdir().expect("a cache folder"),
        }
    }

    /// Whether it succeeded, and what it printed (stdout, then stderr).
    pub fn run(&self, args: &[&str]) -> (bool, String) {
        // The global flag goes first: after `exec POD --` it would be the command's.
        let out = Command::new("kubectl")
            .arg("--cache-dir")
            .arg(self.cache.path())
            .args(args)
            .env("KUBECONFIG", &self.kubeconfig)
            .output()
            .expect("run kubectl");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let (ok, text) = self.run(args);
        assert!(ok, "kubectl {} failed:\n{text}", args.join(" "));
        text
    }

    /// It succeeds (or fails, `ok` false) and says `what`.
    pub fn says(&self, args: &[&str], ok: bool, what: &str) -> String {
        let (success, text) = self.run(args);
        assert_eq!(success, ok, "kubectl {}:\n{text}", args.join(" "));
        assert!(
            text.contains(what),
            "kubectl {}: no {what:?} in:\n{text}",
            args.join(" ")
        );
        text
    }

    /// Run until the output satisfies `done` (the cluster converges over a second or two).
    pub fn until(&self, args: &[&str], what: &str, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = self.ok(args);
            if done(&text) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "kubectl {}: {what} never came:\n{text}",
                args.join(" ")
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}
