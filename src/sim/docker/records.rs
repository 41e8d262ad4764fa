//! The plain records the engine's state keeps beside images and
//! containers: volumes, mounts, networks and a container's place on one.
//! Data only (and how `docker inspect` writes mounts); the endpoints that
//! change them are in `volumes.rs`, `mounts.rs` and `networks.rs`.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default)]
pub struct SimVolume {
    pub name: String,
    pub created: i64,
    pub labels: BTreeMap<String, String>,
    /// Made for one container (`-v /data`, or `Volumes` with no name): removed with it by `--rm` and `rm -v`.
    pub anonymous: bool,
    /// Path inside the volume (`/greeting`) -> content.
    pub files: BTreeMap<String, Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MountKind {
    Volume,
    Bind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimMount {
    pub kind: MountKind,
    /// The volume's name, or the host folder.
    pub source: String,
    /// Where it appears in the container (absolute).
    pub target: String,
    pub read_only: bool,
}

#[derive(Debug, Clone)]
pub struct SimNetwork {
    pub name: String,
    pub id: String,
    pub driver: String,
    pub created: i64,
    pub labels: BTreeMap<String, String>,
    /// `172.N.0.0/16`, or none (host, none).
    pub subnet: Option<u8>,
    pub internal: bool,
    pub attachable: bool,
}

/// A container's place on a network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub network: String,
    pub aliases: Vec<String>,
    pub address: String,
}

/// The three networks every engine starts with.
pub fn predefined() -> Vec<SimNetwork> {
    let network = |name: &str, driver: &str, subnet: Option<u8>| SimNetwork {
        name: name.to_string(),
        // Fixed for the engine's life, as dockerd's are; made from the name.
        id: format!("{:x}", Sha256::digest(format!("pilothouse-network-{name}"))),
        driver: driver.to_string(),
        created: 1_767_225_600,
        labels: BTreeMap::new(),
        subnet,
        internal: false,
        attachable: false,
    };
    vec![
        network("bridge", "bridge", Some(17)),
        network("host", "host", None),
        network("none", "null", None),
    ]
}

/// `Mounts` as `docker inspect` shows them.
pub(super) fn mounts_json(mounts: &[SimMount]) -> Value {
    json!(
        mounts
            .iter()
            .map(|m| match m.kind {
                MountKind::Volume => json!({
                    "Type": "volume", "Name": m.source,
                    "Source": format!("/var/lib/docker/volumes/{}/_data", m.source),
                    "Destination": m.target, "Driver": "local", "Mode": "z", "RW": !m.read_only, "Propagation": "",
                }),
                MountKind::Bind => json!({
                    "Type": "bind", "Source": m.source, "Destination": m.target,
                    "Mode": "", "RW": !m.read_only, "Propagation": "rprivate",
                }),
            })
            .collect::<Vec<_>>()
    )
}
