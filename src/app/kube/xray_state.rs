//! The relationships view's state: where its tree starts and where the
//! cursor is (the overlay holds it; `xray.rs` builds the tree).

use crate::domain::kube::KubeKind;

/// The open view: where the tree starts and which line the cursor is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XrayView {
    pub root: XrayTarget,
    /// The target under the cursor, so the cursor follows it as lines come and go.
    pub selected: XrayTarget,
}

/// An object in the tree: a Kubernetes object, or one container of a pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XrayTarget {
    pub kind: KubeKind,
    pub namespace: String,
    pub name: String,
    /// A container of the pod `name`.
    pub container: Option<String>,
}

impl XrayTarget {
    pub fn object(kind: KubeKind, namespace: &str, name: &str) -> Self {
        Self {
            kind,
            namespace: namespace.to_string(),
            name: name.to_string(),
            container: None,
        }
    }
}
