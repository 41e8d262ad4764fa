//! Keys while an overlay or the filter line has them: forms, questions, `/`.

use crate::app::core::actions::set_filter;
use crate::app::core::command::Command;
use crate::app::core::forms::FormOutput;
use crate::app::core::handled::Handled;
use crate::app::core::launch::{launch, launch_confirmed};
use crate::app::core::model::{Level, Model, Overlay, PickPurpose};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::backend::crossterm::to_input_request;

pub(crate) fn on_filter_key(model: &mut Model, key: KeyEvent) {
    let Some(input) = model.view.filter_input.as_mut() else {
        return;
    };
    match key.code {
        KeyCode::Esc => {
            model.view.filter_input = None;
            set_filter(model, String::new());
        }
        KeyCode::Enter => model.view.filter_input = None,
        _ => {
            if let Some(request) = to_input_request(&crossterm::event::Event::Key(key)) {
                input.handle(request);
                let text = input.value().to_string();
                set_filter(model, text);
            }
        }
    }
}

pub(crate) fn on_confirm_key(model: &mut Model, key: KeyEvent) -> Handled {
    let yes = matches!(
        key.code,
        KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter
    );
    let no = matches!(
        key.code,
        KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc
    ) || (key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL));
    if !(yes || no) {
        return Handled::unseen();
    }
    let Overlay::Confirm(confirm) = std::mem::take(&mut model.shared.overlay) else {
        return Handled::unseen();
    };
    if yes {
        launch_confirmed(&mut model.shared, confirm.on_yes).into()
    } else {
        model.set_status(Level::Info, "Cancelled.");
        Handled::shown(Vec::new())
    }
}

/// The workflow form: parsed with the settings, written by an effect (which asks before replacing).
fn submit_workflow(model: &mut Model) -> Vec<Command> {
    let settings = model.cloud.settings().cloned();
    let setup = model.cloud.app_ports.language.clone();
    let Overlay::Form(form) = &mut model.shared.overlay else {
        return Vec::new();
    };
    match crate::app::cloud::forms::parse_workflow_form(form, settings.as_ref(), setup.as_ref()) {
        Err(errors) => {
            for field in &mut form.fields {
                field.error = None;
            }
            if let Some((first, _)) = errors.first() {
                form.focus = *first;
            }
            for (field, message) in errors {
                form.fields[field].error = Some(message);
            }
            Vec::new()
        }
        Ok(crate::app::cloud::forms::WorkflowFile { path, text, needs }) => {
            model.shared.overlay = Overlay::None;
            if model.shared.refuse_if_readonly("write a workflow") {
                return Vec::new();
            }
            model.cloud.workflow_needs = needs;
            launch(
                &mut model.shared,
                Command::WriteWorkflow {
                    path,
                    text,
                    force: false,
                },
            )
        }
    }
}

/// Keys in the command palette: filter, choose, and run the chosen action in
/// its pane (the pane is shown first, so the action works on its selection).
pub(crate) fn on_palette_key(model: &mut Model, key: KeyEvent) -> Handled {
    use crate::app::learn::help::{PaletteKey, palette_entries, pane_of};
    let Overlay::Palette(view) = &mut model.shared.overlay else {
        return Handled::unseen();
    };
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        // ctrl-c or ctrl-p again: away, as Esc.
        model.shared.overlay = Overlay::None;
        return Handled::shown(Vec::new());
    }
    let filter = view.filter.clone();
    let entries = palette_entries(&model.view.keymap, model.shared.pane, &filter);
    let Overlay::Palette(view) = &mut model.shared.overlay else {
        return Handled::unseen();
    };
    match crate::app::learn::help::on_palette_key(view, key.code, entries.len()) {
        PaletteKey::Stay => Handled::shown(Vec::new()),
        PaletteKey::Close => {
            model.shared.overlay = Overlay::None;
            Handled::shown(Vec::new())
        }
        PaletteKey::Run(index) => {
            model.shared.overlay = Overlay::None;
            let entry = &entries[index];
            if let Some(pane) = pane_of(entry.context) {
                model.shared.pane = pane;
            }
            crate::app::core::actions::on_action(model, entry.action)
        }
    }
}

