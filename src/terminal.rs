//! The terminal's side of the event loop: its input as events, paused while
//! a shell inside a container or pod has the terminal, and the handover
//! itself (leave the alternate screen and raw mode, run `docker exec -it` or
//! `kubectl exec -it` in the foreground, come back as before).

use crate::app::Event;
use crossterm::event::{Event as TermEvent, EventStream};
use futures::StreamExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::{Notify, mpsc, oneshot};

enum Control {
    /// Stop reading the terminal; say so when stopped.
    Pause(oneshot::Sender<()>),
    Resume,
}

/// The terminal input task, and the switch that pauses it.
pub struct Input {
    control: mpsc::UnboundedSender<Control>,
    /// Set while a shell has the terminal: a ctrl-c there is the shell's, not a
    /// signal to end the cockpit (the signal task reads the same flag).
    handed_over: Arc<AtomicBool>,
    /// Rung after each input event is sent, so a loop waiting for its next
    /// frame's turn can answer the user at once.
    arrived: Arc<Notify>,
}

impl Input {
    pub fn spawn(tx: mpsc::UnboundedSender<Event>, handed_over: Arc<AtomicBool>) -> Self {
        let (control, rx) = mpsc::unbounded_channel();
        let arrived = Arc::new(Notify::new());
        tokio::spawn(read(tx, rx, arrived.clone()));
        Self {
            control,
            handed_over,
            arrived,
        }
    }

    /// Resolves once input has arrived since the last call (at once if it already has).
    pub async fn arrived(&self) {
        self.arrived.notified().await
    }

    async fn pause(&self) {
        let (ack, stopped) = oneshot::channel();
        if self.control.send(Control::Pause(ack)).is_ok() {
            let _ = stopped.await;
        }
    }

    fn resume(&self) {
        let _ = self.control.send(Control::Resume);
    }
}

async fn read(
    tx: mpsc::UnboundedSender<Event>,
    mut control: mpsc::UnboundedReceiver<Control>,
    arrived: Arc<Notify>,
) {
    loop {
        let mut events = EventStream::new();
        loop {
            tokio::select! {
                event = events.next() => {
                    let Some(event) = event else {
                        tracing::warn!("terminal input ended");
                        return;
                    };
                    tracing::trace!(ok = event.is_ok(), "terminal input");
                    let event = match event {
                        Ok(TermEvent::Key(key)) => Event::Key(key),
                        Ok(TermEvent::Resize(width, height)) => Event::Resize(width, height),
                        Ok(TermEvent::Mouse(mouse)) => Event::Mouse(mouse),
                        Ok(_) => continue,
                        Err(err) => {
                            tracing::error!(%err, "terminal input failed");
                            Event::Terminate
                        }
                    };
                    if tx.send(event).is_err() {
                        return;
                    }
                    arrived.notify_one();
                }
                order = control.recv() => match order {
                    Some(Control::Pause(ack)) => {
                        // Dropping the stream stops crossterm's reader, so the shell alone reads the terminal.
                        drop(events);
                        let _ = ack.send(());
                        loop {
                            match control.recv().await {
                                Some(Control::Resume) => break,
                                Some(Control::Pause(ack)) => {
                                    let _ = ack.send(());
                                }
                                None => return,
                            }
                        }
                        break;
                    }
                    Some(Control::Resume) => {}
                    None => return,
                },
            }
        }
    }
}

/// A program to run in the foreground with the terminal: the CLI, its arguments, extra variables.
pub struct Foreground {
    pub program: String,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    /// Printed before it starts, so the plain screen says what runs.
    pub banner: String,
}

/// Hands the terminal to `foreground` until it exits, then takes it back:
/// raw mode, the alternate screen and mouse capture as they were, and a full
/// redraw. The exit code (or why it could not run), and when it exited.
pub async fn hand_over(
    terminal: &mut ratatui::DefaultTerminal,
    input: &Input,
    mouse: bool,
    foreground: Foreground,
) -> (Result<i32, String>, std::time::Instant) {
    input.pause().await;
    input.handed_over.store(true, Ordering::SeqCst);
    if mouse {
        disable_mouse();
    }
    if let Err(err) = ratatui::try_restore() {
        tracing::warn!(%err, "the terminal could not be handed over cleanly");
    }
    // A clean screen with the command line on top, as a terminal shows a command typed.
    let _ = crossterm::execute!(
        std::io::stdout(),
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All),
        crossterm::cursor::MoveTo(0, 0)
    );
    println!("{}", foreground.banner);
    let status = tokio::process::Command::new(&foreground.program)
        .args(&foreground.args)
        .envs(foreground.env.iter().map(|(k, v)| (k, v)))
        .status()
        .await;
    let exited = std::time::Instant::now();
    let back = take_back(terminal, mouse);
    input.handed_over.store(false, Ordering::SeqCst);
    input.resume();
    (back.and(ended(status, &foreground.program)), exited)
}

fn ended(status: std::io::Result<std::process::ExitStatus>, program: &str) -> Result<i32, String> {
    match status {
        Ok(status) => Ok(status.code().unwrap_or(128 + signal_of(&status))),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Err(format!(
            "{program} is not installed: pilothouse runs `{program} exec -it` for a shell, so install it or put it on PATH"
        )),
        Err(err) => Err(format!("{program} could not start: {err}")),
    }
}

fn take_back(terminal: &mut ratatui::DefaultTerminal, mouse: bool) -> Result<(), String> {
    crossterm::terminal::enable_raw_mode()
        .map_err(|e| format!("raw mode could not be set again: {e}"))?;
    crossterm::execute!(
        std::io::stdout(),
        crossterm::terminal::EnterAlternateScreen,
        crossterm::cursor::Hide
    )
    .map_err(|e| format!("the screen could not be taken back: {e}"))?;
    if mouse {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture);
    }
    // `resize` clears and forgets the last frame without asking the terminal
    // where its cursor is (`clear` does, and not every terminal answers).
    let size = terminal
        .size()
        .map_err(|e| format!("the terminal's size could not be read: {e}"))?;
    terminal
        .resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
        .map_err(|e| format!("the screen could not be cleared: {e}"))
}

fn signal_of(status: &std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status.signal().unwrap_or(0)
}

/// Mouse capture on, and off again however the program ends (a panic included).
pub fn enable_mouse() {
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        disable_mouse();
        previous(info);
    }));
}

pub fn disable_mouse() {
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
}
