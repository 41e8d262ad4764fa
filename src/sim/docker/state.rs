//! The simulated engine's world: images, containers, their logs and the
//! event stream. Shared by the request handlers behind one mutex; no lock is
//! held across an await.

use crate::domain::humanize_duration;
use crate::sim::clock::{now_nanos, now_secs, rfc3339};
use crate::sim::http::{Body, json};
use hyper::{Response, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

/// The engine's state, shared by the handlers.
pub type Shared = Arc<Mutex<Engine>>;

/// Wait until the listeners of every halted container are dropped, so their
/// ports can be bound again.
pub async fn ports_released(shared: &Shared) {
    // One waiter at a time: a request that finds the list already taken by
    // another must still wait until those listeners are gone.
    let releasing = lock(shared).releasing.clone();
    let _turn = releasing.lock().await;
    let closing = std::mem::take(&mut lock(shared).closing);
    for task in closing {
        // An aborted task ends as cancelled; that is the wanted end.
        let _ = task.await;
    }
}

pub fn lock(shared: &Shared) -> MutexGuard<'_, Engine> {
    // A handler that panicked mid-change leaves a usable engine: the data is plain.
    shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub(crate) fn error(status: StatusCode, message: &str) -> Response<Body> {
    json(status, &json!({"message": message}))
}

pub const LOG_LINES_KEPT: usize = 10_000;

#[derive(Debug, Clone, Default)]
pub struct SimImage {
    pub id: String,
    pub tags: Vec<String>,
    pub created: i64,
    pub size: u64,
    pub labels: BTreeMap<String, String>,
    pub env: Vec<String>,
    pub exposed: Vec<String>,
    pub cmd: Vec<String>,
    pub entrypoint: Vec<String>,
    pub workdir: String,
    /// What `COPY` and `ADD` put into it, for the built-in shell.
    pub files: super::context::ImageFiles,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    Created,
    Running,
    Exited,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortBinding {
    pub host_ip: String,
    pub host_port: u16,
    /// "8000/tcp"
    pub container_port: String,
}

#[derive(Debug)]
pub struct SimContainer {
    pub id: String,
    pub name: String,
    pub image: String,
    pub image_id: String,
    pub cmd: Vec<String>,
    pub env: Vec<String>,
    pub labels: BTreeMap<String, String>,
    pub exposed: Vec<String>,
    /// Requested bindings: host port 0 means "any free port" until started.
    pub requested: Vec<PortBinding>,
    /// Bindings while running, with the real ports.
    pub bound: Vec<PortBinding>,
    pub created: i64,
    pub state: RunState,
    pub exit_code: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub logs: Vec<String>,
    pub listeners: Vec<JoinHandle<()>>,
    /// Files copied in (`PUT /containers/{id}/archive`) by absolute path; served over HTTP.
    pub files: BTreeMap<String, Vec<u8>>,
    pub mounts: Vec<super::records::SimMount>,
    /// `HostConfig.NetworkMode` as asked (`default`, `host`, a network's name).
    pub network_mode: String,
    pub networks: Vec<super::records::Attachment>,
    /// `--rm`: removed, with its anonymous volumes, when it ends.
    pub auto_remove: bool,
    /// `-i`: its main process reads what `docker attach` (or `run -i`) sends.
    pub open_stdin: bool,
    pub tty: bool,
    /// How many times it has ended, for `wait?condition=next-exit`.
    pub exits: u64,
}

impl SimContainer {
    pub fn command_line(&self) -> String {
        self.cmd.join(" ")
    }

    pub fn status_text(&self, now: i64) -> String {
        let ago = |t: Option<i64>| {
            humanize_duration(Duration::from_secs((now - t.unwrap_or(now)).max(0) as u64))
        };
        match self.state {
            RunState::Created => "Created".to_string(),
            RunState::Running => format!("Up {}", ago(self.started_at)),
            RunState::Exited => {
                format!("Exited ({}) {} ago", self.exit_code, ago(self.finished_at))
            }
        }
    }

    pub fn state_word(&self) -> &'static str {
        match self.state {
            RunState::Created => "created",
            RunState::Running => "running",
            RunState::Exited => "exited",
        }
    }
}

/// A push the simulated registry took: what, for whom, with which password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Push {
    pub reference: String,
    pub username: String,
    pub server: String,
    /// Kept in the sim's memory only, so tests can check the token arrived intact.
    pub password: String,
}

