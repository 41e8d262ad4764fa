//! The `:` command line: `:ctx [NAME]`, `:ns [NAME|all]` (a picker without a
//! name), the panes by name, `:theme`, `:learn`, `:tour`, `:export`, `:q`.
//! Tab completes the word under the cursor; up and down recall earlier commands.

use crate::app::core::command::Command;
use crate::app::core::handled::Handled;
use crate::app::core::model::{Level, Model, Overlay, Pane, PickItem, PickPurpose, Picker};
use crate::domain::kube::KubeTarget;
use crate::domain::text::quote;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::to_input_request;

/// Every command, with what it does, for completion and the "did you mean".
pub const COMMANDS: [(&str, &str); 25] = [
    ("ctx", "switch context (a picker without a name)"),
    ("ns", "switch namespace (all: every namespace)"),
    ("theme", "switch theme (:theme NAME; T cycles)"),
    ("history", "History: every action with its command line"),
    (
        "export",
        "write the history as a shell script (:export PATH)",
    ),
    ("export!", "the same, replacing an existing file"),
    ("learn", "learn mode on/off (L)"),
    (
        "watch",
        "the dev loop: watch and rebuild on save, on/off (w)",
    ),
    (
        "tour",
        "the guided tour of the walkthrough (resumes where it was left)",
    ),
    (
        "exec",
        "run a command in the selected container or pod (:exec -- CMD ARGS; X)",
    ),
    (
        "image",
        "set the selected deployment's image (:image IMAGE; kubectl set image)",
    ),
    (
        "xray",
        "how an object hangs together (:xray deploy NAME, rs, pod, svc; t)",
    ),
    ("cloud", "Cloud Run"),
    ("help", "every key"),
    ("deploy", "Deployments"),
    ("pods", "Pods"),
    ("svc", "Services"),
    ("events", "Events"),
    ("containers", "Containers"),
    ("images", "Images"),
    ("jobs", "Jobs"),
    (
        "logs",
        "Logs; :logs SELECTOR [-n NS] [--since=10m] follows every pod it matches",
    ),
    ("forwards", "the port-forwards (P)"),
    (
        "save",
        "the Logs pane's lines to a file (:save [PATH]; :save! replaces)",
    ),
    ("q", "quit"),
];

const ALL_NAMESPACES: &str = "all";
const COMMAND_HISTORY: usize = 100;
pub use super::command_writes::{DEFAULT_EXPORT, DEFAULT_LOGS};
use super::command_writes::{export, save_logs};

/// Up: the command before; down: the one after, then an empty line. False with no earlier commands.
fn recall(model: &mut Model, older: bool) -> bool {
    let count = model.view.command_history.len();
    if count == 0 {
        return false;
    }
    let at = match (model.view.command_history_at, older) {
        (None, true) => Some(count - 1),
        (None, false) => None,
        (Some(at), true) => Some(at.saturating_sub(1)),
        (Some(at), false) if at + 1 < count => Some(at + 1),
        (Some(_), false) => None,
    };
    model.view.command_history_at = at;
    let text = at.map_or(String::new(), |i| model.view.command_history[i].clone());
    model.view.command_input = Some(Input::new(text));
    true
}

pub(crate) fn open(model: &mut Model) {
    model.view.command_input = Some(Input::default());
}

pub(crate) fn on_key(model: &mut Model, key: KeyEvent) -> Handled {
    let Some(input) = model.view.command_input.as_mut() else {
        return Handled::unseen();
    };
    let ctrl_c = key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Esc => model.view.command_input = None,
        _ if ctrl_c => model.view.command_input = None,
        KeyCode::Enter => {
            let text = input.value().trim().to_string();
            model.view.command_input = None;
            model.view.command_history_at = None;
            if !text.is_empty() && model.view.command_history.last() != Some(&text) {
                model.view.command_history.push(text.clone());
                if model.view.command_history.len() > COMMAND_HISTORY {
                    model.view.command_history.remove(0);
                }
            }
            return run(model, &text).into();
        }
        KeyCode::Up | KeyCode::Down => {
            return Handled::seen_if(recall(model, key.code == KeyCode::Up));
        }
        KeyCode::Tab => {
            let typed = input.value().to_string();
            let completed = complete(model, &typed);
            model.view.command_input = Some(Input::new(completed));
        }
        _ => {
            if let Some(request) = to_input_request(&crossterm::event::Event::Key(key)) {
                input.handle(request);
            }
        }
    }
    Handled::shown(Vec::new())
}

