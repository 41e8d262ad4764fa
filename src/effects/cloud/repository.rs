//! The deploy's Artifact Registry repository: whether it exists (`gcloud
//! artifacts repositories describe`), and creating it after a yes (a job).

use super::gcloud::{Gcloud, run_error};
use crate::app::core::command::JobId;
use crate::app::core::event::{CloudEvent, Event};
use crate::domain::cloud::RepositoryRef;
use crate::effects::shared::finish_job;
use crate::process::{self, RunError};
use tokio::sync::mpsc::UnboundedSender;

/// Exists (exit 0), missing (gcloud says NOT_FOUND), or why gcloud could not say.
pub async fn check(
    gcloud: Gcloud,
    repository: RepositoryRef,
    args: Vec<String>,
    tx: UnboundedSender<Event>,
) {
    let exists = match process::output(gcloud.command(&args), gcloud.timeout).await {
        Ok(done) if done.code == Some(0) => Ok(true),
        Ok(done) if format!("{}{}", done.stdout, done.stderr).contains("NOT_FOUND") => Ok(false),
        Ok(done) => Err(done.reason()),
        Err(RunError::NotFound) => Err("gcloud is not installed".to_string()),
        Err(e) => Err(run_error(&e)),
    };
    let _ = tx.send(Event::Cloud(CloudEvent::Repository { repository, exists }));
}

/// Create it, the output streamed into the job; the deploy goes on when it is made.
pub async fn create(
    gcloud: Gcloud,
    (job, repository): (JobId, RepositoryRef),
    args: Vec<String>,
    tx: UnboundedSender<Event>,
) {
    let result = super::revisions::stream_job(&gcloud, job, &args, &tx)
        .await
        .map(|()| {
            format!(
                "created repository {} in {}",
                repository.name, repository.region
            )
        });
    let made = result.is_ok();
    finish_job(&tx, job, result);
    if made {
        let _ = tx.send(Event::Cloud(CloudEvent::RepositoryCreated(repository)));
    }
}
