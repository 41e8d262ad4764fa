//! Port-forward into a simulated pod with kube-rs (`Api::portforward`, the
//! WebSocket channel protocol): an HTTP request through the forward gets
//! the pod's own answer, and a port the pod does not declare is refused on
//! its error channel. (kubectl's SPDY-in-WebSocket form: sim/STREAMS.md.)

mod common;

use k8s_openapi::api::core::v1::Pod;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kube_rs_forwards_a_request_to_the_pods_answer() {
    let sim = common::sim_with_cookbook(5).await;
    let pods: kube::Api<Pod> = kube::Api::namespaced(common::sim_client(&sim).await, "default");
    common::running_pod(
        &pods,
        "web",
        serde_json::json!({"ports": [{"containerPort": 8000}]}),
    )
    .await;

    let mut forward = pods
        .portforward("web", &[8000])
        .await
        .expect("the forward opens");
    let mut stream = forward.take_stream(8000).expect("the port's stream");
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: localhost:8080\r\n\r\n")
        .await
        .expect("request sent");
    let mut answer = String::new();
    let mut chunk = [0u8; 4096];
    while !answer.ends_with("latest\n") {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut chunk))
            .await
            .expect("an answer in time")
            .expect("read");
        assert!(n > 0, "the stream ended early: {answer:?}");
        answer.push_str(&String::from_utf8_lossy(&chunk[..n]));
    }
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(
        answer.ends_with("\r\n\r\nHello from web running cookbook:latest\n"),
        "{answer}"
    );
    // The pod's server closes after its one answer (`Connection: close`), and
    // the API server ends the forward: the stream reaches its end.
    let end = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut chunk))
        .await
        .expect("the end in time")
        .expect("read");
    assert_eq!(end, 0, "the forward ends after the answer");
    drop(stream);
    forward.abort();

    let mut refused = pods
        .portforward("web", &[9999])
        .await
        .expect("the forward opens");
    let error = tokio::time::timeout(
        Duration::from_secs(5),
        refused.take_error(9999).expect("the error channel"),
    )
    .await
    .expect("an error in time")
    .expect("an error");
    assert!(
        error.contains("error forwarding port 9999 to pod web"),
        "{error}"
    );
    assert!(error.contains("connection refused"), "{error}");
    refused.abort();

    let Err(missing) = pods.portforward("nope", &[8000]).await else {
        panic!("a forward to a pod that is not there");
    };
    assert!(missing.to_string().contains("not found"), "{missing}");
}
