//! Fixtures and helpers for the pane snapshots: a fixed clock, sample rows,
//! and a way to press keys through the real `update`.

use crate::app::core::event::{DockerEvent, Event, JobUpdate};
use crate::app::core::model::Model;
use crate::app::update;
use crate::domain::{
    Connection, ContainerRow, ContainerState, EndpointLabel, EngineInfo, ImageRow, PortMapping,
    Protocol, StatsSample,
};
use crate::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::{Duration, SystemTime};

mod kube;
mod sample_app;
mod trouble;
pub use kube::{with_cluster, without_cluster};
pub use sample_app::{sample_app, with_stray_pod};
pub use trouble::with_trouble;

pub const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];
pub const NOW_SECS: u64 = 1_800_000_000;

pub fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(NOW_SECS)
}

pub(crate) fn ago(secs: u64) -> i64 {
    (NOW_SECS - secs) as i64
}

pub fn empty_model() -> Model {
    let mut model = Model::new("/home/dev/cookbook".into(), false, now());
    update(
        &mut model,
        Event::Docker(DockerEvent::Endpoint(EndpointLabel {
            host: "unix:///var/run/docker.sock".into(),
            origin: "default socket".into(),
        })),
    );
    model
}

pub fn connected(mut model: Model) -> Model {
    let info = EngineInfo {
        version: "28.2.2".into(),
        api_version: "1.50".into(),
        os: "linux".into(),
        builder: crate::domain::Builder::BuildKit,
    };
    update(&mut model, Event::Docker(DockerEvent::Connected(info)));
    model
}

pub fn disconnected(mut model: Model) -> Model {
    update(
        &mut model,
        Event::Docker(DockerEvent::Disconnected {
            reason: "cannot reach unix:///var/run/docker.sock: connection refused".into(),
            retry_in: Duration::from_secs(4),
        }),
    );
    model
}

pub fn container(
    id: &str,
    name: &str,
    image: &str,
    state: ContainerState,
    port: Option<u16>,
    age: u64,
) -> ContainerRow {
    let status = match state {
        ContainerState::Running => "Up 5 minutes".to_string(),
        _ => "Exited (0) 2 hours ago".to_string(),
    };
    ContainerRow {
        id: format!("{id:0<64}"),
        image: image.into(),
        command: "python run.py".into(),
        created: ago(age),
        state,
        status,
        ports: port
            .map(|p| {
                vec![PortMapping {
                    host_ip: Some("127.0.0.1".into()),
                    host_port: Some(p),
                    container_port: 8000,
                    protocol: Protocol::Tcp,
                }]
            })
            .unwrap_or_default(),
        name: name.into(),
    }
}

pub fn image(id: &str, repo: &str, tag: &str, size: u64, age: u64) -> ImageRow {
    ImageRow {
        id: format!("sha256:{id:0<64}"),
        repository: repo.into(),
        tag: tag.into(),
        created: ago(age),
        size,
    }
}

pub fn populated() -> Model {
    let mut model = connected(empty_model());
    let containers = vec![
        container(
            "3f2a9c81b7d4",
            "cookbook-web",
            "cookbook:latest",
            ContainerState::Running,
            Some(8000),
            300,
        ),
        container(
            "8b1e07d2aa90",
            "cookbook-worker",
            "cookbook:latest",
            ContainerState::Running,
            None,
            7200,
        ),
        container(
            "c04dd2e51f33",
            "old-try",
            "cookbook:v0",
            ContainerState::Exited,
            None,
            90_000,
        ),
    ];
    let images = vec![
        image("5d1c2e3f4a5b", "cookbook", "latest", 72_500_000, 300),
        image("a1b2c3d4e5f6", "cookbook", "v0", 71_900_000, 90_000),
        image("0f9e8d7c6b5a", "busybox-www", "test", 1_982_256, 4000),
    ];
    update(
        &mut model,
        Event::Docker(DockerEvent::Containers(containers)),
    );
    update(&mut model, Event::Docker(DockerEvent::Images(images)));
    model
}

pub fn long_names() -> Model {
    let mut model = connected(empty_model());
    let long_image = "europe-west1-docker.pkg.dev/a-very-long-project-id/containers/cookbook-recipe-service:2026-11-27-build-1234";
    let containers = vec![container(
        "9a8b7c6d5e4f",
        "a-container-with-a-really-long-name-that-does-not-fit-anywhere",
        long_image,
        ContainerState::Running,
        Some(65000),
        60,
    )];
    let images = vec![image(
        "9a8b7c6d5e4f",
        "europe-west1-docker.pkg.dev/a-very-long-project-id/containers/cookbook-recipe-service",
        "2026-11-27-build-1234",
        1_234_567_890,
        60,
    )];
    update(
        &mut model,
        Event::Docker(DockerEvent::Containers(containers)),
    );
    update(&mut model, Event::Docker(DockerEvent::Images(images)));
    model
}

pub fn with_many_containers(n: usize) -> Model {
    let mut model = connected(empty_model());
    let rows = (0..n)
        .map(|i| {
            container(
                &format!("{i:012x}"),
                &format!("c-{i:04}"),
                "cookbook:latest",
                ContainerState::Running,
                None,
                60,
            )
        })
        .collect();
    update(&mut model, Event::Docker(DockerEvent::Containers(rows)));
    model
}

