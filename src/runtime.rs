//! The event loop: owns the model, feeds it events from every source, runs
//! the commands it returns, and draws when something changed: at once for
//! what the user did, at most ~30 frames a second for what the world did.

use crate::app::core::keymap::Keymap;
use crate::app::core::model::{Level, Model};
use crate::app::core::update::step;
use crate::app::{Command, Event};
use crate::cli::Cli;
use crate::config::{Config, LearnAtStart};
use crate::crash_switch::CrashSwitch;
use crate::effects::Effects;
use crate::sources::docker::DockerSource;
use crate::sources::docker_endpoint::DockerEnv;
use crate::theme::{Theme, Themes};
use color_eyre::eyre::{Result, WrapErr, eyre};
use ratatui::DefaultTerminal;
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::{mpsc, watch};

/// The least time between two frames that show what the world changed (rows,
/// log lines, progress): about 30 a second is smooth for text, and a followed
/// selector's log changes the screen in every frame, so this cap is what its
/// drawing costs. What the user does is drawn at once, whenever the last frame was.
const WORLD_FRAME: Duration = Duration::from_millis(33);
/// Events handled before a frame is considered, so a burst cannot starve drawing.
const MAX_EVENTS_PER_FRAME: usize = 1024;

/// Whether a batch of events changed the screen, and how soon to show it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
enum Redraw {
    #[default]
    No,
    /// The world changed (rows, log lines, progress): in the next frame's turn.
    WhenDue,
    /// The user did something (a key, the mouse, a resize): the frame shows it
    /// at once, as the answer to it, not up to a frame's time later.
    Now,
}

/// The command-line flags win over the config file.
pub fn with_flags(mut config: Config, cli: &Cli) -> Config {
    config.theme.override_with(cli.theme.clone());
    config.refresh.override_with(cli.refresh);
    config.mouse.override_with(cli.no_mouse.then_some(false));
    config
        .learn
        .override_with(cli.learn.map(|on_off| match on_off {
            crate::cli::OnOff::On => LearnAtStart::On,
            crate::cli::OnOff::Off => LearnAtStart::Off,
        }));
    config
}

/// What the configuration makes of the look and the keys: the themes, the
/// keymap, and the warnings to show at start. Bad keys are an error; a bad
/// theme falls back to the default with a warning.
pub struct Prepared {
    pub themes: Themes,
    pub keymap: Keymap,
    pub warnings: Vec<String>,
}

pub fn prepare(config: &Config) -> Result<Prepared> {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let user_themes = crate::config::config_dir().map(|dir| dir.join("themes"));
    let (list, mut warnings) = Theme::catalogue(no_color, user_themes.as_deref());
    let current = match Theme::load(&config.theme.value, no_color, user_themes.as_deref()) {
        Ok(theme) => theme,
        Err(err) => {
            warnings.push(format!("{err:#}; using the default theme"));
            Theme::parse(crate::theme::DEFAULT_THEME, no_color)?
        }
    };
    let (keymap, conflicts) =
        Keymap::default_map()
            .with_overrides(&config.keys)
            .map_err(|err| {
                let file = config
                    .path
                    .as_ref()
                    .map_or(String::new(), |p| format!("config file {}: ", p.display()));
                eyre!("{file}{err}")
            })?;
    warnings.extend(conflicts.into_iter().map(|c| format!("key conflict: {c}")));
    Ok(Prepared {
        themes: Themes::new(list, current),
        keymap,
        warnings,
    })
}

/// `pilothouse config`: the settings in effect, with the themes and key conflicts they lead to.
pub fn describe_config(config: &Config, prepared: &Prepared) -> String {
    let mut text = config.render(&prepared.themes.names());
    for warning in &prepared.warnings {
        text.push_str(&format!("# {warning}\n"));
    }
    text
}

