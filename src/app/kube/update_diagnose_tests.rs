//! `update` and the reason lines: each unhealthy Pod, Deployment and Service
//! of the fixture says why and what next; a crashed container's last lines
//! are asked for once per restart and joined to its line.

use crate::app::core::command::Command;
use crate::app::core::event::{Event, KubeEvent};
use crate::app::core::model::Model;
use crate::app::kube::diagnose::{self, Engines};
use crate::app::update;
use crate::domain::kube::{DeploymentRow, ServiceRow};
use crate::ui::testing::*;

/// The reason line of the selected row, after moving to the row named `name`.
fn line_of(model: &mut Model, name: &str) -> Option<String> {
    press_str(model, "g");
    for _ in 0..20 {
        let selected = match model.shared.pane {
            crate::app::core::model::Pane::Pods => model
                .kube
                .pods_table
                .selected_row(&model.kube.pods)
                .map(|p| p.name.clone()),
            crate::app::core::model::Pane::Deployments => model
                .kube
                .deployments_table
                .selected_row(&model.kube.deployments)
                .map(|d| d.name.clone()),
            _ => model
                .kube
                .services_table
                .selected_row(&model.kube.services)
                .map(|s| s.name.clone()),
        };
        if selected.as_deref() == Some(name) {
            return crate::layout::diagnosis(model).map(|d| d.line());
        }
        press_str(model, "j");
    }
    panic!("no row named {name}");
}

#[test]
fn each_unhealthy_pod_says_why_and_what_to_do_next() {
    let mut model = on_pane(with_trouble(), '6');
    assert_eq!(
        line_of(&mut model, "cookbook-recipe-7c9f8d6b5-q5m7d").as_deref(),
        Some(
            "ErrImageNeverPull · cookbook:latest is not in the cluster's engine: press e (docker-env), then b"
        )
    );
    assert_eq!(
        line_of(&mut model, "big-batch").as_deref(),
        Some(
            "Unschedulable · 0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod. Next step: ask for less (kubectl set resources … --requests) or make room by scaling something down"
        )
    );
    assert_eq!(
        line_of(&mut model, "old-worker-5d4f9c8b7-zz9kq").as_deref(),
        Some(
            "CrashLoopBackOff · web exited with code 3, restarted 12 times: press l for its log (p there: the run before)"
        )
    );
    // Healthy, and on its way with nothing wrong yet: no line.
    assert_eq!(line_of(&mut model, "cookbook-recipe-7c9f8d6b5-2xkqp"), None);
    assert_eq!(line_of(&mut model, "cookbook-recipe-7c9f8d6b5-h8w4z"), None);
}

#[test]
fn a_missing_image_on_the_clusters_own_engine_is_built_with_b_alone() {
    let model = on_pane(with_trouble(), '6');
    let pod = model
        .kube
        .pods
        .iter()
        .find(|p| p.status == "ErrImageNeverPull")
        .expect("the fixture's pod");
    let line = diagnose::pod(
        &model.kube,
        pod,
        Engines {
            cluster_engine_in_use: true,
        },
    )
    .map(|d| d.line());
    assert_eq!(
        line.as_deref(),
        Some(
            "ErrImageNeverPull · cookbook:latest is not in the cluster's engine: press b to build it there"
        )
    );
}

#[test]
fn a_crashed_containers_last_lines_are_asked_once_a_restart_and_shown() {
    let mut model = on_pane(with_trouble(), '6');
    press_str(&mut model, "g");
    let mut asked = Vec::new();
    for _ in 0..6 {
        asked.extend(press_str(&mut model, "j"));
    }
    let reads: Vec<&Command> = asked
        .iter()
        .filter(|c| matches!(c, Command::ReadCrashTail { .. }))
        .collect();
    assert!(
        matches!(reads.as_slice(), [Command::ReadCrashTail { name, container, restarts: 12, .. }]
            if name == "old-worker-5d4f9c8b7-zz9kq" && container == "web"),
        "one read for the crashed pod: {reads:?}"
    );
    assert_eq!(
        reads[0].learn_line().as_deref(),
        Some("kubectl logs --previous --tail=3 old-worker-5d4f9c8b7-zz9kq -c web -n default")
    );
    update(
        &mut model,
        Event::Kube(KubeEvent::CrashTail {
            namespace: "default".into(),
            name: "old-worker-5d4f9c8b7-zz9kq".into(),
            restarts: 12,
            lines: vec!["loading config".into(), "config.yaml not found".into()],
        }),
    );
    assert_eq!(
        line_of(&mut model, "old-worker-5d4f9c8b7-zz9kq").as_deref(),
        Some(
            "CrashLoopBackOff · web exited with code 3, restarted 12 times; it last wrote: loading config | config.yaml not found: press l for its log (p there: the run before)"
        )
    );
    // Selected again, the same run is not read again.
    let again = press_str(&mut model, "k");
    let again_back = press_str(&mut model, "j");
    assert!(
        again
            .iter()
            .chain(&again_back)
            .all(|c| !matches!(c, Command::ReadCrashTail { .. })),
        "{again:?} {again_back:?}"
    );
}

