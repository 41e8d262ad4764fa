//! The event loop: owns the model, feeds it events from every source, runs
//! the commands it returns, and draws when something changed (at most ~60
//! frames a second).

use crate::app::model::{Level, Model};
use crate::app::{Event, update};
use crate::cli::Cli;
use crate::effects::Effects;
use crate::sources::docker::DockerSource;
use crate::sources::docker_endpoint::DockerEnv;
use crate::theme::Theme;
use color_eyre::eyre::{Result, WrapErr};
use crossterm::event::{Event as TermEvent, EventStream};
use futures::StreamExt;
use ratatui::DefaultTerminal;
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::{mpsc, watch};

const FRAME: Duration = Duration::from_millis(16);
/// Events handled before a frame is considered, so a burst cannot starve drawing.
const MAX_EVENTS_PER_FRAME: usize = 1024;

pub async fn run(cli: Cli) -> Result<()> {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let (theme, theme_problem) = match Theme::load(&cli.theme, no_color) {
        Ok(theme) => (theme, None),
        Err(err) => (
            Theme::parse(crate::theme::DEFAULT_THEME, no_color)?,
            Some(format!("{err:#}; using the default theme")),
        ),
    };
    // The demo's simulated cluster lives as long as the cockpit; dropping it cleans up.
    let demo = if cli.demo {
        Some(
            crate::sim::Sim::start(&crate::cli::SimArgs {
                pods: cli.pods,
                ..Default::default()
            })
            .await?,
        )
    } else {
        None
    };
    let cwd = match &demo {
        Some(sim) => sim.sample_app.clone(),
        None => std::env::current_dir().wrap_err("cannot read the current directory")?,
    };
    let docker_env = match &demo {
        Some(sim) => DockerEnv {
            docker_host: Some(sim.docker.host()),
            ..Default::default()
        },
        None => DockerEnv::from_process(),
    };
    let mut model = Model::new(cwd.clone(), cli.readonly, SystemTime::now());
    model.demo = demo.is_some();
    if let Some(problem) = theme_problem {
        model.set_status(Level::Warn, problem);
    } else if let Some(sim) = &demo {
        model.set_status(
            Level::Info,
            format!("Demo: a simulated cluster, nothing real is touched. Press b to build the sample app in {}.", sim.sample_app.display()),
        );
    }

    let (tx, rx) = mpsc::unbounded_channel();
    let (client_tx, client_rx) = watch::channel(None);
    let (switch_tx, switch_rx) = watch::channel(None);
    tokio::spawn(
        DockerSource {
            env: docker_env,
            refresh: cli.refresh,
            events: tx.clone(),
            client: client_tx,
        }
        .run_switchable(switch_rx),
    );
    let kubeconfig = match &demo {
        Some(sim) => Some(sim.kubeconfig_path.clone()),
        None => cli.kubeconfig.clone(),
    };
    let (kube_client_tx, kube_client_rx) = watch::channel(None);
    let target = crate::domain::kube::KubeTarget {
        context: cli.context.clone(),
        namespace: cli.namespace.clone(),
    };
    model.kube.target = target.clone();
    let (kube_switch_tx, kube_switch_rx) = watch::channel(target);
    tokio::spawn(
        crate::sources::kube::KubeSource {
            kubeconfig,
            context: cli.context.clone(),
            events: tx.clone(),
            client: kube_client_tx,
        }
        .run_switchable(kube_switch_rx),
    );
    tokio::spawn(terminal_input(tx.clone()));
    tokio::spawn(signals(tx.clone()));
    tokio::spawn(ticks(tx.clone()));
    // In the demo gcloud talks to the simulated Cloud Run through a throwaway configuration.
    let gcloud_env = match &demo {
        Some(sim) => vec![
            (
                "CLOUDSDK_CONFIG".to_string(),
                sim.gcloud_config.display().to_string(),
            ),
            (
                "CLOUDSDK_AUTH_ACCESS_TOKEN".to_string(),
                crate::sim::GCLOUD_TOKEN.to_string(),
            ),
            ("CLOUDSDK_CORE_DISABLE_PROMPTS".to_string(), "1".to_string()),
        ],
        None => Vec::new(),
    };
    let mut effects = Effects::new(tx, client_rx, cwd)
        .with_kube(kube_client_rx)
        .with_docker_switch(switch_tx)
        .with_kube_switch(kube_switch_tx);
    effects.set_gcloud_env(gcloud_env);

    let mut terminal = ratatui::init();
    let result = event_loop(&mut terminal, model, &theme, rx, effects).await;
    ratatui::restore();
    drop(demo);
    result
}

