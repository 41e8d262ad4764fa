//! Small HTTP pieces the simulated services share: responses, streaming
//! bodies, query strings, and the "Hello from <name>" listeners that stand in
//! for a container's or a pod's published port.

use bytes::Bytes;
use http_body_util::{BodyExt, Full, StreamBody, combinators::UnsyncBoxBody};
use hyper::body::{Frame, Incoming};
use hyper::{Request, Response, StatusCode};
use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

pub type Body = UnsyncBoxBody<Bytes, Infallible>;

/// The largest request body the sims read (a build context is the big one).
pub const MAX_BODY: usize = 512 * 1024 * 1024;

pub fn full(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Response<Body> {
    let mut response = Response::new(Full::new(body.into()).boxed_unsync());
    *response.status_mut() = status;
    if let Ok(value) = content_type.parse() {
        response
            .headers_mut()
            .insert(hyper::header::CONTENT_TYPE, value);
    }
    response
}

pub fn json(status: StatusCode, value: &serde_json::Value) -> Response<Body> {
    full(
        status,
        "application/json",
        serde_json::to_vec(value).unwrap_or_default(),
    )
}

pub fn empty(status: StatusCode) -> Response<Body> {
    full(status, "text/plain", Bytes::new())
}

/// A body fed chunk by chunk from a channel; it ends when the sender is dropped.
pub fn streaming(
    status: StatusCode,
    content_type: &str,
    rx: mpsc::UnboundedReceiver<Bytes>,
) -> Response<Body> {
    let chunks = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|bytes| (Ok::<_, Infallible>(Frame::data(bytes)), rx))
    });
    let mut response = Response::new(BodyExt::boxed_unsync(StreamBody::new(chunks)));
    *response.status_mut() = status;
    if let Ok(value) = content_type.parse() {
        response
            .headers_mut()
            .insert(hyper::header::CONTENT_TYPE, value);
    }
    response
}

pub async fn read_body(request: Request<Incoming>) -> Result<Bytes, String> {
    let limited = http_body_util::Limited::new(request.into_body(), MAX_BODY);
    limited
        .collect()
        .await
        .map(|c| c.to_bytes())
        .map_err(|e| format!("cannot read the request body: {e}"))
}

/// Query parameters, percent-decoded (a repeated one keeps its last value).
pub fn query<B>(request: &Request<B>) -> HashMap<String, String> {
    query_pairs(request).into_iter().collect()
}

/// Query parameters in order, repeats kept (`command=sh&command=-c&...`), percent-decoded.
pub fn query_pairs<B>(request: &Request<B>) -> Vec<(String, String)> {
    request
        .uri()
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub fn flag(query: &HashMap<String, String>, name: &str) -> bool {
    matches!(
        query.get(name).map(String::as_str),
        Some("1" | "true" | "True")
    )
}

/// Serve HTTP/1 connections from a Unix socket with one handler.
pub async fn serve_unix<H, F>(listener: tokio::net::UnixListener, handler: H)
where
    H: Fn(Request<Incoming>) -> F + Send + Sync + 'static,
    F: Future<Output = Response<Body>> + Send + 'static,
{
    let handler = Arc::new(handler);
    while let Ok((stream, _)) = listener.accept().await {
        serve_connection(stream, handler.clone());
    }
}

/// Serve HTTP/1 connections from a loopback TCP listener with one handler.
pub async fn serve_tcp<H, F>(listener: tokio::net::TcpListener, handler: H)
where
    H: Fn(Request<Incoming>) -> F + Send + Sync + 'static,
    F: Future<Output = Response<Body>> + Send + 'static,
{
    let handler = Arc::new(handler);
    while let Ok((stream, _)) = listener.accept().await {
        // As Go's servers do (the real API server among them): small writes
        // of a stream (exec, port-forward) go out at once, not after an ACK.
        let _ = stream.set_nodelay(true);
        serve_connection(stream, handler.clone());
    }
}

/// Serve over TLS: each connection's handshake first (a client without a
/// certificate of the CA is turned away there), then HTTP/1.
pub async fn serve_tls<H, F>(
    listener: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    handler: H,
) where
    H: Fn(Request<Incoming>) -> F + Send + Sync + 'static,
    F: Future<Output = Response<Body>> + Send + 'static,
{
    let handler = Arc::new(handler);
    while let Ok((stream, _)) = listener.accept().await {
        let _ = stream.set_nodelay(true);
        let acceptor = acceptor.clone();
        let handler = handler.clone();
        tokio::spawn(async move {
            if let Ok(stream) = acceptor.accept(stream).await {
                serve_connection(stream, handler);
            }
        });
    }
}

/// Serve HTTP/1 on a stream that is already open (a tunnel's TLS, say).
pub fn serve_stream<S, H, F>(stream: S, handler: H)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    H: Fn(Request<Incoming>) -> F + Send + Sync + 'static,
    F: Future<Output = Response<Body>> + Send + 'static,
{
    serve_connection(stream, Arc::new(handler));
}

fn serve_connection<S, H, F>(stream: S, handler: Arc<H>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    H: Fn(Request<Incoming>) -> F + Send + Sync + 'static,
    F: Future<Output = Response<Body>> + Send + 'static,
{
    tokio::spawn(async move {
        let service = hyper::service::service_fn(move |request| {
            let handler = handler.clone();
            async move { Ok::<_, Infallible>(handler(request).await) }
        });
        let io = hyper_util::rt::TokioIo::new(stream);
        let _ = hyper::server::conn::http1::Builder::new()
            .serve_connection(io, service)
            // exec and port-forward take the connection over (`Upgrade`).
            .with_upgrades()
            .await;
    });
}

/// Decides the answer to one request on a simulated published port:
/// (status, body) from the request line and the peer.
pub type Responder = Arc<dyn Fn(&str, std::net::SocketAddr) -> (u16, String) + Send + Sync>;

/// What a published port answers (`Hello from <name>` for the sims), for any request.
pub async fn hello_server(listener: tokio::net::TcpListener, responder: Responder) {
    loop {
        let Ok((mut stream, peer)) = listener.accept().await else {
            return;
        };
        let responder = responder.clone();
        tokio::spawn(async move {
            let mut buffer = vec![0u8; 8192];
            let mut read = 0;
            // Read the request head (bounded); the body, if any, is ignored.
            while read < buffer.len() {
                match stream.read(&mut buffer[read..]).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => read += n,
                }
                if buffer[..read].windows(4).any(|w| w == b"\r\n\r\n") {
                    break;
                }
            }
            let head = String::from_utf8_lossy(&buffer[..read]);
            let request_line = head.lines().next().unwrap_or("").to_string();
            let (status, body) = responder(&request_line, peer);
            let reason = if status == 200 {
                "OK"
            } else {
                "Service Unavailable"
            };
            let response = format!(
                "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes()).await;
            let _ = stream.shutdown().await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(
            percent_decode("%7B%22label%22%3A%5B%22a%3Db%22%5D%7D"),
            r#"{"label":["a=b"]}"#
        );
        assert_eq!(percent_decode("a+b%2"), "a b%2");
        assert_eq!(percent_decode("cookbook%3Alatest"), "cookbook:latest");
        assert_eq!(percent_decode("%é"), "%é");
    }
}
