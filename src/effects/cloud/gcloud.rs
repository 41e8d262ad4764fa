//! Cloud Run through the user's own gcloud: the settings file, who is logged
//! in, the services list, and a deploy streamed into a job. gcloud runs with an
//! argument vector, in the app directory, with the user's environment plus only
//! what pilothouse was told to set (the demo's simulated endpoints).

use crate::app::cloud::deploy::AppPorts;
use crate::app::cloud::settings::{
    CloudRunSettings, ProjectFile, access_token_args, config_list_args, parse_project_file,
    render_project_file,
};
use crate::app::core::command::JobId;
use crate::app::core::event::{CloudEvent, Event, JobUpdate};
use crate::domain::cloud::{GcloudState, parse_config, parse_services};
use crate::effects::shared::finish_job;
use crate::process::{self, RunError};
use crate::sources::docker_endpoint::EngineClient;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

pub const SETTINGS_FILE: &str = "pilothouse.toml";
/// config list and services list answer in a few seconds; a hung network should not hang the pane.
pub const QUERY_TIMEOUT: Duration = Duration::from_secs(60);

/// How to run gcloud: the program and the variables pilothouse sets on top of the user's.
#[derive(Debug, Clone)]
pub struct Gcloud {
    pub program: OsString,
    pub env: Vec<(String, String)>,
    pub dir: PathBuf,
    /// How long one query may take (QUERY_TIMEOUT unless a test says otherwise).
    pub timeout: Duration,
}

impl Gcloud {
    pub(super) fn command(&self, args: &[String]) -> tokio::process::Command {
        let mut command = process::command(&self.program, args);
        command
            .current_dir(&self.dir)
            .envs(self.env.iter().cloned());
        command
    }
}

fn send(tx: &UnboundedSender<Event>, event: CloudEvent) {
    let _ = tx.send(Event::Cloud(event));
}

pub(super) fn run_error(e: &RunError) -> String {
    e.sentence("gcloud", crate::app::cloud::deploy::INSTALL_HINT)
}

/// `pilothouse.toml`'s `[cloudrun]`, and what the Dockerfile says of the port.
pub fn load_settings(dir: &Path, tx: &UnboundedSender<Event>) {
    let path = dir.join(SETTINGS_FILE);
    let settings = match std::fs::read_to_string(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        Ok(text) => parse_project_file(&text)
            .map(|file| file.cloudrun)
            .map_err(|e| format!("{}: {e}", path.display())),
    };
    send(tx, CloudEvent::Settings(settings));
    send(tx, CloudEvent::AppPorts(app_ports(dir)));
}

/// EXPOSEd ports of the Dockerfile, and whether it or the app's top-level sources mention `PORT`.
pub fn app_ports(dir: &Path) -> AppPorts {
    let dockerfile = std::fs::read_to_string(dir.join("Dockerfile")).unwrap_or_default();
    // A Dockerfile the builder would refuse says nothing about ports.
    let exposed = crate::domain::dockerfile::parse(&dockerfile)
        .map(|instructions| crate::domain::dockerfile::exposed_ports(&instructions))
        .unwrap_or_default();
    let mentions_port = |text: &str| {
        text.contains("$PORT")
            || text.contains("${PORT")
            || text.contains("\"PORT\"")
            || text.contains("'PORT'")
    };
    let sources_mention = std::fs::read_dir(dir)
        .map(|entries| {
            entries.filter_map(Result::ok).any(|entry| {
                let path = entry.path();
                let source = path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                    matches!(
                        e,
                        "py" | "js"
                            | "mjs"
                            | "ts"
                            | "go"
                            | "rb"
                            | "java"
                            | "kt"
                            | "rs"
                            | "php"
                            | "sh"
                    )
                });
                source && std::fs::read_to_string(&path).is_ok_and(|text| mentions_port(&text))
            })
        })
        .unwrap_or(false);
    AppPorts {
        exposed,
        reads_port_env: mentions_port(&dockerfile) || sources_mention,
        test_command: guess_test_command(dir),
        language: guess_language(dir),
    }
}

