//! The sample app after one rollout, for the relationships view: one
//! Deployment, its two ReplicaSets (revision 1 scaled to 0, revision 2
//! serving), three pods and the Service that selects them.

use super::{ago, with_cluster};
use crate::app::core::event::{Event, KubeEvent};
use crate::app::core::model::Model;
use crate::app::update;
use crate::domain::kube::{
    DeploymentRow, PodContainer, PodRow, PodTrouble, ReplicaSetRow, ServiceRow,
};

const NEW: &str = "cookbook-6f7d9c8b4";
const OLD: &str = "cookbook-5c4b8f7d2";

fn pod(suffix: &str, ready: bool) -> PodRow {
    let name = format!("{NEW}-{suffix}");
    PodRow {
        namespace: "default".into(),
        name,
        ready: u32::from(ready),
        containers: 1,
        status: if ready { "Running" } else { "CrashLoopBackOff" }.into(),
        restarts: if ready { 0 } else { 4 },
        created: ago(60),
        node: "minikube".into(),
        container_names: vec!["web".into()],
        replica_set: Some(NEW.into()),
        labels: vec![
            ("app".into(), "cookbook".into()),
            ("pod-template-hash".into(), "6f7d9c8b4".into()),
        ],
        trouble: (!ready).then(|| {
            Box::new(PodTrouble {
                container: "web".into(),
                image: "cookbook:v2".into(),
                message: "back-off 1m20s restarting failed container=web".into(),
                exit: Some(crate::domain::kube::ContainerExit {
                    code: 1,
                    reason: "Error".into(),
                }),
                ..Default::default()
            })
        }),
        container_states: vec![PodContainer {
            name: "web".into(),
            image: "cookbook:v2".into(),
            state: if ready {
                "running".into()
            } else {
                "waiting: CrashLoopBackOff".into()
            },
            ready,
            restarts: if ready { 0 } else { 4 },
        }],
    }
}

/// The sample app, all three pods ready, or with the third crashing.
pub fn sample_app(third_ready: bool) -> Model {
    let mut model = with_cluster();
    let deployment = DeploymentRow {
        namespace: "default".into(),
        name: "cookbook".into(),
        selector: "app=cookbook".into(),
        port: Some(8000),
        desired: 3,
        ready: if third_ready { 3 } else { 2 },
        up_to_date: 3,
        available: if third_ready { 3 } else { 2 },
        created: ago(600),
        ..Default::default()
    };
    let replica_set =
        |name: &str, revision: u64, image: &str, desired: u32, ready: u32| ReplicaSetRow {
            namespace: "default".into(),
            name: name.into(),
            deployment: Some("cookbook".into()),
            revision,
            images: vec![image.into()],
            desired,
            ready,
            created: ago(600 - revision * 100),
            ..Default::default()
        };
    update(
        &mut model,
        Event::Kube(KubeEvent::Deployments(vec![deployment].into())),
    );
    update(
        &mut model,
        Event::Kube(KubeEvent::ReplicaSets(vec![
            replica_set(OLD, 1, "cookbook:v1", 0, 0),
            replica_set(NEW, 2, "cookbook:v2", 3, if third_ready { 3 } else { 2 }),
        ])),
    );
    update(
        &mut model,
        Event::Kube(KubeEvent::Pods(
            vec![
                pod("2xkqp", true),
                pod("h8w4z", true),
                pod("q5m7d", third_ready),
            ]
            .into(),
        )),
    );
    update(
        &mut model,
        Event::Kube(KubeEvent::Services(
            vec![ServiceRow {
                namespace: "default".into(),
                name: "cookbook".into(),
                kind: "NodePort".into(),
                cluster_ip: "10.96.120.14".into(),
                external_ip: "<none>".into(),
                ports: "8000:31234/TCP".into(),
                node_ports: vec![31234],
                port: Some(8000),
                created: ago(500),
                selector: vec![("app".into(), "cookbook".into())],
                ..Default::default()
            }]
            .into(),
        )),
    );
    model
}

/// A pod someone started by hand with a label one letter off: the Service passes it by.
pub fn with_stray_pod(mut model: Model) -> Model {
    let mut pods = model.kube.pods.to_vec();
    pods.push(PodRow {
        namespace: "default".into(),
        name: "cookbook-debug".into(),
        ready: 1,
        containers: 1,
        status: "Running".into(),
        created: ago(30),
        node: "minikube".into(),
        container_names: vec!["web".into()],
        labels: vec![("app".into(), "cookbok".into())],
        container_states: vec![PodContainer {
            name: "web".into(),
            image: "cookbook:v2".into(),
            state: "running".into(),
            ready: true,
            restarts: 0,
        }],
        ..Default::default()
    });
    update(&mut model, Event::Kube(KubeEvent::Pods(pods.into())));
    model
}
