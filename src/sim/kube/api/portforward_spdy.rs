//! `pods/x/portforward` as kubectl speaks it: SPDY/3.1 streams, either
//! tunnelled in WebSocket binary messages (subprotocol
//! `SPDY/3.1+portforward.k8s.io`, kubectl 1.31+) or on the connection
//! itself after `Upgrade: SPDY/3.1` (the older form, and kubectl's
//! fallback). Each local connection opens an error stream and then a data
//! stream, paired by their `requestID` header and naming the `port`; the
//! pod's simulated web server answers on the data stream, then both are
//! finished. See `sim/STREAMS.md`.

use super::forwarded_pod::{ForwardedPod, MAX_HEAD, answer};
use super::*;
use crate::sim::spdy::frame::{self, Frame};
use crate::sim::spdy::headers::Codec;
use crate::sim::websocket;
use futures::{SinkExt, StreamExt};
use hyper::Request;
use hyper::body::Incoming;
use std::collections::HashMap;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;

/// The WebSocket subprotocol kubectl asks for the tunnelled form.
pub const TUNNELING_PROTOCOL: &str = "SPDY/3.1+portforward.k8s.io";
/// What the older form's `X-Stream-Protocol-Version` names.
const STREAM_PROTOCOL: &str = "portforward.k8s.io";

/// The SPDY byte stream, on whichever connection carries it.
enum Transport {
    Tunnel(Box<websocket::Socket>),
    Raw(hyper_util::rt::TokioIo<hyper::upgrade::Upgraded>),
}

impl Transport {
    /// More bytes of the stream, appended; false at its end.
    async fn read(&mut self, into: &mut Vec<u8>) -> bool {
        match self {
            Self::Tunnel(socket) => loop {
                match socket.next().await {
                    Some(Ok(Message::Binary(bytes))) => {
                        into.extend_from_slice(&bytes);
                        return true;
                    }
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return false,
                    Some(Ok(_)) => {}
                }
            },
            Self::Raw(io) => {
                let mut chunk = [0u8; 16 * 1024];
                match io.read(&mut chunk).await {
                    Ok(0) | Err(_) => false,
                    Ok(n) => {
                        into.extend_from_slice(&chunk[..n]);
                        true
                    }
                }
            }
        }
    }

    async fn write(&mut self, bytes: Vec<u8>) -> bool {
        match self {
            Self::Tunnel(socket) => socket.send(Message::Binary(bytes.into())).await.is_ok(),
            Self::Raw(io) => io.write_all(&bytes).await.is_ok() && io.flush().await.is_ok(),
        }
    }
}

/// Whether the request is the older form: `Upgrade: SPDY/3.1`.
pub fn is_spdy_upgrade(request: &Request<Incoming>) -> bool {
    request
        .headers()
        .get(hyper::header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("SPDY/3.1"))
}

/// Whether a WebSocket upgrade offers the tunnelled form.
pub fn offers_tunnel(request: &Request<Incoming>) -> bool {
    request
        .headers()
        .get_all(hyper::header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim() == TUNNELING_PROTOCOL)
}

/// The tunnelled form: accept the WebSocket, then serve SPDY inside it.
pub fn tunnel(
    shared: Arc<KubeShared>,
    pod: ForwardedPod,
    mut request: Request<Incoming>,
) -> Response<Body> {
    let accepted = match websocket::accept(&mut request, &[TUNNELING_PROTOCOL]) {
        Ok(accepted) => accepted,
        Err(problem) => return status_response(&Refusal::bad_request(problem), None, None),
    };
    tokio::spawn(async move {
        match websocket::open(accepted.upgrade).await {
            Ok(socket) => serve(Transport::Tunnel(Box::new(socket)), &shared, &pod).await,
            Err(e) => tracing::debug!(%e, "port-forward: the client did not take the connection"),
        }
    });
    accepted.response
}

/// The older form: `101 Switching Protocols` to SPDY/3.1, then SPDY on the connection.
pub fn upgrade(
    shared: Arc<KubeShared>,
    pod: ForwardedPod,
    mut request: Request<Incoming>,
) -> Response<Body> {
    let offered = request
        .headers()
        .get_all("x-stream-protocol-version")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|p| p.trim() == STREAM_PROTOCOL));
    if !offered {
        return status_response(
            &Refusal::bad_request(format!(
                "port-forward needs X-Stream-Protocol-Version: {STREAM_PROTOCOL}"
            )),
            None,
            None,
        );
    }
    let on_upgrade = hyper::upgrade::on(&mut request);
    tokio::spawn(async move {
        match on_upgrade.await {
            Ok(upgraded) => {
                let io = hyper_util::rt::TokioIo::new(upgraded);
                serve(Transport::Raw(io), &shared, &pod).await;
            }
            Err(e) => tracing::debug!(%e, "port-forward: the client did not take the connection"),
        }
    });
    let mut response = crate::sim::http::full(
        hyper::StatusCode::SWITCHING_PROTOCOLS,
        "text/plain",
        bytes::Bytes::new(),
    );
    let headers = response.headers_mut();
    headers.remove(hyper::header::CONTENT_TYPE);
    for (name, value) in [
        ("connection", "Upgrade"),
        ("upgrade", "SPDY/3.1"),
        ("x-stream-protocol-version", STREAM_PROTOCOL),
    ] {
        if let Ok(value) = value.parse() {
            headers.insert(name, value);
        }
    }
    response
}