/// The language a CI test job sets up, from the app's files: Python (the version
/// of `.python-version`, else the newest 3) when it has Python's project files and
/// is not a Node app. Others run on the runner's own toolchains.
pub fn guess_language(dir: &Path) -> Option<crate::app::cloud::workflow::LanguageSetup> {
    let has = |name: &str| dir.join(name).exists();
    let python = ["requirements.txt", "pyproject.toml", "setup.py", "Pipfile"]
        .iter()
        .any(|f| has(f));
    if !python || has("package.json") {
        return None;
    }
    let version = std::fs::read_to_string(dir.join(".python-version"))
        .ok()
        .and_then(|text| text.lines().next().map(|l| l.trim().to_string()))
        .filter(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '.'))
        .unwrap_or_else(|| "3.x".to_string());
    Some(crate::app::cloud::workflow::LanguageSetup::Python { version })
}

/// What a CI test job should run, from what the app directory holds.
pub fn guess_test_command(dir: &Path) -> String {
    let has = |name: &str| dir.join(name).exists();
    if has("package.json") {
        "npm ci && npm test".to_string()
    } else if has("go.mod") {
        "go test ./...".to_string()
    } else if has("Cargo.toml") {
        "cargo test".to_string()
    } else if has("requirements.txt") {
        // pytest fails when there are no tests at all; without them, at least install and compile.
        if has("tests") || has("test") {
            "pip install -r requirements.txt pytest && python -m pytest".to_string()
        } else {
            "pip install -r requirements.txt && python -m compileall -q .".to_string()
        }
    } else {
        "echo 'add the tests here'".to_string()
    }
}

/// Write a workflow; over a different existing file only with `force` (the
/// user has seen the diff). Then actionlint checks it, where it is installed.
pub async fn write_workflow(
    dir: PathBuf,
    path: String,
    text: String,
    force: bool,
    tx: UnboundedSender<Event>,
) {
    let full = dir.join(&path);
    match tokio::fs::read_to_string(&full).await {
        Ok(existing) if existing == text => {
            send(
                &tx,
                CloudEvent::WorkflowWritten(Ok((path, "already up to date".into()))),
            );
            return;
        }
        Ok(existing) if !force => {
            send(
                &tx,
                CloudEvent::WorkflowDiffers {
                    path,
                    diff: crate::app::cloud::workflow::diff(&existing, &text),
                    text,
                },
            );
            return;
        }
        _ => {}
    }
    let written = async {
        if let Some(parent) = full.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        tokio::fs::write(&full, &text).await
    }
    .await
    .map_err(|e| format!("cannot write {}: {e}", full.display()));
    if let Err(message) = written {
        send(&tx, CloudEvent::WorkflowWritten(Err(message)));
        return;
    }
    let mut lint = process::command(
        std::ffi::OsStr::new("actionlint"),
        ["-no-color", path.as_str()],
    );
    lint.current_dir(&dir);
    let lint = process::output(lint, QUERY_TIMEOUT).await;
    let verdict = match lint {
        Err(RunError::NotFound) => {
            "written (actionlint is not installed, so it was not checked)".to_string()
        }
        Err(e) => format!("written; actionlint did not run: {}", run_error(&e)),
        Ok(done) if done.code == Some(0) => "written; actionlint finds nothing".to_string(),
        Ok(done) => format!(
            "written; actionlint says: {}",
            done.stdout.lines().next().unwrap_or_default()
        ),
    };
    send(&tx, CloudEvent::WorkflowWritten(Ok((path, verdict))));
}

pub fn save_settings(dir: &Path, settings: CloudRunSettings, tx: &UnboundedSender<Event>) {
    let path = dir.join(SETTINGS_FILE);
    // The file's other tables (`[dev]`) are kept: only `[cloudrun]` is the form's.
    let kept = std::fs::read_to_string(&path)
        .ok()
        .and_then(|text| parse_project_file(&text).ok())
        .unwrap_or_default();
    let result = render_project_file(&ProjectFile {
        cloudrun: Some(settings),
        ..kept
    })
    .map(|text| format!("# Cloud Run settings for pilothouse (D deploys with them).\n{text}"))
    .and_then(|text| {
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    })
    .map(|()| path);
    send(tx, CloudEvent::SettingsSaved(result));
}

