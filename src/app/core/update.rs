//! `update`: the one place the model changes. Pure and synchronous: it reads
//! an event, changes the model, and returns the commands for the effects.
//! Key actions live in `actions`, overlay keys in `input`, the Jobs and
//! History entries of started commands in `bookkeeping`.

use crate::app::core::actions::on_action;
use crate::app::core::bookkeeping;
use crate::app::core::command::{BuildSpec, Command, JobId};
use crate::app::core::event::{BuildContextProblem, Event, JobUpdate};
use crate::app::core::forms::FormKind;
use crate::app::core::handled::Handled;
use crate::app::core::input::{on_confirm_key, on_filter_key, on_form_key};
use crate::app::core::launch::launch;
use crate::app::core::model::{Confirm, JobState, Level, Model, Overlay, Pane};
use crate::app::learn::history::Outcome;
use crossterm::event::{KeyEvent, KeyEventKind};
use std::time::UNIX_EPOCH;

/// `update` for the event loop: the commands, and whether a frame is due.
/// This is the one place that decides it, from what the handlers report.
pub fn step(model: &mut Model, event: Event) -> Handled {
    let Handled {
        mut commands,
        mut visible,
    } = handle(model, event);
    commands.extend(crate::app::docker::events::sync_stats(&mut model.docker));
    commands.extend(crate::app::kube::diagnose::ask_crash_tail(
        &mut model.kube,
        model.shared.pane,
    ));
    commands.extend(crate::app::cloud::revisions::stop_unseen_logs(
        &mut model.docker.logs,
        model.shared.pane,
    ));
    bookkeeping::record(model, &commands);
    crate::app::learn::tour::note_commands(&mut model.tour, &commands);
    visible |= bookkeeping::advance_tour(model);
    Handled { commands, visible }
}

/// Apply one event; the commands for the effects.
pub fn update(model: &mut Model, event: Event) -> Vec<Command> {
    step(model, event).commands
}

