//! `kubectl explain`, as kubectl does it: the cluster's OpenAPI v3 index,
//! then the kind's group version document it points to, then the field
//! walked there (`domain::openapi`). Works on any cluster that serves
//! OpenAPI v3 (Kubernetes 1.27 and later; the simulated one too).

use crate::app::core::event::Event;
use crate::domain::kube::KubeKind;
use crate::domain::openapi::{self, Explanation};
use kube::Client;
use serde_json::Value;
use tokio::sync::mpsc::UnboundedSender;

pub async fn explain(
    client: Option<Client>,
    kind: KubeKind,
    path: Vec<String>,
    tx: UnboundedSender<Event>,
) {
    let dotted = std::iter::once(kind.kubectl_name().to_string())
        .chain(path.iter().cloned())
        .collect::<Vec<_>>()
        .join(".");
    let result = match client {
        None => Err("the cluster is not connected".to_string()),
        Some(client) => explained(client, kind, &path).await,
    };
    let _ = tx.send(Event::Explained {
        path: dotted,
        result,
    });
}

async fn explained(client: Client, kind: KubeKind, path: &[String]) -> Result<Explanation, String> {
    let (group, version, name) = kind.group_version_kind();
    let index = get(&client, "/openapi/v3").await?;
    let key = openapi::group_version_path(group, version);
    // The index names each document with its hash, which the server lets clients cache.
    let url = index
        .pointer(&format!(
            "/paths/{}/serverRelativeURL",
            key.replace('/', "~1")
        ))
        .and_then(Value::as_str)
        .map_or_else(|| format!("/openapi/v3/{key}"), String::from);
    let doc = get(&client, &url).await?;
    openapi::explain(&doc, (group, version, name), path)
}

async fn get(client: &Client, url: &str) -> Result<Value, String> {
    let request = http::Request::get(url)
        .body(Vec::new())
        .map_err(|e| format!("cannot ask for {url}: {e}"))?;
    client.request::<Value>(request).await.map_err(|e| {
        format!(
            "the cluster's OpenAPI schema ({url}) cannot be read: {}",
            crate::sources::describe(&e)
        )
    })
}
