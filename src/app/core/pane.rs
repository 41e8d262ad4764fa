//! The panes, in tab order, and the key context each one has.

use crate::app::core::keymap::Context;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
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
    /// Not a numbered tab (the ten digits are taken): `P` or `:forwards`.
    Forwards,
}

impl Pane {
    pub const ALL: [Pane; 10] = [
        Pane::Containers,
        Pane::Images,
        Pane::Jobs,
        Pane::Logs,
        Pane::Deployments,
        Pane::Pods,
        Pane::Services,
        Pane::Events,
        Pane::Cloud,
        Pane::History,
    ];

    pub fn title(self) -> &'static str {
        match self {
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

    pub fn context(self) -> Context {
        match self {
            Self::Containers => Context::Containers,
            Self::Images => Context::Images,
            Self::Jobs => Context::Jobs,
            Self::Logs => Context::Logs,
            Self::Deployments => Context::Deployments,
            Self::Pods => Context::Pods,
            Self::Services => Context::Services,
            Self::Events => Context::Events,
            Self::Cloud => Context::Cloud,
            Self::History => Context::History,
            Self::Forwards => Context::Forwards,
        }
    }

    pub fn is_kube(self) -> bool {
        matches!(
            self,
            Self::Deployments | Self::Pods | Self::Services | Self::Events
        )
    }

    /// Its place among the tabs; Forwards, which has no tab, sits after Services.
    pub fn index(self) -> usize {
        let pane = if self == Self::Forwards {
            Self::Services
        } else {
            self
        };
        Self::ALL.iter().position(|p| *p == pane).unwrap_or(0)
    }

    /// Whether it has a numbered tab (Forwards has none).
    pub fn has_tab(self) -> bool {
        self != Self::Forwards
    }
}
