//! The little of Kubernetes' protobuf wire form the sim reads so far: the
//! `k8s\0` envelope around a `runtime.Unknown`, and the
//! SelfSubjectAccessReview kubectl sends for `auth can-i` (its bodies are
//! protobuf since kubectl 1.32), turned into the JSON the rest of the sim
//! speaks. Field numbers are those of the Kubernetes `generated.proto` files.

use crate::domain::protobuf::{Field, bytes_of, fields, text_of};
use serde_json::{Value, json};

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
    let raw = fields(bytes_of(&unknown, 2).unwrap_or_default())
        .ok_or("the protobuf object is not well formed")?;
    match (api_version.as_str(), kind.as_str()) {
        ("authorization.k8s.io/v1", "SelfSubjectAccessReview") => Ok(access_review(&raw)),
        _ => Err(format!(
            "{api_version} {kind} is not read from protobuf by the simulated cluster; send it as JSON"
        )),
    }
}

/// SelfSubjectAccessReview: spec (2) -> resourceAttributes (1) -> namespace
/// (1), verb (2), group (3), version (4), resource (5), subresource (6), name (7).
fn access_review(review: &[Field<'_>]) -> Value {
    let spec = fields(bytes_of(review, 2).unwrap_or_default()).unwrap_or_default();
    let attributes = fields(bytes_of(&spec, 1).unwrap_or_default()).unwrap_or_default();
    let text = |n| text_of(&attributes, n);
    json!({
        "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
        "metadata": {},
        "spec": {"resourceAttributes": {
            "namespace": text(1), "verb": text(2), "group": text(3), "version": text(4),
            "resource": text(5), "subresource": text(6), "name": text(7)
        }}
    })
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
        assert_eq!(asked["group"], "");

        let other = [
            MAGIC.to_vec(),
            field(1, &[field(1, b"v1"), field(2, b"ConfigMap")].concat()),
        ]
        .concat();
        assert!(
            decode(&other)
                .unwrap_err()
                .contains("v1 ConfigMap is not read from protobuf")
        );
        assert!(decode(b"{}").is_err());
        assert!(
            decode(&[MAGIC, &[0x0a, 0x05, 0x01][..]].concat()).is_err(),
            "a length past the end"
        );
    }
}
