//! A port-forward: what it reaches (a pod, or whichever ready pod of a
//! Deployment or Service), the local and remote ports, and the command
//! line it stands for. The local side is always 127.0.0.1.

use serde::{Deserialize, Serialize};

pub type ForwardId = u64;

/// The address every forward listens on: never beyond this machine.
pub const LOCAL_ADDRESS: &str = "127.0.0.1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ForwardKind {
    Pod,
    Deployment,
    Service,
}

impl ForwardKind {
    /// kubectl's short form before the slash: `pod/`, `deploy/`, `svc/`.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Pod => "pod",
            Self::Deployment => "deploy",
            Self::Service => "svc",
        }
    }

    /// Whether it follows its workload's pods (a pod forward stops with its pod).
    pub fn follows_pods(self) -> bool {
        !matches!(self, Self::Pod)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ForwardSpec {
    pub namespace: String,
    pub kind: ForwardKind,
    pub name: String,
    pub local_port: u16,
    /// The pod's port; for a Service, the Service's port (its targetPort is looked up).
    pub remote_port: u16,
}

impl ForwardSpec {
    /// `svc/cookbook-recipe`.
    pub fn target(&self) -> String {
        format!("{}/{}", self.kind.prefix(), self.name)
    }

    pub fn url(&self) -> String {
        format!("http://{LOCAL_ADDRESS}:{}/", self.local_port)
    }

    pub fn command_line(&self) -> String {
        format!(
            "kubectl port-forward {} {}:{} -n {} --address {LOCAL_ADDRESS}",
            self.target(),
            self.local_port,
            self.remote_port,
            self.namespace
        )
    }

    pub fn kept(&self) -> KeptForward {
        KeptForward {
            target: self.target(),
            namespace: self.namespace.clone(),
            local: self.local_port,
            remote: self.remote_port,
        }
    }
}

/// One `[[forward]]` of `pilothouse.toml`: started again when pilothouse starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptForward {
    /// `svc/NAME`, `deploy/NAME` or `pod/NAME`, as kubectl port-forward takes it.
    pub target: String,
    #[serde(default = "default_namespace")]
    pub namespace: String,
    pub local: u16,
    pub remote: u16,
}

fn default_namespace() -> String {
    "default".to_string()
}

impl KeptForward {
    /// The forward it stands for, or what is wrong with it.
    pub fn spec(&self) -> Result<ForwardSpec, String> {
        let (kind, name) = parse_target(&self.target)?;
        for (port, what) in [(self.local, "local"), (self.remote, "remote")] {
            if port == 0 {
                return Err(format!(
                    "{}: the {what} port must be 1 to 65535",
                    self.target
                ));
            }
        }
        Ok(ForwardSpec {
            namespace: self.namespace.clone(),
            kind,
            name,
            local_port: self.local,
            remote_port: self.remote,
        })
    }
}

/// `svc/NAME`, `service/NAME`, `deploy/NAME`, `deployment/NAME`, `pod/NAME`
/// or a bare `NAME` (a pod), as kubectl port-forward reads its target.
pub fn parse_target(text: &str) -> Result<(ForwardKind, String), String> {
    let (kind, name) = match text.split_once('/') {
        None => (ForwardKind::Pod, text),
        Some((kind, name)) => {
            let kind = match kind {
                "pod" | "pods" | "po" => ForwardKind::Pod,
                "deploy" | "deployment" | "deployments" => ForwardKind::Deployment,
                "svc" | "service" | "services" => ForwardKind::Service,
                other => {
                    return Err(format!(
                        "'{other}' cannot be forwarded to: pod/, deploy/ or svc/"
                    ));
                }
            };
            (kind, name)
        }
    };
    if name.is_empty() {
        return Err(format!("'{text}' names no object"));
    }
    Ok((kind, name.to_string()))
}

/// A port typed in a form: 1 to 65535.
pub fn parse_port(text: &str) -> Result<u16, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("a port is required (1 to 65535)".to_string());
    }
    match text.parse::<u32>() {
        Ok(port @ 1..=65535) => Ok(port as u16),
        Ok(_) => Err(format!("{text} is out of range: a port is 1 to 65535")),
        Err(_) => Err(format!("'{text}' is not a port number (1 to 65535)")),
    }
}

/// What a forward is doing now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardState {
    /// Listening, and a pod to reach is known.
    Active,
    /// Listening, but nothing to reach yet: why (no cluster, no ready pod).
    Waiting(String),
    /// Ended: why (its pod is gone, stopped).
    Ended(String),
}

impl ForwardState {
    pub fn label(&self) -> String {
        match self {
            Self::Active => "forwarding".to_string(),
            Self::Waiting(why) => format!("waiting: {why}"),
            Self::Ended(why) => format!("ended: {why}"),
        }
    }
}

/// Connections and bytes through a forward since it started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ForwardStats {
    pub open: u32,
    pub total: u64,
    /// From the pod to the local side.
    pub bytes_in: u64,
    /// From the local side to the pod.
    pub bytes_out: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_is_kubectls() {
        let spec = ForwardSpec {
            namespace: "default".into(),
            kind: ForwardKind::Service,
            name: "cookbook-recipe".into(),
            local_port: 8080,
            remote_port: 8000,
        };
        assert_eq!(
            spec.command_line(),
            "kubectl port-forward svc/cookbook-recipe 8080:8000 -n default --address 127.0.0.1"
        );
        assert_eq!(spec.url(), "http://127.0.0.1:8080/");
        assert_eq!(spec.kept().spec(), Ok(spec));
    }

    #[test]
    fn targets_parse_as_kubectl_reads_them() {
        assert_eq!(parse_target("web"), Ok((ForwardKind::Pod, "web".into())));
        assert_eq!(
            parse_target("deployment/x"),
            Ok((ForwardKind::Deployment, "x".into()))
        );
        assert_eq!(
            parse_target("svc/x"),
            Ok((ForwardKind::Service, "x".into()))
        );
        assert!(parse_target("job/x").unwrap_err().contains("'job'"));
        assert!(parse_target("svc/").is_err());
    }

    #[test]
    fn ports_are_one_to_65535() {
        assert_eq!(parse_port(" 8080 "), Ok(8080));
        assert!(parse_port("0").unwrap_err().contains("out of range"));
        assert!(parse_port("70000").unwrap_err().contains("out of range"));
        assert!(parse_port("http").unwrap_err().contains("not a port"));
        assert!(parse_port("").unwrap_err().contains("required"));
        let kept = KeptForward {
            target: "svc/x".into(),
            namespace: "default".into(),
            local: 0,
            remote: 80,
        };
        assert!(kept.spec().unwrap_err().contains("local port"));
    }
}
