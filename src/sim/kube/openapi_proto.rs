//! A Swagger 2.0 document (JSON) written as gnostic's `openapi_v2.Document`
//! protobuf, the form kubectl's discovery client asks `/openapi/v2` for.
//! Only what the simulated server's document holds is written: the info,
//! the paths' get and patch operations with their query parameters, and
//! the definitions' schemas. Field numbers are those of gnostic's
//! `openapiv2/OpenAPIv2.proto`. Values the proto keeps as `Any` (defaults,
//! enums, `x-` extensions) go in its `yaml` field as JSON, which is YAML.

use serde_json::Value;

/// Protobuf's wire format, written forwards.
#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn varint(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.0.push((value as u8) | 0x80);
            value >>= 7;
        }
        self.0.push(value as u8);
    }

    fn key(&mut self, field: u32, wire: u8) {
        self.varint(u64::from(field) << 3 | u64::from(wire));
    }

    fn bytes(&mut self, field: u32, bytes: &[u8]) {
        self.key(field, 2);
        self.varint(bytes.len() as u64);
        self.0.extend_from_slice(bytes);
    }

    fn string(&mut self, field: u32, text: &str) {
        if !text.is_empty() {
            self.bytes(field, text.as_bytes());
        }
    }

    fn boolean(&mut self, field: u32, on: bool) {
        if on {
            self.key(field, 0);
            self.varint(1);
        }
    }

    fn int(&mut self, field: u32, value: i64) {
        if value != 0 {
            self.key(field, 0);
            self.varint(value as u64);
        }
    }

    fn double(&mut self, field: u32, value: f64) {
        self.key(field, 1);
        self.0.extend_from_slice(&value.to_le_bytes());
    }

    /// An embedded message, written by `fill`.
    fn message(&mut self, field: u32, fill: impl FnOnce(&mut Writer)) {
        let mut inner = Writer::default();
        fill(&mut inner);
        self.bytes(field, &inner.0);
    }
}

/// `Document`: swagger 1, info 2, paths 8, definitions 9.
pub fn document(doc: &Value) -> Vec<u8> {
    let mut w = Writer::default();
    w.string(1, doc["swagger"].as_str().unwrap_or("2.0"));
    w.message(2, |info| {
        info.string(1, doc["info"]["title"].as_str().unwrap_or_default());
        info.string(2, doc["info"]["version"].as_str().unwrap_or_default());
    });
    w.message(8, |paths| {
        for (name, item) in doc["paths"].as_object().into_iter().flatten() {
            // Paths.path 2: NamedPathItem {name 1, value 2: PathItem}.
            paths.message(2, |named| {
                named.string(1, name);
                named.message(2, |path_item| {
                    for (verb, field) in [
                        ("get", 2),
                        ("put", 3),
                        ("post", 4),
                        ("delete", 5),
                        ("patch", 8),
                    ] {
                        if let Some(operation) = item.get(verb) {
                            path_item.message(field, |w| write_operation(w, operation));
                        }
                    }
                });
            });
        }
    });
    w.message(9, |definitions| {
        for (name, schema) in doc["definitions"].as_object().into_iter().flatten() {
            definitions.message(1, |named| named_schema(named, name, schema));
        }
    });
    w.0
}

/// `Operation`: parameters 8, vendor_extension 13.
fn write_operation(w: &mut Writer, operation: &Value) {
    for parameter in operation["parameters"].as_array().into_iter().flatten() {
        // ParametersItem.parameter 1 -> Parameter.non_body_parameter 2 ->
        // NonBodyParameter.query_parameter_sub_schema 3.
        w.message(8, |item| {
            item.message(1, |p| {
                p.message(2, |non_body| {
                    non_body.message(3, |q| {
                        q.boolean(1, parameter["required"].as_bool().unwrap_or(false));
                        q.string(2, parameter["in"].as_str().unwrap_or("query"));
                        q.string(3, parameter["description"].as_str().unwrap_or_default());
                        q.string(4, parameter["name"].as_str().unwrap_or_default());
                        q.string(6, parameter["type"].as_str().unwrap_or_default());
                        q.boolean(20, parameter["uniqueItems"].as_bool().unwrap_or(false));
                    })
                })
            })
        });
    }
    extensions(w, 13, operation);
}