fn handle(model: &mut Model, event: Event) -> Handled {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => return on_key(model, key),
        Event::Key(_) => return Handled::unseen(),
        Event::Resize(width, height) => {
            model.view.size = (width, height);
            Vec::new()
        }
        Event::Mouse(mouse) => return crate::app::core::mouse::on_mouse(model, mouse),
        Event::Exported(Ok(path)) => {
            let count = crate::app::learn::history::replayed(&model.history.entries);
            model.set_status(
                Level::Info,
                format!(
                    "Wrote {path}: {count} command(s) with their comments. Run it with: bash {path}"
                ),
            );
            Vec::new()
        }
        Event::LogsSaved(Ok(path)) => {
            model.set_status(Level::Info, format!("Saved the logs to {path}."));
            Vec::new()
        }
        Event::LogsSaved(Err(message)) => {
            model.set_status(Level::Error, message);
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
            // Ages move by the minute, a running job's elapsed time by the second.
            let running_job = model.jobs.list.iter().any(|j| j.state == JobState::Running);
            let visible = running_job || minute(now) != minute(model.shared.now);
            model.shared.now = now;
            let mut commands =
                crate::app::kube::minikube::on_tick(&mut model.minikube, model.shared.demo, now);
            commands.extend(crate::app::cloud::deploy::on_tick(
                &mut model.cloud,
                &mut model.shared,
            ));
            commands.extend(crate::app::forwards::on_tick(&mut model.forwards));
            return Handled { commands, visible };
        }
        Event::Minikube(event) => {
            return crate::app::kube::minikube::on_minikube(
                &mut model.minikube,
                &mut model.shared,
                event,
            );
        }
        Event::Forward(event) => {
            return crate::app::forwards::events::on_forward(
                &mut model.forwards,
                &mut model.shared,
                event,
            );
        }
        Event::Cloud(event) => {
            crate::app::cloud::deploy::on_cloud(&mut model.cloud, &mut model.shared, event)
        }
        Event::PathCompleted {
            typed,
            completed,
            matches,
        } => {
            match &mut model.shared.overlay {
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
                _ => return Handled::unseen(),
            }
            Vec::new()
        }
        Event::Terminate => {
            model.view.quit = true;
            Vec::new()
        }
        Event::Docker(event) => {
            return crate::app::docker::events::on_docker(
                &mut model.docker,
                &mut model.shared,
                event,
            );
        }
        Event::LogLines { key, lines } => {
            return crate::app::docker::events::on_log_lines(&mut model.docker, &key, lines);
        }
        Event::LogsEnded { key, reason } => {
            return crate::app::docker::events::on_logs_ended(&mut model.docker, &key, reason);
        }
        Event::Kube(event) => {
            // A screen's height either side of the selection covers every row on screen.
            let window = usize::from(model.view.size.1);
            let report = crate::app::kube::events::on_kube(&mut model.kube, window, event);
            if let Some(notice) = &report.notice {
                model.set_status(Level::Warn, notice.clone());
            }
            // minikube follows the cluster: a new context or connection may mean a new state there.
            crate::app::kube::minikube::on_kube_report(&mut model.minikube, &report);
            return Handled::seen_if(report.visible);
        }
        Event::Job { id, update } => {
            let finished = match &update {
                JobUpdate::Finished(result) => Some(result.clone()),
                _ => None,
            };
            let seen = on_job(model, id, update);
            let Some(result) = finished else {
                return Handled::seen_if(seen);
            };
            // A dev cycle's end may start the one more cycle that changes meanwhile owe.
            let next = crate::app::dev::events::on_cycle_finished(
                &mut model.dev,
                &mut model.shared,
                id,
                &result,
            );
            return Handled {
                visible: seen || !next.is_empty(),
                commands: next,
            };
        }
        Event::Dev(event) => return on_dev(model, event),
        Event::ShellFound { target, result } => {
            return crate::app::exec::on_shell_found(&mut model.shared, target, result);
        }
        Event::ShellEnded { target, result } => {
            return crate::app::exec::on_shell_ended(&mut model.shared, target, result);
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
            namespace,
            message,
        } => {
            let job = model.shared.alloc_job();
            model.shared.overlay = Overlay::Confirm(Confirm {
                message: format!("{message}. Force it? The fields move to pilothouse."),
                on_yes: Command::Apply {
                    job,
                    path,
                    documents,
                    force: true,
                    namespace,
                },
            });
            Vec::new()
        }
        Event::Explained { path, result } => {
            if !crate::app::kube::explain::on_explained(&mut model.shared, path, result) {
                return Handled::unseen();
            }
            Vec::new()
        }
        Event::YamlLoaded { title, text } => {
            match (&mut model.shared.overlay, text) {
                (Overlay::Yaml(view), Ok(text)) if view.title == title => {
                    view.lines = Some(text.lines().map(String::from).collect())
                }
                (Overlay::Yaml(view), Err(message)) if view.title == title => {
                    model.shared.overlay = Overlay::None;
                    model.set_status(Level::Error, message);
                }
                // The view was closed (or another opened) meanwhile: nothing to show.
                _ => return Handled::unseen(),
            }
            Vec::new()
        }
        Event::Scaffolded(Err(message)) | Event::EffectFailed(message) => {
            model.set_status(Level::Error, message);
            Vec::new()
        }
    }
    .into()
}

fn on_key(model: &mut Model, key: KeyEvent) -> Handled {
    match &mut model.shared.overlay {
        Overlay::Help(view) => {
            let ctrl = key
                .modifiers
                .contains(crossterm::event::KeyModifiers::CONTROL);
            if ctrl || crate::app::learn::help::on_help_key(view, key.code) {
                model.shared.overlay = Overlay::None;
            }
            return Handled::shown(Vec::new());
        }
        Overlay::Palette(_) => return crate::app::core::input::on_palette_key(model, key),
        Overlay::Confirm(_) => return on_confirm_key(model, key),
        Overlay::Pick(_) => return crate::app::core::input::on_pick_key(model, key),
        Overlay::Form(_) => return on_form_key(model, key),
        Overlay::Yaml(_) if key.code == crossterm::event::KeyCode::Char('e') => {
            return Handled::shown(crate::app::kube::explain::explain_at(&mut model.shared));
        }
        Overlay::Yaml(view) => {
            scroll_yaml(view, key.code);
            if key.code == crossterm::event::KeyCode::Esc
                || key.code == crossterm::event::KeyCode::Char('q')
                || key.code == crossterm::event::KeyCode::Char('y')
            {
                model.shared.overlay = match view.back.take() {
                    Some(tree) => Overlay::Xray(*tree),
                    None => Overlay::None,
                };
            }
            return Handled::shown(Vec::new());
        }
        Overlay::Xray(_) => return crate::app::core::xray_keys::on_xray_key(model, key),
        Overlay::None => {}
    }
    if model.view.command_input.is_some() {
        return crate::app::core::command_line::on_key(model, key);
    }
    if model.view.filter_input.is_some() {
        on_filter_key(model, key);
        return Handled::shown(Vec::new());
    }
    match model.view.keymap.lookup(model.shared.pane.context(), &key) {
        Some(action) => on_action(model, action),
        None => Handled::unseen(),
    }
}

