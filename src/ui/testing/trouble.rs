//! The walkthrough's cluster gone wrong, for the reason lines: the same
//! rows as `with_cluster`, now with what their statuses say (a missing
//! image, a crashing container, a pod no node takes), the pods' labels, and
//! a Service whose selector matches no pod.

use super::with_cluster;
use crate::app::core::event::{Event, KubeEvent};
use crate::app::core::model::Model;
use crate::app::update;
use crate::domain::kube::{ContainerExit, PodRow, PodTrouble, ServiceRow};

fn labels(app: &str) -> Vec<(String, String)> {
    vec![
        ("app".into(), app.into()),
        ("pod-template-hash".into(), "7c9f8d6b5".into()),
    ]
}

pub fn with_trouble() -> Model {
    let mut model = with_cluster();
    let mut pods: Vec<PodRow> = model.kube.pods.to_vec();
    for pod in &mut pods {
        // The app is the ReplicaSet's name without its hash.
        let app = pod
            .replica_set
            .as_deref()
            .and_then(|rs| rs.rsplit_once('-'))
            .map_or(pod.name.as_str(), |(app, _)| app)
            .to_string();
        pod.labels = labels(&app);
        pod.trouble = match pod.status.as_str() {
            "ErrImageNeverPull" => Some(Box::new(PodTrouble {
                container: "web".into(),
                image: "cookbook".into(),
                message:
                    "Container image \"cookbook:latest\" is not present with pull policy of Never"
                        .into(),
                ..Default::default()
            })),
            "CrashLoopBackOff" => Some(Box::new(PodTrouble {
                container: "web".into(),
                image: "old-worker:1".into(),
                message: "back-off 5m0s restarting failed container=web".into(),
                exit: Some(ContainerExit {
                    code: 3,
                    reason: "Error".into(),
                }),
                ..Default::default()
            })),
            "ContainerCreating" => Some(Box::default()),
            _ => None,
        };
    }
    pods.push(PodRow {
        namespace: "default".into(),
        name: "big-batch".into(),
        containers: 1,
        status: "Pending".into(),
        created: super::ago(30),
        container_names: vec!["batch".into()],
        labels: labels("big-batch"),
        trouble: Some(Box::new(PodTrouble {
            container: "batch".into(),
            image: "batch:1".into(),
            unschedulable: Some("0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.".into()),
            ..Default::default()
        })),
        ..Default::default()
    });
    update(&mut model, Event::Kube(KubeEvent::Pods(pods.into())));
    let mut services: Vec<ServiceRow> = model.kube.services.to_vec();
    services[0].selector = vec![("app".into(), "cookbook".into())];
    update(
        &mut model,
        Event::Kube(KubeEvent::Services(services.into())),
    );
    model
}
