//! `kubectl apply --server-side -f FILE`: read and check the manifest first
//! (nothing is sent while it is wrong), then apply each document with the
//! field manager `pilothouse`; a conflict offers an explicit force.

use crate::app::core::command::JobId;
use crate::app::core::event::{Event, JobUpdate};
use crate::sources::describe;
use kube::Client;
use kube::api::{Api, ApiResource, DynamicObject, Patch, PatchParams};
use kube::core::GroupVersionKind;
use kube::discovery::{self, Scope};
use serde::Deserialize;
use serde_json::Value;
use std::path::{Path, PathBuf};
use tokio::sync::mpsc::UnboundedSender;

pub const FIELD_MANAGER: &str = "pilothouse";

/// Read and parse the documents of a manifest; the message names the file, and YAML errors their line and column.
pub fn read_manifest(path: &Path) -> Result<Vec<Value>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("{} does not exist", path.display()),
        _ => format!("cannot read {}: {e}", path.display()),
    })?;
    split_manifest(&text, &path.display().to_string())
}

/// The objects of a manifest's text, one per YAML document; `name` (the file) is in every message.
pub fn split_manifest(text: &str, name: &str) -> Result<Vec<Value>, String> {
    let mut documents = Vec::new();
    for (index, document) in serde_yaml_ng::Deserializer::from_str(text).enumerate() {
        let value =
            Value::deserialize(document).map_err(|e| format!("{name} is not valid YAML: {e}"))?;
        if value.is_null() {
            continue;
        }
        let n = index + 1;
        let field = |pointer: &str| {
            value
                .pointer(pointer)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        };
        for (pointer, what) in [
            ("/apiVersion", "apiVersion"),
            ("/kind", "kind"),
            ("/metadata/name", "metadata.name"),
        ] {
            if field(pointer).is_none() {
                return Err(format!("document {n} of {name} has no {what}"));
            }
        }
        documents.push(value);
    }
    if documents.is_empty() {
        return Err(format!("{name} holds no objects"));
    }
    Ok(documents)
}

fn gvk_of(document: &Value) -> GroupVersionKind {
    let api_version = document["apiVersion"].as_str().unwrap_or_default();
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    GroupVersionKind::gvk(
        group,
        version,
        document["kind"].as_str().unwrap_or_default(),
    )
}

/// Check every document's kind against the cluster's discovery.
pub async fn check_kinds(client: &Client, documents: &[Value], path: &Path) -> Result<(), String> {
    for (index, document) in documents.iter().enumerate() {
        let gvk = gvk_of(document);
        if discovery::pinned_kind(client, &gvk).await.is_err() {
            return Err(format!(
                "document {} of {}: the cluster has no kind {} in {}",
                index + 1,
                path.display(),
                gvk.kind,
                document["apiVersion"].as_str().unwrap_or_default()
            ));
        }
    }
    Ok(())
}

/// The check the form waits for: the file, its YAML, and the kinds.
pub async fn check(
    client: Option<Client>,
    cwd: PathBuf,
    path: PathBuf,
    tx: UnboundedSender<Event>,
) {
    let full = cwd.join(&path);
    let read = tokio::task::spawn_blocking(move || read_manifest(&full))
        .await
        .unwrap_or_else(|e| Err(format!("reading the manifest failed: {e}")));
    let result = match read {
        Err(message) => Err(message),
        Ok(documents) => match &client {
            None => Err(
                "the cluster is not connected; it reconnects by itself, try again then".to_string(),
            ),
            Some(client) => check_kinds(client, &documents, &path)
                .await
                .map(|_| documents),
        },
    };
    let _ = tx.send(Event::ManifestChecked { path, result });
}

/// As kubectl names an object in its output: `deployment.apps/web`, `service/web`.
fn kubectl_name(resource: &ApiResource, name: &str) -> String {
    let kind = resource.kind.to_lowercase();
    if resource.group.is_empty() {
        format!("{kind}/{name}")
    } else {
        format!("{kind}.{}/{name}", resource.group)
    }
}

