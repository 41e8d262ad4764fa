//! One HTTP request to the engine, over the same endpoint bollard uses
//! (a unix socket, plain TCP, or TLS with the client certificate of
//! `DOCKER_CERT_PATH`), answered as a stream of body chunks.
//!
//! Only BuildKit builds go this way: bollard decodes a build's progress
//! into its own types, and without its `buildkit` feature (gRPC, a session
//! and the generated BuildKit API) it cannot read the trace messages a
//! BuildKit build streams. The engine takes the context as the request's
//! body for BuildKit builds too, so no session is needed; the traces are
//! decoded by `buildkit_trace.rs`.

use crate::sources::docker_endpoint::{Endpoint, TlsFiles};
use bytes::Bytes;
use color_eyre::eyre::{Result, WrapErr, eyre};
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

/// The answer's status and its body, chunk by chunk.
pub struct Streamed {
    pub status: hyper::StatusCode,
    pub body: hyper::body::Incoming,
}

impl Streamed {
    /// The next chunk of the body; None at its end.
    pub async fn next_chunk(&mut self) -> Option<Result<Bytes>> {
        loop {
            match self.body.frame().await? {
                Ok(frame) => match frame.into_data() {
                    Ok(data) => return Some(Ok(data)),
                    // Trailers carry nothing a build needs.
                    Err(_) => continue,
                },
                Err(err) => return Some(Err(eyre!(err).wrap_err("the engine's answer broke off"))),
            }
        }
    }

    /// The whole body as text, for an error answer.
    pub async fn text(mut self) -> String {
        let mut all = Vec::new();
        while let Some(Ok(chunk)) = self.next_chunk().await {
            all.extend_from_slice(&chunk);
        }
        String::from_utf8_lossy(&all).into_owned()
    }
}

/// POST `path_and_query` with `body` (of `content_type`) to the engine.
pub async fn post(
    endpoint: &Endpoint,
    path_and_query: &str,
    content_type: &str,
    body: Bytes,
) -> Result<Streamed> {
    let request = Request::post(path_and_query)
        .header(hyper::header::HOST, authority(&endpoint.host))
        .header(hyper::header::CONTENT_TYPE, content_type)
        .body(Full::new(body))
        .wrap_err("cannot form the request")?;
    let host = endpoint.host.as_str();
    if let Some(path) = host.strip_prefix("unix://") {
        let stream = tokio::net::UnixStream::connect(path)
            .await
            .wrap_err_with(|| format!("cannot reach {host}"))?;
        return send(stream, request).await;
    }
    let address = authority(host);
    let stream = tokio::net::TcpStream::connect(&address)
        .await
        .wrap_err_with(|| format!("cannot reach {host}"))?;
    match &endpoint.tls {
        None => send(stream, request).await,
        Some(files) => {
            let connector = tokio_rustls::TlsConnector::from(Arc::new(client_config(files)?));
            let name = address
                .rsplit_once(':')
                .map_or(address.as_str(), |(h, _)| h);
            let name = ServerName::try_from(name.trim_matches(['[', ']']).to_string())
                .wrap_err_with(|| format!("'{name}' is not a name TLS can verify"))?;
            let stream = connector
                .connect(name, stream)
                .await
                .wrap_err_with(|| format!("the TLS handshake with {host} failed"))?;
            send(stream, request).await
        }
    }
}

/// "tcp://192.168.49.2:2376" -> "192.168.49.2:2376"; a socket's requests name "docker".
fn authority(host: &str) -> String {
    if host.starts_with("unix://") {
        return "docker".to_string();
    }
    let rest = host.split_once("://").map_or(host, |(_, rest)| rest);
    let rest = rest.split('/').next().unwrap_or(rest);
    if rest.contains(':') && !rest.ends_with(']') {
        rest.to_string()
    } else {
        format!("{rest}:2375")
    }
}

async fn send<S>(stream: S, request: Request<Full<Bytes>>) -> Result<Streamed>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .wrap_err("the engine did not speak HTTP")?;
    tokio::spawn(async move {
        if let Err(err) = connection.await {
            tracing::debug!(%err, "engine connection ended");
        }
    });
    let response = sender
        .send_request(request)
        .await
        .wrap_err("the engine did not answer")?;
    let status = response.status();
    Ok(Streamed {
        status,
        body: response.into_body(),
    })
}

/// Trust the endpoint's CA and show its client certificate, as the docker CLI does with
/// `DOCKER_TLS_VERIFY=1`.
fn client_config(files: &TlsFiles) -> Result<ClientConfig> {
    let read = |path: &std::path::Path| {
        std::fs::read(path).wrap_err_with(|| format!("cannot read {}", path.display()))
    };
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&read(&files.ca)?) {
        let cert =
            cert.wrap_err_with(|| format!("{} is not a PEM certificate", files.ca.display()))?;
        roots
            .add(cert)
            .wrap_err_with(|| format!("cannot trust {}", files.ca.display()))?;
    }
    let chain = CertificateDer::pem_slice_iter(&read(&files.cert)?)
        .collect::<Result<Vec<_>, _>>()
        .wrap_err_with(|| format!("{} is not a PEM certificate", files.cert.display()))?;
    let key = PrivateKeyDer::from_pem_slice(&read(&files.key)?)
        .wrap_err_with(|| format!("{} is not a PEM private key", files.key.display()))?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .wrap_err("TLS is not available")?
        .with_root_certificates(roots)
        .with_client_auth_cert(chain, key)
        .wrap_err("cannot use the client certificate")
}

#[cfg(test)]
mod tests {
    use super::authority;

    #[test]
    fn hosts_become_the_address_to_dial() {
        assert_eq!(authority("tcp://192.168.49.2:2376"), "192.168.49.2:2376");
        assert_eq!(authority("http://localhost"), "localhost:2375");
        assert_eq!(authority("https://box:2376/"), "box:2376");
        assert_eq!(authority("unix:///var/run/docker.sock"), "docker");
    }
}