/// The longest completion of the last word: a command, or a context/namespace after `ctx`/`ns`.
pub fn complete(model: &Model, text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let (head, candidates): (String, Vec<String>) = match (words.as_slice(), text.ends_with(' ')) {
        ([], _) | ([_], false) => (
            String::new(),
            COMMANDS.iter().map(|(c, _)| c.to_string()).collect(),
        ),
        (["ctx", ..], _) => ("ctx ".to_string(), model.kube.contexts.clone()),
        (["ns", ..], _) => {
            let mut names = vec![ALL_NAMESPACES.to_string()];
            names.extend(model.kube.namespaces.iter().cloned());
            ("ns ".to_string(), names)
        }
        (["theme", ..], _) => ("theme ".to_string(), model.view.themes.names()),
        _ => return text.to_string(),
    };
    let typed = if text.ends_with(' ') && !head.is_empty() && words.len() == 1 {
        ""
    } else {
        words.last().copied().unwrap_or("")
    };
    let matching: Vec<&String> = candidates.iter().filter(|c| c.starts_with(typed)).collect();
    if matching.is_empty() {
        return text.to_string();
    }
    let common = crate::domain::text::common_prefix(matching.iter().map(|m| m.as_str()));
    let done = if matching.len() == 1 { " " } else { "" };
    format!("{head}{common}{done}")
}

pub(crate) fn run(model: &mut Model, text: &str) -> Vec<Command> {
    let mut words = text.split_whitespace();
    let Some(name) = words.next() else {
        return Vec::new();
    };
    let argument = words.next().map(String::from);
    match name {
        // A path may hold spaces: everything after the command word.
        "export" | "export!" => {
            let path = text.trim_start()[name.len()..].trim();
            return export(model, path, name == "export!");
        }
        "save" | "save!" => {
            let path = text.trim_start()[name.len()..].trim();
            return save_logs(model, path, name == "save!");
        }
        "ctx" | "context" => match argument {
            Some(context) => return switch_context(model, context),
            None => context_picker(model),
        },
        "ns" | "namespace" => match argument {
            Some(namespace) => return switch_namespace(model, namespace),
            None => namespace_picker(model),
        },
        "exec" => {
            // Everything after the word (and an optional `--`) is the command, shown in X's field to run.
            let rest = text.trim_start()[name.len()..].trim();
            let command = rest.strip_prefix("--").unwrap_or(rest).trim();
            model.exec.prefill = Some(command.to_string());
            return crate::app::core::exec_target::inside(model, crate::app::exec::Inside::Command);
        }
        "logs" if argument.is_some() => {
            // `:logs app=web [-n NS] [--since=10m]`, as kubectl's -l takes it.
            let words: Vec<&str> = text.split_whitespace().skip(1).collect();
            let namespace = model.kube.target.namespace.as_deref().unwrap_or("default");
            return match crate::app::docker::selector_logs::parse_logs_command(&words, namespace) {
                Ok(source) => crate::app::docker::selector_logs::selector_logs(
                    &mut model.docker.logs,
                    &mut model.shared,
                    source,
                ),
                Err(why) => {
                    model.set_status(Level::Warn, format!(":logs: {why}"));
                    Vec::new()
                }
            };
        }
        "xray" => match argument {
            None => match crate::app::kube::xray_open::selected_target(&model.kube, model.shared.pane) {
                Some(target) => crate::app::kube::xray_open::open(&model.kube, &mut model.shared, target),
                None => model.set_status(
                    Level::Warn,
                    ":xray KIND NAME (deploy, rs, pod or svc), or :xray on a selected Deployment, Pod or Service.",
                ),
            },
            Some(_) => {
                let words: Vec<&str> = text.split_whitespace().skip(1).collect();
                crate::app::kube::xray_open::open_named(&model.kube, &mut model.shared, &words);
            }
        },
        "image" => {
            return crate::app::kube::actions::set_image(&model.kube, &mut model.shared, argument);
        }
        "theme" => theme(model, argument),
        "learn" => crate::app::core::launch::toggle_learn(model),
        "watch" => {
            return crate::app::dev::actions::toggle_watch(&mut model.dev, &mut model.shared);
        }
        "tour" => crate::app::core::bookkeeping::start_tour(model),
        "help" => model.shared.overlay = Overlay::Help(Default::default()),
        "q" | "quit" => model.view.quit = true,
        _ => match pane_named(name) {
            Some(pane) => model.shared.pane = pane,
            None => model.set_status(Level::Warn, unknown(name)),
        },
    }
    Vec::new()
}

