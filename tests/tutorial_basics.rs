//! The Kubernetes Basics tutorial (kubernetes.io/docs/tutorials/kubernetes-basics),
//! typed as a learner types it, with the real kubectl against the simulated
//! cluster: create a Deployment (a protobuf body), look at nodes and pods,
//! logs and exec, expose it as a NodePort and reach it, labels, scale up and
//! down with the Service's endpoints following, a rolling update, a bad
//! image and the undo. Only the interactive steps (`exec -ti`, `kubectl
//! proxy`) are left out; the images are built on the simulated engine under
//! the tutorial's names, since nothing can be pulled here.

mod common;

use common::kubectl::Kubectl;

const V1: &str = "gcr.io/google-samples/kubernetes-bootcamp:v1";
const V2: &str = "docker.io/jocatalin/kubernetes-bootcamp:v2";

fn endpoint_count(kubectl: &Kubectl) -> usize {
    kubectl
        .ok(&[
            "get",
            "endpoints",
            "kubernetes-bootcamp",
            "-o",
            "jsonpath={.subsets[*].addresses[*].ip}",
        ])
        .split_whitespace()
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kubernetes_basics_tutorial_runs_against_the_sim() {
    let test = "the_kubernetes_basics_tutorial_runs_against_the_sim";
    if !common::cli_available(test, "kubectl", &["version", "--client"]) {
        return;
    }
    let (sim, _context) = common::sim_with_images("FROM scratch\nEXPOSE 8080\n", &[V1, V2]).await;
    let kubectl = Kubectl::new(sim.kubeconfig_path.display().to_string());
    tokio::task::spawn_blocking(move || {
        // Module 2: create a Deployment.
        kubectl.says(&["version"], true, "Server Version: v1.33.1");
        kubectl.says(&["get", "nodes"], true, "minikube   Ready");
        kubectl.says(
            &[
                "create",
                "deployment",
                "kubernetes-bootcamp",
                &format!("--image={V1}"),
            ],
            true,
            "deployment.apps/kubernetes-bootcamp created",
        );
        kubectl.until(&["get", "deployments"], "1/1 ready", |t| {
            t.contains("kubernetes-bootcamp   1/1")
        });

        // Module 3: pods, describe, logs, exec.
        let pod = kubectl.ok(&[
            "get",
            "pods",
            "-o",
            "go-template",
            "--template",
            "{{range .items}}{{.metadata.name}}{{\"\\n\"}}{{end}}",
        ]);
        let pod = pod.lines().next().expect("a pod").to_string();
        assert!(pod.starts_with("kubernetes-bootcamp-"), "{pod}");
        kubectl.says(
            &["describe", "pods"],
            true,
            &format!("Image:          {V1}"),
        );
        kubectl.ok(&["logs", &pod]);
        kubectl.says(&["exec", &pod, "--", "env"], true, "HOSTNAME=");

        // Module 4: expose it, reach it, labels.
        kubectl.says(
            &[
                "expose",
                "deployment/kubernetes-bootcamp",
                "--type=NodePort",
                "--port",
                "8080",
            ],
            true,
            "service/kubernetes-bootcamp exposed",
        );
        kubectl.says(&["get", "services"], true, "NodePort");
        kubectl.until(
            &["describe", "services/kubernetes-bootcamp"],
            "the pod among the Service's endpoints",
            |t| {
                t.lines()
                    .any(|l| l.starts_with("Endpoints:") && l.contains(":8080"))
            },
        );
        let node_port = kubectl.ok(&[
            "get",
            "services/kubernetes-bootcamp",
            "-o",
            "go-template={{(index .spec.ports 0).nodePort}}",
        ]);
        let answer = std::process::Command::new("curl")
            .args([
                "-s",
                "--max-time",
                "5",
                &format!("http://127.0.0.1:{node_port}/"),
            ])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        assert!(
            answer.contains("kubernetes-bootcamp"),
            "the NodePort answers: {answer:?}"
        );
        kubectl.says(&["describe", "deployment"], true, "Replicas:");
        kubectl.says(
            &["get", "pods", "-l", "app=kubernetes-bootcamp"],
            true,
            &pod,
        );
        kubectl.says(
            &["get", "services", "-l", "app=kubernetes-bootcamp"],
            true,
            "kubernetes-bootcamp",
        );
        kubectl.says(&["label", "pods", &pod, "version=v1"], true, "labeled");
        kubectl.says(&["describe", "pods", &pod], true, "version=v1");
        kubectl.says(&["get", "pods", "-l", "version=v1"], true, &pod);
        kubectl.says(
            &["delete", "service", "-l", "app=kubernetes-bootcamp"],
            true,
            "service \"kubernetes-bootcamp\" deleted",
        );

        // Module 5: scale, with the Service's endpoints following.
        kubectl.ok(&[
            "expose",
            "deployment/kubernetes-bootcamp",
            "--type=NodePort",
            "--port",
            "8080",
        ]);
        kubectl.says(&["get", "rs"], true, "kubernetes-bootcamp-");
        kubectl.says(
            &["scale", "deployments/kubernetes-bootcamp", "--replicas=4"],
            true,
            "deployment.apps/kubernetes-bootcamp scaled",
        );
        kubectl.until(&["get", "deployments"], "4/4", |t| t.contains("4/4"));
        kubectl.says(&["get", "pods", "-o", "wide"], true, "10.244.0.");
        kubectl.until(
            &["get", "endpoints", "kubernetes-bootcamp"],
            "four endpoints",
            |_| endpoint_count(&kubectl) == 4,
        );
        kubectl.says(
            &["describe", "services/kubernetes-bootcamp"],
            true,
            "+ 1 more...",
        );
        kubectl.ok(&["scale", "deployments/kubernetes-bootcamp", "--replicas=2"]);
        kubectl.until(
            &["get", "endpoints", "kubernetes-bootcamp"],
            "two endpoints",
            |_| endpoint_count(&kubectl) == 2,
        );

        // Module 6: a rolling update, a bad image, the undo.
        kubectl.says(
            &[
                "set",
                "image",
                "deployments/kubernetes-bootcamp",
                &format!("kubernetes-bootcamp={V2}"),
            ],
            true,
            "image updated",
        );
        kubectl.says(
            &[
                "rollout",
                "status",
                "deployments/kubernetes-bootcamp",
                "--timeout=30s",
            ],
            true,
            "successfully rolled out",
        );
        kubectl.says(
            &["describe", "pods"],
            true,
            &format!("Image:          {V2}"),
        );
        kubectl.ok(&[
            "set",
            "image",
            "deployments/kubernetes-bootcamp",
            "kubernetes-bootcamp=gcr.io/google-samples/kubernetes-bootcamp:v10",
        ]);
        kubectl.until(
            &["get", "pods"],
            "the bad image's pods failing to pull",
            |t| t.contains("ErrImagePull") || t.contains("ImagePullBackOff"),
        );
        kubectl.says(
            &["rollout", "undo", "deployments/kubernetes-bootcamp"],
            true,
            "rolled back",
        );
        kubectl.says(
            &[
                "rollout",
                "status",
                "deployments/kubernetes-bootcamp",
                "--timeout=30s",
            ],
            true,
            "successfully rolled out",
        );
        kubectl.until(&["get", "pods"], "only v2's pods left", |t| {
            !t.contains("ImagePullBackOff") && !t.contains("ErrImagePull")
        });
        kubectl.says(
            &[
                "get",
                "deployment",
                "kubernetes-bootcamp",
                "-o",
                "jsonpath={.spec.template.spec.containers[0].image}",
            ],
            true,
            V2,
        );
    })
    .await
    .expect("the tutorial");
}
