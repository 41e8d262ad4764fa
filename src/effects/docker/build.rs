//! `docker build`: the paths checked before a job starts, the context packed
//! and sent, and the engine's stream followed into the job, through BuildKit
//! when the engine has it (`engine_http.rs` carries the request).

use super::build_context::tar_context;
use super::build_stream::{BodyReader, BuildStream};
use super::engine_http;
use crate::app::core::command::{BuildSpec, JobId};
use crate::app::core::event::{BuildContextProblem, Event, JobUpdate};
use crate::app::core::forms::{BUILD_CONTEXT, BUILD_DOCKERFILE};
use crate::domain::Builder;
use crate::sources::docker_endpoint::EngineClient;
use tokio::sync::mpsc::UnboundedSender;

type Sender = UnboundedSender<Event>;

fn job(tx: &Sender, id: JobId, update: JobUpdate) {
    let _ = tx.send(Event::Job { id, update });
}

/// Check the paths of a build before a job starts; the form shows what is wrong.
pub fn check_build_context(
    spec: BuildSpec,
    cwd: &std::path::Path,
) -> Result<BuildSpec, BuildContextProblem> {
    // Collecting the components drops the "." parts: "/app/." reads as "/app".
    let dir: std::path::PathBuf = cwd.join(&spec.context).components().collect();
    let field = |field, message| Err(BuildContextProblem::Field { field, message });
    match std::fs::metadata(&dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            return field(
                BUILD_CONTEXT,
                format!("{} is a file, not a directory", spec.context.display()),
            );
        }
        Err(_) => {
            return field(
                BUILD_CONTEXT,
                format!("{} does not exist", spec.context.display()),
            );
        }
    }
    let dockerfile = dir.join(&spec.dockerfile);
    if !dockerfile.is_file() {
        if spec.dockerfile == "Dockerfile" && !dockerfile.exists() {
            return Err(BuildContextProblem::NoDockerfile { dir });
        }
        return field(
            BUILD_DOCKERFILE,
            format!("no file {} in {}", spec.dockerfile, spec.context.display()),
        );
    }
    Ok(spec)
}

/// `docker build`: stream the engine's output into the job, with its steps.
pub async fn build(engine: EngineClient, id: JobId, spec: BuildSpec, tx: Sender) {
    let result = build_inner(&engine, id, &spec, None, &tx).await;
    job(&tx, id, JobUpdate::Finished(result));
}

pub(crate) async fn build_inner(
    engine: &EngineClient,
    id: JobId,
    spec: &BuildSpec,
    platform: Option<&str>,
    tx: &Sender,
) -> Result<String, String> {
    let mut followed = BuildStream::default();
    build_followed(engine, id, (spec, platform), tx, &mut followed).await?;
    let short = followed.short_image_id();
    Ok(match short {
        Some(short) => format!("built {} ({short})", spec.tag),
        None => format!("built {}", spec.tag),
    })
}

/// Pack the context, send it, and follow the engine's stream into the job;
/// `followed` keeps the image id and the step a failure stopped at. BuildKit
/// when the engine has it; the classic builder when it does not, or when it
/// refuses a BuildKit build (the job says why).
pub(crate) async fn build_followed(
    engine: &EngineClient,
    id: JobId,
    (spec, platform): (&BuildSpec, Option<&str>),
    tx: &Sender,
    followed: &mut BuildStream,
) -> Result<(), String> {
    let context = spec.context.clone();
    let dockerfile = spec.dockerfile.clone();
    let tar = tokio::task::spawn_blocking(move || tar_context(&context, &dockerfile))
        .await
        .map_err(|e| format!("packing the build context failed: {e}"))?
        .map_err(|e| format!("{e:#}"))?;
    let size = crate::domain::humanize_size(tar.len() as u64);
    let tar = bytes::Bytes::from(tar);
    let mut builder = engine.builder.clone();
    loop {
        let named = match &builder {
            Builder::BuildKit => "BuildKit".to_string(),
            Builder::Classic { reason } => format!("the classic builder ({reason})"),
        };
        job(
            tx,
            id,
            JobUpdate::Output(vec![format!(
                "Sending build context to Docker daemon  {size}, building with {named}"
            )]),
        );
        let query = build_query(spec, platform, &builder);
        let mut answer =
            engine_http::post(&engine.endpoint, &query, "application/x-tar", tar.clone())
                .await
                .map_err(|e| format!("{e:#}"))?;
        if !answer.status.is_success() {
            let reason = refusal_reason(&answer.text().await);
            if builder == Builder::BuildKit && reason.to_ascii_lowercase().contains("buildkit") {
                builder = Builder::Classic {
                    reason: format!("the engine refused BuildKit: {reason}"),
                };
                continue;
            }
            return Err(reason);
        }
        let mut reader = BodyReader::default();
        while let Some(chunk) = answer.next_chunk().await {
            let chunk = chunk.map_err(|e| format!("{e:#}"))?;
            for message in reader.push(&chunk)? {
                for update in followed.feed(message)? {
                    job(tx, id, update);
                }
            }
        }
        return reader.finish();
    }
}

/// The query `docker build -t TAG -f DOCKERFILE` sends, with the builder's version.
/// `platform` (`--platform linux/amd64`) builds for another architecture than the engine's.
fn build_query(spec: &BuildSpec, platform: Option<&str>, builder: &Builder) -> String {
    let version = match builder {
        Builder::BuildKit => "2",
        Builder::Classic { .. } => "1",
    };
    let platform = platform
        .map(|p| format!("&platform={}", crate::domain::text::percent_encode(p)))
        .unwrap_or_default();
    format!(
        "/build?t={}&dockerfile={}&rm=1&version={version}{platform}",
        crate::domain::text::percent_encode(&spec.tag),
        crate::domain::text::percent_encode(&spec.dockerfile)
    )
}

/// The engine's `{"message": ...}` of an error answer, or its text.
fn refusal_reason(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["message"].as_str().map(str::to_string))
        .unwrap_or_else(|| body.to_string())
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_context_problems_name_the_field() {
        let dir = tempfile::tempdir().unwrap();
        let spec = |context: &str, dockerfile: &str| BuildSpec {
            context: context.into(),
            dockerfile: dockerfile.into(),
            tag: "t".into(),
        };
        assert_eq!(
            check_build_context(spec("nope", "Dockerfile"), dir.path()),
            Err(BuildContextProblem::Field {
                field: BUILD_CONTEXT,
                message: "nope does not exist".into()
            })
        );
        assert_eq!(
            check_build_context(spec(".", "Dockerfile"), dir.path()),
            Err(BuildContextProblem::NoDockerfile {
                dir: dir.path().join(".")
            })
        );
        assert!(matches!(
            check_build_context(spec(".", "Other.dockerfile"), dir.path()),
            Err(BuildContextProblem::Field {
                field: BUILD_DOCKERFILE,
                ..
            })
        ));
        std::fs::write(dir.path().join("Dockerfile"), "FROM scratch").unwrap();
        assert!(check_build_context(spec(".", "Dockerfile"), dir.path()).is_ok());
    }
}
