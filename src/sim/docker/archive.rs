//! `PUT /containers/{id}/archive?path=DIR`: a tar unpacked into a container,
//! as `docker cp` and the dev loop's file sync send it. The simulated
//! container keeps the files and serves them over its published ports.
//! `GET` packs a file or folder of the container (its image's files and
//! those copied in) into a tar, `HEAD` says what is there: `docker cp` out
//! of a container and its look at the destination before copying in.

use super::containers::no_such;
use super::state::{Shared, error, lock};
use crate::sim::http::{Body, empty};
use hyper::{Response, StatusCode};
use std::collections::HashMap;
use std::io::Read;

pub fn upload(
    shared: &Shared,
    key: &str,
    query: &HashMap<String, String>,
    tar_bytes: &[u8],
) -> Response<Body> {
    let Some(dir) = query.get("path").filter(|p| p.starts_with('/')) else {
        return error(
            StatusCode::BAD_REQUEST,
            "the path to extract into must be absolute (path=/app/templates)",
        );
    };
    let files = match unpack(dir, tar_bytes) {
        Ok(files) => files,
        Err(message) => return error(StatusCode::BAD_REQUEST, &message),
    };
    let mut engine = lock(shared);
    let Some(index) = engine.find_container(key) else {
        return no_such(key);
    };
    let count = files.len();
    for (path, content) in files {
        // Into a volume or bind mount when the path is under one, as the kernel would.
        if let Err(problem) = engine.write_file(index, &path, content, false) {
            return error(StatusCode::BAD_REQUEST, &problem);
        }
    }
    engine.append_log(
        index,
        format!("[pilothouse sim] {count} file(s) copied into {dir}"),
    );
    engine.container_event(index, "extract-to-dir");
    empty(StatusCode::OK)
}

/// What `path` is in the container, as the `X-Docker-Container-Path-Stat`
/// header (base64 of JSON) tells the CLI; None when nothing is there.
fn path_stat(machine: &crate::sim::shell::Machine, path: &str) -> Option<String> {
    use base64::Engine as _;
    let name = path.rsplit('/').find(|p| !p.is_empty()).unwrap_or("/");
    let (size, mode) = match machine.file(path) {
        Some(content) => (content.map_or(0, <[u8]>::len), 0o644u32),
        // os.ModeDir | 0755, as Go writes a directory's mode.
        None if machine.is_dir(path) => (4096, 0x8000_0000 | 0o755),
        None => return None,
    };
    let stat = serde_json::json!({
        "name": name, "size": size, "mode": mode,
        "mtime": "2026-01-01T00:00:00Z", "linkTarget": "",
    });
    Some(base64::engine::general_purpose::STANDARD.encode(stat.to_string()))
}

fn container_and_path(
    shared: &Shared,
    key: &str,
    query: &HashMap<String, String>,
) -> Result<(crate::sim::shell::Machine, String), Box<Response<Body>>> {
    let Some(path) = query.get("path").filter(|p| p.starts_with('/')) else {
        return Err(Box::new(error(
            StatusCode::BAD_REQUEST,
            "the path must be absolute (path=/app/file.txt)",
        )));
    };
    let path = match path.trim_end_matches('/') {
        "" => "/".to_string(),
        trimmed => trimmed.to_string(),
    };
    let engine = lock(shared);
    let Some(index) = engine.find_container(key) else {
        return Err(Box::new(no_such(key)));
    };
    Ok((engine.container_machine(index), path))
}

fn with_stat(mut response: Response<Body>, stat: &str) -> Response<Body> {
    if let Ok(value) = stat.parse() {
        response
            .headers_mut()
            .insert("x-docker-container-path-stat", value);
    }
    response
}

/// `HEAD /containers/{id}/archive?path=P`.
pub fn stat(shared: &Shared, key: &str, query: &HashMap<String, String>) -> Response<Body> {
    let (machine, path) = match container_and_path(shared, key, query) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    match path_stat(&machine, &path) {
        Some(stat) => with_stat(empty(StatusCode::OK), &stat),
        None => error(
            StatusCode::NOT_FOUND,
            &format!("Could not find the file {path} in container {key}"),
        ),
    }
}

