//! minikube commands: start and stop streamed into Jobs, the dashboard and
//! `service --url` kept running while their URLs are in use.

use crate::app::core::command::JobId;
use crate::app::core::event::{Event, JobUpdate, MinikubeEvent};
use crate::domain::minikube::MinikubeOp;
use crate::process::{self, Kept, RunError};
use crate::sources::minikube::run_error;
use std::ffi::OsString;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

/// The dashboard addon is enabled on first use, which can take minutes on a cold cluster.
const DASHBOARD_TIMEOUT: Duration = Duration::from_secs(300);
/// Where a tunnel is needed minikube sets it up before printing the URL.
const SERVICE_TIMEOUT: Duration = Duration::from_secs(60);
/// minikube's code for a Service it cannot find.
const EXIT_SERVICE_NOT_FOUND: i32 = 115;

/// Processes kept alive for their URLs, by key; one per key, ended when replaced or when pilothouse quits.
pub type Keeper = UnboundedSender<(String, Kept)>;

pub fn keeper() -> Keeper {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(String, Kept)>();
    tokio::spawn(async move {
        let mut kept = std::collections::HashMap::new();
        while let Some((key, process)) = rx.recv().await {
            kept.insert(key, process);
        }
    });
    tx
}

use crate::effects::shared::finish_job as finish;

/// `minikube -p P start|stop|unpause`: every line into the job, then ask for the status again.
pub async fn start_or_stop(
    program: OsString,
    job: JobId,
    profile: String,
    op: MinikubeOp,
    tx: UnboundedSender<Event>,
) {
    let sink = tx.clone();
    let done = process::stream_lines(process::command(&program, op.args(&profile)), |line| {
        let _ = sink.send(Event::Job {
            id: job,
            update: JobUpdate::Output(vec![line]),
        });
    })
    .await;
    let result = match done {
        // The job's title names the command; the summary says what came of it.
        Ok(done) if done.code == Some(0) => Ok(match op {
            MinikubeOp::Stop => "the cluster is stopped".to_string(),
            MinikubeOp::Unpause => "the cluster runs again".to_string(),
            _ => "the cluster is up".to_string(),
        }),
        Ok(done) => Err(format!(
            "minikube {} failed ({}): {}",
            op.verb(),
            done.code
                .map_or("killed".to_string(), |c| format!("exit {c}")),
            done.reason()
        )),
        Err(e) => Err(run_error(&e)),
    };
    finish(&tx, job, result);
    let _ = tx.send(Event::Minikube(MinikubeEvent::OpFinished));
}

/// `minikube -p P dashboard --url`: the URL ends the job; the proxy keeps running.
pub async fn dashboard(
    program: OsString,
    job: JobId,
    profile: String,
    keeper: Keeper,
    tx: UnboundedSender<Event>,
) {
    let command = process::command(&program, MinikubeOp::Dashboard.args(&profile));
    match process::first_url_then_keep(command, DASHBOARD_TIMEOUT).await {
        Ok((url, kept)) => {
            let key = format!("dashboard/{profile}");
            let _ = keeper.send((key.clone(), kept));
            finish(&tx, job, Ok(format!("dashboard at {url}")));
            let _ = tx.send(Event::Minikube(MinikubeEvent::UrlReady {
                key,
                url,
                note: "minikube dashboard keeps its proxy running until pilothouse quits".into(),
            }));
        }
        Err(problem) => finish(&tx, job, Err(ended_without_url("dashboard", problem))),
    }
}

/// `minikube -p P service NAME -n NS --url`: the first line is the URL; the
/// process may be a tunnel, so it is kept.
pub async fn service_url(
    program: OsString,
    profile: String,
    namespace: String,
    service: String,
    keeper: Keeper,
    tx: UnboundedSender<Event>,
) {
    let args = [
        "-p", &profile, "service", &service, "-n", &namespace, "--url",
    ];
    match process::first_url_then_keep(process::command(&program, args), SERVICE_TIMEOUT).await {
        Ok((url, kept)) => {
            let key = format!("service/{namespace}/{service}");
            let _ = keeper.send((key.clone(), kept));
            let _ = tx.send(Event::Minikube(MinikubeEvent::UrlReady {
                key,
                url,
                note: "minikube service keeps running for it until pilothouse quits".into(),
            }));
        }
        Err(Ok(said)) if said.code == Some(EXIT_SERVICE_NOT_FOUND) => {
            let _ = tx.send(Event::EffectFailed(said.reason()));
        }
        Err(problem) => {
            let _ = tx.send(Event::EffectFailed(ended_without_url("service", problem)));
        }
    }
}

fn ended_without_url(what: &str, problem: Result<process::Finished, RunError>) -> String {
    match problem {
        Ok(said) => format!(
            "minikube {what} printed no URL ({}): {}",
            said.code
                .map_or("killed".to_string(), |c| format!("exit {c}")),
            said.reason()
        ),
        Err(e) => format!("minikube {what}: {}", run_error(&e)),
    }
}
