//! `kubectl explain` from a cluster's OpenAPI v3 document: the kind's
//! schema found by its `x-kubernetes-group-version-kind`, the field path
//! walked through `$ref`s and array items, and the field's type written as
//! kubectl writes it (`<integer>`, `<[]Container>`, `<map[string]string>`).

use serde_json::Value;

/// What `explain` says of one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// `replicas`
    pub field: String,
    /// `<integer>`
    pub type_name: String,
    pub description: String,
    /// For an object: its fields and their types, as `name <type>`.
    pub fields: Vec<String>,
}

/// Where each kind's document is: `api/v1` or `apis/apps/v1`.
pub fn group_version_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// The explanation of `path` (field names from the kind's top, no indices)
/// in `doc`, the group version's OpenAPI v3 document.
pub fn explain(
    doc: &Value,
    (group, version, kind): (&str, &str, &str),
    path: &[String],
) -> Result<Explanation, String> {
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .ok_or("the cluster's OpenAPI document has no schemas")?;
    let root = schemas
        .values()
        .find(|schema| declares(schema, group, version, kind))
        .ok_or_else(|| format!("the cluster's OpenAPI document has no schema for {kind}"))?;
    let mut field = kind.to_string();
    let mut described = root;
    let mut current = root;
    for name in path {
        let resolved = resolve(doc, current);
        let Some(property) = resolved
            .get("properties")
            .and_then(|p| p.get(name.as_str()))
        else {
            return Err(format!("field \"{name}\" does not exist in {field}"));
        };
        field = name.clone();
        described = property;
        current = element(doc, property);
    }
    let resolved = resolve(doc, current);
    let description = described
        .get("description")
        .or_else(|| resolved.get("description"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let mut fields: Vec<String> = resolved
        .get("properties")
        .and_then(Value::as_object)
        .map(|properties| {
            properties
                .iter()
                .map(|(name, schema)| format!("{name} {}", type_name(doc, schema)))
                .collect()
        })
        .unwrap_or_default();
    fields.sort();
    Ok(Explanation {
        field,
        type_name: if path.is_empty() {
            "<Object>".to_string()
        } else {
            type_name(doc, described)
        },
        description,
        fields,
    })
}

fn declares(schema: &Value, group: &str, version: &str, kind: &str) -> bool {
    schema
        .get("x-kubernetes-group-version-kind")
        .and_then(Value::as_array)
        .is_some_and(|all| {
            all.iter().any(|gvk| {
                gvk.get("group").and_then(Value::as_str).unwrap_or("") == group
                    && gvk.get("version").and_then(Value::as_str) == Some(version)
                    && gvk.get("kind").and_then(Value::as_str) == Some(kind)
            })
        })
}

/// The schema a `$ref` (bare, or in a one-entry `allOf`) points to; the schema itself otherwise.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    let reference = schema.get("$ref").or_else(|| {
        schema
            .get("allOf")
            .and_then(Value::as_array)
            .and_then(|all| all.first())
            .and_then(|first| first.get("$ref"))
    });
    reference
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|pointer| doc.pointer(pointer))
        .unwrap_or(schema)
}

/// What a path goes on into: an array's items, or the schema itself.
fn element<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    let resolved = resolve(doc, schema);
    match resolved.get("items") {
        Some(items) if resolved.get("type").and_then(Value::as_str) == Some("array") => items,
        _ => resolved,
    }
}

fn type_name(doc: &Value, schema: &Value) -> String {
    format!("<{}>", bare_type(doc, schema))
}

