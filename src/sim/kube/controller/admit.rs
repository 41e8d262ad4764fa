//! What the API server fills in as an object is written: a Service's
//! addresses and nodePorts, a pod's first status, an empty status for the
//! workloads.

use super::services::assign_service_addresses;
use crate::sim::kube::resources::Resource;
use crate::sim::kube::store::Store;
use serde_json::{Value, json};

/// Filled in when an object is created: service IPs and nodePorts, a pod's first status.
pub fn on_create(store: &mut Store, resource: &Resource, object: &mut Value) {
    match resource.plural {
        "services" => assign_service_addresses(store, object),
        "pods"
            if object
                .get("status")
                .is_none_or(|s| s.get("phase").is_none()) =>
        {
            object["status"] = json!({"phase": "Pending", "qosClass": "BestEffort"});
        }
        "deployments" | "replicasets" if object.get("status").is_none() => {
            object["status"] = json!({})
        }
        "namespaces" => object["status"] = json!({"phase": "Active"}),
        _ => {}
    }
}

pub fn on_update(store: &mut Store, resource: &Resource, _before: &Value, after: &mut Value) {
    if resource.plural == "services" {
        assign_service_addresses(store, after);
    }
}
