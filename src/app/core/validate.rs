//! Validators for everything a user types into a form. Each returns the
//! sentence shown under the field; nothing is sent while one fails.

use crate::domain::Protocol;
use std::net::IpAddr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortMap {
    pub host_ip: String,
    pub host_port: u16,
    pub container_port: u16,
    pub protocol: Protocol,
}

impl PortMap {
    /// As `docker run -p` takes it.
    pub fn to_flag(&self) -> String {
        let ip = if self.host_ip.contains(':') {
            format!("[{}]", self.host_ip)
        } else {
            self.host_ip.clone()
        };
        let proto = match self.protocol {
            Protocol::Tcp => String::new(),
            other => format!("/{}", other.as_str()),
        };
        format!("{ip}:{}:{}{proto}", self.host_port, self.container_port)
    }

    pub fn container_key(&self) -> String {
        format!("{}/{}", self.container_port, self.protocol.as_str())
    }
}

const MAX_NAME_LEN: usize = 255;

/// A docker image reference: `[registry[:port]/]path[:tag][@digest]`, per the
/// distribution reference grammar. `allow_digest` is false for build tags.
pub fn image_reference(input: &str, allow_digest: bool) -> Result<(), String> {
    let value = input.trim();
    if value.is_empty() {
        return Err("an image reference is required, e.g. cookbook:latest".into());
    }
    if value.chars().any(char::is_whitespace) {
        return Err(format!(
            "'{value}' has white space; an image reference has none"
        ));
    }
    let (rest, digest) = match value.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (value, None),
    };
    if let Some(digest) = digest {
        if !allow_digest {
            return Err("a build tag cannot carry a digest (@sha256:...)".into());
        }
        digest_part(digest)?;
    }
    // A tag follows the last ':' only when no '/' comes after it (else it is a registry port).
    let (name, tag) = match rest.rfind(':') {
        Some(i) if !rest[i..].contains('/') => (&rest[..i], Some(&rest[i + 1..])),
        _ => (rest, None),
    };
    if let Some(tag) = tag {
        tag_part(tag)?;
    }
    if name.len() > MAX_NAME_LEN {
        return Err(format!(
            "the repository name is longer than {MAX_NAME_LEN} characters"
        ));
    }
    let mut components: Vec<&str> = name.split('/').collect();
    if components.len() > 1 && looks_like_domain(components[0]) {
        domain_part(components.remove(0))?;
    }
    for component in components {
        path_component(component)?;
    }
    Ok(())
}

fn looks_like_domain(first: &str) -> bool {
    first.contains('.')
        || first.contains(':')
        || first == "localhost"
        || first.chars().any(|c| c.is_ascii_uppercase())
}

fn domain_part(domain: &str) -> Result<(), String> {
    let (host, port) = match domain.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (domain, None),
    };
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if host.is_empty() || !host.split('.').all(label_ok) {
        return Err(format!("'{domain}' is not a valid registry host"));
    }
    if let Some(port) = port
        && (port.is_empty()
            || !port.chars().all(|c| c.is_ascii_digit())
            || port.parse::<u16>().is_err())
    {
        return Err(format!("'{port}' is not a valid registry port"));
    }
    Ok(())
}

fn path_component(component: &str) -> Result<(), String> {
    let bad = || {
        format!(
            "'{component}' is not a valid repository name part: use lowercase letters, digits and single . _ or - between them"
        )
    };
    if component.is_empty() {
        return Err(
            "the repository name has an empty part (two '/' in a row, or one at an end)".into(),
        );
    }
    let bytes = component.as_bytes();
    if !bytes[0].is_ascii_lowercase() && !bytes[0].is_ascii_digit() {
        return Err(bad());
    }
    if !bytes[bytes.len() - 1].is_ascii_lowercase() && !bytes[bytes.len() - 1].is_ascii_digit() {
        return Err(bad());
    }
    // Separators between alphanumeric runs: '.', '_', '__', or any number of '-'.
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !(bytes[i].is_ascii_lowercase() || bytes[i].is_ascii_digit()) {
            i += 1;
        }
        let sep = &component[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.chars().all(|c| c == '-');
        if !ok {
            return Err(bad());
        }
    }
    Ok(())
}

