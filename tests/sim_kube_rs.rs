//! kube-rs, the client pilothouse's Kubernetes source is built on, against the
//! simulated API server: kubeconfig, list, server-side apply, the scale
//! subresource, watchers and reflectors.

use futures::StreamExt;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Node, Pod, Service};
use kube::api::{Api, ListParams, Patch, PatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::runtime::{WatchStreamExt, reflector, watcher};
use kube::{Client, Config};
use pilothouse::cli::SimArgs;
use pilothouse::sim::Sim;
use std::time::Duration;

async fn client_for(sim: &Sim) -> Client {
    let kubeconfig =
        Kubeconfig::read_from(&sim.kubeconfig_path).expect("the sim's kubeconfig parses");
    let config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .expect("a config from it");
    assert_eq!(config.default_namespace, "default");
    Client::try_from(config).expect("a client")
}

fn manifest() -> Deployment {
    let yaml = include_str!("../assets/cookbook/cookbook-deployment.yaml");
    serde_yaml_ng::from_str(yaml).expect("the sample manifest is a Deployment")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kube_rs_lists_applies_scales_and_watches_the_sim() {
    let sim = Sim::start(&SimArgs {
        seed: 3,
        ..Default::default()
    })
    .await
    .expect("the sim starts");
    let client = client_for(&sim).await;
    let version = client.apiserver_version().await.expect("/version");
    assert_eq!(
        (version.major.as_str(), version.minor.as_str()),
        ("1", "33")
    );

    let nodes: Api<Node> = Api::all(client.clone());
    let node_list = nodes
        .list(&ListParams::default())
        .await
        .expect("list nodes");
    assert_eq!(node_list.items.len(), 1);
    let system_pods: Api<Pod> = Api::namespaced(client.clone(), "kube-system");
    let pods = system_pods
        .list(&ListParams::default())
        .await
        .expect("list kube-system pods");
    let mut names: Vec<String> = pods
        .items
        .iter()
        .filter_map(|p| p.metadata.name.clone())
        .collect();
    names.sort();
    assert!(
        names.iter().any(|n| n.starts_with("coredns-"))
            && names.contains(&"etcd-minikube".to_string()),
        "{names:?}"
    );

    // A reflector over Deployments, fed by a watcher, as the cockpit's source will use.
    let deployments: Api<Deployment> = Api::default_namespaced(client.clone());
    let (reader, writer) = reflector::store();
    let stream = watcher(deployments.clone(), watcher::Config::default())
        .default_backoff()
        .reflect(writer)
        .applied_objects();
    let watching = tokio::spawn(async move {
        let mut stream = std::pin::pin!(stream);
        while let Some(event) = stream.next().await {
            if event.is_err() {
                return;
            }
        }
    });

    let params = PatchParams::apply("pilothouse");
    let applied = deployments
        .patch("cookbook-recipe", &params, &Patch::Apply(&manifest()))
        .await
        .expect("server-side apply");
    assert_eq!(
        applied
            .metadata
            .managed_fields
            .as_ref()
            .and_then(|m| m.first())
            .and_then(|m| m.manager.clone())
            .as_deref(),
        Some("pilothouse")
    );
    let scaled = deployments
        .patch_scale(
            "cookbook-recipe",
            &PatchParams::default(),
            &Patch::Merge(serde_json::json!({"spec": {"replicas": 3}})),
        )
        .await
        .expect("scale subresource");
    assert_eq!(scaled.spec.and_then(|s| s.replicas), Some(3));

    // The reflector sees the deployment with its new replica count, by watch.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let seen = reader
            .state()
            .iter()
            .any(|d| d.spec.as_ref().and_then(|s| s.replicas) == Some(3));
        if seen {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the reflector never saw replicas 3: {:?}",
            reader.state().len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Pods come (ErrImageNeverPull: the image was never built on the sim's engine) and a Service can be created.
    let default_pods: Api<Pod> = Api::default_namespaced(client.clone());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let pods = default_pods
            .list(&ListParams::default().labels("app=cookbook-recipe"))
            .await
            .expect("list pods");
        let waiting: Vec<String> = pods
            .items
            .iter()
            .filter_map(|p| {
                p.status
                    .as_ref()?
                    .container_statuses
                    .as_ref()?
                    .first()?
                    .state
                    .as_ref()?
                    .waiting
                    .as_ref()?
                    .reason
                    .clone()
            })
            .collect();
        if waiting.len() == 3 && waiting.iter().all(|r| r == "ErrImageNeverPull") {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "pods never reached ErrImageNeverPull: {waiting:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let services: Api<Service> = Api::default_namespaced(client.clone());
    let service: Service = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "cookbook-recipe"},
        "spec": {"type": "NodePort", "selector": {"app": "cookbook-recipe"}, "ports": [{"port": 8000}]},
    }))
    .expect("a Service");
    let created = services
        .create(&Default::default(), &service)
        .await
        .expect("create a service");
    let node_port = created
        .spec
        .and_then(|s| s.ports)
        .and_then(|p| p.first().and_then(|p| p.node_port));
    assert!(
        node_port.is_some_and(|p| (30000..=32767).contains(&p)),
        "{node_port:?}"
    );
    watching.abort();
}
