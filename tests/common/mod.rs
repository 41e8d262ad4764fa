//! Shared by the integration tests: reaching the engine (or saying why the
//! tests skip), a tiny busybox image context, and cleaning up only what the
//! tests created (label `pilothouse.test=1`).

#![allow(dead_code)]

pub mod cockpit;
pub mod docker_cli;
pub mod kubectl;
pub mod proxy;
pub mod pty;
pub mod scenario;
pub mod strict;
pub mod tmux;

use bollard::Docker;
use bollard::query_parameters::{
    ListContainersOptionsBuilder, RemoveContainerOptionsBuilder, RemoveImageOptionsBuilder,
};
use pilothouse::sources::docker_endpoint::{DockerEnv, client_for, resolve};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub const TEST_LABEL: (&str, &str) = ("pilothouse.test", "1");
pub const BUSYBOX: &str = "/bin/busybox";

fn required(var: &str) -> bool {
    std::env::var(var).is_ok_and(|v| v == "1")
}

/// The engine, or None after printing why these tests skip. Under
/// PILOTHOUSE_REQUIRE_DOCKER=1 a missing engine or busybox fails instead.
pub async fn engine(test: &str) -> Option<Docker> {
    let why = match connect().await {
        Ok(docker) if Path::new(BUSYBOX).exists() => return Some(docker),
        Ok(_) => format!("{BUSYBOX} is missing (apt-get install busybox-static)"),
        Err(reason) => format!("no Docker engine answers: {reason}"),
    };
    if required("PILOTHOUSE_REQUIRE_DOCKER") {
        panic!("{test}: {why}, and PILOTHOUSE_REQUIRE_DOCKER=1");
    }
    eprintln!("SKIPPED {test}: {why} (set PILOTHOUSE_REQUIRE_DOCKER=1 to make this a failure)");
    None
}

/// The local engine as the cockpit connects to it (the builder chosen as it chooses).
pub async fn local_engine() -> pilothouse::sources::docker_endpoint::EngineClient {
    let env = DockerEnv::from_process();
    let endpoint = resolve(&env).expect("the Docker endpoint");
    pilothouse::sources::docker_endpoint::connect_engine(endpoint, env.buildkit.as_deref())
        .await
        .expect("the local engine")
        .0
}

async fn connect() -> Result<Docker, String> {
    let endpoint = resolve(&DockerEnv::from_process()).map_err(|e| format!("{e:#}"))?;
    let docker = client_for(&endpoint).map_err(|e| format!("{e:#}"))?;
    let docker = docker
        .negotiate_version()
        .await
        .map_err(|e| e.to_string())?;
    docker.ping().await.map_err(|e| e.to_string())?;
    Ok(docker)
}

/// A build context for a static busybox serving /www on port 8000, labelled for cleanup.
pub fn busybox_context(dir: &Path, page: &str) {
    let busybox = std::fs::read(BUSYBOX).expect("read busybox");
    busybox_context_with(dir, page, &busybox);
}

/// The same context with any bytes as the busybox binary (the simulated engine never runs it).
pub fn busybox_context_with(dir: &Path, page: &str, busybox: &[u8]) {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("busybox");
    std::fs::write(&path, busybox).expect("write busybox into the context");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
        .expect("make busybox executable");
    std::fs::create_dir_all(dir.join("www")).expect("create www");
    std::fs::write(dir.join("www/index.html"), page).expect("write the page");
    std::fs::write(dir.join(".dockerignore"), "*.log\n").expect("write .dockerignore");
    std::fs::write(dir.join("debug.log"), "must not be sent").expect("write an ignored file");
    std::fs::write(
        dir.join("Dockerfile"),
        // -v makes httpd log each request to stderr, so the logs stream has something to show.
        "FROM scratch\nCOPY busybox /bin/busybox\nCOPY www /www\nLABEL pilothouse.test=1\nEXPOSE 8000\n\
         CMD [\"/bin/busybox\",\"httpd\",\"-f\",\"-v\",\"-p\",\"8000\",\"-h\",\"/www\"]\n",
    )
    .expect("write the Dockerfile");
}

