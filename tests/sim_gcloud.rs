//! The real gcloud against the simulated Google Cloud: `gcloud run deploy`
//! prints the Service URL, and the URL answers; `gcloud builds submit --tag`
//! builds the image from the uploaded sources on the simulated engine (its
//! log streamed as gcloud streams it); `gcloud run deploy --source` makes
//! the `cloud-run-source-deploy` repository, builds and deploys; a missing
//! Artifact Registry repository is said missing, then made.

mod common;

use pilothouse::cli::SimArgs;
use pilothouse::sim::{GCLOUD_TOKEN, Sim};
use std::process::Command;

fn gcloud(sim_config: &std::path::Path, args: &[&str]) -> (bool, String) {
    gcloud_in(sim_config, None, args)
}

/// gcloud with the sim's environment, run in `dir` when given (a source to upload).
fn gcloud_in(
    sim_config: &std::path::Path,
    dir: Option<&std::path::Path>,
    args: &[&str],
) -> (bool, String) {
    let mut command = Command::new("gcloud");
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let out = command
        .args(args)
        .env("CLOUDSDK_CONFIG", sim_config)
        .env("CLOUDSDK_AUTH_ACCESS_TOKEN", GCLOUD_TOKEN)
        .env("CLOUDSDK_CORE_DISABLE_PROMPTS", "1")
        .env("CLOUDSDK_CORE_DISABLE_COLOR", "true")
        .env(
            "CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE",
            sim_config.join(pilothouse::sim::cloudrun::CA_FILE),
        )
        .env_remove("CLOUDSDK_CORE_PROJECT")
        .output()
        .expect("run gcloud");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), strip_ansi(&text))
}

/// gcloud marks names bold even with colour off; the text is what is checked.
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gcloud_run_deploy_reaches_a_url_that_answers() {
    let test = "gcloud_run_deploy_reaches_a_url_that_answers";
    if !common::gcloud_available(test) {
        return;
    }
    let sim = Sim::start(&SimArgs::default())
        .await
        .expect("the sim starts");
    let config = sim.gcloud_config.clone();
    let (url, described) = tokio::task::spawn_blocking(move || {
        let image = "us-central1-docker.pkg.dev/pilothouse-sim/apps/cookbook:latest";
        let (ok, text) = gcloud(
            &config,
            &[
                "run",
                "deploy",
                "cookbook",
                "--image",
                image,
                "--region",
                "us-central1",
                "--allow-unauthenticated",
                "--quiet",
            ],
        );
        assert!(ok, "gcloud run deploy failed:\n{text}");
        assert!(
            text.contains("has been deployed and is serving 100 percent of traffic"),
            "{text}"
        );
        let url = text
            .lines()
            .find_map(|l| l.split("Service URL: ").nth(1))
            .map(|u| u.trim().to_string())
            .expect("gcloud prints the Service URL");
        let (ok, described) = gcloud(
            &config,
            &[
                "run",
                "services",
                "describe",
                "cookbook",
                "--region",
                "us-central1",
                "--format=value(status.url)",
            ],
        );
        assert!(ok, "{described}");
        let (ok, listed) = gcloud(&config, &["run", "services", "list", "--format=json"]);
        assert!(ok && listed.contains("\"cookbook\""), "{listed}");
        (url, described.trim().to_string())
    })
    .await
    .expect("gcloud steps");
    assert_eq!(url, described, "describe reads the same URL");
    let port: u16 = url
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("a loopback URL");
    let answer = common::http_get(port, "/")
        .await
        .expect("the service URL answers");
    assert!(answer.contains("Hello from cookbook"), "{answer}");
}

