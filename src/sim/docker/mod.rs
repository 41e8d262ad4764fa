//! The simulated Docker Engine: the API subset the docker CLI and bollard
//! use, served on a Unix socket.

mod archive;
mod buildkit;
mod containers;
mod context;
mod everyday;
mod exec;
mod filters;
pub(crate) mod images;
mod mounts;
mod networks;
mod preload;
mod process;
mod records;
mod registry;
mod save_load;
pub mod state;
mod streams;
pub mod tls;
mod volumes;

use crate::sim::http::{self, Body, flag, json, read_body, streaming};
use bytes::Bytes;
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use serde_json::json;
use state::{Engine, error};
pub use state::{Shared, lock};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

/// The API version the sim speaks; clients negotiate down to it.
pub const API_VERSION: &str = "1.43";
pub const ENGINE_VERSION: &str = "24.0.0-pilothouse-sim";

/// A running simulated engine; dropping it stops serving and removes the socket.
pub struct DockerSim {
    pub socket: PathBuf,
    pub engine: Shared,
    task: tokio::task::JoinHandle<()>,
    tcp: Option<(u16, tokio::task::JoinHandle<()>)>,
    tls: Option<tokio::task::JoinHandle<()>>,
}

impl DockerSim {
    pub async fn start(socket: &Path) -> std::io::Result<Self> {
        let _ = std::fs::remove_file(socket);
        let listener = tokio::net::UnixListener::bind(socket)?;
        let engine: Shared = Arc::new(Mutex::new(Engine::default()));
        let shared = engine.clone();
        let task = tokio::spawn(http::serve_unix(listener, move |request| {
            handle(shared.clone(), request)
        }));
        Ok(Self {
            socket: socket.to_path_buf(),
            engine,
            task,
            tcp: None,
            tls: None,
        })
    }

    pub fn host(&self) -> String {
        format!("unix://{}", self.socket.display())
    }

    /// Serve the same engine on loopback TCP too (port 0: any free port); returns `tcp://127.0.0.1:PORT`.
    pub async fn serve_tcp(&mut self, port: u16) -> std::io::Result<String> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let port = listener.local_addr()?.port();
        let shared = self.engine.clone();
        let task = tokio::spawn(http::serve_tcp(listener, move |request| {
            handle(shared.clone(), request)
        }));
        self.tcp = Some((port, task));
        Ok(format!("tcp://127.0.0.1:{port}"))
    }

    /// Serve the same engine over TLS with client certificates, as `dockerd
    /// --tlsverify` (port 0: any free port); the client's files go to
    /// `cert_dir`. Returns `tcp://127.0.0.1:PORT`.
    pub async fn serve_tls(&mut self, port: u16, cert_dir: &Path) -> color_eyre::Result<String> {
        let config = tls::server_config(cert_dir)?;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let port = listener.local_addr()?.port();
        let shared = self.engine.clone();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        self.tls = Some(tokio::spawn(http::serve_tls(
            listener,
            acceptor,
            move |request| handle(shared.clone(), request),
        )));
        Ok(format!("tcp://127.0.0.1:{port}"))
    }
}

impl Drop for DockerSim {
    fn drop(&mut self) {
        self.task.abort();
        if let Some(task) = self.tls.take() {
            task.abort();
        }
        if let Some((_, task)) = self.tcp.take() {
            task.abort();
        }
        let mut engine = lock(&self.engine);
        for container in &mut engine.containers {
            for task in container.listeners.drain(..) {
                task.abort();
            }
        }
        let _ = std::fs::remove_file(&self.socket);
    }
}

/// `/v1.43/containers/json` -> `/containers/json`.
fn strip_version(path: &str) -> &str {
    let Some(rest) = path.strip_prefix("/v") else {
        return path;
    };
    match rest.find('/') {
        Some(i)
            if rest[..i]
                .split('.')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit())) =>
        {
            &rest[i..]
        }
        _ => path,
    }
}

