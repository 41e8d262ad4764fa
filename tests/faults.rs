//! Faults, with the cockpit running against the sim: the API server killed
//! and restarted, the Docker connection cut and restored, and the API
//! server answering 500, 429 with Retry-After, never (a timeout), bodies
//! that are not JSON, watches that break off, and 410 Gone. Each is named in
//! the header, keys keep working, and the data is back within 5 s of the
//! server's return with the selection and the filter as the user left them.
//! Every scenario prints its detection and recovery times.

mod common;

use common::cockpit::Cockpit;
use common::proxy::Proxy;
use crossterm::event::KeyCode;
use pilothouse::app::Model;
use pilothouse::app::core::event::{DockerEvent, Event, KubeEvent};
use pilothouse::app::core::keyed::RowsUpdate;
use pilothouse::app::core::table::TableRow;
use pilothouse::app::kube::state::KubeConnection;
use pilothouse::cli::SimArgs;
use pilothouse::domain::Connection;
use pilothouse::sim::Sim;
use pilothouse::sim::kube::Fault;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// The longest a pane may stay stale once the server is back.
const RECOVERY: Duration = Duration::from_secs(5);

fn sim_args() -> SimArgs {
    SimArgs {
        pods: 40,
        containers: 12,
        ..SimArgs::default()
    }
}

/// The selected pod's key, and the Pods filter.
fn pods_view(model: &Model) -> (Option<String>, String) {
    let table = &model.kube.pods_table;
    (
        table.selected_row(&model.kube.pods).map(TableRow::key),
        table.filter.clone(),
    )
}

/// Keys still work while the cluster is away: down then up moves the selection and back.
fn keys_respond(cockpit: &mut Cockpit) {
    let before = pods_view(&cockpit.model);
    cockpit.key(KeyCode::Char('j'));
    assert_ne!(
        pods_view(&cockpit.model).0,
        before.0,
        "j moved the selection"
    );
    cockpit.key(KeyCode::Char('k'));
    assert_eq!(pods_view(&cockpit.model), before, "k moved it back");
}

/// Feed events until the pods are listed afresh (a relist) with no watch trouble left; how long it took.
async fn until_pods_fresh(cockpit: &mut Cockpit, what: &str) -> Duration {
    cockpit
        .until_event(
            what,
            |event| matches!(event, Event::Kube(KubeEvent::Pods(RowsUpdate::All(_)))),
            |m| m.kube.trouble.is_none(),
        )
        .await
}

/// A cockpit whose kubeconfig points at `port` (a proxy) instead of the sim's API server.
async fn cockpit_through(sim: &Sim, port: u16, dir: &std::path::Path) -> Cockpit {
    let kubeconfig = dir.join("kubeconfig");
    let text = std::fs::read_to_string(&sim.kubeconfig_path).expect("the sim's kubeconfig");
    std::fs::write(
        &kubeconfig,
        // The proxy passes TLS through: the same scheme, the sim's certificate (127.0.0.1).
        text.replace(&sim.kube.url, &format!("https://127.0.0.1:{port}")),
    )
    .expect("write the kubeconfig");
    let mut cockpit = Cockpit::start(sim.docker.host(), &kubeconfig, sim.sample_app.clone());
    cockpit
        .until("the pods listed", |m| {
            matches!(m.kube.connection, KubeConnection::Connected(_)) && m.kube.pods.len() >= 40
        })
        .await;
    // The user's place: the Pods pane, filtered to the preloaded pods, the third row selected.
    cockpit.keys("6/load\n");
    cockpit.keys("jj");
    cockpit
}

