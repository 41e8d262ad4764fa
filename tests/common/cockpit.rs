//! The cockpit without a terminal: the model fed by the real Docker and
//! Kubernetes sources, keys through `update`, commands run by the real effects,
//! wired as runtime.rs wires them.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use pilothouse::app::core::model::{Model, Overlay};
use pilothouse::app::{Command, Event, update};
use pilothouse::effects::Effects;
use pilothouse::sources::docker::DockerSource;
use pilothouse::sources::docker_endpoint::DockerEnv;
use pilothouse::sources::kube::KubeSource;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};
use tokio::sync::{mpsc, watch};

pub struct Cockpit {
    pub model: Model,
    pub effects: Effects,
    pub rx: mpsc::UnboundedReceiver<Event>,
    /// URLs the cockpit asked to open (a test has no browser).
    pub opened: Vec<String>,
    pub sources: Vec<tokio::task::JoinHandle<()>>,
    /// Values no frame may show: when set, every event's frame is drawn and searched.
    pub forbidden: Vec<String>,
    pub frames_scanned: usize,
    /// (the value, the frame that showed it).
    pub leaks: Vec<(String, String)>,
    /// The name of every command handed to the effects, in order.
    pub performed: Vec<&'static str>,
}

impl Drop for Cockpit {
    fn drop(&mut self) {
        self.sources.iter().for_each(tokio::task::JoinHandle::abort);
    }
}

