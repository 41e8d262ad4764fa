//! One watcher per kind, and what its failures are called: each keeps its
//! kind's rows in a `Store`, starts over with a relist after a failure (with
//! backoff, and the API server's Retry-After), and names the failure for the
//! header.

use super::kube_store::{Rows, Store};
use super::{Backoff, RECONNECT_CEILING};
use futures::StreamExt;
use kube::Resource;
use kube::api::{Api, ListParams, WatchEvent, WatchParams};
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// A request whose answer stops coming for this long has failed: a hung API
/// server is named in the UI, not waited on forever.
pub const READ_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Kind {
    Deployments,
    Pods,
    ReplicaSets,
    Services,
    Events,
    Namespaces,
    Nodes,
}

/// Objects per list request, as kube-rs's watcher pages them.
const PAGE: u32 = 500;

/// Watches are ended by the server before the client's read timeout, so a
/// quiet but healthy watch is renewed, never timed out.
const WATCH_SECONDS: u32 = 10;
/// A failed watcher starts over after 0.5 s, 1 s, 2 s, then every 3 s: the data
/// is back within about 3 s of the API server's return however long it was away.
const RETRY_FIRST: Duration = Duration::from_millis(500);

fn object_key<K: Resource>(object: &K) -> String {
    let meta = object.meta();
    format!(
        "{}/{}",
        meta.namespace.as_deref().unwrap_or(""),
        meta.name.as_deref().unwrap_or("")
    )
}

/// What a watcher reports besides its rows changing.
#[derive(Debug)]
pub(super) enum Trouble {
    /// It failed and tries again by itself: the line for the header.
    Retrying(String),
    /// The cluster refused it (401, 403): retrying would change nothing, so it stopped.
    Refused { kind: Kind, code: u16 },
}

/// Watch one kind and keep its rows current: applied and deleted objects
/// change one row each. After any failure the watcher starts over with a
/// relist, once the backoff has passed: the relist is built aside and
/// swapped in whole, so the table never shows half a list, and its arrival
/// is what tells the header the trouble is over. A refusal (401, 403) ends
/// it instead: it is reported once, never retried in a loop.
pub(super) fn spawn_rows<K, R>(
    api: Api<K>,
    kind: Kind,
    to_row: fn(&K) -> R,
    store: Store<R>,
    changed: &mpsc::UnboundedSender<Result<Kind, Trouble>>,
) -> (Rows<R>, tokio::task::JoinHandle<()>)
where
    K: Resource<DynamicType = ()>
        + Clone
        + std::fmt::Debug
        + serde::de::DeserializeOwned
        + Send
        + 'static,
    R: Send + 'static,
{
    let rows: Rows<R> = Arc::new(Mutex::new(store));
    let store = Arc::clone(&rows);
    let changed = changed.clone();
    let task = tokio::spawn(async move {
        let mut backoff = Backoff::new(RETRY_FIRST, RECONNECT_CEILING);
        loop {
            let Some(error) = follow(&api, kind, to_row, &store, &changed, &mut backoff).await
            else {
                return;
            };
            if let Some(code) = refusal(&error) {
                let _ = changed.send(Err(Trouble::Refused { kind, code }));
                return;
            }
            // The API server's Retry-After (a 429's details) wins when it asks for longer.
            let wait = backoff
                .next_delay()
                .max(retry_after(&error).unwrap_or_default());
            if changed
                .send(Err(Trouble::Retrying(trouble(kind, &error))))
                .is_err()
            {
                return;
            }
            tokio::time::sleep(wait).await;
        }
    });
    (rows, task)
}

/// Why a watcher starts over.
#[derive(Debug)]
pub(super) enum Failure {
    /// A request failed: the client's error, and what it was doing ("listing").
    Request(&'static str, kube::Error),
    /// The watch stream carried an ERROR event: 410 Gone (Expired) and its like.
    Status(Box<kube::core::Status>),
    /// A list with no resourceVersion to watch from.
    NoResourceVersion,
    /// The server ended the watch long before the time asked: cut off mid-stream.
    BrokeOff(Duration),
    /// Nothing came for the whole read timeout: the client gave up on it.
    WentSilent(Duration),
}

/// What went wrong with a watcher, in one line for the header: an answer
/// of the API server by its code (`429 Too Many Requests`, `410 Gone`), a
/// connection that failed as "disconnected", a body that is not what the API
/// promised as "malformed", a stream that broke off or went silent.
pub(super) fn trouble(kind: Kind, failure: &Failure) -> String {
    let what = format!("{kind:?}").to_lowercase();
    match failure {
        Failure::Status(status) => format!("watching {what}: {}; relisting", status_line(status)),
        Failure::NoResourceVersion => {
            format!("listing {what}: the list had no resourceVersion; relisting")
        }
        Failure::BrokeOff(lasted) => format!(
            "watching {what}: the watch stream broke off after {:.1} s; relisting",
            lasted.as_secs_f64()
        ),
        Failure::WentSilent(lasted) => format!(
            "watching {what}: no answer for {} s: timed out; relisting",
            lasted.as_secs()
        ),
        Failure::Request(doing, kube::Error::Api(status)) => {
            format!("{doing} {what}: {}", status_line(status))
        }
        Failure::Request(doing, kube::Error::SerdeError(e)) => {
            format!("{doing} {what}: malformed answer: {e}")
        }
        // The innermost cause says it plainly ("Connection refused (os error 111)",
        // "deadline has elapsed"); the layers above it repeat the client's plumbing.
        Failure::Request(doing, other) => {
            let cause = root_cause(other);
            let timed_out = if cause.contains("elapsed") {
                " (timed out)"
            } else {
                ""
            };
            format!("disconnected: {doing} {what}: {cause}{timed_out}")
        }
    }
}

fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    cause.to_string()
}

