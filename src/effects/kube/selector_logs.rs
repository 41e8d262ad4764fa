//! The logs of every pod a label selector matches, in one stream: each
//! line led by its pod's name, pods joined as they appear (a scale-up, a
//! rollout; the selector is listed again every 2 s), a pod's end marked.
//! One task; the pods' streams are its children, so opening other logs
//! (which aborts it) ends them all.

use crate::app::core::event::Event;
use crate::app::docker::state::{POD_SEPARATOR, SELECTOR_TAIL};
use crate::sources::describe;
use futures::{AsyncBufReadExt, FutureExt, TryStreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, ListParams, LogParams};
use std::collections::HashSet;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

const RELIST_EVERY: Duration = Duration::from_secs(2);
/// Lines of one pod sent in one event at most.
const MAX_BATCH: usize = 256;

pub async fn follow(
    client: Option<Client>,
    namespace: String,
    selector: String,
    since: Option<u32>,
    tx: UnboundedSender<Event>,
) {
    let key = crate::app::docker::selector_logs::selector_log_key(&namespace, &selector);
    let Some(client) = client else {
        let _ = tx.send(Event::LogsEnded {
            key,
            reason: Some("the cluster is not connected".into()),
        });
        return;
    };
    let pods: Api<Pod> = Api::namespaced(client, &namespace);
    let mut followed: HashSet<String> = HashSet::new();
    let mut streams = tokio::task::JoinSet::new();
    let mut first = true;
    loop {
        match pods.list(&ListParams::default().labels(&selector)).await {
            Ok(list) => {
                let mut started: Vec<String> = list
                    .items
                    .into_iter()
                    .filter(has_started)
                    .filter_map(|p| p.metadata.name)
                    .filter(|name| !followed.contains(name))
                    .collect();
                started.sort();
                for pod in started {
                    followed.insert(pod.clone());
                    if !first {
                        let _ = tx.send(Event::LogLines {
                            key: key.clone(),
                            lines: vec![format!("{pod}{POD_SEPARATOR}── joined ──")],
                        });
                    }
                    // The first pods from their last lines (or as far back as asked);
                    // a pod that joins, from its start.
                    let params = LogParams {
                        follow: true,
                        tail_lines: (first && since.is_none()).then_some(SELECTOR_TAIL),
                        since_seconds: since.filter(|_| first).map(i64::from),
                        ..Default::default()
                    };
                    streams.spawn(pod_lines(
                        pods.clone(),
                        pod,
                        params,
                        key.clone(),
                        tx.clone(),
                    ));
                }
                first = false;
            }
            Err(e) if first => {
                let _ = tx.send(Event::LogsEnded {
                    key,
                    reason: Some(describe(&e)),
                });
                return;
            }
            Err(e) => {
                tracing::info!(error = %describe(&e), "selector logs: relist failed; retried")
            }
        }
        while streams.try_join_next().is_some() {}
        if tx.is_closed() {
            return;
        }
        tokio::time::sleep(RELIST_EVERY).await;
    }
}

/// A pod that has run: its log can be read (a pending one has none yet).
fn has_started(pod: &Pod) -> bool {
    matches!(
        pod.status.as_ref().and_then(|s| s.phase.as_deref()),
        Some("Running" | "Succeeded" | "Failed")
    )
}

async fn pod_lines(
    pods: Api<Pod>,
    pod: String,
    params: LogParams,
    key: String,
    tx: UnboundedSender<Event>,
) {
    let led = |text: String| format!("{pod}{POD_SEPARATOR}{text}");
    let send = |lines: Vec<String>| {
        tx.send(Event::LogLines {
            key: key.clone(),
            lines,
        })
        .is_ok()
    };
    let end = match pods.log_stream(&pod, &params).await {
        Err(e) => format!("── cannot read its log: {} ──", describe(&e)),
        Ok(stream) => {
            let mut lines = stream.lines();
            loop {
                match lines.try_next().await {
                    Ok(Some(line)) => {
                        // What has already arrived goes in the same event: a busy
                        // pod's lines cost one update a read, not one each.
                        let mut batch = vec![led(line)];
                        let mut end = None;
                        while batch.len() < MAX_BATCH {
                            match lines.try_next().now_or_never() {
                                Some(Ok(Some(line))) => batch.push(led(line)),
                                Some(Ok(None)) => end = Some("── ended ──".to_string()),
                                Some(Err(e)) => end = Some(format!("── its log broke off: {e} ──")),
                                None => break,
                            }
                            if end.is_some() {
                                break;
                            }
                        }
                        if !send(batch) {
                            return;
                        }
                        if let Some(end) = end {
                            break end;
                        }
                    }
                    Ok(None) => break "── ended ──".to_string(),
                    Err(e) => break format!("── its log broke off: {e} ──"),
                }
            }
        }
    };
    send(vec![led(end)]);
}