/// Who is logged in, and (with settings) the project's services.
pub async fn refresh(gcloud: Gcloud, list: Option<Vec<String>>, tx: UnboundedSender<Event>) {
    let state = match process::output(gcloud.command(&config_list_args()), gcloud.timeout).await {
        Err(RunError::NotFound) => GcloudState::NotInstalled,
        Err(e) => GcloudState::Failed(run_error(&e)),
        Ok(done) if done.code != Some(0) => GcloudState::Failed(done.reason()),
        Ok(done) => parse_config(&done.stdout)
            .map(GcloudState::Ready)
            .unwrap_or_else(|e| GcloudState::Failed(format!("gcloud config list: {e}"))),
    };
    let ready = matches!(state, GcloudState::Ready(_));
    send(&tx, CloudEvent::Gcloud(state));
    let Some(list) = list.filter(|_| ready) else {
        return;
    };
    let services = match process::output(gcloud.command(&list), gcloud.timeout).await {
        Err(e) => Err(run_error(&e)),
        Ok(done) if done.code != Some(0) => Err(done.reason()),
        Ok(done) => parse_services(&done.stdout),
    };
    send(&tx, CloudEvent::Services(services));
}

/// What a deploy runs, in order.
pub struct DeployPlan {
    pub job: JobId,
    pub service: String,
    /// The local mode: build this image with the Docker side and push it first.
    pub local: Option<(String, Option<EngineClient>)>,
    pub steps: Vec<Vec<String>>,
    pub describe: Vec<String>,
}

/// Cloud Run runs linux/amd64 images: the local mode builds for it whatever the host is.
const CLOUD_RUN_PLATFORM: &str = crate::app::cloud::settings::CLOUD_RUN_PLATFORM;

/// The local mode's first half: build here, then push with gcloud's access token.
/// The token goes to the engine as the registry password and nowhere else.
async fn build_and_push(
    gcloud: &Gcloud,
    (job, total): (JobId, u32),
    image: &str,
    engine: Option<EngineClient>,
    tx: &UnboundedSender<Event>,
) -> Result<(), String> {
    let engine =
        engine.ok_or("the Docker engine is not connected; the local mode builds with it")?;
    let docker = &engine.docker;
    let step = |current| {
        let _ = tx.send(Event::Job {
            id: job,
            update: JobUpdate::Step { current, total },
        });
    };
    let line = |text: String| {
        let _ = tx.send(Event::Job {
            id: job,
            update: JobUpdate::Output(vec![text]),
        });
    };
    step(1);
    line(format!(
        "$ docker build --platform {CLOUD_RUN_PLATFORM} -t {image} ."
    ));
    let spec = crate::app::core::command::BuildSpec {
        context: gcloud.dir.clone(),
        dockerfile: "Dockerfile".to_string(),
        tag: image.to_string(),
    };
    crate::effects::docker::build::build_inner(&engine, job, &spec, Some(CLOUD_RUN_PLATFORM), tx)
        .await?;
    line(
        "$ gcloud auth print-access-token   (the token is passed to the engine, never shown)"
            .into(),
    );
    let token = match process::output(gcloud.command(&access_token_args()), gcloud.timeout).await {
        Ok(done) if done.code == Some(0) && !done.stdout.trim().is_empty() => {
            done.stdout.trim().to_string()
        }
        Ok(done) => {
            return Err(format!(
                "gcloud auth print-access-token failed: {}",
                done.reason()
            ));
        }
        Err(e) => return Err(run_error(&e)),
    };
    step(2);
    line(format!("$ docker push {image}"));
    let registry = image.split('/').next().unwrap_or_default().to_string();
    let credentials = bollard::auth::DockerCredentials {
        username: Some("oauth2accesstoken".to_string()),
        password: Some(token),
        serveraddress: Some(registry),
        ..Default::default()
    };
    crate::effects::docker::engine::push(docker, job, image, credentials, tx).await?;
    Ok(())
}