pub async fn run(cli: Cli, config: Config, prepared: Prepared) -> Result<()> {
    // Signals are taken before the demo makes anything that must be cleaned up:
    // a hangup while it starts is an event the loop ends on, not the default
    // death that would leave the simulated cluster's folder behind.
    let (tx, rx) = mpsc::unbounded_channel();
    let handed_over = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    tokio::spawn(crate::signals::forward(
        crate::signals::StopSignals::install(),
        tx.clone(),
        handed_over.clone(),
    ));
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
    model.shared.demo = demo.is_some();
    model.view.themes = prepared.themes;
    model.view.keymap = prepared.keymap;
    model.view.mouse = config.mouse.value;
    model.shared.learn_mode = config.learn_on(model.shared.demo);
    if cli.tour {
        crate::app::core::bookkeeping::start_tour(&mut model);
    }
    if !prepared.warnings.is_empty() {
        model.set_status(Level::Warn, prepared.warnings.join(" · "));
    } else if cli.tour {
        // The tour's own first sentence stays.
    } else if let Some(sim) = &demo {
        model.set_status(
            Level::Info,
            format!("Demo: a simulated cluster, nothing real is touched. Press b to build the sample app in {}.", sim.sample_app.display()),
        );
    }

    let (client_tx, client_rx) = watch::channel(None);
    let (switch_tx, switch_rx) = watch::channel(None);
    tokio::spawn(
        DockerSource {
            env: docker_env,
            refresh: config.refresh.value,
            events: tx.clone(),
            client: client_tx,
        }
        .run_switchable(switch_rx),
    );
    let kubeconfig = match &demo {
        Some(sim) => Some(sim.kubeconfig_path.clone()),
        None => cli.kubeconfig.clone(),
    };
    let kubeconfig_for_clis = kubeconfig.clone();
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
    let input = crate::terminal::Input::spawn(tx.clone(), handed_over);
    tokio::spawn(ticks(tx.clone()));
    // In the demo gcloud talks to the simulated Cloud Run through a throwaway configuration.
    let gcloud_env = match &demo {
        Some(sim) => sim.gcloud_env(),
        None => Vec::new(),
    };
    let mut effects = Effects::new(tx, client_rx, cwd)
        .with_kube(kube_client_rx)
        .with_docker_switch(switch_tx)
        .with_kube_switch(kube_switch_tx);
    effects.set_gcloud_env(gcloud_env);
    // What `docker exec` and `kubectl exec` need to reach what the cockpit shows.
    if let Some(sim) = &demo {
        effects.exec.docker_env = vec![("DOCKER_HOST".into(), sim.docker.host())];
    }
    if let Some(path) = &kubeconfig_for_clis {
        effects.exec.kube_env = vec![("KUBECONFIG".into(), path.display().to_string())];
    }
    model.exec.shell = config.shell.value.clone();
    if cli.watch {
        crate::app::dev::actions::toggle_watch(&mut model.dev, &mut model.shared)
            .into_iter()
            .for_each(|c| effects.perform(c));
    }

    let mut terminal = ratatui::init();
    if model.view.mouse {
        crate::terminal::enable_mouse();
    }
    if let Ok(size) = terminal.size() {
        model.view.size = (size.width, size.height);
    }
    let result = event_loop(
        &mut terminal,
        model,
        rx,
        effects,
        CrashSwitch::from_env(),
        &input,
    )
    .await;
    if config.mouse.value {
        crate::terminal::disable_mouse();
    }
    // A terminal that has gone (its window closed: SIGHUP) cannot be restored,
    // and must not stop the clean-up: `restore` would print the failure to the
    // gone terminal, and a failed print panics and aborts before the simulated
    // cluster's folder is removed.
    if let Err(err) = ratatui::try_restore() {
        tracing::warn!(%err, "the terminal could not be restored");
    }
    drop(demo);
    result
}

async fn event_loop(
    terminal: &mut DefaultTerminal,
    mut model: Model,
    mut rx: mpsc::UnboundedReceiver<Event>,
    mut effects: Effects,
    mut crash: CrashSwitch,
    input: &crate::terminal::Input,
) -> Result<()> {
    let mut last_draw: Option<Instant> = None;
    let mut shells = Vec::new();
    // When the last shell exited, until the frame that follows it is drawn.
    let mut shell_exited: Option<Instant> = None;
    // The first frame is due at once; after it, only when an event changed the screen.
    let mut redraw = Redraw::Now;
    loop {
        if model.view.quit {
            return Ok(());
        }
        for (target, shell) in shells.drain(..) {
            shell_exited =
                Some(run_shell(terminal, &mut model, &mut effects, input, target, shell).await);
            redraw = Redraw::Now;
            last_draw = None;
        }
        if redraw != Redraw::No {
            let wait = last_draw
                .filter(|_| redraw == Redraw::WhenDue)
                .map(|t| (t + WORLD_FRAME).saturating_duration_since(Instant::now()))
                .unwrap_or_default();
            if wait.is_zero() {
                terminal
                    .draw(|frame| {
                        crash.before_render();
                        crate::ui::render(frame, &model, model.theme())
                    })
                    .wrap_err("drawing the screen failed")?;
                redraw = Redraw::No;
                last_draw = Some(Instant::now());
                if let Some(exited) = shell_exited.take() {
                    // benches/shell_return.py reads this line.
                    tracing::info!(
                        micros = exited.elapsed().as_micros() as u64,
                        "first frame after the shell"
                    );
                }
                continue;
            }
            // The world changed but a frame was drawn moments ago: wait until the next
            // is due, or the user does something, and take what arrived meanwhile as
            // one batch. Waking for each event instead (a followed selector's pods
            // send hundreds a second) drew no sooner and cost CPU.
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = input.arrived() => {}
            }
        }
        let first = if redraw == Redraw::No {
            match rx.recv().await {
                Some(event) => event,
                None => return Ok(()),
            }
        } else {
            match rx.try_recv() {
                Ok(event) => event,
                Err(_) => continue,
            }
        };
        let batch = handle(
            &mut model,
            &mut effects,
            &mut crash,
            first,
            &mut rx,
            &mut shells,
        );
        redraw = redraw.max(batch);
    }
}