/// Remove the named containers if they carry our label, and the given image tags; nothing else.
/// (Tests run in parallel: each removes only its own.)
pub async fn clean_up(docker: &Docker, names: &[&str], tags: &[&str]) {
    let filters = HashMap::from([("label", vec!["pilothouse.test=1"])]);
    let options = ListContainersOptionsBuilder::default()
        .all(true)
        .filters(&filters)
        .build();
    for container in docker
        .list_containers(Some(options))
        .await
        .unwrap_or_default()
    {
        let ours = container
            .names
            .iter()
            .flatten()
            .any(|n| names.contains(&n.trim_start_matches('/')));
        if let (true, Some(id)) = (ours, container.id) {
            let _ = docker
                .remove_container(
                    &id,
                    Some(RemoveContainerOptionsBuilder::default().force(true).build()),
                )
                .await;
        }
    }
    for tag in tags {
        let _ = docker
            .remove_image(
                tag,
                Some(RemoveImageOptionsBuilder::default().force(true).build()),
                None,
            )
            .await;
    }
    // A failed build leaves untagged layers behind; ours carry the label.
    let filters = HashMap::from([
        ("label", vec!["pilothouse.test=1"]),
        ("dangling", vec!["true"]),
    ]);
    let options = bollard::query_parameters::ListImagesOptionsBuilder::default()
        .filters(&filters)
        .build();
    for image in docker.list_images(Some(options)).await.unwrap_or_default() {
        let _ = docker
            .remove_image(
                &image.id,
                Some(RemoveImageOptionsBuilder::default().build()),
                None,
            )
            .await;
    }
}

/// A port nothing listens on, for a test to bind (or publish) later.
///
/// Taken below the kernel's ephemeral range: a port from inside it can be
/// handed to some other test's outgoing connection in the moment between our
/// check and our bind, or while a restarted container has let it go, and the
/// bind then fails with "Address already in use". Ports below the range are
/// only ever taken by a bind. Each call in this process gets a different one.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let ephemeral_low = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|range| range.split_whitespace().next()?.parse::<u32>().ok())
        .unwrap_or(32_768);
    let (low, high) = (20_000u32, ephemeral_low.max(21_000));
    // Where this process starts in the range: from its pid, so test binaries run one after
    // another do not walk the same ports.
    let start = std::process::id().wrapping_mul(7919) % (high - low);
    for _ in 0..(high - low) {
        let offset = (start + NEXT.fetch_add(1, Ordering::Relaxed)) % (high - low);
        let port = u16::try_from(low + offset).expect("ports below the ephemeral range fit a u16");
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port between {low} and {high}");
}

/// GET a path over plain HTTP/1.0 on 127.0.0.1, retrying while the server starts.
pub async fn http_get(port: u16, path: &str) -> Result<String, String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut last = String::new();
    for _ in 0..50 {
        match tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
            Ok(mut stream) => {
                let request = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
                if stream.write_all(request.as_bytes()).await.is_ok() {
                    let mut body = String::new();
                    if stream.read_to_string(&mut body).await.is_ok() && !body.is_empty() {
                        return Ok(body);
                    }
                }
                last = "empty answer".into();
            }
            Err(err) => last = err.to_string(),
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Err(last)
}

/// The first event `pick` accepts, within a minute; panics naming what was awaited.
pub async fn next_matching<T>(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<pilothouse::app::Event>,
    what: &str,
    mut pick: impl FnMut(pilothouse::app::Event) -> Option<T>,
) -> T {
    let wait = std::time::Duration::from_secs(60);
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(event)) => {
                if let Some(found) = pick(event) {
                    return found;
                }
            }
            Ok(None) => panic!("channel closed while waiting for {what}"),
            Err(_) => panic!("timed out after {wait:?} waiting for {what}"),
        }
    }
}

/// One plain HTTP/1.1 request on 127.0.0.1 (Connection: close); the status and body.
pub async fn http_request(
    port: u16,
    method: &str,
    path: &str,
    content_type: &str,
    body: &[u8],
) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect to the sim");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nUser-Agent: pilothouse-test/1\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream
        .write_all(head.as_bytes())
        .await
        .expect("send the head");
    stream.write_all(body).await.expect("send the body");
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .await
        .expect("read the answer");
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// Build the sample app on the sim's engine through pilothouse's own effect, as the cockpit would.
pub async fn build_cookbook(sim: &pilothouse::sim::Sim) {
    build_on_sim(
        sim,
        concat!(env!("CARGO_MANIFEST_DIR"), "/assets/cookbook").into(),
        "cookbook:latest",
    )
    .await;
}

