//! The parts of a Pod that its row shows, read straight from the API's JSON.
//! The parser skips the rest of each object (env, volumes, resources,
//! probes) instead of building it and dropping it: with 10,000
//! pods, allocating and freeing those was most of the load's CPU.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Deserialize;
use std::borrow::Cow;

#[derive(Debug, Clone, Deserialize)]
pub struct PodSummary {
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: Option<PodSpecSummary>,
    #[serde(default)]
    pub status: Option<PodStatusSummary>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodSpecSummary {
    #[serde(default)]
    pub node_name: Option<String>,
    #[serde(default)]
    pub containers: Vec<ContainerSummary>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ContainerSummary {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub image: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodStatusSummary {
    #[serde(default)]
    pub phase: Option<String>,
    #[serde(default)]
    pub container_statuses: Vec<ContainerStatusSummary>,
    #[serde(default)]
    pub conditions: Vec<ConditionSummary>,
}

/// A pod condition, for `PodScheduled=False`'s message.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ConditionSummary {
    #[serde(default, rename = "type")]
    pub type_: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub message: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStatusSummary {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub ready: bool,
    #[serde(default)]
    pub restart_count: i32,
    #[serde(default)]
    pub state: Option<StateSummary>,
    #[serde(default)]
    pub last_state: Option<StateSummary>,
}

/// `waiting` or `terminated`, for their reason and message (`running` has none to show).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StateSummary {
    #[serde(default)]
    pub waiting: Option<Reason>,
    #[serde(default)]
    pub terminated: Option<Reason>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reason {
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    /// A terminated state's exit code.
    #[serde(default)]
    pub exit_code: Option<i32>,
}

/// The same API as `k8s_openapi`'s Pod (core/v1, `pods`, namespaced), so kube's watcher lists and watches it.
impl kube::Resource for PodSummary {
    type DynamicType = ();
    type Scope = k8s_openapi::NamespaceResourceScope;

    fn kind(_: &()) -> Cow<'_, str> {
        Cow::Borrowed("Pod")
    }
    fn group(_: &()) -> Cow<'_, str> {
        Cow::Borrowed("")
    }
    fn version(_: &()) -> Cow<'_, str> {
        Cow::Borrowed("v1")
    }
    fn plural(_: &()) -> Cow<'_, str> {
        Cow::Borrowed("pods")
    }
    fn meta(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn meta_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::Resource;

    #[test]
    fn it_asks_for_the_pods_api_as_the_full_type_does() {
        use k8s_openapi::api::core::v1::Pod;
        assert_eq!(
            PodSummary::url_path(&(), Some("load")),
            Pod::url_path(&(), Some("load"))
        );
        assert_eq!(PodSummary::api_version(&()), "v1");
    }
}
