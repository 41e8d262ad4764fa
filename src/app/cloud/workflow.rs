//! GitHub Actions workflows from the Cloud Run settings: a deploy workflow
//! (tests first, then build, push to Artifact Registry and deploy, on push to
//! a branch) with the current action majors (REFERENCE.md), and a test-only CI
//! workflow. Pure text; writing it (never over a file without a diff and a
//! yes) is the effects' job.

use crate::app::cloud::settings::CloudRunSettings;

/// Every action the generated workflows use, at its current major. Each tag was
/// checked against the action's own releases (their upgrade pull requests, dated);
/// when a major moves, this is the one place to change.
pub mod actions {
    /// v7.0.1 since July 2026.
    pub const CHECKOUT: &str = "actions/checkout@v7";
    /// v7.0.0 since July 2026 (it dropped the `pip-install` input; none is used here).
    pub const SETUP_PYTHON: &str = "actions/setup-python@v7";
    pub const AUTH: &str = "google-github-actions/auth@v3";
    pub const DOCKER_LOGIN: &str = "docker/login-action@v4";
    pub const SETUP_BUILDX: &str = "docker/setup-buildx-action@v4";
    pub const BUILD_PUSH: &str = "docker/build-push-action@v7";
    pub const DEPLOY_CLOUDRUN: &str = "google-github-actions/deploy-cloudrun@v3";
    /// All of them, for the checks.
    pub const ALL: [&str; 7] = [
        CHECKOUT,
        SETUP_PYTHON,
        AUTH,
        DOCKER_LOGIN,
        SETUP_BUILDX,
        BUILD_PUSH,
        DEPLOY_CLOUDRUN,
    ];
}

/// How the test job sets up the app's language before it runs the tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LanguageSetup {
    /// `actions/setup-python` with this version (`.python-version`'s, else `3.x`).
    Python { version: String },
}

/// How the deploy job authenticates to Google Cloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Auth {
    /// Workload Identity Federation: no long-lived key in the repository.
    #[default]
    WorkloadIdentity,
    /// A service account key in a secret (works, but the key lives on).
    CredentialsJson,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowSpec {
    pub settings: CloudRunSettings,
    pub branch: String,
    pub auth: Auth,
    /// What the test job runs (`pytest`, `npm test`, …).
    pub test_command: String,
    /// The language the test job sets up first, when pilothouse knows how.
    pub setup: Option<LanguageSetup>,
}

/// `.github/workflows/deploy.yml`
pub const DEPLOY_PATH: &str = ".github/workflows/deploy.yml";
/// `.github/workflows/ci.yml`
pub const CI_PATH: &str = ".github/workflows/ci.yml";

/// The repository secrets and variables the deploy workflow reads, with what to put there.
pub fn needs(spec: &WorkflowSpec) -> Vec<(&'static str, String)> {
    let project = &spec.settings.project;
    match spec.auth {
        Auth::WorkloadIdentity => vec![
            (
                "variable WIF_PROVIDER",
                "projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER".to_string(),
            ),
            (
                "variable WIF_SERVICE_ACCOUNT",
                format!("a deployer service account, such as deployer@{project}.iam.gserviceaccount.com, with roles/run.admin, roles/artifactregistry.writer and roles/iam.serviceAccountUser"),
            ),
        ],
        Auth::CredentialsJson => vec![(
            "secret GCP_SA_KEY",
            "the JSON key of a service account with roles/run.admin, roles/artifactregistry.writer and roles/iam.serviceAccountUser".to_string(),
        )],
    }
}

/// The image without its tag: the workflow tags each build with the commit.
fn image_name(settings: &CloudRunSettings) -> String {
    let image = settings.image();
    let last_slash = image.rfind('/').unwrap_or(0);
    match image[last_slash..].find([':', '@']) {
        Some(at) => image[..last_slash + at].to_string(),
        None => image,
    }
}

/// The test job's steps: the checkout, the language, the tests.
fn test_steps(test_command: &str, setup: Option<&LanguageSetup>) -> String {
    let language = match setup {
        Some(LanguageSetup::Python { version }) => format!(
            "      - uses: {}\n        with:\n          python-version: {}\n",
            actions::SETUP_PYTHON,
            yaml_string(version)
        ),
        None => String::new(),
    };
    format!(
        "    steps:\n      - uses: {}\n{language}      - name: Test\n        run: {}\n",
        actions::CHECKOUT,
        yaml_string(test_command)
    )
}

/// A test command goes into YAML as a double-quoted string.
fn yaml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

