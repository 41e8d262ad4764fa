//! Kubernetes objects in protobuf turned into the JSON the rest of the sim
//! speaks, driven by a table of each message's fields (number, JSON name,
//! repeated or map, type) made from the Kubernetes `generated.proto` files
//! (assets/protobuf/README.md). The types JSON writes differently are
//! converted as the API server's own codecs do: Time as RFC 3339 (an
//! empty Time is no time), IntOrString as a number or a string, Quantity as
//! its string, bytes as base64, RawExtension and FieldsV1 as the JSON inside.

use crate::domain::protobuf::{Field, fields};
use base64::Engine as _;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::OnceLock;

/// One field of a message, as its `generated.proto` declares it.
struct Spec {
    name: String,
    /// `o` optional, `r` repeated, `m` a map from string keys.
    label: char,
    /// A scalar (`string`, `int64`, …) or a message's full name.
    kind: String,
}

type Table = HashMap<String, HashMap<u64, Spec>>;

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let packed: &[u8] = include_bytes!("../../../assets/protobuf/messages.json.gz");
        let mut text = String::new();
        let read =
            std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(packed), &mut text);
        // Built into the binary and read by the tests: empty only if the build is broken.
        let raw: HashMap<String, Vec<(u64, String, String, String)>> = read
            .ok()
            .and_then(|_| serde_json::from_str(&text).ok())
            .unwrap_or_default();
        raw.into_iter()
            .map(|(message, specs)| {
                let specs = specs
                    .into_iter()
                    .map(|(number, name, label, kind)| {
                        let label = label.chars().next().unwrap_or('o');
                        (number, Spec { name, label, kind })
                    })
                    .collect();
                (message, specs)
            })
            .collect()
    })
}

/// The protobuf message that carries `kind` of `api_version`
/// (`apps/v1` `Deployment` -> `k8s.io.api.apps.v1.Deployment`), if the table has it.
pub fn message_for(api_version: &str, kind: &str) -> Option<String> {
    let (group, version) = api_version.split_once('/').unwrap_or(("core", api_version));
    let group = group.strip_suffix(".k8s.io").unwrap_or(group);
    [
        format!("k8s.io.api.{group}.{version}.{kind}"),
        format!("k8s.io.apimachinery.pkg.apis.meta.{version}.{kind}"),
    ]
    .into_iter()
    .find(|name| table().contains_key(name))
}

