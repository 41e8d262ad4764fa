//! Explain against the simulated cluster: the real `kubectl explain` reads
//! the Kubernetes schemas the sim serves (fields of Deployment, Pod and
//! Service, with their real descriptions), and the cockpit's `e` in the
//! YAML view asks the same OpenAPI v3 documents and shows the same words.
//! `--output plaintext-openapiv2` reads the v2 document, in protobuf.

mod common;

use common::cockpit::Cockpit;
use common::kubectl::Kubectl;
use pilothouse::app::core::model::{Model, Overlay};

fn explanation(m: &Model) -> Option<Result<pilothouse::domain::openapi::Explanation, String>> {
    match &m.shared.overlay {
        Overlay::Yaml(view) => view.explained.as_ref().and_then(|e| e.text.clone()),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_explain_and_the_cockpits_e_read_the_sims_schemas() {
    let test = "kubectl_explain_and_the_cockpits_e_read_the_sims_schemas";
    if !common::cli_available(test, "kubectl", &["version", "--client"]) {
        return;
    }
    let sim = common::sim_with_cookbook(5).await;
    let kubectl = Kubectl::new(sim.kubeconfig_path.display().to_string());
    tokio::task::spawn_blocking(move || {
        let replicas = kubectl.says(
            &["explain", "deployment.spec.replicas"],
            true,
            "FIELD: replicas <integer>",
        );
        assert!(replicas.contains("Number of desired pods."), "{replicas}");
        let policy = kubectl.says(
            &[
                "explain",
                "deployment.spec.template.spec.containers.imagePullPolicy",
            ],
            true,
            "FIELD: imagePullPolicy <string>",
        );
        assert!(
            policy.contains("Image pull policy. One of Always, Never, IfNotPresent."),
            "{policy}"
        );
        kubectl.says(&["explain", "pods"], true, "KIND:       Pod");
        kubectl.says(
            &["explain", "pod.spec.nodeSelector"],
            true,
            "<map[string]string>",
        );
        let selector = kubectl.says(
            &["explain", "service.spec.selector"],
            true,
            "FIELD: selector",
        );
        assert!(
            selector.contains("Route service traffic to pods with label keys and values"),
            "{selector}"
        );
        kubectl.says(
            &["explain", "deployment.spec.replics"],
            false,
            "field \"replics\" does not exist",
        );
        // OpenAPI v2, in the protobuf kubectl asks for: explain's older output reads it.
        let v2 = kubectl.says(
            &[
                "explain",
                "pod.spec.containers.imagePullPolicy",
                "--output",
                "plaintext-openapiv2",
            ],
            true,
            "FIELD:    imagePullPolicy <string>",
        );
        assert!(v2.contains("Image pull policy."), "{v2}");
        kubectl.says(
            &[
                "explain",
                "deployment.spec.replicas",
                "--output",
                "plaintext-openapiv2",
            ],
            true,
            "Number of desired pods.",
        );
    })
    .await
    .expect("kubectl explain");

    let mut cockpit = Cockpit::on(&sim);
    cockpit
        .until("the cluster listed", |m| {
            m.kube.deployments.iter().any(|d| d.name == "coredns")
        })
        .await;
    cockpit.keys("5/coredns\ny");
    cockpit
        .until(
            "coredns's YAML",
            |m| matches!(&m.shared.overlay, Overlay::Yaml(v) if v.lines.is_some()),
        )
        .await;
    let Overlay::Yaml(view) = &cockpit.model.shared.overlay else {
        unreachable!("checked above");
    };
    let lines = view.lines.clone().unwrap_or_default();
    let replicas = lines
        .iter()
        .position(|l| l.trim_start().starts_with("replicas:"))
        .expect("a replicas line in the Deployment's YAML");
    cockpit.keys(&"j".repeat(replicas));
    cockpit.keys("e");
    assert_eq!(
        cockpit.model.shared.learn.as_deref(),
        Some("kubectl explain deployment.spec.replicas")
    );
    cockpit
        .until("the explanation", |m| explanation(m).is_some())
        .await;
    let answer = explanation(&cockpit.model).expect("answered");
    let answer = answer.expect("explained");
    assert_eq!(answer.type_name, "<integer>");
    assert!(
        answer.description.starts_with("Number of desired pods."),
        "{answer:?}"
    );
    let screen = cockpit.screen(120);
    assert!(
        screen.contains("kubectl explain deployment.spec.replicas"),
        "{screen}"
    );
    assert!(screen.contains("replicas <integer>"), "{screen}");
}