/// One stream the client opened.
struct Stream {
    kind: StreamKind,
    request: String,
    /// The data stream's request head so far.
    head: Vec<u8>,
    answered: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StreamKind {
    Data,
    Error,
}

/// The SPDY session: streams opened, answered and finished until the client goes.
async fn serve(mut transport: Transport, shared: &KubeShared, pod: &ForwardedPod) {
    let mut buffer = Vec::new();
    let mut codec = Codec::default();
    let mut streams: HashMap<u32, Stream> = HashMap::new();
    loop {
        let frame = match frame::take_frame(&mut buffer) {
            Ok(Some(frame)) => frame,
            Ok(None) => {
                if !transport.read(&mut buffer).await {
                    return;
                }
                continue;
            }
            Err(problem) => {
                tracing::info!(%problem, "port-forward: not SPDY/3.1; closing");
                return;
            }
        };
        let out = match frame {
            Frame::Control {
                kind: frame::TYPE_SYN_STREAM,
                payload,
                ..
            } => open_stream(&mut codec, &mut streams, pod, &payload),
            Frame::Control {
                kind: frame::TYPE_PING,
                flags,
                payload,
            } => frame::control(frame::TYPE_PING, flags, &payload),
            Frame::Control {
                kind: frame::TYPE_GOAWAY,
                ..
            } => return,
            Frame::Control {
                kind: frame::TYPE_RST_STREAM,
                payload,
                ..
            } => {
                if let Some(id) = frame::stream_id(&payload, 0) {
                    streams.remove(&id);
                }
                Vec::new()
            }
            // SETTINGS, WINDOW_UPDATE, HEADERS: spdystream keeps no flow control either.
            Frame::Control { .. } => Vec::new(),
            Frame::Data {
                stream, payload, ..
            } => take_data(shared, pod, &mut streams, stream, &payload),
        };
        if !out.is_empty() && !transport.write(out).await {
            return;
        }
    }
}

/// A SYN_STREAM: reply, and refuse a data stream to a port the pod does not declare.
fn open_stream(
    codec: &mut Codec,
    streams: &mut HashMap<u32, Stream>,
    pod: &ForwardedPod,
    payload: &[u8],
) -> Vec<u8> {
    let Some(id) = frame::stream_id(payload, 0) else {
        return Vec::new();
    };
    // Stream id, associated stream id, priority and slot: then the header block.
    let headers = match payload.get(10..).map(|block| codec.decode(block)) {
        Some(Ok(headers)) => headers,
        _ => return reset(id),
    };
    let value = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let kind = match value("streamtype").as_str() {
        "data" => StreamKind::Data,
        "error" => StreamKind::Error,
        _ => return reset(id),
    };
    let Ok(port) = value("port").parse::<u16>() else {
        return reset(id);
    };
    let mut out = match codec.encode(&[]) {
        Ok(block) => {
            let mut reply = id.to_be_bytes().to_vec();
            reply.extend(block);
            frame::control(frame::TYPE_SYN_REPLY, 0, &reply)
        }
        Err(_) => return reset(id),
    };
    let request = value("requestid");
    if kind == StreamKind::Data && !pod.declares(port) {
        // The kubelet's answer to a closed port: a message on the error stream, both finished.
        if let Some((error_id, _)) = error_stream_of(streams, &request) {
            out.extend(frame::data(error_id, true, pod.refusal(port).as_bytes()));
            streams.remove(&error_id);
        }
        out.extend(frame::data(id, true, b""));
        return out;
    }
    streams.insert(
        id,
        Stream {
            kind,
            request,
            head: Vec::new(),
            answered: false,
        },
    );
    out
}

fn error_stream_of<'a>(
    streams: &'a HashMap<u32, Stream>,
    request: &str,
) -> Option<(u32, &'a Stream)> {
    streams
        .iter()
        .find(|(_, s)| s.kind == StreamKind::Error && s.request == request)
        .map(|(id, s)| (*id, s))
}

/// Bytes on a data stream: once the request head is whole, the answer, and
/// both of the connection's streams finished.
fn take_data(
    shared: &KubeShared,
    pod: &ForwardedPod,
    streams: &mut HashMap<u32, Stream>,
    id: u32,
    payload: &[u8],
) -> Vec<u8> {
    let Some(stream) = streams.get_mut(&id) else {
        return Vec::new();
    };
    if stream.kind != StreamKind::Data || stream.answered {
        return Vec::new();
    }
    stream.head.extend_from_slice(payload);
    let complete = stream.head.windows(4).any(|w| w == b"\r\n\r\n") || stream.head.len() > MAX_HEAD;
    if !complete {
        return Vec::new();
    }
    stream.answered = true;
    let request_line = String::from_utf8_lossy(&stream.head)
        .lines()
        .next()
        .unwrap_or("")
        .to_string();
    let request = stream.request.clone();
    let mut out = frame::data(id, true, answer(shared, pod, &request_line).as_bytes());
    streams.remove(&id);
    if let Some((error_id, _)) = error_stream_of(streams, &request) {
        out.extend(frame::data(error_id, true, b""));
        streams.remove(&error_id);
    }
    out
}

fn reset(id: u32) -> Vec<u8> {
    let mut payload = id.to_be_bytes().to_vec();
    payload.extend(frame::RST_REFUSED_STREAM.to_be_bytes());
    frame::control(frame::TYPE_RST_STREAM, 0, &payload)
}
