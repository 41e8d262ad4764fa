//! The real `kubectl port-forward` against the simulated cluster, in the
//! forms kubectl 1.32 speaks: SPDY/3.1 tunnelled in a WebSocket (its
//! default) and the older `Upgrade: SPDY/3.1` (its fallback, forced with
//! KUBECTL_PORT_FORWARD_WEBSOCKETS=false); to a Service, a Deployment and a
//! pod. An HTTP request through each gets the pod's own answer; a port the
//! pod does not declare ends kubectl with the kubelet's error.

mod common;

use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const MANIFEST: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/cookbook/cookbook-deployment.yaml"
);

struct Kubectl {
    env: Vec<(String, String)>,
}

impl Kubectl {
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new("kubectl");
        command
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        command
    }

    async fn run(&self, args: &[&str]) -> String {
        let out = self.command(args).output().await.expect("kubectl runs");
        assert!(
            out.status.success(),
            "kubectl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `kubectl port-forward TARGET LOCAL:REMOTE`, once it says it is forwarding.
    async fn forward(&self, target: &str, local: u16, remote: u16, websockets: bool) -> Child {
        let ports = format!("{local}:{remote}");
        let mut command = self.command(&["port-forward", target, &ports]);
        if !websockets {
            command.env("KUBECTL_PORT_FORWARD_WEBSOCKETS", "false");
        }
        let mut child = command.spawn().expect("kubectl port-forward starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .expect("kubectl says something in time")
            .expect("read")
            .unwrap_or_default();
        assert!(line.starts_with("Forwarding from 127.0.0.1:"), "{line}");
        // Its later lines ("Handling connection...") must not fill a pipe nobody reads.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        child
    }
}

fn last_line(answer: &str) -> &str {
    answer.lines().last().unwrap_or_default().trim()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_port_forward_reaches_the_pod_in_every_form() {
    let test = "kubectl_port_forward_reaches_the_pod_in_every_form";
    if !common::cli_available(test, "kubectl", &["version", "--client"]) {
        return;
    }
    let sim = common::sim_with_cookbook(13).await;
    let cache = tempfile::tempdir().expect("cache dir");
    let kubectl = Kubectl {
        env: vec![
            (
                "KUBECONFIG".into(),
                sim.kubeconfig_path.display().to_string(),
            ),
            ("KUBECACHEDIR".into(), cache.path().display().to_string()),
        ],
    };
    kubectl
        .run(&["apply", "--server-side", "-f", MANIFEST])
        .await;
    kubectl
        .run(&["expose", "deployment", "cookbook-recipe", "--port", "8000"])
        .await;
    kubectl
        .run(&[
            "wait",
            "--for=condition=Ready",
            "pod",
            "-l",
            "app=cookbook-recipe",
            "--timeout=30s",
        ])
        .await;
    let pod = kubectl
        .run(&["get", "pods", "-l", "app=cookbook-recipe", "-o", "name"])
        .await
        .trim()
        .trim_start_matches("pod/")
        .to_string();
    let hello = format!("Hello from {pod} running cookbook:latest");

    for (target, websockets) in [
        ("svc/cookbook-recipe", true),
        ("deploy/cookbook-recipe", true),
        (&*format!("pod/{pod}"), true),
        ("svc/cookbook-recipe", false),
    ] {
        let port = common::free_port();
        let mut forward = kubectl.forward(target, port, 8000, websockets).await;
        for path in ["/", "/again"] {
            let answer = common::http_get(port, path).await.expect("an answer");
            assert!(answer.starts_with("HTTP/1.1 200 OK"), "{target}: {answer}");
            assert_eq!(
                last_line(&answer),
                hello,
                "{target} (websockets: {websockets})"
            );
        }
        assert!(
            forward.try_wait().expect("status").is_none(),
            "{target}: kubectl still forwards"
        );
        forward.kill().await.expect("kubectl stopped");
    }

    // A port nothing listens on: the kubelet's error ends kubectl, as on a real cluster.
    let port = common::free_port();
    let mut refused = kubectl
        .forward(&format!("pod/{pod}"), port, 9999, true)
        .await;
    let _ = common::http_get(port, "/").await;
    let status = tokio::time::timeout(Duration::from_secs(20), refused.wait())
        .await
        .expect("kubectl ends in time")
        .expect("status");
    assert!(!status.success());
    let mut stderr = String::new();
    if let Some(mut err) = refused.stderr.take() {
        use tokio::io::AsyncReadExt;
        let _ = err.read_to_string(&mut stderr).await;
    }
    assert!(
        stderr.contains("error forwarding port 9999 to pod")
            && stderr.contains("lost connection to pod"),
        "{stderr}"
    );
}
