//! A container's streams on the simulated engine: its logs (multiplexed as
//! the engine frames them, followed on request) and its stats (one sample,
//! or a stream).

use super::containers::no_such;
use super::state::{Engine, RunState, Shared, lock};
use crate::sim::http::{Body, flag, streaming};
use bytes::Bytes;
use hyper::{Response, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;
use tokio::sync::mpsc;

/// One frame of the multiplexed stream a non-TTY container's logs use.
fn mux_frame(line: &str) -> Bytes {
    let payload = format!("{line}\n");
    let mut frame = Vec::with_capacity(8 + payload.len());
    frame.extend_from_slice(&[1, 0, 0, 0]);
    frame.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    frame.extend_from_slice(payload.as_bytes());
    Bytes::from(frame)
}

pub fn logs(shared: &Shared, key: &str, query: &HashMap<String, String>) -> Response<Body> {
    let engine = lock(shared);
    let Some(index) = engine.find_container(key) else {
        return no_such(key);
    };
    let container = &engine.containers[index];
    let id = container.id.clone();
    let tail = query
        .get("tail")
        .and_then(|t| t.parse::<usize>().ok())
        .unwrap_or(usize::MAX);
    let skip = container.logs.len().saturating_sub(tail);
    let (tx, rx) = mpsc::unbounded_channel();
    for line in container.logs.iter().skip(skip) {
        let _ = tx.send(mux_frame(line));
    }
    if flag(query, "follow") && container.state == RunState::Running {
        // Subscribed under the lock, so no line falls between the snapshot and the stream.
        let mut lines = engine.log_lines.subscribe();
        let mut events = engine.events.subscribe();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    line = lines.recv() => match line {
                        Ok((from, line)) if from == id => if tx.send(mux_frame(&line)).is_err() { return },
                        Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                        Err(_) => return,
                    },
                    event = events.recv() => match event {
                        Ok(text) if text.contains(&id) && (text.contains("\"die\"") || text.contains("\"destroy\"")) => return,
                        Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                        Err(_) => return,
                    },
                }
            }
        });
    }
    streaming(
        StatusCode::OK,
        "application/vnd.docker.multiplexed-stream",
        rx,
    )
}

pub fn stats(shared: &Shared, key: &str, query: &HashMap<String, String>) -> Response<Body> {
    let engine = lock(shared);
    let Some(index) = engine.find_container(key) else {
        return no_such(key);
    };
    let (id, name) = (
        engine.containers[index].id.clone(),
        engine.containers[index].name.clone(),
    );
    drop(engine);
    let stream = query.get("stream").is_none_or(|s| s != "false" && s != "0");
    let (tx, rx) = mpsc::unbounded_channel();
    let shared = shared.clone();
    tokio::spawn(async move {
        let mut tick: u64 = 0;
        loop {
            let running = {
                let engine = lock(&shared);
                engine
                    .containers
                    .iter()
                    .any(|c| c.id == id && c.state == RunState::Running)
            };
            let sample = stats_sample(&id, &name, tick, running);
            if tx.send(Bytes::from(format!("{sample}\n"))).is_err() || !stream || !running {
                return;
            }
            tick += 1;
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
    });
    streaming(StatusCode::OK, "application/json", rx)
}

/// A plausible, deterministic sample: a little CPU, a few MB of memory.
fn stats_sample(id: &str, name: &str, tick: u64, running: bool) -> Value {
    let system = 1_000_000_000_000u64 + tick * 2_000_000_000;
    let usage = if running {
        50_000_000 + tick * (10_000_000 + (tick % 5) * 4_000_000)
    } else {
        0
    };
    let previous = if tick == 0 {
        0
    } else {
        50_000_000 + (tick - 1) * (10_000_000 + ((tick - 1) % 5) * 4_000_000)
    };
    let memory = if running {
        6_000_000 + (tick % 7) * 120_000
    } else {
        0
    };
    let now = crate::sim::clock::rfc3339(Engine::now());
    json!({
        "read": now, "preread": now, "id": id, "name": format!("/{name}"), "num_procs": 0,
        "pids_stats": {"current": if running { 1 } else { 0 }},
        "cpu_stats": {"cpu_usage": {"total_usage": usage, "usage_in_kernelmode": usage / 4, "usage_in_usermode": usage / 4 * 3},
                      "system_cpu_usage": system, "online_cpus": 2, "throttling_data": {}},
        "precpu_stats": {"cpu_usage": {"total_usage": previous}, "system_cpu_usage": if tick == 0 { 0 } else { system - 2_000_000_000 }, "online_cpus": 2},
        "memory_stats": {"usage": memory, "limit": 2_147_483_648u64, "stats": {"inactive_file": 0}},
        "blkio_stats": {}, "networks": {"eth0": {"rx_bytes": tick * 512, "tx_bytes": tick * 256}},
    })
}