pub async fn apply(
    client: Client,
    id: JobId,
    path: PathBuf,
    documents: Vec<Value>,
    force: bool,
    namespace: Option<String>,
    tx: UnboundedSender<Event>,
) {
    let send = |update| {
        let _ = tx.send(Event::Job { id, update });
    };
    // Objects that name no namespace go where the user is looking, as
    // kubectl's -n sends them; with all namespaces watched, to the kubeconfig's.
    let target_namespace = namespace
        .clone()
        .unwrap_or_else(|| client.default_namespace().to_string());
    let told_where = std::cell::Cell::new(false);
    let mut params = PatchParams::apply(FIELD_MANAGER);
    if force {
        params = params.force();
    }
    let mut applied = Vec::new();
    for document in &documents {
        let gvk = gvk_of(document);
        let (resource, capabilities) = match discovery::pinned_kind(&client, &gvk).await {
            Ok(found) => found,
            Err(e) => {
                return send(JobUpdate::Finished(Err(format!(
                    "the cluster has no kind {}: {}",
                    gvk.kind,
                    describe(&e)
                ))));
            }
        };
        let name = document["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let api: Api<DynamicObject> = match capabilities.scope {
            Scope::Namespaced => {
                let namespace = match document["metadata"]["namespace"].as_str() {
                    Some(named) => named.to_string(),
                    None => {
                        if namespace.is_none() && !told_where.replace(true) {
                            send(JobUpdate::Output(vec![format!(
                                "All namespaces are watched: objects that name none go to the kubeconfig's namespace, {target_namespace}."
                            )]));
                        }
                        target_namespace.clone()
                    }
                };
                Api::namespaced_with(client.clone(), &namespace, &resource)
            }
            Scope::Cluster => Api::all_with(client.clone(), &resource),
        };
        let object: DynamicObject = match serde_json::from_value(document.clone()) {
            Ok(object) => object,
            Err(e) => return send(JobUpdate::Finished(Err(format!("{name}: {e}")))),
        };
        match api.patch(&name, &params, &Patch::Apply(&object)).await {
            Ok(_) => {
                let line = format!("{} serverside-applied", kubectl_name(&resource, &name));
                send(JobUpdate::Output(vec![line.clone()]));
                applied.push(line);
            }
            Err(kube::Error::Api(status)) if status.code == 409 => {
                let message = status
                    .message
                    .lines()
                    .next()
                    .unwrap_or("Apply failed with a conflict")
                    .to_string();
                let _ = tx.send(Event::ApplyConflict {
                    path: path.clone(),
                    documents: documents.clone(),
                    namespace: namespace.clone(),
                    message: message.clone(),
                });
                return send(JobUpdate::Finished(Err(message)));
            }
            Err(e) => {
                return send(JobUpdate::Finished(Err(format!(
                    "applying {name} failed: {}",
                    describe(&e)
                ))));
            }
        }
    }
    send(JobUpdate::Finished(Ok(applied.join(", "))));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_are_checked_before_anything_is_sent() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        let two = write(
            "two.yaml",
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: b\n",
        );
        assert_eq!(
            read_manifest(&two).unwrap().len(),
            2,
            "empty documents are skipped"
        );
        let broken = write(
            "broken.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n",
        );
        let err = read_manifest(&broken).unwrap_err();
        assert!(
            err.contains("is not valid YAML") && err.contains("line"),
            "{err}"
        );
        let nameless = write("nameless.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {}\n");
        assert!(
            read_manifest(&nameless)
                .unwrap_err()
                .contains("has no metadata.name")
        );
        let empty = write("empty.yaml", "# nothing\n");
        assert!(
            read_manifest(&empty)
                .unwrap_err()
                .contains("holds no objects")
        );
        assert!(
            read_manifest(&dir.path().join("missing.yaml"))
                .unwrap_err()
                .contains("does not exist")
        );
    }
}
