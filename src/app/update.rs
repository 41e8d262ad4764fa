//! `update`: the one place the model changes. Pure and synchronous: it reads
//! an event, changes the model, and returns the commands for the effects.

use super::command::{Command, ContainerOp, JobId};
use super::event::{BuildContextProblem, DockerEvent, Event, JobUpdate};
use super::forms::{Form, FormOutput};
use super::keymap::Action;
use super::model::{Confirm, Job, JobState, Level, Model, Overlay, Pane, STATS_CAPACITY};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::collections::VecDeque;
use std::time::UNIX_EPOCH;
use tui_input::Input;
use tui_input::backend::crossterm::to_input_request;

const PAGE: isize = 10;

pub fn update(model: &mut Model, event: Event) -> Vec<Command> {
    model.dirty = true;
    let mut commands = match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => on_key(model, key),
        Event::Key(_) => {
            model.dirty = false;
            Vec::new()
        }
        Event::Resize => Vec::new(),
        Event::Tick(now) => {
            let minute = |t: std::time::SystemTime| {
                t.duration_since(UNIX_EPOCH)
                    .map(|d| d.as_secs() / 60)
                    .unwrap_or(0)
            };
            let running_job = model.jobs.iter().any(|j| j.state == JobState::Running);
            model.dirty = running_job || minute(now) != minute(model.now);
            model.now = now;
            Vec::new()
        }
        Event::Terminate => {
            model.quit = true;
            Vec::new()
        }
        Event::Docker(event) => on_docker(model, event),
        Event::Job { id, update } => {
            on_job(model, id, update);
            Vec::new()
        }
        Event::BuildContextChecked(result) => on_build_context(model, result),
        Event::Scaffolded(Ok(path)) => {
            model.set_status(
                Level::Info,
                format!("Wrote {}. Press b to build it.", path.display()),
            );
            Vec::new()
        }
        Event::Scaffolded(Err(message)) | Event::EffectFailed(message) => {
            model.set_status(Level::Error, message);
            Vec::new()
        }
    };
    commands.extend(sync_stats(model));
    commands
}