async fn handle(shared: Shared, request: Request<Incoming>) -> Response<Body> {
    let method = request.method().clone();
    let path = http::percent_decode(strip_version(request.uri().path()));
    let query = http::query(&request);
    tracing::debug!(%method, %path, "docker sim");
    if method != hyper::Method::GET && method != hyper::Method::HEAD {
        let mut engine = lock(&shared);
        if engine.writes.len() >= state::WRITES_KEPT {
            engine.writes.pop_front();
        }
        engine.writes.push_back(format!("{method} {path}"));
    }
    state::ports_released(&shared).await;
    let mut response = route(&shared, &method, &path, &query, request).await;
    state::ports_released(&shared).await;
    let headers = response.headers_mut();
    for (name, value) in [
        ("api-version", API_VERSION),
        ("docker-experimental", "false"),
        ("ostype", "linux"),
        ("server", "Docker/24.0.0-pilothouse-sim (linux)"),
    ] {
        if let Ok(value) = value.parse() {
            headers.insert(name, value);
        }
    }
    response
}

async fn route(
    shared: &Shared,
    method: &Method,
    path: &str,
    query: &HashMap<String, String>,
    request: Request<Incoming>,
) -> Response<Body> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        (&Method::GET | &Method::HEAD, ["_ping"]) => {
            let mut response = http::full(StatusCode::OK, "text/plain", "OK");
            // The classic builder is the default it names, so a docker CLI without buildx
            // (which BuildKit would need) builds here; `version=2` builds stream as BuildKit's.
            if let Ok(value) = "1".parse() {
                response.headers_mut().insert("builder-version", value);
            }
            response
        }
        (&Method::GET, ["version"]) => json(StatusCode::OK, &version()),
        (&Method::GET, ["info"]) => info(shared),
        (&Method::GET, ["events"]) => events(shared, query),
        (&Method::GET, ["containers", "json"]) => containers::list(shared, query),
        (&Method::POST, ["containers", "create"]) => match read_body(request).await {
            Ok(body) => containers::create(shared, query, &body),
            Err(e) => error(StatusCode::BAD_REQUEST, &e),
        },
        (&Method::POST, ["containers", id, "start"]) => containers::start(shared, id),
        (&Method::POST, ["containers", id, "stop"]) => containers::stop(shared, id, 0, "stop"),
        (&Method::POST, ["containers", id, "kill"]) => containers::stop(shared, id, 137, "kill"),
        (&Method::POST, ["containers", id, "restart"]) => containers::restart(shared, id).await,
        (&Method::POST, ["containers", id, "wait"]) => process::wait(shared, id, query),
        (&Method::POST, ["containers", id, "attach"]) => process::attach(shared, id, request).await,
        (&Method::GET, ["containers", id, "json"]) => containers::inspect(shared, id),
        (&Method::GET, ["containers", id, "archive"]) => archive::download(shared, id, query),
        (&Method::HEAD, ["containers", id, "archive"]) => archive::stat(shared, id, query),
        (&Method::PUT, ["containers", id, "archive"]) => match read_body(request).await {
            Ok(body) => archive::upload(shared, id, query, &body),
            Err(e) => error(StatusCode::BAD_REQUEST, &e),
        },
        (&Method::POST, ["containers", id, "exec"]) => match read_body(request).await {
            Ok(body) => exec::create(shared, id, &body),
            Err(e) => error(StatusCode::BAD_REQUEST, &e),
        },
        (&Method::POST, ["exec", id, "start"]) => exec::start(shared, id, request).await,
        (&Method::POST, ["exec", id, "resize"]) => exec::resize(shared, id, query),
        (&Method::GET, ["exec", id, "json"]) => exec::inspect(shared, id),
        (&Method::GET, ["containers", id, "logs"]) => streams::logs(shared, id, query),
        (&Method::GET, ["containers", id, "stats"]) => streams::stats(shared, id, query),
        (&Method::DELETE, ["containers", id]) => containers::remove(shared, id, query),
        (&Method::GET, ["images", "json"]) => images::list(shared),
        (&Method::POST, ["images", "prune"]) => everyday::prune_images(shared, query),
        (&Method::GET, ["images", "get"]) => {
            let names: Vec<String> = http::query_pairs(&request)
                .into_iter()
                .filter(|(k, _)| k == "names")
                .map(|(_, v)| v)
                .collect();
            save_load::save(shared, &names)
        }
        (&Method::GET, ["images", .., "get"]) => save_load::save(
            shared,
            &[path
                .trim_start_matches("/images/")
                .trim_end_matches("/get")
                .to_string()],
        ),
        (&Method::POST, ["images", "load"]) => match read_body(request).await {
            Ok(body) => save_load::load(shared, &body),
            Err(e) => error(StatusCode::BAD_REQUEST, &e),
        },
        (&Method::GET, ["images", .., "history"]) => everyday::history(
            shared,
            path.trim_start_matches("/images/")
                .trim_end_matches("/history"),
        ),
        (&Method::GET, ["containers", id, "top"]) => everyday::top(shared, id),
        (&Method::POST, ["containers", id, "rename"]) => everyday::rename(shared, id, query),
        (&Method::GET, ["system", "df"]) => everyday::disk_usage(shared),
        (&Method::GET, ["networks"]) => networks::list(shared, query),
        (&Method::GET, ["networks", id]) => networks::inspect(shared, id),
        (&Method::POST, ["networks", "create"]) => match read_body(request).await {
            Ok(body) => networks::create(shared, &body),
            Err(e) => error(StatusCode::BAD_REQUEST, &e),
        },
        (&Method::POST, ["networks", "prune"]) => networks::prune(shared),
        (&Method::DELETE, ["networks", id]) => networks::remove(shared, id),
        (&Method::POST, ["networks", id, action @ ("connect" | "disconnect")]) => {
            match read_body(request).await {
                Ok(body) => networks::connect(shared, id, &body, *action == "connect"),
                Err(e) => error(StatusCode::BAD_REQUEST, &e),
            }
        }
        (&Method::GET, ["volumes"]) => volumes::list(shared, query),
        (&Method::POST, ["volumes", "create"]) => match read_body(request).await {
            Ok(body) => volumes::create(shared, &body),
            Err(e) => error(StatusCode::BAD_REQUEST, &e),
        },
        (&Method::POST, ["volumes", "prune"]) => volumes::prune(shared, query),
        (&Method::GET, ["volumes", name]) => volumes::inspect(shared, name),
        (&Method::DELETE, ["volumes", name]) => volumes::remove(shared, name, query),
        (&Method::POST, ["images", "create"]) => error(
            StatusCode::NOT_FOUND,
            "pull access denied: the pilothouse simulated engine has no registry; build the image instead",
        ),
        (&Method::GET, ["images", .., "json"]) => images::inspect(shared, image_name(path, true)),
        (&Method::POST, ["images", .., "push"]) => {
            let name = path
                .trim_start_matches("/images/")
                .trim_end_matches("/push");
            let auth = request
                .headers()
                .get("x-registry-auth")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            images::push(shared, name, query.get("tag").map(String::as_str), auth)
        }
        (&Method::POST, ["images", .., "tag"]) => {
            let name = path.trim_start_matches("/images/").trim_end_matches("/tag");
            images::tag(shared, name, query)
        }
        (&Method::DELETE, ["images", ..]) => {
            images::remove(shared, image_name(path, false), flag(query, "force"))
        }
        (&Method::POST, ["auth"]) => match read_body(request).await {
            Ok(body) => registry::login(shared, &body),
            Err(e) => error(StatusCode::BAD_REQUEST, &e),
        },
        (&Method::POST, ["build"]) => match read_body(request).await {
            Ok(body) => images::build(shared, query, body),
            Err(e) => error(StatusCode::BAD_REQUEST, &e),
        },
        _ => error(
            StatusCode::NOT_FOUND,
            &format!("page not found: the simulated engine does not serve {method} {path}"),
        ),
    }
}

