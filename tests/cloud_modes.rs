//! The Cloud pane's other two modes, end to end with the real gcloud against
//! the simulated Google Cloud, as the local mode is in `cloud_deploy.rs`:
//! `cloud-build` (the book's: `gcloud builds submit --tag IMAGE`, then
//! `gcloud run deploy --image IMAGE`) and `source` (`gcloud run deploy
//! --source .`). Each builds the image from the app's sources on the
//! simulated engine, deploys, and the URL answers. A repository that is not
//! there yet is offered first (asking), created, and the deploy follows.

mod common;

use common::cockpit::Cockpit;
use pilothouse::app::core::model::{JobState, Overlay};
use pilothouse::cli::SimArgs;
use pilothouse::sim::Sim;

async fn deploys_in(mode: &str, built: &str, said: &str) {
    deploys_to(mode, "apps", built, said).await
}

/// With `repository` in the settings (the sim has `apps`; another is offered first).
async fn deploys_to(mode: &str, repository: &str, built: &str, said: &str) {
    let sim = Sim::start(&SimArgs::default())
        .await
        .expect("the sim starts");
    common::use_cloud_mode(&sim, mode);
    let settings = sim.sample_app.join("pilothouse.toml");
    let text = std::fs::read_to_string(&settings).expect("the settings");
    std::fs::write(
        &settings,
        text.replace(
            "repository = \"apps\"",
            &format!("repository = \"{repository}\""),
        ),
    )
    .expect("the repository set");
    let mut cockpit = Cockpit::on(&sim);
    cockpit.use_sim_gcloud(&sim);
    cockpit.keys("9");
    cockpit.send(pilothouse::app::Event::Tick(std::time::SystemTime::now()));
    cockpit
        .until("the settings in this mode", |m| {
            m.cloud.settings().is_some_and(|s| s.mode.label() == mode)
                && matches!(
                    m.cloud.gcloud,
                    pilothouse::domain::cloud::GcloudState::Ready(_)
                )
        })
        .await;
    cockpit.keys("D");
    if repository != "apps" {
        cockpit
            .until("the missing repository offered", |m| {
                matches!(&m.shared.overlay, Overlay::Confirm(c)
                    if c.message.contains(&format!("has no repository {repository} in us-central1")))
            })
            .await;
        cockpit.keys("y");
    }
    cockpit
        .until("the deploy's question", |m| {
            matches!(&m.shared.overlay, Overlay::Confirm(c) if c.message.starts_with("Deploy cookbook"))
        })
        .await;
    cockpit.keys("y");
    cockpit
        .until(&format!("the {mode} deploy"), |m| {
            m.jobs.list.iter().any(|j| {
                matches!(&j.state, JobState::Succeeded(s) if s.starts_with("serving at http://"))
                    || matches!(&j.state, JobState::Failed(_))
            })
        })
        .await;
    let job = cockpit.model.jobs.list.last().expect("the job").clone();
    assert!(
        matches!(&job.state, JobState::Succeeded(_)),
        "{mode}: {:?}\n{}",
        job.state,
        job.output.iter().cloned().collect::<Vec<_>>().join("\n")
    );
    assert!(
        job.output.iter().any(|l| l.contains(said)),
        "{mode}: {said:?} in\n{}",
        job.output.iter().cloned().collect::<Vec<_>>().join("\n")
    );
    let images: Vec<String> = pilothouse::sim::docker::lock(&sim.docker.engine)
        .images
        .iter()
        .flat_map(|i| i.tags.clone())
        .collect();
    assert!(
        images.iter().any(|t| t == built),
        "{mode}: {built} in {images:?}"
    );
    let JobState::Succeeded(summary) = &job.state else {
        unreachable!()
    };
    let port: u16 = summary
        .trim_start_matches("serving at http://127.0.0.1:")
        .trim_end_matches('/')
        .parse()
        .unwrap_or_else(|_| panic!("{mode}: a loopback URL in {summary}"));
    let answer = common::http_get(port, "/").await.expect("the URL answers");
    assert!(answer.contains("Hello from cookbook"), "{mode}: {answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cloud_build_mode_builds_remotely_and_deploys() {
    if !common::gcloud_available("the_cloud_build_mode_builds_remotely_and_deploys") {
        return;
    }
    deploys_in(
        "cloud-build",
        "us-central1-docker.pkg.dev/pilothouse-sim/apps/cookbook:latest",
        "REMOTE BUILD OUTPUT",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_source_mode_builds_from_source_and_deploys() {
    if !common::gcloud_available("the_source_mode_builds_from_source_and_deploys") {
        return;
    }
    deploys_in(
        "source",
        "us-central1-docker.pkg.dev/pilothouse-sim/cloud-run-source-deploy/cookbook:latest",
        "Building Container",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_repository_is_offered_created_and_the_deploy_follows() {
    if !common::gcloud_available("a_missing_repository_is_offered_created_and_the_deploy_follows") {
        return;
    }
    deploys_to(
        "cloud-build",
        "web",
        "us-central1-docker.pkg.dev/pilothouse-sim/web/cookbook:latest",
        "REMOTE BUILD OUTPUT",
    )
    .await;
}
