//! Kubernetes fixtures for the snapshots: a connected cluster with the
//! walkthrough's deployment, pods, service and events, or none at all.

use super::{ago, populated};
use crate::app::core::event::Event;
use crate::app::core::model::Model;
use crate::app::update;

pub fn with_cluster() -> Model {
    use crate::app::core::event::KubeEvent;
    use crate::domain::kube::{ClusterInfo, DeploymentRow, EventRow, PodRow, ServiceRow};
    let mut model = populated();
    let info = ClusterInfo {
        context: "minikube".into(),
        server: "https://192.168.49.2:8443".into(),
        version: "v1.33.1".into(),
        nodes: 1,
        node_address: Some("192.168.49.2".into()),
    };
    update(&mut model, Event::Kube(KubeEvent::Connected(info)));
    let t = |secs: u64| ago(secs);
    let deployments = vec![
        DeploymentRow {
            namespace: "default".into(),
            name: "cookbook-recipe".into(),
            selector: "app=cookbook-recipe".into(),
            port: Some(8000),
            desired: 3,
            ready: 1,
            up_to_date: 3,
            available: 1,
            created: t(95),
            ..Default::default()
        },
        DeploymentRow {
            namespace: "kube-system".into(),
            name: "coredns".into(),
            selector: "k8s-app=kube-dns".into(),
            port: Some(53),
            desired: 1,
            ready: 1,
            up_to_date: 1,
            available: 1,
            created: t(90_000),
            ..Default::default()
        },
    ];
    let pod = |ns: &str, name: &str, ready: u32, status: &str, restarts: u32, age: u64| PodRow {
        namespace: ns.into(),
        name: name.into(),
        ready,
        containers: 1,
        status: status.into(),
        restarts,
        created: t(age),
        node: "minikube".into(),
        container_names: vec!["web".into()],
        // NAME-HASH-SUFFIX pods belong to the ReplicaSet NAME-HASH; a static pod (etcd) to none.
        replica_set: name
            .rsplit_once('-')
            .filter(|(rs, _)| rs.contains('-'))
            .map(|(rs, _)| rs.to_string()),
        ..Default::default()
    };
    let pods = vec![
        pod(
            "default",
            "cookbook-recipe-7c9f8d6b5-2xkqp",
            1,
            "Running",
            0,
            95,
        ),
        pod(
            "default",
            "cookbook-recipe-7c9f8d6b5-h8w4z",
            0,
            "ContainerCreating",
            0,
            3,
        ),
        pod(
            "default",
            "cookbook-recipe-7c9f8d6b5-q5m7d",
            0,
            "ErrImageNeverPull",
            0,
            3,
        ),
        pod(
            "default",
            "old-worker-5d4f9c8b7-zz9kq",
            0,
            "CrashLoopBackOff",
            12,
            4000,
        ),
        pod("kube-system", "etcd-minikube", 1, "Running", 0, 90_000),
    ];
    let services = vec![
        ServiceRow {
            namespace: "default".into(),
            name: "cookbook-recipe".into(),
            kind: "LoadBalancer".into(),
            cluster_ip: "10.96.12.7".into(),
            external_ip: "<pending>".into(),
            ports: "8000:31234/TCP".into(),
            node_ports: vec![31234],
            port: Some(8000),
            ingress: vec![],
            created: t(40),
            ..Default::default()
        },
        ServiceRow {
            namespace: "default".into(),
            name: "kubernetes".into(),
            kind: "ClusterIP".into(),
            cluster_ip: "10.96.0.1".into(),
            external_ip: "<none>".into(),
            ports: "443/TCP".into(),
            node_ports: vec![],
            port: Some(443),
            ingress: vec![],
            created: t(90_000),
            ..Default::default()
        },
    ];
    let event = |age: u64, warning: bool, reason: &str, object: &str, message: &str| EventRow {
        namespace: "default".into(),
        name: format!("{object}.{age}"),
        last_seen: t(age),
        warning,
        reason: reason.into(),
        object: object.into(),
        message: message.into(),
    };
    let events = vec![
        event(
            95,
            false,
            "ScalingReplicaSet",
            "deployment/cookbook-recipe",
            "Scaled up replica set cookbook-recipe-7c9f8d6b5 from 0 to 1",
        ),
        event(
            3,
            true,
            "ErrImageNeverPull",
            "pod/cookbook-recipe-7c9f8d6b5-q5m7d",
            "Container image \"cookbook:latest\" is not present with pull policy of Never",
        ),
        event(
            3,
            false,
            "Scheduled",
            "pod/cookbook-recipe-7c9f8d6b5-h8w4z",
            "Successfully assigned default/cookbook-recipe-7c9f8d6b5-h8w4z to minikube",
        ),
    ];
    update(
        &mut model,
        Event::Kube(KubeEvent::Deployments(deployments.into())),
    );
    update(&mut model, Event::Kube(KubeEvent::Pods(pods.into())));
    let replica_set = |name: &str, deployment: Option<&str>| crate::domain::kube::ReplicaSetRow {
        namespace: "default".into(),
        name: name.into(),
        deployment: deployment.map(String::from),
        ..Default::default()
    };
    update(
        &mut model,
        Event::Kube(KubeEvent::ReplicaSets(vec![
            replica_set("cookbook-recipe-7c9f8d6b5", Some("cookbook-recipe")),
            // A set whose deployment is gone: its pods belong to no deployment listed.
            replica_set("old-worker-5d4f9c8b7", None),
        ])),
    );
    update(
        &mut model,
        Event::Kube(KubeEvent::Services(services.into())),
    );
    update(&mut model, Event::Kube(KubeEvent::Events(events.into())));
    model
}

pub fn without_cluster(mut model: Model) -> Model {
    use crate::app::core::event::KubeEvent;
    update(
        &mut model,
        Event::Kube(KubeEvent::Unavailable(
            "no kubeconfig (KUBECONFIG or ~/.kube/config)".into(),
        )),
    );
    model
}
