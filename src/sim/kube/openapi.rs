//! The OpenAPI documents of the simulated API server, from the embedded
//! Kubernetes v1.33 schemas (assets/openapi/README.md says where they come
//! from). v3: an index and one document per group version, as kubectl
//! `explain` and `apply --validate` read them. v2: the one document for
//! all, in JSON or in the gnostic protobuf (`openapi_v2.Document`) that
//! kubectl asks for (`explain --output plaintext-openapiv2`, client-side
//! apply's patch lookups).

use super::resources::{RESOURCES, Resource, groups};
use serde_json::{Map, Value, json};

/// What kubectl's discovery client sends in Accept for the v2 protobuf.
pub const V2_PROTOBUF: &str = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
/// The Content-Type the API server answers it with.
pub const V2_PROTOBUF_ANSWER: &str = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

const TITLE: &str = "Kubernetes (pilothouse simulated)";
const VERSION: &str = "v1.33.1";

/// `/openapi/v3`: where each group version's document is.
pub fn v3_index() -> Value {
    let mut paths = Map::new();
    paths.insert(
        "api/v1".into(),
        json!({"serverRelativeURL": "/openapi/v3/api/v1?hash=pilothouse"}),
    );
    for (group, version) in groups() {
        let key = format!("apis/{group}/{version}");
        let url = format!("/openapi/v3/{key}?hash=pilothouse");
        paths.insert(key, json!({"serverRelativeURL": url}));
    }
    json!({"paths": paths})
}

/// `/openapi/v3/apis/GROUP/VERSION`: a get and a patch operation per kind
/// (what lets `kubectl apply --server-side` validate) and the schemas.
pub fn v3_group(path: &str) -> Option<Value> {
    let (group, version) = match path.split('/').collect::<Vec<_>>().as_slice() {
        ["api", "v1"] => ("", "v1"),
        ["apis", group, version] => groups().into_iter().find(|g| g == &(*group, *version))?,
        _ => return None,
    };
    let parameter = |name: &str, kind: &str| json!({"name": name, "in": "query", "schema": {"type": kind, "uniqueItems": true}});
    let served = RESOURCES
        .iter()
        .filter(|r| r.group == group && r.version == version);
    Some(json!({
        "openapi": "3.0.0", "info": {"title": TITLE, "version": VERSION},
        "paths": operations(served, &parameter), "components": {"schemas": schemas().clone()},
    }))
}

/// `/openapi/v2`: every kind's operations and the schemas as Swagger 2.0.
pub fn v2_document() -> Value {
    let parameter = |name: &str, kind: &str| json!({"name": name, "in": "query", "type": kind, "uniqueItems": true});
    let definitions: Map<String, Value> = schemas()
        .as_object()
        .map(|all| {
            all.iter()
                .map(|(name, schema)| (name.clone(), to_v2(schema)))
                .collect()
        })
        .unwrap_or_default();
    json!({
        "swagger": "2.0", "info": {"title": TITLE, "version": VERSION},
        "paths": operations(RESOURCES.iter(), &parameter), "definitions": definitions,
    })
}

/// Per kind, the object's path with its get and patch operations.
fn operations<'a>(
    served: impl Iterator<Item = &'a Resource>,
    parameter: &dyn Fn(&str, &str) -> Value,
) -> Map<String, Value> {
    let mut paths = Map::new();
    for r in served {
        let prefix = if r.group.is_empty() {
            "/api/v1".to_string()
        } else {
            format!("/apis/{}/{}", r.group, r.version)
        };
        let url = if r.namespaced {
            format!("{prefix}/namespaces/{{namespace}}/{}/{{name}}", r.plural)
        } else {
            format!("{prefix}/{}/{{name}}", r.plural)
        };
        let gvk = json!({"group": r.group, "version": r.version, "kind": r.kind});
        let parameters = json!([
            parameter("fieldValidation", "string"),
            parameter("fieldManager", "string"),
            parameter("force", "boolean"),
        ]);
        paths.insert(url, json!({
            "get": {"x-kubernetes-group-version-kind": gvk, "x-kubernetes-action": "get"},
            "patch": {"x-kubernetes-group-version-kind": gvk, "x-kubernetes-action": "patch", "parameters": parameters},
        }));
    }
    paths
}

/// A v3 schema as Swagger 2.0 writes it: references under `#/definitions/`,
/// a lone `allOf` reference as the reference itself, no `nullable`/`anyOf`.
fn to_v2(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, value) in map {
                match key.as_str() {
                    "$ref" => {
                        let target = value.as_str().unwrap_or_default();
                        out.insert(
                            key.clone(),
                            json!(target.replace("#/components/schemas/", "#/definitions/")),
                        );
                    }
                    "allOf" if value.as_array().is_some_and(|a| a.len() == 1) => {
                        if let Value::Object(only) = to_v2(&value[0]) {
                            out.extend(only);
                        }
                    }
                    "nullable" | "anyOf" | "oneOf" => {}
                    // Property names are data, not schema keywords: keep them, convert their schemas.
                    "properties" => {
                        let properties: Map<String, Value> = value
                            .as_object()
                            .map(|p| p.iter().map(|(k, v)| (k.clone(), to_v2(v))).collect())
                            .unwrap_or_default();
                        out.insert(key.clone(), Value::Object(properties));
                    }
                    _ => {
                        out.insert(key.clone(), to_v2(value));
                    }
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(to_v2).collect()),
        other => other.clone(),
    }
}

/// The embedded schemas, read once.
pub(super) fn schemas() -> &'static Value {
    static SCHEMAS: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    SCHEMAS.get_or_init(|| {
        let packed: &[u8] = include_bytes!("../../../assets/openapi/schemas-v1.33.json.gz");
        let mut text = String::new();
        let read =
            std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(packed), &mut text);
        // Built into the binary and checked by the tests: unreadable only if the build is broken.
        match read.ok().and_then(|_| serde_json::from_str(&text).ok()) {
            Some(value) => value,
            None => json!({}),
        }
    })
}

/// The v2 document in gnostic's protobuf (`openapi_v2.Document`), made once.
pub fn v2_protobuf() -> &'static [u8] {
    static ENCODED: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    ENCODED.get_or_init(|| super::openapi_proto::document(&v2_document()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v2_references_point_into_definitions() {
        let doc = v2_document();
        let text = doc.to_string();
        assert!(
            !text.contains("#/components/schemas/"),
            "every reference converted"
        );
        let deployment = &doc["definitions"]["io.k8s.api.apps.v1.Deployment"];
        assert_eq!(
            deployment["properties"]["spec"]["$ref"],
            "#/definitions/io.k8s.api.apps.v1.DeploymentSpec"
        );
        assert_eq!(
            deployment["x-kubernetes-group-version-kind"][0]["kind"],
            "Deployment"
        );
        assert!(
            doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
                .is_object()
        );
    }
}