fn tag_part(tag: &str) -> Result<(), String> {
    let ok = !tag.is_empty()
        && tag.len() <= 128
        && tag
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "'{tag}' is not a valid tag: up to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'"
        ))
    }
}

fn digest_part(digest: &str) -> Result<(), String> {
    let ok = match digest.split_once(':') {
        Some(("sha256", hex)) => {
            hex.len() == 64
                && hex
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        }
        Some((alg, hex)) => {
            !alg.is_empty() && hex.len() >= 32 && hex.chars().all(|c| c.is_ascii_hexdigit())
        }
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "'{digest}' is not a valid digest (sha256:<64 hex digits>)"
        ))
    }
}

/// Port maps as `docker run -p` takes them: `[ip:]host:container[/tcp|udp]`,
/// several separated by commas or spaces. The host side binds to 127.0.0.1
/// unless an address is given.
pub fn port_maps(input: &str) -> Result<Vec<PortMap>, String> {
    input
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(port_map)
        .collect()
}

fn port_map(entry: &str) -> Result<PortMap, String> {
    let (spec, protocol) = match entry.rsplit_once('/') {
        Some((spec, "tcp")) => (spec, Protocol::Tcp),
        Some((spec, "udp")) => (spec, Protocol::Udp),
        Some((_, other)) => return Err(format!("'{entry}': protocol '{other}' is not tcp or udp")),
        None => (entry, Protocol::Tcp),
    };
    let (ip, ports) = if let Some(rest) = spec.strip_prefix('[') {
        let (ip, ports) = rest.split_once("]:").ok_or_else(|| {
            format!("'{entry}': an IPv6 address is written [addr]:host:container")
        })?;
        (Some(ip), ports)
    } else {
        match spec.matches(':').count() {
            1 => (None, spec),
            2 => {
                let (ip, ports) = spec.split_once(':').unwrap_or_default();
                (Some(ip), ports)
            }
            _ => {
                return Err(format!(
                    "'{entry}' is not a port map: write host:container, e.g. 8000:8000"
                ));
            }
        }
    };
    let host_ip = match ip {
        Some(ip) => ip
            .parse::<IpAddr>()
            .map_err(|_| format!("'{entry}': '{ip}' is not an IP address"))?
            .to_string(),
        None => "127.0.0.1".to_string(),
    };
    let (host, container) = ports.split_once(':').ok_or_else(|| {
        format!("'{entry}' is not a port map: write host:container, e.g. 8000:8000")
    })?;
    Ok(PortMap {
        host_ip,
        host_port: port_number(entry, host)?,
        container_port: port_number(entry, container)?,
        protocol,
    })
}

fn port_number(entry: &str, text: &str) -> Result<u16, String> {
    match text.parse::<u32>() {
        Ok(n) if (1..=65535).contains(&n) => Ok(n as u16),
        Ok(n) => Err(format!("'{entry}': port {n} is outside 1-65535")),
        Err(_) => Err(format!("'{entry}': '{text}' is not a port number")),
    }
}

/// `K=V` entries separated by white space.
pub fn env_entries(input: &str) -> Result<Vec<(String, String)>, String> {
    input
        .split_whitespace()
        .map(|entry| {
            let (key, value) = entry
                .split_once('=')
                .ok_or_else(|| format!("'{entry}' is not KEY=VALUE"))?;
            let key_ok = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !key_ok {
                return Err(format!("'{key}' is not a variable name: letters, digits and '_', not starting with a digit"));
            }
            Ok((key.to_string(), value.to_string()))
        })
        .collect()
}

