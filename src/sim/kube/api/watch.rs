//! Watches: replay from a resourceVersion, then live changes; bookmarks if
//! asked; 410 Gone when the version is older than the change log.

use super::*;

/// A watch: replay from `resourceVersion`, then live changes; bookmarks if asked; 410 when too old.
pub fn watch(
    shared: &Arc<KubeShared>,
    target: &Target,
    query: &HashMap<String, String>,
    accept: &str,
) -> Response<Body> {
    let (labels, fields) = match selectors(query) {
        Ok(s) => s,
        Err(r) => return status_response(&r, None, None),
    };
    let (tx, rx) = mpsc::unbounded_channel::<Bytes>();
    // `kubectl get -w` asks for Tables: each event then carries a one-row Table.
    let as_table = wants_table(accept);
    let resource = target.resource;
    // ERROR and BOOKMARK events: objects of the watch itself, not stored ones.
    let send_value = {
        let tx = tx.clone();
        move |kind: &str, object: &Value| {
            tx.send(Bytes::from(format!(
                "{}\n",
                json!({"type": kind, "object": object})
            )))
            .is_ok()
        }
    };
    // A stored object: its text goes out as it is, unless a Table is asked for.
    let send = move |kind: &str, stored: &Stored| {
        let line = if as_table {
            let object = stored.value();
            let rv = stored.brief.resource_version;
            let table = table::table(resource, &[&object], rv, now_secs());
            format!("{}\n", json!({"type": kind, "object": table})).into_bytes()
        } else {
            let mut line = format!("{{\"type\":\"{kind}\",\"object\":").into_bytes();
            line.extend_from_slice(stored.json());
            line.extend_from_slice(b"}\n");
            line
        };
        tx.send(Bytes::from(line)).is_ok()
    };
    let plural = target.resource.plural;
    let namespace = target.namespace.clone();
    let unfiltered = labels.is_empty() && fields.is_empty();
    let matches = move |stored: &Stored, ns: &str| {
        namespace.as_deref().is_none_or(|n| n == ns)
            && (unfiltered || {
                // Parsed only when a selector has to look inside.
                let object = stored.value();
                labels.matches(object.pointer("/metadata/labels")) && fields.matches(&object)
            })
    };
    let store = lock(shared);
    let mut live = store.watchers.subscribe();
    let requested: Option<u64> = query
        .get("resourceVersion")
        .filter(|v| !v.is_empty())
        .and_then(|v| v.parse().ok());
    let mut last_rv = store.resource_version();
    match requested {
        Some(rv) if rv != 0 && rv < store.oldest_resumable() => {
            let status = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                "message": format!("too old resource version: {rv} ({})", store.oldest_resumable()), "reason": "Expired", "code": 410});
            send_value("ERROR", &status);
            return streaming(StatusCode::OK, "application/json", rx);
        }
        Some(rv) if rv != 0 => {
            for change in store.changes_after(rv).filter(|c| c.plural == plural) {
                if matches(&change.object, &change.namespace) {
                    send(change.kind, &change.object);
                }
            }
        }
        _ => {
            for (key, object) in store.range(plural, None) {
                if matches(object, &key.namespace) {
                    send("ADDED", object);
                }
            }
        }
    }
    drop(store);
    let bookmark_every = shared.timing.bookmark;
    let bookmarks = query
        .get("allowWatchBookmarks")
        .is_some_and(|v| v == "true" || v == "1");
    let timeout = query
        .get("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .unwrap_or(1800)
        .clamp(1, 3600);
    let kind = target.resource.kind;
    let api_version = target.resource.api_version();
    tokio::spawn(async move {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(timeout);
        let mut bookmark = tokio::time::interval(bookmark_every);
        bookmark.tick().await;
        loop {
            tokio::select! {
                change = live.recv() => match change {
                    Ok(change) => {
                        last_rv = change.rv;
                        if change.plural == plural && matches(&change.object, &change.namespace) && !send(change.kind, &change.object) {
                            return;
                        }
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        // This watcher fell behind: end it, as a real server does, so the client relists.
                        return;
                    }
                    Err(_) => return,
                },
                _ = bookmark.tick(), if bookmarks => {
                    let object = json!({"kind": kind, "apiVersion": api_version, "metadata": {"resourceVersion": last_rv.to_string()}});
                    if !send_value("BOOKMARK", &object) {
                        return;
                    }
                }
                _ = tokio::time::sleep_until(deadline) => return,
            }
        }
    });
    streaming(StatusCode::OK, "application/json", rx)
}
