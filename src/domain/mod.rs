//! Plain rows shared by sources, the model and the UI. No bollard or
//! k8s-openapi types cross this line: sources map into these.

pub mod cloud;
pub mod dockerfile;
pub mod exec;
pub mod forward;
pub mod kube;
pub mod minikube;
pub mod openapi;
pub mod protobuf;
pub mod since;
pub mod text;

use std::time::{Duration, SystemTime};

/// Seconds since the Unix epoch, as the engine reports creation times.
pub type UnixSeconds = i64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ContainerState {
    Created,
    Running,
    Paused,
    Restarting,
    Removing,
    Exited,
    Dead,
    Unknown,
}

impl ContainerState {
    pub fn parse(state: &str) -> Self {
        match state {
            "created" => Self::Created,
            "running" => Self::Running,
            "paused" => Self::Paused,
            "restarting" => Self::Restarting,
            "removing" => Self::Removing,
            "exited" => Self::Exited,
            "dead" => Self::Dead,
            _ => Self::Unknown,
        }
    }

    pub fn is_running(self) -> bool {
        matches!(self, Self::Running | Self::Restarting | Self::Paused)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Protocol {
    Tcp,
    Udp,
    Sctp,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tcp => "tcp",
            Self::Udp => "udp",
            Self::Sctp => "sctp",
        }
    }
}

/// One published (or merely exposed) port of a container, as `docker ps` shows it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PortMapping {
    pub host_ip: Option<String>,
    pub host_port: Option<u16>,
    pub container_port: u16,
    pub protocol: Protocol,
}

impl PortMapping {
    /// The URL a browser on this machine reaches the port at, if it is published.
    pub fn local_url(&self) -> Option<String> {
        self.url_via(None)
    }

