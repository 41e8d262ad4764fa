//! One forward, as a task: it listens on 127.0.0.1, finds the pod to reach,
//! carries each local connection through the API server's port-forward
//! (kube-rs's WebSocket channels), counts connections and bytes, looks at
//! its pod every second and moves to another ready pod when a Service's or
//! Deployment's pod goes away (a pod forward stops with its pod).

use super::resolve::{POD_NOT_FOUND, PodHealth, Resolved, health, resolve};
use crate::app::core::event::{Event, ForwardEvent};
use crate::domain::forward::{ForwardId, ForwardSpec, ForwardStats, LOCAL_ADDRESS};
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, mpsc::UnboundedSender, watch};

/// How often a forward looks at its pod (and reports its counters).
const CHECK_EVERY: Duration = Duration::from_secs(1);

#[derive(Default)]
struct Counters {
    open: AtomicU32,
    total: AtomicU64,
    bytes_in: AtomicU64,
    bytes_out: AtomicU64,
}

impl Counters {
    fn snapshot(&self) -> ForwardStats {
        ForwardStats {
            open: self.open.load(Ordering::Relaxed),
            total: self.total.load(Ordering::Relaxed),
            bytes_in: self.bytes_in.load(Ordering::Relaxed),
            bytes_out: self.bytes_out.load(Ordering::Relaxed),
        }
    }
}

/// Why the local port could not be taken, as a sentence for the form's field.
pub fn bind_problem(error: &std::io::Error, port: u16) -> String {
    match error.kind() {
        std::io::ErrorKind::AddrInUse => {
            format!("{LOCAL_ADDRESS}:{port} is in use by another program; pick another port")
        }
        std::io::ErrorKind::PermissionDenied => {
            format!("{LOCAL_ADDRESS}:{port} needs root (ports below 1024); pick 1024 or above")
        }
        _ => format!("cannot listen on {LOCAL_ADDRESS}:{port}: {error}"),
    }
}

/// The forward's whole life: ends when it is aborted (stopped) or its pod is gone.
pub async fn run(
    id: ForwardId,
    spec: ForwardSpec,
    kept: bool,
    clients: watch::Receiver<Option<kube::Client>>,
    tx: UnboundedSender<Event>,
) {
    let send = |event| {
        let _ = tx.send(Event::Forward(event));
    };
    let listener = match TcpListener::bind((LOCAL_ADDRESS, spec.local_port)).await {
        Ok(listener) => listener,
        Err(e) => {
            let problem = bind_problem(&e, spec.local_port);
            send(ForwardEvent::Refused {
                spec,
                kept,
                problem,
            });
            return;
        }
    };
    send(ForwardEvent::Started {
        id,
        spec: spec.clone(),
        kept,
    });
    let counters = Arc::new(Counters::default());
    // A connection that failed asks for a look at the pod at once.
    let trouble = Arc::new(Notify::new());
    let mut client: Option<kube::Client> = None;
    let mut current: Option<Resolved> = None;
    let mut reported: Option<Result<String, String>> = None;
    let mut reported_stats = ForwardStats::default();
    // Owned here, so a stopped forward (this task aborted) drops its connections too.
    let mut connections = tokio::task::JoinSet::new();
    let mut check = tokio::time::interval(CHECK_EVERY);
    check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((socket, _)) = accepted else { continue };
                match (&client, &current) {
                    (Some(client), Some(target)) => {
                        let failed = tx.clone();
                        connections.spawn(connection(
                            Api::namespaced(client.clone(), &spec.namespace),
                            target.clone(),
                            socket,
                            counters.clone(),
                            trouble.clone(),
                            move |problem| {
                                let _ = failed.send(Event::Forward(ForwardEvent::ConnectionFailed { id, problem }));
                            },
                        ));
                    }
                    // Nothing to reach yet: the connection is closed, as kubectl's would fail.
                    _ => drop(socket),
                }
                continue;
            }
            _ = check.tick() => {}
            _ = trouble.notified() => {}
        }
        while connections.try_join_next().is_some() {}
        if client.is_none() {
            client = clients.borrow().clone();
        }
        let Some(kube) = client.clone() else {
            let why = Err("no cluster connected".to_string());
            if reported.as_ref() != Some(&why) {
                send(ForwardEvent::Reaching {
                    id,
                    pod: why.clone(),
                    moved_from: None,
                });
                reported = Some(why);
            }
            continue;
        };
        let mut moved_from = None;
        if let Some(target) = &current {
            match health(&kube, &spec, &target.pod).await {
                PodHealth::Serving => {}
                PodHealth::Gone(why) if !spec.kind.follows_pods() => {
                    send(ForwardEvent::Ended {
                        id,
                        reason: format!("its pod {why}"),
                    });
                    return;
                }
                PodHealth::Gone(why) | PodHealth::Lost(why) => {
                    moved_from = Some((target.pod.clone(), why));
                    current = None;
                }
            }
        }
        if current.is_none() {
            let found = resolve(&kube, &spec).await;
            if let Err(why) = &found
                && why == POD_NOT_FOUND
            {
                send(ForwardEvent::Ended {
                    id,
                    reason: why.clone(),
                });
                return;
            }
            let pod = found.as_ref().map(|r| r.pod.clone()).map_err(Clone::clone);
            current = found.ok();
            let moved_from = match (&pod, moved_from) {
                (Ok(new), Some((old, why))) if *new != old => Some((old, why)),
                _ => None,
            };
            if reported.as_ref() != Some(&pod) || moved_from.is_some() {
                send(ForwardEvent::Reaching {
                    id,
                    pod: pod.clone(),
                    moved_from,
                });
                reported = Some(pod);
            }
        }
        let stats = counters.snapshot();
        if stats != reported_stats {
            send(ForwardEvent::Stats { id, stats });
            reported_stats = stats;
        }
    }
}

