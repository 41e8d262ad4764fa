//! Which Docker endpoint to talk to, chosen as the docker CLI chooses it:
//! `DOCKER_HOST` (with `DOCKER_TLS_VERIFY` / `DOCKER_CERT_PATH`), else the
//! context named by `DOCKER_CONTEXT` or the CLI config's `currentContext`,
//! else the default socket.

use bollard::{API_DEFAULT_VERSION, Docker};
use color_eyre::eyre::{Result, WrapErr, eyre};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

pub const DEFAULT_HOST: &str = "unix:///var/run/docker.sock";
/// Seconds a request may take before the engine counts as unreachable.
const REQUEST_TIMEOUT: u64 = 120;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub host: String,
    pub tls: Option<TlsFiles>,
    /// Where the choice came from, for the header: "DOCKER_HOST", "context colima", "default socket".
    pub origin: String,
}

/// The parts of the environment the choice depends on, so it can be tested.
#[derive(Debug, Clone, Default)]
pub struct DockerEnv {
    pub docker_host: Option<String>,
    pub docker_context: Option<String>,
    pub tls_verify: bool,
    pub cert_path: Option<PathBuf>,
    /// `DOCKER_CONFIG`, else `~/.docker`.
    pub config_dir: Option<PathBuf>,
    /// `DOCKER_BUILDKIT`: "0" chooses the classic builder, "1" BuildKit.
    pub buildkit: Option<String>,
}

/// A connected engine, for the effects: bollard's client, and the endpoint
/// and builder a build uses (builds go to the endpoint themselves, see
/// `effects/docker/engine_http.rs`).
#[derive(Clone)]
pub struct EngineClient {
    pub docker: Docker,
    pub endpoint: Endpoint,
    pub builder: crate::domain::Builder,
}

impl DockerEnv {
    pub fn from_process() -> Self {
        let var = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
        let home = directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf());
        Self {
            docker_host: var("DOCKER_HOST"),
            docker_context: var("DOCKER_CONTEXT"),
            tls_verify: var("DOCKER_TLS_VERIFY").is_some_and(|v| v != "0"),
            cert_path: var("DOCKER_CERT_PATH").map(PathBuf::from),
            config_dir: var("DOCKER_CONFIG")
                .map(PathBuf::from)
                .or_else(|| home.map(|h| h.join(".docker"))),
            buildkit: var("DOCKER_BUILDKIT"),
        }
    }
}

#[derive(Deserialize)]
struct CliConfig {
    #[serde(rename = "currentContext", default)]
    current_context: Option<String>,
}

#[derive(Deserialize)]
struct ContextMeta {
    #[serde(rename = "Endpoints")]
    endpoints: std::collections::HashMap<String, ContextEndpoint>,
}

#[derive(Deserialize)]
struct ContextEndpoint {
    #[serde(rename = "Host")]
    host: Option<String>,
}

pub fn resolve(env: &DockerEnv) -> Result<Endpoint> {
    if let Some(host) = &env.docker_host {
        let tls = if env.tls_verify || host.starts_with("https://") {
            let dir = env
                .cert_path
                .clone()
                .or_else(|| env.config_dir.clone())
                .unwrap_or_default();
            Some(tls_files_in(&dir))
        } else {
            None
        };
        return Ok(Endpoint {
            host: host.clone(),
            tls,
            origin: "DOCKER_HOST".into(),
        });
    }
    let config_dir = env.config_dir.clone().unwrap_or_default();
    let (context, origin_var) = match &env.docker_context {
        Some(name) => (Some(name.clone()), "DOCKER_CONTEXT"),
        None => (current_context(&config_dir)?, "docker context"),
    };
    match context.as_deref() {
        None | Some("default") => Ok(Endpoint {
            host: DEFAULT_HOST.into(),
            tls: None,
            origin: "default socket".into(),
        }),
        Some(name) => context_endpoint(&config_dir, name, origin_var),
    }
}

fn current_context(config_dir: &Path) -> Result<Option<String>> {
    let path = config_dir.join("config.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err).wrap_err_with(|| format!("cannot read {}", path.display())),
    };
    let config: CliConfig = serde_json::from_str(&text)
        .wrap_err_with(|| format!("{} is not valid JSON", path.display()))?;
    Ok(config.current_context.filter(|c| !c.is_empty()))
}

