//! Sources own every read: each runs on its own task and sends `Event`s.
//! Kubernetes (kube-rs watchers), minikube and Cloud Run sources join here.

pub mod docker;
pub mod docker_endpoint;
pub mod kube;
pub mod kube_pod;
pub mod kube_rows;
mod kube_store;
mod kube_watch;
pub mod minikube;

use std::time::Duration;

/// The longest wait between two tries to reach the engine or the API server:
/// short, so the panes fill again within a few seconds of its return (local
/// sockets and loopback make a try cheap).
pub const RECONNECT_CEILING: Duration = Duration::from_secs(3);

/// Exponential backoff for reconnects: 1 s, 2 s, 4 s … up to a ceiling.
#[derive(Debug, Clone)]
pub struct Backoff {
    next: Duration,
    first: Duration,
    ceiling: Duration,
}

impl Backoff {
    pub fn new(first: Duration, ceiling: Duration) -> Self {
        Self {
            next: first,
            first,
            ceiling,
        }
    }

    pub fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = (self.next * 2).min(self.ceiling);
        delay
    }

    pub fn reset(&mut self) {
        self.next = self.first;
    }
}

/// An error and its causes in one sentence, as the UI shows it.
pub fn describe(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_a_ceiling_and_resets() {
        let mut backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(5));
        let delays: Vec<u64> = (0..5).map(|_| backoff.next_delay().as_secs()).collect();
        assert_eq!(delays, vec![1, 2, 4, 5, 5]);
        backoff.reset();
        assert_eq!(backoff.next_delay().as_secs(), 1);
    }
}