pub fn with_stats() -> Model {
    let mut model = populated();
    let id = model
        .selected_container()
        .map(|c| c.id.clone())
        .unwrap_or_default();
    for i in 0..40u64 {
        let sample = StatsSample {
            cpu_percent: (i % 10) as f64 * 3.5,
            memory_bytes: 20_000_000 + i * 250_000,
            memory_limit: 2_000_000_000,
        };
        update(
            &mut model,
            Event::Docker(DockerEvent::Stats {
                id: id.clone(),
                sample,
            }),
        );
    }
    model
}

pub fn with_jobs() -> Model {
    let mut model = populated();
    // A finished failed build first, then a running one.
    press_str(&mut model, "b");
    press(&mut model, KeyCode::Enter);
    let spec = crate::app::core::command::BuildSpec {
        context: ".".into(),
        dockerfile: "Dockerfile".into(),
        tag: "cookbook:latest".into(),
    };
    update(&mut model, Event::BuildContextChecked(Ok(spec.clone())));
    let first = model.shared.next_job - 1;
    job_output(
        &mut model,
        first,
        &[
            "Step 1/3 : FROM scratch",
            " ---> ",
            "Step 2/3 : COPY missing /x",
        ],
    );
    update(
        &mut model,
        Event::Job {
            id: first,
            update: JobUpdate::Step {
                current: 2,
                total: 3,
            },
        },
    );
    update(
        &mut model,
        Event::Job {
            id: first,
            update: JobUpdate::Finished(Err("COPY failed: file not found in build context or excluded by .dockerignore: stat missing: file does not exist".into())),
        },
    );
    press_str(&mut model, "b");
    press(&mut model, KeyCode::Enter);
    update(&mut model, Event::BuildContextChecked(Ok(spec)));
    let second = model.shared.next_job - 1;
    job_output(
        &mut model,
        second,
        &[
            "Step 1/5 : FROM scratch",
            " ---> ",
            "Step 2/5 : COPY busybox /bin/busybox",
            " ---> 1a2b3c4d5e6f",
        ],
    );
    update(
        &mut model,
        Event::Job {
            id: second,
            update: JobUpdate::Step {
                current: 2,
                total: 5,
            },
        },
    );
    update(&mut model, Event::Tick(now() + Duration::from_secs(7)));
    model
}

fn job_output(model: &mut Model, id: u64, lines: &[&str]) {
    let lines = lines.iter().map(|l| l.to_string()).collect();
    update(
        model,
        Event::Job {
            id,
            update: JobUpdate::Output(lines),
        },
    );
}

pub fn with_logs() -> Model {
    let mut model = populated();
    press_str(&mut model, "l");
    let id = model.docker.logs.container_id.clone().unwrap_or_default();
    let lines = (0..60)
        .map(|i| {
            format!(
                "127.0.0.1:{} - - [27/Nov/2026 10:{:02}:00] \"GET /{} HTTP/1.1\" 200 -",
                40000 + i,
                i,
                if i % 3 == 0 {
                    "index.html"
                } else {
                    "api/recipes"
                }
            )
        })
        .collect();
    update(&mut model, Event::LogLines { key: id, lines });
    model
}

pub fn ended_logs(model: &mut Model) {
    let id = model.docker.logs.container_id.clone().unwrap_or_default();
    update(
        model,
        Event::LogsEnded {
            key: id,
            reason: None,
        },
    );
}

pub fn on_pane(mut model: Model, key: char) -> Model {
    press(&mut model, KeyCode::Char(key));
    model
}

pub fn press(model: &mut Model, code: KeyCode) -> Vec<crate::app::Command> {
    update(model, Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

pub fn press_ctrl(model: &mut Model, c: char) -> Vec<crate::app::Command> {
    update(
        model,
        Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    )
}

/// Type a string: `\n` is enter, `\x1b` is esc, `\t` is tab.
/// `:TEXT` and enter, as typed on the command line.
pub fn run_command(model: &mut Model, text: &str) -> Vec<crate::app::Command> {
    press_str(model, ":");
    let commands = press_str(model, text);
    commands
        .into_iter()
        .chain(press(model, KeyCode::Enter))
        .collect()
}

pub fn press_str(model: &mut Model, keys: &str) -> Vec<crate::app::Command> {
    let mut commands = Vec::new();
    for c in keys.chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            '\x1b' => KeyCode::Esc,
            '\t' => KeyCode::Tab,
            c => KeyCode::Char(c),
        };
        commands.extend(press(model, code));
    }
    commands
}

pub fn screen_text(model: &Model, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("a test terminal");
    let theme = Theme::default_theme();
    terminal
        .draw(|frame| crate::ui::render(frame, model, &theme))
        .expect("drawing to a test terminal");
    format!("{}", terminal.backend())
}

/// Snapshot the whole screen; a macro so the snapshot lands beside the calling pane.
macro_rules! snap {
    ($name:expr, $model:expr, $width:expr, $height:expr) => {{
        let name: &str = &$name;
        insta::assert_snapshot!(
            name,
            $crate::ui::testing::screen_text($model, $width, $height)
        )
    }};
}
pub(crate) use snap;

/// The commands that start or change something (the stats stream a selection asks for left out).
pub fn job_commands(commands: &[crate::app::Command]) -> Vec<&crate::app::Command> {
    commands
        .iter()
        .filter(|c| !matches!(c, crate::app::Command::WatchStats(_)))
        .collect()
}

/// The status line's text ("" when there is none).
pub fn status_text(model: &Model) -> String {
    model
        .shared
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

pub fn connection_is_disconnected(model: &Model) -> bool {
    matches!(model.docker.connection, Connection::Disconnected { .. })
}
