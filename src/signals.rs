//! The signals that end the cockpit, turned into an event so that it ends
//! through its own clean-up (the terminal restored, the demo's folder removed).

use crate::app::Event;
use tokio::sync::mpsc;

/// SIGTERM, SIGINT and SIGHUP, taken from their default (ending the process at once).
pub struct StopSignals {
    terminate: tokio::signal::unix::Signal,
    interrupt: tokio::signal::unix::Signal,
    hangup: tokio::signal::unix::Signal,
}

impl StopSignals {
    pub fn install() -> Option<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
            signal(SignalKind::hangup()),
        ) {
            (Ok(terminate), Ok(interrupt), Ok(hangup)) => Some(Self {
                terminate,
                interrupt,
                hangup,
            }),
            _ => {
                tracing::error!("cannot install signal handlers");
                None
            }
        }
    }
}

/// Ends the cockpit (`Event::Terminate`) on the first of them.
pub async fn forward(
    stop: Option<StopSignals>,
    tx: mpsc::UnboundedSender<Event>,
    handed_over: std::sync::Arc<std::sync::atomic::AtomicBool>,
) {
    let Some(mut stop) = stop else {
        return;
    };
    loop {
        tokio::select! {
            _ = stop.terminate.recv() => break,
            // While a shell has the terminal, ctrl-c there is the shell's.
            _ = stop.interrupt.recv() => {
                if !handed_over.load(std::sync::atomic::Ordering::SeqCst) {
                    break;
                }
            }
            _ = stop.hangup.recv() => break,
        }
    }
    let _ = tx.send(Event::Terminate);
}