    /// The URL of the port when its engine runs on another machine (`engine`:
    /// that machine's address): a port published on all addresses is
    /// reached there, not on this machine's localhost.
    pub fn url_via(&self, engine: Option<&str>) -> Option<String> {
        let port = self.host_port?;
        let host = match self.host_ip.as_deref() {
            None | Some("") | Some("0.0.0.0") | Some("::") => match engine {
                Some(remote) if remote.contains(':') => {
                    return Some(format!("http://[{remote}]:{port}/"));
                }
                Some(remote) => remote,
                None => "localhost",
            },
            Some(ip) if ip.contains(':') => return Some(format!("http://[{ip}]:{port}/")),
            Some(ip) => ip,
        };
        Some(format!("http://{host}:{port}/"))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContainerRow {
    pub id: String,
    pub image: String,
    pub command: String,
    pub created: UnixSeconds,
    pub state: ContainerState,
    /// The engine's own human status ("Up 5 minutes", "Exited (0) 2 hours ago").
    pub status: String,
    pub ports: Vec<PortMapping>,
    pub name: String,
}

impl ContainerRow {
    pub fn short_id(&self) -> &str {
        short_id(&self.id)
    }

    pub fn first_url(&self) -> Option<String> {
        self.ports.iter().find_map(PortMapping::local_url)
    }

    /// The first published port's URL, its engine on `engine` (None: this machine).
    pub fn first_url_via(&self, engine: Option<&str>) -> Option<String> {
        self.ports.iter().find_map(|p| p.url_via(engine))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImageRow {
    /// Full `sha256:...` id.
    pub id: String,
    pub repository: String,
    pub tag: String,
    pub created: UnixSeconds,
    pub size: u64,
}

impl ImageRow {
    pub fn short_id(&self) -> &str {
        short_id(self.id.strip_prefix("sha256:").unwrap_or(&self.id))
    }

    /// What `docker run` should be given for this row: `repo:tag`, or the id when untagged.
    pub fn reference(&self) -> String {
        if self.repository == "<none>" {
            self.short_id().to_string()
        } else {
            format!("{}:{}", self.repository, self.tag)
        }
    }
}

pub fn short_id(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineInfo {
    pub version: String,
    pub api_version: String,
    pub os: String,
    pub builder: Builder,
}

/// Which builder `b` uses on this engine.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Builder {
    /// BuildKit: `RUN --mount`, parallel stages, plain progress.
    #[default]
    BuildKit,
    /// The classic builder, and why (DOCKER_BUILDKIT=0, a Windows engine, an
    /// engine older than BuildKit, or one that refused a BuildKit build).
    Classic { reason: String },
}

impl Builder {
    /// The builder the docker CLI would use, from `DOCKER_BUILDKIT` and the engine's
    /// OS and API version (BuildKit came with API 1.39, Docker 18.09).
    pub fn choose(buildkit_env: Option<&str>, os: &str, api_version: &str) -> Builder {
        let classic = |reason: &str| Builder::Classic {
            reason: reason.to_string(),
        };
        match buildkit_env
            .map(|v| v.trim().to_ascii_lowercase())
            .as_deref()
        {
            Some("0" | "false") => return classic("DOCKER_BUILDKIT=0"),
            Some("1" | "true") => return Builder::BuildKit,
            _ => {}
        }
        if os.eq_ignore_ascii_case("windows") {
            return classic("BuildKit does not build Windows images");
        }
        let minor = api_version
            .strip_prefix("1.")
            .and_then(|minor| minor.parse::<u32>().ok());
        match minor {
            Some(minor) if minor < 39 => classic(&format!(
                "engine API {api_version} predates BuildKit (1.39)"
            )),
            _ => Builder::BuildKit,
        }
    }
}

/// How the docker endpoint was chosen, as the docker CLI would explain it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointLabel {
    pub host: String,
    pub origin: String,
}

impl EndpointLabel {
    /// The machine the engine runs on when it is not this one: the host of
    /// `tcp://`, `https://` or `ssh://user@` endpoints that are not loopback.
    pub fn remote_machine(&self) -> Option<String> {
        remote_machine(&self.host)
    }
}

/// The host of an engine address (`tcp://192.168.49.2:2376`,
/// `ssh://docker@host:22`), None for sockets and loopback addresses.
pub fn remote_machine(address: &str) -> Option<String> {
    let (scheme, rest) = address.split_once("://")?;
    if !matches!(scheme, "tcp" | "http" | "https" | "ssh") {
        return None;
    }
    let authority = rest.split('/').next().unwrap_or(rest);
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match authority.strip_prefix('[') {
        Some(bracketed) => bracketed.split_once(']')?.0,
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    (!host.is_empty() && !loopback).then(|| host.to_string())
}

#[derive(Debug, Clone, PartialEq)]
pub enum Connection {
    Connecting,
    Connected(EngineInfo),
    Disconnected { reason: String, retry_in: Duration },
}

/// One sample of the stats stream of a container.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StatsSample {
    /// Percent of one CPU (can pass 100 on several cores), as `docker stats`.
    pub cpu_percent: f64,
    pub memory_bytes: u64,
    pub memory_limit: u64,
}

/// Human ages the way docker prints them ("5 minutes ago").
pub fn humanize_ago(created: UnixSeconds, now: SystemTime) -> String {
    let now_secs = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let secs = (now_secs - created).max(0) as u64;
    format!("{} ago", humanize_duration(Duration::from_secs(secs)))
}

pub fn humanize_duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0 => "Less than a second".to_string(),
        1 => "1 second".to_string(),
        2..=59 => format!("{s} seconds"),
        60..=119 => "About a minute".to_string(),
        120..=3599 => format!("{} minutes", s / 60),
        3600..=7199 => "About an hour".to_string(),
        7200..=172_799 => format!("{} hours", s / 3600),
        172_800..=1_209_599 => format!("{} days", s / 86_400),
        1_209_600..=5_183_999 => format!("{} weeks", s / 604_800),
        5_184_000..=63_071_999 => format!("{} months", s / 2_592_000),
        _ => format!("{} years", s / 31_536_000),
    }
}

/// Sizes as `docker images` prints them (decimal units).
pub fn humanize_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes}B")
    } else if value < 10.0 {
        format!("{value:.2}{}", UNITS[unit])
    } else if value < 100.0 {
        format!("{value:.1}{}", UNITS[unit])
    } else {
        format!("{value:.0}{}", UNITS[unit])
    }
}

