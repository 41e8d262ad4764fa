//! A simulated container's main process. A command the built-in shell has
//! (`cat /data/greeting`, `sh -c "echo hi > /data/x"`) runs when the
//! container starts, its output becomes the log, and the container ends with
//! its exit code (and goes, with `--rm`). A bare shell with `-i` reads what
//! `docker run -i` / `docker attach` sends. Anything else (a server the sim
//! cannot run) keeps running and answers on its published ports.
//! `POST /containers/{id}/attach` and `wait` (with its conditions) live here.

use super::exec::Framing;
use super::state::{Engine, RunState, Shared, error, lock};
use crate::sim::http::{Body, full};
use crate::sim::shell::{self, BUILTINS, Output, Ran, Session, is_shell};
use bytes::Bytes;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde_json::json;
use std::collections::HashMap;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

/// Exit codes of containers already removed (`--rm`), for a `wait` that comes late.
pub const ENDED_KEPT: usize = 100;

/// A bare shell with stdin open: it lives as long as its input.
pub(super) fn is_interactive(engine: &Engine, index: usize) -> bool {
    let c = &engine.containers[index];
    c.open_stdin && c.cmd.len() == 1 && is_shell(&c.cmd[0])
}

/// Run the main process if it is one that ends; `None` for one that keeps running.
pub(super) fn run_to_end(engine: &Engine, index: usize) -> Option<Ran> {
    let argv = &engine.containers[index].cmd;
    let program = argv.first()?;
    let name = program.rsplit('/').next().unwrap_or(program);
    let runs = match argv.as_slice() {
        [shell, flag, _, ..] if is_shell(shell) && flag == "-c" => true,
        _ => !is_shell(program) && BUILTINS.contains(&name),
    };
    if !runs {
        return None;
    }
    let ran = shell::run_argv(&engine.container_machine(index), argv);
    // A line that reaches a program the shell lacks (`node server.js`) is a
    // server the sim cannot run: it keeps running instead.
    (ran.code != 127).then_some(ran)
}

/// The main process ended: keep what it wrote, log what it printed, stop
/// the container, and remove it if it was run with `--rm`.
pub(super) fn end(engine: &mut Engine, index: usize, ran: Ran) {
    let mut errors = Vec::new();
    for written in ran.writes {
        if let Err(e) = engine.write_file(index, &written.path, written.content, written.append) {
            errors.push(format!("sh: {e}"));
        }
    }
    let text = String::from_utf8_lossy(&ran.stdout).into_owned()
        + &String::from_utf8_lossy(&ran.stderr)
        + &errors.join("\n");
    for line in text.lines() {
        engine.append_log(index, line.to_string());
    }
    let code = if errors.is_empty() {
        i64::from(ran.code)
    } else {
        1
    };
    engine.halt(index, code);
    if engine.ended.len() >= ENDED_KEPT {
        engine.ended.pop_front();
    }
    let id = engine.containers[index].id.clone();
    engine.ended.push_back((id, code));
    if engine.containers[index].auto_remove {
        engine.container_event(index, "destroy");
        let gone = engine.containers.remove(index);
        engine.remove_anonymous_volumes(&gone.mounts);
    }
}

