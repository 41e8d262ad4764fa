//! Container endpoints of the simulated engine: list, create, start, stop,
//! restart, kill, inspect, remove (logs and stats: `streams`). A running container's
//! published ports listen on 127.0.0.1 and answer `Hello from <name>`.

use super::state::{Engine, PortBinding, RunState, SimContainer};
use super::state::{Shared, error, lock};
use crate::sim::http::{Body, empty, flag, hello_server, json};
use hyper::{Response, StatusCode};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use tokio::sync::mpsc;

pub fn list(engine: &Shared, query: &HashMap<String, String>) -> Response<Body> {
    let engine = lock(engine);
    let all = flag(query, "all");
    let filters = super::filters::of_query(query);
    let now = Engine::now();
    let mut rows: Vec<usize> = (0..engine.containers.len())
        .filter(|&i| {
            let c = &engine.containers[i];
            (all || c.state == RunState::Running || filters.contains_key("status"))
                && super::filters::container_matches(c, &filters)
        })
        .collect();
    rows.sort_by_key(|&i| std::cmp::Reverse(engine.containers[i].created));
    let list: Vec<Value> = rows
        .into_iter()
        .map(|i| engine.container_summary(i, now))
        .collect();
    json(StatusCode::OK, &Value::Array(list))
}

pub fn create(engine: &Shared, query: &HashMap<String, String>, body: &[u8]) -> Response<Body> {
    let config: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(e) => return error(StatusCode::BAD_REQUEST, &format!("invalid JSON: {e}")),
    };
    let Some(image_ref) = config.get("Image").and_then(Value::as_str) else {
        return error(StatusCode::BAD_REQUEST, "config must name an Image");
    };
    let mut engine = lock(engine);
    let Some(image_index) = engine.find_image(image_ref) else {
        return error(
            StatusCode::NOT_FOUND,
            &format!("No such image: {image_ref}"),
        );
    };
    let name = match query.get("name").filter(|n| !n.is_empty()) {
        Some(name) => {
            let name = name.trim_start_matches('/');
            if !crate::app::core::validate::is_container_name(name) {
                return error(
                    StatusCode::BAD_REQUEST,
                    &format!(
                        "Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
                    ),
                );
            }
            if let Some(other) = engine.containers.iter().find(|c| c.name == name) {
                return error(
                    StatusCode::CONFLICT,
                    &format!(
                        "Conflict. The container name \"/{name}\" is already in use by container \"{}\". You have to remove (or rename) that container to be able to reuse that name.",
                        other.id
                    ),
                );
            }
            name.to_string()
        }
        None => docker_style_name(&mut engine),
    };
    let image = engine.images[image_index].clone();
    let strings = |v: Option<&Value>| -> Option<Vec<String>> {
        v.and_then(Value::as_array).map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
    };
    let entrypoint = strings(config.get("Entrypoint")).unwrap_or(image.entrypoint.clone());
    let cmd = strings(config.get("Cmd"))
        .filter(|c| !c.is_empty())
        .unwrap_or(image.cmd.clone());
    let mut env = image.env.clone();
    env.extend(strings(config.get("Env")).unwrap_or_default());
    let mut labels = image.labels.clone();
    if let Some(map) = config.get("Labels").and_then(Value::as_object) {
        labels.extend(
            map.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string()))),
        );
    }
    let mut exposed: Vec<String> = image.exposed.clone();
    match config.get("ExposedPorts") {
        Some(Value::Object(map)) => exposed.extend(map.keys().cloned()),
        Some(Value::Array(items)) => {
            exposed.extend(items.iter().filter_map(|i| i.as_str().map(String::from)))
        }
        _ => {}
    }
    let mut requested = Vec::new();
    if let Some(map) = config
        .pointer("/HostConfig/PortBindings")
        .and_then(Value::as_object)
    {
        for (container_port, list) in map {
            for binding in list.as_array().into_iter().flatten() {
                let host_ip = binding
                    .get("HostIp")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                let port_text = binding
                    .get("HostPort")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                let host_port = if port_text.is_empty() {
                    0
                } else {
                    match port_text.parse::<u16>() {
                        Ok(p) => p,
                        Err(_) => {
                            return error(
                                StatusCode::BAD_REQUEST,
                                &format!("invalid host port: {port_text}"),
                            );
                        }
                    }
                };
                let container_port = if container_port.contains('/') {
                    container_port.clone()
                } else {
                    format!("{container_port}/tcp")
                };
                requested.push(PortBinding {
                    host_ip,
                    host_port,
                    container_port,
                });
            }
        }
    }
    for binding in &requested {
        if !exposed.contains(&binding.container_port) {
            exposed.push(binding.container_port.clone());
        }
    }
    exposed.sort();
    exposed.dedup();
    let (network_mode, networks) = match super::networks::networks_of(&engine, &config) {
        Ok(found) => found,
        Err(problem) => return error(StatusCode::NOT_FOUND, &problem),
    };
    let mounts = match super::mounts::mounts_of(&mut engine, &config) {
        Ok(mounts) => mounts,
        Err(problem) => return error(StatusCode::BAD_REQUEST, &problem),
    };
    let yes = |pointer: &str| config.pointer(pointer).and_then(Value::as_bool) == Some(true);
    let id = engine.new_id(&name);
    let mut full_cmd = entrypoint;
    full_cmd.extend(cmd);
    engine.containers.push(SimContainer {
        id: id.clone(),
        name,
        image: image_ref.to_string(),
        image_id: image.id.clone(),
        cmd: full_cmd,
        env,
        labels,
        exposed,
        requested,
        bound: Vec::new(),
        created: Engine::now(),
        state: RunState::Created,
        exit_code: 0,
        started_at: None,
        finished_at: None,
        logs: Vec::new(),
        listeners: Vec::new(),
        files: BTreeMap::new(),
        mounts,
        network_mode,
        networks,
        auto_remove: yes("/HostConfig/AutoRemove"),
        open_stdin: yes("/OpenStdin"),
        tty: yes("/Tty"),
        exits: 0,
    });
    let index = engine.containers.len() - 1;
    engine.container_event(index, "create");
    json(StatusCode::CREATED, &json!({"Id": id, "Warnings": []}))
}

