//! Command-line flags, named as kubectl and the docker CLI name theirs.

use clap::{Parser, Subcommand};
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(
    name = "pilothouse",
    version,
    about = "A terminal cockpit for the local container inner loop"
)]
pub struct Cli {
    /// Relist interval in seconds (the events API keeps panes live in between; default 2, or the config file's).
    #[arg(long, value_parser = parse_refresh)]
    pub refresh: Option<Duration>,

    /// Refuse every action that changes something (build, run, stop, remove…).
    #[arg(long)]
    pub readonly: bool,

    /// Kubeconfig file, as kubectl's --kubeconfig (default: KUBECONFIG, else ~/.kube/config).
    #[arg(long, env = "PILOTHOUSE_KUBECONFIG")]
    pub kubeconfig: Option<std::path::PathBuf>,

    /// Kubeconfig context to use (default: the current one).
    #[arg(long)]
    pub context: Option<String>,

    /// Namespace to watch, as kubectl's -n (default: all namespaces; `:ns` switches).
    #[arg(short = 'n', long, conflicts_with = "all_namespaces")]
    pub namespace: Option<String>,

    /// Watch every namespace (the default), as kubectl's -A.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,

    /// Run against the built-in simulated cluster (no Docker engine or cluster needed).
    #[arg(long)]
    pub demo: bool,

    /// With --demo: preload this many pods in the simulated cluster (namespace `load`), for scale.
    #[arg(long, default_value = "0", requires = "demo")]
    pub pods: usize,

    /// Theme: default, light, high-contrast, solarized-dark, nord, a user theme's name, or a theme file's path.
    #[arg(long)]
    pub theme: Option<String>,

    /// The config file (default: PILOTHOUSE_CONFIG, else config.toml in the platform config dir).
    #[arg(long)]
    pub config: Option<std::path::PathBuf>,

    /// Leave the mouse to the terminal (no click to select, no wheel scrolling).
    #[arg(long)]
    pub no_mouse: bool,

    /// Learn mode at start: each action shows its command line and waits for a yes (default: on with --demo).
    #[arg(long, value_enum)]
    pub learn: Option<OnOff>,

    /// Start the guided tour of the walkthrough (with --demo, or on any cluster).
    #[arg(long)]
    pub tour: bool,

    /// Start the dev loop at once (as w does): each save rebuilds the app and replaces what runs it.
    #[arg(long)]
    pub watch: bool,

    #[command(subcommand)]
    pub command: Option<Sub>,
}

#[derive(Debug, Subcommand)]
pub enum Sub {
    /// Run the simulated engine alone and print how to point the docker CLI at it.
    Sim(SimArgs),
    /// Print shell completions.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), made from these same flags: `pilothouse man | man -l -`.
    Man,
    /// Print the configuration in effect and the files it came from.
    Config,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

/// The man page, generated from the flags so it cannot drift from them.
pub fn man_page() -> std::io::Result<Vec<u8>> {
    use clap::CommandFactory;
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut page)?;
    Ok(page)
}

