//! Mounts of a simulated container: what `-v`, `--mount` and anonymous
//! volumes put into it. A container sees its volumes' files; a bind mount
//! shows the host folder's files as they are when read. What the container
//! writes under a mount goes to the volume, or to the host for a bind.

use super::records::{MountKind, SimMount};
use super::state::Engine;
use super::volumes::is_volume_name;
use crate::sim::shell::Machine;
use serde_json::Value;
use std::path::Path;

/// What a bind mount shows at most: a host folder bigger than this is cut.
const BIND_FILES_SHOWN: usize = 5_000;
/// A host file bigger than this is listed but not read.
const BIND_FILE_BYTES: u64 = 1 << 20;

impl Engine {
    /// The container's mounts laid over its files.
    pub(super) fn overlay_mounts(&self, index: usize, machine: &mut Machine) {
        for mount in &self.containers[index].mounts {
            machine.dirs.push(mount.target.clone());
            let under = |path: &str| format!("{}{}", mount.target.trim_end_matches('/'), path);
            match mount.kind {
                MountKind::Volume => {
                    if let Some(v) = self.find_volume(&mount.source) {
                        for (path, content) in &self.volumes[v].files {
                            machine.files.insert(under(path), Some(content.clone()));
                        }
                    }
                }
                MountKind::Bind => {
                    for (path, content) in host_files(Path::new(&mount.source)) {
                        machine.files.insert(under(&path), content);
                    }
                }
            }
        }
    }

    /// Keep a file a container wrote: in the volume or host folder mounted
    /// there, else in the container's own layer.
    pub(super) fn write_file(
        &mut self,
        index: usize,
        path: &str,
        content: Vec<u8>,
        append: bool,
    ) -> Result<(), String> {
        let mount = self.containers[index]
            .mounts
            .iter()
            .filter(|m| path == m.target || path.starts_with(&format!("{}/", m.target)))
            .max_by_key(|m| m.target.len())
            .cloned();
        let Some(mount) = mount else {
            let files = &mut self.containers[index].files;
            let kept = files.entry(path.to_string()).or_default();
            if !append {
                kept.clear();
            }
            kept.extend(content);
            return Ok(());
        };
        if mount.read_only {
            return Err(format!("can't create {path}: Read-only file system"));
        }
        let inside = &path[mount.target.trim_end_matches('/').len()..];
        match mount.kind {
            MountKind::Volume => {
                let name = self.ensure_volume(&mount.source, false);
                if let Some(v) = self.find_volume(&name) {
                    let kept = self.volumes[v].files.entry(inside.to_string()).or_default();
                    if !append {
                        kept.clear();
                    }
                    kept.extend(content);
                }
                Ok(())
            }
            MountKind::Bind => {
                let host = Path::new(&mount.source).join(inside.trim_start_matches('/'));
                let written = (|| {
                    if let Some(parent) = host.parent() {
                        std::fs::create_dir_all(parent)?;
                    }
                    let mut file = std::fs::OpenOptions::new()
                        .create(true)
                        .write(true)
                        .append(append)
                        .truncate(!append)
                        .open(&host)?;
                    std::io::Write::write_all(&mut file, &content)
                })();
                written.map_err(|e| format!("can't create {path}: {e}"))
            }
        }
    }
}

/// A host folder's files, relative (`/a/b.txt`), read now; big ones unread.
fn host_files(root: &Path) -> Vec<(String, Option<Vec<u8>>)> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if found.len() >= BIND_FILES_SHOWN {
                return found;
            }
            let path = entry.path();
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                pending.push(path);
                continue;
            }
            let Ok(relative) = path.strip_prefix(root) else {
                continue;
            };
            let content = (meta.len() <= BIND_FILE_BYTES)
                .then(|| std::fs::read(&path).ok())
                .flatten();
            found.push((format!("/{}", relative.to_string_lossy()), content));
        }
    }
    found
}

