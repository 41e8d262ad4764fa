//! Logs go to a file in the platform state dir, never to the screen.

use color_eyre::eyre::{Result, WrapErr};
use std::path::PathBuf;
use tracing_subscriber::EnvFilter;

/// `$XDG_STATE_HOME/pilothouse` (or the cache dir where a platform has no state dir).
pub fn log_dir() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "pilothouse")?;
    Some(
        dirs.state_dir()
            .unwrap_or_else(|| dirs.cache_dir())
            .to_path_buf(),
    )
}

/// Crates that log request and response bodies below these levels: bollard
/// (build contexts with whatever files they hold, container env, registry
/// auth) at debug and trace, kube-client (a body it could not parse) at warn.
/// Capped whatever level is asked, so no credential reaches the log file.
const BODY_LOGGERS: [&str; 7] = [
    "bollard=info",
    "kube_client=error",
    "hyper=info",
    "hyper_util=info",
    "h2=info",
    "tower=info",
    "rustls=info",
];

/// `RUST_LOG` if set, else `level`; the body loggers capped either way.
pub fn filter(level: &str) -> EnvFilter {
    let mut filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    for cap in BODY_LOGGERS {
        if let Ok(directive) = cap.parse() {
            filter = filter.add_directive(directive);
        }
    }
    filter
}

/// Install the file logger; `RUST_LOG` filters, else `level` (the config's log_level). Returns the file's path.
pub fn init(level: &str) -> Result<Option<PathBuf>> {
    let Some(dir) = log_dir() else {
        return Ok(None);
    };
    std::fs::create_dir_all(&dir)
        .wrap_err_with(|| format!("cannot create the log directory {}", dir.display()))?;
    let path = dir.join("pilothouse.log");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .wrap_err_with(|| format!("cannot open the log file {}", path.display()))?;
    tracing_subscriber::fmt()
        .with_env_filter(filter(level))
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .init();
    Ok(Some(path))
}