/// `POST /containers/{id}/wait`: `condition=not-running` (the default),
/// `next-exit` or `removed`. The headers go at once and the body when the
/// condition is met, as dockerd does: the docker CLI waits for the headers
/// before it starts the container.
pub fn wait(shared: &Shared, key: &str, query: &HashMap<String, String>) -> Response<Body> {
    let (id, exits_before) = {
        let engine = lock(shared);
        let Some(index) = engine.find_container(key) else {
            return error(StatusCode::NOT_FOUND, &format!("No such container: {key}"));
        };
        let c = &engine.containers[index];
        (c.id.clone(), c.exits)
    };
    let condition = query
        .get("condition")
        .cloned()
        .unwrap_or_else(|| "not-running".into());
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let shared = shared.clone();
    tokio::spawn(async move {
        loop {
            if let Some(code) = waited(&shared, &id, exits_before, &condition) {
                let body = json!({"StatusCode": code, "Error": null}).to_string() + "\n";
                let _ = tx.send(Bytes::from(body));
                return;
            }
            if tx.is_closed() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    crate::sim::http::streaming(StatusCode::OK, "application/json", rx)
}

/// The exit code once the wait's condition is met.
fn waited(shared: &Shared, id: &str, exits_before: u64, condition: &str) -> Option<i64> {
    let engine = lock(shared);
    match engine.containers.iter().find(|c| c.id == id) {
        None => Some(
            engine
                .ended
                .iter()
                .rev()
                .find(|(i, _)| i == id)
                .map_or(0, |(_, code)| *code),
        ),
        Some(_) if condition == "removed" => None,
        Some(c) if c.state == RunState::Running => None,
        Some(c) if condition == "next-exit" && c.exits == exits_before => None,
        Some(c) => Some(c.exit_code),
    }
}

/// `POST /containers/{id}/attach`: the main process's output as it comes
/// (and, for an interactive shell, its input), on the hijacked connection.
pub async fn attach(shared: &Shared, key: &str, mut request: Request<Incoming>) -> Response<Body> {
    let (id, tty, stdin, exits_before, lines) = {
        let engine = lock(shared);
        let Some(index) = engine.find_container(key) else {
            return error(StatusCode::NOT_FOUND, &format!("No such container: {key}"));
        };
        let c = &engine.containers[index];
        (
            c.id.clone(),
            c.tty,
            c.open_stdin,
            c.exits,
            engine.log_lines.subscribe(),
        )
    };
    let on_upgrade = hyper::upgrade::on(&mut request);
    let shared = shared.clone();
    tokio::spawn(async move {
        let Ok(upgraded) = on_upgrade.await else {
            return;
        };
        let io = hyper_util::rt::TokioIo::new(upgraded);
        let attached = Attached {
            shared,
            id,
            tty,
            stdin,
            exits_before,
        };
        attached.serve(io, lines).await;
    });
    let content_type = if tty {
        "application/vnd.docker.raw-stream"
    } else {
        "application/vnd.docker.multiplexed-stream"
    };
    super::exec::upgraded(full(
        StatusCode::SWITCHING_PROTOCOLS,
        content_type,
        Bytes::new(),
    ))
}

struct Attached {
    shared: Shared,
    id: String,
    tty: bool,
    /// The client sends stdin (`-i`).
    stdin: bool,
    exits_before: u64,
}

enum Seen {
    NotStarted,
    Interactive(shell::Machine),
    Running,
    Ended,
}

impl Attached {
    fn look(&self) -> Seen {
        let engine = lock(&self.shared);
        let Some(index) = engine.containers.iter().position(|c| c.id == self.id) else {
            return Seen::Ended;
        };
        let c = &engine.containers[index];
        match c.state {
            _ if c.exits > self.exits_before => Seen::Ended,
            RunState::Running if is_interactive(&engine, index) => {
                Seen::Interactive(engine.container_machine(index))
            }
            RunState::Running => Seen::Running,
            _ => Seen::NotStarted,
        }
    }

    async fn serve<IO: AsyncRead + AsyncWrite + Unpin>(
        self,
        mut io: IO,
        mut lines: tokio::sync::broadcast::Receiver<(String, String)>,
    ) {
        let mut framing = Framing { tty: self.tty };
        loop {
            // Looked at before the lines are read, so none written before an end is missed.
            let seen = self.look();
            let mut out = Vec::new();
            while let Ok((from, line)) = lines.try_recv() {
                if from == self.id {
                    let end = if self.tty { "\r\n" } else { "\n" };
                    framing.push(
                        &mut out,
                        &Output::Stdout(format!("{line}{end}").into_bytes()),
                    );
                }
            }
            if !out.is_empty() && io.write_all(&out).await.is_err() {
                return;
            }
            match seen {
                Seen::Ended => {
                    if self.stdin {
                        super::exec::drain_input(&mut io).await;
                    }
                    break;
                }
                Seen::Interactive(machine) => {
                    self.converse(&mut io, machine).await;
                    break;
                }
                Seen::NotStarted | Seen::Running => {
                    tokio::time::sleep(Duration::from_millis(20)).await
                }
            }
        }
        let _ = io.shutdown().await;
    }

    /// The interactive shell over the connection; the container ends with it.
    async fn converse<IO: AsyncRead + AsyncWrite + Unpin>(
        &self,
        io: &mut IO,
        machine: shell::Machine,
    ) {
        let session = Session::new(machine, self.tty);
        let code = super::exec::converse(io, session, true, &self.shared, &self.id).await;
        let mut engine = lock(&self.shared);
        if let Some(index) = engine.containers.iter().position(|c| c.id == self.id) {
            end(
                &mut engine,
                index,
                Ran {
                    code,
                    ..Default::default()
                },
            );
        }
    }
}