#[derive(Debug, Clone, clap::Args)]
pub struct SimArgs {
    /// Unix socket for the simulated Docker engine (default: in a new temp dir).
    #[arg(long)]
    pub docker_socket: Option<std::path::PathBuf>,
    /// Where to write the kubeconfig (default: in the same temp dir); an existing file is never overwritten.
    #[arg(long)]
    pub kubeconfig: Option<std::path::PathBuf>,
    /// API server port on 127.0.0.1 (default: any free port).
    #[arg(long, default_value = "0")]
    pub port: u16,
    /// Seed for names and ids, so runs repeat exactly.
    #[arg(long, default_value = "1")]
    pub seed: u64,
    /// Preload this many pods over several deployments (namespace `load`), for scale tests.
    #[arg(long, default_value = "0")]
    pub pods: usize,
    /// Deal the preloaded deployments over this many namespaces: `load` for one,
    /// `load-00`, `load-01`, ... for more.
    #[arg(long, default_value = "1", requires = "pods", value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub namespaces: u16,
    /// Changes a second to the preloaded pods (a restart count each), for measuring under churn.
    #[arg(long, default_value = "0", requires = "pods")]
    pub churn: u32,
    /// Lines a second each running pod writes to its log, for measuring a client that follows many logs.
    #[arg(long, default_value = "0")]
    pub log_rate: u32,
    /// With --log-rate: only this many pods write, the first running ones of the
    /// preloaded namespaces by name (0: every running pod).
    #[arg(long, default_value = "0", requires = "log_rate")]
    pub log_pods: usize,
    /// Serve the API over plain HTTP with no authentication (for scripts that read it raw);
    /// by default it is HTTPS with its own CA and a token for each user, as a real cluster.
    #[arg(long)]
    pub plain_http: bool,
    /// Preload this many running containers (of the image `load:latest`) in the simulated engine.
    #[arg(long, default_value = "0")]
    pub containers: usize,
    /// How long a scheduled pod spends in ContainerCreating, in milliseconds.
    #[arg(long, default_value = "600")]
    pub pod_start_ms: u64,
    /// Also serve the simulated Docker engine on this loopback TCP port (DOCKER_HOST=tcp://127.0.0.1:PORT).
    #[arg(long)]
    pub docker_port: Option<u16>,
    /// Also serve it over TLS with client certificates on this port, as minikube's engine
    /// (DOCKER_TLS_VERIFY=1; the certificates are written for DOCKER_CERT_PATH).
    #[arg(long)]
    pub docker_tls_port: Option<u16>,
}

impl Default for SimArgs {
    /// The same values the flags default to.
    fn default() -> Self {
        Self {
            docker_socket: None,
            kubeconfig: None,
            port: 0,
            seed: 1,
            pods: 0,
            namespaces: 1,
            churn: 0,
            log_rate: 0,
            log_pods: 0,
            plain_http: false,
            containers: 0,
            pod_start_ms: 600,
            docker_port: None,
            docker_tls_port: None,
        }
    }
}

fn parse_refresh(text: &str) -> Result<Duration, String> {
    let secs: f64 = text
        .parse()
        .map_err(|_| format!("'{text}' is not a number of seconds"))?;
    if !(0.1..=3600.0).contains(&secs) {
        return Err(format!("{secs} s is outside 0.1-3600 s"));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse_with_defaults_and_refuse_nonsense() {
        let cli = Cli::try_parse_from(["pilothouse"]).unwrap();
        assert_eq!(
            cli.refresh, None,
            "the config file's value, else its default"
        );
        assert!(!cli.readonly);
        let cli = Cli::try_parse_from(["pilothouse", "--refresh", "0.5", "--readonly"]).unwrap();
        assert_eq!(cli.refresh, Some(Duration::from_millis(500)));
        assert!(cli.readonly);
        assert!(Cli::try_parse_from(["pilothouse", "--refresh", "-1"]).is_err());
        assert!(Cli::try_parse_from(["pilothouse", "--refresh", "soon"]).is_err());
        assert!(Cli::try_parse_from(["pilothouse", "completions", "bash"]).is_ok());
        assert!(
            Cli::try_parse_from(["pilothouse", "sim", "--pods", "10", "--namespaces", "0"])
                .is_err(),
            "at least one namespace"
        );
        assert!(
            Cli::try_parse_from(["pilothouse", "sim", "--pods", "10", "--namespaces", "5"]).is_ok()
        );
        assert!(
            Cli::try_parse_from(["pilothouse", "sim", "--log-pods", "20"]).is_err(),
            "--log-pods limits --log-rate"
        );
        assert!(
            Cli::try_parse_from(["pilothouse", "sim", "--log-rate", "5", "--log-pods", "20"])
                .is_ok()
        );
        assert!(
            Cli::try_parse_from(["pilothouse", "-n", "web", "-A"]).is_err(),
            "-n and -A conflict"
        );
    }

    #[test]
    fn the_man_page_comes_from_the_flags() {
        let page = String::from_utf8(man_page().expect("renders")).expect("text");
        assert!(page.contains(".TH pilothouse"));
        use clap::CommandFactory;
        // Every long flag is in it.
        for arg in Cli::command().get_arguments() {
            if let Some(long) = arg.get_long() {
                assert!(
                    page.contains(&format!("\\-\\-{}", long.replace('-', "\\-"))),
                    "--{long} missing"
                );
            }
        }
    }
}