fn on_key(model: &mut Model, key: KeyEvent) -> Vec<Command> {
    match &mut model.overlay {
        Overlay::Help => {
            model.overlay = Overlay::None;
            return Vec::new();
        }
        Overlay::Confirm(_) => return on_confirm_key(model, key),
        Overlay::Form(_) => return on_form_key(model, key),
        Overlay::None => {}
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

fn on_action(model: &mut Model, action: Action) -> Vec<Command> {
    let pane = model.pane;
    match action {
        Action::Help => model.overlay = Overlay::Help,
        Action::Quit => model.quit = true,
        Action::NextPane => switch_pane(model, Pane::ALL[(pane.index() + 1) % Pane::ALL.len()]),
        Action::PrevPane => switch_pane(
            model,
            Pane::ALL[(pane.index() + Pane::ALL.len() - 1) % Pane::ALL.len()],
        ),
        Action::PaneContainers => switch_pane(model, Pane::Containers),
        Action::PaneImages => switch_pane(model, Pane::Images),
        Action::PaneJobs => switch_pane(model, Pane::Jobs),
        Action::PaneLogs => switch_pane(model, Pane::Logs),
        Action::Down => move_selection(model, 1),
        Action::Up => move_selection(model, -1),
        Action::PageDown => move_selection(model, PAGE),
        Action::PageUp => move_selection(model, -PAGE),
        Action::Top => move_selection(model, isize::MIN / 2),
        Action::Bottom => move_selection(model, isize::MAX / 2),
        Action::Filter => model.filter_input = Some(Input::new(model.filter_of(pane).to_string())),
        Action::Back => back(model),
        Action::SortNext => sort(model, false),
        Action::SortReverse => sort(model, true),
        Action::ToggleAll => {
            model.docker.show_all = !model.docker.show_all;
            model.rebuild_view(Pane::Containers);
        }
        Action::ToggleFollow => {
            model.logs.follow = !model.logs.follow;
            model.logs.scroll_back = 0;
        }
        Action::Build => {
            if !refuse_if_readonly(model, "build") {
                model.overlay = Overlay::Form(Form::build(&model.cwd));
            }
        }
        Action::Run => return open_run_form(model),
        Action::StopStart => return container_op(model, None),
        Action::Restart => return container_op(model, Some(ContainerOp::Restart)),
        Action::Remove => remove(model),
        Action::Logs => return follow_logs(model),
        Action::Open => return open_container(model),
    }
    Vec::new()
}

fn switch_pane(model: &mut Model, pane: Pane) {
    model.pane = pane;
    model.filter_input = None;
}

fn move_selection(model: &mut Model, delta: isize) {
    if model.pane == Pane::Logs {
        let logs = &mut model.logs;
        let max = logs.lines.len().saturating_sub(1) as isize;
        // Moving up leaves follow mode, as scrolling back in a pager does.
        let back = (logs.scroll_back as isize - delta).clamp(0, max.max(0));
        logs.scroll_back = back as usize;
        logs.follow = back == 0 && logs.follow;
        return;
    }
    if let Some(table) = model.table_mut(model.pane) {
        table.move_by(delta);
    }
}

fn back(model: &mut Model) {
    let pane = model.pane;
    if !model.filter_of(pane).is_empty() {
        set_filter(model, String::new());
    } else if pane == Pane::Logs {
        model.pane = Pane::Containers;
    } else {
        model.dirty = false;
    }
}

fn sort(model: &mut Model, reverse: bool) {
    let pane = model.pane;
    let columns = match pane {
        Pane::Containers => <crate::domain::ContainerRow as super::table::TableRow>::column_count(),
        Pane::Images => <crate::domain::ImageRow as super::table::TableRow>::column_count(),
        Pane::Jobs => <Job as super::table::TableRow>::column_count(),
        Pane::Logs => return,
    };
    if let Some(table) = model.table_mut(pane) {
        if reverse {
            table.descending = !table.descending;
            if table.sort_column.is_none() {
                table.sort_column = Some(0);
            }
        } else {
            table.sort_next(columns);
        }
    }
    model.rebuild_view(pane);
}

fn set_filter(model: &mut Model, text: String) {
    let pane = model.pane;
    match model.table_mut(pane) {
        Some(table) => table.filter = text,
        None => model.logs.search = text,
    }
    model.rebuild_view(pane);
}

fn on_filter_key(model: &mut Model, key: KeyEvent) {
    let Some(input) = model.filter_input.as_mut() else {
        return;
    };
    match key.code {
        KeyCode::Esc => {
            model.filter_input = None;
            set_filter(model, String::new());
        }
        KeyCode::Enter => model.filter_input = None,
        _ => {
            if let Some(request) = to_input_request(&crossterm::event::Event::Key(key)) {
                input.handle(request);
                let text = input.value().to_string();
                set_filter(model, text);
            }
        }
    }
}

fn on_confirm_key(model: &mut Model, key: KeyEvent) -> Vec<Command> {
    let yes = matches!(
        key.code,
        KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter
    );
    let no = matches!(
        key.code,
        KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc
    ) || (key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL));
    if !(yes || no) {
        model.dirty = false;
        return Vec::new();
    }
    let Overlay::Confirm(confirm) = std::mem::take(&mut model.overlay) else {
        return Vec::new();
    };
    if yes {
        launch(model, confirm.on_yes)
    } else {
        model.set_status(Level::Info, "Cancelled.");
        Vec::new()
    }
}

fn on_form_key(model: &mut Model, key: KeyEvent) -> Vec<Command> {
    let Overlay::Form(form) = &mut model.overlay else {
        return Vec::new();
    };
    let ctrl_c = key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Esc => model.overlay = Overlay::None,
        _ if ctrl_c => model.overlay = Overlay::None,
        _ if form.pending => model.dirty = false,
        KeyCode::Tab | KeyCode::Down => form.focus = (form.focus + 1) % form.fields.len(),
        KeyCode::BackTab | KeyCode::Up => {
            form.focus = (form.focus + form.fields.len() - 1) % form.fields.len()
        }
        KeyCode::Enter => return submit_form(model),
        _ => {
            if let Some(request) = to_input_request(&crossterm::event::Event::Key(key)) {
                let field = &mut form.fields[form.focus];
                field.input.handle(request);
                field.error = None;
            }
        }
    }
    Vec::new()
}

