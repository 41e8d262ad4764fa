//! Help you can find things in. The help overlay (`?`) lists the keys, the
//! pane's own first, filtered as you type and scrolled; the command palette
//! (`ctrl-p`) lists every action with its key, the pane it works in and the
//! command line it stands for, filtered as you type, and runs the chosen one.

use crate::app::core::keymap::{Action, Context, Keymap};
use crate::app::core::model::Pane;

/// One action as help and the palette show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpEntry {
    pub context: Context,
    pub action: Action,
    /// Its keys, as the footer writes them (`enter l`).
    pub keys: String,
    pub description: &'static str,
    /// The command line it stands for ("" for what runs nothing outside).
    pub stands_for: &'static str,
}

/// What the help overlay shows: the filter typed and how far it is scrolled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HelpView {
    pub filter: String,
    pub scroll: usize,
}

/// The command palette: the filter typed and the entry chosen among those that match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaletteView {
    pub filter: String,
    pub selected: usize,
}

/// The pane a context's keys work in; None for the keys that work everywhere.
pub fn pane_of(context: Context) -> Option<Pane> {
    Some(match context {
        Context::Global => return None,
        Context::Containers => Pane::Containers,
        Context::Images => Pane::Images,
        Context::Jobs => Pane::Jobs,
        Context::Logs => Pane::Logs,
        Context::Deployments => Pane::Deployments,
        Context::Pods => Pane::Pods,
        Context::Services => Pane::Services,
        Context::Events => Pane::Events,
        Context::Cloud => Pane::Cloud,
        Context::History => Pane::History,
        Context::Forwards => Pane::Forwards,
    })
}

/// Every action of the keymap: the pane's own first, then those that work
/// everywhere, then the other panes' in their order.
pub fn entries(keymap: &Keymap, pane: Pane) -> Vec<HelpEntry> {
    let first = [pane.context(), Context::Global];
    let rest = Context::ALL
        .into_iter()
        .filter(|context| !first.contains(context));
    let contexts: Vec<Context> = first.into_iter().chain(rest).collect();
    let mut entries = Vec::new();
    for context in contexts {
        for (action, keys) in keymap.grouped(context) {
            entries.push(HelpEntry {
                context,
                action,
                keys: keys.join(" "),
                description: action.description(),
                stands_for: stands_for(action, context),
            });
        }
    }
    entries
}

/// Whether every word typed is in the entry's keys, words, pane or command line.
pub fn matches(entry: &HelpEntry, filter: &str) -> bool {
    // Help is drawn every frame while open, mostly with nothing typed.
    if filter.trim().is_empty() {
        return true;
    }
    let haystack = format!(
        "{} {} {} {}",
        entry.keys,
        entry.description,
        entry.context.title(),
        entry.stands_for
    )
    .to_lowercase();
    filter
        .to_lowercase()
        .split_whitespace()
        .all(|word| haystack.contains(word))
}

/// Whether a column note matches the filter (by column or by meaning).
pub fn note_matches(column: &str, meaning: &str, filter: &str) -> bool {
    let haystack = format!("{column} {meaning}").to_lowercase();
    filter
        .to_lowercase()
        .split_whitespace()
        .all(|word| haystack.contains(word))
}

/// The palette's entries for a filter: every action that runs something, in
/// the order `entries` gives (movement keys are left out: they are no command).
pub fn palette_entries(keymap: &Keymap, pane: Pane, filter: &str) -> Vec<HelpEntry> {
    let mut found: Vec<HelpEntry> = entries(keymap, pane)
        .into_iter()
        .filter(|e| !is_movement(e.action) && matches(e, filter))
        .collect();
    // What is typed as the start of an action's own words comes first ("expo": expose).
    found.sort_by_key(|e| rank(e, filter));
    found
}

