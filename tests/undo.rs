//! `z` against the simulated cluster: a scale is undone to the count before
//! it and an image change rolled back to the revision before it, each after
//! the question that shows the inverse command line, as the cluster then
//! reports it.

mod common;

use common::cockpit::Cockpit;
use pilothouse::app::core::model::{Model, Overlay};

fn cookbook(m: &Model) -> Option<&pilothouse::domain::kube::DeploymentRow> {
    m.kube
        .deployments
        .iter()
        .find(|d| d.name == "cookbook-recipe")
}

fn current_images(m: &Model) -> Vec<String> {
    m.kube
        .replica_sets
        .iter()
        .filter(|r| r.deployment.as_deref() == Some("cookbook-recipe"))
        .max_by_key(|r| r.revision)
        .map(|r| r.images.clone())
        .unwrap_or_default()
}

/// `z`, check the question's command line, then `y`.
async fn undo(cockpit: &mut Cockpit, line: &str) {
    cockpit.keys("z");
    let Overlay::Confirm(confirm) = &cockpit.model.shared.overlay else {
        panic!("z asks first: {:?}", cockpit.model.shared.status);
    };
    assert!(confirm.message.ends_with(line), "{}", confirm.message);
    cockpit.keys("y");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scale_and_an_image_change_are_undone_on_the_cluster() {
    let sim = common::sim_with_cookbook(7).await;
    let mut cockpit = Cockpit::on(&sim);
    cockpit
        .until("the cluster listed", |m| {
            m.kube.deployments.iter().any(|d| d.name == "coredns")
        })
        .await;
    cockpit.keys("5");
    cockpit.open_apply_form().await;
    cockpit.keys("\n");
    cockpit
        .until("cookbook-recipe ready", |m| {
            cookbook(m).is_some_and(|d| d.ready == 1 && d.desired == 1)
        })
        .await;
    cockpit.keys("/cookbook\n+");
    cockpit
        .until("two ready", |m| cookbook(m).is_some_and(|d| d.ready == 2))
        .await;
    undo(
        &mut cockpit,
        "$ kubectl scale --replicas=1 deployment/cookbook-recipe -n default",
    )
    .await;
    cockpit
        .until("back to one, as the watch reports it", |m| {
            cookbook(m).is_some_and(|d| d.desired == 1 && d.ready == 1)
        })
        .await;

    cockpit
        .until("revision 1 known", |m| {
            current_images(m) == ["cookbook:latest"]
        })
        .await;
    cockpit.keys(":image cookbook:missing\n");
    cockpit
        .until("the new revision", |m| {
            current_images(m) == ["cookbook:missing"]
        })
        .await;
    undo(
        &mut cockpit,
        "$ kubectl rollout undo deployment/cookbook-recipe --to-revision=1 -n default",
    )
    .await;
    cockpit
        .until("the first template back as the newest revision", |m| {
            current_images(m) == ["cookbook:latest"]
                && cookbook(m).is_some_and(|d| d.ready == 1 && d.up_to_date == 1)
        })
        .await;
    assert!(
        cockpit
            .history_lines()
            .iter()
            .any(|l| l
                .starts_with("kubectl rollout undo deployment/cookbook-recipe --to-revision=1")),
        "{:?}",
        cockpit.history_lines()
    );
}
