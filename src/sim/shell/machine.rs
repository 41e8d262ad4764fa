//! What a simulated container looks like from inside, and what a command leaves.

use std::collections::BTreeMap;

/// The commands the built-in shell has (also what `command -v` finds).
pub const BUILTINS: &[&str] = &[
    "ls", "cat", "pwd", "cd", "env", "hostname", "echo", "ps", "exit", "sh", "command",
];

/// What a simulated container looks like from inside.
#[derive(Debug, Clone, Default)]
pub struct Machine {
    /// Absolute path -> content; `None` for a file too large to keep (its name is still listed).
    pub files: BTreeMap<String, Option<Vec<u8>>>,
    /// `KEY=VALUE`, in order: the image's, then the container's.
    pub env: Vec<String>,
    pub hostname: String,
    /// Where a shell starts (the image's WORKDIR, else `/`).
    pub workdir: String,
    /// The main process's command line, as `ps` shows it as PID 1.
    pub command: String,
    /// Whether `>` and `>>` may write files (a container's are kept; a pod's are not).
    pub writable: bool,
    /// Folders that exist though no file is in them (where an empty volume is mounted).
    pub dirs: Vec<String>,
}

/// A file a command line wrote (`echo hi > /data/greeting`), for the caller to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub path: String,
    pub content: Vec<u8>,
    pub append: bool,
}

/// What one command line left: its output, and its exit code.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Ran {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub code: i32,
    /// `exit` was run: the shell ends with `code`.
    pub exit: bool,
    /// Files written by `>` and `>>`, in order.
    pub writes: Vec<Written>,
}

/// `sh`, `/bin/sh`, `ash`: the shells the built-in one stands for.
pub fn is_shell(program: &str) -> bool {
    matches!(program, "sh" | "/bin/sh" | "ash" | "/bin/ash")
}

/// The mutable part of a shell: where it is.
#[derive(Debug, Clone)]
pub struct ShellState {
    pub cwd: String,
}

impl ShellState {
    pub fn new(machine: &Machine) -> Self {
        Self {
            cwd: if machine.workdir.is_empty() {
                "/".into()
            } else {
                machine.workdir.clone()
            },
        }
    }
}

pub fn failed(code: i32, message: &str) -> Ran {
    Ran {
        stderr: message.as_bytes().to_vec(),
        code,
        ..Default::default()
    }
}

/// `a/../b/./c` under `cwd` -> `/b/c`.
pub fn resolve(cwd: &str, path: &str) -> String {
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{cwd}/{path}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    format!("/{}", parts.join("/"))
}

impl Machine {
    /// The machine as it is after a write, so later commands of the same session see it.
    pub fn apply(&mut self, written: &Written) {
        let entry = self
            .files
            .entry(written.path.clone())
            .or_insert(Some(Vec::new()));
        match entry {
            Some(content) if written.append => content.extend_from_slice(&written.content),
            other => *other = Some(written.content.clone()),
        }
    }

    /// The files, with the few a Linux container always has.
    pub fn file(&self, path: &str) -> Option<Option<&[u8]>> {
        if path == "/etc/hostname" {
            return Some(Some(self.hostname.as_bytes()));
        }
        self.files.get(path).map(|c| c.as_deref())
    }

    pub fn is_dir(&self, path: &str) -> bool {
        if path == "/"
            || matches!(path, "/etc" | "/bin" | "/proc" | "/tmp")
            || self.dirs.iter().any(|d| d == path)
        {
            return true;
        }
        let prefix = format!("{path}/");
        self.files.keys().any(|f| f.starts_with(&prefix))
    }

    /// The names directly under a directory, sorted; directories marked with a trailing `/`.
    pub fn children(&self, dir: &str) -> Vec<String> {
        let prefix = if dir == "/" {
            "/".to_string()
        } else {
            format!("{dir}/")
        };
        let mut names: Vec<String> = self
            .files
            .keys()
            .filter_map(|f| f.strip_prefix(&prefix))
            .map(|rest| match rest.split_once('/') {
                Some((first, _)) => format!("{first}/"),
                None => rest.to_string(),
            })
            .collect();
        if dir == "/" {
            names.extend(["bin/", "etc/", "proc/", "tmp/"].map(String::from));
        }
        if dir == "/etc" {
            names.push("hostname".into());
        }
        for folder in &self.dirs {
            if let Some(rest) = folder.strip_prefix(&prefix) {
                names.push(format!("{}/", rest.split('/').next().unwrap_or(rest)));
            }
        }
        names.sort();
        names.dedup();
        names
    }

    /// The environment a process in it sees.
    pub fn environment(&self) -> Vec<String> {
        let mut env = vec![
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string(),
            format!("HOSTNAME={}", self.hostname),
        ];
        for pair in &self.env {
            let key = pair.split('=').next().unwrap_or_default();
            env.retain(|e| e.split('=').next() != Some(key));
            env.push(pair.clone());
        }
        if !env.iter().any(|e| e.starts_with("HOME=")) {
            env.push("HOME=/root".into());
        }
        env
    }

    pub fn variable(&self, name: &str) -> Option<String> {
        self.environment()
            .into_iter()
            .find_map(|e| e.strip_prefix(&format!("{name}=")).map(String::from))
    }
}
