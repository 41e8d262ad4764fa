//! `--churn N`: N pod changes a second in the preloaded namespaces, as a
//! crash-looping fleet makes them: each change bumps one Running pod's
//! restart count (round robin), so every watcher gets a MODIFIED event and the
//! RESTARTS column moves. For measuring a client under a steady stream.

use super::KubeShared;
use super::resources::Resource;
use std::sync::Arc;
use std::time::Duration;

/// Changes are made in ten batches a second.
const BATCHES_PER_SECOND: u32 = 10;

pub async fn run(shared: Arc<KubeShared>, per_second: u32, pods: &'static Resource) {
    let mut tick = tokio::time::interval(Duration::from_secs(1) / BATCHES_PER_SECOND);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut next = 0usize;
    let mut owed = 0u32;
    loop {
        tick.tick().await;
        owed += per_second;
        let batch = (owed / BATCHES_PER_SECOND) as usize;
        owed %= BATCHES_PER_SECOND;
        let mut store = shared.store.lock().unwrap_or_else(|p| p.into_inner());
        let running: Vec<serde_json::Value> = {
            // Chosen from the briefs; only the batch's own pods are parsed.
            let all: Vec<_> = store
                .briefs("pods", None)
                .filter(|(key, _)| super::seed::is_load_namespace(&key.namespace))
                .collect();
            if all.is_empty() {
                continue;
            }
            (0..batch.min(all.len()))
                .map(|i| all[(next + i) % all.len()])
                .filter(|(_, pod)| pod.has_container_status)
                .filter_map(|(key, _)| store.get("pods", &key.namespace, &key.name))
                .collect()
        };
        next = next.wrapping_add(batch);
        for mut pod in running {
            let count = &mut pod["status"]["containerStatuses"][0]["restartCount"];
            *count = serde_json::json!(count.as_u64().unwrap_or(0) + 1);
            store.replace(pods, pod);
        }
    }
}