/// The terminal goes to the shell; when it exits the model hears how it ended
/// and the next frame is drawn in full.
async fn run_shell(
    terminal: &mut DefaultTerminal,
    model: &mut Model,
    effects: &mut Effects,
    input: &crate::terminal::Input,
    target: crate::domain::exec::ExecTarget,
    shell: String,
) -> Instant {
    let args = target.args(true, std::slice::from_ref(&shell));
    let line = target.command_line(true, std::slice::from_ref(&shell));
    let foreground = crate::terminal::Foreground {
        program: target.program().to_string(),
        args,
        env: effects.exec.env_for(&target),
        banner: format!("pilothouse: $ {line}\r\n(exit the shell to come back to the cockpit)\r"),
    };
    let (result, exited) =
        crate::terminal::hand_over(terminal, input, model.view.mouse, foreground).await;
    tracing::debug!(?result, "back from the shell");
    if let Ok(size) = terminal.size() {
        model.view.size = (size.width, size.height);
    }
    for command in step(model, Event::ShellEnded { target, result }).commands {
        effects.perform(command);
    }
    exited
}

/// Handle this event and the ones already waiting (a bounded batch); whether
/// any of them changed the screen, and how soon to show it.
fn handle(
    model: &mut Model,
    effects: &mut Effects,
    crash: &mut CrashSwitch,
    first: Event,
    rx: &mut mpsc::UnboundedReceiver<Event>,
    shells: &mut Vec<(crate::domain::exec::ExecTarget, String)>,
) -> Redraw {
    let mut redraw = Redraw::No;
    let mut next = Some(first);
    let mut handled = 0;
    while let Some(event) = next.take() {
        if !matches!(event, Event::Tick(_)) {
            tracing::trace!(event = event_kind(&event), "event");
        }
        let by_user = matches!(event, Event::Key(_) | Event::Mouse(_) | Event::Resize(..));
        if crash.take(&event) {
            redraw = Redraw::Now;
        } else {
            let step = step(model, event);
            let shown = match (step.visible, by_user) {
                (false, _) => Redraw::No,
                (true, false) => Redraw::WhenDue,
                (true, true) => Redraw::Now,
            };
            redraw = redraw.max(shown);
            for command in step.commands {
                match command {
                    // The terminal is the loop's: it hands it over once this batch is done.
                    Command::Shell { target, shell } => shells.push((target, shell)),
                    command => effects.perform(command),
                }
            }
        }
        handled += 1;
        if model.view.quit || handled >= MAX_EVENTS_PER_FRAME || !shells.is_empty() {
            break;
        }
        next = rx.try_recv().ok();
    }
    redraw
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
        Event::Resize(..) => "resize",
        Event::Mouse(_) => "mouse",
        Event::Exported(_) => "exported",
        Event::LogsSaved(_) => "logs saved",
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
        Event::Explained { .. } => "explained",
        Event::ShellFound { .. } => "shell found",
        Event::ShellEnded { .. } => "shell ended",
        Event::Forward(_) => "forward",
        Event::Minikube(_) => "minikube",
        Event::Cloud(_) => "cloud",
        Event::Dev(_) => "dev",
        Event::PathCompleted { .. } => "path completed",
        Event::ManifestChecked { .. } => "manifest checked",
        Event::ApplyConflict { .. } => "apply conflict",
    }
}

#[cfg(test)]
#[path = "runtime_tests.rs"]
mod tests;
