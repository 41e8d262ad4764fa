//! Strict decoding: a list as the server answers it, every item decoded
//! into k8s-openapi's type and encoded back, with nothing the server sent
//! lost on the way (a field the Kubernetes schema does not have would be).

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Paths of fields in `sent` that are not in `kept` (nulls, empty maps and
/// empty lists count as absent, as k8s-openapi leaves them out).
fn lost(sent: &Value, kept: &Value, path: &str, out: &mut Vec<String>) {
    match sent {
        Value::Null => {}
        Value::Object(map) if map.is_empty() => {}
        Value::Array(items) if items.is_empty() => {}
        Value::Object(map) => {
            for (key, value) in map {
                lost(
                    value,
                    kept.get(key).unwrap_or(&Value::Null),
                    &format!("{path}.{key}"),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, value) in items.iter().enumerate() {
                lost(
                    value,
                    kept.get(i).unwrap_or(&Value::Null),
                    &format!("{path}[{i}]"),
                    out,
                );
            }
        }
        scalar if kept == scalar => {}
        scalar => out.push(format!("{path} = {scalar} (kept: {kept})")),
    }
}

/// List `path` as the server answers it and decode every item into `T`.
pub async fn decodes_whole<T: DeserializeOwned + Serialize>(
    client: &kube::Client,
    path: &str,
    kind: &str,
) -> usize {
    let request = hyper::Request::get(path).body(Vec::new()).expect("request");
    let list: Value = client
        .request(request)
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let items = list["items"].as_array().cloned().unwrap_or_default();
    for item in &items {
        let name = item.pointer("/metadata/name").cloned().unwrap_or_default();
        // The list's items carry no kind or apiVersion; the typed object does.
        let typed: T = serde_json::from_value(item.clone())
            .unwrap_or_else(|e| panic!("{kind} {name} does not decode: {e}\n{item:#}"));
        let back = serde_json::to_value(&typed).expect("re-encoded");
        let mut missing = Vec::new();
        lost(item, &back, "", &mut missing);
        assert!(
            missing.is_empty(),
            "{kind} {name}: fields the schema does not have:\n{}",
            missing.join("\n")
        );
    }
    items.len()
}
