//! `--readonly`: every key of the keymap, in every pane, pressed against
//! the sim (with whatever form it opens submitted as it stands, and whatever
//! it asks confirmed), then every `:` command: no command that changes
//! anything reaches the effects, the API server and the engine receive no
//! write, nothing is pushed or deployed and no file appears in the app.

mod common;

use common::cockpit::Cockpit;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use pilothouse::app::Event;
use pilothouse::app::core::keymap::{Action, Context};
use pilothouse::app::core::model::Overlay;
use pilothouse::app::kube::state::KubeConnection;
use pilothouse::cli::SimArgs;
use pilothouse::domain::cloud::GcloudState;
use pilothouse::sim::Sim;
use std::time::Duration;

/// The pane key that shows each context's bindings (Global: from Containers).
fn pane_key(context: Context) -> char {
    match context {
        Context::Global | Context::Containers => '1',
        Context::Images => '2',
        Context::Jobs => '3',
        Context::Logs => '4',
        Context::Deployments => '5',
        Context::Pods => '6',
        Context::Services => '7',
        Context::Events => '8',
        Context::Cloud => '9',
        Context::History => '0',
        Context::Forwards => 'P',
    }
}

/// Take what the sources and effects report for a moment.
async fn settle(cockpit: &mut Cockpit) {
    let until = tokio::time::Instant::now() + Duration::from_millis(60);
    while let Ok(Some(event)) = tokio::time::timeout_at(until, cockpit.rx.recv()).await {
        cockpit.send(event);
    }
}

/// Go as far as the action goes: submit its form as it stands, say yes to its question.
async fn see_through(cockpit: &mut Cockpit) {
    for _ in 0..3 {
        settle(cockpit).await;
        match &cockpit.model.shared.overlay {
            Overlay::Form(_) => cockpit.key(KeyCode::Enter),
            Overlay::Confirm(_) => cockpit.key(KeyCode::Char('y')),
            _ => break,
        }
    }
    settle(cockpit).await;
    for _ in 0..3 {
        cockpit.key(KeyCode::Esc);
    }
}

fn list(dir: &std::path::Path) -> Vec<String> {
    let mut found: Vec<String> = walk(dir)
        .into_iter()
        .map(|p| p.display().to_string())
        .collect();
    found.sort();
    found
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        }
        found.push(path);
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readonly_walks_every_key_and_command_and_changes_nothing() {
    let sim = Sim::start(&SimArgs {
        pods: 3,
        containers: 1,
        ..SimArgs::default()
    })
    .await
    .expect("the sim starts");
    let app = sim.sample_app.clone();
    let files_before = list(&app);
    let mut cockpit = Cockpit::on(&sim);
    cockpit.model.shared.readonly = true;
    if common::gcloud_available("readonly_walks_every_key_and_command_and_changes_nothing") {
        cockpit.use_sim_gcloud(&sim);
    }
    cockpit
        .until("every pane has rows", |m| {
            matches!(m.kube.connection, KubeConnection::Connected(_))
                && !m.kube.deployments.is_empty()
                && !m.kube.pods.is_empty()
                && !m.kube.services.is_empty()
                && !m.docker.containers.is_empty()
                && !m.docker.images.is_empty()
        })
        .await;
    cockpit.keys("9");
    cockpit.send(Event::Tick(std::time::SystemTime::now()));
    cockpit
        .until("the Cloud Run pane's state", |m| {
            m.cloud.settings().is_some() && !matches!(m.cloud.gcloud, GcloudState::Unknown)
        })
        .await;

    let keymap_size = Context::ALL
        .iter()
        .map(|c| {
            cockpit
                .model
                .view
                .keymap
                .bindings(*c)
                .filter(|b| b.action != Action::Quit)
                .count()
        })
        .sum::<usize>();
    let mut pressed = 0;
    let mut refused = 0;
    for context in Context::ALL {
        let bindings: Vec<_> = cockpit
            .model
            .view
            .keymap
            .bindings(context)
            .filter(|b| b.action != Action::Quit)
            .cloned()
            .collect();
        for binding in bindings {
            cockpit.keys(&pane_key(context).to_string());
            let modifiers = if binding.key.ctrl {
                KeyModifiers::CONTROL
            } else {
                KeyModifiers::NONE
            };
            let before = cockpit.model.shared.status.clone();
            cockpit.send(Event::Key(KeyEvent::new(binding.key.code, modifiers)));
            see_through(&mut cockpit).await;
            pressed += 1;
            if cockpit.model.shared.status != before
                && cockpit
                    .model
                    .shared
                    .status
                    .as_ref()
                    .is_some_and(|s| s.text.starts_with("Read-only mode"))
            {
                refused += 1;
            }
        }
    }

    let export = tempfile::tempdir().expect("tempdir");
    let commands = [
        "ctx".to_string(),
        "ctx pilothouse-sim".into(),
        "ns".into(),
        "ns default".into(),
        "ns all".into(),
        "theme".into(),
        "theme light".into(),
        "history".into(),
        format!("export {}", export.path().join("h.sh").display()),
        format!("export! {}", export.path().join("h.sh").display()),
        "learn".into(),
        "tour".into(),
        "cloud".into(),
        "help".into(),
        "deploy".into(),
        "pods".into(),
        "svc".into(),
        "events".into(),
        "containers".into(),
        "images".into(),
        "jobs".into(),
        "logs".into(),
        "no-such-command".into(),
    ];
    for line in &commands {
        cockpit.keys(&format!(":{line}\n"));
        see_through(&mut cockpit).await;
    }

    let mutating: Vec<_> = cockpit
        .performed
        .windows(2)
        .filter(|w| w[1] == "MUTATES")
        .map(|w| w[0])
        .collect();
    eprintln!(
        "READONLY {pressed} keys ({refused} refused with the read-only sentence) and {} : commands; {} commands reached the effects: {:?}",
        commands.len(),
        cockpit.performed.len(),
        cockpit.performed
    );
    assert_eq!(pressed, keymap_size, "the whole keymap but quit");
    assert!(pressed > 50, "the keymap has its keys: {pressed}");
    assert!(
        refused >= 10,
        "the changing actions say read-only: {refused}"
    );
    assert_eq!(
        mutating,
        Vec::<&str>::new(),
        "no changing command reached the effects"
    );
    assert_eq!(
        sim.kube.shared.writes(),
        Vec::<String>::new(),
        "the API server received no write"
    );
    let engine = pilothouse::sim::docker::lock(&sim.docker.engine);
    assert_eq!(
        engine.writes,
        std::collections::VecDeque::<String>::new(),
        "the engine received no write"
    );
    assert!(engine.pushes.is_empty(), "nothing was pushed");
    drop(engine);
    assert_eq!(list(&app), files_before, "no file appeared in the app");
}
