//! The simulated cluster (DESIGN §3): real protocols on loopback, so real
//! clients and pilothouse's own sources take the production code paths.
//! So far: the Docker Engine API on a Unix socket. The Kubernetes API and
//! Cloud Run join here.

pub mod clock;
pub mod docker;
pub mod http;

use color_eyre::eyre::{Result, WrapErr};
use std::path::PathBuf;

/// `pilothouse sim`: serve until Ctrl-C or SIGTERM, then remove what it made.
pub async fn run_standalone(docker_socket: Option<PathBuf>) -> Result<()> {
    let made_dir = docker_socket.is_none();
    let socket = match docker_socket {
        Some(path) => path,
        None => {
            let dir = std::env::temp_dir().join(format!("pilothouse-sim-{}", std::process::id()));
            std::fs::create_dir_all(&dir)
                .wrap_err_with(|| format!("cannot create {}", dir.display()))?;
            dir.join("docker.sock")
        }
    };
    let docker = docker::DockerSim::start(&socket)
        .await
        .wrap_err_with(|| format!("cannot listen on {}", socket.display()))?;
    println!("# pilothouse simulated engine is running. In another terminal:");
    println!("export DOCKER_HOST={}", docker.host());
    println!(
        "# then: docker version, docker build -t cookbook ., docker run -d -p 127.0.0.1:8000:8000 cookbook"
    );
    println!("# Ctrl-C stops it and removes the socket.");
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).wrap_err("cannot watch SIGTERM")?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    drop(docker);
    if made_dir && let Some(dir) = socket.parent() {
        let _ = std::fs::remove_dir(dir);
    }
    println!("# stopped; {} removed", socket.display());
    Ok(())
}
