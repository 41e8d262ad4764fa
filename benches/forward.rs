//! A forward's requests per second and latency: pilothouse's own forward
//! (the effect the Forwards pane runs, kube-rs's WebSocket channels) against
//! `kubectl port-forward` (SPDY/3.1 tunnelled in a WebSocket), to the same
//! simulated pod, in the same run, in alternating rounds. Each request is a
//! new local connection (`Connection: close`), as a browser's first request is.
//!
//! `cargo bench --bench forward` (needs kubectl; prints a table).

use pilothouse::app::core::event::Event;
use pilothouse::cli::SimArgs;
use pilothouse::domain::forward::{ForwardKind, ForwardSpec};
use pilothouse::sim::Sim;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

const SEQUENTIAL: usize = 300;
const CONCURRENCY: usize = 4;
const RPS_WINDOW: Duration = Duration::from_secs(3);
const ROUNDS: usize = 3;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn request(port: u16) -> bool {
    let Ok(mut stream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else {
        return false;
    };
    let _ = stream.set_nodelay(true);
    if stream
        .write_all(b"GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
        .await
        .is_err()
    {
        return false;
    }
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.is_ok() && answer.ends_with(b"cookbook:latest\n")
}

struct Round {
    p50: Duration,
    p99: Duration,
    rps: f64,
}

async fn measure(port: u16) -> Round {
    let mut latencies = Vec::with_capacity(SEQUENTIAL);
    for _ in 0..SEQUENTIAL {
        let started = Instant::now();
        assert!(
            request(port).await,
            "a request through 127.0.0.1:{port} failed"
        );
        latencies.push(started.elapsed());
    }
    latencies.sort();
    let deadline = Instant::now() + RPS_WINDOW;
    let workers: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            tokio::spawn(async move {
                let mut done = 0usize;
                while Instant::now() < deadline {
                    if request(port).await {
                        done += 1;
                    }
                }
                done
            })
        })
        .collect();
    let mut total = 0;
    for worker in workers {
        total += worker.await.expect("worker");
    }
    Round {
        p50: latencies[latencies.len() / 2],
        p99: latencies[latencies.len() * 99 / 100],
        rps: total as f64 / RPS_WINDOW.as_secs_f64(),
    }
}

async fn build_cookbook(sim: &Sim) {
    let endpoint = pilothouse::sources::docker_endpoint::Endpoint {
        host: sim.docker.host(),
        tls: None,
        origin: "bench".into(),
    };
    let (engine, _) = pilothouse::sources::docker_endpoint::connect_engine(endpoint, None)
        .await
        .expect("sim engine");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let spec = pilothouse::app::core::command::BuildSpec {
        context: concat!(env!("CARGO_MANIFEST_DIR"), "/assets/cookbook").into(),
        dockerfile: "Dockerfile".into(),
        tag: "cookbook:latest".into(),
    };
    tokio::spawn(pilothouse::effects::docker::build::build(
        engine, 1, spec, tx,
    ));
    while let Some(event) = rx.recv().await {
        if let Event::Job {
            update: pilothouse::app::core::event::JobUpdate::Finished(result),
            ..
        } = event
        {
            result.expect("the sample app builds");
            return;
        }
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let sim = Sim::start(&SimArgs {
            seed: 21,
            ..Default::default()
        })
        .await
        .expect("the sim starts");
        build_cookbook(&sim).await;
        let kubeconfig = sim.kubeconfig_path.display().to_string();
        let kubectl = |args: &[&str]| {
            let mut command = tokio::process::Command::new("kubectl");
            command
                .args(args)
                .env("KUBECONFIG", &kubeconfig)
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .kill_on_drop(true);
            command
        };
        let manifest = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/assets/cookbook/cookbook-deployment.yaml"
        );
        let applied = kubectl(&["apply", "--server-side", "-f", manifest])
            .output()
            .await
            .expect("kubectl");
        assert!(
            applied.status.success(),
            "kubectl apply: {:?} {}",
            applied.status,
            String::from_utf8_lossy(&applied.stdout)
        );
        // `kubectl wait` finds nothing until the Deployment's pod exists: ask again until it does.
        let mut ready = false;
        for _ in 0..40 {
            let waited = kubectl(&[
                "wait",
                "--for=condition=Ready",
                "pod",
                "-l",
                "app=cookbook-recipe",
                "--timeout=30s",
            ])
            .output()
            .await
            .expect("kubectl");
            if waited.status.success() {
                ready = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        assert!(ready, "the pod is ready");

        // pilothouse's forward, as the Forwards pane starts it.
        let ours = free_port();
        let client = kube::Client::try_from(
            kube::Config::from_custom_kubeconfig(
                kube::config::Kubeconfig::read_from(&sim.kubeconfig_path).expect("kubeconfig"),
                &Default::default(),
            )
            .await
            .expect("config"),
        )
        .expect("client");
        let (_clients_tx, clients) = tokio::sync::watch::channel(Some(client));
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let spec = ForwardSpec {
            namespace: "default".into(),
            kind: ForwardKind::Deployment,
            name: "cookbook-recipe".into(),
            local_port: ours,
            remote_port: 8000,
        };
        let forward = tokio::spawn(pilothouse::effects::forward::run::run(
            1, spec, false, clients, tx,
        ));
        while let Some(event) = rx.recv().await {
            if let Event::Forward(pilothouse::app::core::event::ForwardEvent::Reaching {
                pod: Ok(_),
                ..
            }) = event
            {
                break;
            }
        }
        tokio::spawn(async move { while rx.recv().await.is_some() {} });

        // kubectl's, to the same Deployment's pod.
        let theirs = free_port();
        let ports = format!("{theirs}:8000");
        let mut child = kubectl(&["port-forward", "deploy/cookbook-recipe", &ports])
            .spawn()
            .expect("kubectl port-forward");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let first = lines.next_line().await.expect("read").unwrap_or_default();
        assert!(first.starts_with("Forwarding from"), "{first}");
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });

        for port in [ours, theirs] {
            for _ in 0..20 {
                assert!(request(port).await, "warm-up through {port}");
            }
        }
        let mut results: [(Vec<f64>, Vec<f64>, Vec<f64>); 2] = Default::default();
        for round in 0..ROUNDS {
            for (i, port) in [ours, theirs].into_iter().enumerate() {
                let r = measure(port).await;
                println!(
                    "round {round} {:<22} p50 {:>7.2} ms  p99 {:>7.2} ms  {:>7.0} req/s",
                    if i == 0 {
                        "pilothouse forward"
                    } else {
                        "kubectl port-forward"
                    },
                    r.p50.as_secs_f64() * 1e3,
                    r.p99.as_secs_f64() * 1e3,
                    r.rps
                );
                results[i].0.push(r.p50.as_secs_f64() * 1e3);
                results[i].1.push(r.p99.as_secs_f64() * 1e3);
                results[i].2.push(r.rps);
            }
        }
        println!("\n| forward | p50 latency | p99 latency | requests/s ({CONCURRENCY} clients) |");
        println!("| --- | --- | --- | --- |");
        for (i, name) in [
            "pilothouse (kube-rs WebSocket)",
            "kubectl port-forward (SPDY in WebSocket)",
        ]
        .iter()
        .enumerate()
        {
            let (p50, p99, rps) = &mut results[i];
            println!(
                "| {name} | {:.2} ms | {:.2} ms | {:.0} |",
                median(p50),
                median(p99),
                median(rps)
            );
        }
        forward.abort();
        let _ = child.kill().await;
    });
}
