//! Builds on the real engine through BuildKit: a Dockerfile only BuildKit
//! builds (`RUN --mount=type=cache`) over a base image made here `FROM
//! scratch` with busybox, its RUN output in the job; the same Dockerfile
//! under `DOCKER_BUILDKIT=0` goes to the classic builder, which names
//! itself and gives the engine's refusal. A build cancelled while its RUN
//! sleeps ends at once, and the engine ends the RUN's process.

mod common;

use common::scenario::job_updates;
use common::*;
use pilothouse::app::core::command::BuildSpec;
use pilothouse::app::core::event::JobUpdate;
use pilothouse::domain::Builder;
use pilothouse::sources::docker_endpoint::{DockerEnv, EngineClient, connect_engine, resolve};
use std::path::Path;

fn output(updates: &[JobUpdate]) -> Vec<String> {
    updates
        .iter()
        .filter_map(|u| match u {
            JobUpdate::Output(lines) => Some(lines.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

async fn build(
    engine: EngineClient,
    context: &Path,
    tag: &str,
    job: u64,
) -> (Vec<String>, Result<String, String>) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let spec = BuildSpec {
        context: context.to_path_buf(),
        dockerfile: "Dockerfile".into(),
        tag: tag.into(),
    };
    tokio::spawn(pilothouse::effects::docker::build::build(
        engine, job, spec, tx,
    ));
    let (updates, result) = job_updates(&mut rx, job).await;
    (output(&updates), result)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buildkit_builds_a_cache_mount_the_classic_builder_names_itself_and_a_cancel_ends_the_run()
{
    let test =
        "buildkit_builds_a_cache_mount_the_classic_builder_names_itself_and_a_cancel_ends_the_run";
    let Some(docker) = engine(test).await else {
        return;
    };
    let base = format!("pilothouse-test-bk-base:{}", std::process::id());
    let tag = format!("pilothouse-test-bk:{}", std::process::id());
    let outcome = exercise(&base, &tag).await;
    let cancelled = match &outcome {
        Ok(()) => cancel_a_build(&base).await,
        Err(_) => Ok(()),
    };
    clean_up(&docker, &[], &[&tag, &base]).await;
    outcome.unwrap_or_else(|e| panic!("{e}"));
    cancelled.unwrap_or_else(|e| panic!("{e}"));
}

/// Host processes running `sleep SECONDS` (a build's RUN runs on the host's kernel).
fn sleepers(seconds: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            let words: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
            let sleeping =
                words.iter().any(|w| w.ends_with(b"sleep")) && words.contains(&seconds.as_bytes());
            sleeping.then(|| entry.file_name().to_string_lossy().into_owned())
        })
        .collect()
}

async fn cancel_a_build(base: &str) -> Result<(), String> {
    use pilothouse::app::core::command::Command;
    use pilothouse::app::core::event::Event;
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    // A number of seconds no other process sleeps, to find this RUN among the host's.
    let seconds = format!("{}", 40_000 + std::process::id() % 10_000);
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!("FROM {base}\nLABEL pilothouse.test=1\nRUN sleep {seconds}\n"),
    )
    .map_err(|e| e.to_string())?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let engine = local_engine().await;
    let mut effects = pilothouse::effects::Effects::new(
        tx,
        tokio::sync::watch::channel(Some(engine)).1,
        dir.path().into(),
    );
    effects.perform(Command::Build {
        job: 4,
        spec: BuildSpec {
            context: ".".into(),
            dockerfile: "Dockerfile".into(),
            tag: format!("pilothouse-test-bk-cancelled:{}", std::process::id()),
        },
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while sleepers(&seconds).is_empty() {
        if Instant::now() > deadline {
            return Err(format!("the build's RUN sleep {seconds} never started"));
        }
        if let Ok(Event::Job {
            id: 4,
            update: JobUpdate::Finished(result),
        }) = rx.try_recv()
        {
            return Err(format!("the sleeping build ended by itself: {result:?}"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let running = sleepers(&seconds);
    let cancelled_at = Instant::now();
    effects.perform(Command::CancelJob(4));
    let ended = loop {
        match tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
            Ok(Some(Event::Job {
                id: 4,
                update: JobUpdate::Finished(result),
            })) => break result,
            Ok(Some(_)) => continue,
            other => return Err(format!("no end after cancelling: {other:?}")),
        }
    };
    if !ended.as_ref().is_err_and(|e| e.starts_with("cancelled")) {
        return Err(format!("the cancelled build ended as {ended:?}"));
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while !sleepers(&seconds).is_empty() {
        if Instant::now() > deadline {
            return Err(format!(
                "the RUN sleep {seconds} still runs 20 s after the build was cancelled: {:?}",
                sleepers(&seconds)
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!(
        "RUN sleep {seconds} (pids {running:?}) gone {:?} after the build was cancelled",
        cancelled_at.elapsed()
    );
    Ok(())
}

async fn exercise(base: &str, tag: &str) -> Result<(), String> {
    let endpoint = resolve(&DockerEnv::from_process()).map_err(|e| format!("{e:#}"))?;
    let (engine, info) = connect_engine(endpoint.clone(), None).await?;
    if info.builder != Builder::BuildKit {
        return Err(format!(
            "engine {} (API {}) on {}: {:?}, not BuildKit",
            info.version, info.api_version, info.os, info.builder
        ));
    }
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let base_dir = dir.path().join("base");
    std::fs::create_dir_all(&base_dir).map_err(|e| e.to_string())?;
    std::fs::copy(BUSYBOX, base_dir.join("busybox")).map_err(|e| e.to_string())?;
    std::fs::write(
        base_dir.join("Dockerfile"),
        "FROM scratch\nLABEL pilothouse.test=1\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n",
    )
    .map_err(|e| e.to_string())?;
    let (lines, result) = build(engine.clone(), &base_dir, base, 1).await;
    result.map_err(|e| format!("the busybox base image: {e}\n{lines:#?}"))?;

    let app = dir.path().join("app");
    std::fs::create_dir_all(&app).map_err(|e| e.to_string())?;
    std::fs::write(
        app.join("Dockerfile"),
        format!(
            "FROM {base}\nLABEL pilothouse.test=1\n\
             RUN --mount=type=cache,target=/cache echo kept-in-cache > /cache/note && cat /cache/note\n"
        ),
    )
    .map_err(|e| e.to_string())?;
    let (lines, result) = build(engine.clone(), &app, tag, 2).await;
    let summary = result.map_err(|e| format!("the cache-mount build failed: {e}\n{lines:#?}"))?;
    if !summary.starts_with(&format!("built {tag}")) {
        return Err(format!("the build's summary: {summary}"));
    }
    for expected in [
        "building with BuildKit",
        "RUN --mount=type=cache,target=/cache",
        "kept-in-cache",
        "DONE",
    ] {
        if !lines.iter().any(|l| l.contains(expected)) {
            return Err(format!(
                "{expected:?} not in the build's output: {lines:#?}"
            ));
        }
    }

    // DOCKER_BUILDKIT=0: the classic builder, named, and the engine's reason it cannot.
    let (classic, info) = connect_engine(endpoint, Some("0")).await?;
    let expected_builder = Builder::Classic {
        reason: "DOCKER_BUILDKIT=0".into(),
    };
    if info.builder != expected_builder {
        return Err(format!("DOCKER_BUILDKIT=0 chose {:?}", info.builder));
    }
    let (lines, result) = build(classic, &app, tag, 3).await;
    let named = lines
        .iter()
        .any(|l| l.contains("building with the classic builder (DOCKER_BUILDKIT=0)"));
    match result {
        Err(reason) if named && reason.contains("BuildKit") => Ok(()),
        other => Err(format!(
            "the classic builder took a cache mount: {other:?}\n{lines:#?}"
        )),
    }
}

/// An engine that refuses BuildKit builds (as a daemon built without it
/// answers): the build goes again to the classic builder, and the job names
/// it with the engine's reason. The engine here is a few lines of HTTP on
/// 127.0.0.1 that answers `/build` as such a daemon does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_engine_that_refuses_buildkit_gets_the_classic_builder_named() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let port = listener.local_addr().expect("its address").port();
    let engine = tokio::spawn(async move {
        let mut asked = Vec::new();
        for _ in 0..2 {
            let (mut stream, _) = listener.accept().await.expect("a connection");
            let mut request = Vec::new();
            let mut buffer = [0u8; 4096];
            let head_end = loop {
                let read = stream.read(&mut buffer).await.expect("the request");
                request.extend_from_slice(&buffer[..read]);
                if let Some(at) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                    break at + 4;
                }
            };
            let head = String::from_utf8_lossy(&request[..head_end]).to_string();
            let length: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap_or(0))
                })
                .unwrap_or(0);
            while request.len() < head_end + length {
                let read = stream.read(&mut buffer).await.expect("the body");
                request.extend_from_slice(&buffer[..read]);
            }
            let line = head.lines().next().unwrap_or_default().to_string();
            let (status, body) = if line.contains("version=2") {
                (
                    "400 Bad Request",
                    "{\"message\":\"buildkit not supported by daemon\"}\n".to_string(),
                )
            } else {
                (
                    "200 OK",
                    "{\"stream\":\"Step 1/1 : FROM scratch\\n\"}\r\n{\"aux\":{\"ID\":\"sha256:0123456789abcdef\"}}\r\n{\"stream\":\"Successfully built 0123456789ab\\n\"}\r\n".to_string(),
                )
            };
            let answer = format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            stream
                .write_all(answer.as_bytes())
                .await
                .expect("the answer");
            asked.push(line);
        }
        asked
    });
    let endpoint = pilothouse::sources::docker_endpoint::Endpoint {
        host: format!("tcp://127.0.0.1:{port}"),
        tls: None,
        origin: "test".into(),
    };
    let client = EngineClient {
        docker: pilothouse::sources::docker_endpoint::client_for(&endpoint).expect("a client"),
        endpoint,
        builder: Builder::BuildKit,
    };
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("Dockerfile"), "FROM scratch\n").expect("Dockerfile");
    let (lines, result) = build(client, dir.path(), "refused:latest", 5).await;
    assert_eq!(
        result.as_deref(),
        Ok("built refused:latest (0123456789ab)"),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.ends_with(
            "building with the classic builder (the engine refused BuildKit: buildkit not supported by daemon)"
        )),
        "{lines:#?}"
    );
    let asked = engine.await.expect("the engine answered");
    assert!(
        asked[0]
            .starts_with("POST /build?t=refused%3Alatest&dockerfile=Dockerfile&rm=1&version=2 "),
        "{asked:?}"
    );
    assert!(asked[1].contains("&version=1 "), "{asked:?}");
}
