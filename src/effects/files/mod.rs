//! The files family: what pilothouse writes in the app's directory (a
//! Dockerfile, a Deployment manifest, the history script), path completion
//! for the forms, and opening a URL in the browser. All of it runs on the
//! blocking pool, never on the event loop's thread.

pub mod paths;
pub mod scaffold;

use super::shared::Shared;
use crate::app::core::command::Command;
use crate::app::core::event::Event;

/// The manifest the walkthrough writes (`m` on an image writes one like it).
const SUGGESTED_MANIFEST: &str = "cookbook-deployment.yaml";

#[derive(Default)]
pub struct FileEffects;

impl FileEffects {
    pub fn perform(&mut self, command: Command, shared: &mut Shared) {
        let tx = shared.tx.clone();
        match command {
            Command::CompletePath { typed } => {
                let dir = shared.cwd.clone();
                tokio::task::spawn_blocking(move || {
                    let (completed, matches) = paths::complete(&dir, &typed);
                    let _ = tx.send(Event::PathCompleted {
                        typed,
                        completed,
                        matches,
                    });
                });
            }
            Command::SuggestManifest => {
                let dir = shared.cwd.clone();
                tokio::task::spawn_blocking(move || {
                    if dir.join(SUGGESTED_MANIFEST).is_file() {
                        // As a completion of nothing typed: the form takes it only while its field is empty.
                        let _ = tx.send(Event::PathCompleted {
                            typed: String::new(),
                            completed: SUGGESTED_MANIFEST.to_string(),
                            matches: Vec::new(),
                        });
                    }
                });
            }
            Command::ScaffoldDockerfile { dir } => {
                tokio::task::spawn_blocking(move || {
                    let _ = tx.send(Event::Scaffolded(scaffold::write_dockerfile(&dir)));
                });
            }
            Command::ScaffoldDeployment { dir, name, image } => {
                let docker = shared.docker();
                tokio::spawn(async move {
                    // The container port from the image's EXPOSE, when the engine knows the image.
                    let port = match docker {
                        Some(docker) => {
                            crate::effects::docker::engine::first_exposed_tcp_port(&docker, &image)
                                .await
                        }
                        None => None,
                    };
                    let written = tokio::task::spawn_blocking(move || {
                        scaffold::write_deployment(&dir, &name, &image, port)
                    })
                    .await
                    .unwrap_or_else(|e| Err(format!("writing the manifest failed: {e}")));
                    let _ = tx.send(Event::Scaffolded(written));
                });
            }
            Command::ExportHistory {
                path,
                text,
                replace,
            } => {
                tokio::task::spawn_blocking(move || {
                    let written = scaffold::write_script(&path, &text, replace)
                        .map(|p| p.display().to_string());
                    let _ = tx.send(Event::Exported(written));
                });
            }
            Command::SaveLogs {
                path,
                text,
                replace,
            } => {
                tokio::task::spawn_blocking(move || {
                    let written = scaffold::write_text(&path, &text, replace)
                        .map(|p| p.display().to_string());
                    let _ = tx.send(Event::LogsSaved(written));
                });
            }
            Command::OpenUrl(url) => {
                tokio::task::spawn_blocking(move || {
                    // webbrowser honours $BROWSER before the desktop's default.
                    if let Err(err) = webbrowser::open(&url) {
                        let _ =
                            tx.send(Event::EffectFailed(format!("Could not open {url}: {err}")));
                    }
                });
            }
            other => super::shared::misrouted("files", &other),
        }
    }
}
