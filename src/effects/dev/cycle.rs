//! One dev-loop cycle, stage by stage: build (or sync), replace the
//! containers and roll the Deployments that run the app's image, wait until
//! they serve. Each stage's time and each step's command line go back as
//! events; the cycle ends as its job does.

use super::containers::{self, Running, repository};
use super::deployments::{self, Target};
use crate::app::core::command::{DevPlan, JobId};
use crate::app::core::event::{DevEvent, DevStage, DevStep, Event};
use crate::effects::docker::build::build_followed;
use crate::effects::docker::build_stream::BuildStream;
use crate::effects::docker::engine::engine_error;
use crate::effects::shared::finish_job;
use crate::sources::docker_endpoint::EngineClient;
use bollard::Docker;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tokio::sync::mpsc::UnboundedSender;

pub struct Cycle {
    pub job: JobId,
    pub plan: DevPlan,
    pub engine: Option<EngineClient>,
    pub kube: Option<kube::Client>,
    pub cwd: PathBuf,
    pub tx: UnboundedSender<Event>,
}

impl Cycle {
    pub async fn run(self) {
        let result = self.stages().await;
        finish_job(&self.tx, self.job, result);
    }

    fn stage(&self, stage: DevStage, since: Instant) {
        let _ = self.tx.send(Event::Dev(DevEvent::Stage {
            job: self.job,
            stage,
            took: since.elapsed(),
        }));
    }

    fn step(&self, step: DevStep) {
        let _ = self.tx.send(Event::Dev(DevEvent::Step {
            job: self.job,
            step,
        }));
    }

    fn skipped(&self, key: &str) -> bool {
        let skip = self.plan.skip.iter().any(|s| s == key);
        if skip {
            self.step(DevStep::Skipped {
                target: key.to_string(),
            });
        }
        skip
    }

    async fn stages(&self) -> Result<String, String> {
        let engine = self
            .engine
            .clone()
            .ok_or("the Docker engine is not connected; the next save tries again once it is")?;
        let docker = engine.docker.clone();
        let repo = repository(&self.plan.build.tag).to_string();
        let context = self.cwd.join(&self.plan.build.context);
        let containers: Vec<Running> = containers::running_of(&docker, &repo)
            .await?
            .into_iter()
            .filter(|c| !self.skipped(&crate::app::dev::state::container_target(&c.name)))
            .collect();
        let deployments = self.deployments(&repo).await;
        if !self.plan.sync.is_empty() {
            match self.sync_refusal(&context, &containers, &deployments) {
                None => return self.sync(&docker, &context, &containers).await,
                Some(reason) => self.step(DevStep::SyncFellBack { reason }),
            }
        }
        self.rebuild(&engine, &repo, containers, deployments).await
    }

    /// The Deployments of the image, minus those in manual mode; none without a cluster.
    async fn deployments(&self, repo: &str) -> Vec<Target> {
        let Some(client) = &self.kube else {
            return Vec::new();
        };
        match deployments::running_of(client, repo).await {
            Ok(found) => found
                .into_iter()
                .filter(|d| {
                    !self.skipped(&crate::app::dev::state::deployment_target(
                        &d.namespace,
                        &d.name,
                    ))
                })
                .collect(),
            Err(reason) => {
                let _ = self.tx.send(Event::Job {
                    id: self.job,
                    update: crate::app::core::event::JobUpdate::Output(vec![format!(
                        "Deployments not updated: {reason}"
                    )]),
                });
                Vec::new()
            }
        }
    }

    /// Why this change cannot be synced after all, if it cannot.
    fn sync_refusal(
        &self,
        context: &Path,
        containers: &[Running],
        deployments: &[Target],
    ) -> Option<String> {
        if let Some(gone) = self
            .plan
            .sync
            .iter()
            .find(|c| !context.join(&c.from).is_file())
        {
            return Some(format!(
                "{} was removed (a copy cannot delete it)",
                gone.from
            ));
        }
        if let Some(d) = deployments.first() {
            return Some(format!(
                "deployment/{} runs the image, and files are copied into containers only",
                d.name
            ));
        }
        containers
            .is_empty()
            .then(|| "no running container of the image to copy into".to_string())
    }

