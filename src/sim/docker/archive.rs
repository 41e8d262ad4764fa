//! `PUT /containers/{id}/archive?path=DIR`: a tar unpacked into a container,
//! as `docker cp` and the dev loop's file sync send it. The simulated
//! container keeps the files and serves them over its published ports.

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
    engine.containers[index].files.extend(files);
    engine.append_log(
        index,
        format!("[pilothouse sim] {count} file(s) copied into {dir}"),
    );
    engine.container_event(index, "extract-to-dir");
    empty(StatusCode::OK)
}

/// The tar's regular files, each under `dir`; a path that climbs out is refused.
fn unpack(dir: &str, tar_bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
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
        if name.split('/').any(|part| part == "..") {
            return Err(format!("the archive entry {name} climbs out of {dir}"));
        }
        let mut content = Vec::new();
        entry
            .read_to_end(&mut content)
            .map_err(|e| format!("the archive entry {name} cannot be read: {e}"))?;
        files.push((format!("{}/{name}", dir.trim_end_matches('/')), content));
    }
    Ok(files)
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
