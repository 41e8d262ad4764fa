//! `docker save` and `docker load` on the simulated engine. The archive
//! has the layout `docker save` writes (`manifest.json` naming each image's
//! config and tags, the config as `<id>.json`); the sim keeps no layers, so
//! the files its images hold go in one layer folder of their own, which
//! `load` reads back. What the sim saves, it loads again whole.

use super::state::{Shared, SimImage, error, lock, normalize_reference};
use crate::sim::http::{Body, full};
use hyper::{Response, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Where an image's files go inside the archive.
const FILES: &str = "files";

fn append(builder: &mut tar::Builder<Vec<u8>>, name: &str, content: &[u8]) -> Result<(), String> {
    let mut header = tar::Header::new_gnu();
    header.set_size(content.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(1_767_225_600);
    builder
        .append_data(&mut header, name, content)
        .map_err(|e| format!("{name} cannot be written into the archive: {e}"))
}

/// `GET /images/get?names=A&names=B` and `GET /images/A/get`.
pub fn save(shared: &Shared, names: &[String]) -> Response<Body> {
    let engine = lock(shared);
    // One entry an image, with every tag asked for (or all its tags, for an id).
    let mut images: Vec<(&SimImage, Vec<String>)> = Vec::new();
    for name in names {
        let Some(index) = engine.find_image(name) else {
            return error(StatusCode::NOT_FOUND, &format!("No such image: {name}"));
        };
        let image = &engine.images[index];
        let tag = normalize_reference(name);
        let asked: Vec<String> = if image.tags.contains(&tag) {
            vec![tag]
        } else {
            image.tags.clone()
        };
        match images.iter_mut().find(|(i, _)| i.id == image.id) {
            Some((_, tags)) => {
                for tag in asked {
                    if !tags.contains(&tag) {
                        tags.push(tag);
                    }
                }
            }
            None => images.push((image, asked)),
        }
    }
    if images.is_empty() {
        return error(StatusCode::BAD_REQUEST, "no image named to save (names=)");
    }
    let mut builder = tar::Builder::new(Vec::new());
    let mut manifest = Vec::new();
    for (image, asked) in &images {
        let hex = image.id.trim_start_matches("sha256:");
        let config = json!({
            "architecture": "amd64", "os": "linux", "created": crate::sim::clock::rfc3339(image.created),
            "config": {"Env": image.env, "Cmd": image.cmd, "Entrypoint": image.entrypoint,
                       "WorkingDir": image.workdir, "Labels": image.labels,
                       "ExposedPorts": image.exposed.iter().map(|p| (p.clone(), json!({}))).collect::<serde_json::Map<_, _>>()},
            "rootfs": {"type": "layers", "diff_ids": []},
        });
        let layer = format!("{FILES}/{hex}");
        let mut written = append(
            &mut builder,
            &format!("{hex}.json"),
            config.to_string().as_bytes(),
        );
        for (path, content) in &image.files {
            if written.is_err() {
                break;
            }
            written = append(
                &mut builder,
                &format!("{layer}{path}"),
                content.as_deref().unwrap_or_default(),
            );
        }
        if let Err(message) = written {
            return error(StatusCode::INTERNAL_SERVER_ERROR, &message);
        }
        manifest.push(json!({"Config": format!("{hex}.json"), "RepoTags": asked, "Layers": [], "PilothouseFiles": layer}));
    }
    if let Err(message) = append(
        &mut builder,
        "manifest.json",
        json!(manifest).to_string().as_bytes(),
    ) {
        return error(StatusCode::INTERNAL_SERVER_ERROR, &message);
    }
    match builder.into_inner() {
        Ok(tar) => full(StatusCode::OK, "application/x-tar", tar),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("the archive cannot be finished: {e}"),
        ),
    }
}

/// `POST /images/load`: the images of a `docker save` archive, stored.
pub fn load(shared: &Shared, archive: &[u8]) -> Response<Body> {
    let entries = match read_entries(archive) {
        Ok(entries) => entries,
        Err(message) => return error(StatusCode::BAD_REQUEST, &message),
    };
    let Some(manifest) = entries
        .get("manifest.json")
        .and_then(|m| serde_json::from_slice::<Value>(m).ok())
    else {
        return error(
            StatusCode::BAD_REQUEST,
            "the archive has no manifest.json: it is not what docker save writes",
        );
    };
    let mut loaded = Vec::new();
    let mut engine = lock(shared);
    for entry in manifest.as_array().into_iter().flatten() {
        let config_name = entry["Config"].as_str().unwrap_or_default();
        let Some(config) = entries
            .get(config_name)
            .and_then(|c| serde_json::from_slice::<Value>(c).ok())
        else {
            return error(
                StatusCode::BAD_REQUEST,
                &format!("the archive names {config_name} but does not hold it"),
            );
        };
        let words = |pointer: &str| -> Vec<String> {
            config
                .pointer(pointer)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default()
        };
        let layer = entry["PilothouseFiles"].as_str().unwrap_or_default();
        let files = entries
            .iter()
            .filter(|_| !layer.is_empty())
            .filter_map(|(name, content)| {
                name.strip_prefix(layer)
                    .filter(|path| path.starts_with('/'))
                    .map(|path| (path.to_string(), Some(content.clone())))
            })
            .collect();
        let id = format!("sha256:{}", config_name.trim_end_matches(".json"));
        let image = SimImage {
            id: id.clone(),
            tags: Vec::new(),
            created: config["created"]
                .as_str()
                .and_then(crate::sim::clock::parse_rfc3339)
                .unwrap_or_else(super::state::Engine::now),
            size: entries.values().map(|c| c.len() as u64).sum(),
            labels: config
                .pointer("/config/Labels")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                        .collect()
                })
                .unwrap_or_default(),
            env: words("/config/Env"),
            exposed: config
                .pointer("/config/ExposedPorts")
                .and_then(Value::as_object)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default(),
            cmd: words("/config/Cmd"),
            entrypoint: words("/config/Entrypoint"),
            workdir: config
                .pointer("/config/WorkingDir")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            files,
        };
        let tags: Vec<String> = entry["RepoTags"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|t| t.as_str().map(normalize_reference))
                    .collect()
            })
            .unwrap_or_default();
        for tag in &tags {
            for other in &mut engine.images {
                other.tags.retain(|t| t != tag);
            }
        }
        match engine.images.iter_mut().find(|i| i.id == id) {
            Some(existing) => existing.tags.extend(tags.iter().cloned()),
            None => engine.images.push(SimImage {
                tags: tags.clone(),
                ..image
            }),
        }
        engine.emit("image", "load", &id, json!({"name": id}));
        if tags.is_empty() {
            loaded.push(format!("Loaded image ID: {id}"));
        } else {
            loaded.extend(tags.iter().map(|t| format!("Loaded image: {t}")));
        }
    }
    let stream: String = loaded
        .iter()
        .map(|line| format!("{}\n", json!({"stream": format!("{line}\n")})))
        .collect();
    full(StatusCode::OK, "application/json", stream)
}

fn read_entries(archive: &[u8]) -> Result<BTreeMap<String, Vec<u8>>, String> {
    Ok(super::archive::tar_files(archive)?.into_iter().collect())
}
