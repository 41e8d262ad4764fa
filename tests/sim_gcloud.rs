//! The real `gcloud run deploy` against the simulated Cloud Run: it prints
//! the Service URL, and the URL answers.

mod common;

use pilothouse::cli::SimArgs;
use pilothouse::sim::{GCLOUD_TOKEN, Sim};
use std::process::Command;

fn gcloud(sim_config: &std::path::Path, args: &[&str]) -> (bool, String) {
    let out = Command::new("gcloud")
        .args(args)
        .env("CLOUDSDK_CONFIG", sim_config)
        .env("CLOUDSDK_AUTH_ACCESS_TOKEN", GCLOUD_TOKEN)
        .env("CLOUDSDK_CORE_DISABLE_PROMPTS", "1")
        .env("CLOUDSDK_CORE_DISABLE_COLOR", "true")
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