/// The image name in `/images/<name>/json` or `/images/<name>`; names may hold '/'.
fn image_name(path: &str, inspect: bool) -> &str {
    let rest = path.trim_start_matches("/images/");
    if inspect {
        rest.strip_suffix("/json").unwrap_or(rest)
    } else {
        rest
    }
}

fn version() -> serde_json::Value {
    let details = json!({
        "ApiVersion": API_VERSION, "MinAPIVersion": "1.12", "GitCommit": "pilothouse", "GoVersion": "go1.21",
        "Os": "linux", "Arch": "amd64", "KernelVersion": "simulated", "BuildTime": "2026-01-01T00:00:00Z", "Experimental": "false",
    });
    json!({
        "Platform": {"Name": "pilothouse simulated engine"},
        "Components": [{"Name": "Engine", "Version": ENGINE_VERSION, "Details": details}],
        "Version": ENGINE_VERSION, "ApiVersion": API_VERSION, "MinAPIVersion": "1.12", "GitCommit": "pilothouse",
        "GoVersion": "go1.21", "Os": "linux", "Arch": "amd64", "KernelVersion": "simulated", "BuildTime": "2026-01-01T00:00:00Z",
    })
}

fn info(shared: &Shared) -> Response<Body> {
    let engine = lock(shared);
    let running = engine
        .containers
        .iter()
        .filter(|c| c.state == state::RunState::Running)
        .count();
    json(
        StatusCode::OK,
        &json!({
            "ID": "pilothouse-sim", "Containers": engine.containers.len(), "ContainersRunning": running,
            "ContainersPaused": 0, "ContainersStopped": engine.containers.len() - running, "Images": engine.images.len(),
            "Driver": "overlay2", "ServerVersion": ENGINE_VERSION, "OperatingSystem": "pilothouse simulated engine",
            "OSType": "linux", "Architecture": "x86_64", "NCPU": 2, "MemTotal": 2_147_483_648u64, "Name": "minikube",
            "KernelVersion": "simulated", "DockerRootDir": "/var/lib/docker", "Labels": [], "Warnings": [],
            "SecurityOptions": [], "Plugins": {"Volume": [], "Network": [], "Log": []}, "Swarm": {"LocalNodeState": "inactive"},
        }),
    )
}

