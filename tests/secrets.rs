//! Secrets never shown: a scripted session touches a kubeconfig's token and
//! client key, a registry token (gcloud's access token, the password of the
//! push in a Cloud Run deploy), a service-account key file in the app (sent
//! in the build context; the workflow set to deploy with a key) and a
//! Kubernetes Secret (applied from a manifest). Every frame the session
//! could draw, one per event, and everything logged at TRACE level by every
//! crate are searched for each value: none appears.

mod common;

use base64::Engine as _;
use common::cockpit::Cockpit;
use crossterm::event::KeyCode;
use pilothouse::app::core::model::{JobState, Overlay};
use pilothouse::app::kube::state::KubeConnection;
use pilothouse::cli::SimArgs;
use pilothouse::domain::cloud::GcloudState;
use pilothouse::sim::{GCLOUD_TOKEN, Sim};
use std::path::Path;

const SA_KEY_ID: &str = "5ac0ffee0ddba11e5ac0ffee0ddba11e5ac0ffee";
const SA_PRIVATE_KEY: &str = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDsaKeyForTests";
const SECRET_PASSWORD: &str = "s3cr3t-db-password-7d1e4c";
const SECRET_API_KEY: &str = "api-key-9a8b7c6d5e4f3a2b";

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// A kubeconfig for the sim whose user has a bearer token and a client
/// certificate and key; the key's PEM body, for the search.
fn kubeconfig_with_credentials(sim: &Sim, dir: &Path) -> (std::path::PathBuf, String) {
    let key = rcgen::KeyPair::generate().expect("a key");
    let cert = rcgen::CertificateParams::new(vec!["learner".to_string()])
        .expect("params")
        .self_signed(&key)
        .expect("a certificate");
    let key_pem = key.serialize_pem();
    // The sim's own CA and its admin's bearer token: a request without them is refused.
    let token = &sim
        .kube
        .shared
        .auth
        .as_ref()
        .expect("the sim authenticates")
        .admin_token;
    let text = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: sim\n  cluster:\n    server: {}\n    certificate-authority-data: {}\ncontexts:\n- name: sim\n  context:\n    cluster: sim\n    user: learner\n    namespace: default\ncurrent-context: sim\nusers:\n- name: learner\n  user:\n    token: {token}\n    client-certificate-data: {}\n    client-key-data: {}\n",
        sim.kube.url,
        b64(sim.kube.ca_pem.as_deref().expect("the sim's CA")),
        b64(&cert.pem()),
        b64(&key_pem),
    );
    let path = dir.join("kubeconfig");
    std::fs::write(&path, text).expect("write the kubeconfig");
    // One line of the key's body: long enough to be the key, not the PEM frame.
    let body = key_pem
        .lines()
        .find(|l| !l.starts_with("-----") && l.len() >= 40)
        .expect("a PEM body line")
        .to_string();
    (path, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_a_frame_or_the_log() {
    let test = "no_secret_reaches_a_frame_or_the_log";
    if !common::gcloud_available(test) {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("trace.log");
    let file = std::fs::File::create(&log).expect("the log file");
    tracing_subscriber::fmt()
        // The cockpit's own filter, at its finest level.
        .with_env_filter(pilothouse::logging::filter("trace"))
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .init();

    let sim = Sim::start(&SimArgs::default())
        .await
        .expect("the sim starts");
    // The local mode: the push carries gcloud's token as the registry password.
    common::use_cloud_mode(&sim, "local");
    let app = sim.sample_app.clone();
    let (kubeconfig, client_key) = kubeconfig_with_credentials(&sim, dir.path());
    let sa_key = app.join("sa-key.json");
    std::fs::write(
        &sa_key,
        format!("{{\"type\": \"service_account\", \"project_id\": \"pilothouse-sim\", \"private_key_id\": \"{SA_KEY_ID}\", \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n{SA_PRIVATE_KEY}\\n-----END PRIVATE KEY-----\\n\", \"client_email\": \"deployer@pilothouse-sim.iam.gserviceaccount.com\"}}\n"),
    )
    .expect("write the key file");
    std::fs::write(
        app.join("secret.yaml"),
        format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\nstringData:\n  password: {SECRET_PASSWORD}\ndata:\n  api-key: {}\n", b64(SECRET_API_KEY)),
    )
    .expect("write the Secret");
    let auth = sim.kube.shared.auth.clone().expect("the sim authenticates");
    let forbidden: Vec<String> = [
        auth.admin_token.as_str(),
        auth.dev_token.as_str(),
        &client_key,
        GCLOUD_TOKEN,
        SA_KEY_ID,
        SA_PRIVATE_KEY,
        SECRET_PASSWORD,
        &b64(SECRET_PASSWORD),
        SECRET_API_KEY,
        &b64(SECRET_API_KEY),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();

    let mut cockpit = Cockpit::start(sim.docker.host(), &kubeconfig, app.clone());
    cockpit.forbidden = forbidden.clone();
    cockpit.use_sim_gcloud(&sim);
    cockpit.effects.set_gcloud_env(vec![
        (
            "CLOUDSDK_CONFIG".into(),
            sim.gcloud_config.display().to_string(),
        ),
        ("CLOUDSDK_AUTH_ACCESS_TOKEN".into(), GCLOUD_TOKEN.into()),
        ("CLOUDSDK_CORE_DISABLE_PROMPTS".into(), "1".into()),
        (
            "GOOGLE_APPLICATION_CREDENTIALS".into(),
            sa_key.display().to_string(),
        ),
    ]);
    cockpit
        .until("connected with the token and the client key", |m| {
            matches!(m.kube.connection, KubeConnection::Connected(_))
                && !m.kube.deployments.is_empty()
        })
        .await;

    // The Secret, applied from its manifest.
    cockpit.keys("5a");
    cockpit.replace_field("secret.yaml");
    cockpit.key(KeyCode::Enter);
    cockpit
        .until("the Secret applied", |m| {
            m.jobs.list.iter().any(|j| {
                matches!(&j.state, JobState::Succeeded(_)) && j.title.contains("secret.yaml")
            })
        })
        .await;
    let stored = sim
        .kube
        .shared
        .store
        .lock()
        .expect("the store")
        .get("secrets", "default", "db");
    let stored = stored.expect("the Secret is stored");
    assert_eq!(
        stored["data"]["password"],
        b64(SECRET_PASSWORD),
        "the API server folded stringData into data"
    );

    // The build context holds the key file; a deploy pushes with the token as the password.
    cockpit.keys("9");
    cockpit.send(pilothouse::app::Event::Tick(std::time::SystemTime::now()));
    cockpit
        .until(
            "gcloud's account",
            |m| matches!(&m.cloud.gcloud, GcloudState::Ready(c) if c.account.is_some()),
        )
        .await;
    cockpit.keys("D");
    // The repository is checked first (the sim has `apps`), then D asks.
    cockpit
        .until("the deploy's question", |m| {
            matches!(&m.shared.overlay, Overlay::Confirm(_))
        })
        .await;
    cockpit.keys("y");
    cockpit
        .until("the deploy", |m| {
            m.jobs
                .list
                .iter()
                .any(|j| matches!(&j.state, JobState::Succeeded(s) if s.starts_with("serving at")))
        })
        .await;
    let pushes = pilothouse::sim::docker::lock(&sim.docker.engine)
        .pushes
        .clone();
    assert_eq!(
        pushes.last().map(|p| p.password.as_str()),
        Some(GCLOUD_TOKEN),
        "pushed with the token"
    );

    // The workflow, deploying with a service-account key kept in a repository secret.
    cockpit.keys("W");
    while !matches!(&cockpit.model.shared.overlay, Overlay::Form(f) if f.focus == 2) {
        cockpit.key(KeyCode::Tab);
    }
    cockpit.replace_field("key");
    cockpit.key(KeyCode::Enter);
    let workflow = app.join(".github/workflows/deploy.yml");
    cockpit
        .until("the workflow written", |_| workflow.exists())
        .await;
    assert!(
        std::fs::read_to_string(&workflow)
            .expect("the workflow")
            .contains("secrets.GCP_SA_KEY")
    );

    // Every pane once more, and the history of what was done.
    for pane in ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"] {
        cockpit.keys(pane);
    }
    let frames = cockpit.frames_scanned;
    let leaks: Vec<&String> = cockpit.leaks.iter().map(|(value, _)| value).collect();
    assert!(
        leaks.is_empty(),
        "secrets drawn: {leaks:?}\n{}",
        cockpit.leaks.first().map(|l| l.1.as_str()).unwrap_or("")
    );
    drop(cockpit);
    let logged = std::fs::read_to_string(&log).expect("the log");
    let lines = logged.lines().count();
    assert!(
        lines > 100,
        "the log holds the session at TRACE level: {lines} lines"
    );
    for value in &forbidden {
        let line = logged.lines().find(|l| l.contains(value.as_str()));
        assert!(
            line.is_none(),
            "{value} is in the log: {:.600}",
            line.unwrap_or("")
        );
    }
    eprintln!(
        "SECRETS {} values; {frames} frames and {lines} log lines searched: none found",
        forbidden.len()
    );
    assert!(frames > 50, "the session drew its frames: {frames}");
}