/// 0 when every word typed starts a word of the description, 1 when the
/// description holds them all, 2 when only the keys, pane or command line do.
fn rank(entry: &HelpEntry, filter: &str) -> u8 {
    let description = entry.description.to_lowercase();
    let typed: Vec<String> = filter
        .to_lowercase()
        .split_whitespace()
        .map(String::from)
        .collect();
    if typed.iter().all(|t| {
        description
            .split_whitespace()
            .any(|w| w.starts_with(t.as_str()))
    }) {
        0
    } else if typed.iter().all(|t| description.contains(t.as_str())) {
        1
    } else {
        2
    }
}

fn is_movement(action: Action) -> bool {
    matches!(
        action,
        Action::Down
            | Action::Up
            | Action::Top
            | Action::Bottom
            | Action::PageDown
            | Action::PageUp
            | Action::Back
    )
}

/// The command line an action stands for, with the selection's words in capitals.
pub fn stands_for(action: Action, context: Context) -> &'static str {
    use Context as C;
    match (action, context) {
        (Action::Build, _) => "docker build -t IMAGE .",
        (Action::Run, _) => "docker run -d -p 127.0.0.1:PORT:PORT IMAGE",
        (Action::StopStart, C::Forwards) => "kubectl port-forward … (stopped / started again)",
        (Action::StopStart, _) => "docker stop NAME / docker start NAME",
        (Action::Restart, C::Deployments) => "kubectl rollout restart deployment/NAME -n NS",
        (Action::Restart, _) => "docker restart NAME",
        (Action::Remove, C::Containers) => "docker rm -f NAME",
        (Action::Remove, C::Images) => "docker rmi IMAGE",
        (Action::Remove, C::Forwards) => "(ends the port-forward)",
        (Action::Remove, _) => "kubectl delete KIND NAME -n NS",
        (Action::Logs, C::Containers) => "docker logs -f --tail 500 NAME",
        (Action::Logs, C::Deployments) => "kubectl logs -f -l SELECTOR --prefix -n NS",
        (Action::Logs, C::Pods) => "kubectl logs -f --tail=500 POD -n NS",
        (Action::Logs, C::Cloud) => "gcloud run services logs read SERVICE --region R",
        (Action::Open, C::Cloud) => "xdg-open SERVICE-URL",
        (Action::Open, C::Services) => "minikube service NAME -n NS --url, then xdg-open URL",
        (Action::Open, _) => "xdg-open http://127.0.0.1:PORT",
        (Action::Scale | Action::ScaleUp | Action::ScaleDown, _) => {
            "kubectl scale --replicas=N deployment/NAME -n NS"
        }
        (Action::Yaml, _) => "kubectl get KIND NAME -n NS -o yaml",
        (Action::DrillDown, _) => "kubectl get pods -l SELECTOR -n NS",
        (Action::RolloutHistory, _) => {
            "kubectl rollout history deployment/NAME; undo --to-revision=N"
        }
        (Action::Xray, C::Services) => "kubectl get pods -n NS --show-labels (beside the selector)",
        (Action::Xray, _) => "kubectl get deployment,replicaset,pod,service -l SELECTOR -o wide",
        (Action::Apply, _) => "kubectl apply --server-side -f FILE",
        (Action::Expose, _) => "kubectl expose deployment NAME --type=NodePort --port=PORT",
        (Action::Minikube, _) => "minikube start / stop / pause / unpause / dashboard",
        (Action::DockerEnv, _) => "eval $(minikube docker-env)",
        (Action::DeploymentManifest, _) => {
            "kubectl create deployment NAME --image=IMAGE --dry-run=client -o yaml > FILE"
        }
        (Action::PreviousLogs, _) => "kubectl logs --previous POD -n NS",
        (Action::Undo, _) => "the last change's inverse (kubectl scale back, rollout undo…)",
        (Action::Deploy, _) => "gcloud builds submit --tag IMAGE && gcloud run deploy SERVICE",
        (Action::Refresh, _) => "gcloud config list && gcloud run services list",
        (Action::CloudSettings, _) => "cat > pilothouse.toml",
        (Action::Workflow, _) => "cat > .github/workflows/deploy.yml",
        (Action::Revisions, _) => "gcloud run revisions list --service SERVICE",
        (Action::TrafficToRevision, _) => {
            "gcloud run services update-traffic SERVICE --to-revisions REV=100"
        }
        (Action::ToggleAll, _) => "docker ps -a",
        (Action::Shell, _) => "docker exec -it NAME sh / kubectl exec -it POD -- sh",
        (Action::ExecCommand, _) => "docker exec NAME CMD / kubectl exec POD -- CMD",
        (Action::PortForward, _) => "kubectl port-forward TARGET LOCAL:PORT -n NS",
        (Action::StopAllForwards, _) => "(ends every port-forward)",
        (Action::KeepForward, _) => "cat > pilothouse.toml ([[forward]])",
        (Action::LogSince, _) => "kubectl logs -l SELECTOR --since=1m|10m|1h",
        (Action::TriggerCycle, _) => "docker build -t IMAGE . (then replace or roll out)",
        (Action::CancelJob, _) => "kill the job's command",
        (Action::PaneDeployments, _) => "kubectl get deployments",
        (Action::PanePods, _) => "kubectl get pods",
        (Action::PaneServices, _) => "kubectl get services",
        (Action::PaneEvents, _) => "kubectl get events",
        (Action::PaneContainers, _) => "docker ps",
        (Action::PaneImages, _) => "docker images",
        (Action::PaneCloud, _) => "gcloud run services list",
        _ => "",
    }
}