fn submit_form(model: &mut Model) -> Vec<Command> {
    let Overlay::Form(form) = &mut model.overlay else {
        return Vec::new();
    };
    match form.parse() {
        None => Vec::new(),
        Some(FormOutput::Build(spec)) => {
            if model.readonly {
                model.overlay = Overlay::None;
                refuse_if_readonly(model, "build");
                return Vec::new();
            }
            // The effect checks the paths; the form waits for its answer.
            form.pending = true;
            vec![Command::CheckBuildContext(spec)]
        }
        Some(FormOutput::Run(spec)) => {
            model.overlay = Overlay::None;
            let job = alloc_job(model);
            launch(model, Command::Run { job, spec })
        }
    }
}

fn on_build_context(
    model: &mut Model,
    result: Result<super::command::BuildSpec, BuildContextProblem>,
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

fn alloc_job(model: &mut Model) -> JobId {
    let id = model.next_job;
    model.next_job += 1;
    id
}

/// Refuse in read-only mode with a sentence; true when refused.
fn refuse_if_readonly(model: &mut Model, what: &str) -> bool {
    if model.readonly {
        model.set_status(
            Level::Warn,
            format!("Read-only mode: {what} refused (pilothouse was started with --readonly)."),
        );
    }
    model.readonly
}

/// Start a command: refuse mutations when read-only, record a job for it, show its learn line.
fn launch(model: &mut Model, command: Command) -> Vec<Command> {
    if command.mutates() && refuse_if_readonly(model, &job_title(&command)) {
        return Vec::new();
    }
    let learn = command.learn_line();
    if let Some(job) = job_id(&command) {
        model.jobs.push(Job {
            id: job,
            title: job_title(&command),
            learn: learn.clone().unwrap_or_default(),
            state: JobState::Running,
            started: model.now,
            finished: None,
            output: VecDeque::new(),
            step: None,
        });
        if model.jobs.len() > super::model::MAX_JOBS
            && let Some(pos) = model.jobs.iter().position(|j| j.state != JobState::Running)
        {
            model.jobs.remove(pos);
        }
        model.rebuild_view(Pane::Jobs);
        model.jobs_table.bottom();
    }
    if learn.is_some() {
        model.learn = learn;
    }
    vec![command]
}

fn job_id(command: &Command) -> Option<JobId> {
    match command {
        Command::Build { job, .. }
        | Command::Run { job, .. }
        | Command::Container { job, .. }
        | Command::RemoveImage { job, .. } => Some(*job),
        _ => None,
    }
}

fn job_title(command: &Command) -> String {
    match command {
        Command::Build { spec, .. } | Command::CheckBuildContext(spec) => {
            format!("build {}", spec.tag)
        }
        Command::Run { spec, .. } => format!("run {}", spec.image),
        Command::Container { name, op, .. } => format!("{} {name}", op.verb()),
        Command::RemoveImage { reference, .. } => format!("remove image {reference}"),
        Command::ScaffoldDockerfile { .. } => "write a Dockerfile".to_string(),
        Command::OpenUrl(url) => format!("open {url}"),
        Command::WatchStats(_) | Command::FollowLogs(_) => String::new(),
    }
}

fn open_run_form(model: &mut Model) -> Vec<Command> {
    if refuse_if_readonly(model, "run") {
        return Vec::new();
    }
    match model.selected_image() {
        Some(image) => {
            let reference = image.reference();
            model.overlay = Overlay::Form(Form::run(&reference, ""));
        }
        None => model.set_status(Level::Warn, "No image selected: build one with b first."),
    }
    Vec::new()
}

fn container_op(model: &mut Model, op: Option<ContainerOp>) -> Vec<Command> {
    let Some(container) = model.selected_container() else {
        model.set_status(Level::Warn, "No container selected.");
        return Vec::new();
    };
    let op = op.unwrap_or(if container.state.is_running() {
        ContainerOp::Stop
    } else {
        ContainerOp::Start
    });
    let (id, name) = (container.id.clone(), container.name.clone());
    let job = alloc_job(model);
    launch(model, Command::Container { job, id, name, op })
}

fn remove(model: &mut Model) {
    if refuse_if_readonly(model, "remove") {
        return;
    }
    let (message, on_yes) = match model.pane {
        Pane::Containers => {
            let Some(c) = model.selected_container() else {
                return;
            };
            let running = if c.state.is_running() {
                " It is running and will be stopped."
            } else {
                ""
            };
            let message = format!("Remove container {} ({})?{running}", c.name, c.short_id());
            let (id, name) = (c.id.clone(), c.name.clone());
            (
                message,
                Command::Container {
                    job: 0,
                    id,
                    name,
                    op: ContainerOp::Remove,
                },
            )
        }
        Pane::Images => {
            let Some(image) = model.selected_image() else {
                return;
            };
            let reference = image.reference();
            (
                format!("Remove image {reference}?"),
                Command::RemoveImage { job: 0, reference },
            )
        }
        Pane::Jobs | Pane::Logs => return,
    };
    let job = alloc_job(model);
    let on_yes = match on_yes {
        Command::Container { id, name, op, .. } => Command::Container { job, id, name, op },
        Command::RemoveImage { reference, .. } => Command::RemoveImage { job, reference },
        other => other,
    };
    model.overlay = Overlay::Confirm(Confirm { message, on_yes });
}

fn follow_logs(model: &mut Model) -> Vec<Command> {
    let Some(container) = model.selected_container() else {
        model.set_status(Level::Warn, "No container selected.");
        return Vec::new();
    };
    let (id, name) = (container.id.clone(), container.name.clone());
    let logs = &mut model.logs;
    logs.container_id = Some(id.clone());
    logs.container_name = name;
    logs.lines.clear();
    logs.follow = true;
    logs.scroll_back = 0;
    logs.ended = None;
    model.pane = Pane::Logs;
    let command = Command::FollowLogs(Some(id));
    model.learn = command.learn_line();
    vec![command]
}

fn open_container(model: &mut Model) -> Vec<Command> {
    let Some(container) = model.selected_container() else {
        model.set_status(Level::Warn, "No container selected.");
        return Vec::new();
    };
    match container.first_url() {
        Some(url) => {
            model.set_status(Level::Info, format!("Opening {url}"));
            let command = Command::OpenUrl(url);
            model.learn = command.learn_line();
            vec![command]
        }
        None => {
            let name = container.name.clone();
            model.set_status(
                Level::Warn,
                format!(
                    "{name} publishes no port: run it with a port map (r on its image) to open it."
                ),
            );
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
            let selected = model.selected_image().map(super::table::TableRow::key);
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
                super::model::push_bounded(series, value, STATS_CAPACITY);
            }
            stats.last = Some(sample);
        }
        DockerEvent::LogLines { id, lines } => {
            if model.logs.container_id.as_deref() != Some(id.as_str()) {
                model.dirty = false;
                return Vec::new();
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
        DockerEvent::LogsEnded { id, reason } => {
            if model.logs.container_id.as_deref() == Some(id.as_str()) {
                model.logs.ended =
                    Some(reason.unwrap_or_else(|| "the container stopped".to_string()));
            }
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
        JobUpdate::Finished(result) => {
            job.finished = Some(now);
            let title = job.title.clone();
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
    model.stats = super::model::StatsView {
        container_id: wanted.clone(),
        ..Default::default()
    };
    Some(Command::WatchStats(wanted))
}
