//! Networks of the simulated engine: the three every engine has (`bridge`,
//! `host`, `none`) and the ones `docker network create` makes, with the
//! containers attached to each (`--network`, `--network-alias`, `docker
//! network connect`). Nothing is routed between simulated containers; what
//! a learner sees is what `docker network inspect` and `docker inspect` say.

use super::records::{Attachment, SimNetwork};
use super::state::{Engine, RunState, Shared, error, lock, sha256_hex};
use crate::sim::clock::rfc3339;
use crate::sim::http::{Body, empty, json};
use hyper::{Response, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;

const PREDEFINED: [&str; 3] = ["bridge", "host", "none"];

impl Engine {
    /// By name, full id, or an id prefix of 3 or more.
    pub(super) fn find_network(&self, key: &str) -> Option<usize> {
        self.networks
            .iter()
            .position(|n| n.name == key || n.id == key)
            .or_else(|| {
                (key.len() >= 3)
                    .then(|| self.networks.iter().position(|n| n.id.starts_with(key)))
                    .flatten()
            })
    }

    /// Attach a container to a network, with the next free address.
    pub(super) fn attach(&self, network: usize, aliases: Vec<String>) -> Attachment {
        let net = &self.networks[network];
        let taken = self
            .containers
            .iter()
            .flat_map(|c| &c.networks)
            .filter(|a| a.network == net.name)
            .count();
        let address = net
            .subnet
            .map(|n| format!("172.{n}.0.{}", taken + 2))
            .unwrap_or_default();
        Attachment {
            network: net.name.clone(),
            aliases,
            address,
        }
    }

    fn network_json(&self, network: &SimNetwork) -> Value {
        let config = network.subnet.map_or(
            json!([]),
            |n| json!([{"Subnet": format!("172.{n}.0.0/16"), "Gateway": format!("172.{n}.0.1")}]),
        );
        let mut containers = serde_json::Map::new();
        for c in &self.containers {
            let running = c.state == RunState::Running;
            for a in c
                .networks
                .iter()
                .filter(|a| running && a.network == network.name)
            {
                containers.insert(
                    c.id.clone(),
                    json!({"Name": c.name, "EndpointID": sha256_hex(&[c.id.as_bytes(), a.network.as_bytes()]),
                           "MacAddress": "", "IPv4Address": format!("{}/16", a.address), "IPv6Address": ""}),
                );
            }
        }
        json!({
            "Name": network.name, "Id": network.id, "Created": rfc3339(network.created), "Scope": "local",
            "Driver": network.driver, "EnableIPv6": false,
            "IPAM": {"Driver": "default", "Options": {}, "Config": config},
            "Internal": network.internal, "Attachable": network.attachable, "Ingress": false,
            "ConfigFrom": {"Network": ""}, "ConfigOnly": false, "Containers": containers,
            "Options": {}, "Labels": network.labels,
        })
    }

    /// `NetworkSettings.Networks` of `docker inspect`.
    pub(super) fn networks_json(&self, index: usize) -> Value {
        let c = &self.containers[index];
        let running = c.state == RunState::Running;
        let mut map = serde_json::Map::new();
        for a in &c.networks {
            let id = self
                .find_network(&a.network)
                .map(|n| self.networks[n].id.clone())
                .unwrap_or_default();
            let gateway = a
                .address
                .rsplit_once('.')
                .map(|(net, _)| format!("{net}.1"))
                .unwrap_or_default();
            let (address, gateway) = if running {
                (a.address.clone(), gateway)
            } else {
                (String::new(), String::new())
            };
            let aliases = if a.aliases.is_empty() {
                Value::Null
            } else {
                json!(a.aliases)
            };
            map.insert(
                a.network.clone(),
                json!({"Aliases": aliases, "NetworkID": id, "IPAddress": address, "Gateway": gateway,
                       "IPPrefixLen": if running { 16 } else { 0 }, "MacAddress": "", "DNSNames": running.then(|| {
                           let mut names = vec![c.name.clone(), c.id.chars().take(12).collect()];
                           names.extend(a.aliases.iter().cloned());
                           names
                       })}),
            );
        }
        Value::Object(map)
    }
}

/// The networks a create asks for: `HostConfig.NetworkMode` and the
/// aliases under `NetworkingConfig.EndpointsConfig`. Returns the mode as
/// given and the attachments; an unknown network is refused (404).
pub(super) fn networks_of(
    engine: &Engine,
    config: &Value,
) -> Result<(String, Vec<Attachment>), String> {
    let mode = config
        .pointer("/HostConfig/NetworkMode")
        .and_then(Value::as_str)
        .filter(|m| !m.is_empty())
        .unwrap_or("default")
        .to_string();
    let endpoints = config
        .pointer("/NetworkingConfig/EndpointsConfig")
        .and_then(Value::as_object);
    let aliases_for = |name: &str| -> Vec<String> {
        endpoints
            .and_then(|e| e.get(name))
            .and_then(|e| e.get("Aliases"))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let primary = if mode == "default" {
        "bridge"
    } else {
        mode.as_str()
    };
    let Some(network) = engine.find_network(primary) else {
        return Err(format!("network {primary} not found"));
    };
    let mut attachments = vec![engine.attach(network, aliases_for(primary))];
    // A create may name more networks (the API allows it from 1.44); each is joined too.
    for name in endpoints.into_iter().flat_map(|e| e.keys()) {
        if name != primary
            && let Some(other) = engine.find_network(name)
        {
            attachments.push(engine.attach(other, aliases_for(name)));
        }
    }
    Ok((mode, attachments))
}

/// `docker network ls`.
pub fn list(shared: &Shared, query: &HashMap<String, String>) -> Response<Body> {
    let engine = lock(shared);
    let filters = super::filters::of_query(query);
    let networks: Vec<Value> = engine
        .networks
        .iter()
        .filter(|n| {
            filters.iter().all(|(key, values)| {
                values.iter().any(|value| match key.as_str() {
                    "name" => n.name.contains(value.as_str()),
                    "id" => n.id.starts_with(value.as_str()),
                    "driver" => &n.driver == value,
                    "label" => match value.split_once('=') {
                        Some((k, v)) => n.labels.get(k).is_some_and(|l| l == v),
                        None => n.labels.contains_key(value),
                    },
                    "type" => (value == "builtin") == PREDEFINED.contains(&n.name.as_str()),
                    _ => true,
                })
            })
        })
        .map(|n| engine.network_json(n))
        .collect();
    json(StatusCode::OK, &json!(networks))
}

fn not_found(key: &str) -> Response<Body> {
    error(StatusCode::NOT_FOUND, &format!("network {key} not found"))
}

/// `docker network inspect NAME` (by name or id prefix).
pub fn inspect(shared: &Shared, key: &str) -> Response<Body> {
    let engine = lock(shared);
    match engine.find_network(key) {
        Some(n) => json(StatusCode::OK, &engine.network_json(&engine.networks[n])),
        None => not_found(key),
    }
}

/// `docker network create NAME`.
pub fn create(shared: &Shared, body: &[u8]) -> Response<Body> {
    let config: Value = match serde_json::from_slice(body) {
        Ok(config) => config,
        Err(e) => return error(StatusCode::BAD_REQUEST, &format!("invalid JSON: {e}")),
    };
    let Some(name) = config.get("Name").and_then(Value::as_str) else {
        return error(StatusCode::BAD_REQUEST, "a network needs a Name");
    };
    let mut engine = lock(shared);
    if engine.networks.iter().any(|n| n.name == name) {
        return error(
            StatusCode::CONFLICT,
            &format!("network with name {name} already exists"),
        );
    }
    let driver = config
        .get("Driver")
        .and_then(Value::as_str)
        .filter(|d| !d.is_empty())
        .unwrap_or("bridge");
    if driver != "bridge" {
        return error(
            StatusCode::BAD_REQUEST,
            &format!(
                "plugin \"{driver}\" not found: the simulated engine makes bridge networks only"
            ),
        );
    }
    let used: Vec<u8> = engine.networks.iter().filter_map(|n| n.subnet).collect();
    let Some(subnet) = (18..=31).find(|n| !used.contains(n)) else {
        return error(
            StatusCode::FORBIDDEN,
            "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network",
        );
    };
    let id = engine.new_id(&format!("network {name}"));
    let labels = config
        .get("Labels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                .collect()
        })
        .unwrap_or_default();
    let flag = |key: &str| config.get(key).and_then(Value::as_bool).unwrap_or(false);
    engine.networks.push(SimNetwork {
        name: name.to_string(),
        id: id.clone(),
        driver: driver.to_string(),
        created: Engine::now(),
        labels,
        subnet: Some(subnet),
        internal: flag("Internal"),
        attachable: flag("Attachable"),
    });
    engine.emit(
        "network",
        "create",
        &id,
        json!({"name": name, "type": "bridge"}),
    );
    json(StatusCode::CREATED, &json!({"Id": id, "Warning": ""}))
}

/// `docker network rm`: not a predefined one, nor one a running container is on.
pub fn remove(shared: &Shared, key: &str) -> Response<Body> {
    let mut engine = lock(shared);
    let Some(n) = engine.find_network(key) else {
        return not_found(key);
    };
    let network = engine.networks[n].clone();
    if PREDEFINED.contains(&network.name.as_str()) {
        return error(
            StatusCode::FORBIDDEN,
            &format!(
                "{} is a pre-defined network and cannot be removed",
                network.name
            ),
        );
    }
    let active = engine.containers.iter().any(|c| {
        c.state == RunState::Running && c.networks.iter().any(|a| a.network == network.name)
    });
    if active {
        return error(
            StatusCode::FORBIDDEN,
            &format!(
                "error while removing network: network {} id {} has active endpoints",
                network.name, network.id
            ),
        );
    }
    for c in &mut engine.containers {
        c.networks.retain(|a| a.network != network.name);
    }
    engine.networks.remove(n);
    engine.emit(
        "network",
        "destroy",
        &network.id,
        json!({"name": network.name, "type": "bridge"}),
    );
    empty(StatusCode::NO_CONTENT)
}

/// `docker network connect` and `disconnect`.
pub fn connect(shared: &Shared, key: &str, body: &[u8], joining: bool) -> Response<Body> {
    let config: Value = serde_json::from_slice(body).unwrap_or(json!({}));
    let container = config
        .get("Container")
        .and_then(Value::as_str)
        .unwrap_or("");
    let mut engine = lock(shared);
    let Some(n) = engine.find_network(key) else {
        return not_found(key);
    };
    let Some(index) = engine.find_container(container) else {
        return error(
            StatusCode::NOT_FOUND,
            &format!("No such container: {container}"),
        );
    };
    let name = engine.networks[n].name.clone();
    let on = engine.containers[index]
        .networks
        .iter()
        .any(|a| a.network == name);
    match (joining, on) {
        (true, true) => error(
            StatusCode::FORBIDDEN,
            &format!(
                "endpoint with name {} already exists in network {name}",
                engine.containers[index].name
            ),
        ),
        (false, false) => error(
            StatusCode::FORBIDDEN,
            &format!(
                "container {} is not connected to network {name}",
                engine.containers[index].id
            ),
        ),
        (true, false) => {
            let aliases = config
                .pointer("/EndpointConfig/Aliases")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            let attachment = engine.attach(n, aliases);
            engine.containers[index].networks.push(attachment);
            network_event(&engine, n, index, "connect");
            empty(StatusCode::OK)
        }
        (false, true) => {
            engine.containers[index]
                .networks
                .retain(|a| a.network != name);
            network_event(&engine, n, index, "disconnect");
            empty(StatusCode::OK)
        }
    }
}

fn network_event(engine: &Engine, network: usize, container: usize, action: &str) {
    let n = &engine.networks[network];
    engine.emit(
        "network",
        action,
        &n.id,
        json!({"name": n.name, "type": n.driver, "container": engine.containers[container].id}),
    );
}

/// `docker network prune`: the networks one made that no container is on.
pub fn prune(shared: &Shared) -> Response<Body> {
    let mut engine = lock(shared);
    let unused: Vec<SimNetwork> = engine
        .networks
        .iter()
        .filter(|n| {
            !PREDEFINED.contains(&n.name.as_str())
                && !engine
                    .containers
                    .iter()
                    .any(|c| c.networks.iter().any(|a| a.network == n.name))
        })
        .cloned()
        .collect();
    engine
        .networks
        .retain(|n| !unused.iter().any(|u| u.id == n.id));
    for n in &unused {
        engine.emit(
            "network",
            "destroy",
            &n.id,
            json!({"name": n.name, "type": n.driver}),
        );
    }
    let names: Vec<&str> = unused.iter().map(|n| n.name.as_str()).collect();
    json(StatusCode::OK, &json!({"NetworksDeleted": names}))
}