/// Run the deploy's steps in order into one job, then read the URL.
pub async fn deploy(gcloud: Gcloud, plan: DeployPlan, tx: UnboundedSender<Event>) {
    let DeployPlan {
        job,
        service,
        local,
        steps,
        describe,
    } = plan;
    let output = |line: String| {
        let _ = tx.send(Event::Job {
            id: job,
            update: JobUpdate::Output(vec![line]),
        });
    };
    let before = if local.is_some() { 2 } else { 0 };
    let total = (before + steps.len()) as u32;
    if let Some((image, docker)) = local
        && let Err(reason) = build_and_push(&gcloud, (job, total), &image, docker, &tx).await
    {
        finish_job(&tx, job, Err(reason));
        return;
    }
    for (index, step) in steps.iter().enumerate() {
        let _ = tx.send(Event::Job {
            id: job,
            update: JobUpdate::Step {
                current: (before + index) as u32 + 1,
                total,
            },
        });
        output(format!(
            "$ {}",
            crate::app::cloud::settings::command_line("gcloud", step)
        ));
        let result = process::stream_lines(gcloud.command(step), output).await;
        let failed = match result {
            Err(e) => Some(run_error(&e)),
            Ok(done) if done.code != Some(0) => Some(format!(
                "gcloud {} failed ({}): {}",
                step.iter().take(2).cloned().collect::<Vec<_>>().join(" "),
                done.code.map_or("killed".into(), |c| format!("exit {c}")),
                done.reason()
            )),
            Ok(_) => None,
        };
        if let Some(reason) = failed {
            finish_job(&tx, job, Err(reason));
            return;
        }
    }
    let url = match process::output(gcloud.command(&describe), gcloud.timeout).await {
        Ok(done) if done.code == Some(0) && done.stdout.trim().starts_with("http") => {
            Ok(done.stdout.trim().to_string())
        }
        Ok(done) => Err(format!(
            "deployed, but the URL could not be read: {}",
            done.reason()
        )),
        Err(e) => Err(format!(
            "deployed, but the URL could not be read: {}",
            run_error(&e)
        )),
    };
    match url {
        Ok(url) => {
            finish_job(&tx, job, Ok(format!("serving at {url}")));
            send(&tx, CloudEvent::Deployed { service, url });
        }
        Err(reason) => finish_job(&tx, job, Err(reason)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dockerfile_says_which_port_and_whether_port_is_read() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("Dockerfile"),
            "FROM python:3\nEXPOSE 8000/tcp 9000\nexpose 8000\n",
        )
        .expect("write");
        std::fs::write(dir.path().join("run.py"), "app.run(port=8000)\n").expect("write");
        let ports = app_ports(dir.path());
        assert_eq!(ports.exposed, [8000, 9000]);
        assert!(!ports.reads_port_env);
        std::fs::write(
            dir.path().join("run.py"),
            "port = int(os.environ.get(\"PORT\", 8080))\n",
        )
        .expect("write");
        assert!(app_ports(dir.path()).reads_port_env);
    }

    #[test]
    fn settings_are_saved_and_read_back() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        load_settings(dir.path(), &tx);
        assert_eq!(
            rx.try_recv().ok(),
            Some(Event::Cloud(CloudEvent::Settings(Ok(None))))
        );
        let _ = rx.try_recv();
        let settings = CloudRunSettings {
            project: "my-proj".into(),
            region: "us-central1".into(),
            service: "web".into(),
            repository: "apps".into(),
            image: String::new(),
            mode: crate::app::cloud::settings::DeployMode::Source,
            allow_unauthenticated: false,
        };
        let _app_ports = rx.try_recv();
        save_settings(dir.path(), settings.clone(), &tx);
        assert!(matches!(
            rx.try_recv(),
            Ok(Event::Cloud(CloudEvent::SettingsSaved(Ok(_))))
        ));
        load_settings(dir.path(), &tx);
        assert_eq!(
            rx.try_recv().ok(),
            Some(Event::Cloud(CloudEvent::Settings(Ok(Some(settings)))))
        );
        let _app_ports = rx.try_recv();
        std::fs::write(
            dir.path().join(SETTINGS_FILE),
            "[cloudrun]\nprojekt = \"x\"\n",
        )
        .expect("write");
        load_settings(dir.path(), &tx);
        let Ok(Event::Cloud(CloudEvent::Settings(Err(message)))) = rx.try_recv() else {
            panic!("an error")
        };
        assert!(
            message.contains("pilothouse.toml") && message.contains("projekt"),
            "{message}"
        );
    }
}
