//! The docker CLI with a simulated engine as its host and a throwaway
//! config folder, blocking: call it from `spawn_blocking`.

use pilothouse::sim::docker::DockerSim;
use std::process::{Command, Output};

/// A simulated engine on a socket in a fresh folder, and the CLI pointed at
/// it; the folder goes when the last of the three is dropped.
pub async fn sim_and_cli() -> (DockerSim, DockerCli, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let sim = DockerSim::start(&dir.path().join("docker.sock"))
        .await
        .expect("the simulated engine starts");
    let cli = DockerCli::new(sim.host());
    (sim, cli, dir)
}

pub struct DockerCli {
    pub host: String,
    pub config: tempfile::TempDir,
}

impl DockerCli {
    pub fn new(host: String) -> Self {
        Self {
            host,
            config: tempfile::tempdir().expect("a config folder"),
        }
    }

    pub fn run(&self, args: &[&str]) -> Output {
        Command::new("docker")
            .args(args)
            .env("DOCKER_HOST", &self.host)
            .env("DOCKER_CONFIG", self.config.path())
            .env("DOCKER_BUILDKIT", "0")
            .env_remove("DOCKER_CONTEXT")
            .output()
            .expect("run docker")
    }

    /// Run and require success; the output as text.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success(),
            "docker {} failed:\n{text}",
            args.join(" ")
        );
        text
    }
}
