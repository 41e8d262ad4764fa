//! The `filters` query parameter of the list endpoints, and what it
//! means for containers (dockerd's rules: each `label` must hold, the other
//! filters hold when any of their values does).

use super::state::SimContainer;
use serde_json::Value;
use std::collections::HashMap;

/// The query's filters; none when it has none (or they do not parse).
pub fn of_query(query: &HashMap<String, String>) -> HashMap<String, Vec<String>> {
    query
        .get("filters")
        .and_then(|f| parse(f))
        .unwrap_or_default()
}

/// Filters arrive as JSON: `{"label":["a=b"]}` or the older `{"label":{"a=b":true}}`.
pub fn parse(text: &str) -> Option<HashMap<String, Vec<String>>> {
    let value: Value = serde_json::from_str(text).ok()?;
    let object = value.as_object()?;
    Some(
        object
            .iter()
            .map(|(k, v)| {
                let values = match v {
                    Value::Array(items) => items
                        .iter()
                        .filter_map(|i| i.as_str().map(String::from))
                        .collect(),
                    Value::Object(map) => map.keys().cloned().collect(),
                    _ => Vec::new(),
                };
                (k.clone(), values)
            })
            .collect(),
    )
}

pub(super) fn container_matches(c: &SimContainer, filters: &HashMap<String, Vec<String>>) -> bool {
    filters.iter().all(|(key, values)| {
        let holds = |value: &String| match key.as_str() {
            "label" => match value.split_once('=') {
                Some((k, v)) => c.labels.get(k).is_some_and(|l| l == v),
                None => c.labels.contains_key(value.as_str()),
            },
            "name" => c.name.contains(value.trim_start_matches('/')),
            "id" => c.id.starts_with(value),
            "status" => c.state_word() == value,
            "ancestor" => c.image == *value || c.image_id.contains(value),
            "network" => c.networks.iter().any(|a| &a.network == value),
            "volume" => c
                .mounts
                .iter()
                .any(|m| &m.source == value || &m.target == value),
            _ => true,
        };
        // Labels narrow (each one must hold), as dockerd's do; the other filters widen.
        if key == "label" {
            values.iter().all(holds)
        } else {
            values.iter().any(holds)
        }
    })
}