fn upstream(sim: &Sim) -> SocketAddr {
    sim.kube
        .url
        .trim_start_matches("https://")
        .parse()
        .expect("the sim listens on an address")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_server_killed_and_restarted() {
    let sim = Sim::start(&sim_args()).await.expect("the sim starts");
    let dir = tempfile::tempdir().expect("tempdir");
    let (proxy, port) = Proxy::tcp(0, upstream(&sim)).await;
    let mut cockpit = cockpit_through(&sim, port, dir.path()).await;
    let place = pods_view(&cockpit.model);
    assert_eq!(place.1, "load");
    assert!(place.0.is_some(), "a pod is selected");

    let killed = Instant::now();
    proxy.kill().await;
    cockpit
        .until("the header says disconnected", |m| {
            m.kube
                .trouble
                .as_deref()
                .is_some_and(|t| t.starts_with("disconnected: "))
        })
        .await;
    let detected = killed.elapsed();
    let screen = cockpit.screen(160);
    assert!(screen.contains("disconnected: "), "{screen}");
    assert!(
        screen.contains("Connection refused"),
        "the reason is shown: {screen}"
    );
    assert!(
        screen.contains("load-"),
        "the rows stay while away: {screen}"
    );
    keys_respond(&mut cockpit);
    // Away a while, so the watchers' backoff has grown to its ceiling.
    tokio::time::sleep(Duration::from_secs(6)).await;

    let (_proxy, _) = Proxy::tcp(port, upstream(&sim)).await;
    let back = until_pods_fresh(&mut cockpit, "after the restart").await;
    assert!(back <= RECOVERY, "the pods came back in {back:?}");
    assert_eq!(
        pods_view(&cockpit.model),
        place,
        "selection and filter survive"
    );
    assert!(!cockpit.screen(200).contains("disconnected"));
    eprintln!(
        "FAULT api server killed: named in {detected:?}, data back {back:?} after its return"
    );
}

/// One HTTP fault: set, the open connections cut so the watchers ask again,
/// named in the header as `name`; then cleared and recovered within 5 s.
async fn survive(cockpit: &mut Cockpit, sim: &Sim, proxy: &Proxy, fault: Fault, name: &str) {
    let place = pods_view(&cockpit.model);
    *sim.kube.shared.fault.lock().expect("the fault") = Some(fault);
    let set = Instant::now();
    proxy.cut();
    cockpit
        .until(&format!("{fault:?} named"), |m| {
            m.kube.trouble.as_deref().is_some_and(|t| t.contains(name))
        })
        .await;
    let detected = set.elapsed();
    let named = cockpit.model.kube.trouble.clone().unwrap_or_default();
    let screen = cockpit.screen(200);
    assert!(screen.contains(name), "{fault:?}: {screen}");
    keys_respond(cockpit);

    *sim.kube.shared.fault.lock().expect("the fault") = None;
    proxy.cut();
    let back = until_pods_fresh(cockpit, &format!("after {fault:?}")).await;
    assert!(
        back <= RECOVERY,
        "{fault:?}: the pods came back in {back:?}"
    );
    assert_eq!(
        pods_view(&cockpit.model),
        place,
        "{fault:?}: selection and filter survive"
    );
    // Healthy again: no watcher fails over the next 1.5 s.
    cockpit
        .throughout(
            Duration::from_millis(1500),
            &format!("{fault:?} cleared"),
            |m| m.kube.trouble.is_none(),
        )
        .await;
    eprintln!(
        "FAULT {fault:?}: named in {detected:?} ({named}), data back {back:?} after it cleared"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_throttling_timeouts_bad_bodies_and_expired_watches() {
    let sim = Sim::start(&sim_args()).await.expect("the sim starts");
    let dir = tempfile::tempdir().expect("tempdir");
    let (proxy, port) = Proxy::tcp(0, upstream(&sim)).await;
    let mut cockpit = cockpit_through(&sim, port, dir.path()).await;
    let scenarios = [
        (Fault::ServerError, "500 Internal Server Error"),
        (
            Fault::TooManyRequests { retry_after: 1 },
            "429 Too Many Requests",
        ),
        (Fault::MalformedJson, "malformed answer"),
        (Fault::TruncatedWatch, "the watch stream broke off"),
        (Fault::Gone, "410 Gone"),
        (Fault::Hang, "timed out"),
    ];
    for (fault, name) in scenarios {
        survive(&mut cockpit, &sim, &proxy, fault, name).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_docker_connection_cut_and_restored() {
    let sim = Sim::start(&sim_args()).await.expect("the sim starts");
    let dir = tempfile::tempdir().expect("tempdir");
    let socket = dir.path().join("engine.sock");
    let proxy = Proxy::unix(&socket, sim.docker.socket.clone());
    let kubeconfig = sim.kubeconfig_path.clone();
    let mut cockpit = Cockpit::start(
        format!("unix://{}", socket.display()),
        &kubeconfig,
        sim.sample_app.clone(),
    );
    cockpit
        .until("the containers listed", |m| m.docker.containers.len() >= 12)
        .await;
    cockpit.keys("1/load-00\n");
    cockpit.keys("jj");
    let place = |m: &Model| {
        (
            m.docker
                .containers_table
                .selected_row(&m.docker.containers)
                .map(TableRow::key),
            m.docker.containers_table.filter.clone(),
        )
    };
    let before = place(&cockpit.model);
    assert!(before.0.is_some());

    let cut = Instant::now();
    proxy.kill().await;
    let _ = std::fs::remove_file(&socket);
    cockpit
        .until("docker disconnected", |m| {
            matches!(m.docker.connection, Connection::Disconnected { .. })
        })
        .await;
    let detected = cut.elapsed();
    let screen = cockpit.screen(160);
    assert!(screen.contains("docker disconnected: "), "{screen}");
    assert!(
        screen.contains("load-00"),
        "the rows stay while away: {screen}"
    );
    cockpit.key(KeyCode::Char('k'));
    assert_ne!(place(&cockpit.model), before, "k moved the selection");
    cockpit.key(KeyCode::Char('j'));
    assert_eq!(place(&cockpit.model), before, "j moved it back");
    tokio::time::sleep(Duration::from_secs(6)).await;

    let _proxy = Proxy::unix(&socket, sim.docker.socket.clone());
    let restored = Instant::now();
    cockpit
        .until("docker connected again", |m| {
            matches!(m.docker.connection, Connection::Connected(_))
        })
        .await;
    let connected = restored.elapsed();
    // The rows were kept; the first list after the return is what makes them current.
    cockpit
        .until_event(
            "the containers listed again",
            |event| matches!(event, Event::Docker(DockerEvent::Containers(_))),
            |_| true,
        )
        .await;
    let back = restored.elapsed();
    assert!(back <= RECOVERY, "the containers came back in {back:?}");
    assert_eq!(
        place(&cockpit.model),
        before,
        "selection and filter survive"
    );
    eprintln!(
        "FAULT docker cut: named in {detected:?}, connected {connected:?} and listed {back:?} after its return"
    );
}

/// The API server's requests over the next 5 s.
async fn requests_over(sim: &Sim, cockpit: &mut Cockpit, what: &str) -> u64 {
    let before = sim.kube.shared.requests.load(Ordering::Relaxed);
    cockpit
        .throughout(Duration::from_secs(5), what, |_| true)
        .await;
    sim.kube.shared.requests.load(Ordering::Relaxed) - before
}

/// The cluster says no mid-session: the user's RoleBinding removed (403) and then its
/// token revoked (401). Each is said plainly, nothing refused is asked again in a
/// loop (the API server's requests counted over 5 s), and `:ctx` asks again once the
/// cluster says yes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permissions_withdrawn_and_a_token_revoked_mid_session() {
    let sim = Sim::start(&sim_args()).await.expect("the sim starts");
    let dir = tempfile::tempdir().expect("tempdir");
    let (proxy, port) = Proxy::tcp(0, upstream(&sim)).await;
    let mut cockpit = cockpit_through(&sim, port, dir.path()).await;

    *sim.kube.shared.fault.lock().expect("the fault") = Some(Fault::Forbidden);
    proxy.cut();
    cockpit
        .until("pods said not allowed", |m| {
            m.kube
                .not_allowed
                .iter()
                .any(|s| s.starts_with("pods: not allowed"))
        })
        .await;
    let said = cockpit.model.kube.not_allowed.join("; ");
    let asked = requests_over(&sim, &mut cockpit, "refused, not asked again").await;
    assert!(asked <= 2, "{asked} requests in 5 s after a 403 ({said})");
    keys_respond(&mut cockpit);
    *sim.kube.shared.fault.lock().expect("the fault") = None;
    cockpit.keys(":ctx pilothouse-sim\n");
    cockpit
        .until("allowed again after :ctx", |m| {
            m.kube.not_allowed.is_empty() && m.kube.pods.len() >= 40
        })
        .await;
    eprintln!("FAULT binding removed: {said}; {asked} requests in the 5 s after");

    *sim.kube.shared.fault.lock().expect("the fault") = Some(Fault::Unauthorized);
    proxy.cut();
    cockpit
        .until("the credentials said refused", |m| {
            matches!(m.kube.connection, KubeConnection::Rejected(_))
        })
        .await;
    let header = cockpit
        .screen(200)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(header.contains("credentials refused"), "{header}");
    let asked = requests_over(&sim, &mut cockpit, "rejected, not asked again").await;
    assert!(asked <= 2, "{asked} requests in 5 s after a 401");
    *sim.kube.shared.fault.lock().expect("the fault") = None;
    cockpit.keys(":ctx pilothouse-sim\n");
    cockpit
        .until("connected again after :ctx", |m| {
            matches!(m.kube.connection, KubeConnection::Connected(_)) && m.kube.pods.len() >= 40
        })
        .await;
    eprintln!("FAULT token revoked: {header:?}; {asked} requests in the 5 s after");
}
