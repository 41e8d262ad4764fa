//! `pods/x/exec` over a WebSocket with the channel protocol kubectl and
//! kube-rs speak (`v5.channel.k8s.io`, `v4.channel.k8s.io`): each binary
//! message starts with its channel (0 stdin, 1 stdout, 2 stderr, 3 the
//! closing Status, 4 terminal size; v5's 255 closes a channel). What runs is
//! the built-in shell of `sim/shell`; see `sim/STREAMS.md`.

use super::write::first_container;
use super::*;
use crate::sim::shell::{self, Machine, Output, Session};
use crate::sim::websocket;
use futures::{SinkExt, StreamExt};
use hyper::Request;
use hyper::body::Incoming;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

pub const PROTOCOLS: &[&str] = &["v5.channel.k8s.io", "v4.channel.k8s.io"];

const STDIN: u8 = 0;
const STDOUT: u8 = 1;
const STDERR: u8 = 2;
const ERROR: u8 = 3;
const CLOSE: u8 = 255;

/// What the client asked to run, from the query (`command` repeats, one word each).
struct Asked {
    command: Vec<String>,
    container: Option<String>,
    stdin: bool,
    stderr: bool,
    tty: bool,
}

impl Asked {
    fn from(request: &Request<Incoming>) -> Self {
        let pairs = crate::sim::http::query_pairs(request);
        let value = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let flag = |name: &str| value(name).is_some_and(|v| v == "true" || v == "1");
        Self {
            command: pairs
                .iter()
                .filter(|(k, _)| k == "command")
                .map(|(_, v)| v.clone())
                .collect(),
            container: value("container"),
            stdin: flag("stdin"),
            stderr: flag("stderr"),
            tty: flag("tty"),
        }
    }
}

pub fn exec(
    shared: &KubeShared,
    target: &Target,
    mut request: Request<Incoming>,
) -> Response<Body> {
    if let Some(refused) = unless_websocket(&request, "exec") {
        return refused;
    }
    let asked = Asked::from(&request);
    if asked.command.is_empty() {
        return status_response(
            &Refusal::bad_request("you must specify at least 1 command"),
            None,
            None,
        );
    }
    let machine = match machine_of(shared, target, asked.container.as_deref()) {
        Ok(machine) => machine,
        Err(response) => return *response,
    };
    accept_then(&mut request, "exec", move |socket, v5| {
        serve(socket, asked, machine, v5)
    })
}

/// A request that is not a WebSocket upgrade (kubectl's SPDY fallback), refused with a Status that says so.
pub(super) fn unless_websocket(request: &Request<Incoming>, what: &str) -> Option<Response<Body>> {
    (!websocket::is_upgrade(request)).then(|| {
        status_response(
            &Refusal::bad_request(format!(
                "the simulated cluster serves {what} over WebSockets ({}), not SPDY",
                PROTOCOLS.join(", ")
            )),
            None,
            None,
        )
    })
}

/// Accepts the upgrade (the answer to send back) and runs `serve` on the
/// socket, told whether it speaks v5, once the client takes it.
pub(super) fn accept_then<F, Fut>(
    request: &mut Request<Incoming>,
    what: &'static str,
    serve: F,
) -> Response<Body>
where
    F: FnOnce(websocket::Socket, bool) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let accepted = match websocket::accept(request, PROTOCOLS) {
        Ok(accepted) => accepted,
        Err(problem) => return status_response(&Refusal::bad_request(problem), None, None),
    };
    let v5 = accepted.protocol == PROTOCOLS[0];
    tokio::spawn(async move {
        match websocket::open(accepted.upgrade).await {
            Ok(socket) => serve(socket, v5).await,
            Err(e) => tracing::debug!(%e, "{what}: the client did not take the connection"),
        }
    });
    accepted.response
}