pub fn format_ports(ports: &[PortMapping]) -> String {
    ports
        .iter()
        .map(|p| match (p.host_port, p.host_ip.as_deref()) {
            (Some(hp), Some(ip)) if !ip.is_empty() => {
                let ip = if ip.contains(':') {
                    format!("[{ip}]")
                } else {
                    ip.to_string()
                };
                format!("{ip}:{hp}->{}/{}", p.container_port, p.protocol.as_str())
            }
            (Some(hp), _) => format!("{hp}->{}/{}", p.container_port, p.protocol.as_str()),
            (None, _) => format!("{}/{}", p.container_port, p.protocol.as_str()),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builder_is_chosen_as_the_docker_cli_chooses_it() {
        let classic = |reason: &str| Builder::Classic {
            reason: reason.into(),
        };
        assert_eq!(Builder::choose(None, "linux", "1.41"), Builder::BuildKit);
        assert_eq!(
            Builder::choose(Some("0"), "linux", "1.41"),
            classic("DOCKER_BUILDKIT=0")
        );
        assert_eq!(
            Builder::choose(Some("1"), "windows", "1.41"),
            Builder::BuildKit
        );
        assert_eq!(
            Builder::choose(None, "windows", "1.41"),
            classic("BuildKit does not build Windows images")
        );
        assert_eq!(
            Builder::choose(None, "linux", "1.38"),
            classic("engine API 1.38 predates BuildKit (1.39)")
        );
        assert_eq!(Builder::choose(None, "linux", "?"), Builder::BuildKit);
    }

    #[test]
    fn an_engine_on_another_machine_is_reached_there() {
        assert_eq!(
            remote_machine("tcp://192.168.49.2:2376").as_deref(),
            Some("192.168.49.2")
        );
        assert_eq!(
            remote_machine("ssh://docker@build-box:22").as_deref(),
            Some("build-box")
        );
        assert_eq!(
            remote_machine("tcp://[fd00::2]:2376").as_deref(),
            Some("fd00::2")
        );
        for local in [
            "unix:///var/run/docker.sock",
            "tcp://127.0.0.1:32842",
            "tcp://localhost:2375",
            "tcp://[::1]:2375",
            "npipe:////./pipe/docker_engine",
        ] {
            assert_eq!(remote_machine(local), None, "{local}");
        }
        let everywhere = PortMapping {
            host_ip: Some("0.0.0.0".into()),
            host_port: Some(8000),
            container_port: 8000,
            protocol: Protocol::Tcp,
        };
        assert_eq!(
            everywhere.url_via(Some("192.168.49.2")).as_deref(),
            Some("http://192.168.49.2:8000/")
        );
        assert_eq!(
            everywhere.url_via(Some("fd00::2")).as_deref(),
            Some("http://[fd00::2]:8000/")
        );
        assert_eq!(
            everywhere.url_via(None).as_deref(),
            Some("http://localhost:8000/")
        );
        let one_address = PortMapping {
            host_ip: Some("10.0.0.5".into()),
            ..everywhere
        };
        assert_eq!(
            one_address.url_via(Some("192.168.49.2")).as_deref(),
            Some("http://10.0.0.5:8000/")
        );
    }

    #[test]
    fn sizes_read_like_docker_images() {
        assert_eq!(humanize_size(999), "999B");
        assert_eq!(humanize_size(1_982_256), "1.98MB");
        assert_eq!(humanize_size(72_500_000), "72.5MB");
        assert_eq!(humanize_size(912_000_000), "912MB");
    }

    #[test]
    fn ages_read_like_docker_ps() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(humanize_ago(1_000_000 - 300, now), "5 minutes ago");
        assert_eq!(humanize_ago(1_000_000 - 3 * 3600, now), "3 hours ago");
        assert_eq!(humanize_ago(1_000_000 + 10, now), "Less than a second ago");
    }

    #[test]
    fn ports_read_like_docker_ps() {
        let ports = vec![
            PortMapping {
                host_ip: Some("127.0.0.1".into()),
                host_port: Some(8000),
                container_port: 8000,
                protocol: Protocol::Tcp,
            },
            PortMapping {
                host_ip: None,
                host_port: None,
                container_port: 53,
                protocol: Protocol::Udp,
            },
        ];
        assert_eq!(format_ports(&ports), "127.0.0.1:8000->8000/tcp, 53/udp");
        assert_eq!(
            ports[0].local_url().as_deref(),
            Some("http://127.0.0.1:8000/")
        );
        assert_eq!(ports[1].local_url(), None);
    }
}