/// The panes by the names kubectl and docker users type.
fn pane_named(name: &str) -> Option<Pane> {
    Some(match name {
        "deploy" | "deployments" => Pane::Deployments,
        "pods" | "po" => Pane::Pods,
        "svc" | "services" => Pane::Services,
        "events" | "ev" => Pane::Events,
        "containers" | "ps" => Pane::Containers,
        "images" => Pane::Images,
        "jobs" => Pane::Jobs,
        "logs" => Pane::Logs,
        "cloud" | "run" => Pane::Cloud,
        "history" => Pane::History,
        "forwards" | "pf" | "port-forwards" | "portforwards" => Pane::Forwards,
        _ => return None,
    })
}

fn theme(model: &mut Model, name: Option<String>) {
    let names = model.view.themes.names();
    match name {
        Some(name) if model.view.themes.select(&name) => {
            model.set_status(Level::Info, format!("Theme: {name}."));
        }
        Some(name) => model.set_status(
            Level::Warn,
            format!(
                "No theme named {name}. The themes: {}. Add your own as a .toml file in {}.",
                names.join(", "),
                user_themes_dir()
            ),
        ),
        None => model.set_status(
            Level::Info,
            format!(
                "Theme: {}. The themes: {} (T cycles).",
                model.theme().name,
                names.join(", ")
            ),
        ),
    }
}

fn user_themes_dir() -> String {
    crate::config::config_dir()
        .map(|d| d.join("themes").display().to_string())
        .unwrap_or_else(|| "the config directory's themes/".to_string())
}

