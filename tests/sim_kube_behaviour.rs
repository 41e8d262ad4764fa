//! The simulated API server's list and watch semantics and its controllers'
//! behaviour, over plain HTTP: selectors, limit/continue, watch resume,
//! 410 Gone, bookmarks, timeouts; replaced pods, rolling updates, seeds.

mod common;

use common::http_request;
use pilothouse::sim::kube::{KubeConfig, KubeSim, Timing};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const DEPLOYMENTS: &str = "/apis/apps/v1/namespaces/default/deployments";
const PODS: &str = "/api/v1/namespaces/default/pods";

fn fast(seed: u64) -> KubeConfig {
    let timing = Timing {
        schedule: Duration::from_millis(20),
        create: Duration::from_millis(60),
        back_off: Duration::from_millis(100),
        terminate: Duration::from_millis(100),
        tick: Duration::from_millis(20),
        bookmark: Duration::from_millis(200),
    };
    KubeConfig {
        seed,
        timing,
        ..Default::default()
    }
}

fn port_of(sim: &KubeSim) -> u16 {
    sim.url
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port")
}

fn web(image: &str) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
           "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": image}]}}}})
}

async fn get_json(port: u16, path: &str) -> Value {
    let (status, body) = http_request(port, "GET", path, "application/json", b"").await;
    assert_eq!(status, 200, "GET {path}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}: {body}"))
}

