//! The Cloud pane's forms: the `[cloudrun]` settings (`s`) and the GitHub
//! Actions workflow (`W`), each field checked where it is typed.

use crate::app::cloud::settings::{CloudRunSettings, DeployMode};
use crate::app::cloud::state::CloudModel;
use crate::app::cloud::workflow::{
    Auth, CI_PATH, DEPLOY_PATH, LanguageSetup, WorkflowSpec, ci_workflow, deploy_workflow,
};
use crate::app::core::command::Command;
use crate::app::core::forms::{Field, Form, FormKind};
use crate::app::core::model::{Level, Overlay};
use crate::app::core::shared::Shared;
use crate::domain::cloud::GcloudState;

/// `s` in the Cloud pane: the settings form, filled from the file, else from gcloud's config.
pub(crate) fn settings_form(cloud: &mut CloudModel, shared: &mut Shared) -> Vec<Command> {
    let (project, region) = match &cloud.gcloud {
        GcloudState::Ready(config) => (
            config.project.clone().unwrap_or_default(),
            config
                .region
                .clone()
                .unwrap_or_else(|| "us-central1".into()),
        ),
        _ => (String::new(), "us-central1".to_string()),
    };
    let dir_name = shared
        .cwd
        .file_name()
        .map(|n| {
            n.to_string_lossy()
                .to_lowercase()
                .replace(['_', ' ', '.'], "-")
        })
        .unwrap_or_default();
    let current = cloud.settings().cloned().unwrap_or(CloudRunSettings {
        project,
        region,
        service: dir_name,
        repository: "cloud-run".into(),
        image: String::new(),
        mode: DeployMode::CloudBuild,
        allow_unauthenticated: true,
    });
    shared.overlay = Overlay::Form(Form {
        kind: FormKind::CloudSettings,
        title: "Cloud Run settings (pilothouse.toml)",
        fields: vec![
            Field::new("Project", "the Google Cloud project id", &current.project),
            Field::new(
                "Region",
                "such as us-central1 or europe-west1",
                &current.region,
            ),
            Field::new("Service", "the Cloud Run service name", &current.service),
            Field::new(
                "Repository",
                "Artifact Registry repository",
                &current.repository,
            ),
            Field::new(
                "Image",
                "empty: REGION-docker.pkg.dev/PROJECT/REPOSITORY/SERVICE:latest",
                &current.image,
            ),
            Field::new(
                "Mode",
                "cloud-build, source, local or image",
                current.mode.label(),
            ),
            Field::new(
                "Public",
                "yes: --allow-unauthenticated; no: only allowed callers",
                if current.allow_unauthenticated {
                    "yes"
                } else {
                    "no"
                },
            ),
        ],
        focus: 0,
        pending: false,
        subject: None,
    });
    Vec::new()
}

/// `W`: a GitHub Actions workflow from the settings (deploy, or tests only).
pub(crate) fn workflow_form(cloud: &mut CloudModel, shared: &mut Shared) -> Vec<Command> {
    // Without settings only the test-only workflow can be written: offered, and said why.
    let settled = cloud.settings().is_some();
    if !settled {
        shared.set_status(
            Level::Info,
            "No Cloud Run settings yet (s in the Cloud pane, 9): ci writes the test-only workflow; deploy needs them.",
        );
    }
    let test = cloud.app_ports.test_command.clone();
    shared.overlay = Overlay::Form(Form {
        kind: FormKind::Workflow,
        title: "GitHub Actions workflow",
        fields: vec![
            Field::new(
                "Workflow",
                "deploy (tests, build, push, deploy) or ci (tests only)",
                if settled { "deploy" } else { "ci" },
            ),
            Field::new("Branch", "deploys on push to this branch", "main"),
            Field::new(
                "Auth",
                "wif: Workload Identity Federation (no key); key: a service account key in a secret",
                "wif",
            ),
            Field::new("Tests", "the command the test job runs", &test),
        ],
        focus: 0,
        pending: false,
        subject: None,
    });
    Vec::new()
}

/// A workflow to write: where, its text, and what it needs in the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowFile {
    pub path: String,
    pub text: String,
    /// Secrets and variables, each with what to put there.
    pub needs: Vec<String>,
}

/// The workflow form's answer, or the problems by field.
pub fn parse_workflow_form(
    form: &Form,
    settings: Option<&CloudRunSettings>,
    setup: Option<&LanguageSetup>,
) -> Result<WorkflowFile, Vec<(usize, String)>> {
    let value = |i: usize| form.value(i).trim().to_string();
    let mut errors = Vec::new();
    let deploy = match value(0).as_str() {
        "deploy" => true,
        "ci" => false,
        other => {
            errors.push((0, format!("{other:?}: deploy or ci")));
            true
        }
    };
    let branch = value(1);
    let branch_ok = !branch.is_empty()
        && !branch.starts_with(['-', '/'])
        && !branch.contains("..")
        && branch
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    if deploy && !branch_ok {
        errors.push((1, format!("{branch:?} is not a branch name")));
    }
    let auth = match value(2).as_str() {
        "wif" => Auth::WorkloadIdentity,
        "key" => Auth::CredentialsJson,
        other => {
            errors.push((2, format!("{other:?}: wif or key")));
            Auth::WorkloadIdentity
        }
    };
    let test_command = value(3);
    if test_command.is_empty() || test_command.contains('\n') {
        errors.push((3, "one line of shell, such as npm test".to_string()));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if !deploy {
        return Ok(WorkflowFile {
            path: CI_PATH.to_string(),
            text: ci_workflow(&test_command, setup),
            needs: Vec::new(),
        });
    }
    let Some(settings) = settings else {
        return Err(vec![(
            0,
            "deploy needs the Cloud Run settings (s in the Cloud pane); ci needs none".to_string(),
        )]);
    };
    let spec = WorkflowSpec {
        settings: settings.clone(),
        branch,
        auth,
        test_command,
        setup: setup.cloned(),
    };
    let needs = crate::app::cloud::workflow::needs(&spec)
        .into_iter()
        .map(|(name, what)| format!("{name}: {what}"))
        .collect();
    Ok(WorkflowFile {
        path: DEPLOY_PATH.to_string(),
        text: deploy_workflow(&spec),
        needs,
    })
}