pub fn deploy_workflow(spec: &WorkflowSpec) -> String {
    let s = &spec.settings;
    let image = image_name(s);
    let registry = image.split('/').next().unwrap_or_default().to_string();
    let (permissions, credentials) = match spec.auth {
        Auth::WorkloadIdentity => (
            "    permissions:\n      contents: read\n      id-token: write\n",
            "          workload_identity_provider: ${{ vars.WIF_PROVIDER }}\n          service_account: ${{ vars.WIF_SERVICE_ACCOUNT }}\n",
        ),
        Auth::CredentialsJson => (
            "    permissions:\n      contents: read\n",
            "          credentials_json: ${{ secrets.GCP_SA_KEY }}\n",
        ),
    };
    let allow = if s.allow_unauthenticated {
        "--allow-unauthenticated"
    } else {
        "--no-allow-unauthenticated"
    };
    format!(
        "# Written by pilothouse: on push to {branch}, run the tests, then build the image,\n\
         # push it to Artifact Registry and deploy it to Cloud Run.\n\
         name: Deploy to Cloud Run\n\
         \n\
         on:\n  push:\n    branches: [{branch}]\n\
         \n\
         env:\n  PROJECT_ID: {project}\n  REGION: {region}\n  SERVICE: {service}\n  IMAGE: {image}\n\
         \n\
         jobs:\n\
         \x20 test:\n    runs-on: ubuntu-latest\n{test}\
         \n\
         \x20 deploy:\n    needs: test\n    runs-on: ubuntu-latest\n{permissions}\
         \x20   steps:\n      - uses: {checkout}\n\
         \x20     - id: auth\n        uses: {auth}\n        with:\n          token_format: access_token\n{credentials}\
         \x20     - uses: {login}\n        with:\n          registry: {registry}\n          username: oauth2accesstoken\n          password: ${{{{ steps.auth.outputs.access_token }}}}\n\
         \x20     - uses: {buildx}\n\
         \x20     - uses: {build_push}\n        with:\n          context: .\n          push: true\n          tags: ${{{{ env.IMAGE }}}}:${{{{ github.sha }}}}\n\
         \x20     - id: deploy\n        uses: {deploy}\n        with:\n          service: ${{{{ env.SERVICE }}}}\n          image: ${{{{ env.IMAGE }}}}:${{{{ github.sha }}}}\n          region: ${{{{ env.REGION }}}}\n          project_id: ${{{{ env.PROJECT_ID }}}}\n          flags: {allow}\n\
         \x20     - name: Service URL\n        run: echo \"Deployed to ${{{{ steps.deploy.outputs.url }}}}\"\n",
        branch = spec.branch,
        project = s.project,
        region = s.region,
        service = s.service,
        test = test_steps(&spec.test_command, spec.setup.as_ref()),
        checkout = actions::CHECKOUT,
        auth = actions::AUTH,
        login = actions::DOCKER_LOGIN,
        buildx = actions::SETUP_BUILDX,
        build_push = actions::BUILD_PUSH,
        deploy = actions::DEPLOY_CLOUDRUN,
    )
}

/// The test-only workflow: every push and pull request runs the tests.
pub fn ci_workflow(test_command: &str, setup: Option<&LanguageSetup>) -> String {
    format!(
        "# Written by pilothouse: run the tests on every push and pull request.\n\
         name: CI\n\
         \n\
         on:\n  push:\n  pull_request:\n\
         \n\
         jobs:\n\
         \x20 test:\n    runs-on: ubuntu-latest\n{}",
        test_steps(test_command, setup)
    )
}