fn bare_type(doc: &Value, schema: &Value) -> String {
    let reference = resolve(doc, schema);
    if !std::ptr::eq(reference, schema) {
        // A named schema: its short name (`io.k8s.api.core.v1.Container` -> `Container`),
        // or a plain type for the aliases (Quantity, Time: strings).
        if let Some(kind) = reference.get("type").and_then(Value::as_str)
            && kind != "object"
        {
            return kind.to_string();
        }
        let name = schema
            .get("$ref")
            .or_else(|| schema.pointer("/allOf/0/$ref"))
            .and_then(Value::as_str)
            .and_then(|r| r.rsplit('.').next())
            .unwrap_or("Object");
        return name.to_string();
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => format!(
            "[]{}",
            schema
                .get("items")
                .map_or("Object".to_string(), |items| bare_type(doc, items))
        ),
        Some("object") => match schema.get("additionalProperties") {
            Some(values) => format!("map[string]{}", bare_type(doc, values)),
            None => "Object".to_string(),
        },
        Some(kind) => kind.to_string(),
        None => "Object".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({"components": {"schemas": {
            "io.k8s.api.apps.v1.Deployment": {
                "description": "Deployment enables declarative updates for Pods and ReplicaSets.",
                "x-kubernetes-group-version-kind": [{"group": "apps", "version": "v1", "kind": "Deployment"}],
                "properties": {
                    "spec": {"allOf": [{"$ref": "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec"}], "description": "Specification of the desired behavior of the Deployment."}
                }
            },
            "io.k8s.api.apps.v1.DeploymentSpec": {
                "properties": {
                    "replicas": {"type": "integer", "format": "int32", "description": "Number of desired pods."},
                    "template": {"allOf": [{"$ref": "#/components/schemas/io.k8s.api.core.v1.PodTemplateSpec"}]}
                }
            },
            "io.k8s.api.core.v1.PodTemplateSpec": {
                "properties": {"spec": {"allOf": [{"$ref": "#/components/schemas/io.k8s.api.core.v1.PodSpec"}]}}
            },
            "io.k8s.api.core.v1.PodSpec": {
                "properties": {
                    "containers": {"type": "array", "items": {"allOf": [{"$ref": "#/components/schemas/io.k8s.api.core.v1.Container"}]}, "description": "List of containers."},
                    "nodeSelector": {"type": "object", "additionalProperties": {"type": "string"}}
                }
            },
            "io.k8s.api.core.v1.Container": {
                "properties": {
                    "imagePullPolicy": {"type": "string", "description": "Image pull policy."},
                    "resources": {"$ref": "#/components/schemas/io.k8s.api.core.v1.ResourceRequirements"}
                }
            },
            "io.k8s.api.core.v1.ResourceRequirements": {"properties": {}}
        }}})
    }

    fn path(text: &str) -> Vec<String> {
        text.split('.').map(String::from).collect()
    }

    #[test]
    fn a_field_is_found_through_refs_and_array_items() {
        let doc = doc();
        let gvk = ("apps", "v1", "Deployment");
        let replicas = explain(&doc, gvk, &path("spec.replicas")).expect("explained");
        assert_eq!(replicas.field, "replicas");
        assert_eq!(replicas.type_name, "<integer>");
        assert_eq!(replicas.description, "Number of desired pods.");
        let policy = explain(
            &doc,
            gvk,
            &path("spec.template.spec.containers.imagePullPolicy"),
        )
        .expect("explained");
        assert_eq!(policy.type_name, "<string>");
        assert_eq!(policy.description, "Image pull policy.");
        let containers =
            explain(&doc, gvk, &path("spec.template.spec.containers")).expect("explained");
        assert_eq!(containers.type_name, "<[]Container>");
        assert_eq!(
            containers.fields,
            [
                "imagePullPolicy <string>",
                "resources <ResourceRequirements>"
            ]
        );
        let selector =
            explain(&doc, gvk, &path("spec.template.spec.nodeSelector")).expect("explained");
        assert_eq!(selector.type_name, "<map[string]string>");
    }

    #[test]
    fn the_kind_itself_and_what_is_not_there() {
        let doc = doc();
        let top = explain(&doc, ("apps", "v1", "Deployment"), &[]).expect("explained");
        assert_eq!(top.type_name, "<Object>");
        assert_eq!(top.fields, ["spec <DeploymentSpec>"]);
        assert_eq!(
            explain(&doc, ("apps", "v1", "Deployment"), &path("spec.replics")),
            Err("field \"replics\" does not exist in spec".to_string())
        );
        assert_eq!(
            explain(&doc, ("", "v1", "Pod"), &[]),
            Err("the cluster's OpenAPI document has no schema for Pod".to_string())
        );
    }
}