async fn event_loop(
    terminal: &mut DefaultTerminal,
    mut model: Model,
    theme: &Theme,
    mut rx: mpsc::UnboundedReceiver<Event>,
    mut effects: Effects,
) -> Result<()> {
    let mut last_draw: Option<Instant> = None;
    loop {
        if model.quit {
            return Ok(());
        }
        if model.dirty {
            let wait = last_draw
                .map(|t| (t + FRAME).saturating_duration_since(Instant::now()))
                .unwrap_or_default();
            if wait.is_zero() {
                terminal
                    .draw(|frame| crate::ui::render(frame, &model, theme))
                    .wrap_err("drawing the screen failed")?;
                model.dirty = false;
                last_draw = Some(Instant::now());
                continue;
            }
            // Something changed but a frame was drawn moments ago: take more events until it is time.
            tokio::select! {
                event = rx.recv() => match event {
                    Some(event) => handle(&mut model, &mut effects, event, &mut rx),
                    None => return Ok(()),
                },
                _ = tokio::time::sleep(wait) => {}
            }
            continue;
        }
        match rx.recv().await {
            Some(event) => handle(&mut model, &mut effects, event, &mut rx),
            None => return Ok(()),
        }
    }
}

fn handle(
    model: &mut Model,
    effects: &mut Effects,
    first: Event,
    rx: &mut mpsc::UnboundedReceiver<Event>,
) {
    // `update` says whether *its* event changed the screen; a redraw already pending must not be lost.
    let mut dirty = model.dirty;
    let mut next = Some(first);
    let mut handled = 0;
    while let Some(event) = next.take() {
        if !matches!(event, Event::Tick(_)) {
            tracing::trace!(event = event_kind(&event), "event");
        }
        for command in update(model, event) {
            effects.perform(command);
        }
        dirty |= model.dirty;
        handled += 1;
        if model.quit || handled >= MAX_EVENTS_PER_FRAME {
            break;
        }
        next = rx.try_recv().ok();
    }
    model.dirty = dirty;
}

async fn terminal_input(tx: mpsc::UnboundedSender<Event>) {
    let mut events = EventStream::new();
    while let Some(event) = events.next().await {
        tracing::trace!(ok = event.is_ok(), "terminal input");
        let event = match event {
            Ok(TermEvent::Key(key)) => Event::Key(key),
            Ok(TermEvent::Resize(_, _)) => Event::Resize,
            Ok(_) => continue,
            Err(err) => {
                tracing::error!(%err, "terminal input failed");
                Event::Terminate
            }
        };
        if tx.send(event).is_err() {
            return;
        }
    }
    tracing::warn!("terminal input ended");
}

async fn signals(tx: mpsc::UnboundedSender<Event>) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int), Ok(mut hup)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
        signal(SignalKind::hangup()),
    ) else {
        tracing::error!("cannot install signal handlers");
        return;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
        _ = hup.recv() => {}
    }
    let _ = tx.send(Event::Terminate);
}

async fn ticks(tx: mpsc::UnboundedSender<Event>) {
    let mut interval = tokio::time::interval(Duration::from_secs(1));
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        interval.tick().await;
        if tx.send(Event::Tick(SystemTime::now())).is_err() {
            return;
        }
    }
}

/// A name for an event in the log; never its contents (keys typed into a form may be secrets).
fn event_kind(event: &Event) -> &'static str {
    match event {
        Event::Key(_) => "key",
        Event::Resize => "resize",
        Event::Tick(_) => "tick",
        Event::Terminate => "terminate",
        Event::Docker(_) => "docker",
        Event::Kube(_) => "kube",
        Event::LogLines { .. } => "log lines",
        Event::LogsEnded { .. } => "logs ended",
        Event::Job { .. } => "job",
        Event::BuildContextChecked(_) => "build context checked",
        Event::Scaffolded(_) => "scaffolded",
        Event::EffectFailed(_) => "effect failed",
        Event::YamlLoaded { .. } => "yaml loaded",
        Event::Minikube(_) => "minikube",
        Event::Cloud(_) => "cloud",
        Event::PathCompleted { .. } => "path completed",
        Event::ManifestChecked { .. } => "manifest checked",
        Event::ApplyConflict { .. } => "apply conflict",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::model::Model;

    #[tokio::test]
    async fn a_pending_redraw_survives_events_that_change_nothing() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let (_client_tx, client_rx) = watch::channel(None);
        let mut effects = Effects::new(tx.clone(), client_rx, ".".into());
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let mut model = Model::new(".".into(), false, now);
        // A key changed the model, but the frame budget delayed the draw…
        model.dirty = true;
        // …then only events that change nothing arrive: the draw must still happen.
        let _ = tx.send(Event::Tick(now + Duration::from_secs(1)));
        handle(&mut model, &mut effects, Event::Tick(now), &mut rx);
        assert!(model.dirty);
        model.dirty = false;
        handle(
            &mut model,
            &mut effects,
            Event::Tick(now + Duration::from_secs(2)),
            &mut rx,
        );
        assert!(!model.dirty, "and an idle tick alone draws nothing");
    }
}