/// Keys in a picker: move, choose with enter, leave with esc.
pub(crate) fn on_pick_key(model: &mut Model, key: KeyEvent) -> Handled {
    let Overlay::Pick(picker) = &mut model.shared.overlay else {
        return Handled::unseen();
    };
    let last = picker.items.len().saturating_sub(1);
    let ctrl_c = key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') => model.shared.overlay = Overlay::None,
        _ if ctrl_c => model.shared.overlay = Overlay::None,
        KeyCode::Down | KeyCode::Char('j') => picker.selected = (picker.selected + 1).min(last),
        KeyCode::Up | KeyCode::Char('k') => picker.selected = picker.selected.saturating_sub(1),
        KeyCode::Home | KeyCode::Char('g') => picker.selected = 0,
        KeyCode::End | KeyCode::Char('G') => picker.selected = last,
        KeyCode::Enter => {
            let Overlay::Pick(picker) = std::mem::take(&mut model.shared.overlay) else {
                return Handled::unseen();
            };
            if picker.items.is_empty() {
                return Handled::shown(Vec::new());
            }
            let index = picker.selected.min(last);
            let label = picker.items[index].label.clone();
            return match picker.purpose {
                PickPurpose::Rollout {
                    namespace,
                    name,
                    revisions,
                } => crate::app::kube::rollout::on_choice(
                    &mut model.shared,
                    (namespace, name, revisions),
                    index,
                ),
                PickPurpose::Minikube { profile } => {
                    crate::app::kube::minikube::on_menu_choice(&mut model.shared, profile, &label)
                }
                purpose => crate::app::core::command_line::on_pick(model, &purpose, label),
            }
            .into();
        }
        _ => return Handled::unseen(),
    }
    Handled::shown(Vec::new())
}

pub(crate) fn on_form_key(model: &mut Model, key: KeyEvent) -> Handled {
    let Overlay::Form(form) = &mut model.shared.overlay else {
        return Handled::unseen();
    };
    let ctrl_c = key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Esc => model.shared.overlay = Overlay::None,
        _ if ctrl_c => model.shared.overlay = Overlay::None,
        _ if form.pending => return Handled::unseen(),
        // The manifest path is the apply form's only field: tab completes it, as a shell does.
        KeyCode::Tab if form.kind == crate::app::core::forms::FormKind::Apply => {
            return Handled::shown(vec![Command::CompletePath {
                typed: form.fields[0].value().to_string(),
            }]);
        }
        KeyCode::Tab | KeyCode::Down => form.focus = (form.focus + 1) % form.fields.len(),
        KeyCode::BackTab | KeyCode::Up => {
            form.focus = (form.focus + form.fields.len() - 1) % form.fields.len()
        }
        KeyCode::Enter => return submit_form(model).into(),
        _ => {
            if let Some(request) = to_input_request(&crossterm::event::Event::Key(key)) {
                let field = &mut form.fields[form.focus];
                field.input.handle(request);
                field.error = None;
            }
        }
    }
    Handled::shown(Vec::new())
}

fn submit_form(model: &mut Model) -> Vec<Command> {
    if let Overlay::Form(form) = &model.shared.overlay
        && form.kind == crate::app::core::forms::FormKind::Workflow
    {
        return submit_workflow(model);
    }
    let Overlay::Form(form) = &mut model.shared.overlay else {
        return Vec::new();
    };
    match form.parse() {
        None => Vec::new(),
        Some(FormOutput::Build(spec)) => {
            if model.shared.readonly {
                model.shared.overlay = Overlay::None;
                model.shared.refuse_if_readonly("build");
                return Vec::new();
            }
            // The effect checks the paths; the form waits for its answer.
            form.pending = true;
            vec![Command::CheckBuildContext(spec)]
        }
        Some(FormOutput::Run(spec)) => {
            model.shared.overlay = Overlay::None;
            let job = model.shared.alloc_job();
            launch(&mut model.shared, Command::Run { job, spec })
        }
        Some(FormOutput::Expose(spec)) => {
            model.shared.overlay = Overlay::None;
            model.kube.select_when_seen.push((
                crate::domain::kube::KubeKind::Service,
                format!("{}/{}", spec.namespace, spec.service),
            ));
            let job = model.shared.alloc_job();
            launch(&mut model.shared, Command::Expose { job, spec })
        }
        Some(FormOutput::Apply { path }) => {
            if model.shared.readonly {
                model.shared.overlay = Overlay::None;
                model.shared.refuse_if_readonly("apply");
                return Vec::new();
            }
            // The effect reads and parses it; the form waits for its answer.
            form.pending = true;
            vec![Command::CheckManifest { path }]
        }
        Some(FormOutput::CloudSettings(settings)) => {
            model.shared.overlay = Overlay::None;
            if model
                .shared
                .refuse_if_readonly("save the Cloud Run settings")
            {
                return Vec::new();
            }
            launch(&mut model.shared, Command::SaveCloudSettings(settings))
        }
        Some(FormOutput::Forward { local, remote }) => {
            crate::app::forwards::submit(&mut model.forwards, &mut model.shared, local, remote)
        }
        Some(FormOutput::Exec(command)) => {
            model.shared.overlay = Overlay::None;
            crate::app::exec::submit(&mut model.exec, &mut model.shared, command)
        }
        Some(FormOutput::Scale {
            namespace,
            name,
            replicas,
        }) => {
            model.shared.overlay = Overlay::None;
            crate::app::kube::actions::scale_to(
                &mut model.kube,
                &mut model.shared,
                namespace,
                name,
                replicas,
            )
        }
    }
}