pub struct Engine {
    pub images: Vec<SimImage>,
    /// Pushes, oldest first: the sim plays the registry too.
    pub pushes: Vec<Push>,
    /// Registries `docker login` succeeded to, oldest first.
    pub logins: Vec<String>,
    pub containers: Vec<SimContainer>,
    pub volumes: Vec<super::records::SimVolume>,
    pub networks: Vec<super::records::SimNetwork>,
    /// (id, exit code) of containers that ended, newest last, capped: a
    /// `wait` on one `--rm` already removed still learns its code.
    pub ended: std::collections::VecDeque<(String, i64)>,
    serial: u64,
    pub events: broadcast::Sender<String>,
    /// (container id, log line) as they are written.
    pub log_lines: broadcast::Sender<(String, String)>,
    /// Every request that could change something (`METHOD PATH`), oldest first,
    /// so tests can prove that refused input sent nothing. Capped.
    pub writes: std::collections::VecDeque<String>,
    /// `docker exec` instances by id, with how they ended.
    pub execs: std::collections::HashMap<String, SimExec>,
    /// Events already sent, (nanoseconds, JSON), oldest first, for `docker
    /// events --since`. Capped; behind a lock of its own because events are
    /// emitted through a shared reference.
    pub past_events: Mutex<std::collections::VecDeque<(i128, String)>>,
    /// Port listeners of halted containers, aborted but perhaps not yet dropped:
    /// awaited (by `ports_released`) so a port is free again before the next
    /// request, as it is on dockerd once `stop` or `rm -f` has answered.
    pub closing: Vec<JoinHandle<()>>,
    releasing: Arc<tokio::sync::Mutex<()>>,
}

/// Events kept for `--since`.
pub const EVENTS_KEPT: usize = 1_000;

/// Writes remembered by the sim; older ones go first.
pub const WRITES_KEPT: usize = 1_000;

impl Default for Engine {
    fn default() -> Self {
        Self {
            images: Vec::new(),
            pushes: Vec::new(),
            logins: Vec::new(),
            containers: Vec::new(),
            volumes: Vec::new(),
            networks: super::records::predefined(),
            ended: Default::default(),
            serial: 0,
            events: broadcast::channel(1024).0,
            log_lines: broadcast::channel(4096).0,
            execs: Default::default(),
            writes: std::collections::VecDeque::new(),
            past_events: Default::default(),
            closing: Vec::new(),
            releasing: Default::default(),
        }
    }
}

pub fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `name` -> `name:latest`; references with a tag or digest stay.
pub fn normalize_reference(reference: &str) -> String {
    let last = reference.rsplit('/').next().unwrap_or(reference);
    if last.contains(':') || last.contains('@') {
        reference.to_string()
    } else {
        format!("{reference}:latest")
    }
}

impl Engine {
    /// A fresh container id: deterministic from the name and a counter.
    pub fn new_id(&mut self, seed: &str) -> String {
        self.serial += 1;
        sha256_hex(&[seed.as_bytes(), &self.serial.to_be_bytes()])
    }

    pub fn find_image(&self, reference: &str) -> Option<usize> {
        let tagged = normalize_reference(reference);
        let bare = reference.trim_start_matches("sha256:");
        self.images
            .iter()
            .position(|i| i.tags.contains(&tagged))
            .or_else(|| {
                (bare.len() >= 4 && bare.chars().all(|c| c.is_ascii_hexdigit()))
                    .then(|| {
                        self.images
                            .iter()
                            .position(|i| i.id.trim_start_matches("sha256:").starts_with(bare))
                    })
                    .flatten()
            })
    }

    /// By full or short id, or by name (with or without the leading '/').
    pub fn find_container(&self, key: &str) -> Option<usize> {
        let name = key.trim_start_matches('/');
        self.containers
            .iter()
            .position(|c| c.name == name || c.id == key)
            .or_else(|| {
                let matches: Vec<usize> = (0..self.containers.len())
                    .filter(|&i| self.containers[i].id.starts_with(key))
                    .collect();
                (matches.len() == 1 && key.len() >= 3).then(|| matches[0])
            })
    }

