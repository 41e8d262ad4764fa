//! What a fresh minikube has: its namespaces, one node, and the kube-system
//! pods; plus, on request, many pods for scale tests.

use super::resources::by_plural;
use super::store::Store;
use serde_json::{Value, json};

fn insert(store: &mut Store, group: &str, plural: &str, object: Value) -> Value {
    let resource = by_plural(group, plural).expect("seeded resources are served");
    store.insert(resource, object)
}

fn static_pod(name: &str, image: &str, owner: Option<Value>) -> Value {
    let image_id = super::controller::pods::image_id(image);
    let mut pod = json!({
        "metadata": {"name": name, "namespace": "kube-system", "labels": {"component": name.trim_end_matches("-minikube"), "tier": "control-plane"}},
        "spec": {"nodeName": "minikube", "containers": [{"name": name.trim_end_matches("-minikube"), "image": image, "imagePullPolicy": "IfNotPresent"}], "priorityClassName": "system-node-critical"},
        "status": {"phase": "Running", "hostIP": "127.0.0.1", "podIP": "127.0.0.1", "qosClass": "Burstable",
                   "conditions": [{"type": "Ready", "status": "True"}, {"type": "PodScheduled", "status": "True"}],
                   "containerStatuses": [{"name": name.trim_end_matches("-minikube"), "image": image, "imageID": image_id, "ready": true, "started": true, "restartCount": 0, "state": {"running": {}}}]},
    });
    if let Some(owner) = owner {
        pod["metadata"]["ownerReferences"] = json!([owner]);
    }
    pod
}

pub fn minikube(store: &mut Store) {
    for ns in ["default", "kube-node-lease", "kube-public", "kube-system"] {
        insert(
            store,
            "",
            "namespaces",
            json!({"metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns}}, "status": {"phase": "Active"}}),
        );
    }
    let node = insert(
        store,
        "",
        "nodes",
        json!({
            "metadata": {"name": "minikube", "labels": {"kubernetes.io/hostname": "minikube", "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
                                                        "minikube.k8s.io/name": "minikube", "node-role.kubernetes.io/control-plane": ""}},
            "spec": {"podCIDR": "10.244.0.0/24"},
            "status": {
                "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status"}],
                "addresses": [{"type": "InternalIP", "address": "127.0.0.1"}, {"type": "Hostname", "address": "minikube"}],
                "capacity": {"cpu": "2", "memory": "24Gi", "pods": "110"}, "allocatable": {"cpu": "2", "memory": "24Gi", "pods": "110"},
                "nodeInfo": {"kubeletVersion": "v1.33.1", "kubeProxyVersion": "v1.33.1", "containerRuntimeVersion": "docker://24.0.0-pilothouse-sim",
                             "osImage": "pilothouse simulated minikube", "operatingSystem": "linux", "architecture": "amd64"},
            },
        }),
    );
    let node_owner = json!({"apiVersion": "v1", "kind": "Node", "name": "minikube", "uid": node["metadata"]["uid"], "controller": true});
    for (name, image) in [
        ("etcd-minikube", "registry.k8s.io/etcd:3.5.21-0"),
        (
            "kube-apiserver-minikube",
            "registry.k8s.io/kube-apiserver:v1.33.1",
        ),
        (
            "kube-controller-manager-minikube",
            "registry.k8s.io/kube-controller-manager:v1.33.1",
        ),
        (
            "kube-scheduler-minikube",
            "registry.k8s.io/kube-scheduler:v1.33.1",
        ),
    ] {
        insert(
            store,
            "",
            "pods",
            static_pod(name, image, Some(node_owner.clone())),
        );
    }
    let proxy_name = format!("kube-proxy-{}", store.random_suffix("kube-proxy", 5));
    let daemon = json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "kube-proxy", "uid": store.new_uid("daemonset/kube-system/kube-proxy"), "controller": true});
    insert(
        store,
        "",
        "pods",
        static_pod(
            &proxy_name,
            "registry.k8s.io/kube-proxy:v1.33.1",
            Some(daemon),
        ),
    );
    insert(
        store,
        "",
        "pods",
        static_pod(
            "storage-provisioner",
            "gcr.io/k8s-minikube/storage-provisioner:v5",
            None,
        ),
    );
    insert(
        store,
        "apps",
        "deployments",
        workload(
            "kube-system",
            "coredns",
            "registry.k8s.io/coredns/coredns:v1.12.0",
            1,
        ),
    );
    insert(
        store,
        "",
        "services",
        json!({
            "metadata": {"name": "kubernetes", "namespace": "default", "labels": {"component": "apiserver", "provider": "kubernetes"}},
            "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.1", "clusterIPs": ["10.96.0.1"], "sessionAffinity": "None",
                     "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 8443}]},
            "status": {"loadBalancer": {}},
        }),
    );
    // minikube's default StorageClass, which binds a claim at once.
    insert(
        store,
        "storage.k8s.io",
        "storageclasses",
        json!({
            "metadata": {"name": "standard", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
                         "labels": {"addonmanager.kubernetes.io/mode": "EnsureExists"}},
            "provisioner": "k8s.io/minikube-hostpath", "reclaimPolicy": "Delete", "volumeBindingMode": "Immediate",
        }),
    );
}

