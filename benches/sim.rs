//! The simulated API server under load (issue [2/7], part 8): a list of
//! 10,000 pods, a watch fanned out to 5 watchers under churn, and the
//! memory 10,000 pods take.

use criterion::{Criterion, criterion_group, criterion_main};
use pilothouse::sim::kube::{KubeConfig, KubeSim, resources::by_plural};
use serde_json::json;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

const PODS: usize = 10_000;

fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

async fn get(port: u16, path: &str) -> usize {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut body = Vec::new();
    stream.read_to_end(&mut body).await.expect("read");
    body.len()
}

async fn start() -> (KubeSim, u16) {
    let before = rss_mb();
    let sim = KubeSim::start(
        KubeConfig {
            preload_pods: PODS,
            ..Default::default()
        },
        None,
    )
    .await
    .expect("sim");
    let port = sim
        .url
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    // Wait until every preloaded pod exists and runs.
    loop {
        let running = {
            let store = sim.shared.store.lock().expect("store");
            store
                .list("pods", Some("load"))
                .iter()
                .filter(|p| p.pointer("/status/phase").and_then(|v| v.as_str()) == Some("Running"))
                .count()
        };
        if running == PODS {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!(
        "sim memory: RSS {:.1} MB before, {:.1} MB with {PODS} running pods",
        before,
        rss_mb()
    );
    (sim, port)
}

fn list(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (sim, port) = runtime.block_on(start());
    let mut group = c.benchmark_group("sim_kube");
    group.sample_size(20);
    group.bench_function("list_10000_pods_json", |b| {
        b.iter(|| runtime.block_on(get(port, "/api/v1/pods")))
    });
    group.bench_function("list_500_pods_table", |b| {
        b.iter(|| runtime.block_on(get(port, "/api/v1/namespaces/load/pods?limit=500")))
    });
    // 5 watchers; one iteration = 100 pod changes reaching all of them.
    let watchers: Vec<_> = (0..5)
        .map(|_| {
            runtime.block_on(async {
                let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
                let rv = sim.shared.store.lock().expect("store").resource_version();
                let request = format!("GET /api/v1/namespaces/load/pods?watch=true&resourceVersion={rv} HTTP/1.1\r\nHost: x\r\n\r\n");
                stream.write_all(request.as_bytes()).await.expect("send");
                BufReader::new(stream)
            })
        })
        .collect();
    let mut watchers = watchers;
    let pods = by_plural("", "pods").expect("pods");
    group.bench_function("watch_fanout_5x100_changes", |b| {
        b.iter(|| {
            runtime.block_on(async {
                {
                    let mut store = sim.shared.store.lock().expect("store");
                    let names: Vec<serde_json::Value> = store
                        .list("pods", Some("load"))
                        .into_iter()
                        .take(100)
                        .collect();
                    for mut pod in names {
                        pod["metadata"]["annotations"] =
                            json!({"churn": store.resource_version().to_string()});
                        store.replace(pods, pod);
                    }
                }
                for watcher in &mut watchers {
                    let mut seen = 0;
                    let mut line = String::new();
                    while seen < 100 {
                        line.clear();
                        watcher.read_line(&mut line).await.expect("watch stream");
                        if line.contains("\"MODIFIED\"") {
                            seen += 1;
                        }
                    }
                }
            })
        })
    });
    group.finish();
    drop(sim);
}

criterion_group!(benches, list);
criterion_main!(benches);
