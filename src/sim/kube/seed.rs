//! What a fresh minikube has: its namespaces, one node, and the kube-system
//! pods; plus, on request, many pods for scale tests.

use super::resources::by_plural;
use super::store::Store;
use serde_json::{Value, json};

fn insert(store: &mut Store, group: &str, plural: &str, object: Value) -> std::sync::Arc<Value> {
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

/// `--pods N`: N pods over deployments of up to 100 replicas in namespace `load`.
pub fn preload(store: &mut Store, pods: usize) {
    if pods == 0 {
        return;
    }
    insert(
        store,
        "",
        "namespaces",
        json!({"metadata": {"name": "load"}, "status": {"phase": "Active"}}),
    );
    let mut left = pods;
    let mut index = 0;
    while left > 0 {
        let replicas = left.min(100);
        insert(
            store,
            "apps",
            "deployments",
            workload(
                "load",
                &format!("load-{index:03}"),
                "registry.k8s.io/pause:3.10",
                replicas,
            ),
        );
        left -= replicas;
        index += 1;
    }
}