pub fn start(shared: &Shared, key: &str) -> Response<Body> {
    let mut engine = lock(shared);
    let Some(index) = engine.find_container(key) else {
        return no_such(key);
    };
    if engine.containers[index].state == RunState::Running {
        return empty(StatusCode::NOT_MODIFIED);
    }
    // Bind every published port first: a taken port fails the start, as dockerd does.
    let mut bound = Vec::new();
    let mut listeners = Vec::new();
    for binding in engine.containers[index].requested.clone() {
        // Only loopback is ever bound here, whatever address was asked for.
        let listener = match bind_published(binding.host_port)
            .and_then(|l| l.set_nonblocking(true).map(|_| l))
            .and_then(tokio::net::TcpListener::from_std)
        {
            Ok(listener) => listener,
            Err(e) => {
                return error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &format!(
                        "driver failed programming external connectivity on endpoint {}: Bind for {}:{} failed: {e}",
                        engine.containers[index].name,
                        if binding.host_ip.is_empty() {
                            "0.0.0.0"
                        } else {
                            &binding.host_ip
                        },
                        binding.host_port
                    ),
                );
            }
        };
        let port = listener
            .local_addr()
            .map(|a| a.port())
            .unwrap_or(binding.host_port);
        let host_ip = if binding.host_ip.is_empty() {
            "0.0.0.0".to_string()
        } else {
            binding.host_ip.clone()
        };
        bound.push(PortBinding {
            host_ip,
            host_port: port,
            ..binding
        });
        listeners.push(listener);
    }
    let id = engine.containers[index].id.clone();
    let (log_tx, mut log_rx) = mpsc::unbounded_channel::<String>();
    let files_of = shared.clone();
    let answering = id.clone();
    let responder: crate::sim::http::Responder =
        Arc::new(move |request_line: &str, peer: std::net::SocketAddr| {
            let body = answer(&files_of, &answering, request_line);
            let _ = log_tx.send(format!("{peer} \"{request_line}\" 200 {}", body.len()));
            (200, body)
        });
    let mut tasks: Vec<_> = listeners
        .into_iter()
        .map(|l| tokio::spawn(hello_server(l, responder.clone())))
        .collect();
    let writer = shared.clone();
    let log_id = id.clone();
    tasks.push(tokio::spawn(async move {
        while let Some(line) = log_rx.recv().await {
            let mut engine = lock(&writer);
            if let Some(i) = engine.containers.iter().position(|c| c.id == log_id) {
                engine.append_log(i, line);
            }
        }
    }));
    let container = &mut engine.containers[index];
    container.state = RunState::Running;
    container.started_at = Some(Engine::now());
    container.bound = bound;
    container.listeners = tasks;
    if let Some(ran) = super::process::run_to_end(&engine, index) {
        engine.container_event(index, "start");
        super::process::end(&mut engine, index, ran);
        return empty(StatusCode::NO_CONTENT);
    }
    let container = &engine.containers[index];
    let ports: Vec<String> = container
        .bound
        .iter()
        .map(|b| format!("127.0.0.1:{}", b.host_port))
        .collect();
    let command = container.command_line();
    // An interactive shell's output is the conversation itself; a note would sit in it.
    if !super::process::is_interactive(&engine, index) {
        engine.append_log(index, format!("[pilothouse sim] started {command}"));
    }
    if !ports.is_empty() {
        engine.append_log(
            index,
            format!("[pilothouse sim] answering HTTP on {}", ports.join(", ")),
        );
    }
    engine.container_event(index, "start");
    empty(StatusCode::NO_CONTENT)
}

