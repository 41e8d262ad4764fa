//! The guided tour driven to its end against the simulated cluster, as a
//! learner follows it: each step's key, and the tour noticing each step done
//! from what the sources report, through Cloud Run and the workflow.

mod common;

use common::cockpit::Cockpit;
use pilothouse::app::core::model::Model;
use pilothouse::app::learn::tour::STEPS;
use pilothouse::cli::SimArgs;
use pilothouse::sim::Sim;

fn at_step(model: &Model, title: &str) -> bool {
    model.tour.finished || STEPS[model.tour.step].title == title
}

async fn reach(cockpit: &mut Cockpit, title: &str) {
    cockpit
        .until(&format!("the tour's step '{title}'"), |m| at_step(m, title))
        .await;
    assert!(
        cockpit.screen(120).contains(title) || cockpit.model.tour.finished,
        "the panel names the step"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tour_runs_to_its_end_against_the_sim() {
    if !common::gcloud_available("the_tour_runs_to_its_end_against_the_sim") {
        return;
    }
    let sim = Sim::start(&SimArgs {
        pod_start_ms: 100,
        ..Default::default()
    })
    .await
    .expect("the sim starts");
    let mut cockpit = Cockpit::on(&sim);
    cockpit.use_sim_gcloud(&sim);
    cockpit.send(pilothouse::app::Event::Tick(std::time::SystemTime::now()));
    cockpit.keys(":tour\n");
    assert!(cockpit.model.tour.active);
    assert!(cockpit.screen(120).contains("Tour 1/13: The engine"));

    reach(&mut cockpit, "The Dockerfile").await;
    cockpit.keys("b\n");
    reach(&mut cockpit, "The container").await;
    cockpit.keys("2/cookbook\nr");
    cockpit.replace_field(&format!("127.0.0.1:{}:8000", common::free_port()));
    cockpit.keys("\n");
    reach(&mut cockpit, "The Deployment").await;
    cockpit.keys("5");
    cockpit.open_apply_form().await;
    cockpit.keys("\n");
    reach(&mut cockpit, "The Service").await;
    cockpit.keys("5/cookbook\nx\n");
    reach(&mut cockpit, "NodePort and <pending>").await;
    cockpit
        .until("the Service listed", |m| {
            m.kube.services.iter().any(|s| s.name == "cookbook-recipe")
        })
        .await;
    cockpit.keys("7/cookbook\no");
    assert!(
        cockpit
            .opened
            .iter()
            .any(|u| u.starts_with("http://127.0.0.1:")),
        "{:?}",
        cockpit.opened
    );
    reach(&mut cockpit, "Scaling").await;
    cockpit.keys("5s");
    cockpit.replace_field("3");
    cockpit.keys("\n");
    reach(&mut cockpit, "When it breaks").await;
    // Break it: an image the cluster's engine lacks; the new pod says why.
    // The Deployments pane is still filtered to cookbook from the Service step.
    cockpit.keys("5:image cookbook:missing\n");
    cockpit
        .until("the reason line on the broken deployment", |m| {
            pilothouse::layout::diagnosis(m).is_some_and(|d| {
                d.line()
                    .contains("cookbook:missing is not in the cluster's engine")
            })
        })
        .await;
    // Fix it: h lists the revisions (newest first); the one before is the last good one.
    cockpit
        .until("two revisions known", |m| {
            m.kube
                .replica_sets
                .iter()
                .filter(|r| r.deployment.as_deref() == Some("cookbook-recipe"))
                .count()
                >= 2
        })
        .await;
    cockpit.keys("hj\n");
    cockpit
        .until("the roll back's question", |m| {
            matches!(
                &m.shared.overlay,
                pilothouse::app::core::model::Overlay::Confirm(_)
            )
        })
        .await;
    cockpit.keys("y");
    reach(&mut cockpit, "The dev loop").await;
    cockpit.start_watching().await;
    let run_py = cockpit.model.shared.cwd.join("run.py");
    let text = std::fs::read_to_string(&run_py).expect("the sample app's run.py");
    std::fs::write(&run_py, format!("{text}\n# edited in the tour\n")).expect("save run.py");
    reach(&mut cockpit, "Cloud Run and $PORT").await;
    cockpit.keys("9");
    // gcloud is asked at the first tick on the Cloud Run pane.
    cockpit.send(pilothouse::app::Event::Tick(std::time::SystemTime::now()));
    cockpit
        .until("gcloud's account and the settings", |m| {
            m.cloud.settings().is_some()
                && matches!(
                    m.cloud.gcloud,
                    pilothouse::domain::cloud::GcloudState::Ready(_)
                )
        })
        .await;
    cockpit.keys("D");
    // The repository is checked first (the sim has `apps`), then D asks.
    cockpit
        .until("the deploy's question", |m| {
            matches!(
                &m.shared.overlay,
                pilothouse::app::core::model::Overlay::Confirm(_)
            )
        })
        .await;
    cockpit.keys("y");
    reach(&mut cockpit, "The workflow").await;
    cockpit.keys("W\n");
    cockpit
        .until("the end of the tour", |m| m.tour.finished)
        .await;
    let screen = cockpit.screen(120);
    assert!(screen.contains("Tour: complete"), "{screen}");
    assert!(screen.contains("Tour complete"), "{screen}");
    // Every change is in the history, with its command line.
    let lines: Vec<&str> = cockpit.history_lines();
    for expected in [
        "docker build",
        "docker run",
        "kubectl apply",
        "kubectl expose",
        "kubectl scale",
        "kubectl set image deployment/cookbook-recipe '*=cookbook:missing'",
        "kubectl rollout undo deployment/cookbook-recipe --to-revision=1",
        "gcloud builds submit",
        "gcloud run deploy",
    ] {
        assert!(
            lines.iter().any(|l| l.contains(expected)),
            "{expected} in {lines:#?}"
        );
    }
}