    pub fn emit(&self, kind: &str, action: &str, id: &str, attributes: Value) {
        let now = now_nanos();
        let from = attributes.get("image").cloned().unwrap_or(Value::Null);
        let event = json!({
            "status": action, "id": id, "from": from, "Type": kind, "Action": action,
            "Actor": {"ID": id, "Attributes": attributes},
            "scope": "local", "time": (now / 1_000_000_000) as i64, "timeNano": now as i64,
        });
        let text = event.to_string();
        if let Ok(mut past) = self.past_events.lock() {
            if past.len() >= EVENTS_KEPT {
                past.pop_front();
            }
            past.push_back((now, text.clone()));
        }
        let _ = self.events.send(text);
    }

    /// Stop (or kill) a running container; `exit_code` is what it "exited" with.
    pub fn halt(&mut self, index: usize, exit_code: i64) {
        let container = &mut self.containers[index];
        if container.state != RunState::Running {
            return;
        }
        let listeners: Vec<_> = container.listeners.drain(..).collect();
        for task in listeners {
            task.abort();
            self.closing.push(task);
        }
        let container = &mut self.containers[index];
        container.state = RunState::Exited;
        container.exit_code = exit_code;
        container.finished_at = Some(Engine::now());
        container.exits += 1;
        container.bound.clear();
        self.container_event(index, "die");
    }

    pub fn container_event(&self, index: usize, action: &str) {
        let c = &self.containers[index];
        let mut attributes = json!({"name": c.name, "image": c.image});
        for (k, v) in &c.labels {
            attributes[k] = json!(v);
        }
        self.emit("container", action, &c.id, attributes);
    }

    pub fn append_log(&mut self, index: usize, line: String) {
        let container = &mut self.containers[index];
        if container.logs.len() >= LOG_LINES_KEPT {
            container.logs.remove(0);
        }
        container.logs.push(line.clone());
        let _ = self.log_lines.send((container.id.clone(), line));
    }

    pub fn image_summary(&self, image: &SimImage) -> Value {
        json!({
            "Id": image.id, "ParentId": "", "RepoTags": image.tags, "RepoDigests": [],
            "Created": image.created, "Size": image.size, "SharedSize": -1, "VirtualSize": image.size,
            "Labels": image.labels, "Containers": self.containers.iter().filter(|c| c.image_id == image.id).count(),
        })
    }

    pub fn image_inspect(&self, image: &SimImage) -> Value {
        let exposed: BTreeMap<&str, Value> = image
            .exposed
            .iter()
            .map(|p| (p.as_str(), json!({})))
            .collect();
        json!({
            "Id": image.id, "RepoTags": image.tags, "RepoDigests": [], "Parent": "", "Comment": "",
            "Created": rfc3339(image.created), "DockerVersion": "", "Author": "",
            "Config": {
                "Env": image.env, "Cmd": image.cmd, "Entrypoint": if image.entrypoint.is_empty() { Value::Null } else { json!(image.entrypoint) },
                "WorkingDir": image.workdir, "Labels": image.labels, "ExposedPorts": exposed,
            },
            "Architecture": "amd64", "Os": "linux", "Size": image.size, "VirtualSize": image.size,
            "RootFS": {"Type": "layers", "Layers": [image.id]}, "Metadata": {"LastTagTime": rfc3339(image.created)},
        })
    }

    pub fn container_summary(&self, index: usize, now: i64) -> Value {
        let c = &self.containers[index];
        let bindings = if c.state == RunState::Running {
            &c.bound
        } else {
            &Vec::new()
        };
        let mut ports: Vec<Value> = bindings
            .iter()
            .map(|b| {
                let (port, proto) = split_port(&b.container_port);
                json!({"IP": b.host_ip, "PrivatePort": port, "PublicPort": b.host_port, "Type": proto})
            })
            .collect();
        for exposed in &c.exposed {
            if !bindings.iter().any(|b| &b.container_port == exposed) {
                let (port, proto) = split_port(exposed);
                ports.push(json!({"PrivatePort": port, "Type": proto}));
            }
        }
        json!({
            "Id": c.id, "Names": [format!("/{}", c.name)], "Image": c.image, "ImageID": c.image_id,
            "Command": c.command_line(), "Created": c.created, "Ports": ports, "Labels": c.labels,
            "State": c.state_word(), "Status": c.status_text(now),
            "HostConfig": {"NetworkMode": c.network_mode}, "NetworkSettings": {"Networks": self.networks_json(index)},
            "Mounts": super::records::mounts_json(&c.mounts),
        })
    }

