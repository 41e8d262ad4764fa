//! The kinds the tutorials meet after Deployments and Services, with the
//! real kubectl against the simulated cluster: `kubectl top` (the metrics
//! API), a PersistentVolumeClaim bound to a volume of the default
//! StorageClass (and the volume gone with the claim), an Ingress, and an
//! autoscaler recording its target; then every one of them decoded
//! strictly by kube-rs into k8s-openapi's types (nothing sent is lost).

mod common;

use common::kubectl::Kubectl;
use common::strict::decodes_whole;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::networking::v1::Ingress;
use k8s_openapi::api::storage::v1::StorageClass;

const CLAIM: &str = r#"
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 2Gi}}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn top_storage_ingress_and_autoscalers_work() {
    let test = "top_storage_ingress_and_autoscalers_work";
    if !common::cli_available(test, "kubectl", &["version", "--client"]) {
        return;
    }
    let sim = common::sim_with_cookbook(21).await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let claim = dir.path().join("claim.yaml");
    std::fs::write(&claim, CLAIM).expect("the manifest");
    let kubectl = Kubectl::new(sim.kubeconfig_path.display().to_string());
    tokio::task::spawn_blocking(move || {
        kubectl.ok(&[
            "create",
            "deployment",
            "web",
            "--image=cookbook:latest",
            "--replicas=2",
        ]);
        kubectl.ok(&["rollout", "status", "deployment/web", "--timeout=20s"]);
        let top = kubectl.until(&["top", "pods"], "two pods measured", |t| {
            t.lines().filter(|l| l.starts_with("web-")).count() == 2
        });
        assert!(
            top.starts_with("NAME") && top.contains("CPU(cores)") && top.contains("Mi"),
            "{top}"
        );
        kubectl.says(&["top", "nodes"], true, "minikube");

        kubectl.ok(&["apply", "-f", &claim.display().to_string()]);
        kubectl.until(&["get", "pvc", "data"], "the claim bound", |t| {
            t.contains("Bound")
        });
        kubectl.says(
            &["get", "pvc", "data"],
            true,
            "2Gi        RWO            standard",
        );
        kubectl.says(&["get", "pv"], true, "default/data");
        kubectl.says(
            &["get", "storageclass"],
            true,
            "standard (default)   k8s.io/minikube-hostpath",
        );

        kubectl.says(
            &["create", "ingress", "web", "--rule=web.local/*=web:8000"],
            true,
            "ingress.networking.k8s.io/web created",
        );
        kubectl.says(&["get", "ingress"], true, "web.local");

        kubectl.says(
            &[
                "autoscale",
                "deployment",
                "web",
                "--min=1",
                "--max=5",
                "--cpu-percent=50",
            ],
            true,
            "autoscaled",
        );
        kubectl.until(
            &["get", "hpa", "web"],
            "the autoscaler at the target's replicas",
            |t| {
                t.contains("Deployment/web")
                    && t.contains("cpu: <unknown>/50%")
                    && t.split_whitespace().rev().nth(1) == Some("2")
            },
        );
        kubectl.ok(&[
            "create",
            "job",
            "once",
            "--image=cookbook:latest",
            "--",
            "echo",
            "done",
        ]);
        kubectl.ok(&[
            "create",
            "cronjob",
            "nightly",
            "--image=cookbook:latest",
            "--schedule=@daily",
            "--",
            "echo",
            "night",
        ]);
    })
    .await
    .expect("kubectl");

    // Every new kind, decoded strictly by kube-rs's types: nothing the server sent is lost.
    let client = common::sim_client(&sim).await;
    assert_eq!(
        decodes_whole::<PersistentVolumeClaim>(
            &client,
            "/api/v1/persistentvolumeclaims",
            "PersistentVolumeClaim"
        )
        .await,
        1
    );
    assert_eq!(
        decodes_whole::<PersistentVolume>(&client, "/api/v1/persistentvolumes", "PersistentVolume")
            .await,
        1
    );
    assert_eq!(
        decodes_whole::<StorageClass>(
            &client,
            "/apis/storage.k8s.io/v1/storageclasses",
            "StorageClass"
        )
        .await,
        1
    );
    assert_eq!(
        decodes_whole::<Ingress>(&client, "/apis/networking.k8s.io/v1/ingresses", "Ingress").await,
        1
    );
    assert_eq!(
        decodes_whole::<HorizontalPodAutoscaler>(
            &client,
            "/apis/autoscaling/v2/horizontalpodautoscalers",
            "HorizontalPodAutoscaler"
        )
        .await,
        1
    );
    assert_eq!(
        decodes_whole::<Job>(&client, "/apis/batch/v1/jobs", "Job").await,
        1
    );
    assert_eq!(
        decodes_whole::<CronJob>(&client, "/apis/batch/v1/cronjobs", "CronJob").await,
        1
    );

    // The claim deleted, its volume goes too (reclaimPolicy Delete).
    let kubectl = Kubectl::new(sim.kubeconfig_path.display().to_string());
    tokio::task::spawn_blocking(move || {
        kubectl.ok(&["delete", "pvc", "data"]);
        kubectl.until(&["get", "pv"], "the volume gone", |t| {
            !t.contains("default/data")
        });
    })
    .await
    .expect("kubectl");
}
