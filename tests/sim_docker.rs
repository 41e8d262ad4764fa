//! The simulated Docker engine, accepted by real clients: pilothouse's own
//! bollard source and effects (every Docker pane fills from it), and the
//! `docker` CLI (version, images, build, run, ps, logs, stop, rm, rmi).

mod common;

use common::docker_cli::DockerCli;
use common::scenario::{self, Expect};
use pilothouse::sim::docker::DockerSim;
use pilothouse::sources::docker_endpoint::{DockerEnv, Endpoint, client_for};
use std::path::Path;
use std::process::Command;

async fn start_sim(dir: &Path) -> DockerSim {
    DockerSim::start(&dir.join("docker.sock"))
        .await
        .expect("the simulated engine starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pilothouse_source_and_effects_drive_the_sim() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sim = start_sim(dir.path()).await;
    let endpoint = Endpoint {
        host: sim.host(),
        tls: None,
        origin: "test".into(),
    };
    let docker = client_for(&endpoint)
        .expect("client")
        .negotiate_version()
        .await
        .expect("the sim answers /version");
    let context = dir.path().join("app");
    std::fs::create_dir(&context).expect("context dir");
    common::busybox_context_with(&context, "unused by the sim", b"not a real busybox");
    let name = "sim-web";
    let expect = Expect {
        page: format!("Hello from {name}"),
        log_line: "\"GET /index.html HTTP/1.0\" 200".into(),
    };
    let env = DockerEnv {
        docker_host: Some(sim.host()),
        ..Default::default()
    };
    scenario::run(&docker, env, &context, "sim-www:latest", name, &expect)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // The record the bad-input tests rely on sees what was sent.
    let writes = pilothouse::sim::docker::lock(&sim.engine).writes.clone();
    for sent in [
        "POST /build",
        "POST /containers/create",
        "DELETE /containers/",
    ] {
        assert!(
            writes.iter().any(|w| w.starts_with(sent)),
            "{sent} recorded: {writes:?}"
        );
    }
}

fn docker_cli_available(test: &str) -> bool {
    common::cli_available(test, "docker", &["--version"])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_docker_cli_runs_the_walkthrough_against_the_sim() {
    let test = "the_docker_cli_runs_the_walkthrough_against_the_sim";
    if !docker_cli_available(test) {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let sim = start_sim(dir.path()).await;
    let cli = DockerCli::new(sim.host());
    let app = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/cookbook");
    // The CLI blocks; run it off the runtime that serves the sim.
    let transcript = tokio::task::spawn_blocking(move || {
        let version = cli.ok(&["version"]);
        assert!(
            version.contains("pilothouse simulated engine")
                && version.contains("API version:       1.43"),
            "{version}"
        );
        assert!(cli.ok(&["images"]).starts_with("REPOSITORY"));
        let build = cli.ok(&["build", "-t", "cookbook", app]);
        assert!(
            build.contains("Step 1/8 : FROM python:3")
                && build.contains("Successfully tagged cookbook:latest"),
            "{build}"
        );
        assert!(cli.ok(&["images"]).contains("cookbook"));
        let port = common::free_port().to_string();
        let publish = format!("127.0.0.1:{port}:8000");
        let id = cli.ok(&[
            "run",
            "-d",
            "-p",
            &publish,
            "--name",
            "cookbook-web",
            "cookbook:latest",
        ]);
        assert_eq!(id.trim().len(), 64, "docker run -d prints the id: {id}");
        let ps = cli.ok(&["ps"]);
        assert!(
            ps.contains(&format!("127.0.0.1:{port}->8000/tcp"))
                && ps.contains("Up ")
                && ps.contains("cookbook-web"),
            "{ps}"
        );
        (cli, port)
    })
    .await
    .expect("the CLI steps ran");
    let (cli, port) = transcript;
    let page = common::http_get(port.parse().expect("port"), "/")
        .await
        .expect("the published port answers");
    assert!(page.contains("Hello from cookbook-web"), "{page}");
    tokio::task::spawn_blocking(move || {
        let logs = cli.ok(&["logs", "cookbook-web"]);
        assert!(logs.contains("\"GET / HTTP/1.0\" 200"), "{logs}");
        cli.ok(&["stop", "cookbook-web"]);
        assert!(cli.ok(&["ps", "-a"]).contains("Exited (0)"));
        cli.ok(&["rm", "cookbook-web"]);
        assert!(!cli.ok(&["ps", "-a"]).contains("cookbook-web"));
        cli.ok(&["rmi", "cookbook"]);
        // A broken Dockerfile: the CLI fails with the engine's words.
        let broken = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            broken.path().join("Dockerfile"),
            "FROM scratch\nBOGUS nothing\n",
        )
        .expect("write");
        let out = cli.run(&[
            "build",
            "-t",
            "broken",
            broken.path().to_str().expect("utf-8"),
        ]);
        let text = String::from_utf8_lossy(&out.stderr).into_owned()
            + &String::from_utf8_lossy(&out.stdout);
        assert!(
            !out.status.success() && text.contains("unknown instruction: BOGUS"),
            "{text}"
        );
        assert!(!cli.ok(&["images"]).contains("broken"), "nothing stored");
    })
    .await
    .expect("the CLI steps ran");
}

/// The engine over TLS with client certificates (as minikube's behind
/// docker-env): pilothouse's endpoint from DOCKER_TLS_VERIFY/DOCKER_CERT_PATH
/// connects, the docker CLI does too, and a client without the certificates
/// gets no answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engine_over_tls_takes_clients_with_its_certificates_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut sim = start_sim(dir.path()).await;
    let certs = dir.path().join("certs");
    let host = sim.serve_tls(0, &certs).await.expect("TLS served");
    for file in ["ca.pem", "cert.pem", "key.pem"] {
        assert!(certs.join(file).is_file(), "{file} written");
    }
    let env = DockerEnv {
        docker_host: Some(host.clone()),
        tls_verify: true,
        cert_path: Some(certs.clone()),
        ..Default::default()
    };
    let endpoint = pilothouse::sources::docker_endpoint::resolve(&env).expect("resolves");
    assert!(endpoint.tls.is_some(), "DOCKER_TLS_VERIFY=1 means TLS");
    let version = client_for(&endpoint)
        .expect("client")
        .version()
        .await
        .expect("the TLS engine answers pilothouse");
    assert_eq!(
        version.version.as_deref(),
        Some(pilothouse::sim::docker::ENGINE_VERSION)
    );
    // A build through the cockpit's own effect, over TLS with the client certificate:
    // BuildKit's steps (metadata such as EXPOSE is no step), the RUN's output in its vertex.
    let (engine, info) =
        pilothouse::sources::docker_endpoint::connect_engine(endpoint.clone(), None)
            .await
            .expect("the TLS engine connects");
    assert_eq!(info.builder, pilothouse::domain::Builder::BuildKit);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let spec = pilothouse::app::core::command::BuildSpec {
        context: concat!(env!("CARGO_MANIFEST_DIR"), "/assets/cookbook").into(),
        dockerfile: "Dockerfile".into(),
        tag: "cookbook:tls".into(),
    };
    tokio::spawn(pilothouse::effects::docker::build::build(
        engine, 7, spec, tx,
    ));
    let (updates, result) = common::scenario::job_updates(&mut rx, 7).await;
    assert!(
        result
            .as_deref()
            .is_ok_and(|r| r.starts_with("built cookbook:tls")),
        "{result:?}"
    );
    let lines: Vec<String> = updates
        .iter()
        .filter_map(|u| match u {
            pilothouse::app::core::event::JobUpdate::Output(lines) => Some(lines.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    for expected in [
        "building with BuildKit",
        "#1 [1/5] FROM python:3",
        "#4 [4/5] RUN pip install --no-cache-dir -r requirements.txt",
        "#4 [pilothouse sim] not executed: pip install --no-cache-dir -r requirements.txt",
        "#6 exporting to image",
        "Successfully tagged cookbook:tls",
    ] {
        assert!(
            lines.iter().any(|l| l.contains(expected)),
            "{expected:?} in {lines:#?}"
        );
    }

    // Plain HTTP on the TLS port: the handshake fails, nothing is served.
    let port: u16 = host
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("a port");
    let plain = common::http_get(port, "/version").await.unwrap_or_default();
    assert!(
        !plain.contains(pilothouse::sim::docker::ENGINE_VERSION),
        "answered without TLS: {plain}"
    );
    if docker_cli_available("the_engine_over_tls_takes_clients_with_its_certificates_only") {
        let out = Command::new("docker")
            .args(["version", "--format", "{{.Server.Version}}"])
            .env("DOCKER_HOST", &host)
            .env("DOCKER_TLS_VERIFY", "1")
            .env("DOCKER_CERT_PATH", &certs)
            .env("DOCKER_CONFIG", dir.path())
            .env_remove("DOCKER_CONTEXT")
            .output()
            .expect("run docker");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            pilothouse::sim::docker::ENGINE_VERSION,
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
