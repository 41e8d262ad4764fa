//! Volumes of the simulated engine: `docker volume create | ls | inspect |
//! rm | prune`. A named volume keeps its files in the engine's memory and
//! outlives the containers that mount it (`mounts.rs` puts them in
//! containers).

use super::records::{MountKind, SimMount, SimVolume};
use super::state::{Engine, Shared, error, lock};
use crate::sim::clock::rfc3339;
use crate::sim::http::{Body, empty, flag, json};
use hyper::{Response, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;

/// dockerd checks volume names with its one rule for names, the one for containers.
pub(super) use crate::app::core::validate::is_container_name as is_volume_name;

impl Engine {
    pub(super) fn find_volume(&self, name: &str) -> Option<usize> {
        self.volumes.iter().position(|v| v.name == name)
    }

    /// The named volume, made if it does not exist yet (as `docker run -v NAME:/path` does).
    pub(super) fn ensure_volume(&mut self, name: &str, anonymous: bool) -> String {
        if self.find_volume(name).is_none() {
            self.volumes.push(SimVolume {
                name: name.to_string(),
                created: Engine::now(),
                anonymous,
                ..Default::default()
            });
            self.emit("volume", "create", name, json!({"driver": "local"}));
        }
        name.to_string()
    }

    fn volume_users(&self, name: &str) -> Vec<String> {
        self.containers
            .iter()
            .filter(|c| {
                c.mounts
                    .iter()
                    .any(|m| m.kind == MountKind::Volume && m.source == name)
            })
            .map(|c| c.id.clone())
            .collect()
    }

    fn volume_json(&self, volume: &SimVolume) -> Value {
        json!({
            "Name": volume.name, "Driver": "local", "Scope": "local",
            "Mountpoint": format!("/var/lib/docker/volumes/{}/_data", volume.name),
            "CreatedAt": rfc3339(volume.created), "Labels": volume.labels, "Options": {},
            "UsageData": {"Size": volume.files.values().map(Vec::len).sum::<usize>(), "RefCount": self.volume_users(&volume.name).len()},
        })
    }

    /// Every volume as `docker system df` lists it.
    pub(super) fn volumes_summary(&self) -> Vec<Value> {
        self.volumes.iter().map(|v| self.volume_json(v)).collect()
    }

    /// The anonymous volumes only this container used, removed with it.
    pub(super) fn remove_anonymous_volumes(&mut self, mounts: &[SimMount]) {
        for mount in mounts.iter().filter(|m| m.kind == MountKind::Volume) {
            let anonymous = self
                .find_volume(&mount.source)
                .is_some_and(|v| self.volumes[v].anonymous);
            if anonymous && self.volume_users(&mount.source).is_empty() {
                self.volumes.retain(|v| v.name != mount.source);
                self.emit(
                    "volume",
                    "destroy",
                    &mount.source,
                    json!({"driver": "local"}),
                );
            }
        }
    }
}

/// `docker volume create`.
pub fn create(shared: &Shared, body: &[u8]) -> Response<Body> {
    let config: Value = serde_json::from_slice(body).unwrap_or(json!({}));
    let mut engine = lock(shared);
    let name = match config.get("Name").and_then(Value::as_str) {
        Some(name) if !name.is_empty() => {
            if !is_volume_name(name) {
                return error(
                    StatusCode::BAD_REQUEST,
                    &format!(
                        "create {name}: \"{name}\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed"
                    ),
                );
            }
            engine.ensure_volume(name, false)
        }
        _ => {
            let name = engine.new_id("volume");
            engine.ensure_volume(&name, false)
        }
    };
    if let (Some(v), Some(labels)) = (
        engine.find_volume(&name),
        config.get("Labels").and_then(Value::as_object),
    ) {
        engine.volumes[v].labels.extend(
            labels
                .iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string()))),
        );
    }
    let volume = engine.find_volume(&name).map(|v| engine.volumes[v].clone());
    match volume {
        Some(volume) => json(StatusCode::CREATED, &engine.volume_json(&volume)),
        None => error(StatusCode::INTERNAL_SERVER_ERROR, "the volume was not kept"),
    }
}

