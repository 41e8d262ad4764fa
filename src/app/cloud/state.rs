//! Cloud Run's half of the model: gcloud's account and project, the
//! project's settings, the services, the last deploy's URL, and what the
//! workflow written needs.

use crate::app::cloud::settings::CloudRunSettings;
use crate::app::core::table::TableState;
use crate::domain::cloud::{CloudServiceRow, GcloudState};

pub const INSTALL_HINT: &str =
    "gcloud is not installed: see https://cloud.google.com/sdk/docs/install, then gcloud init.";

#[derive(Debug, Clone, Default, PartialEq)]
pub enum SettingsState {
    /// Not read yet.
    #[default]
    Unknown,
    /// No `pilothouse.toml`, or no `[cloudrun]` in it.
    Missing,
    Loaded(CloudRunSettings),
    /// The file is there but wrong: the sentence names the line and the key.
    Invalid(String),
}

/// What the app's Dockerfile says about its port, for the `$PORT` warning.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppPorts {
    pub exposed: Vec<u16>,
    /// The Dockerfile or the app's entry mentions `PORT` (it reads Cloud Run's variable).
    pub reads_port_env: bool,
    /// What a CI test job should run, guessed from the files (`npm test`, `go test ./...`, …).
    pub test_command: String,
    /// The language the test job sets up first (Python, from its files), when known.
    pub language: Option<crate::app::cloud::workflow::LanguageSetup>,
}

#[derive(Debug, Clone, Default)]
pub struct CloudModel {
    pub gcloud: GcloudState,
    pub settings: SettingsState,
    pub app_ports: AppPorts,
    pub services: Vec<CloudServiceRow>,
    /// Why the services could not be listed, if they could not.
    pub services_error: Option<String>,
    pub table: TableState,
    /// The URL of the last deploy, for `o`.
    pub url: Option<String>,
    /// gcloud asked once, a few seconds after the start.
    pub asked: bool,
    /// Clock ticks seen: the settings are read at the first.
    pub ticks: u32,
    /// What the last workflow written needs in the repository (secrets, variables).
    pub workflow_needs: Vec<String>,
    /// The workflow file written (or found up to date) this session.
    pub workflow_written: Option<String>,
    /// Artifact Registry repositories known to exist (checked or made this session).
    pub repositories: Vec<crate::domain::cloud::RepositoryRef>,
    /// One service's revisions, shown in place of the services (`enter`; Esc closes).
    pub revisions: Option<RevisionsView>,
}

/// The revisions of one service, shown in place of the services table.
#[derive(Debug, Clone, PartialEq)]
pub struct RevisionsView {
    pub service: crate::app::cloud::service::ServiceRef,
    pub rows: Vec<crate::domain::cloud::CloudRevisionRow>,
    pub table: TableState,
    /// Why they could not be listed, if they could not.
    pub error: Option<String>,
    /// Asked, not answered yet.
    pub loading: bool,
}

/// Cloud Run's default `$PORT`.
pub const CLOUD_RUN_PORT: u16 = 8080;

impl CloudModel {
    pub fn settings(&self) -> Option<&CloudRunSettings> {
        match &self.settings {
            SettingsState::Loaded(settings) => Some(settings),
            _ => None,
        }
    }

    /// The table the pane shows: the revisions' when they are open, else the services'.
    pub fn table_mut(&mut self) -> &mut TableState {
        match &mut self.revisions {
            Some(view) => &mut view.table,
            None => &mut self.table,
        }
    }

    pub fn table(&self) -> &TableState {
        match &self.revisions {
            Some(view) => &view.table,
            None => &self.table,
        }
    }

    pub fn rebuild(&mut self) {
        match &mut self.revisions {
            Some(view) => view.table.rebuild(&view.rows, |_| true),
            None => self.table.rebuild(&self.services, |_| true),
        }
    }

    /// Columns of the table shown, for sorting.
    pub fn column_count(&self) -> usize {
        use crate::app::core::table::TableRow;
        match &self.revisions {
            Some(_) => crate::domain::cloud::CloudRevisionRow::column_count(),
            None => crate::domain::cloud::CloudServiceRow::column_count(),
        }
    }

    /// Warnings a deploy shows before the yes.
    pub fn warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        if let Some(settings) = self.settings() {
            warnings.extend(settings.check().1);
        }
        let ports = &self.app_ports;
        if !ports.reads_port_env
            && !ports.exposed.is_empty()
            && !ports.exposed.contains(&CLOUD_RUN_PORT)
        {
            let exposed: Vec<String> = ports.exposed.iter().map(u16::to_string).collect();
            warnings.push(format!(
                "Cloud Run sends requests to $PORT ({CLOUD_RUN_PORT}), but the Dockerfile EXPOSEs {} and nothing reads $PORT: make the app listen on $PORT, or it will not answer.",
                exposed.join(", ")
            ));
        }
        warnings
    }
}