    pub fn container_inspect(&self, index: usize) -> Value {
        let c = &self.containers[index];
        let port_map = |bindings: &[PortBinding]| -> Value {
            let mut map = serde_json::Map::new();
            for b in bindings {
                let entry = map
                    .entry(b.container_port.clone())
                    .or_insert_with(|| json!([]));
                if let Some(list) = entry.as_array_mut() {
                    list.push(json!({"HostIp": b.host_ip, "HostPort": b.host_port.to_string()}));
                }
            }
            Value::Object(map)
        };
        let exposed: BTreeMap<&str, Value> =
            c.exposed.iter().map(|p| (p.as_str(), json!({}))).collect();
        let running = c.state == RunState::Running;
        json!({
            "Id": c.id, "Created": rfc3339(c.created), "Path": c.cmd.first().cloned().unwrap_or_default(),
            "Args": c.cmd.iter().skip(1).collect::<Vec<_>>(),
            "State": {
                "Status": c.state_word(), "Running": running, "Paused": false, "Restarting": false,
                "OOMKilled": false, "Dead": false, "Pid": if running { 4242 } else { 0 }, "ExitCode": c.exit_code,
                "Error": "", "StartedAt": c.started_at.map(rfc3339).unwrap_or_else(|| "0001-01-01T00:00:00Z".into()),
                "FinishedAt": c.finished_at.map(rfc3339).unwrap_or_else(|| "0001-01-01T00:00:00Z".into()),
            },
            "Image": c.image_id, "Name": format!("/{}", c.name), "RestartCount": 0, "Driver": "overlay2",
            "Mounts": super::records::mounts_json(&c.mounts),
            "Platform": "linux", "MountLabel": "", "ProcessLabel": "", "AppArmorProfile": "",
            "Config": {
                "Hostname": c.id.get(..12).unwrap_or(&c.id), "Image": c.image, "Env": c.env, "Cmd": c.cmd,
                "Labels": c.labels, "ExposedPorts": exposed, "Tty": c.tty, "OpenStdin": c.open_stdin,
                "AttachStdin": c.open_stdin, "AttachStdout": true, "AttachStderr": true, "StdinOnce": c.open_stdin,
            },
            "HostConfig": {
                "NetworkMode": c.network_mode, "PortBindings": port_map(&c.requested), "RestartPolicy": {"Name": "no"},
                "AutoRemove": c.auto_remove, "LogConfig": {"Type": "json-file", "Config": {}},
                "Binds": c.mounts.iter().filter(|m| m.kind == super::records::MountKind::Bind)
                    .map(|m| format!("{}:{}", m.source, m.target)).collect::<Vec<_>>(),
            },
            "NetworkSettings": {"Ports": if running { port_map(&c.bound) } else { json!({}) }, "Networks": self.networks_json(index)},
        })
    }

    pub fn now() -> i64 {
        now_secs()
    }
}

/// "8000/tcp" -> (8000, "tcp").
pub fn split_port(spec: &str) -> (u16, String) {
    let (port, proto) = spec.split_once('/').unwrap_or((spec, "tcp"));
    (port.parse().unwrap_or(0), proto.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_and_lookups() {
        assert_eq!(normalize_reference("cookbook"), "cookbook:latest");
        assert_eq!(
            normalize_reference("localhost:5000/app"),
            "localhost:5000/app:latest"
        );
        assert_eq!(normalize_reference("app:v1"), "app:v1");
        let mut engine = Engine::default();
        engine.images.push(SimImage {
            id: "sha256:abcdef0123".into(),
            tags: vec!["cookbook:latest".into()],
            ..Default::default()
        });
        assert_eq!(engine.find_image("cookbook"), Some(0));
        assert_eq!(engine.find_image("abcdef"), Some(0));
        assert_eq!(engine.find_image("sha256:abcdef"), Some(0));
        assert_eq!(engine.find_image("other"), None);
    }
}

/// A `docker exec` instance: what it runs, how, and how it ended.
#[derive(Debug, Clone)]
pub struct SimExec {
    pub container_id: String,
    pub cmd: Vec<String>,
    pub tty: bool,
    pub stdin: bool,
    pub running: bool,
    pub exit_code: Option<i32>,
    /// The terminal's size (rows, columns) the client last gave.
    pub size: Option<(u16, u16)>,
}