/// `/events`: one JSON object per line as things happen; `type` filters
/// honoured; `since` replays the kept ones from then on, `until` ends the
/// stream at that time (at once when it is past).
fn events(shared: &Shared, query: &HashMap<String, String>) -> Response<Body> {
    let types: Vec<String> = filters::of_query(query).remove("type").unwrap_or_default();
    let wanted = move |text: &str| {
        types.is_empty()
            || types
                .iter()
                .any(|t| text.contains(&format!("\"Type\":\"{t}\"")))
    };
    let stamp = |key: &str| query.get(key).and_then(|v| unix_nanos(v));
    let (since, until) = (stamp("since"), stamp("until"));
    let (tx, rx) = mpsc::unbounded_channel();
    let engine = lock(shared);
    let mut events = engine.events.subscribe();
    if let (Some(since), Ok(past)) = (since, engine.past_events.lock()) {
        for (at, text) in past.iter() {
            if *at >= since && until.is_none_or(|u| *at <= u) && wanted(text) {
                let _ = tx.send(Bytes::from(format!("{text}\n")));
            }
        }
    }
    drop(engine);
    let now = crate::sim::clock::now_nanos();
    if until.is_some_and(|u| u <= now) {
        drop(tx);
        return streaming(StatusCode::OK, "application/json", rx);
    }
    let deadline = until.map(|u| {
        tokio::time::Instant::now()
            + std::time::Duration::from_nanos(u64::try_from(u - now).unwrap_or(0))
    });
    tokio::spawn(async move {
        loop {
            let next = match deadline {
                Some(deadline) => match tokio::time::timeout_at(deadline, events.recv()).await {
                    Ok(next) => next,
                    Err(_) => return,
                },
                None => events.recv().await,
            };
            match next {
                Ok(text) => {
                    if wanted(&text) && tx.send(Bytes::from(format!("{text}\n"))).is_err() {
                        return;
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(_) => return,
            }
        }
    });
    streaming(StatusCode::OK, "application/json", rx)
}

/// `1733380000` or `1733380000.123456789`, as the docker CLI sends times.
fn unix_nanos(text: &str) -> Option<i128> {
    let (seconds, fraction) = text.split_once('.').unwrap_or((text, ""));
    let seconds: i128 = seconds.parse().ok()?;
    let digits: String = fraction.chars().take(9).collect();
    let nanos: i128 = if digits.is_empty() {
        0
    } else {
        format!("{digits:0<9}").parse().ok()?
    };
    Some(seconds * 1_000_000_000 + nanos)
}

/// `docker run` without `-d` waits; the sim's containers run until stopped.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_prefixes_are_stripped() {
        assert_eq!(strip_version("/v1.43/containers/json"), "/containers/json");
        assert_eq!(strip_version("/v1.41/_ping"), "/_ping");
        assert_eq!(strip_version("/_ping"), "/_ping");
        assert_eq!(strip_version("/version"), "/version");
        assert_eq!(unix_nanos("1733380000"), Some(1_733_380_000_000_000_000));
        assert_eq!(unix_nanos("1733380000.5"), Some(1_733_380_000_500_000_000));
        assert_eq!(unix_nanos("soon"), None);
        assert_eq!(
            image_name("/images/localhost:5000/team/app:v1/json", true),
            "localhost:5000/team/app:v1"
        );
    }
}
