//! The simulated engine's everyday commands beyond build and run: `docker
//! top`, `rename`, `history`, `image prune` and `system df`, answered in
//! the shapes the docker CLI prints (networks and volumes have modules of
//! their own).

use super::containers::no_such;
use super::state::{RunState, Shared, error, lock};
use crate::sim::clock::rfc3339;
use crate::sim::http::{Body, empty, json};
use hyper::{Response, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;

/// `docker top`: the one process a simulated container runs.
pub fn top(shared: &Shared, key: &str) -> Response<Body> {
    let engine = lock(shared);
    let Some(index) = engine.find_container(key) else {
        return no_such(key);
    };
    let c = &engine.containers[index];
    if c.state != RunState::Running {
        return error(
            StatusCode::CONFLICT,
            &format!("container {} is not running", c.id),
        );
    }
    let started = c.started_at.map(rfc3339).unwrap_or_default();
    let stime = started.get(11..16).unwrap_or("00:00").to_string();
    let command = if c.cmd.is_empty() {
        "sh".to_string()
    } else {
        c.command_line()
    };
    json(
        StatusCode::OK,
        &json!({
            "Titles": ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"],
            "Processes": [["root", "4242", "4221", "0", stime, "?", "00:00:00", command]],
        }),
    )
}

/// `docker rename OLD NEW`.
pub fn rename(shared: &Shared, key: &str, query: &HashMap<String, String>) -> Response<Body> {
    let Some(name) = query.get("name").map(|n| n.trim_start_matches('/')) else {
        return error(StatusCode::BAD_REQUEST, "a new name is required (name=)");
    };
    let valid = crate::app::core::validate::is_container_name(name);
    if !valid {
        return error(
            StatusCode::BAD_REQUEST,
            &format!("Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"),
        );
    }
    let mut engine = lock(shared);
    let Some(index) = engine.find_container(key) else {
        return no_such(key);
    };
    if let Some(other) = engine.containers.iter().find(|c| c.name == name) {
        return error(
            StatusCode::CONFLICT,
            &format!(
                "Conflict. The container name \"/{name}\" is already in use by container \"{}\". You have to remove (or rename) that container to be able to reuse that name.",
                other.id
            ),
        );
    }
    let old = std::mem::replace(&mut engine.containers[index].name, name.to_string());
    let id = engine.containers[index].id.clone();
    engine.emit(
        "container",
        "rename",
        &id,
        json!({"name": name, "oldName": format!("/{old}")}),
    );
    empty(StatusCode::NO_CONTENT)
}

/// `docker history`: the sim keeps no layers, so its history is the image's
/// configuration, newest first, as one entry each (the first with the size).
pub fn history(shared: &Shared, name: &str) -> Response<Body> {
    let engine = lock(shared);
    let Some(index) = engine.find_image(name) else {
        return error(StatusCode::NOT_FOUND, &format!("No such image: {name}"));
    };
    let image = &engine.images[index];
    let mut steps: Vec<String> = Vec::new();
    if !image.workdir.is_empty() {
        steps.push(format!("WORKDIR {}", image.workdir));
    }
    steps.extend(image.env.iter().map(|e| format!("ENV {e}")));
    steps.extend(
        image
            .exposed
            .iter()
            .map(|p| format!("EXPOSE map[{p}:{{}}]")),
    );
    if !image.entrypoint.is_empty() {
        steps.push(format!("ENTRYPOINT {:?}", image.entrypoint));
    }
    if !image.cmd.is_empty() {
        steps.push(format!("CMD {:?}", image.cmd));
    }
    if steps.is_empty() {
        steps.push("built by the pilothouse simulated engine".to_string());
    }
    let entries: Vec<Value> = steps
        .iter()
        .rev()
        .enumerate()
        .map(|(i, step)| {
            json!({
                "Id": if i == 0 { image.id.clone() } else { "<missing>".to_string() },
                "Created": image.created,
                "CreatedBy": format!("/bin/sh -c #(nop) {step}"),
                "Tags": if i == 0 { json!(image.tags) } else { Value::Null },
                "Size": if i == 0 { image.size } else { 0 },
                "Comment": "",
            })
        })
        .collect();
    json(StatusCode::OK, &json!(entries))
}

/// `docker image prune`: images with no tag that no container uses (with
/// `dangling=false`, `-a`: every image no container uses).
pub fn prune_images(shared: &Shared, query: &HashMap<String, String>) -> Response<Body> {
    let every = query.get("filters").is_some_and(|f| {
        f.contains("\"dangling\":{\"false\"") || f.contains("\"dangling\":[\"false\"]")
    });
    let mut engine = lock(shared);
    let used: Vec<String> = engine
        .containers
        .iter()
        .map(|c| c.image_id.clone())
        .collect();
    let (gone, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut engine.images)
        .into_iter()
        .partition(|i| !used.contains(&i.id) && (every || i.tags.is_empty()));
    engine.images = kept;
    let mut deleted = Vec::new();
    let mut reclaimed = 0u64;
    for image in &gone {
        deleted.extend(image.tags.iter().map(|t| json!({"Untagged": t})));
        deleted.push(json!({"Deleted": image.id}));
        reclaimed += image.size;
        engine.emit("image", "delete", &image.id, json!({"name": image.id}));
    }
    json(
        StatusCode::OK,
        &json!({"ImagesDeleted": if deleted.is_empty() { Value::Null } else { json!(deleted) }, "SpaceReclaimed": reclaimed}),
    )
}

/// `docker system df`.
pub fn disk_usage(shared: &Shared) -> Response<Body> {
    let engine = lock(shared);
    let now = super::state::Engine::now();
    let images: Vec<Value> = engine
        .images
        .iter()
        .map(|i| engine.image_summary(i))
        .collect();
    let containers: Vec<Value> = engine
        .containers
        .iter()
        .enumerate()
        .map(|(index, c)| {
            let mut summary = engine.container_summary(index, now);
            let written: usize = c.files.values().map(Vec::len).sum();
            summary["SizeRw"] = json!(written);
            summary["SizeRootFs"] = json!(written);
            summary
        })
        .collect();
    let layers: u64 = engine.images.iter().map(|i| i.size).sum();
    json(
        StatusCode::OK,
        &json!({"LayersSize": layers, "Images": images, "Containers": containers, "Volumes": engine.volumes_summary(), "BuildCache": []}),
    )
}