/// Build `context`'s Dockerfile on the sim's engine as `tag`.
pub async fn build_on_sim(sim: &pilothouse::sim::Sim, context: PathBuf, tag: &str) {
    let endpoint = pilothouse::sources::docker_endpoint::Endpoint {
        host: sim.docker.host(),
        tls: None,
        origin: "test".into(),
    };
    let (engine, _) = pilothouse::sources::docker_endpoint::connect_engine(endpoint, None)
        .await
        .expect("sim engine");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let spec = pilothouse::app::core::command::BuildSpec {
        context,
        dockerfile: "Dockerfile".into(),
        tag: tag.into(),
    };
    tokio::spawn(pilothouse::effects::docker::build::build(
        engine, 1, spec, tx,
    ));
    let result = next_matching(&mut rx, "the build", |e| match e {
        pilothouse::app::Event::Job {
            update: pilothouse::app::core::event::JobUpdate::Finished(result),
            ..
        } => Some(result),
        _ => None,
    })
    .await;
    result.unwrap_or_else(|e| panic!("{tag} builds on the simulated engine: {e}"));
}

/// A simulated cluster whose engine has `dockerfile` built under each of
/// `tags`, and the folder it was built in (for the test's own files).
pub async fn sim_with_images(
    dockerfile: &str,
    tags: &[&str],
) -> (pilothouse::sim::Sim, tempfile::TempDir) {
    let sim = pilothouse::sim::Sim::start(&pilothouse::cli::SimArgs::default())
        .await
        .expect("the sim starts");
    let context = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(context.path().join("Dockerfile"), dockerfile)
        .expect("the Dockerfile is written");
    for tag in tags {
        build_on_sim(&sim, context.path().to_path_buf(), tag).await;
    }
    (sim, context)
}

/// A simulated engine and cluster with the sample app built (`cookbook:latest`).
pub async fn sim_with_cookbook(seed: u64) -> pilothouse::sim::Sim {
    let sim = pilothouse::sim::Sim::start(&pilothouse::cli::SimArgs {
        seed,
        ..Default::default()
    })
    .await
    .expect("the sim starts");
    build_cookbook(&sim).await;
    sim
}

/// A kubeconfig `cluster:` body for a simulated cluster: its address and,
/// over HTTPS, its CA (lines indented for the body).
pub fn sim_cluster(sim: &pilothouse::sim::Sim) -> String {
    use base64::Engine as _;
    let ca = sim.kube.ca_pem.as_ref().map_or(String::new(), |pem| {
        format!(
            "    certificate-authority-data: {}\n",
            base64::engine::general_purpose::STANDARD.encode(pem)
        )
    });
    format!("    server: {}\n{ca}", sim.kube.url)
}

/// A kubeconfig `user:` entry body for the simulated cluster's admin: its
/// bearer token when the sim authenticates.
pub fn sim_admin_user(sim: &pilothouse::sim::Sim) -> String {
    match &sim.kube.shared.auth {
        Some(auth) => format!("  user:\n    token: {}\n", auth.admin_token),
        None => "  user: {}\n".to_string(),
    }
}

/// Whether the real gcloud is installed; without it a test skips and says why,
/// unless PILOTHOUSE_REQUIRE_CLIS=1 makes that a failure.
pub fn gcloud_available(test: &str) -> bool {
    cli_available(test, "gcloud", &["--version"])
}

/// Whether a real CLI (`kubectl`, `docker`, `gcloud`) runs; without it a test
/// skips and says why, unless PILOTHOUSE_REQUIRE_CLIS=1 makes that a failure.
pub fn cli_available(test: &str, program: &str, version_args: &[&str]) -> bool {
    if std::process::Command::new(program)
        .args(version_args)
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return true;
    }
    if std::env::var("PILOTHOUSE_REQUIRE_CLIS").is_ok_and(|v| v == "1") {
        panic!("{test}: {program} is not installed, and PILOTHOUSE_REQUIRE_CLIS=1");
    }
    eprintln!(
        "SKIPPED {test}: {program} is not installed (set PILOTHOUSE_REQUIRE_CLIS=1 to make this a failure)"
    );
    false
}

/// Whether a process runs (a zombie has ended; only its parent has not collected it).
pub fn alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            !s.rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .starts_with('Z')
        })
        .unwrap_or(false)
}

