//! The simulated cluster (ARCHITECTURE.md, `sim/`): real protocols on loopback, so real
//! clients and pilothouse's own sources take the production code paths.
//! So far: the Docker Engine API on a Unix socket. The Kubernetes API and
//! Cloud Run join here.

pub mod clock;
pub mod cloudrun;
pub mod docker;
pub mod http;
pub mod kube;
mod leftovers;
pub mod private;
mod project;
pub mod shell;
pub mod spdy;
pub mod websocket;

use crate::cli::SimArgs;
use color_eyre::eyre::{Result, WrapErr, eyre};
use std::path::PathBuf;

/// The whole simulated cluster: the Docker engine and the API server that
/// sees its images, as minikube's node shares its engine.
pub struct Sim {
    pub docker: docker::DockerSim,
    /// `tcp://127.0.0.1:PORT` when the engine is served on loopback TCP too.
    pub docker_tcp: Option<String>,
    /// The engine over TLS: its `tcp://` address and the client's cert dir.
    pub docker_tls: Option<(String, PathBuf)>,
    pub kube: kube::KubeSim,
    pub cloud_run: cloudrun::CloudRunSim,
    /// A throwaway gcloud configuration pointing at the simulated Cloud Run.
    pub gcloud_config: PathBuf,
    /// The temp dir this sim made (removed on drop), if it made one.
    dir: Option<PathBuf>,
    pub kubeconfig_path: PathBuf,
    /// The walkthrough's sample app, written beside the sim for the demo to build.
    pub sample_app: PathBuf,
}

pub use project::{GCLOUD_PROJECT, GCLOUD_TOKEN, SAMPLE_MODE};

/// The sample Flask app of the walkthrough, embedded so a demo works anywhere.
const SAMPLE_APP: [(&str, &str); 5] = [
    (
        "Dockerfile",
        include_str!("../../assets/cookbook/Dockerfile"),
    ),
    (
        "requirements.txt",
        include_str!("../../assets/cookbook/requirements.txt"),
    ),
    ("run.py", include_str!("../../assets/cookbook/run.py")),
    (
        ".dockerignore",
        include_str!("../../assets/cookbook/.dockerignore"),
    ),
    (
        "cookbook-deployment.yaml",
        include_str!("../../assets/cookbook/cookbook-deployment.yaml"),
    ),
];

fn write_sample_app(dir: &std::path::Path) -> Result<PathBuf> {
    let app = dir.join("cookbook");
    std::fs::create_dir_all(&app).wrap_err_with(|| format!("cannot create {}", app.display()))?;
    for (name, text) in SAMPLE_APP {
        std::fs::write(app.join(name), text)
            .wrap_err_with(|| format!("cannot write {}", app.join(name).display()))?;
    }
    // The demo deploys as the book does: `gcloud builds submit --tag IMAGE` (the simulated
    // Cloud Build builds the uploaded sources on the simulated engine), then `gcloud run deploy`.
    let settings = format!(
        "# Cloud Run settings for pilothouse (D deploys with them).\n\
         [cloudrun]\nproject = \"{GCLOUD_PROJECT}\"\nregion = \"us-central1\"\nservice = \"cookbook\"\n\
         repository = \"apps\"\nmode = \"{SAMPLE_MODE}\"\nallow-unauthenticated = true\n"
    );
    std::fs::write(app.join("pilothouse.toml"), settings)
        .wrap_err_with(|| format!("cannot write {}", app.join("pilothouse.toml").display()))?;
    Ok(app)
}

impl Sim {
    pub async fn start(args: &SimArgs) -> Result<Self> {
        let dir = std::env::temp_dir().join(format!(
            "pilothouse-sim-{}-{}",
            std::process::id(),
            clock::now_nanos()
        ));
        private::create_dir(&dir).wrap_err_with(|| format!("cannot create {}", dir.display()))?;
        let socket = args
            .docker_socket
            .clone()
            .unwrap_or_else(|| dir.join("docker.sock"));
        let mut docker = docker::DockerSim::start(&socket)
            .await
            .wrap_err_with(|| format!("cannot listen on {}", socket.display()))?;
        docker::lock(&docker.engine).preload_containers(args.containers);
        let docker_tcp = match args.docker_port {
            Some(port) => Some(
                docker
                    .serve_tcp(port)
                    .await
                    .wrap_err_with(|| format!("cannot listen on 127.0.0.1:{port}"))?,
            ),
            None => None,
        };
        let docker_tls = match args.docker_tls_port {
            Some(port) => {
                let certs = dir.join("docker-certs");
                let host = docker
                    .serve_tls(port, &certs)
                    .await
                    .wrap_err_with(|| format!("cannot serve TLS on 127.0.0.1:{port}"))?;
                Some((host, certs))
            }
            None => None,
        };
        let timing = kube::Timing {
            create: std::time::Duration::from_millis(args.pod_start_ms),
            ..Default::default()
        };
        let config = kube::KubeConfig {
            port: args.port,
            seed: args.seed,
            preload_pods: args.pods,
            preload_namespaces: usize::from(args.namespaces),
            churn_per_second: args.churn,
            log_lines_per_second: args.log_rate,
            log_pods: args.log_pods,
            secure: !args.plain_http,
            timing,
        };
        let kube = kube::KubeSim::start(config, Some(docker.engine.clone()))
            .await
            .wrap_err_with(|| format!("cannot listen on 127.0.0.1:{}", args.port))?;
        let kubeconfig_path = args
            .kubeconfig
            .clone()
            .unwrap_or_else(|| dir.join("kubeconfig"));
        // Never overwrite a file the user has: write_new refuses.
        private::write_new(&kubeconfig_path, kube.kubeconfig()).map_err(|e| {
            eyre!(
                "cannot write the kubeconfig {}: {e} (an existing file is never overwritten)",
                kubeconfig_path.display()
            )
        })?;
        let sample_app = write_sample_app(&dir)?;
        let cloud_run = cloudrun::CloudRunSim::start(docker.engine.clone())
            .await
            .wrap_err("cannot start the simulated Cloud Run")?;
        let gcloud_config = dir.join("gcloud");
        cloud_run
            .write_gcloud_config(&gcloud_config, GCLOUD_PROJECT)
            .wrap_err_with(|| format!("cannot write {}", gcloud_config.display()))?;
        Ok(Self {
            docker,
            docker_tcp,
            docker_tls,
            kube,
            cloud_run,
            gcloud_config,
            dir: Some(dir),
            kubeconfig_path,
            sample_app,
        })
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_file(dir.join("kubeconfig"));
            leftovers::end_clis_using(dir);
            remove_folder(dir);
        }
    }
}