/// Bind a published port on loopback. A port in use is tried again for a
/// moment before the start fails: the engine runs inside another program (the
/// cockpit's demo, a test), and a process that program forks at the moment a
/// stopped container's listener closes holds a copy of that socket until it
/// execs, so the port is still listening for a few milliseconds after the
/// engine let it go.
fn bind_published(port: u16) -> std::io::Result<std::net::TcpListener> {
    const TRIES: u32 = 20;
    let mut tries = 0;
    loop {
        match std::net::TcpListener::bind(("127.0.0.1", port)) {
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && port != 0 && tries < TRIES => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            bound => return bound,
        }
    }
}

/// What a container answers: a file copied into it whose path the request
/// names, else a greeting that names the container and the image it runs (so
/// a test, or a presenter, sees which build serves).
fn answer(shared: &Shared, id: &str, request_line: &str) -> String {
    let engine = lock(shared);
    let Some(container) = engine.containers.iter().find(|c| c.id == id) else {
        return String::new();
    };
    let wanted = request_line.split(' ').nth(1).unwrap_or("/");
    let copied = container
        .files
        .iter()
        .find(|(path, _)| path.as_str() == wanted || (wanted != "/" && path.ends_with(wanted)));
    match copied {
        Some((_, content)) => String::from_utf8_lossy(content).into_owned(),
        None => format!(
            "Hello from {} running {}\n",
            container.name, container.image
        ),
    }
}

pub fn stop(shared: &Shared, key: &str, signal_exit: i64, action: &str) -> Response<Body> {
    let mut engine = lock(shared);
    let Some(index) = engine.find_container(key) else {
        return no_such(key);
    };
    if engine.containers[index].state != RunState::Running {
        return if action == "kill" {
            error(
                StatusCode::CONFLICT,
                &format!("Container {key} is not running"),
            )
        } else {
            empty(StatusCode::NOT_MODIFIED)
        };
    }
    engine.halt(index, signal_exit);
    engine.container_event(index, action);
    empty(StatusCode::NO_CONTENT)
}

pub async fn restart(shared: &Shared, key: &str) -> Response<Body> {
    {
        let mut engine = lock(shared);
        let Some(index) = engine.find_container(key) else {
            return no_such(key);
        };
        engine.halt(index, 0);
    }
    // The same ports are bound again at once.
    super::state::ports_released(shared).await;
    let response = start(shared, key);
    if response.status() == StatusCode::NO_CONTENT {
        let engine = lock(shared);
        if let Some(index) = engine.find_container(key) {
            engine.container_event(index, "restart");
        }
    }
    response
}

pub fn remove(shared: &Shared, key: &str, query: &HashMap<String, String>) -> Response<Body> {
    let mut engine = lock(shared);
    let Some(index) = engine.find_container(key) else {
        return no_such(key);
    };
    if engine.containers[index].state == RunState::Running {
        if !flag(query, "force") {
            return error(
                StatusCode::CONFLICT,
                &format!(
                    "You cannot remove a running container {}. Stop the container before attempting removal or force remove",
                    engine.containers[index].id
                ),
            );
        }
        engine.halt(index, 137);
    }
    engine.container_event(index, "destroy");
    let gone = engine.containers.remove(index);
    if flag(query, "v") {
        engine.remove_anonymous_volumes(&gone.mounts);
    }
    empty(StatusCode::NO_CONTENT)
}

pub fn inspect(shared: &Shared, key: &str) -> Response<Body> {
    let engine = lock(shared);
    match engine.find_container(key) {
        Some(index) => json(StatusCode::OK, &engine.container_inspect(index)),
        None => no_such(key),
    }
}

pub(super) fn no_such(key: &str) -> Response<Body> {
    error(StatusCode::NOT_FOUND, &format!("No such container: {key}"))
}

/// Labels from a query parameter `labels` (a JSON object), used by build.
pub fn labels_param(query: &HashMap<String, String>) -> BTreeMap<String, String> {
    query
        .get("labels")
        .and_then(|l| serde_json::from_str::<BTreeMap<String, String>>(l).ok())
        .unwrap_or_default()
}

/// A name like the ones dockerd makes up (`quirky_turing`), deterministic per engine.
fn docker_style_name(engine: &mut Engine) -> String {
    const ADJECTIVES: [&str; 12] = [
        "admiring", "brave", "eager", "focused", "gifted", "jolly", "keen", "nifty", "quirky",
        "serene", "tender", "vibrant",
    ];
    const NAMES: [&str; 12] = [
        "curie", "dijkstra", "hopper", "lovelace", "noether", "pike", "ritchie", "shannon",
        "thompson", "torvalds", "turing", "wozniak",
    ];
    for attempt in 0usize.. {
        let seed = engine.new_id("name");
        let n = u64::from_str_radix(&seed[..8], 16).unwrap_or(0) as usize;
        let mut name = format!(
            "{}_{}",
            ADJECTIVES[n % ADJECTIVES.len()],
            NAMES[(n / ADJECTIVES.len()) % NAMES.len()]
        );
        // Past a few tries every pair may be taken: a number makes it unique, as dockerd's retries do.
        if attempt >= 16 {
            name = format!("{name}{attempt}");
        }
        if !engine.containers.iter().any(|c| c.name == name) {
            return name;
        }
    }
    unreachable!("the name loop only ends by returning")
}
