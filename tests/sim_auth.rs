//! The simulated API server says no as a real one does, to the real
//! kubectl: HTTPS verified with the CA in the kubeconfig it writes, 401
//! without a token or with a wrong one, and the second context's user,
//! bound to one namespace, refused (403, the authorizer's sentence) in
//! other namespaces and on cluster-scoped resources; `kubectl auth can-i`
//! answers for each user.

mod common;

use common::kubectl::Kubectl;

use pilothouse::cli::SimArgs;
use pilothouse::sim::Sim;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_meets_tls_tokens_and_a_user_bound_to_one_namespace() {
    let test = "kubectl_meets_tls_tokens_and_a_user_bound_to_one_namespace";
    if !common::cli_available(test, "kubectl", &["version", "--client"]) {
        return;
    }
    let sim = Sim::start(&SimArgs {
        seed: 41,
        ..Default::default()
    })
    .await
    .expect("the sim starts");
    assert!(
        sim.kube.url.starts_with("https://127.0.0.1:"),
        "{}",
        sim.kube.url
    );
    let dir = tempfile::tempdir().expect("temp dir");
    // The same cluster and CA, a user with no token and one with a wrong one.
    let strangers = dir.path().join("strangers");
    std::fs::write(
        &strangers,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: sim\n  cluster:\n{}contexts:\n- name: nobody\n  context:\n    cluster: sim\n    user: nobody\n- name: guesser\n  context:\n    cluster: sim\n    user: guesser\ncurrent-context: nobody\nusers:\n- name: nobody\n  user: {{}}\n- name: guesser\n  user:\n    token: not-the-token\n",
            common::sim_cluster(&sim)
        ),
    )
    .expect("kubeconfig written");
    // The sim's CA, then another: TLS is verified.
    let wrong_ca = dir.path().join("wrong-ca");
    let other_ca = rcgen::CertificateParams::new(vec!["elsewhere".to_string()])
        .expect("params")
        .self_signed(&rcgen::KeyPair::generate().expect("key"))
        .expect("a certificate");
    let sim_ca = sim.kube.ca_pem.clone().expect("the sim's CA");
    let kubeconfig = std::fs::read_to_string(&sim.kubeconfig_path).expect("the kubeconfig");
    use base64::Engine as _;
    let b64 = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
    std::fs::write(
        &wrong_ca,
        kubeconfig.replace(&b64(&sim_ca), &b64(&other_ca.pem())),
    )
    .expect("kubeconfig written");

    let (kubectl, strangers, wrong_ca) = (
        Kubectl::new(sim.kubeconfig_path.display().to_string()),
        Kubectl::new(strangers.display().to_string()),
        Kubectl::new(wrong_ca.display().to_string()),
    );
    // No token: 401 with the Status body, read through kube-rs (TLS verified with the CA).
    let options = kube::config::KubeConfigOptions {
        context: Some("nobody".into()),
        ..Default::default()
    };
    let config = kube::Config::from_custom_kubeconfig(
        kube::config::Kubeconfig::read_from(&strangers.kubeconfig).expect("kubeconfig read"),
        &options,
    )
    .await
    .expect("a config");
    let client = kube::Client::try_from(config).expect("a client");
    let pods: kube::Api<k8s_openapi::api::core::v1::Pod> =
        kube::Api::default_namespaced(client.clone());
    match pods.list(&Default::default()).await {
        Err(kube::Error::Api(status)) => {
            assert_eq!(
                (status.code, status.reason.as_str()),
                (401, "Unauthorized"),
                "{status:?}"
            )
        }
        other => panic!("no token must be refused: {other:?}"),
    }
    let version = client
        .apiserver_version()
        .await
        .expect("the version is public");
    assert_eq!(version.git_version, "v1.33.1");
    tokio::task::spawn_blocking(move || {
        // The admin: everything.
        kubectl.says(&["get", "nodes"], true, "minikube");
        kubectl.says(&["get", "pods", "-A"], true, "kube-system");
        kubectl.says(&["auth", "can-i", "delete", "nodes"], true, "yes");
        // A wrong token: 401. (With none at all kubectl asks for a username and
        // password instead, which kube-rs is asked below.)
        strangers.says(&["--context", "guesser", "get", "pods"], false, "You must be logged in to the server");
        // TLS: another CA is not trusted.
        wrong_ca.says(&["get", "pods"], false, "certificate");
        // The developer: their namespace, and nothing else.
        fn as_dev<'a>(rest: &[&'a str]) -> Vec<&'a str> {
            [&["--context", "pilothouse-sim-dev"][..], rest].concat()
        }
        kubectl.says(&as_dev(&["get", "pods"]), true, "No resources found in default namespace");
        kubectl.says(
            &as_dev(&["get", "pods", "-n", "kube-system"]),
            false,
            "Error from server (Forbidden): pods is forbidden: User \"pilothouse-dev\" cannot list resource \"pods\" in API group \"\" in the namespace \"kube-system\"",
        );
        kubectl.says(
            &as_dev(&["get", "nodes"]),
            false,
            "nodes is forbidden: User \"pilothouse-dev\" cannot list resource \"nodes\" in API group \"\" at the cluster scope",
        );
        kubectl.says(&as_dev(&["get", "pods", "-A"]), false, "at the cluster scope");
        kubectl.says(
            &as_dev(&["create", "configmap", "settings", "--from-literal=MODE=dev", "-n", "kube-system", "--dry-run=server", "-o", "name"]),
            false,
            "cannot create resource \"configmaps\"",
        );
        kubectl.says(&as_dev(&["auth", "can-i", "list", "pods"]), true, "yes");
        kubectl.says(&as_dev(&["auth", "can-i", "create", "deployments.apps"]), true, "yes");
        kubectl.says(&as_dev(&["auth", "can-i", "list", "pods", "-n", "kube-system"]), false, "no");
        kubectl.says(&as_dev(&["auth", "can-i", "list", "nodes"]), false, "no");
    })
    .await
    .expect("the kubectl steps");
}
