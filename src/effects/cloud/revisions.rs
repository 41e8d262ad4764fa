//! A Cloud Run service's revisions (with the traffic split from its
//! description), moving its traffic (a job), and reading its logs into the
//! Logs pane again every few seconds.

use super::gcloud::{Gcloud, run_error};
use crate::app::cloud::service::ServiceRef;
use crate::app::cloud::settings::command_line;
use crate::app::core::command::JobId;
use crate::app::core::event::{CloudEvent, Event, JobUpdate};
use crate::domain::cloud::parse_revisions;
use crate::effects::shared::finish_job;
use crate::process::{self, RunError};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

/// How often the service's logs are read again. gcloud has no stream for them
/// without its `log-streaming` component (what `gcloud beta run services logs
/// tail` needs), and each read costs gcloud's start-up (about a second of CPU).
pub const LOG_POLL: Duration = Duration::from_secs(5);

/// One gcloud query's standard output, or the sentence saying why there is none.
async fn query(gcloud: &Gcloud, args: &[String]) -> Result<String, String> {
    match process::output(gcloud.command(args), gcloud.timeout).await {
        Ok(done) if done.code == Some(0) => Ok(done.stdout),
        Ok(done) => Err(format!(
            "{} failed: {}",
            command_line("gcloud", &args[..args.len().min(3)]),
            done.reason()
        )),
        Err(RunError::NotFound) => Err(crate::app::cloud::deploy::INSTALL_HINT.to_string()),
        Err(e) => Err(run_error(&e)),
    }
}

/// The revisions and the service's traffic, asked at once, joined into rows.
pub async fn list(gcloud: Gcloud, service: ServiceRef, tx: UnboundedSender<Event>) {
    let (list_args, describe_args) = (service.revisions_list_args(), service.describe_args());
    let (revisions, described) =
        tokio::join!(query(&gcloud, &list_args), query(&gcloud, &describe_args));
    let result = revisions.and_then(|revisions| parse_revisions(&revisions, &described?));
    let _ = tx.send(Event::Cloud(CloudEvent::Revisions { service, result }));
}

/// Run one gcloud command as a job: its command line, then its output as it
/// comes; the error names the command and gcloud's reason.
pub async fn stream_job(
    gcloud: &Gcloud,
    job: JobId,
    args: &[String],
    tx: &UnboundedSender<Event>,
) -> Result<(), String> {
    let line = |text: String| {
        let _ = tx.send(Event::Job {
            id: job,
            update: JobUpdate::Output(vec![text]),
        });
    };
    line(format!("$ {}", command_line("gcloud", args)));
    match process::stream_lines(gcloud.command(args), line).await {
        Ok(done) if done.code == Some(0) => Ok(()),
        Ok(done) => Err(format!(
            "{} failed ({}): {}",
            command_line("gcloud", &args[..args.len().min(3)]),
            done.code.map_or("killed".into(), |c| format!("exit {c}")),
            done.reason()
        )),
        Err(e) => Err(run_error(&e)),
    }
}

/// `update-traffic`, then the revisions and services asked again.
pub async fn update_traffic(
    gcloud: Gcloud,
    (job, service, revision): (JobId, ServiceRef, String),
    args: Vec<String>,
    tx: UnboundedSender<Event>,
) {
    let result = stream_job(&gcloud, job, &args, &tx).await;
    let moved = result.is_ok();
    finish_job(
        &tx,
        job,
        result.map(|()| format!("{} answers from {revision} now", service.name)),
    );
    if moved {
        let _ = tx.send(Event::Cloud(CloudEvent::TrafficMoved(service)));
    }
}

/// gcloud prints each entry from its second (`2026-12-04 20:00:01 GET 200 URL`).
fn second_of(line: &str) -> Option<&str> {
    let second = line.get(..19)?;
    let bytes = second.as_bytes();
    (bytes[4] == b'-' && bytes[10] == b' ' && bytes[13] == b':' && bytes[16] == b':')
        .then_some(second)
}

/// What a read adds to what was shown: the entries after the last second
/// shown, and those of that second not shown yet (a read asks from that second
/// on, so it repeats them). Returns the new lines; `shown_at` keeps the last
/// second's lines.
pub fn new_lines(
    stdout: &str,
    last_second: &mut Option<String>,
    shown_at: &mut Vec<String>,
) -> Vec<String> {
    // Each line with its second (a line without one belongs to the entry above it).
    let mut current = last_second.clone();
    let lines: Vec<(Option<String>, &str)> = stdout
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            if let Some(second) = second_of(line) {
                current = Some(second.to_string());
            }
            (current.clone(), line)
        })
        .collect();
    if lines.is_empty() {
        return Vec::new();
    }
    let mut not_seen_again = std::mem::take(shown_at);
    let mut fresh = Vec::new();
    for (second, line) in &lines {
        if second == last_second
            && let Some(position) = not_seen_again.iter().position(|s| s == line)
        {
            not_seen_again.remove(position);
            continue;
        }
        fresh.push(line.to_string());
    }
    // The next read starts at the newest second, so it repeats that second's lines.
    *shown_at = lines
        .iter()
        .filter(|(second, _)| *second == current)
        .map(|(_, line)| line.to_string())
        .collect();
    *last_second = current;
    fresh
}

/// The service's last entries, then every few seconds the newer ones, until
/// another stream replaces this one.
pub async fn follow_logs(
    gcloud: Gcloud,
    key: String,
    service: ServiceRef,
    tx: UnboundedSender<Event>,
) {
    let (mut last_second, mut shown_at) = (None, Vec::new());
    loop {
        let args = service.logs_read_args(last_second.as_deref());
        match query(&gcloud, &args).await {
            Ok(stdout) => {
                let lines = new_lines(&stdout, &mut last_second, &mut shown_at);
                if !lines.is_empty() {
                    let _ = tx.send(Event::LogLines {
                        key: key.clone(),
                        lines,
                    });
                }
            }
            Err(reason) => {
                let _ = tx.send(Event::LogsEnded {
                    key,
                    reason: Some(reason),
                });
                return;
            }
        }
        tokio::time::sleep(LOG_POLL).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_read_adds_only_what_was_not_shown() {
        let (mut last, mut shown) = (None, Vec::new());
        let first =
            "2026-12-04 20:00:00 GET 200 http://x/a\n2026-12-04 20:00:01 GET 200 http://x/b\n";
        assert_eq!(new_lines(first, &mut last, &mut shown).len(), 2);
        assert_eq!(last.as_deref(), Some("2026-12-04 20:00:01"));
        // The next read starts at 20:00:01, so /b comes again, with a new line of that second.
        let second = "2026-12-04 20:00:01 GET 200 http://x/b\n2026-12-04 20:00:01 GET 200 http://x/c\n2026-12-04 20:00:02 GET 404 http://x/d\n";
        assert_eq!(
            new_lines(second, &mut last, &mut shown),
            [
                "2026-12-04 20:00:01 GET 200 http://x/c",
                "2026-12-04 20:00:02 GET 404 http://x/d"
            ]
        );
        assert_eq!(
            new_lines(
                "2026-12-04 20:00:02 GET 404 http://x/d\n",
                &mut last,
                &mut shown
            ),
            Vec::<String>::new()
        );
        assert_eq!(new_lines("", &mut last, &mut shown), Vec::<String>::new());
        assert_eq!(last.as_deref(), Some("2026-12-04 20:00:02"));
    }
}