/// The pod's container as the built-in shell sees it: its image's files, its env, the pod's name.
fn machine_of(
    shared: &KubeShared,
    target: &Target,
    container: Option<&str>,
) -> Result<Machine, Box<Response<Body>>> {
    let store = lock(shared);
    let (ns, name) = key_of(target);
    let Some(pod) = store.get("pods", ns, name) else {
        return Err(Box::new(status_response(
            &Refusal::not_found(target.resource, name),
            Some(target.resource),
            Some(name),
        )));
    };
    let container = container.map_or_else(|| first_container(&pod), String::from);
    let Some(spec) = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .and_then(|all| all.iter().find(|c| c["name"] == json!(container)))
    else {
        return Err(Box::new(status_response(
            &Refusal::bad_request(format!("container {container} is not valid for pod {name}")),
            None,
            None,
        )));
    };
    if pod.pointer("/status/phase").and_then(Value::as_str) != Some("Running") {
        return Err(Box::new(status_response(
            &Refusal::bad_request(format!(
                "unable to upgrade connection: container {container} in pod {name} is not running"
            )),
            None,
            None,
        )));
    }
    let image = spec["image"].as_str().unwrap_or_default();
    let mut machine = shared
        .engine
        .as_ref()
        .and_then(|engine| {
            let engine = engine.lock().unwrap_or_else(|p| p.into_inner());
            engine.image_machine(image)
        })
        .unwrap_or_default();
    machine.hostname = name.to_string();
    for pair in spec["env"].as_array().into_iter().flatten() {
        if let (Some(k), Some(v)) = (pair["name"].as_str(), pair["value"].as_str()) {
            machine.env.push(format!("{k}={v}"));
        }
    }
    if let Some(args) = spec["command"].as_array().or(spec["args"].as_array()) {
        machine.command = args
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" ");
    }
    Ok(machine)
}

/// The Status the error channel carries at the end: how the command ended.
fn exit_status(command: &[String], code: i32) -> Value {
    if code == 0 {
        return json!({"metadata": {}, "status": "Success"});
    }
    json!({"metadata": {}, "status": "Failure",
           "message": format!("command terminated with non-zero exit code: error executing command [{}], exit code {code}", command.join(" ")),
           "reason": "NonZeroExitCode",
           "details": {"causes": [{"reason": "ExitCode", "message": code.to_string()}]}})
}

async fn serve(socket: websocket::Socket, asked: Asked, machine: Machine, v5: bool) {
    let (mut sink, mut stream) = socket.split();
    // With a terminal there is one output stream; without stderr asked for, errors go to stdout too.
    let stderr_channel = if asked.tty || !asked.stderr {
        STDOUT
    } else {
        STDERR
    };
    let frame = |channel: u8, bytes: &[u8]| {
        let mut message = Vec::with_capacity(bytes.len() + 1);
        message.push(channel);
        message.extend_from_slice(bytes);
        Message::Binary(message.into())
    };
    let interactive = asked.command.len() == 1 && shell::is_shell(&asked.command[0]);
    let mut code = None;
    if interactive {
        let mut session = Session::new(machine, asked.tty);
        let mut pending = session.start();
        if !asked.stdin {
            pending.extend(session.end_of_input());
        }
        loop {
            for output in pending.drain(..) {
                let message = match output {
                    Output::Stdout(bytes) => frame(STDOUT, &bytes),
                    Output::Stderr(bytes) => frame(stderr_channel, &bytes),
                    Output::Exit(c) => {
                        code = Some(c);
                        continue;
                    }
                };
                if sink.send(message).await.is_err() {
                    return;
                }
            }
            if code.is_some() {
                break;
            }
            pending = match stream.next().await {
                Some(Ok(Message::Binary(data))) => match data.split_first() {
                    Some((&STDIN, input)) => session.feed(input),
                    Some((&CLOSE, [STDIN])) if v5 => session.end_of_input(),
                    // The terminal's size (channel 4) changes nothing the built-in shell draws.
                    _ => Vec::new(),
                },
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => session.end_of_input(),
                Some(Ok(_)) => Vec::new(),
            };
        }
    } else {
        let ran = shell::run_argv(&machine, &asked.command);
        for (channel, bytes) in [(STDOUT, ran.stdout), (stderr_channel, ran.stderr)] {
            if !bytes.is_empty() && sink.send(frame(channel, &bytes)).await.is_err() {
                return;
            }
        }
        code = Some(ran.code);
    }
    let status = exit_status(&asked.command, code.unwrap_or(0)).to_string();
    let _ = sink.send(frame(ERROR, status.as_bytes())).await;
    // A normal closure (1000): clients read a close without a code (1005) as an error.
    let _ = sink
        .send(Message::Close(Some(CloseFrame {
            code: CloseCode::Normal,
            reason: "".into(),
        })))
        .await;
    // Let the client see the close before the connection goes.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), async {
        while let Some(Ok(_)) = stream.next().await {}
    })
    .await;
}
