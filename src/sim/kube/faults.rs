//! Faults the simulated API server can be told to answer with, so the
//! reliability tests see what a sick cluster sends: errors, throttling, a
//! server that never answers, bodies that are not JSON, watches that break
//! off or expire, credentials revoked (401) and permissions withdrawn (403)
//! mid-session. They apply to the lists and watches of resources only;
//! `/version` and discovery still answer, as a real server's often do.

use super::admission::Refusal;
use super::api::{Target, status_response};
use crate::sim::http::{Body, full, streaming};
use bytes::Bytes;
use hyper::{Response, StatusCode};
use serde_json::json;
use tokio::sync::mpsc;

pub use super::shared::Fault;

/// The answer `fault` gives a GET of `target`, or None when it leaves the request alone.
pub async fn answer(fault: Fault, target: &Target, watching: bool) -> Option<Response<Body>> {
    let plural = target.resource.plural;
    let response = match fault {
        Fault::ServerError => status_response(
            &Refusal {
                code: 500,
                reason: "InternalError",
                message: format!(
                    "an error on the server (\"etcdserver: leader changed\") has prevented the request from succeeding (get {plural})"
                ),
                causes: Vec::new(),
            },
            None,
            None,
        ),
        Fault::TooManyRequests { retry_after } => {
            let status = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": "Too many requests, please try again later.", "reason": "TooManyRequests",
                "details": {"retryAfterSeconds": retry_after}, "code": 429});
            let mut response = crate::sim::http::json(StatusCode::TOO_MANY_REQUESTS, &status);
            if let Ok(value) = retry_after.to_string().parse() {
                response
                    .headers_mut()
                    .insert(hyper::header::RETRY_AFTER, value);
            }
            response
        }
        Fault::Hang => std::future::pending().await,
        Fault::MalformedJson => full(
            StatusCode::OK,
            "application/json",
            "<html><body>502 Bad Gateway</body></html>",
        ),
        Fault::TruncatedWatch if watching => {
            let (tx, rx) = mpsc::unbounded_channel();
            // Half an event, then the sender is dropped and the connection closes.
            let _ = tx.send(Bytes::from_static(
                b"{\"type\":\"MODIFIED\",\"object\":{\"kind\":\"Po",
            ));
            streaming(StatusCode::OK, "application/json", rx)
        }
        Fault::Gone if watching => {
            let (tx, rx) = mpsc::unbounded_channel();
            let event = json!({"type": "ERROR", "object": {"kind": "Status", "apiVersion": "v1",
                "metadata": {}, "status": "Failure", "message": "too old resource version: 1 (4242)",
                "reason": "Expired", "code": 410}});
            let _ = tx.send(Bytes::from(format!("{event}\n")));
            streaming(StatusCode::OK, "application/json", rx)
        }
        Fault::Unauthorized => {
            crate::sim::http::json(StatusCode::UNAUTHORIZED, &super::auth::unauthorized())
        }
        Fault::Forbidden => {
            let asked = super::auth::Attributes {
                verb: if watching { "watch" } else { "list" }.to_string(),
                resource: plural.to_string(),
                group: target.resource.group.to_string(),
                ..Default::default()
            };
            let message = format!(
                "{plural} is forbidden: User \"pilothouse-dev\" cannot {} resource \"{plural}\" in API group \"{}\" at the cluster scope",
                asked.verb, asked.group
            );
            crate::sim::http::json(
                StatusCode::FORBIDDEN,
                &super::auth::forbidden(&message, &asked),
            )
        }
        Fault::TruncatedWatch | Fault::Gone => return None,
    };
    Some(response)
}