/// `429 Too Many Requests: the message`, as the API server's Status says it.
fn status_line(status: &kube::core::Status) -> String {
    let code = status.code;
    let phrase = hyper::StatusCode::from_u16(code)
        .ok()
        .and_then(|c| c.canonical_reason())
        .unwrap_or("error");
    let mut line = format!("{code} {phrase}");
    if !status.message.is_empty() {
        line.push_str(": ");
        line.push_str(&status.message);
    }
    if let Some(seconds) = status
        .details
        .as_ref()
        .map(|d| d.retry_after_seconds)
        .filter(|s| *s > 0)
    {
        line.push_str(&format!(" (retry after {seconds} s)"));
    }
    line
}

/// The code of an answer that says no (401 Unauthorized, 403 Forbidden).
pub(super) fn refusal(failure: &Failure) -> Option<u16> {
    let code = match failure {
        Failure::Status(status) | Failure::Request(_, kube::Error::Api(status)) => status.code,
        _ => return None,
    };
    matches!(code, 401 | 403).then_some(code)
}

/// How long the API server asked us to wait, if it did.
fn retry_after(failure: &Failure) -> Option<Duration> {
    let status = match failure {
        Failure::Status(status) | Failure::Request(_, kube::Error::Api(status)) => status,
        _ => return None,
    };
    let seconds = status.details.as_ref()?.retry_after_seconds;
    // Capped: a server asking for minutes would leave the panes stale with no word.
    (seconds > 0).then(|| Duration::from_secs(u64::from(seconds.min(30))))
}

/// One watcher, from its list until it fails: the failure, or None when
/// pilothouse is stopping. Lists page by 500 as kube-rs's watcher does; the
/// watch then resumes from the last resourceVersion (bookmarks keep it fresh)
/// for as long as each watch lasts its time.
async fn follow<K, R>(
    api: &Api<K>,
    kind: Kind,
    to_row: fn(&K) -> R,
    store: &Rows<R>,
    changed: &mpsc::UnboundedSender<Result<Kind, Trouble>>,
    backoff: &mut Backoff,
) -> Option<Failure>
where
    K: Resource<DynamicType = ()> + Clone + std::fmt::Debug + DeserializeOwned + Send + 'static,
{
    let mut fresh = BTreeMap::new();
    let mut page = ListParams::default().limit(PAGE);
    let version = loop {
        let list = match api.list(&page).await {
            Ok(list) => list,
            Err(e) => return Some(Failure::Request("listing", e)),
        };
        for object in &list.items {
            fresh.insert(object_key(object), to_row(object));
        }
        match list.metadata.continue_.filter(|token| !token.is_empty()) {
            Some(token) => page = ListParams::default().limit(PAGE).continue_token(&token),
            None => break list.metadata.resource_version.filter(|v| !v.is_empty()),
        }
    };
    let Some(mut version_seen) = version else {
        return Some(Failure::NoResourceVersion);
    };
    if let Ok(mut store) = store.lock() {
        store.replace(fresh);
    }
    backoff.reset();
    changed.send(Ok(kind)).ok()?;
    let params = WatchParams::default().timeout(WATCH_SECONDS);
    loop {
        let started = Instant::now();
        let stream = match api.watch(&params, &version_seen).await {
            Ok(stream) => stream,
            Err(e) => return Some(Failure::Request("watching", e)),
        };
        let mut stream = std::pin::pin!(stream);
        loop {
            let event = match stream.next().await {
                None => break,
                Some(Ok(event)) => event,
                Some(Err(e)) => return Some(Failure::Request("watching", e)),
            };
            match event {
                WatchEvent::Added(object) | WatchEvent::Modified(object) => {
                    remember(&mut version_seen, &object);
                    if let Ok(mut store) = store.lock() {
                        store.upsert(object_key(&object), to_row(&object));
                    }
                }
                WatchEvent::Deleted(object) => {
                    remember(&mut version_seen, &object);
                    if let Ok(mut store) = store.lock() {
                        store.remove(object_key(&object));
                    }
                }
                WatchEvent::Bookmark(bookmark) => {
                    version_seen = bookmark.metadata.resource_version;
                    continue;
                }
                WatchEvent::Error(status) => return Some(Failure::Status(status)),
            }
            changed.send(Ok(kind)).ok()?;
        }
        // kube-rs ends a watch quietly when its last line is cut short or the read
        // times out; only how long it lasted against the time asked tells those apart.
        let lasted = started.elapsed();
        if lasted < Duration::from_secs(u64::from(WATCH_SECONDS) / 2) {
            return Some(Failure::BrokeOff(lasted));
        }
        if lasted >= READ_TIMEOUT {
            return Some(Failure::WentSilent(lasted));
        }
    }
}

fn remember<K: Resource>(version: &mut String, object: &K) {
    if let Some(seen) = object.meta().resource_version.as_ref() {
        version.clone_from(seen);
    }
}
