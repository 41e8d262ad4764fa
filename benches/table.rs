//! Frame and model costs for the Containers table (DESIGN §5): a frame of
//! 10,000 rows should cost about what a frame of 100 rows costs, because only
//! the visible rows are built; a relist of 10,000 containers is one update.
//! The same for the Pods pane with 10,000 pods.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use pilothouse::app::core::event::{DockerEvent, Event, KubeEvent};
use pilothouse::app::core::keyed::{RowChanges, RowsUpdate};
use pilothouse::app::core::model::Pane;
use pilothouse::app::{Model, update};
use pilothouse::domain::kube::{ClusterInfo, PodRow};
use pilothouse::domain::{ContainerRow, ContainerState, EngineInfo, PortMapping, Protocol};
use pilothouse::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;
use std::time::{Duration, SystemTime};

const NOW: u64 = 1_800_000_000;

fn rows(n: usize) -> Vec<ContainerRow> {
    (0..n)
        .map(|i| ContainerRow {
            id: format!("{i:064x}"),
            image: format!("registry.local/team/app-{}:v{}", i % 37, i % 5),
            command: "python run.py".into(),
            created: (NOW - (i as u64 % 86_400)) as i64,
            state: if i % 7 == 0 {
                ContainerState::Exited
            } else {
                ContainerState::Running
            },
            status: "Up 5 minutes".into(),
            ports: vec![PortMapping {
                host_ip: Some("127.0.0.1".into()),
                host_port: Some(20_000 + (i % 40_000) as u16),
                container_port: 8000,
                protocol: Protocol::Tcp,
            }],
            name: format!("container-{i:05}"),
        })
        .collect()
}

fn model_with(n: usize) -> Model {
    let mut model = Model::new(
        "/bench".into(),
        false,
        SystemTime::UNIX_EPOCH + Duration::from_secs(NOW),
    );
    let info = EngineInfo {
        version: "28.2.2".into(),
        api_version: "1.50".into(),
        os: "linux".into(),
        builder: pilothouse::domain::Builder::BuildKit,
    };
    update(&mut model, Event::Docker(DockerEvent::Connected(info)));
    update(&mut model, Event::Docker(DockerEvent::Containers(rows(n))));
    model
}

/// One full 120x40 frame of `model_for(n)`, for 100 and 10,000 rows.
fn bench_frames(c: &mut Criterion, group: &str, model_for: fn(usize) -> Model) {
    let theme = Theme::default_theme();
    let mut group = c.benchmark_group(group);
    for n in [100usize, 10_000] {
        let model = model_for(n);
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("test terminal");
        group.bench_function(format!("{n}_rows"), |b| {
            b.iter(|| {
                terminal
                    .draw(|frame| pilothouse::ui::render(frame, black_box(&model), &theme))
                    .expect("draw");
            })
        });
    }
    group.finish();
}

fn frames(c: &mut Criterion) {
    bench_frames(c, "containers_frame_120x40", model_with);
}

fn relist(c: &mut Criterion) {
    let fresh = rows(10_000);
    let mut group = c.benchmark_group("model_update");
    group.bench_function("relist_10000_containers", |b| {
        b.iter_batched(
            || (model_with(10_000), fresh.clone()),
            |(mut model, rows)| update(&mut model, Event::Docker(DockerEvent::Containers(rows))),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

fn pod_rows(n: usize) -> Vec<PodRow> {
    (0..n)
        .map(|i| PodRow {
            namespace: "load".into(),
            name: format!("load-{}-7c9f8d6b5-{i:05}", i % 20),
            ready: 1,
            containers: 1,
            status: if i % 50 == 0 {
                "CrashLoopBackOff"
            } else {
                "Running"
            }
            .into(),
            restarts: (i % 3) as u32,
            created: (NOW - (i as u64 % 86_400)) as i64,
            node: "minikube".into(),
            container_names: vec!["app".into()],
            replica_set: Some(format!("load-{}-7c9f8d6b5", i % 20)),
            labels: vec![
                ("app".into(), format!("load-{}", i % 20)),
                ("pod-template-hash".into(), "7c9f8d6b5".into()),
            ],
            trouble: None,
            container_states: vec![pilothouse::domain::kube::PodContainer {
                name: "app".into(),
                image: "load:1".into(),
                state: "running".into(),
                ready: true,
                restarts: (i % 3) as u32,
            }],
        })
        .collect()
}

fn model_with_pods(n: usize) -> Model {
    let mut model = model_with(0);
    let info = ClusterInfo {
        context: "minikube".into(),
        server: "https://192.168.49.2:8443".into(),
        version: "v1.33.1".into(),
        nodes: 1,
        node_address: Some("192.168.49.2".into()),
    };
    update(&mut model, Event::Kube(KubeEvent::Connected(info)));
    update(&mut model, Event::Kube(KubeEvent::Pods(pod_rows(n).into())));
    model.shared.pane = Pane::Pods;
    model
}

/// The Pods pane (issue [3/7] part 7): a frame of 10,000 pods, and the model
/// taking a watch batch of 10,000 pods (what the source sends after a change).
fn pods(c: &mut Criterion) {
    bench_frames(c, "pods_frame_120x40", model_with_pods);
    let fresh = pod_rows(10_000);
    let mut group = c.benchmark_group("model_update");
    group.bench_function("watch_batch_10000_pods", |b| {
        b.iter_batched(
            || (model_with_pods(10_000), fresh.clone()),
            |(mut model, rows)| update(&mut model, Event::Kube(KubeEvent::Pods(rows.into()))),
            BatchSize::LargeInput,
        )
    });
    group.finish();
    per_event(c);
}

/// What one watch batch costs the model once the list is loaded (issue [6/7]):
/// one pod's restart count changed, and one pod replaced by another (a rollout),
/// at 100 and 10,000 pods. Applied row by row, these should not grow with the list.
fn per_event(c: &mut Criterion) {
    let mut group = c.benchmark_group("model_update_per_event");
    for n in [100, 10_000] {
        let mut model = model_with_pods(n);
        let mut restarts = 0;
        let middle = pod_rows(n)[n / 2].clone();
        group.bench_function(format!("one_pod_changed/{n}_pods"), |b| {
            b.iter(|| {
                restarts += 1;
                let changes = RowChanges {
                    upserted: vec![PodRow {
                        restarts,
                        ..middle.clone()
                    }],
                    removed: Vec::new(),
                };
                update(
                    &mut model,
                    Event::Kube(KubeEvent::Pods(RowsUpdate::Changed(changes))),
                )
            })
        });
        let mut model = model_with_pods(n);
        let mut generation = 0;
        group.bench_function(format!("one_pod_replaced/{n}_pods"), |b| {
            b.iter(|| {
                generation += 1;
                let changes = RowChanges {
                    upserted: vec![PodRow {
                        name: format!("load-9-7c9f8d6b5-new{generation}"),
                        ..middle.clone()
                    }],
                    removed: vec![format!("load/load-9-7c9f8d6b5-new{}", generation - 1)],
                };
                update(
                    &mut model,
                    Event::Kube(KubeEvent::Pods(RowsUpdate::Changed(changes))),
                )
            })
        });
    }
    group.finish();
}

criterion_group!(benches, frames, relist, pods);
criterion_main!(benches);