/// A kube-rs client on the simulated cluster, through its kubeconfig.
pub async fn sim_client(sim: &pilothouse::sim::Sim) -> kube::Client {
    let kubeconfig = kube::config::Kubeconfig::read_from(&sim.kubeconfig_path)
        .expect("the sim's kubeconfig parses");
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
        .await
        .expect("a config from it");
    kube::Client::try_from(config).expect("a client")
}

/// Writes an executable stand-in program. The file is written by a child
/// process (`sh -c 'cat > …'`), never through a descriptor of this process:
/// tests run on parallel threads, and a writable descriptor open here while
/// another thread forks is inherited by that child until it execs, which makes
/// executing this script fail with "Text file busy" (ETXTBSY) meanwhile.
pub fn write_program(path: &Path, script: &str) {
    use std::io::Write;
    let mut writer = std::process::Command::new("sh")
        .arg("-c")
        .arg("cat > \"$0\" && chmod 755 \"$0\"")
        .arg(path)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("sh starts to write the stand-in program");
    writer
        .stdin
        .take()
        .expect("its stdin")
        .write_all(script.as_bytes())
        .expect("the script reaches sh");
    let status = writer.wait().expect("sh ends");
    assert!(
        status.success(),
        "writing {} failed: {status}",
        path.display()
    );
}

/// Builds the context as TAG and starts a container NAME from it (labelled
/// for clean-up), through the cockpit's own effects; panics with the job's
/// error if either fails.
pub async fn build_and_start(docker: &Docker, context: &Path, tag: &str, name: &str) {
    use pilothouse::app::core::command::{BuildSpec, RunSpec};
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let spec = BuildSpec {
        context: context.to_path_buf(),
        dockerfile: "Dockerfile".into(),
        tag: tag.into(),
    };
    tokio::spawn(pilothouse::effects::docker::build::build(
        local_engine().await,
        1,
        spec,
        tx.clone(),
    ));
    job_end(&mut rx).await.expect("the image builds");
    let run = RunSpec {
        image: tag.into(),
        name: Some(name.into()),
        ports: vec![],
        env: vec![],
        labels: vec![(TEST_LABEL.0.into(), TEST_LABEL.1.into())],
    };
    tokio::spawn(pilothouse::effects::docker::engine::run(
        docker.clone(),
        2,
        run,
        tx,
    ));
    job_end(&mut rx).await.expect("the container starts");
}

async fn job_end(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<pilothouse::app::Event>,
) -> Result<String, String> {
    next_matching(rx, "the job's end", |e| match e {
        pilothouse::app::Event::Job {
            update: pilothouse::app::core::event::JobUpdate::Finished(result),
            ..
        } => Some(result),
        _ => None,
    })
    .await
}

/// Creates a pod in `default` with one container `app` of cookbook:latest
/// (the given `extra` fields merged into the container) and waits until it runs.
pub async fn running_pod(
    pods: &kube::Api<k8s_openapi::api::core::v1::Pod>,
    name: &str,
    extra: serde_json::Value,
) {
    let mut container = serde_json::json!({"name": "app", "image": "cookbook:latest"});
    if let (Some(fields), Some(into)) = (extra.as_object(), container.as_object_mut()) {
        into.extend(fields.clone());
    }
    let pod = serde_json::from_value(serde_json::json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name},
        "spec": {"containers": [container]}
    }))
    .expect("pod");
    pods.create(&Default::default(), &pod)
        .await
        .expect("pod created");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while pods
        .get(name)
        .await
        .ok()
        .and_then(|p| p.status?.phase)
        .as_deref()
        != Some("Running")
    {
        assert!(std::time::Instant::now() < deadline, "{name} never ran");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The sample app's Cloud Run mode set to `mode` (`local`, `source`, ...), in its pilothouse.toml.
pub fn use_cloud_mode(sim: &pilothouse::sim::Sim, mode: &str) {
    let settings = sim.sample_app.join("pilothouse.toml");
    let text = std::fs::read_to_string(&settings).expect("the sample's settings");
    let from = format!("mode = \"{}\"", pilothouse::sim::SAMPLE_MODE);
    assert!(text.contains(&from), "{text}");
    std::fs::write(
        &settings,
        text.replace(&from, &format!("mode = \"{mode}\"")),
    )
    .expect("the mode set");
}
