//! `docker exec` on the simulated engine: `POST /containers/{id}/exec`
//! creates an exec, `POST /exec/{id}/start` runs it on the hijacked
//! connection (`Upgrade: tcp`: raw bytes with a terminal, else stdout and
//! stderr in 8-byte-header frames), `POST /exec/{id}/resize` takes the
//! terminal's size, `GET /exec/{id}/json` says how it ended. What runs is
//! the built-in shell (`sim/shell`); see `sim/STREAMS.md`.

use super::state::{Engine, RunState, Shared, SimExec, error, lock};
use crate::sim::http::{Body, full, json};
use crate::sim::shell::{self, Machine, Output, Session};
use bytes::Bytes;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Execs kept for `GET /exec/{id}/json`; the oldest go first.
const EXECS_KEPT: usize = 1_000;

impl Engine {
    /// What a container from this image looks like inside (its files, env, workdir).
    pub fn image_machine(&self, reference: &str) -> Option<Machine> {
        let image = &self.images[self.find_image(reference)?];
        Some(Machine {
            files: image.files.clone(),
            env: image.env.clone(),
            workdir: image.workdir.clone(),
            command: image
                .entrypoint
                .iter()
                .chain(&image.cmd)
                .cloned()
                .collect::<Vec<_>>()
                .join(" "),
            ..Default::default()
        })
    }

    pub(super) fn container_machine(&self, index: usize) -> Machine {
        let container = &self.containers[index];
        let mut machine = self.image_machine(&container.image_id).unwrap_or_default();
        for (path, content) in &container.files {
            machine.files.insert(path.clone(), Some(content.clone()));
        }
        machine.env.extend(container.env.iter().cloned());
        machine.hostname = container.id.chars().take(12).collect();
        machine.command = container.command_line();
        machine.writable = true;
        self.overlay_mounts(index, &mut machine);
        machine
    }

    /// Keep what an exec wrote; a write that cannot be kept is said on stderr.
    pub(super) fn keep_writes(
        &mut self,
        container_id: &str,
        writes: Vec<shell::Written>,
    ) -> Vec<u8> {
        let mut problems = Vec::new();
        let Some(index) = self.find_container(container_id) else {
            return problems;
        };
        for written in writes {
            if let Err(e) = self.write_file(index, &written.path, written.content, written.append) {
                problems.extend(format!("sh: {e}\n").into_bytes());
            }
        }
        problems
    }
}