#[test]
fn a_deployment_says_which_pod_holds_it_back_or_that_its_rollout_is_stuck() {
    let mut model = on_pane(with_trouble(), '5');
    assert_eq!(
        line_of(&mut model, "cookbook-recipe").as_deref(),
        Some(
            "ErrImageNeverPull · 2 of its pods not ready; cookbook-recipe-7c9f8d6b5-q5m7d: cookbook:latest is not in the cluster's engine: press e (docker-env), then b"
        )
    );
    assert_eq!(line_of(&mut model, "coredns"), None);
    let mut deployments: Vec<DeploymentRow> = model.kube.deployments.to_vec();
    deployments[0].stuck =
        Some("ReplicaSet \"cookbook-recipe-7c9f8d6b5\" has timed out progressing.".into());
    update(
        &mut model,
        Event::Kube(KubeEvent::Deployments(deployments.into())),
    );
    assert_eq!(
        line_of(&mut model, "cookbook-recipe").as_deref(),
        Some(
            "Rollout stuck · ReplicaSet \"cookbook-recipe-7c9f8d6b5\" has timed out progressing. Next step: cookbook-recipe-7c9f8d6b5-q5m7d: ErrImageNeverPull · press e (docker-env), then b"
        )
    );
}

#[test]
fn a_service_names_the_label_that_differs_or_the_pod_that_is_not_ready() {
    let mut model = on_pane(with_trouble(), '7');
    assert_eq!(
        line_of(&mut model, "cookbook-recipe").as_deref(),
        Some(
            "No endpoints · selector app=cookbook matches no ready pod: no pod matches it (cookbook-recipe-7c9f8d6b5-2xkqp has app=cookbook-recipe): fix the Service's selector (y) or the pods' labels"
        )
    );
    // A Service without a selector (its endpoints are its own business) says nothing.
    assert_eq!(line_of(&mut model, "kubernetes"), None);
    let mut services: Vec<ServiceRow> = model.kube.services.to_vec();
    services[0].selector = vec![("app".into(), "old-worker".into())];
    update(
        &mut model,
        Event::Kube(KubeEvent::Services(services.clone().into())),
    );
    assert_eq!(
        line_of(&mut model, "cookbook-recipe").as_deref(),
        Some(
            "No endpoints · selector app=old-worker matches no ready pod (1 matched, none ready): old-worker-5d4f9c8b7-zz9kq: CrashLoopBackOff · web exited with code 3, restarted 12 times"
        )
    );
    // A label the pods lack altogether is named as missing.
    services[0].selector = vec![
        ("app".into(), "cookbook-recipe".into()),
        ("tier".into(), "web".into()),
    ];
    update(
        &mut model,
        Event::Kube(KubeEvent::Services(services.into())),
    );
    assert!(
        line_of(&mut model, "cookbook-recipe")
            .is_some_and(|l| l.contains("(cookbook-recipe-7c9f8d6b5-2xkqp has no label tier)")),
    );
}

#[test]
fn in_the_demo_the_missing_image_is_built_with_b_alone() {
    // The demo's cluster shares the cockpit's engine: docker-env has nothing to switch.
    let mut model = on_pane(with_trouble(), '6');
    model.shared.demo = true;
    assert_eq!(
        line_of(&mut model, "cookbook-recipe-7c9f8d6b5-q5m7d").as_deref(),
        Some(
            "ErrImageNeverPull · cookbook:latest is not in the cluster's engine: press b to build it there"
        )
    );
}
