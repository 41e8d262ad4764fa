//! kubectl's columns for the kinds beyond the workloads: ConfigMaps,
//! Secrets, Endpoints and EndpointSlices (`table.rs` has the others, and
//! falls back to these, then to NAME STATUS AGE).

use serde_json::{Value, json};

pub(super) fn columns(plural: &str) -> Option<Vec<Value>> {
    let column = |name: &str, kind: &str| {
        let format = if name == "Name" { "name" } else { "" };
        json!({"name": name, "type": kind, "format": format, "description": "", "priority": 0})
    };
    Some(match plural {
        "configmaps" => vec![
            column("Name", "string"),
            column("Data", "integer"),
            column("Age", "string"),
        ],
        "secrets" => vec![
            column("Name", "string"),
            column("Type", "string"),
            column("Data", "integer"),
            column("Age", "string"),
        ],
        "endpoints" => vec![
            column("Name", "string"),
            column("Endpoints", "string"),
            column("Age", "string"),
        ],
        "endpointslices" => vec![
            column("Name", "string"),
            column("AddressType", "string"),
            column("Ports", "string"),
            column("Endpoints", "string"),
            column("Age", "string"),
        ],
        _ => return None,
    })
}

pub(super) fn cells(plural: &str, o: &Value, name: &str, age: &str) -> Option<Vec<Value>> {
    let count = |pointer: &str| {
        o.pointer(pointer)
            .and_then(Value::as_object)
            .map_or(0, |m| m.len())
    };
    Some(match plural {
        "configmaps" => vec![
            json!(name),
            json!(count("/data") + count("/binaryData")),
            json!(age),
        ],
        "secrets" => vec![
            json!(name),
            json!(
                o.pointer("/type")
                    .and_then(Value::as_str)
                    .unwrap_or("Opaque")
            ),
            json!(count("/data")),
            json!(age),
        ],
        "endpoints" => vec![json!(name), json!(endpoints_text(o)), json!(age)],
        "endpointslices" => {
            let ports: Vec<String> = list(o, "/ports")
                .iter()
                .filter_map(|p| p["port"].as_i64())
                .map(|p| p.to_string())
                .collect();
            let addresses: Vec<String> = list(o, "/endpoints")
                .iter()
                .flat_map(|e| list(e, "/addresses"))
                .filter_map(|a| a.as_str().map(String::from))
                .collect();
            vec![
                json!(name),
                json!(
                    o.pointer("/addressType")
                        .and_then(Value::as_str)
                        .unwrap_or("IPv4")
                ),
                json!(if ports.is_empty() {
                    "<unset>".to_string()
                } else {
                    ports.join(",")
                }),
                json!(shortened(&addresses)),
                json!(age),
            ]
        }
        _ => return None,
    })
}

fn list(o: &Value, pointer: &str) -> Vec<Value> {
    o.pointer(pointer)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// `10.244.0.4:8080,10.244.0.5:8080`: every ready address with every port.
fn endpoints_text(o: &Value) -> String {
    let mut pairs = Vec::new();
    for subset in list(o, "/subsets") {
        let ports: Vec<i64> = list(&subset, "/ports")
            .iter()
            .filter_map(|p| p["port"].as_i64())
            .collect();
        for address in list(&subset, "/addresses") {
            let ip = address["ip"].as_str().unwrap_or_default();
            pairs.extend(ports.iter().map(|port| format!("{ip}:{port}")));
        }
    }
    shortened(&pairs)
}

/// kubectl shows three and counts the rest: `a,b,c + 2 more...`.
fn shortened(items: &[String]) -> String {
    match items.len() {
        0 => "<none>".to_string(),
        1..=3 => items.join(","),
        n => format!("{} + {} more...", items[..3].join(","), n - 3),
    }
}
