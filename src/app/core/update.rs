//! `update`: the one place the model changes. Pure and synchronous: it reads
//! an event, changes the model, and returns the commands for the effects.
//! Key actions live in `actions`, overlay keys in `input`, job bookkeeping in `launch`.

use crate::app::core::actions::on_action;
use crate::app::core::command::{BuildSpec, Command, JobId};
use crate::app::core::event::{BuildContextProblem, DockerEvent, Event, JobUpdate};
use crate::app::core::forms::{FormKind, RUN_IMAGE, RUN_PORTS};
use crate::app::core::input::{on_confirm_key, on_filter_key, on_form_key};
use crate::app::core::launch::{alloc_job, launch};
use crate::app::core::model::{
    Confirm, JobState, Level, Model, Overlay, Pane, STATS_CAPACITY, StatsView, push_bounded,
};
use crate::app::core::table::TableRow;
use crate::app::learn::history::Outcome;
use crossterm::event::{KeyEvent, KeyEventKind};
use std::time::UNIX_EPOCH;

pub fn update(model: &mut Model, event: Event) -> Vec<Command> {
    model.dirty = true;
    let mut commands = match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => on_key(model, key),
        Event::Key(_) => {
            model.dirty = false;
            Vec::new()
        }
        Event::Resize(width, height) => {
            model.size = (width, height);
            Vec::new()
        }
        Event::Mouse(mouse) => crate::app::core::mouse::on_mouse(model, mouse),
        Event::Exported(Ok(path)) => {
            let count = crate::app::learn::history::replayed(&model.history);
            model.set_status(
                Level::Info,
                format!(
                    "Wrote {path}: {count} command(s) with their comments. Run it with: bash {path}"
                ),
            );
            Vec::new()
        }
        Event::Exported(Err(message)) => {
            model.set_status(Level::Error, message);
            Vec::new()
        }
        Event::Tick(now) => {
            let minute = |t: std::time::SystemTime| {
                t.duration_since(UNIX_EPOCH)
                    .map(|d| d.as_secs() / 60)
                    .unwrap_or(0)
            };
            let running_job = model.jobs.iter().any(|j| j.state == JobState::Running);
            model.dirty = running_job || minute(now) != minute(model.now);
            model.now = now;
            let mut commands = crate::app::kube::minikube::on_tick(model, now);
            commands.extend(crate::app::cloud::deploy::on_tick(model));
            commands
        }
        Event::Minikube(event) => crate::app::kube::minikube::on_minikube(model, event),
        Event::Cloud(event) => crate::app::cloud::deploy::on_cloud(model, event),
        Event::PathCompleted {
            typed,
            completed,
            matches,
        } => {
            match &mut model.overlay {
                Overlay::Form(form)
                    if form.kind == FormKind::Apply && form.fields[0].value() == typed =>
                {
                    form.fields[0].input = tui_input::Input::new(completed);
                    form.fields[0].error = None;
                    if matches.len() > 1 {
                        let shown: Vec<&str> = matches.iter().take(8).map(String::as_str).collect();
                        let more = matches.len().saturating_sub(8);
                        let more = if more > 0 {
                            format!(" and {more} more")
                        } else {
                            String::new()
                        };
                        model.set_status(
                            Level::Info,
                            format!("{} matches: {}{more}", matches.len(), shown.join("  ")),
                        );
                    }
                }
                // The user typed on (or closed the form) meanwhile: their text wins.
                _ => model.dirty = false,
            }
            Vec::new()
        }
        Event::Terminate => {
            model.quit = true;
            Vec::new()
        }
        Event::Docker(event) => on_docker(model, event),
        Event::LogLines { key, lines } => {
            on_log_lines(model, &key, lines);
            Vec::new()
        }
        Event::LogsEnded { key, reason } => {
            if model.logs.container_id.as_deref() == Some(key.as_str()) {
                model.logs.ended =
                    Some(reason.unwrap_or_else(|| "the container stopped".to_string()));
            } else {
                model.dirty = false;
            }
            Vec::new()
        }
        Event::Kube(event) => {
            crate::app::kube::events::on_kube(model, event);
            Vec::new()
        }
        Event::Job { id, update } => {
            on_job(model, id, update);
            Vec::new()
        }
        Event::BuildContextChecked(result) => on_build_context(model, result),
        Event::Scaffolded(Ok(path)) => {
            let next = if path.ends_with("Dockerfile") {
                "(it expects requirements.txt and run.py beside it). Press b to build."
            } else {
                "Press a in a Kubernetes pane to apply it."
            };
            model.set_status(Level::Info, format!("Wrote {} {next}", path.display()));
            Vec::new()
        }
        Event::ManifestChecked { path, result } => on_manifest(model, path, result),
        Event::ApplyConflict {
            path,
            documents,
            message,
        } => {
            let job = alloc_job(model);
            model.overlay = Overlay::Confirm(Confirm {
                message: format!("{message}. Force it? The fields move to pilothouse."),
                on_yes: Command::Apply {
                    job,
                    path,
                    documents,
                    force: true,
                },
            });
            Vec::new()
        }
        Event::YamlLoaded { title, text } => {
            match (&mut model.overlay, text) {
                (Overlay::Yaml(view), Ok(text)) if view.title == title => {
                    view.lines = Some(text.lines().map(String::from).collect())
                }
                (Overlay::Yaml(view), Err(message)) if view.title == title => {
                    model.overlay = Overlay::None;
                    model.set_status(Level::Error, message);
                }
                // The view was closed (or another opened) meanwhile: nothing to show.
                _ => model.dirty = false,
            }
            Vec::new()
        }
        Event::Scaffolded(Err(message)) | Event::EffectFailed(message) => {
            model.set_status(Level::Error, message);
            Vec::new()
        }
    };
    commands.extend(sync_stats(model));
    crate::app::core::launch::record(model, &commands);
    crate::app::learn::tour::note_commands(model, &commands);
    crate::app::learn::tour::advance(model);
    commands
}

