//! `pods/x/portforward?ports=P,...` over a WebSocket, as kube-rs speaks it
//! (`v5.channel.k8s.io` / `v4.channel.k8s.io`): two channels a port, data
//! (2i) and error (2i+1), each opened by the server with the port as two
//! little-endian bytes. What answers is the pod's simulated HTTP server
//! (`Hello from <pod> running <image>`), one request a forward; a port
//! the pod does not declare is refused on its error channel. kubectl's
//! SPDY forms: `portforward_spdy.rs`. See `sim/STREAMS.md`.

use super::forwarded_pod::{ForwardedPod, MAX_HEAD, answer, pod_of};
use super::*;
use crate::sim::websocket;
use futures::{SinkExt, StreamExt};
use hyper::Request;
use hyper::body::Incoming;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

pub fn portforward(
    shared: &Arc<KubeShared>,
    target: &Target,
    mut request: Request<Incoming>,
) -> Response<Body> {
    use super::portforward_spdy as spdy;
    let tunnel = websocket::is_upgrade(&request) && spdy::offers_tunnel(&request);
    if tunnel || spdy::is_spdy_upgrade(&request) {
        // kubectl: the ports come in each stream's headers.
        let pod = match pod_of(shared, target) {
            Ok(pod) => pod,
            Err(response) => return *response,
        };
        return if tunnel {
            spdy::tunnel(shared.clone(), pod, request)
        } else {
            spdy::upgrade(shared.clone(), pod, request)
        };
    }
    if let Some(refused) = super::exec::unless_websocket(&request, "port-forward") {
        return refused;
    }
    let ports = match requested_ports(&request) {
        Ok(ports) => ports,
        Err(problem) => return status_response(&Refusal::bad_request(problem), None, None),
    };
    let pod = match pod_of(shared, target) {
        Ok(pod) => pod,
        Err(response) => return *response,
    };
    let shared = shared.clone();
    super::exec::accept_then(&mut request, "port-forward", move |socket, _| async move {
        serve(socket, &shared, &pod, &ports).await
    })
}

/// `ports=8000,9000` or `ports=8000&ports=9000`.
fn requested_ports(request: &Request<Incoming>) -> Result<Vec<u16>, String> {
    let mut ports = Vec::new();
    for (key, value) in crate::sim::http::query_pairs(request) {
        if key != "ports" {
            continue;
        }
        for word in value.split(',').filter(|w| !w.is_empty()) {
            match word.trim().parse::<u16>() {
                Ok(port) if port > 0 => ports.push(port),
                _ => return Err(format!("invalid port: {word}: ports must be 1-65535")),
            }
        }
    }
    if ports.is_empty() {
        return Err("at least one port must be specified".into());
    }
    Ok(ports)
}

fn frame(channel: u8, bytes: &[u8]) -> Message {
    let mut message = Vec::with_capacity(bytes.len() + 1);
    message.push(channel);
    message.extend_from_slice(bytes);
    Message::Binary(message.into())
}

async fn serve(socket: websocket::Socket, shared: &KubeShared, pod: &ForwardedPod, ports: &[u16]) {
    let (mut sink, mut stream) = socket.split();
    for (i, port) in ports.iter().enumerate() {
        let data = 2 * i as u8;
        for channel in [data, data + 1] {
            if sink
                .send(frame(channel, &port.to_le_bytes()))
                .await
                .is_err()
            {
                return;
            }
        }
        if !pod.declares(*port) {
            let _ = sink
                .send(frame(data + 1, pod.refusal(*port).as_bytes()))
                .await;
        }
    }
    // Each port's request head as it comes; answered once complete.
    let mut heads: Vec<Vec<u8>> = vec![Vec::new(); ports.len()];
    let mut answered = vec![false; ports.len()];
    let mut closing = false;
    // Read on after the client's close: that is what sends the reply and ends the stream.
    while let Some(Ok(message)) = stream.next().await {
        let Message::Binary(data) = message else {
            closing |= matches!(message, Message::Close(_));
            continue;
        };
        let Some((&channel, bytes)) = data.split_first() else {
            continue;
        };
        let index = usize::from(channel / 2);
        if channel % 2 == 1 || index >= ports.len() || answered[index] {
            continue;
        }
        let head = &mut heads[index];
        head.extend_from_slice(bytes);
        let complete = head.windows(4).any(|w| w == b"\r\n\r\n") || head.len() > MAX_HEAD;
        if !complete || !pod.declares(ports[index]) {
            continue;
        }
        answered[index] = true;
        let request_line = String::from_utf8_lossy(head)
            .lines()
            .next()
            .unwrap_or("")
            .to_string();
        let response = answer(shared, pod, &request_line);
        // One request a connection, as its `Connection: close` says: the
        // pod's server closes, and with every port answered the API server
        // ends the forward (a normal close; reading on completes the handshake).
        if sink
            .send(frame(channel, response.as_bytes()))
            .await
            .is_err()
        {
            return;
        }
        if answered.iter().all(|a| *a) && !closing {
            closing = true;
            let _ = sink
                .send(Message::Close(Some(CloseFrame {
                    code: CloseCode::Normal,
                    reason: "".into(),
                })))
                .await;
        }
    }
    if !closing {
        let _ = sink
            .send(Message::Close(Some(CloseFrame {
                code: CloseCode::Normal,
                reason: "".into(),
            })))
            .await;
    }
}