pub fn create(shared: &Shared, container: &str, body: &[u8]) -> Response<Body> {
    let config: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(e) => return error(StatusCode::BAD_REQUEST, &format!("invalid JSON: {e}")),
    };
    let cmd: Vec<String> = config
        .get("Cmd")
        .and_then(Value::as_array)
        .map(|words| {
            words
                .iter()
                .filter_map(|w| w.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    if cmd.is_empty() {
        return error(StatusCode::BAD_REQUEST, "No exec command specified");
    }
    let mut engine = lock(shared);
    let Some(index) = engine.find_container(container) else {
        return error(
            StatusCode::NOT_FOUND,
            &format!("No such container: {container}"),
        );
    };
    let target = &engine.containers[index];
    if target.state != RunState::Running {
        return error(
            StatusCode::CONFLICT,
            &format!("Container {} is not running", target.id),
        );
    }
    let container_id = target.id.clone();
    let id = engine.new_id(&format!("exec {container_id}"));
    if engine.execs.len() >= EXECS_KEPT
        && let Some(done) = engine
            .execs
            .iter()
            .find(|(_, e)| !e.running)
            .map(|(k, _)| k.clone())
    {
        engine.execs.remove(&done);
    }
    let flag = |name: &str| config.get(name).and_then(Value::as_bool).unwrap_or(false);
    engine.execs.insert(
        id.clone(),
        SimExec {
            container_id,
            cmd,
            tty: flag("Tty"),
            stdin: flag("AttachStdin"),
            running: false,
            exit_code: None,
            size: None,
        },
    );
    json(StatusCode::CREATED, &json!({"Id": id}))
}

pub fn inspect(shared: &Shared, id: &str) -> Response<Body> {
    let engine = lock(shared);
    let Some(exec) = engine.execs.get(id) else {
        return error(
            StatusCode::NOT_FOUND,
            &format!("No such exec instance: {id}"),
        );
    };
    let (entrypoint, arguments) = exec
        .cmd
        .split_first()
        .map_or(("", &[][..]), |(e, a)| (e.as_str(), a));
    json(
        StatusCode::OK,
        &json!({
            "ID": id, "Running": exec.running, "ExitCode": exec.exit_code, "ContainerID": exec.container_id,
            "OpenStdin": exec.stdin, "OpenStdout": true, "OpenStderr": true, "CanRemove": false, "Pid": 0,
            "ProcessConfig": {"tty": exec.tty, "entrypoint": entrypoint, "arguments": arguments, "privileged": false, "user": ""},
        }),
    )
}

pub fn resize(
    shared: &Shared,
    id: &str,
    query: &std::collections::HashMap<String, String>,
) -> Response<Body> {
    let mut engine = lock(shared);
    let Some(exec) = engine.execs.get_mut(id) else {
        return error(
            StatusCode::NOT_FOUND,
            &format!("No such exec instance: {id}"),
        );
    };
    let size = |name: &str| query.get(name).and_then(|v| v.parse::<u16>().ok());
    if let (Some(h), Some(w)) = (size("h"), size("w")) {
        exec.size = Some((h, w));
    }
    full(StatusCode::OK, "text/plain", Bytes::new())
}

/// Starts an exec: on the hijacked connection when the client asked for one,
/// else (a client that only reads) its output as the response body.
pub async fn start(shared: &Shared, id: &str, mut request: Request<Incoming>) -> Response<Body> {
    let upgrade = request
        .headers()
        .get(hyper::header::UPGRADE)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"tcp"));
    let on_upgrade = hyper::upgrade::on(&mut request);
    let body = crate::sim::http::read_body(request)
        .await
        .unwrap_or_default();
    let detach = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("Detach").and_then(Value::as_bool))
        .unwrap_or(false);
    let (exec, machine) = {
        let mut engine = lock(shared);
        let Some(exec) = engine.execs.get(id).cloned() else {
            return error(
                StatusCode::NOT_FOUND,
                &format!("No such exec instance: {id}"),
            );
        };
        if exec.running || exec.exit_code.is_some() {
            return error(
                StatusCode::CONFLICT,
                &format!("Exec {id} has already been started"),
            );
        }
        let Some(index) = engine.find_container(&exec.container_id) else {
            return error(
                StatusCode::NOT_FOUND,
                &format!("No such container: {}", exec.container_id),
            );
        };
        let machine = engine.container_machine(index);
        if let Some(running) = engine.execs.get_mut(id) {
            running.running = true;
        }
        (exec, machine)
    };
    let content_type = if exec.tty {
        "application/vnd.docker.raw-stream"
    } else {
        "application/vnd.docker.multiplexed-stream"
    };
    if detach || !upgrade {
        let mut ran = shell::run_argv(&machine, &exec.cmd);
        let problems =
            lock(shared).keep_writes(&exec.container_id, std::mem::take(&mut ran.writes));
        ran.stderr.extend(problems);
        finished(shared, id, ran.code);
        if detach {
            return full(StatusCode::OK, "text/plain", Bytes::new());
        }
        let mut out = Vec::new();
        let mut sink = Framing { tty: exec.tty };
        sink.push(&mut out, &Output::Stdout(ran.stdout));
        sink.push(&mut out, &Output::Stderr(ran.stderr));
        return full(StatusCode::OK, content_type, out);
    }
    let shared = shared.clone();
    let id = id.to_string();
    tokio::spawn(async move {
        let code = match on_upgrade.await {
            Ok(upgraded) => {
                let io = hyper_util::rt::TokioIo::new(upgraded);
                run(io, &exec, machine, &shared).await
            }
            Err(e) => {
                tracing::debug!(%e, "exec: the client did not take the connection");
                1
            }
        };
        finished(&shared, &id, code);
    });
    upgraded(full(
        StatusCode::SWITCHING_PROTOCOLS,
        content_type,
        Bytes::new(),
    ))
}