/// The mounts a create asks for: `HostConfig.Binds` (`-v`), `HostConfig.Mounts`
/// (`--mount`) and `Volumes` (anonymous). Named volumes are made as needed.
pub(super) fn mounts_of(engine: &mut Engine, config: &Value) -> Result<Vec<SimMount>, String> {
    let mut mounts = Vec::new();
    let binds = config
        .pointer("/HostConfig/Binds")
        .and_then(Value::as_array);
    for bind in binds.into_iter().flatten().filter_map(Value::as_str) {
        let parts: Vec<&str> = bind.split(':').collect();
        let (source, target, options) = match parts.as_slice() {
            [target] => ("", *target, ""),
            [source, target] => (*source, *target, ""),
            [source, target, options] => (*source, *target, *options),
            _ => return Err(format!("invalid volume specification: '{bind}'")),
        };
        let kind = if source.starts_with('/') {
            // `-v` makes a missing host folder, as dockerd does (`--mount` refuses instead).
            std::fs::create_dir_all(source)
                .map_err(|e| format!("error while creating mount source path '{source}': {e}"))?;
            MountKind::Bind
        } else {
            MountKind::Volume
        };
        let read_only = options.split(',').any(|o| o == "ro");
        mounts.push(mount(engine, kind, source, target, read_only, bind)?);
    }
    let listed = config
        .pointer("/HostConfig/Mounts")
        .and_then(Value::as_array);
    for item in listed.into_iter().flatten() {
        let text = |key: &str| item.get(key).and_then(Value::as_str).unwrap_or("");
        let kind = match text("Type") {
            "bind" => MountKind::Bind,
            "volume" | "" => MountKind::Volume,
            other => {
                return Err(format!(
                    "mount type \"{other}\" is not available in the simulated engine (volume and bind are)"
                ));
            }
        };
        if kind == MountKind::Bind && !Path::new(text("Source")).exists() {
            return Err(format!(
                "invalid mount config for type \"bind\": bind source path does not exist: {}",
                text("Source")
            ));
        }
        let read_only = item
            .get("ReadOnly")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let spec = format!("{}:{}", text("Source"), text("Target"));
        mounts.push(mount(
            engine,
            kind,
            text("Source"),
            text("Target"),
            read_only,
            &spec,
        )?);
    }
    let anonymous = config.get("Volumes").and_then(Value::as_object);
    for target in anonymous.into_iter().flat_map(|m| m.keys()) {
        if !mounts.iter().any(|m: &SimMount| &m.target == target) {
            mounts.push(mount(engine, MountKind::Volume, "", target, false, target)?);
        }
    }
    Ok(mounts)
}

fn mount(
    engine: &mut Engine,
    kind: MountKind,
    source: &str,
    target: &str,
    read_only: bool,
    spec: &str,
) -> Result<SimMount, String> {
    if !target.starts_with('/') {
        return Err(format!(
            "invalid mount config: invalid mount path: '{target}' mount path must be absolute ({spec})"
        ));
    }
    let source = match kind {
        MountKind::Bind => source.to_string(),
        MountKind::Volume if source.is_empty() => {
            let name = engine.new_id("anonymous volume");
            engine.ensure_volume(&name, true)
        }
        MountKind::Volume if !is_volume_name(source) => {
            return Err(format!(
                "create {source}: \"{source}\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path"
            ));
        }
        MountKind::Volume => engine.ensure_volume(source, false),
    };
    Ok(SimMount {
        kind,
        source,
        target: target.trim_end_matches('/').to_string(),
        read_only,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn binds_and_mounts_are_read_and_named_volumes_made() {
        let mut engine = Engine::default();
        let host = std::env::temp_dir();
        let config = json!({
            "HostConfig": {
                "Binds": ["todo-db:/etc/todos", format!("{}:/src:ro", host.display())],
                "Mounts": [{"Type": "volume", "Source": "", "Target": "/cache"}],
            },
            "Volumes": {"/etc/todos": {}, "/scratch": {}},
        });
        let mounts = mounts_of(&mut engine, &config).expect("valid mounts");
        assert_eq!(mounts.len(), 4);
        assert_eq!(mounts[0].source, "todo-db");
        assert_eq!(mounts[1].kind, MountKind::Bind);
        assert!(mounts[1].read_only);
        assert_eq!(engine.volumes.len(), 3, "todo-db and two anonymous ones");
        assert!(engine.volumes.iter().filter(|v| v.anonymous).count() == 2);
        let refused = mounts_of(
            &mut engine,
            &json!({"HostConfig": {"Mounts": [{"Type": "bind", "Source": "/no/such/folder", "Target": "/x"}]}}),
        );
        assert!(
            refused
                .expect_err("a missing bind source is refused")
                .contains("bind source path does not exist")
        );
        let relative = mounts_of(
            &mut engine,
            &json!({"HostConfig": {"Binds": ["data:data"]}}),
        );
        assert!(relative.expect_err("relative").contains("must be absolute"));
    }
}
