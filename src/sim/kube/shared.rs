//! What the API server's handlers, the controller and the churn share: the
//! store, the timings, the engine whose images pods may use, the writes
//! received, and the fault a test asked for.

use super::store::Store;
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

pub struct KubeShared {
    pub store: Mutex<Store>,
    pub timing: Timing,
    /// The simulated Docker engine whose images pods may use (minikube shares the node's engine).
    pub engine: Option<crate::sim::docker::Shared>,
    pub server: String,
    /// Every request that could change something (`METHOD PATH`), oldest first,
    /// so tests can prove that refused input sent nothing. Capped.
    pub writes: Mutex<std::collections::VecDeque<String>>,
    /// What lists and watches answer instead of the truth, while set (tests only).
    pub fault: Mutex<Option<Fault>>,
    /// The tokens it knows, when it authenticates (HTTPS); None: plain HTTP, anyone may do anything.
    pub auth: Option<super::auth::Auth>,
    /// Requests answered, and of them refused (401 or 403): tests count a client's requests.
    pub requests: std::sync::atomic::AtomicU64,
    pub refused: std::sync::atomic::AtomicU64,
}

/// Writes remembered by the sim; older ones go first.
pub(super) const WRITES_KEPT: usize = 1_000;

impl KubeShared {
    /// The write requests received so far (`POST /apis/apps/v1/...`).
    pub fn writes(&self) -> Vec<String> {
        self.writes
            .lock()
            .map(|w| w.iter().cloned().collect())
            .unwrap_or_default()
    }

    pub fn engine_images(&self) -> HashSet<String> {
        let Some(engine) = &self.engine else {
            return HashSet::new();
        };
        let engine = engine.lock().unwrap_or_else(|p| p.into_inner());
        engine
            .images
            .iter()
            .flat_map(|i| i.tags.iter().cloned().chain([i.id.clone()]))
            .collect()
    }
}

#[derive(Debug, Clone)]
pub struct Timing {
    pub schedule: Duration,
    pub create: Duration,
    pub back_off: Duration,
    pub terminate: Duration,
    pub tick: Duration,
    /// How often a watch that asked for bookmarks gets one.
    pub bookmark: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            schedule: Duration::from_millis(150),
            create: Duration::from_millis(600),
            back_off: Duration::from_millis(1500),
            terminate: Duration::from_millis(800),
            tick: Duration::from_millis(100),
            bookmark: Duration::from_secs(5),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 500 Internal Server Error on lists and watches.
    ServerError,
    /// 429 Too Many Requests, with `Retry-After` and the Status's retryAfterSeconds.
    TooManyRequests { retry_after: u32 },
    /// Lists and watches are accepted and never answered.
    Hang,
    /// 200 OK with a body that is not JSON.
    MalformedJson,
    /// Watches send half an event and close the connection.
    TruncatedWatch,
    /// Watches answer with an ERROR event: 410 Gone (Expired), as after compaction.
    Gone,
    /// 401 Unauthorized: the token was revoked or has expired mid-session.
    Unauthorized,
    /// 403 Forbidden: the user's RoleBinding was removed mid-session.
    Forbidden,
}