impl Sim {
    /// The environment that points the real gcloud at the simulated Google Cloud:
    /// its configuration, a token, no prompts, and its CA for what gcloud reaches over
    /// HTTPS through the proxy (set here too, because an environment's own
    /// `CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE` would win over the configuration's).
    pub fn gcloud_env(&self) -> Vec<(String, String)> {
        vec![
            (
                "CLOUDSDK_CONFIG".to_string(),
                self.gcloud_config.display().to_string(),
            ),
            (
                "CLOUDSDK_AUTH_ACCESS_TOKEN".to_string(),
                GCLOUD_TOKEN.to_string(),
            ),
            ("CLOUDSDK_CORE_DISABLE_PROMPTS".to_string(), "1".to_string()),
            (
                "CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE".to_string(),
                self.gcloud_config
                    .join(cloudrun::CA_FILE)
                    .display()
                    .to_string(),
            ),
        ]
    }
}

/// Remove the simulated cluster's folder. A CLI the cockpit started may
/// still be ending and writing into it (gcloud flushes its log into
/// `gcloud/logs` as it goes: "Directory not empty"), so it is tried again
/// for up to 2 s before it is given up, and said in the log.
fn remove_folder(dir: &std::path::Path) {
    const ATTEMPTS: u32 = 40;
    for attempt in 1..=ATTEMPTS {
        match std::fs::remove_dir_all(dir) {
            Ok(()) => return,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
            Err(e) if attempt == ATTEMPTS => {
                tracing::warn!(dir = %dir.display(), error = %e, "the simulated cluster's folder was not removed");
            }
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(50)),
        }
    }
}

/// `pilothouse sim`: serve until Ctrl-C, SIGTERM or SIGHUP, then remove what it made.
pub async fn run_standalone(args: SimArgs) -> Result<()> {
    // Taken before anything is made or printed: a signal that comes while it
    // starts ends it through the same clean-up, not by the default death.
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt()).wrap_err("cannot watch SIGINT")?;
    let mut term = signal(SignalKind::terminate()).wrap_err("cannot watch SIGTERM")?;
    // Its terminal closed (a window, an ssh session, `tmux kill-session`): clean up too.
    let mut hangup = signal(SignalKind::hangup()).wrap_err("cannot watch SIGHUP")?;
    let sim = Sim::start(&args).await?;
    println!(
        "# pilothouse simulated cluster is running (Kubernetes {} and a Docker engine). In another terminal:",
        sim.kube.url
    );
    println!("export KUBECONFIG={}", sim.kubeconfig_path.display());
    if sim.kube.shared.auth.is_some() {
        println!(
            "# contexts: pilothouse-sim (admin) and pilothouse-sim-dev (user {}, allowed only in namespace {}): kubectl config use-context pilothouse-sim-dev",
            kube::auth::DEV_USER,
            kube::auth::DEV_NAMESPACE
        );
    }
    println!("export DOCKER_HOST={}", sim.docker.host());
    // The simulated engine speaks the classic build API; with buildx installed the CLI would use BuildKit.
    println!("export DOCKER_BUILDKIT=0");
    if let Some(tcp) = &sim.docker_tcp {
        println!("# the same engine over loopback TCP: export DOCKER_HOST={tcp}");
    }
    if let Some((host, certs)) = &sim.docker_tls {
        println!(
            "# over TLS, as minikube's docker-env: export DOCKER_TLS_VERIFY=1 DOCKER_HOST={host} DOCKER_CERT_PATH={}",
            certs.display()
        );
    }
    let gcloud: Vec<String> = sim
        .gcloud_env()
        .into_iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    println!("export {}", gcloud.join(" "));
    println!(
        "# then: kubectl get nodes; docker build -t cookbook .; kubectl apply --server-side -f cookbook-deployment.yaml"
    );
    println!("# Ctrl-C stops it and removes its socket and files.");
    tokio::select! {
        _ = interrupt.recv() => {}
        _ = term.recv() => {}
        _ = hangup.recv() => {}
    }
    let made_kubeconfig = args
        .kubeconfig
        .is_some()
        .then(|| sim.kubeconfig_path.clone());
    drop(sim);
    if let Some(path) = made_kubeconfig {
        let _ = std::fs::remove_file(path);
    }
    println!("# stopped and cleaned up");
    Ok(())
}
