//! exec into the simulated cluster with the real clients: `kubectl exec`
//! (WebSocket, v5.channel.k8s.io), the docker CLI's `docker exec` (hijacked
//! connection), and the two libraries pilothouse itself uses (kube-rs over
//! its WebSocket channels, bollard's attached exec). What answers is the
//! built-in shell over the files the image was built with. (Interactive
//! shells with a terminal: tests/shell_handover.rs.)

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const RUN_PY: &str = include_str!("../assets/cookbook/run.py");
const MANIFEST: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/cookbook/cookbook-deployment.yaml"
);

/// A client program with its environment, run with optional input.
struct Client {
    program: &'static str,
    env: Vec<(String, String)>,
}

impl Client {
    fn run(&self, args: &[&str], input: Option<&str>) -> Output {
        let mut command = Command::new(self.program);
        command
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(if input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("the client starts");
        if let Some(text) = input {
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(text.as_bytes())
                .expect("input written");
        }
        child.wait_with_output().expect("the client ends")
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_exec_runs_the_built_in_shell_over_the_image_files() {
    let test = "kubectl_exec_runs_the_built_in_shell_over_the_image_files";
    if !common::cli_available(test, "kubectl", &["version", "--client"]) {
        return;
    }
    let sim = common::sim_with_cookbook(11).await;
    let cache = tempfile::tempdir().expect("cache dir");
    let kubectl = Client {
        program: "kubectl",
        env: vec![
            (
                "KUBECONFIG".into(),
                sim.kubeconfig_path.display().to_string(),
            ),
            ("KUBECACHEDIR".into(), cache.path().display().to_string()),
        ],
    };
    tokio::task::spawn_blocking(move || {
        let applied = kubectl.run(&["apply", "--server-side", "-f", MANIFEST], None);
        assert!(applied.status.success(), "{}", text(&applied.stderr));
        let deadline = Instant::now() + Duration::from_secs(20);
        let pods = loop {
            let pods = kubectl.run(&["get", "pods", "--no-headers"], None);
            let listing = text(&pods.stdout);
            if listing.contains("Running") {
                break listing;
            }
            assert!(Instant::now() < deadline, "no pod runs: {listing}");
            std::thread::sleep(Duration::from_millis(200));
        };
        let pod = pods
            .split_whitespace()
            .next()
            .expect("a pod name")
            .to_string();

        let cat = kubectl.run(
            &["exec", "deploy/cookbook-recipe", "--", "cat", "run.py"],
            None,
        );
        assert!(cat.status.success(), "{}", text(&cat.stderr));
        assert_eq!(text(&cat.stdout), RUN_PY, "the file built into the image");

        let failed = kubectl.run(
            &["exec", &pod, "--", "sh", "-c", "echo $HOSTNAME; exit 3"],
            None,
        );
        assert_eq!(failed.status.code(), Some(3));
        assert_eq!(text(&failed.stdout), format!("{pod}\n"));
        assert!(text(&failed.stderr).contains("command terminated with exit code 3"));

        let missing = kubectl.run(&["exec", &pod, "--", "python", "-V"], None);
        assert_eq!(missing.status.code(), Some(127));
        assert!(
            text(&missing.stderr).contains("python: not available in the simulated cluster"),
            "{}",
            text(&missing.stderr)
        );

        let piped = kubectl.run(
            &["exec", "-i", &pod, "--", "sh"],
            Some("pwd\ncd templates || echo no templates\nexit 5\necho never\n"),
        );
        assert_eq!(piped.status.code(), Some(5), "{}", text(&piped.stderr));
        assert_eq!(text(&piped.stdout), "/usr/src/app\nno templates\n");
        assert!(text(&piped.stderr).contains("can't cd to templates"));
    })
    .await
    .expect("the kubectl steps");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn docker_exec_runs_the_built_in_shell_in_a_simulated_container() {
    let test = "docker_exec_runs_the_built_in_shell_in_a_simulated_container";
    if !common::cli_available(test, "docker", &["--version"]) {
        return;
    }
    let sim = common::sim_with_cookbook(11).await;
    let config = tempfile::tempdir().expect("docker config dir");
    let docker = Client {
        program: "docker",
        env: vec![
            ("DOCKER_HOST".into(), sim.docker.host()),
            ("DOCKER_CONFIG".into(), config.path().display().to_string()),
        ],
    };
    tokio::task::spawn_blocking(move || {
        let run = docker.run(
            &[
                "run",
                "-d",
                "--name",
                "web",
                "-e",
                "GREETING=hi",
                "cookbook",
            ],
            None,
        );
        assert!(run.status.success(), "{}", text(&run.stderr));
        let id = text(&run.stdout).trim().to_string();

        let cat = docker.run(&["exec", "web", "cat", "run.py"], None);
        assert!(cat.status.success(), "{}", text(&cat.stderr));
        assert_eq!(text(&cat.stdout), RUN_PY);

        let env = docker.run(
            &[
                "exec",
                "web",
                "sh",
                "-c",
                "echo $GREETING $HOSTNAME; exit 3",
            ],
            None,
        );
        assert_eq!(env.status.code(), Some(3));
        assert_eq!(text(&env.stdout), format!("hi {}\n", &id[..12]));

        let piped = docker.run(
            &["exec", "-i", "web", "sh"],
            Some("ls /usr/src/app\ncat nope\n"),
        );
        assert_eq!(piped.status.code(), Some(0), "end of input ends the shell");
        assert!(text(&piped.stdout).contains("Dockerfile\ncookbook-deployment.yaml\n"));
        assert_eq!(
            text(&piped.stderr),
            "cat: can't open 'nope': No such file or directory\n"
        );

        let stopped = docker.run(&["stop", "web"], None);
        assert!(stopped.status.success());
        let refused = docker.run(&["exec", "web", "ls"], None);
        assert!(!refused.status.success());
        assert!(
            text(&refused.stderr).contains("is not running"),
            "{}",
            text(&refused.stderr)
        );
    })
    .await
    .expect("the docker steps");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kube_rs_and_bollard_exec_against_the_sim() {
    use futures::StreamExt;
    use k8s_openapi::api::core::v1::Pod;
    use tokio::io::AsyncReadExt;
    let sim = common::sim_with_cookbook(11).await;
    let client = common::sim_client(&sim).await;
    let pods: kube::Api<Pod> = kube::Api::namespaced(client, "default");
    common::running_pod(
        &pods,
        "shell-test",
        serde_json::json!({"env": [{"name": "MODE", "value": "test"}]}),
    )
    .await;
    let mut attached = pods
        .exec(
            "shell-test",
            ["sh", "-c", "echo $MODE; exit 2"],
            &kube::api::AttachParams::default().stderr(true),
        )
        .await
        .expect("kube-rs exec");
    let mut stdout = String::new();
    attached
        .stdout()
        .expect("stdout")
        .read_to_string(&mut stdout)
        .await
        .expect("read stdout");
    let status = attached
        .take_status()
        .expect("status")
        .await
        .expect("a status");
    assert_eq!(stdout, "test\n");
    assert_eq!(status.status.as_deref(), Some("Failure"));
    assert_eq!(status.reason.as_deref(), Some("NonZeroExitCode"));

    // bollard, as the cockpit's one-off exec uses it.
    let endpoint = pilothouse::sources::docker_endpoint::Endpoint {
        host: sim.docker.host(),
        tls: None,
        origin: "test".into(),
    };
    let docker = pilothouse::sources::docker_endpoint::client_for(&endpoint).expect("client");
    let created = docker
        .create_container(
            Some(
                bollard::query_parameters::CreateContainerOptionsBuilder::default()
                    .name("exec-test")
                    .build(),
            ),
            bollard::models::ContainerCreateBody {
                image: Some("cookbook:latest".into()),
                ..Default::default()
            },
        )
        .await
        .expect("container created");
    docker
        .start_container(
            &created.id,
            None::<bollard::query_parameters::StartContainerOptions>,
        )
        .await
        .expect("started");
    let exec = docker
        .create_exec(
            "exec-test",
            bollard::models::ExecConfig {
                cmd: Some(vec![
                    "ls".into(),
                    "/usr/src/app/nope".into(),
                    "/usr/src/app/run.py".into(),
                ]),
                attach_stdout: Some(true),
                attach_stderr: Some(true),
                ..Default::default()
            },
        )
        .await
        .expect("exec created");
    let started = docker
        .start_exec(&exec.id, None)
        .await
        .expect("exec started");
    let bollard::exec::StartExecResults::Attached { mut output, .. } = started else {
        panic!("attached");
    };
    let (mut out, mut err) = (String::new(), String::new());
    while let Some(item) = output.next().await {
        match item.expect("output") {
            bollard::container::LogOutput::StdOut { message } => out.push_str(&text(&message)),
            bollard::container::LogOutput::StdErr { message } => err.push_str(&text(&message)),
            _ => {}
        }
    }
    assert_eq!(out, "/usr/src/app/run.py\n");
    assert_eq!(err, "ls: /usr/src/app/nope: No such file or directory\n");
    let inspected = docker.inspect_exec(&exec.id).await.expect("inspect");
    assert_eq!(inspected.exit_code, Some(1));
    assert_eq!(inspected.running, Some(false));
}