/// Read what the client still sends (piped stdin the command never read)
/// before closing: a socket closed with unread bytes is reset, and the
/// docker CLI reports the reset as a failure.
pub(super) async fn drain_input<IO: AsyncRead + Unpin>(io: &mut IO) {
    let mut buffer = vec![0u8; 4096];
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_millis(500);
    while let Ok(Ok(read)) = tokio::time::timeout_at(deadline, io.read(&mut buffer)).await {
        if read == 0 {
            break;
        }
    }
}

/// A 101 answer that hands the connection over to raw TCP, as dockerd's does.
pub(super) fn upgraded(mut response: Response<Body>) -> Response<Body> {
    for (name, value) in [("connection", "Upgrade"), ("upgrade", "tcp")] {
        if let Ok(value) = value.parse() {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

fn finished(shared: &Shared, id: &str, code: i32) {
    if let Some(exec) = lock(shared).execs.get_mut(id) {
        exec.running = false;
        exec.exit_code = Some(code);
    }
}

/// How output goes on the wire: raw with a terminal, else in frames
/// `[stream, 0, 0, 0, size as u32 big-endian]` (1 stdout, 2 stderr).
pub(super) struct Framing {
    pub(super) tty: bool,
}

impl Framing {
    pub(super) fn push(&mut self, out: &mut Vec<u8>, output: &Output) {
        let (stream, bytes) = match output {
            Output::Stdout(bytes) => (1u8, bytes),
            Output::Stderr(bytes) => (2u8, bytes),
            Output::Exit(_) => return,
        };
        if bytes.is_empty() {
            return;
        }
        if !self.tty {
            out.extend([stream, 0, 0, 0]);
            out.extend((bytes.len() as u32).to_be_bytes());
        }
        out.extend_from_slice(bytes);
    }
}

/// The exec on its connection: a shell reads what comes, anything else runs once.
async fn run<IO: AsyncRead + AsyncWrite + Unpin>(
    mut io: IO,
    exec: &SimExec,
    machine: Machine,
    shared: &Shared,
) -> i32 {
    let mut framing = Framing { tty: exec.tty };
    let interactive = exec.cmd.len() == 1 && shell::is_shell(&exec.cmd[0]);
    if !interactive {
        let mut ran = shell::run_argv(&machine, &exec.cmd);
        let problems =
            lock(shared).keep_writes(&exec.container_id, std::mem::take(&mut ran.writes));
        ran.stderr.extend(problems);
        let mut out = Vec::new();
        framing.push(&mut out, &Output::Stdout(ran.stdout));
        framing.push(&mut out, &Output::Stderr(ran.stderr));
        let _ = io.write_all(&out).await;
        if exec.stdin {
            drain_input(&mut io).await;
        }
        let _ = io.shutdown().await;
        return ran.code;
    }
    let session = Session::new(machine, exec.tty);
    let code = converse(&mut io, session, exec.stdin, shared, &exec.container_id).await;
    let _ = io.shutdown().await;
    code
}

/// A shell session over a connection until it ends (or the client goes):
/// its output in the connection's framing, what it writes kept in the
/// container. Without stdin there is nothing to read and the shell sees its
/// input end. The shell's exit code.
pub(super) async fn converse<IO: AsyncRead + AsyncWrite + Unpin>(
    io: &mut IO,
    mut session: Session,
    stdin: bool,
    shared: &Shared,
    container_id: &str,
) -> i32 {
    let tty = session.tty();
    let mut code = 0;
    let mut outputs = session.start();
    let mut buffer = vec![0u8; 4096];
    loop {
        let mut out = Vec::new();
        for output in &outputs {
            if let Output::Exit(c) = output {
                code = *c;
            }
            Framing { tty }.push(&mut out, output);
        }
        let problems = lock(shared).keep_writes(container_id, session.take_writes());
        if !problems.is_empty() {
            Framing { tty }.push(&mut out, &Output::Stderr(problems));
        }
        if io.write_all(&out).await.is_err() || session.ended() {
            break;
        }
        let read = if stdin {
            io.read(&mut buffer).await.unwrap_or(0)
        } else {
            0
        };
        outputs = if read == 0 {
            session.end_of_input()
        } else {
            session.feed(&buffer[..read])
        };
    }
    code
}