/// Poll a list until `done` holds for its items.
async fn until(port: u16, path: &str, what: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    for _ in 0..200 {
        let list = get_json(port, path).await;
        let items = list["items"].as_array().cloned().unwrap_or_default();
        if done(&items) {
            return items;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{what} never happened at {path}");
}

fn running(pods: &[Value]) -> Vec<String> {
    pods.iter()
        .filter(|p| {
            p["status"]["phase"] == "Running" && p["metadata"]["deletionTimestamp"].is_null()
        })
        .filter_map(|p| p["metadata"]["name"].as_str().map(String::from))
        .collect()
}

/// An open watch: its JSON event lines, read with a deadline.
struct Watch(BufReader<tokio::net::TcpStream>);

impl Watch {
    async fn open(port: u16, path: &str) -> Self {
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connect");
        stream
            .write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
            .await
            .expect("send");
        Self(BufReader::new(stream))
    }

    /// The next event (type, object), or None when the stream ends or the deadline passes.
    async fn next(&mut self, within: Duration) -> Option<(String, Value)> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let mut line = String::new();
            match tokio::time::timeout_at(deadline, self.0.read_line(&mut line)).await {
                Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return None,
                Ok(Ok(_)) => {}
            }
            // The last chunk of a chunked body (checked first: "0" is also valid JSON).
            if line.trim() == "0" {
                return None;
            }
            if let Ok(event) = serde_json::from_str::<Value>(line.trim())
                && let Some(kind) = event["type"].as_str()
            {
                return Some((kind.to_string(), event["object"].clone()));
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_filter_page_and_watches_resume_expire_bookmark_and_time_out() {
    let sim = KubeSim::start(fast(1), None).await.expect("sim");
    let port = port_of(&sim);
    let (status, _) = http_request(
        port,
        "POST",
        DEPLOYMENTS,
        "application/json",
        web("registry.k8s.io/pause:3.10").to_string().as_bytes(),
    )
    .await;
    assert_eq!(status, 201);
    let pods = until(
        port,
        &format!("{PODS}?labelSelector=app%3Dweb"),
        "a running pod",
        |p| running(p).len() == 1,
    )
    .await;
    let name = running(&pods)[0].clone();
    let by_name = get_json(
        port,
        &format!("{PODS}?fieldSelector=metadata.name%3D{name}"),
    )
    .await;
    assert_eq!(by_name["items"].as_array().map(Vec::len), Some(1));
    let none = get_json(port, &format!("{PODS}?labelSelector=app%3Dother")).await;
    assert_eq!(none["items"].as_array().map(Vec::len), Some(0));
    // limit and continue page through kube-system's seven pods.
    let page = get_json(port, "/api/v1/namespaces/kube-system/pods?limit=5").await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(5));
    let token = page["metadata"]["continue"]
        .as_str()
        .expect("a continue token")
        .to_string();
    let rest = get_json(
        port,
        &format!("/api/v1/namespaces/kube-system/pods?limit=5&continue={token}"),
    )
    .await;
    assert_eq!(rest["items"].as_array().map(Vec::len), Some(2));
    assert!(rest["metadata"]["continue"].is_null());

    // A watch from the list's resourceVersion sees the next change, and only that.
    let list = get_json(port, DEPLOYMENTS).await;
    let rv = list["metadata"]["resourceVersion"]
        .as_str()
        .expect("rv")
        .to_string();
    let mut watch = Watch::open(
        port,
        &format!("{DEPLOYMENTS}?watch=true&resourceVersion={rv}&fieldSelector=metadata.name%3Dweb"),
    )
    .await;
    let (status, _) = http_request(
        port,
        "PATCH",
        &format!("{DEPLOYMENTS}/web/scale"),
        "application/merge-patch+json",
        br#"{"spec":{"replicas":2}}"#,
    )
    .await;
    assert_eq!(status, 200);
    let (kind, object) = watch.next(Duration::from_secs(5)).await.expect("an event");
    assert_eq!(
        (kind.as_str(), object["spec"]["replicas"].as_i64()),
        ("MODIFIED", Some(2))
    );

    // Too old a resourceVersion: 410 Gone, as an ERROR event.
    let mut old = Watch::open(port, &format!("{PODS}?watch=true&resourceVersion=1")).await;
    let (kind, status) = old
        .next(Duration::from_secs(5))
        .await
        .expect("an error event");
    assert_eq!(
        (
            kind.as_str(),
            status["code"].as_i64(),
            status["reason"].as_str()
        ),
        ("ERROR", Some(410), Some("Expired"))
    );

    // Bookmarks when asked for; the stream ends at timeoutSeconds.
    let now = get_json(port, PODS).await["metadata"]["resourceVersion"]
        .as_str()
        .expect("rv")
        .to_string();
    let mut marked = Watch::open(port, &format!("/api/v1/namespaces/kube-public/pods?watch=true&resourceVersion={now}&allowWatchBookmarks=true&timeoutSeconds=1")).await;
    let (kind, object) = marked
        .next(Duration::from_secs(3))
        .await
        .expect("a bookmark");
    assert_eq!(kind, "BOOKMARK");
    assert!(object["metadata"]["resourceVersion"].as_str().is_some());
    let started = tokio::time::Instant::now();
    while marked.next(Duration::from_secs(3)).await.is_some() {}
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the watch ended by its timeoutSeconds"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_pods_come_back_and_template_changes_roll_out() {
    let sim = KubeSim::start(fast(2), None).await.expect("sim");
    let port = port_of(&sim);
    http_request(
        port,
        "POST",
        DEPLOYMENTS,
        "application/json",
        web("registry.k8s.io/pause:3.10").to_string().as_bytes(),
    )
    .await;
    let pods = until(port, PODS, "a running pod", |p| running(p).len() == 1).await;
    let first = running(&pods)[0].clone();
    let (status, _) = http_request(
        port,
        "DELETE",
        &format!("{PODS}/{first}"),
        "application/json",
        b"{}",
    )
    .await;
    assert_eq!(status, 200);
    // Terminating first, then gone, and a new pod in its place.
    let pods = until(port, PODS, "a replacement", |p| {
        let names = running(p);
        names.len() == 1
            && names[0] != first
            && !p.iter().any(|x| x["metadata"]["name"] == json!(first))
    })
    .await;
    let second = running(&pods)[0].clone();

    // A new image: a new ReplicaSet, and the old one goes to zero once the new pods are ready.
    let patch = json!({"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "registry.k8s.io/pause:3.9"}]}}}});
    let (status, answer) = http_request(
        port,
        "PATCH",
        &format!("{DEPLOYMENTS}/web"),
        "application/strategic-merge-patch+json",
        patch.to_string().as_bytes(),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let sets = until(
        port,
        "/apis/apps/v1/namespaces/default/replicasets",
        "the rollout",
        |sets| {
            sets.len() == 2
                && sets
                    .iter()
                    .filter(|s| s["spec"]["replicas"] == json!(0))
                    .count()
                    == 1
        },
    )
    .await;
    assert!(
        sets.iter()
            .all(|s| s["metadata"]["ownerReferences"][0]["kind"] == "Deployment")
    );
    let pods = until(port, PODS, "the new pod", |p| {
        running(p).len() == 1 && running(p)[0] != second
    })
    .await;
    assert_eq!(
        pods.iter()
            .find(|p| p["status"]["phase"] == "Running")
            .map(|p| p["spec"]["containers"][0]["image"].clone()),
        Some(json!("registry.k8s.io/pause:3.9"))
    );
    let deployment = get_json(port, &format!("{DEPLOYMENTS}/web")).await;
    assert_eq!(deployment["metadata"]["generation"], json!(2));
    assert_eq!(deployment["status"]["observedGeneration"], json!(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_seed_gives_the_same_names() {
    let mut names = Vec::new();
    for _ in 0..2 {
        let sim = KubeSim::start(fast(42), None).await.expect("sim");
        let port = port_of(&sim);
        http_request(
            port,
            "POST",
            DEPLOYMENTS,
            "application/json",
            web("registry.k8s.io/pause:3.10").to_string().as_bytes(),
        )
        .await;
        let pods = until(port, PODS, "a pod", |p| !p.is_empty()).await;
        names.push(
            pods[0]["metadata"]["name"]
                .as_str()
                .expect("name")
                .to_string(),
        );
    }
    assert_eq!(names[0], names[1]);
    let other = KubeSim::start(fast(43), None).await.expect("sim");
    let port = port_of(&other);
    http_request(
        port,
        "POST",
        DEPLOYMENTS,
        "application/json",
        web("registry.k8s.io/pause:3.10").to_string().as_bytes(),
    )
    .await;
    let pods = until(port, PODS, "a pod", |p| !p.is_empty()).await;
    assert_ne!(
        pods[0]["metadata"]["name"].as_str(),
        Some(names[0].as_str()),
        "another seed, other names"
    );
}

/// `--churn N`: the preloaded pods change N times a second (their restart
/// counts), each a MODIFIED event to watchers; other namespaces are left alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn churn_changes_the_preloaded_pods_at_the_rate_asked() {
    let sim = KubeSim::start(
        KubeConfig {
            preload_pods: 20,
            churn_per_second: 100,
            ..fast(44)
        },
        None,
    )
    .await
    .expect("sim");
    let port = port_of(&sim);
    let load = "/api/v1/namespaces/load/pods";
    until(port, load, "20 running pods", |p| running(p).len() == 20).await;
    let restarts = |pods: &[Value]| -> u64 {
        pods.iter()
            .filter_map(|p| p["status"]["containerStatuses"][0]["restartCount"].as_u64())
            .sum()
    };
    let before = restarts(
        &get_json(port, load).await["items"]
            .as_array()
            .cloned()
            .unwrap_or_default(),
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = restarts(
        &get_json(port, load).await["items"]
            .as_array()
            .cloned()
            .unwrap_or_default(),
    );
    // 100 a second for 2 s, give or take a batch at either end and a busy machine.
    let changes = after - before;
    assert!((150..=220).contains(&changes), "{changes} changes in 2 s");
    let system = get_json(port, "/api/v1/namespaces/kube-system/pods").await;
    assert_eq!(
        restarts(system["items"].as_array().map(Vec::as_slice).unwrap_or(&[])),
        0,
        "other namespaces are left alone"
    );
}

/// `--log-rate N`: each running pod writes N numbered lines a second to its log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_rate_makes_every_running_pod_write_lines_at_the_rate_asked() {
    let sim = KubeSim::start(
        KubeConfig {
            preload_pods: 2,
            log_lines_per_second: 50,
            ..fast(46)
        },
        None,
    )
    .await
    .expect("sim");
    let port = port_of(&sim);
    let load = "/api/v1/namespaces/load/pods";
    let pods = until(port, load, "2 running pods", |p| running(p).len() == 2).await;
    let counted = |text: &str| {
        text.lines()
            .filter(|l| l.contains(" GET /recipes/"))
            .count()
    };
    let log_of = |pod: &str| format!("{load}/{pod}/log");
    let names = running(&pods);
    let before: Vec<usize> = {
        let mut counts = Vec::new();
        for name in &names {
            let (status, body) = http_request(port, "GET", &log_of(name), "text/plain", b"").await;
            assert_eq!(status, 200, "{body}");
            counts.push(counted(&body));
        }
        counts
    };
    tokio::time::sleep(Duration::from_secs(2)).await;
    for (name, before) in names.iter().zip(before) {
        let (_, body) = http_request(port, "GET", &log_of(name), "text/plain", b"").await;
        let lines: Vec<&str> = body
            .lines()
            .filter(|l| l.contains(" GET /recipes/"))
            .collect();
        // 50 a second for 2 s, give or take a batch at either end and a busy machine.
        let grown = lines.len() - before;
        assert!((70..=130).contains(&grown), "{name}: {grown} lines in 2 s");
        assert!(
            lines.iter().all(|l| l.starts_with(name.as_str())),
            "{lines:?}"
        );
        let numbers: Vec<u64> = lines
            .iter()
            .filter_map(|l| l.rsplit("request=").next()?.parse().ok())
            .collect();
        assert!(
            numbers.windows(2).all(|w| w[1] == w[0] + 1),
            "numbered in order: {numbers:?}"
        );
    }
}

/// `--log-pods N`: only the first N running pods of the preloaded namespaces write.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_pods_limits_the_writers_to_the_first_running_pods_by_name() {
    let sim = KubeSim::start(
        KubeConfig {
            preload_pods: 3,
            log_lines_per_second: 50,
            log_pods: 1,
            ..fast(47)
        },
        None,
    )
    .await
    .expect("sim");
    let port = port_of(&sim);
    let load = "/api/v1/namespaces/load/pods";
    let pods = until(port, load, "3 running pods", |p| running(p).len() == 3).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let mut names = running(&pods);
    names.sort();
    let mut written = Vec::new();
    for name in &names {
        let (status, body) = http_request(
            port,
            "GET",
            &format!("{load}/{name}/log"),
            "text/plain",
            b"",
        )
        .await;
        assert_eq!(status, 200, "{body}");
        written.push(
            body.lines()
                .filter(|l| l.contains(" GET /recipes/"))
                .count(),
        );
    }
    assert!(written[0] > 0, "the first pod by name writes: {written:?}");
    assert_eq!(&written[1..], [0, 0], "the others are quiet");
    let system = "/api/v1/namespaces/kube-system/pods";
    let list = get_json(port, system).await;
    let system_pods = running(list["items"].as_array().map(Vec::as_slice).unwrap_or(&[]));
    assert!(!system_pods.is_empty(), "{list}");
    let (_, body) = http_request(
        port,
        "GET",
        &format!("{system}/{}/log", system_pods[0]),
        "text/plain",
        b"",
    )
    .await;
    assert!(!body.contains(" GET /recipes/"), "{body}");
}
