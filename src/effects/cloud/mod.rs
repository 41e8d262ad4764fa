//! The Cloud Run family, through the user's own `gcloud`: `pilothouse.toml`'s
//! settings read and saved, the account and services asked, the deploy (a
//! cancellable job), and the GitHub Actions workflow written and linted.

pub mod gcloud;
pub mod repository;
pub mod revisions;

use super::shared::Shared;
use crate::app::core::command::Command;
use std::ffi::OsString;
use std::time::Duration;

pub struct CloudEffects {
    /// The `gcloud` program and the variables pilothouse sets for it (the demo's sim).
    pub program: OsString,
    pub env: Vec<(String, String)>,
    /// How long a gcloud query (config, services list, token, describe) may take.
    pub timeout: Duration,
}

impl Default for CloudEffects {
    fn default() -> Self {
        Self {
            program: "gcloud".into(),
            env: Vec::new(),
            timeout: gcloud::QUERY_TIMEOUT,
        }
    }
}

impl CloudEffects {
    fn gcloud(&self, shared: &Shared) -> gcloud::Gcloud {
        gcloud::Gcloud {
            program: self.program.clone(),
            env: self.env.clone(),
            dir: shared.cwd.clone(),
            timeout: self.timeout,
        }
    }

    pub fn perform(&mut self, command: Command, shared: &mut Shared) {
        let tx = shared.tx.clone();
        match command {
            // Files are read and written on the blocking pool, never on the loop's thread.
            Command::LoadCloudSettings => {
                let dir = shared.cwd.clone();
                tokio::task::spawn_blocking(move || gcloud::load_settings(&dir, &tx));
            }
            Command::SaveCloudSettings(settings) => {
                let dir = shared.cwd.clone();
                tokio::task::spawn_blocking(move || gcloud::save_settings(&dir, settings, &tx));
            }
            Command::WriteWorkflow { path, text, force } => {
                tokio::spawn(gcloud::write_workflow(
                    shared.cwd.clone(),
                    path,
                    text,
                    force,
                    tx,
                ));
            }
            Command::CloudRefresh { list } => {
                tokio::spawn(gcloud::refresh(self.gcloud(shared), list, tx));
            }
            Command::CloudDeploy {
                job,
                service,
                local,
                steps,
                describe,
            } => {
                let plan = gcloud::DeployPlan {
                    job,
                    service,
                    local: local.map(|image| (image, shared.engine())),
                    steps,
                    describe,
                };
                let task = tokio::spawn(gcloud::deploy(self.gcloud(shared), plan, tx));
                shared.track(job, task);
            }
            Command::CloudCheckRepository { repository, args } => {
                tokio::spawn(repository::check(self.gcloud(shared), repository, args, tx));
            }
            Command::CloudCreateRepository {
                job,
                repository,
                args,
            } => {
                let task = tokio::spawn(repository::create(
                    self.gcloud(shared),
                    (job, repository),
                    args,
                    tx,
                ));
                shared.track(job, task);
            }
            Command::CloudRevisions { service } => {
                tokio::spawn(revisions::list(self.gcloud(shared), service, tx));
            }
            Command::CloudUpdateTraffic {
                job,
                service,
                revision,
                args,
            } => {
                let task = tokio::spawn(revisions::update_traffic(
                    self.gcloud(shared),
                    (job, service, revision),
                    args,
                    tx,
                ));
                shared.track(job, task);
            }
            Command::FollowCloudLogs { key, service } => {
                let task = tokio::spawn(revisions::follow_logs(
                    self.gcloud(shared),
                    key,
                    service,
                    tx,
                ));
                shared.follow_logs(Some(task));
            }
            other => super::shared::misrouted("cloud", &other),
        }
    }
}