fn on_key(model: &mut Model, key: KeyEvent) -> Vec<Command> {
    match &mut model.overlay {
        Overlay::Help => {
            model.overlay = Overlay::None;
            return Vec::new();
        }
        Overlay::Confirm(_) => return on_confirm_key(model, key),
        Overlay::Pick(_) => return crate::app::core::input::on_pick_key(model, key),
        Overlay::Form(_) => return on_form_key(model, key),
        Overlay::Yaml(view) => {
            scroll_yaml(view, key.code);
            if key.code == crossterm::event::KeyCode::Esc
                || key.code == crossterm::event::KeyCode::Char('q')
                || key.code == crossterm::event::KeyCode::Char('y')
            {
                model.overlay = Overlay::None;
            }
            return Vec::new();
        }
        Overlay::None => {}
    }
    if model.command_input.is_some() {
        return crate::app::core::command_line::on_key(model, key);
    }
    if model.filter_input.is_some() {
        on_filter_key(model, key);
        return Vec::new();
    }
    match model.keymap.lookup(model.pane.context(), &key) {
        Some(action) => on_action(model, action),
        None => {
            model.dirty = false;
            Vec::new()
        }
    }
}

fn on_build_context(
    model: &mut Model,
    result: Result<BuildSpec, BuildContextProblem>,
) -> Vec<Command> {
    let Overlay::Form(form) = &mut model.overlay else {
        // The user closed the form while the check ran: nothing to do.
        return Vec::new();
    };
    form.pending = false;
    match result {
        Ok(spec) => {
            model.overlay = Overlay::None;
            let job = alloc_job(model);
            // The build's output is what the user wants to watch next.
            model.pane = Pane::Jobs;
            launch(model, Command::Build { job, spec })
        }
        Err(BuildContextProblem::Field { field, message }) => {
            if let Some(f) = form.fields.get_mut(field) {
                f.error = Some(message);
                form.focus = field;
            }
            Vec::new()
        }
        Err(BuildContextProblem::NoDockerfile { dir }) => {
            model.overlay = Overlay::Confirm(Confirm {
                message: format!(
                    "{} has no Dockerfile. Write one for a Python/Flask app there? (an existing file is never overwritten)",
                    dir.display()
                ),
                on_yes: Command::ScaffoldDockerfile { dir },
            });
            Vec::new()
        }
    }
}