fn on_build_context(
    model: &mut Model,
    result: Result<BuildSpec, BuildContextProblem>,
) -> Vec<Command> {
    let Overlay::Form(form) = &mut model.shared.overlay else {
        // The user closed the form while the check ran: nothing to do.
        return Vec::new();
    };
    form.pending = false;
    match result {
        Ok(spec) => {
            model.shared.overlay = Overlay::None;
            let job = model.shared.alloc_job();
            // The build's output is what the user wants to watch next.
            model.shared.pane = Pane::Jobs;
            launch(&mut model.shared, Command::Build { job, spec })
        }
        Err(BuildContextProblem::Field { field, message }) => {
            if let Some(f) = form.fields.get_mut(field) {
                f.error = Some(message);
                form.focus = field;
            }
            Vec::new()
        }
        Err(BuildContextProblem::NoDockerfile { dir }) => {
            model.shared.overlay = Overlay::Confirm(Confirm {
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

/// A job's progress; false when it changes nothing (a second end).
fn on_job(model: &mut Model, id: JobId, update: JobUpdate) -> bool {
    let now = model.shared.now;
    let Some(job) = model.job_mut(id) else {
        return true;
    };
    match update {
        JobUpdate::Output(lines) => lines.into_iter().for_each(|l| job.push_output(l)),
        JobUpdate::Step { current, total } => job.step = Some((current, total)),
        // The first end wins: a cancel racing the job's own end must not rewrite it.
        JobUpdate::Finished(_) if job.state != JobState::Running => return false,
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
            if let Some(entry) = model
                .history
                .entries
                .iter_mut()
                .rev()
                .find(|h| h.job == Some(id))
            {
                entry.outcome = outcome;
            }
        }
    }
    true
}

/// The dev loop's report: its commands, and each finished step's command
/// line into the cycle's job output and History.
fn on_dev(model: &mut Model, event: crate::app::core::event::DevEvent) -> Handled {
    let report = crate::app::dev::events::on_dev(&mut model.dev, &mut model.shared, event);
    for (job, note) in report.notes {
        if let Some(job) = model.job_mut(job) {
            job.push_output(note);
        }
    }
    let now = model.shared.now;
    for (job, line) in &report.lines {
        if let Some(job) = model.job_mut(*job) {
            job.push_output(format!("$ {line}"));
        }
        model
            .history
            .push(crate::app::learn::history::HistoryEntry {
                at: now,
                title: "dev loop".to_string(),
                line: line.clone(),
                job: None,
                outcome: Outcome::Done,
                replay: crate::app::learn::history::Replay::Run,
            });
    }
    if !report.lines.is_empty() {
        model.rebuild_view(Pane::History);
        model.history.table.bottom();
    }
    Handled {
        commands: report.commands,
        visible: report.visible,
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
    let cursor = (view.cursor as isize)
        .saturating_add(delta)
        .clamp(0, last as isize) as usize;
    if cursor != view.cursor {
        // It explained the line the cursor left.
        view.explained = None;
    }
    view.cursor = cursor;
}

fn on_manifest(
    model: &mut Model,
    path: std::path::PathBuf,
    result: Result<Vec<serde_json::Value>, String>,
) -> Vec<Command> {
    let Overlay::Form(form) = &mut model.shared.overlay else {
        // The form was closed while the file was read: nothing to do.
        return Vec::new();
    };
    form.pending = false;
    match result {
        Ok(documents) => {
            model.shared.overlay = Overlay::None;
            let watched = model.kube.target.namespace.clone();
            // The applied Deployment is what the user looks at next.
            for document in &documents {
                if document["kind"] == "Deployment"
                    && let Some(name) = document["metadata"]["name"].as_str()
                {
                    let namespace = document["metadata"]["namespace"]
                        .as_str()
                        .or(watched.as_deref())
                        .unwrap_or("default");
                    model.kube.select_when_seen.push((
                        crate::domain::kube::KubeKind::Deployment,
                        format!("{namespace}/{name}"),
                    ));
                }
            }
            let job = model.shared.alloc_job();
            launch(
                &mut model.shared,
                Command::Apply {
                    job,
                    path,
                    documents,
                    force: false,
                    namespace: watched,
                },
            )
        }
        Err(message) => {
            form.fields[0].error = Some(message);
            Vec::new()
        }
    }
}