/// A container name as the engine accepts it; empty means "let docker choose".
pub fn container_name(input: &str) -> Result<Option<String>, String> {
    let name = input.trim();
    if name.is_empty() {
        return Ok(None);
    }
    if is_container_name(name) {
        Ok(Some(name.to_string()))
    } else {
        Err(format!(
            "'{name}' is not a container name: 2 or more letters, digits, '_', '.' or '-', starting with a letter or digit"
        ))
    }
}

/// dockerd's rule for container names: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`.
pub fn is_container_name(name: &str) -> bool {
    name.len() >= 2
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// A default image tag from a directory name: `<dir>:latest`, lowercased and
/// with characters a repository name cannot hold replaced.
pub fn default_tag_for_dir(dir_name: &str) -> String {
    let mut repo: String = dir_name
        .to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    repo = repo
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string();
    if repo.is_empty() || image_reference(&repo, false).is_err() {
        repo = "app".to_string();
    }
    format!("{repo}:latest")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_references_accepted() {
        for ok in [
            "cookbook",
            "cookbook:latest",
            "library/python:3.12-slim",
            "localhost:5000/team/app:v1.0",
            "europe-west1-docker.pkg.dev/my-project/repo/svc:abc123",
            "gcr.io/p/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "a__b/c-d---e.f:_x",
        ] {
            assert_eq!(image_reference(ok, true), Ok(()), "{ok}");
        }
    }

    #[test]
    fn image_references_refused() {
        for bad in [
            "",
            "Cookbook",
            "cook book",
            "cookbook:",
            "cookbook:-x",
            "-cookbook",
            "cook..book",
            "a//b",
            "app/",
            "cookbook:latest@sha256:abc",
            "host:99999/app",
        ] {
            assert!(
                image_reference(bad, true).is_err(),
                "{bad} should be refused"
            );
        }
        assert!(
            image_reference(
                "app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                false
            )
            .is_err()
        );
    }

    #[test]
    fn port_maps_bind_loopback_by_default() {
        let maps = port_maps("8000:8000, 0.0.0.0:9090:90/udp [::1]:7000:7000").unwrap();
        assert_eq!(maps[0].to_flag(), "127.0.0.1:8000:8000");
        assert_eq!(maps[1].to_flag(), "0.0.0.0:9090:90/udp");
        assert_eq!(maps[2].to_flag(), "[::1]:7000:7000");
        assert_eq!(maps[1].container_key(), "90/udp");
        assert_eq!(port_maps("").unwrap(), vec![]);
    }

    #[test]
    fn port_maps_refused_with_a_reason() {
        for (bad, says) in [
            ("8000", "not a port map"),
            ("0:8000", "outside 1-65535"),
            ("8000:70000", "outside 1-65535"),
            ("abc:80", "not a port number"),
            ("1.2.3:80:80", "not an IP address"),
            ("80:80/sctp", "not tcp or udp"),
            ("a:b:c:d", "not a port map"),
        ] {
            let err = port_maps(bad).unwrap_err();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }

    #[test]
    fn env_entries_need_key_and_value() {
        assert_eq!(
            env_entries("A=1 B_2=x=y").unwrap(),
            vec![("A".into(), "1".into()), ("B_2".into(), "x=y".into())]
        );
        assert!(env_entries("NOVALUE").is_err());
        assert!(env_entries("1A=x").is_err());
        assert!(env_entries("=x").is_err());
    }

    #[test]
    fn container_names() {
        assert_eq!(container_name(" ").unwrap(), None);
        assert_eq!(container_name("web-1").unwrap().as_deref(), Some("web-1"));
        assert!(container_name("x").is_err());
        assert!(container_name("-web").is_err());
        assert!(container_name("we b").is_err());
    }

    #[test]
    fn default_tags_from_dir_names() {
        assert_eq!(default_tag_for_dir("cookbook"), "cookbook:latest");
        assert_eq!(default_tag_for_dir("My App"), "my-app:latest");
        assert_eq!(default_tag_for_dir("__"), "app:latest");
    }
}
