//! The Cloud Run pane's revisions, rollback and logs, with the real gcloud
//! against the simulated Google Cloud. Two deploys make two revisions;
//! `enter` lists them with their traffic, `t` on the first (after a yes) sends
//! it all the traffic and the URL answers from it; `l` reads the service's
//! request log (`gcloud run services logs read`) and keeps reading it.

mod common;

use common::cockpit::Cockpit;
use pilothouse::app::core::model::{JobState, Overlay, Pane};
use pilothouse::cli::SimArgs;
use pilothouse::sim::Sim;
use std::time::Duration;

/// gcloud with the sim's environment, off the test's threads.
async fn gcloud(sim: &Sim, args: &str) -> String {
    let env = sim.gcloud_env();
    let args: Vec<String> = args.split(' ').map(String::from).collect();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("gcloud")
            .args(&args)
            .envs(env)
            .env("CLOUDSDK_CORE_DISABLE_COLOR", "true")
            .output()
    })
    .await
    .expect("gcloud runs")
    .expect("gcloud starts");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "gcloud {text}");
    text
}

fn url_port(url: &str) -> u16 {
    url.trim()
        .trim_start_matches("http://127.0.0.1:")
        .trim_end_matches('/')
        .parse()
        .unwrap_or_else(|_| panic!("a loopback URL: {url}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revisions_are_listed_a_rollback_moves_the_url_and_logs_are_read() {
    if !common::gcloud_available("revisions_are_listed_a_rollback_moves_the_url_and_logs_are_read")
    {
        return;
    }
    let sim = Sim::start(&SimArgs::default())
        .await
        .expect("the sim starts");
    for tag in ["v1", "v2"] {
        gcloud(&sim, &format!(
            "run deploy cookbook --image us-central1-docker.pkg.dev/pilothouse-sim/apps/cookbook:{tag} --region us-central1 --allow-unauthenticated --quiet"
        ))
        .await;
    }
    let url = gcloud(
        &sim,
        "run services describe cookbook --region us-central1 --format=value(status.url)",
    )
    .await;
    let port = url_port(&url);
    let before = common::http_get(port, "/before")
        .await
        .expect("the URL answers");

    let mut cockpit = Cockpit::on(&sim);
    cockpit.use_sim_gcloud(&sim);
    cockpit.keys("9");
    cockpit.send(pilothouse::app::Event::Tick(std::time::SystemTime::now()));
    cockpit
        .until("the service listed", |m| {
            m.cloud.services.iter().any(|s| s.name == "cookbook")
        })
        .await;
    cockpit.keys("\n");
    cockpit
        .until("its two revisions", |m| {
            m.cloud
                .revisions
                .as_ref()
                .is_some_and(|v| v.rows.len() == 2)
        })
        .await;
    let rows = cockpit
        .model
        .cloud
        .revisions
        .as_ref()
        .expect("open")
        .rows
        .clone();
    let (newest, first) = (&rows[0], &rows[1]);
    assert!(newest.latest && newest.percent == 100, "{rows:?}");
    assert!(newest.image.ends_with("cookbook:v2") && first.image.ends_with("cookbook:v1"));
    assert_eq!(first.percent, 0);
    assert!(
        before.contains(&newest.name),
        "served by the newest: {before}"
    );
    assert_eq!(
        cockpit.model.shared.learn.as_deref(),
        Some(
            "gcloud run revisions list --service cookbook --region us-central1 --project pilothouse-sim --format=json"
        )
    );
    let screen = cockpit.screen(120);
    assert!(
        screen.contains("Revisions of cookbook (us-central1)") && screen.contains("100%"),
        "{screen}"
    );

    cockpit.keys("jt");
    let expected = format!(
        "$ gcloud run services update-traffic cookbook --to-revisions {}=100 --region us-central1 --project pilothouse-sim",
        first.name
    );
    assert!(
        matches!(&cockpit.model.shared.overlay, Overlay::Confirm(c) if c.message.contains(&expected)),
        "asks first: {:?}",
        cockpit.model.shared.overlay
    );
    cockpit.keys("y");
    cockpit
        .until("the traffic moved and the revisions asked again", |m| {
            m.cloud.revisions.as_ref().is_some_and(|v| {
                v.rows
                    .iter()
                    .any(|r| r.name == first.name && r.percent == 100)
            })
        })
        .await;
    let job = cockpit.model.jobs.list.last().expect("the job").clone();
    assert!(
        matches!(&job.state, JobState::Succeeded(s) if s == &format!("cookbook answers from {} now", first.name)),
        "{:?}",
        job.state
    );
    let after = common::http_get(port, "/after")
        .await
        .expect("the URL answers");
    assert!(after.contains(&first.name), "rolled back: {after}");
    assert!(
        cockpit
            .history_lines()
            .iter()
            .any(|l| l == &expected.trim_start_matches("$ ")),
        "in History: {:?}",
        cockpit.history_lines()
    );

    cockpit.keys("l");
    assert_eq!(cockpit.model.shared.pane, Pane::Logs);
    cockpit
        .until("the request log read", |m| {
            m.docker
                .logs
                .lines
                .iter()
                .any(|l| l.ends_with(&format!("GET 200 http://127.0.0.1:{port}/after")))
        })
        .await;
    let lines = cockpit.model.docker.logs.lines.clone();
    assert!(
        lines
            .iter()
            .any(|l| l.ends_with(&format!("GET 200 http://127.0.0.1:{port}/before"))),
        "{lines:?}"
    );
    // gcloud prints each entry from its second: `2026-12-04 20:27:13 GET 200 URL`.
    assert!(
        lines
            .iter()
            .all(|l| l.as_bytes().get(10) == Some(&b' ') && l.as_bytes().get(19) == Some(&b' ')),
        "{lines:?}"
    );
    common::http_get(port, "/later")
        .await
        .expect("the URL answers");
    cockpit
        .until("a request made later read on the next round", |m| {
            m.docker.logs.lines.iter().any(|l| l.ends_with("/later"))
        })
        .await;
    let shown: Vec<&String> = cockpit.model.docker.logs.lines.iter().collect();
    let after_lines = shown.iter().filter(|l| l.ends_with("/after")).count();
    assert_eq!(after_lines, 1, "each entry once: {shown:?}");

    // Leaving the Logs pane stops the reading (each read is a gcloud start-up).
    cockpit.keys("9");
    assert!(
        cockpit
            .model
            .docker
            .logs
            .ended
            .as_deref()
            .is_some_and(|e| e.contains("reading stopped")),
        "{:?}",
        cockpit.model.docker.logs.ended
    );
    assert_eq!(cockpit.performed.last(), Some(&"follow logs"));
    // No read comes after it: the stream's task was ended.
    common::http_get(port, "/unseen")
        .await
        .expect("the URL answers");
    let quiet = tokio::time::timeout(Duration::from_secs(7), async {
        loop {
            match cockpit.rx.recv().await {
                Some(pilothouse::app::Event::LogLines { .. }) | None => return false,
                Some(_) => continue,
            }
        }
    })
    .await;
    assert!(quiet.is_err(), "no log lines after the pane was left");
}