/// One local connection carried to the pod's port; bytes counted both ways.
async fn connection(
    pods: Api<Pod>,
    target: Resolved,
    mut socket: TcpStream,
    counters: Arc<Counters>,
    trouble: Arc<Notify>,
    failed: impl FnOnce(String),
) {
    counters.total.fetch_add(1, Ordering::Relaxed);
    counters.open.fetch_add(1, Ordering::Relaxed);
    let _ = socket.set_nodelay(true);
    match pods.portforward(&target.pod, &[target.port]).await {
        Err(e) => {
            tracing::info!(pod = %target.pod, error = %e, "forward: the API server refused");
            trouble.notify_one();
        }
        Ok(mut forwarder) => {
            let error = forwarder.take_error(target.port);
            if let Some(upstream) = forwarder.take_stream(target.port) {
                let (local_read, local_write) = socket.split();
                let (remote_read, remote_write) = tokio::io::split(upstream);
                let copy = async {
                    let to_pod = pump(local_read, remote_write, &counters.bytes_out);
                    let from_pod = pump(remote_read, local_write, &counters.bytes_in);
                    tokio::pin!(to_pod, from_pod);
                    // The local side's end of sending is not the end: its answer still comes.
                    tokio::select! {
                        _ = &mut to_pod => from_pod.await,
                        _ = &mut from_pod => {}
                    }
                };
                tokio::pin!(copy);
                match error {
                    // The kubelet's word on this connection (nothing listens on the port, say).
                    Some(error) => tokio::select! {
                        _ = &mut copy => {}
                        message = error => match message {
                            Some(problem) => failed(problem),
                            None => copy.await,
                        },
                    },
                    None => copy.await,
                }
            }
            forwarder.abort();
        }
    }
    counters.open.fetch_sub(1, Ordering::Relaxed);
}

/// Copy until either side ends, counting what passes.
async fn pump(
    mut from: impl AsyncRead + Unpin,
    mut to: impl AsyncWrite + Unpin,
    counted: &AtomicU64,
) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if to.write_all(&buffer[..n]).await.is_err() {
            break;
        }
        counted.fetch_add(n as u64, Ordering::Relaxed);
    }
    let _ = to.shutdown().await;
}
