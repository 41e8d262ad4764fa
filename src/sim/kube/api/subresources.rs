//! Subresources: `deployments/x/scale` and `pods/x/log`.

use super::write::{first_container, write};
use super::*;
use crate::sim::clock::{now_nanos, parse_rfc3339, rfc3339_nanos};
use crate::sim::kube::store::LogLine;

/// `deployments/x/scale` as an autoscaling/v1 Scale.
fn scale_of(object: &Value) -> Value {
    let selector: Vec<String> = object
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                .collect()
        })
        .unwrap_or_default();
    let metadata = &object["metadata"];
    json!({"kind": "Scale", "apiVersion": "autoscaling/v1",
           "metadata": {"name": metadata["name"], "namespace": metadata["namespace"], "uid": metadata["uid"],
                        "resourceVersion": metadata["resourceVersion"], "creationTimestamp": metadata["creationTimestamp"]},
           "spec": {"replicas": object.pointer("/spec/replicas").cloned().unwrap_or(json!(0))},
           "status": {"replicas": object.pointer("/status/replicas").cloned().unwrap_or(json!(0)), "selector": selector.join(",")}})
}

/// GET, PUT or PATCH of the scale subresource.
pub fn scale(
    shared: &KubeShared,
    target: &Target,
    change: Option<(&str, &[u8])>,
    manager: &str,
) -> Response<Body> {
    let mut store = lock(shared);
    let (ns, name, current) = match current_object(&store, target) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let Some((media, body)) = change else {
        return json(StatusCode::OK, &scale_of(&current));
    };
    let patch: Value = match serde_json::from_slice(body) {
        Ok(p) => p,
        Err(e) => {
            return status_response(
                &Refusal::bad_request(format!("error decoding the Scale: {e}")),
                None,
                None,
            );
        }
    };
    let mut scale = scale_of(&current);
    match media.split(';').next().unwrap_or("") {
        "application/json-patch+json" => {
            if let Err(e) = json_patch(&mut scale, &patch) {
                return status_response(
                    &Refusal {
                        code: 422,
                        reason: "Invalid",
                        message: e,
                        causes: Vec::new(),
                    },
                    None,
                    None,
                );
            }
        }
        "" | "application/json" => scale = patch,
        _ => merge_patch(&mut scale, &patch),
    }
    let Some(replicas) = scale.pointer("/spec/replicas").and_then(Value::as_i64) else {
        return status_response(
            &Refusal::invalid(
                target.resource,
                &name,
                vec![("spec.replicas".into(), "Required value".into())],
            ),
            Some(target.resource),
            Some(&name),
        );
    };
    let mut next = current.clone();
    next["spec"]["replicas"] = json!(replicas);
    let response = write(&mut store, target, &current, &mut next, manager);
    if !response.status().is_success() {
        return response;
    }
    let stored = store
        .get(target.resource.plural, &ns, &name)
        .unwrap_or(next);
    json(StatusCode::OK, &scale_of(&stored))
}

/// `pods/x/log`: the lines so far (tailLines), then more while following.
pub fn log(
    shared: &KubeShared,
    target: &Target,
    query: &HashMap<String, String>,
) -> Response<Body> {
    let store = lock(shared);
    let (ns, name) = key_of(target);
    let Some(pod) = store.get("pods", ns, name) else {
        return status_response(
            &Refusal::not_found(target.resource, name),
            Some(target.resource),
            Some(name),
        );
    };
    if let Some(container) = query.get("container")
        && !pod
            .pointer("/spec/containers")
            .and_then(Value::as_array)
            .is_some_and(|c| c.iter().any(|c| c["name"] == json!(container)))
    {
        return status_response(
            &Refusal::bad_request(format!("container {container} is not valid for pod {name}")),
            None,
            None,
        );
    }
    if query.get("previous").is_some_and(|p| p == "true") {
        return previous_log(&store, &pod, name, query);
    }
    let uid = pod
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let window = match LogWindow::from_query(query) {
        Ok(window) => window,
        Err(refusal) => return status_response(&refusal, None, None),
    };
    let lines = store.pod_logs.get(&uid).cloned().unwrap_or_default();
    let (tx, rx) = mpsc::unbounded_channel();
    let shown: Vec<&LogLine> = lines.iter().filter(|l| window.admits(l)).collect();
    for line in shown.iter().skip(shown.len().saturating_sub(window.tail)) {
        let _ = tx.send(window.render(line));
    }
    if query.get("follow").is_some_and(|f| f == "true") {
        let mut more = store.pod_log_tx.subscribe();
        let mut changes = store.watchers.subscribe();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    line = more.recv() => match line {
                        Ok((from, line)) if from == uid => if tx.send(window.render(&line)).is_err() { return },
                        Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                        Err(_) => return,
                    },
                    change = changes.recv() => match change {
                        Ok(c) if c.kind == "DELETED" && c.object.brief.uid == uid => return,
                        Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                        Err(_) => return,
                    },
                }
            }
        });
    }
    streaming(StatusCode::OK, "text/plain", rx)
}

