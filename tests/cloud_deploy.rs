//! The Cloud pane and a deploy, end to end: the cockpit reads the sample
//! app's pilothouse.toml (set to the local mode), the real gcloud (pointed at the
//! simulated Cloud Run through a throwaway configuration, as the demo does)
//! says who is logged in, D shows the command lines and warns that the app
//! does not listen on $PORT, y builds on the simulated engine, pushes to it
//! with gcloud's access token as the registry password, deploys with gcloud,
//! reads the URL; o opens it, and it answers. The token never reaches the
//! screen or the job's output.

mod common;

use common::cockpit::Cockpit;
use pilothouse::app::core::model::{JobState, Overlay, Pane};
use pilothouse::cli::SimArgs;
use pilothouse::domain::cloud::GcloudState;
use pilothouse::sim::{GCLOUD_TOKEN, Sim};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn d_deploys_the_sample_app_and_its_url_answers() {
    if !common::gcloud_available("d_deploys_the_sample_app_and_its_url_answers") {
        return;
    }
    let sim = Sim::start(&SimArgs::default())
        .await
        .expect("the sim starts");
    common::use_cloud_mode(&sim, "local");
    let mut cockpit = Cockpit::on(&sim);
    cockpit.use_sim_gcloud(&sim);
    // gcloud is asked at the first tick on the Cloud Run pane.
    cockpit.keys("9");
    cockpit.send(pilothouse::app::Event::Tick(std::time::SystemTime::now()));
    assert_eq!(cockpit.model.shared.pane, Pane::Cloud);
    cockpit
        .until("gcloud's account and the settings", |m| {
            matches!(&m.model_gcloud(), Some(account) if account == "learner@pilothouse.sim")
                && m.cloud.settings().is_some()
        })
        .await;
    let screen = cockpit.screen(120);
    assert!(
        screen.contains("account learner@pilothouse.sim"),
        "{screen}"
    );
    let image = "us-central1-docker.pkg.dev/pilothouse-sim/apps/cookbook:latest";
    assert!(
        screen.contains(&format!(
            "$ docker build --platform linux/amd64 -t {image} ."
        )),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("$ gcloud run deploy cookbook --image {image}")),
        "{screen}"
    );

    cockpit.keys("D");
    // The repository is checked first (the sim has `apps`), then D asks.
    cockpit
        .until("the deploy's question", |m| {
            matches!(&m.shared.overlay, Overlay::Confirm(_))
        })
        .await;
    let Overlay::Confirm(confirm) = &cockpit.model.shared.overlay else {
        panic!("D asks first")
    };
    assert!(
        confirm
            .message
            .contains("a public URL (--allow-unauthenticated)"),
        "{}",
        confirm.message
    );
    assert!(
        confirm
            .message
            .contains("Cloud Run sends requests to $PORT (8080), but the Dockerfile EXPOSEs 8000"),
        "{}",
        confirm.message
    );
    cockpit.keys("y");
    cockpit
        .until("the deploy job", |m| {
            m.jobs.list.iter().any(|j| {
                matches!(&j.state, JobState::Succeeded(s) if s.starts_with("serving at http://"))
                    && j.output.iter().any(|l| {
                        l.contains("has been deployed and is serving 100 percent of traffic")
                    })
            })
        })
        .await;
    cockpit
        .until("the services list", |m| {
            m.cloud.url.is_some()
                && m.cloud
                    .services
                    .iter()
                    .any(|s| s.name == "cookbook" && s.ready)
        })
        .await;
    let url = cockpit.model.cloud.url.clone().expect("the URL");
    // Pushed to the simulated registry with the token as the password, for the registry's host.
    let pushes = pilothouse::sim::docker::lock(&sim.docker.engine)
        .pushes
        .clone();
    assert_eq!(pushes.len(), 1, "{pushes:?}");
    assert_eq!(pushes[0].reference, image);
    assert_eq!(pushes[0].username, "oauth2accesstoken");
    assert_eq!(pushes[0].server, "us-central1-docker.pkg.dev");
    assert_eq!(pushes[0].password, GCLOUD_TOKEN);
    let job = cockpit.model.jobs.list.last().expect("the job");
    assert!(job.output.iter().any(|l| l.starts_with("$ docker push ")));
    assert!(
        job.output.iter().all(|l| !l.contains(GCLOUD_TOKEN)),
        "the token leaked into the job's output"
    );
    for pane in ["1", "2", "3", "9"] {
        cockpit.keys(pane);
        assert!(
            !cockpit.screen(160).contains(GCLOUD_TOKEN),
            "the token is drawn"
        );
    }
    cockpit.keys("9o");
    assert_eq!(cockpit.opened.last(), Some(&url));
    let port: u16 = url
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("a loopback URL");
    let answer = common::http_get(port, "/").await.expect("the URL answers");
    assert!(answer.contains("Hello from cookbook"), "{answer}");
}

trait GcloudAccount {
    fn model_gcloud(&self) -> Option<String>;
}

impl GcloudAccount for pilothouse::app::Model {
    fn model_gcloud(&self) -> Option<String> {
        match &self.cloud.gcloud {
            GcloudState::Ready(config) => config.account.clone(),
            _ => None,
        }
    }
}
