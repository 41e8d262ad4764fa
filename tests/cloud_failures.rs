//! Cloud Run's failure paths, each one clear state in the cockpit: gcloud
//! missing, not logged in, an API error, the user saying no. And the user's
//! own gcloud configuration is never touched: every run used a throwaway one.

mod common;

use common::cockpit::Cockpit;
use pilothouse::app::Model;
use pilothouse::app::core::event::Event;
use pilothouse::app::core::model::{JobState, Overlay};
use pilothouse::cli::SimArgs;
use pilothouse::domain::cloud::GcloudState;
use pilothouse::sim::{GCLOUD_TOKEN, Sim};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Every file under the user's own gcloud configuration, with its size and time.
fn user_gcloud_files() -> Vec<(PathBuf, u64, Option<SystemTime>)> {
    let Some(home) = std::env::var_os("HOME") else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut stack = vec![Path::new(&home).join(".config/gcloud")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            match entry.metadata() {
                Ok(meta) if meta.is_dir() => stack.push(path),
                Ok(meta) => found.push((path, meta.len(), meta.modified().ok())),
                Err(_) => {}
            }
        }
    }
    found.sort();
    found
}

fn status(model: &Model) -> String {
    model
        .shared
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

/// An app directory with the sample's Dockerfile and these settings.
fn app_with(project: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("app dir");
    std::fs::write(dir.path().join("Dockerfile"), "FROM scratch\nEXPOSE 8080\n").expect("write");
    std::fs::write(
        dir.path().join("pilothouse.toml"),
        format!("[cloudrun]\nproject = \"{project}\"\nservice = \"web\"\nrepository = \"apps\"\nmode = \"image\"\n"),
    )
    .expect("write");
    dir
}

async fn cockpit_in(sim: &Sim, app: &Path, env: Vec<(String, String)>) -> Cockpit {
    let mut cockpit = Cockpit::start(sim.docker.host(), &sim.kubeconfig_path, app.to_path_buf());
    cockpit.effects.set_gcloud_env(env);
    // gcloud is asked at the first tick on the Cloud Run pane.
    cockpit.keys("9");
    cockpit.send(Event::Tick(SystemTime::now()));
    cockpit
}

/// D and y, then the job's end.
async fn deploy(cockpit: &mut Cockpit) -> JobState {
    cockpit
        .until("the settings", |m| m.cloud.settings().is_some())
        .await;
    cockpit.keys("D");
    assert!(
        matches!(cockpit.model.shared.overlay, Overlay::Confirm(_)),
        "{:?}",
        cockpit.model.shared.status
    );
    cockpit.keys("y");
    cockpit
        .until("the deploy's end", |m| {
            m.jobs
                .list
                .last()
                .is_some_and(|j| j.state != JobState::Running)
        })
        .await;
    cockpit
        .model
        .jobs
        .list
        .last()
        .map(|j| j.state.clone())
        .expect("a job")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_failure_is_one_clear_state() {
    if !common::gcloud_available("each_failure_is_one_clear_state") {
        return;
    }
    let before = user_gcloud_files();
    let sim = Sim::start(&SimArgs::default())
        .await
        .expect("the sim starts");
    let sim_env = vec![
        (
            "CLOUDSDK_CONFIG".to_string(),
            sim.gcloud_config.display().to_string(),
        ),
        (
            "CLOUDSDK_AUTH_ACCESS_TOKEN".to_string(),
            GCLOUD_TOKEN.to_string(),
        ),
        ("CLOUDSDK_CORE_DISABLE_PROMPTS".to_string(), "1".to_string()),
    ];

    // gcloud missing: the pane says how to install it; D says the same and runs nothing.
    let app = app_with("my-proj");
    let mut missing = cockpit_in(&sim, app.path(), sim_env.clone()).await;
    missing
        .effects
        .set_gcloud("/nonexistent/pilothouse-test/gcloud");
    missing
        .until("gcloud missing", |m| {
            m.cloud.gcloud == GcloudState::NotInstalled
        })
        .await;
    assert!(
        missing
            .screen(120)
            .contains("gcloud is not installed: see https://cloud.google.com/sdk/docs/install")
    );
    missing.keys("D");
    assert!(status(&missing.model).starts_with("gcloud is not installed"));
    assert!(missing.model.jobs.list.is_empty());
    drop(missing);

    // Not logged in: a configuration with no account; the deploy fails with gcloud's own sentence.
    let empty = tempfile::tempdir().expect("an empty gcloud config");
    let mut anonymous = cockpit_in(
        &sim,
        app.path(),
        vec![
            (
                "CLOUDSDK_CONFIG".to_string(),
                empty.path().display().to_string(),
            ),
            ("CLOUDSDK_CORE_DISABLE_PROMPTS".to_string(), "1".to_string()),
        ],
    )
    .await;
    anonymous
        .until(
            "gcloud without an account",
            |m| matches!(&m.cloud.gcloud, GcloudState::Ready(c) if c.account.is_none()),
        )
        .await;
    assert!(
        anonymous
            .screen(120)
            .contains("account (none: gcloud auth login)")
    );
    let JobState::Failed(error) = deploy(&mut anonymous).await else {
        panic!("the deploy fails")
    };
    assert!(
        error.contains("You do not currently have an active account selected"),
        "{error}"
    );
    drop(anonymous);

    // An API error: the simulated Cloud Run refuses the project; the job says so.
    let denied = app_with(pilothouse::sim::cloudrun::DENIED_PROJECT);
    let mut refused = cockpit_in(&sim, denied.path(), sim_env.clone()).await;
    let JobState::Failed(error) = deploy(&mut refused).await else {
        panic!("the deploy fails")
    };
    assert!(error.contains("denied"), "{error}");
    drop(refused);

    // The user says no: nothing runs.
    let mut declined = cockpit_in(&sim, app.path(), sim_env).await;
    declined
        .until("the settings", |m| m.cloud.settings().is_some())
        .await;
    declined.keys("Dn");
    assert_eq!(status(&declined.model), "Cancelled.");
    assert!(declined.model.jobs.list.is_empty());

    // Every gcloud run wrote into the throwaway configurations, never the user's.
    assert!(sim.gcloud_config.join("logs").is_dir() || empty.path().join("logs").is_dir());
    assert_eq!(
        user_gcloud_files(),
        before,
        "the user's gcloud configuration changed"
    );
}