fn unknown(name: &str) -> String {
    let nearest = COMMANDS
        .iter()
        .min_by_key(|(command, _)| edit_distance(name, command))
        .map(|(command, _)| *command)
        .unwrap_or("ctx");
    format!("Unknown command :{name}. Did you mean :{nearest}? (tab completes)")
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

fn current_context(model: &Model) -> Option<String> {
    model
        .kube
        .target
        .context
        .clone()
        .or_else(|| model.minikube.context.clone())
}

pub(crate) fn context_picker(model: &mut Model) {
    let current = current_context(model);
    let items: Vec<PickItem> = model
        .kube
        .contexts
        .iter()
        .map(|name| PickItem {
            label: name.clone(),
            detail: if Some(name) == current.as_ref() {
                "(current)".into()
            } else {
                String::new()
            },
        })
        .collect();
    let selected = items.iter().position(|i| !i.detail.is_empty()).unwrap_or(0);
    model.shared.overlay = Overlay::Pick(Picker {
        title: "Context (pilothouse only: the kubeconfig is not changed)".into(),
        items,
        selected,
        purpose: PickPurpose::Context,
    });
}

pub(crate) fn namespace_picker(model: &mut Model) {
    let current = model.kube.target.namespace.clone();
    let mut items = vec![PickItem {
        label: ALL_NAMESPACES.into(),
        detail: "every namespace (-A)".into(),
    }];
    items.extend(model.kube.namespaces.iter().map(|name| PickItem {
        label: name.clone(),
        detail: String::new(),
    }));
    let selected = current
        .and_then(|ns| items.iter().position(|i| i.label == ns))
        .unwrap_or(0);
    model.shared.overlay = Overlay::Pick(Picker {
        title: "Namespace".into(),
        items,
        selected,
        purpose: PickPurpose::Namespace,
    });
}

pub(crate) fn on_pick(model: &mut Model, purpose: &PickPurpose, label: String) -> Vec<Command> {
    match purpose {
        PickPurpose::Context => switch_context(model, label),
        PickPurpose::Namespace => switch_namespace(model, label),
        PickPurpose::PodContainer { namespace, pod } => crate::app::docker::actions::pod_logs(
            &mut model.docker.logs,
            &mut model.shared,
            crate::app::core::model::PodLogSource {
                namespace: namespace.clone(),
                name: pod.clone(),
                container: Some(label),
                previous: false,
            },
        ),
        PickPurpose::ExecContainer { target, inside } => crate::app::exec::picked(
            &mut model.exec,
            &mut model.shared,
            target.clone(),
            label,
            *inside,
        ),
        // Chosen by index where the picker is answered.
        PickPurpose::Minikube { .. } | PickPurpose::Rollout { .. } => Vec::new(),
    }
}

fn switch_context(model: &mut Model, name: String) -> Vec<Command> {
    if !model.kube.contexts.is_empty() && !model.kube.contexts.contains(&name) {
        model.set_status(
            Level::Warn,
            format!(
                "No context {name} in the kubeconfig (it has: {}).",
                model.kube.contexts.join(", ")
            ),
        );
        return Vec::new();
    }
    if current_context(model).as_ref() == Some(&name) {
        if !refused_something(model) {
            model.set_status(Level::Info, format!("Already on context {name}."));
            return Vec::new();
        }
        // What the cluster refused is never asked again by itself: this asks once more.
        model.set_status(Level::Info, format!("Asking context {name} again…"));
        return switch(model, model.kube.target.clone());
    }
    let target = KubeTarget {
        context: Some(name.clone()),
        namespace: model.kube.target.namespace.clone(),
    };
    model.shared.learn = Some(format!("kubectl --context {} get all", quote(&name)));
    model.set_status(Level::Info, format!("Switching to context {name}…"));
    switch(model, target)
}

fn switch_namespace(model: &mut Model, name: String) -> Vec<Command> {
    let namespace = (name != ALL_NAMESPACES && name != "-A").then_some(name);
    if let Some(name) = &namespace
        && !model.kube.namespaces.is_empty()
        && !model.kube.namespaces.contains(name)
    {
        model.set_status(
            Level::Warn,
            format!(
                "No namespace {name} in this cluster (it has: {}).",
                model.kube.namespaces.join(", ")
            ),
        );
        return Vec::new();
    }
    model.shared.learn = Some(match &namespace {
        Some(ns) => format!("kubectl get all -n {}", quote(ns)),
        None => "kubectl get all -A".to_string(),
    });
    let target = KubeTarget {
        context: model.kube.target.context.clone(),
        namespace,
    };
    switch(model, target)
}

/// Whether the cluster refused something (a 403, or the credentials): then `:ctx` or
/// `:ns` to where the cockpit already is asks again, since nothing else does.
fn refused_something(model: &Model) -> bool {
    !model.kube.not_allowed.is_empty()
        || matches!(
            model.kube.connection,
            crate::app::kube::state::KubeConnection::Rejected(_)
        )
}

/// Watch another context or namespace (or the same one again, after a refusal): the old
/// rows go at once, the new arrive by watch.
fn switch(model: &mut Model, target: KubeTarget) -> Vec<Command> {
    if target == model.kube.target && !refused_something(model) {
        return Vec::new();
    }
    let kube = &mut model.kube;
    kube.target = target.clone();
    kube.deployments = Default::default();
    kube.pods = Default::default();
    kube.services = Default::default();
    kube.events = Default::default();
    kube.select_when_seen.clear();
    kube.replica_sets.clear();
    kube.pods_of = None;
    for pane in [Pane::Deployments, Pane::Pods, Pane::Services, Pane::Events] {
        kube.rebuild(pane);
    }
    vec![Command::SwitchKube(target)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_and_suggestions() {
        assert_eq!(edit_distance("pdos", "pods"), 2);
        assert_eq!(edit_distance("ctx", "ctx"), 0);
        assert!(unknown("pdos").contains("Did you mean :pods?"));
        assert!(unknown("nss").contains(":ns?"));
    }
}