impl Cockpit {
    /// A cockpit on this Docker host and kubeconfig, working in `cwd`.
    pub fn start(docker_host: String, kubeconfig: &Path, cwd: PathBuf) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let (docker_tx, docker_rx) = watch::channel(None);
        let (kube_tx, kube_rx) = watch::channel(None);
        let (switch_tx, switch_rx) = watch::channel(None);
        let (kube_switch_tx, kube_switch_rx) = watch::channel(Default::default());
        let docker_env = DockerEnv {
            docker_host: Some(docker_host),
            ..Default::default()
        };
        let sources = vec![
            tokio::spawn(
                DockerSource {
                    env: docker_env,
                    refresh: Duration::from_secs(2),
                    events: tx.clone(),
                    client: docker_tx,
                }
                .run_switchable(switch_rx),
            ),
            tokio::spawn(
                KubeSource {
                    kubeconfig: Some(kubeconfig.to_path_buf()),
                    context: None,
                    events: tx.clone(),
                    client: kube_tx,
                }
                .run_switchable(kube_switch_rx),
            ),
        ];
        let effects = Effects::new(tx, docker_rx, cwd.clone())
            .with_kube(kube_rx)
            .with_docker_switch(switch_tx)
            .with_kube_switch(kube_switch_tx);
        Self {
            model: Model::new(cwd, false, SystemTime::now()),
            effects,
            rx,
            opened: Vec::new(),
            sources,
            forbidden: Vec::new(),
            frames_scanned: 0,
            leaks: Vec::new(),
            performed: Vec::new(),
        }
    }

    pub fn run(&mut self, commands: Vec<Command>) {
        for command in commands {
            self.performed.push(command.name());
            if command.mutates() {
                self.performed.push("MUTATES");
            }
            match command {
                Command::OpenUrl(url) => self.opened.push(url),
                other => self.effects.perform(other),
            }
        }
    }

    /// A cockpit on the sim's engine and cluster, working in its sample app.
    pub fn on(sim: &pilothouse::sim::Sim) -> Self {
        Self::start(
            sim.docker.host(),
            &sim.kubeconfig_path,
            sim.sample_app.clone(),
        )
    }

    /// gcloud pointed at the sim's Cloud Run through a throwaway configuration, as the demo does.
    pub fn use_sim_gcloud(&mut self, sim: &pilothouse::sim::Sim) {
        self.effects.set_gcloud_env(sim.gcloud_env());
    }

    /// Empty the focused form field and type `text` there.
    pub fn replace_field(&mut self, text: &str) {
        for _ in 0..60 {
            self.key(KeyCode::Backspace);
        }
        self.keys(text);
    }

    pub fn send(&mut self, event: Event) {
        let commands = update(&mut self.model, event);
        self.run(commands);
        if !self.forbidden.is_empty() {
            let frame = self.screen(160);
            self.frames_scanned += 1;
            for value in &self.forbidden {
                if frame.contains(value.as_str()) {
                    self.leaks.push((value.clone(), frame.clone()));
                }
            }
        }
    }

    pub fn key(&mut self, code: KeyCode) {
        self.send(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    pub fn ctrl(&mut self, c: char) {
        self.send(Event::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::CONTROL,
        )));
    }

    pub fn keys(&mut self, text: &str) {
        for c in text.chars() {
            self.key(if c == '\n' {
                KeyCode::Enter
            } else {
                KeyCode::Char(c)
            });
        }
    }

    /// `a`, then the apply form once it offers the sample app's manifest (an
    /// effect looks for it in the app's directory).
    pub async fn open_apply_form(&mut self) {
        self.keys("a");
        self.until("the apply form offering the sample app's manifest", |m| {
            matches!(&m.shared.overlay, Overlay::Form(f) if f.value(0) == "cookbook-deployment.yaml")
        })
        .await;
    }

    /// Every History entry's command line, oldest first.
    pub fn history_lines(&self) -> Vec<&str> {
        self.model
            .history
            .entries
            .iter()
            .map(|h| h.line.as_str())
            .collect()
    }

    /// `w`: the dev loop watches; back once the watch is in place (it reads `[dev]` then).
    pub async fn start_watching(&mut self) {
        self.keys("w");
        self.until_event(
            "the watch in place",
            |e| {
                matches!(
                    e,
                    Event::Dev(pilothouse::app::core::event::DevEvent::Settings(_))
                )
            },
            |_| true,
        )
        .await;
    }

    /// Feed what the sources and effects report until the model satisfies `done`.
    pub async fn until(&mut self, what: &str, done: impl Fn(&Model) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while !done(&self.model) {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(event)) => self.send(event),
                _ => panic!(
                    "{what} never happened; status: {:?}",
                    self.model.shared.status
                ),
            }
        }
    }

    /// Feed events until one that `kind` picks leaves the model as `then`
    /// wants it; how long that took.
    pub async fn until_event(
        &mut self,
        what: &str,
        kind: impl Fn(&Event) -> bool,
        then: impl Fn(&Model) -> bool,
    ) -> Duration {
        let started = std::time::Instant::now();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let event = match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(event)) => event,
                _ => panic!(
                    "{what} never happened; status: {:?}",
                    self.model.shared.status
                ),
            };
            let picked = kind(&event);
            self.send(event);
            if picked && then(&self.model) {
                return started.elapsed();
            }
        }
    }

    /// Feed events for `period`, checking `always` after each.
    pub async fn throughout(
        &mut self,
        period: Duration,
        what: &str,
        always: impl Fn(&Model) -> bool,
    ) {
        let end = tokio::time::Instant::now() + period;
        while let Ok(Some(event)) = tokio::time::timeout_at(end, self.rx.recv()).await {
            self.send(event);
            assert!(always(&self.model), "{what}");
        }
    }

    /// The screen as a user sees it on a terminal this wide, 40 rows high.
    pub fn screen(&self, width: u16) -> String {
        let backend = ratatui::backend::TestBackend::new(width, 40);
        let mut terminal = ratatui::Terminal::new(backend).expect("a test terminal");
        let theme = pilothouse::theme::Theme::parse(pilothouse::theme::DEFAULT_THEME, true)
            .expect("the default theme");
        terminal
            .draw(|frame| pilothouse::ui::render(frame, &self.model, &theme))
            .expect("draws");
        let buffer = terminal.backend().buffer();
        (0..buffer.area.height)
            .map(|y| {
                (0..buffer.area.width)
                    .map(|x| buffer[(x, y)].symbol().to_string())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}