/// The message `name` read from `bytes`, as JSON.
pub fn to_json(name: &str, bytes: &[u8]) -> Result<Value, String> {
    let specs = table()
        .get(name)
        .ok_or_else(|| format!("{name} is not a message the simulated cluster knows"))?;
    let read = fields(bytes).ok_or_else(|| format!("the protobuf {name} is not well formed"))?;
    let mut object = Map::new();
    for field in &read {
        let number = match field {
            Field::Bytes(n, _) | Field::Varint(n, _) => *n,
        };
        // Fields of newer Kubernetes versions than the table's are left out.
        let Some(spec) = specs.get(&number) else {
            continue;
        };
        match spec.label {
            'r' => {
                let value = scalar_or_message(&spec.kind, field)?;
                if let Some(value) = value {
                    let list = object
                        .entry(spec.name.clone())
                        .or_insert_with(|| Value::Array(Vec::new()));
                    if let Value::Array(items) = list {
                        items.push(value);
                    }
                }
            }
            'm' => {
                let Field::Bytes(_, entry) = field else {
                    return Err(format!("{name}.{} is not a map entry", spec.name));
                };
                let entry = fields(entry)
                    .ok_or_else(|| format!("{name}.{} has a broken map entry", spec.name))?;
                let key = entry.iter().find_map(|f| match f {
                    Field::Bytes(1, key) => Some(String::from_utf8_lossy(key).into_owned()),
                    _ => None,
                });
                let value = match entry
                    .iter()
                    .find(|f| matches!(f, Field::Bytes(2, _) | Field::Varint(2, _)))
                {
                    Some(value) => scalar_or_message(&spec.kind, value)?,
                    None => empty_value(&spec.kind),
                };
                let map = object
                    .entry(spec.name.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let (Value::Object(map), Some(value)) = (map, value) {
                    map.insert(key.unwrap_or_default(), value);
                }
            }
            _ => match scalar_or_message(&spec.kind, field)? {
                // An embedded struct: its fields are the parent's in JSON.
                Some(Value::Object(fields)) if INLINE.contains(&spec.name.as_str()) => {
                    object.extend(fields);
                }
                Some(value) if is_unset(spec, &value) => {}
                Some(value) => {
                    object.insert(spec.name.clone(), value);
                }
                None => {}
            },
        }
    }
    Ok(Value::Object(object))
}

/// The fields that are embedded structs in Go (`json:",inline"`), written
/// as their own message in protobuf but flattened into the parent in JSON:
/// every one in the packages the table holds (k8s.io/api v0.33.9's
/// types.go), by their protobuf names.
const INLINE: [&str; 6] = [
    "volumeSource",
    "persistentVolumeSource",
    "localObjectReference",
    "handler",
    "ephemeralContainerCommon",
    "ingressRuleValue",
];

/// Go's protobuf writes every plain field, zeros too, while its JSON leaves
/// a zero out; a zero is read as unset except where the field is a pointer
/// whose zero differs from its default (`replicas: 0` is not `replicas: 1`).
/// An empty message is unset too, except a volume source, whose presence
/// is what it says (`emptyDir: {}`).
fn is_unset(spec: &Spec, value: &Value) -> bool {
    const ZERO_MEANS_SOMETHING: [&str; 13] = [
        "replicas",
        "revisionHistoryLimit",
        "progressDeadlineSeconds",
        "terminationGracePeriodSeconds",
        "backoffLimit",
        "parallelism",
        "completions",
        "successfulJobsHistoryLimit",
        "failedJobsHistoryLimit",
        "ttlSecondsAfterFinished",
        "minReplicas",
        "automountServiceAccountToken",
        "enableServiceLinks",
    ];
    match value {
        Value::String(text) => text.is_empty(),
        Value::Bool(false) => !ZERO_MEANS_SOMETHING.contains(&spec.name.as_str()),
        Value::Number(n) if n.as_i64() == Some(0) => {
            !ZERO_MEANS_SOMETHING.contains(&spec.name.as_str())
        }
        Value::Object(fields) if fields.is_empty() => !spec.kind.ends_with("VolumeSource"),
        _ => false,
    }
}

/// What a map entry without a value holds: the type's zero.
fn empty_value(kind: &str) -> Option<Value> {
    match kind {
        "string" | "bytes" => Some(Value::String(String::new())),
        "bool" => Some(Value::Bool(false)),
        "int32" | "int64" => Some(Value::from(0)),
        _ => None,
    }
}

/// One value; None for what JSON leaves out (an empty Time).
fn scalar_or_message(kind: &str, field: &Field<'_>) -> Result<Option<Value>, String> {
    Ok(Some(match (kind, field) {
        ("string", Field::Bytes(_, b)) => Value::String(String::from_utf8_lossy(b).into_owned()),
        ("bytes", Field::Bytes(_, b)) => {
            Value::String(base64::engine::general_purpose::STANDARD.encode(b))
        }
        ("bool", Field::Varint(_, v)) => Value::Bool(*v != 0),
        ("int32" | "int64", Field::Varint(_, v)) => Value::from(*v as i64),
        ("uint32" | "uint64", Field::Varint(_, v)) => Value::from(*v),
        (message, Field::Bytes(_, b)) if message.contains('.') => return special(message, b),
        // A 64- or 32-bit field (a double) is not kept by the reader; anything else is a mismatch.
        (kind, _) => {
            return Err(format!(
                "a protobuf field does not hold the {kind} its message declares"
            ));
        }
    }))
}

fn special(message: &str, bytes: &[u8]) -> Result<Option<Value>, String> {
    let read = fields(bytes).ok_or_else(|| format!("the protobuf {message} is not well formed"))?;
    let varint = |number: u64| {
        read.iter().find_map(|f| match f {
            Field::Varint(n, v) if *n == number => Some(*v as i64),
            _ => None,
        })
    };
    let text = |number: u64| {
        read.iter().find_map(|f| match f {
            Field::Bytes(n, b) if *n == number => Some(String::from_utf8_lossy(b).into_owned()),
            _ => None,
        })
    };
    let raw_json = |number: u64| {
        read.iter().find_map(|f| match f {
            Field::Bytes(n, b) if *n == number => serde_json::from_slice::<Value>(b).ok(),
            _ => None,
        })
    };
    Ok(match message.rsplit('.').next().unwrap_or_default() {
        "Time" | "MicroTime" if message.contains(".meta.") => {
            if read.is_empty() {
                return Ok(None);
            }
            let nanos = i128::from(varint(1).unwrap_or(0)) * 1_000_000_000
                + i128::from(varint(2).unwrap_or(0));
            Some(Value::String(if message.ends_with("MicroTime") {
                crate::sim::clock::rfc3339_nanos(nanos)
            } else {
                crate::sim::clock::rfc3339(varint(1).unwrap_or(0))
            }))
        }
        "Duration" if message.contains(".meta.") => Some(Value::String(format!(
            "{}s",
            varint(1).unwrap_or(0) / 1_000_000_000
        ))),
        "IntOrString" => match varint(1).unwrap_or(0) {
            0 => Some(Value::from(varint(2).unwrap_or(0))),
            _ => Some(Value::String(text(3).unwrap_or_default())),
        },
        "Quantity" => Some(Value::String(text(1).unwrap_or_default())),
        "RawExtension" | "FieldsV1" => raw_json(1),
        _ => Some(to_json(message, bytes)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::protobuf::Writer;

    #[test]
    fn a_deployment_as_kubectl_create_sends_it() {
        let labels = Writer::default().text(1, "app").text(2, "web");
        let metadata = Writer::default()
            .text(1, "web")
            .text(3, "")
            .message(11, labels)
            .message(8, Writer::default());
        let port = Writer::default().varint(3, 8000).text(4, "TCP");
        let limits = Writer::default()
            .text(1, "cpu")
            .message(2, Writer::default().text(1, "500m"));
        let container = Writer::default()
            .text(1, "web")
            .text(2, "cookbook:latest")
            .message(6, port)
            .message(8, Writer::default().message(1, limits));
        let pod_spec = Writer::default().message(2, container);
        let template = Writer::default()
            .message(
                1,
                Writer::default().message(11, Writer::default().text(1, "app").text(2, "web")),
            )
            .message(2, pod_spec);
        let max_surge = Writer::default().varint(1, 1).text(3, "25%");
        let strategy = Writer::default()
            .text(1, "RollingUpdate")
            .message(2, Writer::default().message(2, max_surge));
        let spec = Writer::default()
            .varint(1, 2)
            .message(
                2,
                Writer::default().message(1, Writer::default().text(1, "app").text(2, "web")),
            )
            .message(3, template)
            .message(4, strategy);
        let deployment = Writer::default().message(1, metadata).message(2, spec);
        let json = to_json("k8s.io.api.apps.v1.Deployment", &deployment.finish()).expect("decoded");
        assert_eq!(
            json,
            serde_json::json!({
                "metadata": {"name": "web", "labels": {"app": "web"}},
                "spec": {
                    "replicas": 2,
                    "selector": {"matchLabels": {"app": "web"}},
                    "template": {
                        "metadata": {"labels": {"app": "web"}},
                        "spec": {"containers": [{
                            "name": "web", "image": "cookbook:latest",
                            "ports": [{"containerPort": 8000, "protocol": "TCP"}],
                            "resources": {"limits": {"cpu": "500m"}}
                        }]}
                    },
                    "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%"}}
                }
            })
        );
    }

    #[test]
    fn embedded_structs_are_flattened_as_json_writes_them() {
        let backend = Writer::default().message(
            4,
            Writer::default()
                .text(1, "web")
                .message(2, Writer::default().varint(2, 8000)),
        );
        let path = Writer::default()
            .text(1, "/")
            .message(2, backend)
            .text(3, "Prefix");
        let rule = Writer::default().text(1, "web.local").message(
            2,
            Writer::default().message(1, Writer::default().message(1, path)),
        );
        let json =
            to_json("k8s.io.api.networking.v1.IngressRule", &rule.finish()).expect("decoded");
        assert_eq!(
            json,
            serde_json::json!({"host": "web.local", "http": {"paths": [{
                "path": "/", "pathType": "Prefix",
                "backend": {"service": {"name": "web", "port": {"number": 8000}}}
            }]}})
        );
    }

    #[test]
    fn secrets_bytes_times_and_kinds_by_api_version() {
        let entry = Writer::default().text(1, "password").bytes(2, b"s3cret");
        let stamp = Writer::default().varint(1, 1_796_450_000);
        let metadata = Writer::default().text(1, "db").message(8, stamp);
        let secret = Writer::default()
            .message(1, metadata)
            .message(2, entry)
            .text(3, "Opaque");
        let json = to_json("k8s.io.api.core.v1.Secret", &secret.finish()).expect("decoded");
        assert_eq!(json["data"]["password"], "czNjcmV0");
        assert_eq!(
            json["metadata"]["creationTimestamp"],
            "2026-12-05T05:53:20Z"
        );
        assert_eq!(
            message_for("apps/v1", "Deployment").as_deref(),
            Some("k8s.io.api.apps.v1.Deployment")
        );
        assert_eq!(
            message_for("v1", "ConfigMap").as_deref(),
            Some("k8s.io.api.core.v1.ConfigMap")
        );
        assert_eq!(
            message_for("networking.k8s.io/v1", "Ingress").as_deref(),
            Some("k8s.io.api.networking.v1.Ingress")
        );
        assert_eq!(message_for("example.com/v1", "Widget"), None);
        assert!(to_json("k8s.io.api.core.v1.Secret", &[0x0a, 0x05, 0x01]).is_err());
    }
}