fn volume_matches(
    engine: &Engine,
    volume: &SimVolume,
    filters: &HashMap<String, Vec<String>>,
) -> bool {
    filters.iter().all(|(key, values)| {
        values.iter().any(|value| match key.as_str() {
            "name" => volume.name.contains(value.as_str()),
            "dangling" => {
                (value == "true" || value == "1") == engine.volume_users(&volume.name).is_empty()
            }
            "label" => match value.split_once('=') {
                Some((k, v)) => volume.labels.get(k).is_some_and(|l| l == v),
                None => volume.labels.contains_key(value),
            },
            "driver" => value == "local",
            _ => true,
        })
    })
}

/// `docker volume ls`.
pub fn list(shared: &Shared, query: &HashMap<String, String>) -> Response<Body> {
    let engine = lock(shared);
    let filters = super::filters::of_query(query);
    let volumes: Vec<Value> = engine
        .volumes
        .iter()
        .filter(|v| volume_matches(&engine, v, &filters))
        .map(|v| engine.volume_json(v))
        .collect();
    json(StatusCode::OK, &json!({"Volumes": volumes, "Warnings": []}))
}

fn no_such_volume(name: &str) -> Response<Body> {
    error(
        StatusCode::NOT_FOUND,
        &format!("get {name}: no such volume"),
    )
}

/// `docker volume inspect`.
pub fn inspect(shared: &Shared, name: &str) -> Response<Body> {
    let engine = lock(shared);
    match engine.find_volume(name) {
        Some(v) => json(StatusCode::OK, &engine.volume_json(&engine.volumes[v])),
        None => no_such_volume(name),
    }
}

/// `docker volume rm`: refused while a container (running or not) uses it.
pub fn remove(shared: &Shared, name: &str, query: &HashMap<String, String>) -> Response<Body> {
    let mut engine = lock(shared);
    if engine.find_volume(name).is_none() {
        return if flag(query, "force") {
            empty(StatusCode::NO_CONTENT)
        } else {
            no_such_volume(name)
        };
    }
    let users = engine.volume_users(name);
    if !users.is_empty() {
        return error(
            StatusCode::CONFLICT,
            &format!("remove {name}: volume is in use - [{}]", users.join(", ")),
        );
    }
    engine.volumes.retain(|v| v.name != name);
    engine.emit("volume", "destroy", name, json!({"driver": "local"}));
    empty(StatusCode::NO_CONTENT)
}

/// `docker volume prune`: anonymous volumes no container uses (`all=true`: named ones too).
pub fn prune(shared: &Shared, query: &HashMap<String, String>) -> Response<Body> {
    let filters = super::filters::of_query(query);
    let every = filters
        .get("all")
        .is_some_and(|v| v.iter().any(|v| v == "true" || v == "1"));
    let mut engine = lock(shared);
    let gone: Vec<SimVolume> = engine
        .volumes
        .iter()
        .filter(|v| (every || v.anonymous) && engine.volume_users(&v.name).is_empty())
        .cloned()
        .collect();
    engine
        .volumes
        .retain(|v| !gone.iter().any(|g| g.name == v.name));
    let mut reclaimed = 0usize;
    for volume in &gone {
        reclaimed += volume.files.values().map(Vec::len).sum::<usize>();
        engine.emit(
            "volume",
            "destroy",
            &volume.name,
            json!({"driver": "local"}),
        );
    }
    let names: Vec<&str> = gone.iter().map(|v| v.name.as_str()).collect();
    json(
        StatusCode::OK,
        &json!({"VolumesDeleted": names, "SpaceReclaimed": reclaimed}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volume_names_follow_dockerds_rule() {
        assert!(is_volume_name("todo-db") && is_volume_name("a.b_c"));
        assert!(!is_volume_name("x") && !is_volume_name("-db") && !is_volume_name("my db"));
    }
}
