//! What each key action is called in help and the footer, and which ones
//! the footer shows (the actions themselves are in `keymap.rs`).

use super::keymap::Action;

impl Action {
    pub fn description(self) -> &'static str {
        match self {
            Self::Help => "help",
            Self::Quit => "quit",
            Self::NextPane => "next pane",
            Self::PrevPane => "previous pane",
            Self::PaneContainers => "containers",
            Self::PaneImages => "images",
            Self::PaneJobs => "jobs",
            Self::PaneLogs => "logs",
            Self::PaneDeployments => "deployments",
            Self::PanePods => "pods",
            Self::PaneServices => "services",
            Self::PaneEvents => "events",
            Self::PaneCloud => "Cloud Run",
            Self::PaneHistory => "history",
            Self::NextTheme => "next theme",
            Self::ToggleLearn => "learn mode on/off",
            Self::Down => "down",
            Self::Up => "up",
            Self::Top => "top",
            Self::Bottom => "bottom",
            Self::PageDown => "page down",
            Self::PageUp => "page up",
            Self::Filter => "filter / search",
            Self::Back => "back / clear filter",
            Self::SortNext => "sort by next column",
            Self::SortReverse => "reverse sort",
            Self::Build => "build an image",
            Self::ToggleAll => "show stopped too",
            Self::StopStart => "stop / start",
            Self::Restart => "restart",
            Self::Remove => "remove",
            Self::Logs => "logs",
            Self::Open => "open in browser",
            Self::Run => "run a container",
            Self::ToggleFollow => "follow on/off",
            Self::Scale => "scale",
            Self::ScaleUp => "scale up",
            Self::ScaleDown => "scale down",
            Self::Yaml => "YAML",
            Self::DrillDown => "its pods",
            Self::Apply => "apply a manifest",
            Self::Expose => "expose",
            Self::Minikube => "minikube menu",
            Self::DockerEnv => "docker-env on/off",
            Self::CommandLine => "command (:pods :theme :export…)",
            Self::DeploymentManifest => "write a Deployment manifest",
            Self::PreviousLogs => "previous container on/off",
            Self::Deploy => "deploy to Cloud Run",
            Self::Refresh => "refresh",
            Self::CloudSettings => "settings",
            Self::Workflow => "GitHub Actions workflow",
            Self::CancelJob => "cancel the running job (else quit)",
            Self::ToggleWatch => "watch: rebuild on save",
            Self::PauseWatch => "pause/resume watch",
            Self::TriggerCycle => "dev cycle now",
            Self::DevMode => "dev auto/manual",
            Self::Shell => "shell inside",
            Self::ExecCommand => "run a command inside",
            Self::PaneForwards => "port-forwards",
            Self::OnlyPod => "one pod / all",
            Self::LogSince => "since",
            Self::PortForward => "port-forward",
            Self::StopAllForwards => "stop all",
            Self::KeepForward => "keep on/off",
            Self::Revisions => "revisions",
            Self::TrafficToRevision => "all traffic to revision",
            Self::Palette => "command palette",
            Self::RolloutHistory => "rollout history",
            Self::Undo => "undo the last change (asks first)",
            Self::Xray => "tree",
        }
    }

    /// The keys that jump to a pane by its number.
    pub fn is_pane_jump(self) -> bool {
        matches!(
            self,
            Self::PaneContainers
                | Self::PaneImages
                | Self::PaneJobs
                | Self::PaneLogs
                | Self::PaneDeployments
                | Self::PanePods
                | Self::PaneServices
                | Self::PaneEvents
                | Self::PaneCloud
                | Self::PaneHistory
        )
    }

    /// Footer entries: the few actions worth a glance in each context.
    pub fn in_footer(self) -> bool {
        !self.is_pane_jump()
            && !matches!(
                self,
                Self::Down
                    | Self::Up
                    | Self::Top
                    | Self::Bottom
                    | Self::PageDown
                    | Self::PageUp
                    | Self::PrevPane
                    | Self::NextTheme
                    | Self::SortReverse
                    | Self::Back
                    // In help; the footer keeps ? and q in sight on the panes that have it.
                    | Self::DevMode
                    | Self::ExecCommand
                | Self::PaneForwards
            )
    }
}
