//! src/sim/SERVES.md's table of Kubernetes resources is what the simulated
//! API server's discovery documents say, row for row: group version,
//! resource, kind, scope, verbs and subresources.

mod common;

use serde_json::Value;
use std::collections::BTreeSet;

type Row = (String, String, String, String, String, String);

fn words(text: &str) -> String {
    let mut all: Vec<&str> = text.split_whitespace().collect();
    all.sort_unstable();
    all.join(" ")
}

fn documented() -> BTreeSet<Row> {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/sim/SERVES.md"))
        .expect("src/sim/SERVES.md is there");
    let table = page
        .split("## Kubernetes resources")
        .nth(1)
        .expect("the Kubernetes section")
        .split("\n## ")
        .next()
        .unwrap_or_default();
    table
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| group/version"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            assert_eq!(cells.len(), 6, "six cells in {l}");
            (
                cells[0].to_string(),
                cells[1].to_string(),
                cells[2].to_string(),
                cells[3].to_string(),
                words(cells[4]),
                words(cells[5]),
            )
        })
        .collect()
}

async fn get(client: &kube::Client, url: &str) -> Value {
    let request = http::Request::get(url).body(Vec::new()).expect("a request");
    client
        .request::<Value>(request)
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
}

fn rows_of(group_version: &str, list: &Value) -> Vec<Row> {
    let resources = list["resources"].as_array().cloned().unwrap_or_default();
    resources
        .iter()
        .filter(|r| !r["name"].as_str().unwrap_or_default().contains('/'))
        .map(|r| {
            let name = r["name"].as_str().unwrap_or_default().to_string();
            let subresources: Vec<String> = resources
                .iter()
                .filter_map(|s| s["name"].as_str())
                .filter_map(|s| s.strip_prefix(&format!("{name}/")).map(String::from))
                .collect();
            let verbs: Vec<String> = r["verbs"]
                .as_array()
                .map(|v| {
                    v.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            (
                group_version.to_string(),
                name,
                r["kind"].as_str().unwrap_or_default().to_string(),
                if r["namespaced"] == true { "yes" } else { "no" }.to_string(),
                words(&verbs.join(" ")),
                words(&subresources.join(" ")),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_served_list_matches_discovery() {
    let sim = pilothouse::sim::Sim::start(&pilothouse::cli::SimArgs::default())
        .await
        .expect("the sim starts");
    let client = common::sim_client(&sim).await;
    let mut served: BTreeSet<Row> = rows_of("v1", &get(&client, "/api/v1").await)
        .into_iter()
        .collect();
    let groups = get(&client, "/apis").await;
    for group in groups["groups"].as_array().cloned().unwrap_or_default() {
        let gv = group["preferredVersion"]["groupVersion"]
            .as_str()
            .expect("a preferred version")
            .to_string();
        served.extend(rows_of(&gv, &get(&client, &format!("/apis/{gv}")).await));
    }
    let documented = documented();
    let missing: Vec<&Row> = served.difference(&documented).collect();
    let extra: Vec<&Row> = documented.difference(&served).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "served but not in SERVES.md (or written otherwise): {missing:#?}\nin SERVES.md but not served: {extra:#?}"
    );
    assert!(served.len() >= 11, "{served:#?}");
}
