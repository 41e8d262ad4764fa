//! The pod a port-forward reaches, as both forms of the simulated
//! port-forward see it (kube-rs's channels, kubectl's SPDY): its declared
//! ports, the kubelet's refusal of another, and its web server's answer.

use super::*;

/// The request head a forwarded connection may send before it is answered.
pub(super) const MAX_HEAD: usize = 64 * 1024;

pub(super) struct ForwardedPod {
    name: String,
    uid: String,
    image: String,
    /// The container ports the pod declares; empty: every port answers.
    declared: Vec<u16>,
    namespace: String,
}

impl ForwardedPod {
    /// Whether the port answers: one its containers declare (every port when none is declared).
    pub(super) fn declares(&self, port: u16) -> bool {
        self.declared.is_empty() || self.declared.contains(&port)
    }

    /// What the kubelet says for a port nothing listens on.
    pub(super) fn refusal(&self, port: u16) -> String {
        format!(
            "error forwarding port {port} to pod {}, uid : failed to connect to localhost:{port} inside namespace \"{}\": connection refused (the simulated pod declares {:?})",
            self.name, self.namespace, self.declared
        )
    }
}

pub(super) fn pod_of(
    shared: &KubeShared,
    target: &Target,
) -> Result<ForwardedPod, Box<Response<Body>>> {
    let store = lock(shared);
    let (ns, name) = key_of(target);
    let Some(pod) = store.get("pods", ns, name) else {
        return Err(Box::new(status_response(
            &Refusal::not_found(target.resource, name),
            Some(target.resource),
            Some(name),
        )));
    };
    if pod.pointer("/status/phase").and_then(Value::as_str) != Some("Running") {
        return Err(Box::new(status_response(
            &Refusal::bad_request(format!("pod {name} is not running")),
            None,
            None,
        )));
    }
    let declared = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .flat_map(|c| c["ports"].as_array().cloned().unwrap_or_default())
        .filter_map(|p| {
            p["containerPort"]
                .as_u64()
                .and_then(|n| u16::try_from(n).ok())
        })
        .collect();
    let text = |pointer: &str| {
        pod.pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    Ok(ForwardedPod {
        name: name.to_string(),
        uid: text("/metadata/uid"),
        image: text("/spec/containers/0/image"),
        declared,
        namespace: ns.to_string(),
    })
}

/// What the pod's web server answers, logged in the pod's log as a request.
pub(super) fn answer(shared: &KubeShared, pod: &ForwardedPod, request_line: &str) -> String {
    let body = format!("Hello from {} running {}\n", pod.name, pod.image);
    lock(shared).append_pod_log(
        &pod.uid,
        format!(
            "127.0.0.1 (port-forward) \"{request_line}\" 200 {}",
            body.len()
        ),
    );
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}
