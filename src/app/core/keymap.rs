//! Keys are data: the compiled-in TOML maps keys per context to actions. The
//! help overlay and the footer read the same table.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;

const DEFAULT_KEYMAP: &str = include_str!("keymap.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Context {
    Global,
    Containers,
    Images,
    Jobs,
    Logs,
    Deployments,
    Pods,
    Services,
    Events,
    Cloud,
    History,
    Forwards,
}

impl Context {
    pub const ALL: [Context; 12] = [
        Context::Global,
        Context::Containers,
        Context::Images,
        Context::Jobs,
        Context::Logs,
        Context::Deployments,
        Context::Pods,
        Context::Services,
        Context::Events,
        Context::Cloud,
        Context::History,
        Context::Forwards,
    ];

    /// The table name in the keymap file.
    pub fn key_name(self) -> &'static str {
        match self {
            Self::Global => "global",
            Self::Containers => "containers",
            Self::Images => "images",
            Self::Jobs => "jobs",
            Self::Logs => "logs",
            Self::Deployments => "deployments",
            Self::Pods => "pods",
            Self::Services => "services",
            Self::Events => "events",
            Self::Cloud => "cloud",
            Self::History => "history",
            Self::Forwards => "forwards",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Global => "Everywhere",
            Self::Containers => "Containers",
            Self::Images => "Images",
            Self::Jobs => "Jobs",
            Self::Logs => "Logs",
            Self::Deployments => "Deployments",
            Self::Pods => "Pods",
            Self::Services => "Services",
            Self::Events => "Events",
            Self::Cloud => "Cloud Run",
            Self::History => "History",
            Self::Forwards => "Forwards",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Help,
    Quit,
    NextPane,
    PrevPane,
    PaneContainers,
    PaneImages,
    PaneJobs,
    PaneLogs,
    PaneDeployments,
    PanePods,
    PaneServices,
    PaneEvents,
    PaneCloud,
    PaneHistory,
    NextTheme,
    ToggleLearn,
    Down,
    Up,
    Top,
    Bottom,
    PageDown,
    PageUp,
    Filter,
    Back,
    SortNext,
    SortReverse,
    Build,
    ToggleAll,
    StopStart,
    Restart,
    Remove,
    Logs,
    Open,
    Run,
    ToggleFollow,
    Scale,
    ScaleUp,
    ScaleDown,
    Yaml,
    DrillDown,
    Apply,
    Expose,
    Minikube,
    DockerEnv,
    CommandLine,
    DeploymentManifest,
    PreviousLogs,
    Deploy,
    Refresh,
    CloudSettings,
    Workflow,
    CancelJob,
    ToggleWatch,
    PauseWatch,
    TriggerCycle,
    DevMode,
    Shell,
    ExecCommand,
    PaneForwards,
    OnlyPod,
    LogSince,
    PortForward,
    StopAllForwards,
    KeepForward,
    Revisions,
    TrafficToRevision,
    Palette,
    RolloutHistory,
    Undo,
    Xray,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeySpec {
    pub code: KeyCode,
    pub ctrl: bool,
}

impl KeySpec {
    pub fn parse(text: &str) -> Result<Self, String> {
        let (ctrl, rest) = match text.strip_prefix("ctrl-") {
            Some(rest) if !rest.is_empty() => (true, rest),
            _ => (false, text),
        };
        let code = match rest {
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "shift-tab" => KeyCode::BackTab,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pgup" => KeyCode::PageUp,
            "pgdn" => KeyCode::PageDown,
            "space" => KeyCode::Char(' '),
            single if single.chars().count() == 1 => {
                KeyCode::Char(single.chars().next().unwrap_or(' '))
            }
            other => return Err(format!("'{other}' is not a key name")),
        };
        Ok(Self { code, ctrl })
    }

    pub fn from_event(key: &KeyEvent) -> Self {
        Self {
            code: key.code,
            ctrl: key.modifiers.contains(KeyModifiers::CONTROL),
        }
    }

    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Enter => "enter".to_string(),
            KeyCode::Esc => "esc".to_string(),
            KeyCode::Tab => "tab".to_string(),
            KeyCode::BackTab => "shift-tab".to_string(),
            KeyCode::Up => "↑".to_string(),
            KeyCode::Down => "↓".to_string(),
            KeyCode::Left => "←".to_string(),
            KeyCode::Right => "→".to_string(),
            KeyCode::Home => "home".to_string(),
            KeyCode::End => "end".to_string(),
            KeyCode::PageUp => "pgup".to_string(),
            KeyCode::PageDown => "pgdn".to_string(),
            KeyCode::Char(' ') => "space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            _ => "?".to_string(),
        };
        if self.ctrl {
            format!("ctrl-{base}")
        } else {
            base
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub context: Context,
    pub key: KeySpec,
    pub action: Action,
}

#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Keymap {
    pub fn default_map() -> Self {
        // The compiled-in table is tested below; a broken one must fail the build's tests, not a user.
        Self::parse(DEFAULT_KEYMAP)
            .unwrap_or_else(|err| panic!("the built-in keymap is broken: {err}"))
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        // A toml::Table keeps the file's order, so help lists keys as the file does.
        let table: toml::Table = toml::from_str(text).map_err(|e| format!("keymap: {e}"))?;
        let mut bindings = Vec::new();
        for (context_name, keys) in table {
            let context = Context::deserialize(toml::Value::String(context_name.clone()))
                .map_err(|_| format!("keymap: [{context_name}] is not a context"))?;
            let keys = keys.as_table().ok_or_else(|| {
                format!("keymap: [{context_name}] must be a table of key = \"action\"")
            })?;
            for (key, action) in keys {
                let key =
                    KeySpec::parse(key).map_err(|e| format!("keymap [{context_name}]: {e}"))?;
                let action = Action::deserialize(action.clone()).map_err(|_| {
                    format!(
                        "keymap [{context_name}] {}: '{action}' is not an action",
                        key.label()
                    )
                })?;
                bindings.push(Binding {
                    context,
                    key,
                    action,
                });
            }
        }
        Ok(Self { bindings })
    }

    /// Apply a user's `[keys.CONTEXT]` tables: each key replaces the same key's
    /// binding in that context (`"none"` unbinds it). Returns the keymap and the
    /// conflicts worth telling the user; a table or name that means nothing is an error.
    pub fn with_overrides(
        mut self,
        overrides: &std::collections::BTreeMap<String, toml::Table>,
    ) -> Result<(Self, Vec<String>), String> {
        let mut conflicts = Vec::new();
        let mut replaced: Vec<(Context, Action)> = Vec::new();
        let mut user_global = Vec::new();
        for (context_name, keys) in overrides {
            let context =
                Context::deserialize(toml::Value::String(context_name.clone())).map_err(|_| {
                    format!(
                        "keys.{context_name}: not a context; the contexts are {}",
                        Context::ALL.map(Context::key_name).join(", ")
                    )
                })?;
            let mut seen: Vec<(KeySpec, String)> = Vec::new();
            for (key_text, action) in keys {
                let key =
                    KeySpec::parse(key_text).map_err(|e| format!("keys.{context_name}: {e}"))?;
                let action_name = action.as_str().ok_or_else(|| {
                    format!("keys.{context_name} \"{key_text}\": the action must be a string")
                })?;
                if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
                    conflicts.push(format!(
                        "[keys.{context_name}] \"{first}\" and \"{key_text}\" are the same key; \"{key_text}\" wins"
                    ));
                }
                seen.push((key, key_text.clone()));
                let action = if action_name == "none" {
                    None
                } else {
                    Some(Action::deserialize(action.clone()).map_err(|_| {
                        format!(
                            "keys.{context_name} \"{key_text}\": '{action_name}' is not an action (`?` lists them; \"none\" unbinds)"
                        )
                    })?)
                };
                if let Some(pos) = self
                    .bindings
                    .iter()
                    .position(|b| b.context == context && b.key == key)
                {
                    let old = self.bindings.remove(pos);
                    replaced.push((context, old.action));
                }
                if let Some(action) = action {
                    self.bindings.push(Binding {
                        context,
                        key,
                        action,
                    });
                    if context == Context::Global {
                        user_global.push(key);
                    }
                }
            }
        }
        for (context, action) in replaced {
            if !self.bindings(context).any(|b| b.action == action) {
                conflicts.push(format!(
                    "{} no longer has a key in [{}]",
                    action.description(),
                    context.key_name()
                ));
            }
        }
        for key in user_global {
            let shadowed: Vec<&str> = Context::ALL
                .iter()
                .filter(|c| **c != Context::Global && self.bindings(**c).any(|b| b.key == key))
                .map(|c| c.key_name())
                .collect();
            if !shadowed.is_empty() {
                conflicts.push(format!(
                    "[global] {} is taken by the pane's own key in {}",
                    key.label(),
                    shadowed.join(", ")
                ));
            }
        }
        conflicts.dedup();
        Ok((self, conflicts))
    }

    /// The action for a key in a context: the context's own binding first, then the global one.
    pub fn lookup(&self, context: Context, key: &KeyEvent) -> Option<Action> {
        let spec = KeySpec::from_event(key);
        let find = |ctx| {
            self.bindings
                .iter()
                .find(|b| b.context == ctx && b.key == spec)
                .map(|b| b.action)
        };
        find(context).or_else(|| find(Context::Global))
    }

    pub fn bindings(&self, context: Context) -> impl Iterator<Item = &Binding> {
        self.bindings.iter().filter(move |b| b.context == context)
    }

    /// Actions with every key bound to each, in first-seen order, for help and the footer.
    pub fn grouped(&self, context: Context) -> Vec<(Action, Vec<String>)> {
        let mut grouped: Vec<(Action, Vec<String>)> = Vec::new();
        for binding in self.bindings(context) {
            match grouped.iter_mut().find(|(a, _)| *a == binding.action) {
                Some((_, keys)) => keys.push(binding.key.label()),
                None => grouped.push((binding.action, vec![binding.key.label()])),
            }
        }
        grouped
    }
}

#[cfg(test)]
#[path = "keymap_tests.rs"]
mod tests;