fn context_dir_name(name: &str) -> String {
    Sha256::digest(name.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn context_endpoint(config_dir: &Path, name: &str, origin_var: &str) -> Result<Endpoint> {
    let hashed = context_dir_name(name);
    let meta_path = config_dir
        .join("contexts")
        .join("meta")
        .join(&hashed)
        .join("meta.json");
    let text = std::fs::read_to_string(&meta_path).wrap_err_with(|| {
        format!(
            "docker context '{name}' not found ({} is missing)",
            meta_path.display()
        )
    })?;
    let meta: ContextMeta = serde_json::from_str(&text)
        .wrap_err_with(|| format!("{} is not valid JSON", meta_path.display()))?;
    let host = meta
        .endpoints
        .get("docker")
        .and_then(|e| e.host.clone())
        .ok_or_else(|| eyre!("docker context '{name}' has no docker endpoint"))?;
    let tls_dir = config_dir
        .join("contexts")
        .join("tls")
        .join(&hashed)
        .join("docker");
    let tls = tls_dir
        .join("ca.pem")
        .exists()
        .then(|| tls_files_in(&tls_dir));
    Ok(Endpoint {
        host,
        tls,
        origin: format!("{origin_var} {name}"),
    })
}

fn tls_files_in(dir: &Path) -> TlsFiles {
    TlsFiles {
        ca: dir.join("ca.pem"),
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    }
}

/// A client for the endpoint; the version is negotiated by the caller once it answers.
pub fn client_for(endpoint: &Endpoint) -> Result<Docker> {
    let host = endpoint.host.as_str();
    let docker = if host.starts_with("unix://") {
        Docker::connect_with_unix(host, REQUEST_TIMEOUT, API_DEFAULT_VERSION)
    } else if host.starts_with("tcp://")
        || host.starts_with("http://")
        || host.starts_with("https://")
    {
        match &endpoint.tls {
            Some(tls) => Docker::connect_with_ssl(
                host,
                &tls.key,
                &tls.cert,
                &tls.ca,
                REQUEST_TIMEOUT,
                API_DEFAULT_VERSION,
            ),
            None => Docker::connect_with_http(host, REQUEST_TIMEOUT, API_DEFAULT_VERSION),
        }
    } else {
        return Err(eyre!(
            "'{host}' is not a Docker host pilothouse can reach (unix://, tcp://, http:// or https://)"
        ));
    };
    docker.wrap_err_with(|| format!("cannot set up a client for {host}"))
}

/// Connect to the engine: its client (the API version negotiated), its
/// version, and the builder builds use on it.
pub async fn connect_engine(
    endpoint: Endpoint,
    buildkit_env: Option<&str>,
) -> Result<(EngineClient, crate::domain::EngineInfo), String> {
    let docker = client_for(&endpoint).map_err(|e| format!("{e:#}"))?;
    let unreachable = |e: bollard::errors::Error| {
        format!(
            "cannot reach {}: {}",
            endpoint.host,
            crate::sources::describe(&e)
        )
    };
    // The engine may speak an older or newer API than bollard's default.
    let docker = docker.negotiate_version().await.map_err(unreachable)?;
    let version = docker.version().await.map_err(unreachable)?;
    let os = version.os.unwrap_or_default();
    let api_version = version.api_version.unwrap_or_else(|| "?".into());
    let builder = crate::domain::Builder::choose(buildkit_env, &os, &api_version);
    let info = crate::domain::EngineInfo {
        version: version.version.unwrap_or_else(|| "?".into()),
        api_version,
        os,
        builder: builder.clone(),
    };
    let engine = EngineClient {
        docker,
        endpoint,
        builder,
    };
    Ok((engine, info))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_with(config_dir: &Path) -> DockerEnv {
        DockerEnv {
            config_dir: Some(config_dir.to_path_buf()),
            ..Default::default()
        }
    }

    #[test]
    fn docker_host_wins_and_tls_follows_the_cert_path() {
        let env = DockerEnv {
            docker_host: Some("tcp://192.168.49.2:2376".into()),
            tls_verify: true,
            cert_path: Some("/home/me/.minikube/certs".into()),
            docker_context: Some("ignored".into()),
            ..Default::default()
        };
        let endpoint = resolve(&env).unwrap();
        assert_eq!(endpoint.host, "tcp://192.168.49.2:2376");
        assert_eq!(endpoint.origin, "DOCKER_HOST");
        assert_eq!(
            endpoint.tls.unwrap().ca,
            PathBuf::from("/home/me/.minikube/certs/ca.pem")
        );
    }

    #[test]
    fn no_config_means_the_default_socket() {
        let dir = tempfile::tempdir().unwrap();
        let endpoint = resolve(&env_with(dir.path())).unwrap();
        assert_eq!(endpoint.host, DEFAULT_HOST);
        assert_eq!(endpoint.tls, None);
    }

    #[test]
    fn current_context_is_read_as_the_cli_reads_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("config.json"),
            r#"{"auths":{},"currentContext":"colima"}"#,
        )
        .unwrap();
        let hashed = context_dir_name("colima");
        let meta_dir = dir.path().join("contexts/meta").join(&hashed);
        std::fs::create_dir_all(&meta_dir).unwrap();
        std::fs::write(
            meta_dir.join("meta.json"),
            r#"{"Name":"colima","Metadata":{},"Endpoints":{"docker":{"Host":"unix:///home/me/.colima/default/docker.sock","SkipTLSVerify":false}}}"#,
        )
        .unwrap();
        let endpoint = resolve(&env_with(dir.path())).unwrap();
        assert_eq!(endpoint.host, "unix:///home/me/.colima/default/docker.sock");
        assert_eq!(endpoint.origin, "docker context colima");

        let mut env = env_with(dir.path());
        env.docker_context = Some("default".into());
        assert_eq!(
            resolve(&env).unwrap().host,
            DEFAULT_HOST,
            "DOCKER_CONTEXT overrides currentContext"
        );

        env.docker_context = Some("missing".into());
        let err = format!("{:#}", resolve(&env).unwrap_err());
        assert!(err.contains("docker context 'missing' not found"), "{err}");
    }

    #[test]
    fn context_names_hash_like_the_docker_cli() {
        // sha256("default"), as `docker context inspect` stores it.
        assert_eq!(
            context_dir_name("default"),
            "37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f"
        );
    }

    #[test]
    fn unsupported_schemes_are_refused_with_a_sentence() {
        let endpoint = Endpoint {
            host: "ssh://me@box".into(),
            tls: None,
            origin: "DOCKER_HOST".into(),
        };
        let err = client_for(&endpoint).unwrap_err().to_string();
        assert!(err.contains("ssh://me@box"), "{err}");
    }
}