/// `previous=true`: what the container's last ended run printed, once the
/// kubelet reports that run in `lastState`; the API server's refusal before.
fn previous_log(
    store: &crate::sim::kube::store::Store,
    pod: &Value,
    name: &str,
    query: &HashMap<String, String>,
) -> Response<Body> {
    let uid = pod
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or("");
    let container = query
        .get("container")
        .cloned()
        .unwrap_or_else(|| first_container(pod));
    let ended_before = pod
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .and_then(|all| all.iter().find(|c| c["name"] == json!(container)))
        .is_some_and(|c| c.pointer("/lastState/terminated").is_some());
    match store.last_runs.get(uid).filter(|_| ended_before) {
        Some(lines) => {
            let tail = query
                .get("tailLines")
                .and_then(|t| t.parse::<usize>().ok())
                .unwrap_or(usize::MAX);
            let (tx, rx) = mpsc::unbounded_channel();
            for line in lines.iter().skip(lines.len().saturating_sub(tail)) {
                let _ = tx.send(Bytes::from(format!("{line}\n")));
            }
            streaming(StatusCode::OK, "text/plain", rx)
        }
        None => status_response(
            &Refusal::bad_request(format!(
                "previous terminated container \"{container}\" in pod \"{name}\" not found"
            )),
            None,
            None,
        ),
    }
}

/// Which lines of a pod's log a request asks for and how they are written:
/// `tailLines`, `sinceSeconds` or `sinceTime` (not both, as the API server
/// insists), `timestamps`.
struct LogWindow {
    tail: usize,
    /// Lines written before this (nanoseconds since the epoch) are left out.
    since: Option<i128>,
    timestamps: bool,
}

impl LogWindow {
    fn from_query(query: &HashMap<String, String>) -> Result<Self, Refusal> {
        let tail = match query.get("tailLines") {
            None => usize::MAX,
            Some(text) => {
                text.parse::<i64>()
                    .ok()
                    .filter(|n| *n >= 0)
                    .ok_or_else(|| invalid_log_option("tailLines", text))? as usize
            }
        };
        let since = match (query.get("sinceSeconds"), query.get("sinceTime")) {
            (Some(_), Some(_)) => {
                return Err(Refusal::bad_request(
                    "at most one of sinceTime or sinceSeconds may be specified".to_string(),
                ));
            }
            (Some(seconds), None) => {
                let seconds = seconds
                    .parse::<i64>()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| invalid_log_option("sinceSeconds", seconds))?;
                Some(now_nanos() - i128::from(seconds) * 1_000_000_000)
            }
            (None, Some(time)) => {
                let secs =
                    parse_rfc3339(time).ok_or_else(|| invalid_log_option("sinceTime", time))?;
                Some(i128::from(secs) * 1_000_000_000)
            }
            (None, None) => None,
        };
        Ok(Self {
            tail,
            since,
            timestamps: query.get("timestamps").is_some_and(|t| t == "true"),
        })
    }

    fn admits(&self, line: &LogLine) -> bool {
        self.since.is_none_or(|since| line.at >= since)
    }

    fn render(&self, line: &LogLine) -> Bytes {
        Bytes::from(if self.timestamps {
            format!("{} {}\n", rfc3339_nanos(line.at), line.text)
        } else {
            format!("{}\n", line.text)
        })
    }
}

fn invalid_log_option(name: &str, value: &str) -> Refusal {
    Refusal::bad_request(format!("invalid value for {name}: {value:?}"))
}