/// `GET /containers/{id}/archive?path=P`: P (a file, or a folder and
/// everything under it) as a tar whose names start with P's own name.
pub fn download(shared: &Shared, key: &str, query: &HashMap<String, String>) -> Response<Body> {
    let (machine, path) = match container_and_path(shared, key, query) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let Some(stat) = path_stat(&machine, &path) else {
        return error(
            StatusCode::NOT_FOUND,
            &format!("Could not find the file {path} in container {key}"),
        );
    };
    let parent = match path.rsplit_once('/') {
        Some((parent, _)) => parent.to_string(),
        None => String::new(),
    };
    let mut builder = tar::Builder::new(Vec::new());
    let wanted = |file: &str| file == path || path == "/" || file.starts_with(&format!("{path}/"));
    for (file, content) in machine.files.iter().filter(|(f, _)| wanted(f)) {
        let content = content.as_deref().unwrap_or_default();
        let name = file
            .strip_prefix(&parent)
            .unwrap_or(file)
            .trim_start_matches('/');
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(1_767_225_600);
        if builder.append_data(&mut header, name, content).is_err() {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                &format!("{file} cannot be packed"),
            );
        }
    }
    match builder.into_inner() {
        Ok(tar) => with_stat(
            crate::sim::http::full(StatusCode::OK, "application/x-tar", tar),
            &stat,
        ),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("the archive cannot be finished: {e}"),
        ),
    }
}

/// A tar's regular files: name (without a leading `./`) and content.
pub(super) fn tar_files(tar_bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut archive = tar::Archive::new(tar_bytes);
    let entries = archive
        .entries()
        .map_err(|e| format!("the archive cannot be read: {e}"))?;
    let mut files = Vec::new();
    for entry in entries {
        let mut entry = entry.map_err(|e| format!("the archive cannot be read: {e}"))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry
            .path()
            .map_err(|e| format!("an archive entry has a bad name: {e}"))?
            .to_string_lossy()
            .trim_start_matches("./")
            .to_string();
        let mut content = Vec::new();
        entry
            .read_to_end(&mut content)
            .map_err(|e| format!("the archive entry {name} cannot be read: {e}"))?;
        files.push((name, content));
    }
    Ok(files)
}

/// The tar's regular files, each under `dir`; a path that climbs out is refused.
fn unpack(dir: &str, tar_bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    tar_files(tar_bytes)?
        .into_iter()
        .map(|(name, content)| {
            if name.split('/').any(|part| part == "..") {
                Err(format!("the archive entry {name} climbs out of {dir}"))
            } else {
                Ok((format!("{}/{name}", dir.trim_end_matches('/')), content))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_of(files: &[(&str, &str)]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (name, text) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(text.len() as u64);
            header.set_mode(0o644);
            builder
                .append_data(&mut header, name, text.as_bytes())
                .expect("append");
        }
        builder.into_inner().expect("tar")
    }

    #[test]
    fn files_land_under_the_directory_and_climbing_out_is_refused() {
        let files = unpack(
            "/app/templates/",
            &tar_of(&[("index.html", "new"), ("a/b.txt", "b")]),
        )
        .expect("unpacks");
        assert_eq!(
            files,
            vec![
                ("/app/templates/index.html".to_string(), b"new".to_vec()),
                ("/app/templates/a/b.txt".to_string(), b"b".to_vec()),
            ]
        );
        let mut builder = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_size(1);
        // `append_data` refuses "..", so the name is written into the header by hand.
        header.as_old_mut().name[..9].copy_from_slice(b"../escape");
        header.set_cksum();
        builder.append(&header, &b"x"[..]).expect("append");
        let climbing = builder.into_inner().expect("tar");
        assert!(
            unpack("/app", &climbing)
                .unwrap_err()
                .contains("climbs out")
        );
    }
}