/// `x-` keys as `NamedAny {name 1, value 2: Any {yaml 2}}` under `field`.
fn extensions(w: &mut Writer, field: u32, object: &Value) {
    for (key, value) in object.as_object().into_iter().flatten() {
        if key.starts_with("x-") {
            w.message(field, |named| {
                named.string(1, key);
                named.message(2, |any| any.string(2, &value.to_string()));
            });
        }
    }
}

fn named_schema(w: &mut Writer, name: &str, schema: &Value) {
    w.string(1, name);
    w.message(2, |s| write_schema(s, schema));
}

/// `Schema`, the fields Kubernetes' schemas use.
fn write_schema(w: &mut Writer, schema: &Value) {
    let text = |key: &str| schema[key].as_str().unwrap_or_default();
    w.string(1, text("$ref"));
    w.string(2, text("format"));
    w.string(3, text("title"));
    w.string(4, text("description"));
    if let Some(default) = schema.get("default") {
        w.message(5, |any| any.string(2, &default.to_string()));
    }
    if let Some(maximum) = schema["maximum"].as_f64() {
        w.double(7, maximum);
    }
    if let Some(minimum) = schema["minimum"].as_f64() {
        w.double(9, minimum);
    }
    w.int(11, schema["maxLength"].as_i64().unwrap_or(0));
    w.int(12, schema["minLength"].as_i64().unwrap_or(0));
    w.string(13, text("pattern"));
    w.int(14, schema["maxItems"].as_i64().unwrap_or(0));
    w.int(15, schema["minItems"].as_i64().unwrap_or(0));
    w.boolean(16, schema["uniqueItems"].as_bool().unwrap_or(false));
    for required in schema["required"].as_array().into_iter().flatten() {
        w.string(19, required.as_str().unwrap_or_default());
    }
    for choice in schema["enum"].as_array().into_iter().flatten() {
        w.message(20, |any| any.string(2, &choice.to_string()));
    }
    match schema.get("additionalProperties") {
        Some(Value::Bool(allowed)) => w.message(21, |item| {
            item.key(2, 0);
            item.varint(u64::from(*allowed));
        }),
        Some(more @ Value::Object(_)) => {
            w.message(21, |item| item.message(1, |s| write_schema(s, more)))
        }
        _ => {}
    }
    if let Some(kind) = schema["type"].as_str() {
        w.message(22, |type_item| type_item.string(1, kind));
    }
    if let Some(items) = schema.get("items") {
        w.message(23, |items_item| {
            items_item.message(1, |s| write_schema(s, items))
        });
    }
    for part in schema["allOf"].as_array().into_iter().flatten() {
        w.message(24, |s| write_schema(s, part));
    }
    if let Some(properties) = schema["properties"].as_object() {
        w.message(25, |props| {
            for (name, property) in properties {
                props.message(1, |named| named_schema(named, name, property));
            }
        });
    }
    w.boolean(27, schema["readOnly"].as_bool().unwrap_or(false));
    extensions(w, 31, schema);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_are_written_with_gnostics_numbers() {
        let doc = json!({
            "swagger": "2.0", "info": {"title": "t", "version": "v"},
            "paths": {},
            "definitions": {"A": {"type": "object", "description": "d", "x-k": [1]}},
        });
        let bytes = document(&doc);
        // swagger (1, "2.0"), then info (2) holding title (1) and version (2).
        assert_eq!(&bytes[..5], &[0x0a, 3, b'2', b'.', b'0']);
        assert_eq!(&bytes[5..11], &[0x12, 6, 0x0a, 1, b't', 0x12]);
        let tail = String::from_utf8_lossy(&bytes);
        assert!(tail.contains("object") && tail.contains("x-k") && tail.contains("[1]"));
        let mut w = Writer::default();
        w.varint(300);
        assert_eq!(w.0, vec![0xac, 0x02], "varints as protobuf writes them");
    }
}