/// The sim's images, by `repository:tag`.
fn images(sim: &Sim) -> Vec<String> {
    pilothouse::sim::docker::lock(&sim.docker.engine)
        .images
        .iter()
        .flat_map(|i| i.tags.clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn builds_submit_and_deploy_from_source_build_on_the_simulated_engine() {
    let test = "builds_submit_and_deploy_from_source_build_on_the_simulated_engine";
    if !common::gcloud_available(test) {
        return;
    }
    let sim = Sim::start(&SimArgs::default())
        .await
        .expect("the sim starts");
    let config = sim.gcloud_config.clone();
    let app = sim.sample_app.clone();
    let tagged = "us-central1-docker.pkg.dev/pilothouse-sim/apps/cookbook:v1";

    // The book's command: the sources uploaded, built remotely, the log streamed.
    let (ok, text) = tokio::task::spawn_blocking({
        let (config, app) = (config.clone(), app.clone());
        move || {
            gcloud_in(
                &config,
                Some(&app),
                &["builds", "submit", "--tag", tagged, "."],
            )
        }
    })
    .await
    .expect("gcloud runs");
    assert!(ok, "gcloud builds submit failed:\n{text}");
    for expected in [
        "Uploading tarball of [.] to [gs://pilothouse-sim_cloudbuild/source/",
        "REMOTE BUILD OUTPUT",
        "FETCHSOURCE",
        "Step #0: Step 1/8 : FROM python:3",
        "Step #0: Successfully tagged us-central1-docker.pkg.dev/pilothouse-sim/apps/cookbook:v1",
        &format!("Pushing {tagged}"),
        "SUCCESS",
    ] {
        assert!(text.contains(expected), "{expected:?} in:\n{text}");
    }
    assert!(
        images(&sim).contains(&tagged.to_string()),
        "{:?}",
        images(&sim)
    );

    // A repository that is not there is said missing; made, it is described.
    let (ok, missing) = tokio::task::spawn_blocking({
        let config = config.clone();
        move || {
            gcloud(
                &config,
                &[
                    "artifacts",
                    "repositories",
                    "describe",
                    "web",
                    "--location=us-central1",
                ],
            )
        }
    })
    .await
    .expect("gcloud runs");
    assert!(!ok && missing.contains("NOT_FOUND"), "{missing}");
    let (created, described) = tokio::task::spawn_blocking({
        let config = config.clone();
        move || {
            let created = gcloud(
                &config,
                &[
                    "artifacts",
                    "repositories",
                    "create",
                    "web",
                    "--repository-format=docker",
                    "--location=us-central1",
                ],
            );
            let described = gcloud(
                &config,
                &[
                    "artifacts",
                    "repositories",
                    "describe",
                    "web",
                    "--location=us-central1",
                    "--format=value(format)",
                ],
            );
            (created, described)
        }
    })
    .await
    .expect("gcloud runs");
    assert!(created.0, "{}", created.1);
    assert!(
        described.0 && described.1.contains("DOCKER"),
        "{}",
        described.1
    );

    // --source: the repository made when missing, the build, the deploy, a URL that answers.
    let (ok, text) = tokio::task::spawn_blocking({
        let (config, app) = (config.clone(), app.clone());
        move || {
            gcloud_in(
                &config,
                Some(&app),
                &[
                    "run",
                    "deploy",
                    "recipes",
                    "--source",
                    ".",
                    "--region",
                    "us-central1",
                    "--allow-unauthenticated",
                    "--quiet",
                ],
            )
        }
    })
    .await
    .expect("gcloud runs");
    assert!(ok, "gcloud run deploy --source failed:\n{text}");
    assert!(
        images(&sim).contains(
            &"us-central1-docker.pkg.dev/pilothouse-sim/cloud-run-source-deploy/recipes:latest"
                .to_string()
        ),
        "{:?}",
        images(&sim)
    );
    let url = text
        .lines()
        .find_map(|l| l.split("Service URL: ").nth(1))
        .map(|u| u.trim().to_string())
        .unwrap_or_else(|| panic!("gcloud prints the Service URL:\n{text}"));
    let port: u16 = url
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("a loopback URL");
    let answer = common::http_get(port, "/").await.expect("the URL answers");
    assert!(answer.contains("Hello from recipes"), "{answer}");
}

/// Revisions and rollback: each deploy of a new image is a revision; sending all
/// traffic back to the first (`update-traffic --to-revisions REV=100`) makes no new
/// revision, and the service's URL answers from the first again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rollback_moves_the_urls_answer_to_the_old_revision() {
    let test = "a_rollback_moves_the_urls_answer_to_the_old_revision";
    if !common::gcloud_available(test) {
        return;
    }
    let sim = Sim::start(&SimArgs::default())
        .await
        .expect("the sim starts");
    let config = sim.gcloud_config.clone();
    let run = move |args: Vec<String>| {
        let config = config.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                gcloud(&config, &args)
            })
            .await
            .expect("gcloud runs")
        }
    };
    let words = |line: &str| line.split(' ').map(String::from).collect::<Vec<_>>();
    for tag in ["v1", "v2"] {
        let (ok, text) = run(words(&format!(
            "run deploy cookbook --image us-central1-docker.pkg.dev/pilothouse-sim/apps/cookbook:{tag} --region us-central1 --allow-unauthenticated --quiet"
        )))
        .await;
        assert!(ok, "{text}");
    }
    let (ok, url) = run(words(
        "run services describe cookbook --region us-central1 --format=value(status.url)",
    ))
    .await;
    assert!(ok, "{url}");
    let port: u16 = url
        .trim()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("a loopback URL");
    let (ok, listed) = run(words(
        "run revisions list --service cookbook --region us-central1 --format=value(metadata.name)",
    ))
    .await;
    assert!(ok, "{listed}");
    let mut revisions: Vec<String> = listed.lines().map(|l| l.trim().to_string()).collect();
    revisions.sort();
    assert_eq!(revisions.len(), 2, "{listed}");
    assert!(
        revisions[0].starts_with("cookbook-00001-") && revisions[1].starts_with("cookbook-00002-")
    );
    let answer = common::http_get(port, "/").await.expect("the URL answers");
    assert!(
        answer.contains(&revisions[1]),
        "the latest answers: {answer}"
    );

    let (ok, text) = run(words(&format!(
        "run services update-traffic cookbook --to-revisions {}=100 --region us-central1",
        revisions[0]
    )))
    .await;
    assert!(ok, "{text}");
    let answer = common::http_get(port, "/").await.expect("the URL answers");
    assert!(answer.contains(&revisions[0]), "rolled back: {answer}");
    let (ok, listed) = run(words(
        "run revisions list --service cookbook --region us-central1 --format=value(metadata.name)",
    ))
    .await;
    assert!(
        ok && listed.lines().count() == 2,
        "no new revision: {listed}"
    );
}