fn on_docker(model: &mut Model, event: DockerEvent) -> Vec<Command> {
    use crate::domain::Connection;
    match event {
        DockerEvent::Endpoint(label) => model.docker.endpoint = label,
        DockerEvent::Connecting => model.docker.connection = Connection::Connecting,
        DockerEvent::Connected(info) => model.docker.connection = Connection::Connected(info),
        DockerEvent::Disconnected { reason, retry_in } => {
            model.docker.connection = Connection::Disconnected { reason, retry_in };
        }
        DockerEvent::Containers(rows) => {
            let selected = model.selected_container().map(|c| c.id.clone());
            model.docker.containers = rows;
            let show_all = model.docker.show_all;
            let rows = &model.docker.containers;
            model.containers_table.rebuild_keeping(
                rows,
                |c| show_all || c.state.is_running(),
                selected.as_deref(),
            );
        }
        DockerEvent::Images(rows) => {
            let selected = model.selected_image().map(TableRow::key);
            model.docker.images = rows;
            model
                .images_table
                .rebuild_keeping(&model.docker.images, |_| true, selected.as_deref());
        }
        DockerEvent::Stats { id, sample } => {
            let stats = &mut model.stats;
            if stats.container_id.as_deref() != Some(id.as_str()) {
                model.dirty = false;
                return Vec::new();
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
            suggest_ports(model, &reference, &ports)
        }
    }
    Vec::new()
}

fn on_job(model: &mut Model, id: JobId, update: JobUpdate) {
    let now = model.now;
    let Some(job) = model.job_mut(id) else { return };
    match update {
        JobUpdate::Output(lines) => lines.into_iter().for_each(|l| job.push_output(l)),
        JobUpdate::Step { current, total } => job.step = Some((current, total)),
        // The first end wins: a cancel racing the job's own end must not rewrite it.
        JobUpdate::Finished(_) if job.state != JobState::Running => model.dirty = false,
        JobUpdate::Finished(result) => {
            job.finished = Some(now);
            let title = job.title.clone();
            let outcome = match &result {
                Ok(summary) => Outcome::Succeeded(summary.clone()),
                Err(error) => Outcome::Failed(error.clone()),
            };
            match result {
                Ok(summary) => {
                    job.state = JobState::Succeeded(summary.clone());
                    model.set_status(Level::Info, format!("✓ {title}: {summary}"));
                }
                Err(error) => {
                    job.push_output(format!("error: {error}"));
                    job.state = JobState::Failed(error.clone());
                    model.set_status(Level::Error, format!("✗ {title} failed: {error}"));
                }
            }
            if let Some(entry) = model.history.iter_mut().rev().find(|h| h.job == Some(id)) {
                entry.outcome = outcome;
            }
        }
    }
}

/// Keep one stats stream, for the selected running container only.
fn sync_stats(model: &mut Model) -> Option<Command> {
    let wanted = match (&model.docker.connection, model.selected_container()) {
        (crate::domain::Connection::Connected(_), Some(c)) if c.state.is_running() => {
            Some(c.id.clone())
        }
        _ => None,
    };
    if wanted == model.stats.container_id {
        return None;
    }
    model.stats = StatsView {
        container_id: wanted.clone(),
        ..Default::default()
    };
    Some(Command::WatchStats(wanted))
}

/// Fill the run form's empty Ports field from the image's exposed ports:
/// `EXPOSE 8000` suggests `8000:8000`, as in the walkthrough.
fn suggest_ports(model: &mut Model, reference: &str, exposed: &[String]) {
    let Overlay::Form(form) = &mut model.overlay else {
        return;
    };
    if form.kind != FormKind::Run
        || form.value(RUN_IMAGE) != reference
        || !form.value(RUN_PORTS).is_empty()
    {
        model.dirty = false;
        return;
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
}

fn scroll_yaml(view: &mut crate::app::core::model::YamlView, code: crossterm::event::KeyCode) {
    use crossterm::event::KeyCode;
    let last = view.lines.as_ref().map_or(0, |l| l.len().saturating_sub(1));
    let delta: isize = match code {
        KeyCode::Down | KeyCode::Char('j') => 1,
        KeyCode::Up | KeyCode::Char('k') => -1,
        KeyCode::PageDown | KeyCode::Char(' ') => 20,
        KeyCode::PageUp => -20,
        KeyCode::Home | KeyCode::Char('g') => isize::MIN / 2,
        KeyCode::End | KeyCode::Char('G') => isize::MAX / 2,
        _ => 0,
    };
    view.scroll = (view.scroll as isize)
        .saturating_add(delta)
        .clamp(0, last as isize) as usize;
}

fn on_manifest(
    model: &mut Model,
    path: std::path::PathBuf,
    result: Result<Vec<serde_json::Value>, String>,
) -> Vec<Command> {
    let Overlay::Form(form) = &mut model.overlay else {
        // The form was closed while the file was read: nothing to do.
        return Vec::new();
    };
    form.pending = false;
    match result {
        Ok(documents) => {
            model.overlay = Overlay::None;
            // The applied Deployment is what the user looks at next.
            for document in &documents {
                if document["kind"] == "Deployment"
                    && let Some(name) = document["metadata"]["name"].as_str()
                {
                    let namespace = document["metadata"]["namespace"]
                        .as_str()
                        .unwrap_or("default");
                    model.kube.select_when_seen.push((
                        crate::domain::kube::KubeKind::Deployment,
                        format!("{namespace}/{name}"),
                    ));
                }
            }
            let job = alloc_job(model);
            launch(
                model,
                Command::Apply {
                    job,
                    path,
                    documents,
                    force: false,
                },
            )
        }
        Err(message) => {
            form.fields[0].error = Some(message);
            Vec::new()
        }
    }
}

fn on_log_lines(model: &mut Model, key: &str, lines: Vec<String>) {
    if model.logs.container_id.as_deref() != Some(key) {
        // A stream the Logs pane has moved away from.
        model.dirty = false;
        return;
    }
    let keep_place = !model.logs.follow && model.logs.scroll_back > 0;
    let added = lines.len();
    for line in lines {
        model.logs.push(line);
    }
    if keep_place {
        model.logs.scroll_back =
            (model.logs.scroll_back + added).min(model.logs.lines.len().saturating_sub(1));
    }
}
