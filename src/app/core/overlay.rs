//! What sits over the pane (help, a form, a question, a YAML view, a
//! picker) and the status line: the shared context every feature writes to.

use crate::app::core::command::Command;
use crate::app::core::forms::Form;

#[derive(Debug, Clone)]
pub struct Confirm {
    pub message: String,
    pub on_yes: Command,
}

#[derive(Debug, Clone, Default)]
pub enum Overlay {
    #[default]
    None,
    /// `?`: the keys, filtered as you type.
    Help(crate::app::learn::help::HelpView),
    /// `ctrl-p`: every action, filtered as you type; enter runs the chosen one.
    Palette(crate::app::learn::help::PaletteView),
    Form(Form),
    Confirm(Confirm),
    /// `y`: the YAML of an object, scrollable.
    Yaml(YamlView),
    /// A list to choose from: the minikube menu, contexts, namespaces, a pod's containers.
    Pick(Picker),
    /// `t`: how the selected object hangs together with the others, as a live tree.
    Xray(crate::app::kube::xray_state::XrayView),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Picker {
    pub title: String,
    pub items: Vec<PickItem>,
    pub selected: usize,
    pub purpose: PickPurpose,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PickItem {
    pub label: String,
    /// Shown muted beside the label: the command line, the current marker.
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PickPurpose {
    Minikube {
        profile: String,
    },
    Context,
    Namespace,
    /// A Deployment's revisions (newest first), then pause and resume.
    Rollout {
        namespace: String,
        name: String,
        revisions: Vec<u64>,
    },
    /// Which container's logs to follow.
    PodContainer {
        namespace: String,
        pod: String,
    },
    /// Which container of a pod a shell or a command runs in.
    ExecContainer {
        target: crate::domain::exec::ExecTarget,
        inside: crate::app::exec::state::Inside,
    },
}

impl Overlay {
    /// The YAML view, if that is what is open.
    pub fn clone_yaml(&self) -> Option<YamlView> {
        match self {
            Self::Yaml(view) => Some(view.clone()),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct YamlView {
    /// `deployment/cookbook-recipe -n default`
    pub title: String,
    /// None while it loads.
    pub lines: Option<Vec<String>>,
    /// The line under the cursor (the view keeps it in sight); `e` explains its field.
    pub cursor: usize,
    /// `e`: the field under the cursor, explained from the cluster's schema.
    pub explained: Option<Explained>,
    /// The relationships view it was opened from, shown again when it closes.
    pub back: Option<Box<crate::app::kube::xray_state::XrayView>>,
}

/// A field explained (`kubectl explain KIND.PATH`): None while it loads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explained {
    /// `deployment.spec.replicas`
    pub path: String,
    pub text: Option<Result<crate::domain::openapi::Explanation, String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub level: Level,
    pub text: String,
}