/// A line diff of `old` to `new` (`-` removed, `+` added, two lines of context
/// around each change), for the question before a file is replaced.
pub fn diff(old: &str, new: &str) -> Vec<String> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // Longest common subsequence table, from the ends; workflow files are small.
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut all = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            all.push(format!("  {}", a[i]));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            // Removed lines first, as diffs read.
            all.push(format!("- {}", a[i]));
            i += 1;
        } else {
            all.push(format!("+ {}", b[j]));
            j += 1;
        }
    }
    let changed: Vec<usize> = (0..all.len())
        .filter(|&k| !all[k].starts_with("  "))
        .collect();
    let near = |k: usize| changed.iter().any(|&c| c.abs_diff(k) <= 2);
    let mut shown = Vec::new();
    let mut skipped = false;
    for (k, line) in all.into_iter().enumerate() {
        if near(k) {
            shown.push(line);
            skipped = false;
        } else if !skipped {
            shown.push("  …".to_string());
            skipped = true;
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::cloud::settings::DeployMode;
    use serde_json::Value;

    fn spec(auth: Auth, allow: bool) -> WorkflowSpec {
        WorkflowSpec {
            settings: CloudRunSettings {
                project: "my-proj".into(),
                region: "europe-west1".into(),
                service: "cookbook".into(),
                repository: "apps".into(),
                image: String::new(),
                mode: DeployMode::CloudBuild,
                allow_unauthenticated: allow,
            },
            branch: "main".into(),
            auth,
            test_command: "python -m pytest".into(),
            setup: Some(LanguageSetup::Python {
                version: "3.x".into(),
            }),
        }
    }

    fn parse(text: &str) -> Value {
        serde_yaml_ng::from_str(text).expect("the workflow is valid YAML")
    }

    fn uses(job: &Value) -> Vec<String> {
        job["steps"]
            .as_array()
            .map(|steps| {
                steps
                    .iter()
                    .filter_map(|s| s["uses"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn the_deploy_workflow_tests_first_then_builds_pushes_and_deploys() {
        let text = deploy_workflow(&spec(Auth::WorkloadIdentity, true));
        let workflow = parse(&text);
        assert_eq!(workflow["on"]["push"]["branches"][0], "main");
        assert_eq!(
            workflow["env"]["IMAGE"],
            "europe-west1-docker.pkg.dev/my-proj/apps/cookbook"
        );
        let jobs = &workflow["jobs"];
        assert_eq!(
            uses(&jobs["test"]),
            [actions::CHECKOUT, actions::SETUP_PYTHON]
        );
        assert_eq!(jobs["test"]["steps"][1]["with"]["python-version"], "3.x");
        assert_eq!(jobs["test"]["steps"][2]["run"], "python -m pytest");
        assert_eq!(jobs["deploy"]["needs"], "test");
        assert_eq!(jobs["deploy"]["permissions"]["id-token"], "write");
        assert_eq!(
            uses(&jobs["deploy"]),
            [
                "actions/checkout@v7",
                "google-github-actions/auth@v3",
                "docker/login-action@v4",
                "docker/setup-buildx-action@v4",
                "docker/build-push-action@v7",
                "google-github-actions/deploy-cloudrun@v3",
            ]
        );
        let steps = &jobs["deploy"]["steps"];
        assert_eq!(
            steps[1]["with"]["workload_identity_provider"],
            "${{ vars.WIF_PROVIDER }}"
        );
        assert_eq!(steps[2]["with"]["registry"], "europe-west1-docker.pkg.dev");
        assert_eq!(steps[2]["with"]["username"], "oauth2accesstoken");
        assert_eq!(
            steps[4]["with"]["tags"],
            "${{ env.IMAGE }}:${{ github.sha }}"
        );
        assert_eq!(steps[5]["with"]["flags"], "--allow-unauthenticated");
        assert!(text.contains("${{ steps.deploy.outputs.url }}"));
        assert_eq!(needs(&spec(Auth::WorkloadIdentity, true)).len(), 2);
    }

    #[test]
    fn a_key_in_a_secret_is_the_alternative_and_private_services_stay_private() {
        let workflow = parse(&deploy_workflow(&spec(Auth::CredentialsJson, false)));
        let deploy = &workflow["jobs"]["deploy"];
        assert_eq!(
            deploy["steps"][1]["with"]["credentials_json"],
            "${{ secrets.GCP_SA_KEY }}"
        );
        assert!(deploy["permissions"].get("id-token").is_none());
        assert_eq!(
            deploy["steps"][5]["with"]["flags"],
            "--no-allow-unauthenticated"
        );
        assert_eq!(
            needs(&spec(Auth::CredentialsJson, false))[0].0,
            "secret GCP_SA_KEY"
        );
    }

    /// The whole files, read once as a user would and kept: a change to them shows in review.
    #[test]
    fn generated_workflows_snapshot() {
        insta::assert_snapshot!(
            "deploy_workload_identity",
            deploy_workflow(&spec(Auth::WorkloadIdentity, true))
        );
        insta::assert_snapshot!(
            "deploy_credentials_json_private",
            deploy_workflow(&spec(Auth::CredentialsJson, false))
        );
        let python = LanguageSetup::Python {
            version: "3.12".into(),
        };
        insta::assert_snapshot!("ci", ci_workflow("python -m pytest", Some(&python)));
    }

    #[test]
    fn the_diff_shows_changes_with_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\n";
        let new = "a\nb\nc\nD\ne\nf\ng\nh\n";
        assert_eq!(
            diff(old, new),
            [
                "  …", "  b", "  c", "- d", "+ D", "  e", "  f", "  g", "+ h"
            ]
        );
        assert!(diff(old, old).iter().all(|l| l == "  …"));
    }

    #[test]
    fn a_tagged_image_loses_its_tag_and_the_ci_workflow_only_tests() {
        let mut tagged = spec(Auth::WorkloadIdentity, true);
        tagged.settings.image = "us-docker.pkg.dev/p-roj/r/web:v3".into();
        assert_eq!(
            image_name(&tagged.settings),
            "us-docker.pkg.dev/p-roj/r/web"
        );
        let ci = parse(&ci_workflow("npm test -- --ci \"quoted\"", None));
        assert_eq!(
            ci["jobs"]["test"]["steps"][1]["run"],
            "npm test -- --ci \"quoted\""
        );
        assert!(ci["on"].get("pull_request").is_some());
        assert!(ci["jobs"].get("deploy").is_none());
        assert_eq!(uses(&ci["jobs"]["test"]), [actions::CHECKOUT]);
    }

    /// Every action the workflows use comes from the one list, and every one of the
    /// list is used: a major changed there changes every workflow.
    #[test]
    fn the_workflows_use_the_actions_of_the_one_list() {
        let deploy = deploy_workflow(&spec(Auth::WorkloadIdentity, true));
        let mut used: Vec<&str> = deploy
            .lines()
            .filter_map(|l| l.trim().trim_start_matches("- ").strip_prefix("uses: "))
            .collect();
        used.sort_unstable();
        used.dedup();
        let mut all = actions::ALL.to_vec();
        all.sort_unstable();
        assert_eq!(used, all);
    }
}