fn workload(namespace: &str, name: &str, image: &str, replicas: usize) -> Value {
    json!({
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": name, "image": image, "imagePullPolicy": "IfNotPresent"}],
                                       "restartPolicy": "Always", "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler"}}},
        "status": {},
    })
}

/// The namespaces `--pods N --namespaces K` fills: `load` for one, else
/// `load-00`, `load-01`, ...
pub fn load_namespaces(count: usize) -> Vec<String> {
    if count <= 1 {
        return vec!["load".to_string()];
    }
    (0..count).map(|i| format!("load-{i:02}")).collect()
}

/// Whether a namespace is one `--pods` fills (what `--churn` changes).
pub fn is_load_namespace(name: &str) -> bool {
    name == "load"
        || name
            .strip_prefix("load-")
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// `--pods N --namespaces K`: N pods over deployments of up to 100 replicas,
/// dealt round robin over the K namespaces of `load_namespaces`.
pub fn preload(store: &mut Store, pods: usize, namespaces: usize) {
    if pods == 0 {
        return;
    }
    let namespaces = load_namespaces(namespaces);
    for namespace in &namespaces {
        insert(
            store,
            "",
            "namespaces",
            json!({"metadata": {"name": namespace}, "status": {"phase": "Active"}}),
        );
    }
    let mut left = pods;
    let mut index = 0;
    while left > 0 {
        let replicas = left.min(100);
        insert(
            store,
            "apps",
            "deployments",
            workload(
                &namespaces[index % namespaces.len()],
                &format!("load-{index:03}"),
                "registry.k8s.io/pause:3.10",
                replicas,
            ),
        );
        left -= replicas;
        index += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn namespaces_of_deployments(store: &Store) -> Vec<(String, String, u64)> {
        store
            .list("deployments", None)
            .into_iter()
            .map(|d| {
                (
                    d["metadata"]["namespace"]
                        .as_str()
                        .unwrap_or("")
                        .to_string(),
                    d["metadata"]["name"].as_str().unwrap_or("").to_string(),
                    d["spec"]["replicas"].as_u64().unwrap_or(0),
                )
            })
            .filter(|(ns, _, _)| is_load_namespace(ns))
            .collect()
    }

    #[test]
    fn preloaded_deployments_are_dealt_over_the_namespaces_asked_for() {
        let mut store = Store::new(1);
        preload(&mut store, 250, 1);
        assert_eq!(
            namespaces_of_deployments(&store),
            vec![
                ("load".into(), "load-000".into(), 100),
                ("load".into(), "load-001".into(), 100),
                ("load".into(), "load-002".into(), 50),
            ]
        );

        let mut store = Store::new(1);
        preload(&mut store, 450, 2);
        let dealt = namespaces_of_deployments(&store);
        assert_eq!(dealt.len(), 5);
        assert_eq!(dealt.iter().filter(|(ns, _, _)| ns == "load-00").count(), 3);
        assert_eq!(dealt.iter().filter(|(ns, _, _)| ns == "load-01").count(), 2);
        assert_eq!(dealt.iter().map(|(_, _, r)| r).sum::<u64>(), 450);
        assert!(store.get("namespaces", "", "load-01").is_some());
        assert!(store.get("namespaces", "", "load").is_none());
    }

    #[test]
    fn only_the_preloaded_namespaces_churn() {
        for name in ["load", "load-00", "load-49"] {
            assert!(is_load_namespace(name), "{name}");
        }
        for name in ["loader", "load-", "load-web", "default", "kube-system"] {
            assert!(!is_load_namespace(name), "{name}");
        }
    }
}
