//! How `update` applies what the Docker source and the log streams report:
//! the engine's connection, the containers and images (the selection stays
//! on its row), the selected container's stats, and the followed log lines.

use crate::app::core::command::Command;
use crate::app::core::event::DockerEvent;
use crate::app::core::forms::{FormKind, RUN_IMAGE, RUN_PORTS};
use crate::app::core::handled::Handled;
use crate::app::core::jobs::push_bounded;
use crate::app::core::overlay::Overlay;
use crate::app::core::shared::Shared;
use crate::app::core::table::TableRow;
use crate::app::docker::state::{DockerState, STATS_CAPACITY, StatsView};
use crate::domain::Connection;

pub fn on_docker(docker: &mut DockerState, shared: &mut Shared, event: DockerEvent) -> Handled {
    match event {
        DockerEvent::Endpoint(label) => docker.endpoint = label,
        DockerEvent::Connecting => docker.connection = Connection::Connecting,
        DockerEvent::Connected(info) => docker.connection = Connection::Connected(info),
        DockerEvent::Disconnected { reason, retry_in } => {
            docker.connection = Connection::Disconnected { reason, retry_in };
        }
        DockerEvent::Containers(rows) => {
            let selected = docker.selected_container().map(|c| c.id.clone());
            docker.containers = rows;
            let show_all = docker.show_all;
            docker.containers_table.rebuild_keeping(
                &docker.containers,
                |c| show_all || c.state.is_running(),
                selected.as_deref(),
            );
        }
        DockerEvent::Images(rows) => {
            let selected = docker.selected_image().map(TableRow::key);
            docker.images = rows;
            docker
                .images_table
                .rebuild_keeping(&docker.images, |_| true, selected.as_deref());
        }
        DockerEvent::Stats { id, sample } => {
            let stats = &mut docker.stats;
            if stats.container_id.as_deref() != Some(id.as_str()) {
                return Handled::unseen();
            }
            for (series, value) in [
                (
                    &mut stats.cpu,
                    (sample.cpu_percent * 100.0).round().max(0.0) as u64,
                ),
                (&mut stats.memory, sample.memory_bytes),
            ] {
                push_bounded(series, value, STATS_CAPACITY);
            }
            stats.last = Some(sample);
        }
        DockerEvent::ImageExposedPorts { reference, ports } => {
            return Handled::seen_if(suggest_ports(&mut shared.overlay, &reference, &ports));
        }
    }
    Handled::shown(Vec::new())
}

/// Lines of the followed stream; another stream's (one the pane moved away from) change nothing.
pub fn on_log_lines(docker: &mut DockerState, key: &str, lines: Vec<String>) -> Handled {
    let logs = &mut docker.logs;
    if logs.container_id.as_deref() != Some(key) {
        return Handled::unseen();
    }
    let keep_place = !logs.follow && logs.scroll_back > 0;
    let added = lines.len();
    for line in lines {
        logs.push(line);
    }
    if keep_place {
        logs.scroll_back = (logs.scroll_back + added).min(logs.lines.len().saturating_sub(1));
    }
    Handled::shown(Vec::new())
}

/// The followed stream ended (None: its container stopped).
pub fn on_logs_ended(docker: &mut DockerState, key: &str, reason: Option<String>) -> Handled {
    if docker.logs.container_id.as_deref() != Some(key) {
        return Handled::unseen();
    }
    docker.logs.ended = Some(reason.unwrap_or_else(|| "the container stopped".to_string()));
    Handled::shown(Vec::new())
}

/// Keep one stats stream, for the selected running container only.
pub fn sync_stats(docker: &mut DockerState) -> Option<Command> {
    let wanted = match (&docker.connection, docker.selected_container()) {
        (Connection::Connected(_), Some(c)) if c.state.is_running() => Some(c.id.clone()),
        _ => None,
    };
    if wanted == docker.stats.container_id {
        return None;
    }
    docker.stats = StatsView {
        container_id: wanted.clone(),
        ..Default::default()
    };
    Some(Command::WatchStats(wanted))
}

/// Fill the run form's empty Ports field from the image's exposed ports:
/// `EXPOSE 8000` suggests `8000:8000`, as in the walkthrough. True when the form changed.
fn suggest_ports(overlay: &mut Overlay, reference: &str, exposed: &[String]) -> bool {
    let Overlay::Form(form) = overlay else {
        return true;
    };
    if form.kind != FormKind::Run
        || form.value(RUN_IMAGE) != reference
        || !form.value(RUN_PORTS).is_empty()
    {
        return false;
    }
    let maps: Vec<String> = exposed
        .iter()
        .filter_map(|entry| {
            let (port, proto) = entry.split_once('/').unwrap_or((entry.as_str(), "tcp"));
            let port: u16 = port.parse().ok()?;
            Some(if proto == "tcp" {
                format!("{port}:{port}")
            } else {
                format!("{port}:{port}/{proto}")
            })
        })
        .collect();
    if !maps.is_empty() {
        form.fields[RUN_PORTS].input = tui_input::Input::new(maps.join(" "));
    }
    true
}
