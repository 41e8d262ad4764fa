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
        }
    }

    pub fn is_kube(self) -> bool {
        matches!(
            self,
            Self::Deployments | Self::Pods | Self::Services | Self::Events
        )
    }

    pub fn index(self) -> usize {
        Self::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}