/// A key in the help overlay: typing filters, arrows scroll, Esc clears the
/// filter and then closes, Enter (or `?` with no filter) closes. True when it closes.
pub fn on_help_key(view: &mut HelpView, code: crossterm::event::KeyCode) -> bool {
    use crossterm::event::KeyCode;
    match code {
        KeyCode::Esc if !view.filter.is_empty() => view.filter.clear(),
        KeyCode::Esc | KeyCode::Enter => return true,
        KeyCode::Char('?') if view.filter.is_empty() => return true,
        KeyCode::Char(c) => view.filter.push(c),
        KeyCode::Backspace => {
            view.filter.pop();
        }
        KeyCode::Down => view.scroll = view.scroll.saturating_add(1),
        KeyCode::Up => view.scroll = view.scroll.saturating_sub(1),
        KeyCode::PageDown => view.scroll = view.scroll.saturating_add(10),
        KeyCode::PageUp => view.scroll = view.scroll.saturating_sub(10),
        KeyCode::Home => view.scroll = 0,
        KeyCode::End => view.scroll = usize::MAX / 2,
        _ => return false,
    }
    if matches!(code, KeyCode::Char(_) | KeyCode::Backspace | KeyCode::Esc) {
        view.scroll = 0;
    }
    false
}

/// What a key in the palette asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaletteKey {
    Stay,
    Close,
    /// Run the entry chosen (an index among those that match).
    Run(usize),
}

/// A key in the palette: typing filters, arrows choose, Enter runs, Esc
/// clears the filter and then closes. `count`: how many entries match now.
pub fn on_palette_key(
    view: &mut PaletteView,
    code: crossterm::event::KeyCode,
    count: usize,
) -> PaletteKey {
    use crossterm::event::KeyCode;
    match code {
        KeyCode::Esc if !view.filter.is_empty() => view.filter.clear(),
        KeyCode::Esc => return PaletteKey::Close,
        KeyCode::Enter if count > 0 => return PaletteKey::Run(view.selected.min(count - 1)),
        KeyCode::Enter => return PaletteKey::Stay,
        KeyCode::Char(c) => view.filter.push(c),
        KeyCode::Backspace => {
            view.filter.pop();
        }
        KeyCode::Down => view.selected = (view.selected + 1).min(count.saturating_sub(1)),
        KeyCode::Up => view.selected = view.selected.saturating_sub(1),
        KeyCode::PageDown => view.selected = (view.selected + 10).min(count.saturating_sub(1)),
        KeyCode::PageUp => view.selected = view.selected.saturating_sub(10),
        _ => return PaletteKey::Stay,
    }
    if matches!(code, KeyCode::Char(_) | KeyCode::Backspace | KeyCode::Esc) {
        view.selected = 0;
    }
    PaletteKey::Stay
}
