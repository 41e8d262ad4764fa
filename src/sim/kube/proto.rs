//! Kubernetes' protobuf request bodies: the `k8s\0` envelope around a
//! `runtime.Unknown` (its TypeMeta, then the object's bytes), read here; the
//! object inside is turned into JSON by `proto_json.rs`. kubectl 1.32 sends
//! `create` (deployment, namespace, configmap, secret) and `auth can-i`
//! bodies this way; answers stay JSON, which kubectl also accepts.

use crate::domain::protobuf::{bytes_of, fields, text_of};
use serde_json::Value;

/// The envelope's magic: "k8s" and a zero byte.
const MAGIC: &[u8] = b"k8s\0";

/// The kind a protobuf body carries and the object inside, as JSON; an
/// error sentence when it cannot be read, or is a kind the sim does not
/// read from protobuf yet.
pub fn decode(body: &[u8]) -> Result<Value, String> {
    let unknown = body
        .strip_prefix(MAGIC)
        .ok_or("the protobuf body does not start with the k8s envelope")?;
    let unknown = fields(unknown).ok_or("the protobuf envelope is not well formed")?;
    let type_meta = fields(bytes_of(&unknown, 1).unwrap_or_default())
        .ok_or("the protobuf type is not well formed")?;
    let (api_version, kind) = (text_of(&type_meta, 1), text_of(&type_meta, 2));
    let Some(message) = super::proto_json::message_for(&api_version, &kind) else {
        return Err(format!(
            "{api_version} {kind} is not read from protobuf by the simulated cluster; send it as JSON"
        ));
    };
    let object = super::proto_json::to_json(&message, bytes_of(&unknown, 2).unwrap_or_default())?;
    let mut typed = serde_json::Map::new();
    typed.insert("apiVersion".into(), Value::String(api_version));
    typed.insert("kind".into(), Value::String(kind));
    if let Value::Object(fields) = object {
        typed.extend(fields);
    }
    Ok(Value::Object(typed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(number: u8, bytes: &[u8]) -> Vec<u8> {
        let mut out = vec![(number << 3) | 2, bytes.len() as u8];
        out.extend_from_slice(bytes);
        out
    }

    #[test]
    fn an_access_review_as_kubectl_sends_it() {
        let attributes = [
            field(1, b"kube-system"),
            field(2, b"list"),
            field(5, b"pods"),
        ]
        .concat();
        let review = [field(1, b""), field(2, &field(1, &attributes))].concat();
        let type_meta = [
            field(1, b"authorization.k8s.io/v1"),
            field(2, b"SelfSubjectAccessReview"),
        ]
        .concat();
        let body = [MAGIC.to_vec(), field(1, &type_meta), field(2, &review)].concat();
        let decoded = decode(&body).expect("decoded");
        let asked = &decoded["spec"]["resourceAttributes"];
        assert_eq!(
            (
                asked["namespace"].as_str(),
                asked["verb"].as_str(),
                asked["resource"].as_str()
            ),
            (Some("kube-system"), Some("list"), Some("pods"))
        );
        assert_eq!(asked["group"].as_str().unwrap_or_default(), "");

        let other = [
            MAGIC.to_vec(),
            field(
                1,
                &[field(1, b"example.com/v1"), field(2, b"Widget")].concat(),
            ),
        ]
        .concat();
        assert!(
            decode(&other)
                .unwrap_err()
                .contains("example.com/v1 Widget is not read from protobuf")
        );
        assert!(decode(b"{}").is_err());
        assert!(
            decode(&[MAGIC, &[0x0a, 0x05, 0x01][..]].concat()).is_err(),
            "a length past the end"
        );
    }
}
