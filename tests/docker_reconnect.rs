//! Losing the engine never ends the program: the source reports
//! "disconnected" with the reason, retries with backoff, and recovers by
//! itself when the engine answers again (here: a Unix socket proxy to the
//! real engine that the test starts late and then kills).

mod common;

use pilothouse::app::core::event::{DockerEvent, Event};
use pilothouse::sources::docker::DockerSource;
use pilothouse::sources::docker_endpoint::DockerEnv;
use std::path::Path;
use std::time::Duration;
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, watch};

/// Forward every connection on `listen` to the engine's socket until aborted.
async fn proxy(listener: UnixListener, engine: String) {
    loop {
        let Ok((mut client, _)) = listener.accept().await else {
            return;
        };
        let engine = engine.clone();
        tokio::spawn(async move {
            if let Ok(mut upstream) = UnixStream::connect(&engine).await {
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            }
        });
    }
}

/// The first Docker event `pick` accepts.
async fn wait_for<T>(
    rx: &mut mpsc::UnboundedReceiver<Event>,
    what: &str,
    mut pick: impl FnMut(&DockerEvent) -> Option<T>,
) -> T {
    common::next_matching(rx, what, |event| match event {
        Event::Docker(docker) => pick(&docker),
        _ => None,
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_source_reconnects_when_the_engine_comes_back() {
    let test = "the_source_reconnects_when_the_engine_comes_back";
    if common::engine(test).await.is_none() {
        return;
    }
    let engine_socket = "/var/run/docker.sock";
    if !Path::new(engine_socket).exists() {
        let why =
            format!("the engine is not on {engine_socket}, which this proxy test forwards to");
        assert!(
            std::env::var("PILOTHOUSE_REQUIRE_DOCKER").map_or(true, |v| v != "1"),
            "{test}: {why}"
        );
        eprintln!("SKIPPED {test}: {why}");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let socket = dir.path().join("engine.sock");
    let env = DockerEnv {
        docker_host: Some(format!("unix://{}", socket.display())),
        ..Default::default()
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (client_tx, client_rx) = watch::channel(None);
    let source = tokio::spawn(
        DockerSource {
            env,
            refresh: Duration::from_secs(1),
            events: tx,
            client: client_tx,
        }
        .run(),
    );

    // No engine behind the socket yet: disconnected, with the reason, and retrying.
    let reason = wait_for(&mut rx, "Disconnected", |e| match e {
        DockerEvent::Disconnected { reason, .. } => Some(reason.clone()),
        _ => None,
    })
    .await;
    assert!(
        reason.contains("engine.sock"),
        "the reason names the endpoint: {reason}"
    );
    wait_for(&mut rx, "a second attempt", |e| {
        matches!(e, DockerEvent::Connecting).then_some(())
    })
    .await;

    // The engine appears: the source connects and lists by itself.
    let listener = UnixListener::bind(&socket).expect("bind the proxy socket");
    let proxy_task = tokio::spawn(proxy(listener, engine_socket.to_string()));
    let started = tokio::time::Instant::now();
    wait_for(&mut rx, "Connected", |e| {
        matches!(e, DockerEvent::Connected(_)).then_some(())
    })
    .await;
    wait_for(&mut rx, "a container list", |e| {
        matches!(e, DockerEvent::Containers(_)).then_some(())
    })
    .await;
    assert!(client_rx.borrow().is_some(), "effects get the live client");
    eprintln!(
        "reconnected {:?} after the engine came back",
        started.elapsed()
    );

    // It goes away again: disconnected, and the effects lose the client.
    proxy_task.abort();
    let _ = std::fs::remove_file(&socket);
    wait_for(&mut rx, "Disconnected again", |e| {
        matches!(e, DockerEvent::Disconnected { .. }).then_some(())
    })
    .await;
    assert!(client_rx.borrow().is_none());
    source.abort();
}
