//! The server side of a WebSocket upgrade, for the simulated API server's
//! exec and port-forward: the handshake answer (RFC 6455's accept key and
//! the chosen subprotocol), then the connection as a WebSocket stream.

use crate::sim::http::{Body, full};
use hyper::body::Incoming;
use hyper::upgrade::OnUpgrade;
use hyper::{Request, Response, StatusCode};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;

pub type Socket = WebSocketStream<hyper_util::rt::TokioIo<hyper::upgrade::Upgraded>>;

/// An accepted upgrade: the 101 answer to send, the subprotocol chosen, and the connection to come.
pub struct Accepted {
    pub response: Response<Body>,
    pub protocol: &'static str,
    pub upgrade: OnUpgrade,
}

/// Whether the request asks for a WebSocket.
pub fn is_upgrade(request: &Request<Incoming>) -> bool {
    request
        .headers()
        .get(hyper::header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// Accepts the upgrade with the first of `supported` (in our order of
/// preference) that the client offered; `Err` names what was missing.
pub fn accept(
    request: &mut Request<Incoming>,
    supported: &[&'static str],
) -> Result<Accepted, String> {
    let headers = request.headers();
    let key = headers
        .get(hyper::header::SEC_WEBSOCKET_KEY)
        .ok_or("the WebSocket upgrade has no Sec-WebSocket-Key")?;
    let offered: Vec<String> = headers
        .get_all(hyper::header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|p| p.trim().to_string())
        .collect();
    let protocol = supported
        .iter()
        .find(|p| offered.iter().any(|o| o == *p))
        .ok_or_else(|| {
            format!(
                "none of the offered subprotocols ({}) is spoken here; the simulated cluster speaks {}",
                offered.join(", "),
                supported.join(", ")
            )
        })?;
    let accept_key = derive_accept_key(key.as_bytes());
    let mut response = full(
        StatusCode::SWITCHING_PROTOCOLS,
        "text/plain",
        bytes::Bytes::new(),
    );
    response.headers_mut().remove(hyper::header::CONTENT_TYPE);
    for (name, value) in [
        ("upgrade", "websocket"),
        ("connection", "Upgrade"),
        ("sec-websocket-accept", accept_key.as_str()),
        ("sec-websocket-protocol", protocol),
    ] {
        if let Ok(value) = value.parse() {
            response.headers_mut().insert(name, value);
        }
    }
    Ok(Accepted {
        response,
        protocol,
        upgrade: hyper::upgrade::on(request),
    })
}

/// The upgraded connection as a server-side WebSocket.
pub async fn open(upgrade: OnUpgrade) -> Result<Socket, hyper::Error> {
    let upgraded = upgrade.await?;
    Ok(
        WebSocketStream::from_raw_socket(
            hyper_util::rt::TokioIo::new(upgraded),
            Role::Server,
            None,
        )
        .await,
    )
}