    async fn sync(
        &self,
        docker: &Docker,
        context: &Path,
        containers: &[Running],
    ) -> Result<String, String> {
        let started = Instant::now();
        for container in containers {
            containers::copy_in(docker, container, context, &self.plan.sync).await?;
            self.step(DevStep::Copied {
                container: container.name.clone(),
                copies: self.plan.sync.clone(),
            });
        }
        self.stage(DevStage::Sync, started);
        let started = Instant::now();
        for container in containers {
            if self.plan.restart_after_sync {
                docker
                    .restart_container(&container.id, None)
                    .await
                    .map_err(|e| engine_error(&format!("restarting {}", container.name), &e))?;
                self.step(DevStep::Restarted {
                    container: container.name.clone(),
                });
            }
            containers::wait_answering(&container.spec).await?;
        }
        self.stage(DevStage::Ready, started);
        let names: Vec<&str> = containers.iter().map(|c| c.name.as_str()).collect();
        Ok(format!(
            "{} file(s) copied into {}",
            self.plan.sync.len(),
            names.join(", ")
        ))
    }

    async fn rebuild(
        &self,
        engine: &EngineClient,
        repo: &str,
        containers: Vec<Running>,
        deployments: Vec<Target>,
    ) -> Result<String, String> {
        let started = Instant::now();
        let mut build = self.plan.build.clone();
        build.context = self.cwd.join(&build.context);
        let mut followed = BuildStream::default();
        if let Err(reason) =
            build_followed(engine, self.job, (&build, None), &self.tx, &mut followed).await
        {
            let at = followed
                .last_step
                .map(|step| format!(" at {step}"))
                .unwrap_or_default();
            return Err(format!(
                "the build failed{at}: {reason}; what ran before keeps running"
            ));
        }
        let image_id = followed
            .image_id()
            .unwrap_or_default()
            .trim_start_matches("sha256:")
            .to_string();
        let short: String = image_id.chars().take(7).collect();
        let unique = format!("{repo}:dev-{short}");
        let docker = &engine.docker;
        // A unique tag per build: with `imagePullPolicy: Never` a rebuilt `:latest`
        // would not roll a Deployment, and `set image` to a new name always does.
        let tag = bollard::query_parameters::TagImageOptionsBuilder::default()
            .repo(repo)
            .tag(&format!("dev-{short}"))
            .build();
        docker
            .tag_image(&self.plan.build.tag, Some(tag))
            .await
            .map_err(|e| engine_error(&format!("tagging {unique}"), &e))?;
        self.stage(DevStage::Build, started);
        self.step(DevStep::Built {
            build: self.plan.build.clone(),
            unique_tag: unique.clone(),
        });

        let started = Instant::now();
        let mut replaced = Vec::new();
        for old in containers {
            if old.image_id.trim_start_matches("sha256:") == image_id {
                continue;
            }
            let spec = containers::replace(docker, &old, &unique).await?;
            self.step(DevStep::Replaced(spec.clone()));
            replaced.push(spec);
        }
        if !replaced.is_empty() {
            self.stage(DevStage::Replace, started);
        }

        let started = Instant::now();
        let mut rolled = Vec::new();
        if let Some(client) = &self.kube {
            let mut changed: Vec<(String, String)> = Vec::new();
            for target in deployments.iter().filter(|t| t.image != unique) {
                deployments::set_image(client, target, &unique).await?;
                self.step(DevStep::ImageSet {
                    namespace: target.namespace.clone(),
                    deployment: target.name.clone(),
                    container: target.container.clone(),
                    image: unique.clone(),
                });
                let key = (target.namespace.clone(), target.name.clone());
                if !changed.contains(&key) {
                    changed.push(key);
                }
            }
            for (namespace, name) in &changed {
                rolled.push(deployments::wait_rolled_out(client, namespace, name).await?);
            }
            if !changed.is_empty() {
                self.stage(DevStage::Rollout, started);
            }
        }

        let started = Instant::now();
        for spec in &replaced {
            containers::wait_answering(spec).await?;
        }
        if !replaced.is_empty() || !rolled.is_empty() {
            self.stage(DevStage::Ready, started);
        }

        let mut serving: Vec<String> = replaced.iter().filter_map(|s| s.name.clone()).collect();
        serving.extend(rolled);
        Ok(if serving.is_empty() {
            format!("built {unique}; nothing new to replace")
        } else {
            format!("{unique} serving: {}", serving.join(", "))
        })
    }
}
