//! `deletecollection`, which discovery advertises for every resource, is
//! served: kube-rs's `delete_collection` with a label selector deletes the
//! objects it matches and leaves the rest (pods go through Terminating).

mod common;

use k8s_openapi::api::core::v1::ConfigMap;
use kube::Api;
use kube::api::{DeleteParams, ListParams, PostParams};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collection_is_deleted_by_label() {
    let sim = pilothouse::sim::Sim::start(&pilothouse::cli::SimArgs::default())
        .await
        .expect("the sim starts");
    let client = common::sim_client(&sim).await;
    let maps: Api<ConfigMap> = Api::namespaced(client, "default");
    for (name, tier) in [("a", "cache"), ("b", "cache"), ("c", "web")] {
        let map: ConfigMap = serde_json::from_value(serde_json::json!({
            "metadata": {"name": name, "labels": {"tier": tier}},
            "data": {"k": "v"},
        }))
        .expect("a ConfigMap");
        maps.create(&PostParams::default(), &map)
            .await
            .expect("created");
    }
    let deleted = maps
        .delete_collection(
            &DeleteParams::default(),
            &ListParams::default().labels("tier=cache"),
        )
        .await
        .expect("deletecollection is served");
    let names: Vec<String> = deleted
        .left()
        .expect("a list of what was deleted, not a Status")
        .items
        .iter()
        .filter_map(|m| m.metadata.name.clone())
        .collect();
    assert_eq!(names, ["a", "b"]);
    let left: Vec<String> = maps
        .list(&ListParams::default())
        .await
        .expect("listed")
        .items
        .into_iter()
        .filter_map(|m| m.metadata.name)
        .collect();
    assert_eq!(left, ["c"]);
}
