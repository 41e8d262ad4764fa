//! `--log-rate N`: every running pod writes N lines a second to its log, as
//! a web server's access log does under steady traffic. For measuring a
//! client that follows many pods' logs (`kubectl logs -f -l`, the cockpit's
//! logs of a Deployment). With a pod count, only that many write: the first
//! running pods of the preloaded namespaces by name (`--log-pods`).

use super::KubeShared;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

/// Lines are written in ten batches a second.
const BATCHES_PER_SECOND: u32 = 10;

pub async fn run(shared: Arc<KubeShared>, per_second: u32, pods_writing: usize) {
    let mut tick = tokio::time::interval(Duration::from_secs(1) / BATCHES_PER_SECOND);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    // Per pod: lines written so far, so each line has a number of its own.
    let mut written: HashMap<String, u64> = HashMap::new();
    let mut owed = 0u32;
    loop {
        tick.tick().await;
        owed += per_second;
        let batch = owed / BATCHES_PER_SECOND;
        owed %= BATCHES_PER_SECOND;
        if batch == 0 {
            continue;
        }
        let mut store = shared.store.lock().unwrap_or_else(|p| p.into_inner());
        let running: Vec<(String, String)> = store
            .briefs("pods", None)
            .filter(|(key, _)| pods_writing == 0 || super::seed::is_load_namespace(&key.namespace))
            .filter(|(_, pod)| pod.phase == "Running")
            .map(|(key, pod)| (pod.uid.clone(), key.name.clone()))
            .take(if pods_writing == 0 {
                usize::MAX
            } else {
                pods_writing
            })
            .collect();
        let live: HashSet<&str> = running.iter().map(|(uid, _)| uid.as_str()).collect();
        written.retain(|uid, _| live.contains(uid.as_str()));
        for (uid, name) in running {
            let count = written.entry(uid.clone()).or_default();
            for _ in 0..batch {
                *count += 1;
                store.append_pod_log(
                    &uid,
                    format!("{name} GET /recipes/{} 200 request={count}", *count % 97),
                );
            }
        }
    }
}
