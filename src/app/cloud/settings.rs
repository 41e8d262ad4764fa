//! Cloud Run: the project's settings (`[cloudrun]` in `pilothouse.toml`),
//! their validation, and the gcloud argument vectors each deploy mode runs.
//! Pure: the effects run the vectors, never through a shell.

use crate::app::cloud::names::{image_target, project_id, region, repository_id, service_name};
use crate::domain::text::quote;
use serde::{Deserialize, Serialize};

/// How `D` deploys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeployMode {
    /// `gcloud builds submit --tag IMAGE`, then `gcloud run deploy --image IMAGE`, as the walkthrough.
    #[default]
    CloudBuild,
    /// `gcloud run deploy --source .`: Cloud Build builds it and picks the image.
    Source,
    /// Build with the local engine, push to Artifact Registry, then `gcloud run deploy --image`.
    Local,
    /// Deploy the configured image as it is (built and pushed elsewhere, by CI say).
    Image,
}

impl DeployMode {
    pub const ALL: [DeployMode; 4] = [Self::CloudBuild, Self::Source, Self::Local, Self::Image];

    pub fn label(self) -> &'static str {
        match self {
            Self::CloudBuild => "cloud-build",
            Self::Source => "source",
            Self::Local => "local",
            Self::Image => "image",
        }
    }
}

/// `[cloudrun]` of `pilothouse.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct CloudRunSettings {
    pub project: String,
    #[serde(default = "default_region")]
    pub region: String,
    pub service: String,
    /// Artifact Registry repository for the image.
    #[serde(default = "default_repository")]
    pub repository: String,
    /// The full image reference; empty: `REGION-docker.pkg.dev/PROJECT/REPOSITORY/SERVICE:latest`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub image: String,
    #[serde(default)]
    pub mode: DeployMode,
    /// `--allow-unauthenticated` (a public URL) or `--no-allow-unauthenticated`.
    #[serde(default = "yes")]
    pub allow_unauthenticated: bool,
}

fn default_region() -> String {
    "us-central1".to_string()
}

fn default_repository() -> String {
    "cloud-run".to_string()
}

fn yes() -> bool {
    true
}

/// The file as a whole: `[cloudrun]` and the dev loop's `[dev]`; other tables are refused by name.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloudrun: Option<CloudRunSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dev: Option<crate::app::dev::settings::DevSettings>,
    /// `[[forward]]`: port-forwards started again when pilothouse starts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forward: Vec<crate::domain::forward::KeptForward>,
}

impl CloudRunSettings {
    /// The image deploys use: the configured one, else Artifact Registry's default shape.
    pub fn image(&self) -> String {
        if self.image.is_empty() {
            format!(
                "{}-docker.pkg.dev/{}/{}/{}:latest",
                self.region, self.project, self.repository, self.service
            )
        } else {
            self.image.clone()
        }
    }

    /// Problems that stop a deploy, by field name; then warnings that do not.
    pub fn check(&self) -> (Vec<(&'static str, String)>, Vec<String>) {
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        if let Err(e) = project_id(&self.project) {
            errors.push(("project", e));
        }
        if let Err(e) = service_name(&self.service) {
            errors.push(("service", e));
        }
        match region(&self.region) {
            Err(e) => errors.push(("region", e)),
            Ok(Some(warning)) => warnings.push(warning),
            Ok(None) => {}
        }
        if let Err(e) = repository_id(&self.repository) {
            errors.push(("repository", e));
        }
        if !self.image.is_empty() {
            match image_target(&self.image) {
                Err(e) => errors.push(("image", e)),
                Ok(Some(note)) => warnings.push(note),
                Ok(None) => {}
            }
        }
        (errors, warnings)
    }

    fn allow_flag(&self) -> &'static str {
        if self.allow_unauthenticated {
            "--allow-unauthenticated"
        } else {
            "--no-allow-unauthenticated"
        }
    }

    /// `gcloud run deploy SERVICE --image IMAGE …`
    pub fn deploy_image_args(&self) -> Vec<String> {
        let mut args = words(&["run", "deploy", &self.service, "--image", &self.image()]);
        args.extend(self.deploy_tail());
        args
    }

    fn deploy_tail(&self) -> Vec<String> {
        words(&[
            "--region",
            &self.region,
            "--platform",
            "managed",
            self.allow_flag(),
            "--project",
            &self.project,
            "--quiet",
        ])
    }

    /// The gcloud runs of a deploy in this mode, in order (the local mode's build and push go
    /// through the Docker side first, so only its deploy is a gcloud run).
    pub fn deploy_steps(&self) -> Vec<Vec<String>> {
        match self.mode {
            DeployMode::CloudBuild => vec![
                words(&[
                    "builds",
                    "submit",
                    "--tag",
                    &self.image(),
                    "--project",
                    &self.project,
                ]),
                self.deploy_image_args(),
            ],
            DeployMode::Source => {
                let mut args = words(&["run", "deploy", &self.service, "--source", "."]);
                args.extend(self.deploy_tail());
                vec![args]
            }
            DeployMode::Local | DeployMode::Image => vec![self.deploy_image_args()],
        }
    }

    /// The Artifact Registry repository the deploy pushes to.
    pub fn repository_ref(&self) -> crate::domain::cloud::RepositoryRef {
        crate::domain::cloud::RepositoryRef {
            project: self.project.clone(),
            region: self.region.clone(),
            name: self.repository.clone(),
        }
    }

    /// `gcloud artifacts repositories describe REPO --location=R --project=P`.
    pub fn repository_describe_args(&self) -> Vec<String> {
        words(&[
            "artifacts",
            "repositories",
            "describe",
            &self.repository,
            &format!("--location={}", self.region),
            &format!("--project={}", self.project),
            "--format=value(name)",
        ])
    }

    /// `gcloud artifacts repositories create REPO --repository-format=docker --location=R --project=P`.
    pub fn repository_create_args(&self) -> Vec<String> {
        words(&[
            "artifacts",
            "repositories",
            "create",
            &self.repository,
            "--repository-format=docker",
            &format!("--location={}", self.region),
            &format!("--project={}", self.project),
        ])
    }

    /// The URL, read robustly after a deploy.
    pub fn describe_url_args(&self) -> Vec<String> {
        words(&[
            "run",
            "services",
            "describe",
            &self.service,
            "--region",
            &self.region,
            "--project",
            &self.project,
            "--format=value(status.url)",
        ])
    }

    /// The project's services in the region, for the Cloud pane.
    pub fn list_services_args(&self) -> Vec<String> {
        words(&[
            "run",
            "services",
            "list",
            "--region",
            &self.region,
            "--project",
            &self.project,
            "--format=json",
        ])
    }
}

/// Cloud Run's platform: an image built on an arm64 laptop must still be linux/amd64.
pub const CLOUD_RUN_PLATFORM: &str = "linux/amd64";

/// What the local mode does before `gcloud run deploy`, as a user would type it.
pub fn local_lines(image: &str) -> Vec<String> {
    let registry = image.split('/').next().unwrap_or_default();
    vec![
        format!(
            "docker build --platform {CLOUD_RUN_PLATFORM} -t {} .",
            quote(image)
        ),
        format!(
            "gcloud auth print-access-token | docker login -u oauth2accesstoken --password-stdin {}",
            quote(registry)
        ),
        format!("docker push {}", quote(image)),
    ]
}

/// `gcloud config list --format=json`: the active account and project (never a token).
pub fn config_list_args() -> Vec<String> {
    words(&["config", "list", "--format=json"])
}

/// The access token the local mode pushes with (user `oauth2accesstoken`); never shown or logged.
pub fn access_token_args() -> Vec<String> {
    words(&["auth", "print-access-token"])
}

fn words(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The line a user would type for an argument vector.
pub fn command_line(program: &str, args: &[String]) -> String {
    std::iter::once(program.to_string())
        .chain(args.iter().map(|a| quote(a)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Read `pilothouse.toml`; a problem names the line and the key.
pub fn parse_project_file(text: &str) -> Result<ProjectFile, String> {
    toml::from_str(text).map_err(|e| e.to_string().trim().to_string())
}

/// Write it back as TOML (the form's result).
pub fn render_project_file(file: &ProjectFile) -> Result<String, String> {
    toml::to_string(file).map_err(|e| e.to_string())
}

/// The settings form's values (by field: project, region, service,
/// repository, image, mode, allow unauthenticated), each checked at its field.
pub fn parse_settings_fields(
    value: impl Fn(usize) -> String,
) -> Result<CloudRunSettings, Vec<(usize, String)>> {
    let mut errors = Vec::new();
    let mode = match DeployMode::ALL.iter().find(|m| m.label() == value(5)) {
        Some(mode) => *mode,
        None => {
            errors.push((5, format!("{:?} is not a mode", value(5))));
            DeployMode::CloudBuild
        }
    };
    let allow = match value(6).to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" => true,
        "no" | "n" | "false" => false,
        other => {
            errors.push((6, format!("{other:?}: yes or no")));
            true
        }
    };
    let settings = CloudRunSettings {
        project: value(0),
        region: value(1),
        service: value(2),
        repository: value(3),
        image: value(4),
        mode,
        allow_unauthenticated: allow,
    };
    let field = |name: &str| match name {
        "project" => 0,
        "region" => 1,
        "service" => 2,
        "repository" => 3,
        _ => 4,
    };
    for (name, message) in settings.check().0 {
        errors.push((field(name), message));
    }
    if errors.is_empty() {
        Ok(settings)
    } else {
        errors.sort_by_key(|(i, _)| *i);
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(mode: DeployMode, allow: bool) -> CloudRunSettings {
        CloudRunSettings {
            project: "my-proj".into(),
            region: "us-central1".into(),
            service: "cookbook".into(),
            repository: "apps".into(),
            image: String::new(),
            mode,
            allow_unauthenticated: allow,
        }
    }

    /// Golden command lines for every mode and the unauthenticated choice.
    #[test]
    fn deploy_steps_read_as_the_walkthrough() {
        let lines = |s: &CloudRunSettings| -> Vec<String> {
            s.deploy_steps()
                .iter()
                .map(|a| command_line("gcloud", a))
                .collect()
        };
        assert_eq!(
            lines(&settings(DeployMode::CloudBuild, true)),
            [
                "gcloud builds submit --tag us-central1-docker.pkg.dev/my-proj/apps/cookbook:latest --project my-proj",
                "gcloud run deploy cookbook --image us-central1-docker.pkg.dev/my-proj/apps/cookbook:latest --region us-central1 --platform managed --allow-unauthenticated --project my-proj --quiet",
            ]
        );
        assert_eq!(
            lines(&settings(DeployMode::Source, false)),
            [
                "gcloud run deploy cookbook --source . --region us-central1 --platform managed --no-allow-unauthenticated --project my-proj --quiet"
            ]
        );
        assert_eq!(
            lines(&settings(DeployMode::Local, true)),
            [
                "gcloud run deploy cookbook --image us-central1-docker.pkg.dev/my-proj/apps/cookbook:latest --region us-central1 --platform managed --allow-unauthenticated --project my-proj --quiet"
            ]
        );
        let s = settings(DeployMode::CloudBuild, true);
        assert_eq!(
            command_line("gcloud", &s.describe_url_args()),
            "gcloud run services describe cookbook --region us-central1 --project my-proj '--format=value(status.url)'"
        );
        assert_eq!(
            command_line("gcloud", &s.list_services_args()),
            "gcloud run services list --region us-central1 --project my-proj --format=json"
        );
    }

    #[test]
    fn settings_are_checked_field_by_field() {
        let good = settings(DeployMode::CloudBuild, true);
        assert_eq!(good.check(), (vec![], vec![]));
        for (bad_project, bad_service) in [("My-Proj", "Cook"), ("p", "-cook"), ("proj-", "cook-")]
        {
            let s = CloudRunSettings {
                project: bad_project.into(),
                service: bad_service.into(),
                ..good.clone()
            };
            let fields: Vec<&str> = s.check().0.iter().map(|(f, _)| *f).collect();
            assert_eq!(
                fields,
                ["project", "service"],
                "{bad_project} {bad_service}"
            );
        }
        let unknown_region = CloudRunSettings {
            region: "mars-north1".into(),
            ..good.clone()
        };
        assert_eq!(unknown_region.check().0, vec![]);
        assert!(unknown_region.check().1[0].contains("not a region pilothouse knows"));
        let bad_region = CloudRunSettings {
            region: "Moon".into(),
            ..good.clone()
        };
        assert_eq!(bad_region.check().0[0].0, "region");
        let gcr = CloudRunSettings {
            image: "gcr.io/my-proj/cookbook:v1".into(),
            ..good.clone()
        };
        assert!(gcr.check().1[0].contains("Container Registry stopped taking writes"));
        let docker_hub = CloudRunSettings {
            image: "docker.io/library/cookbook:v1".into(),
            ..good.clone()
        };
        assert_eq!(docker_hub.check().0[0].0, "image");
        assert!(service_name(&"a".repeat(50)).is_err());
        assert!(service_name(&"a".repeat(49)).is_ok());
    }

    #[test]
    fn the_project_file_round_trips_and_names_what_is_wrong() {
        let text = "[cloudrun]\nproject = \"my-proj\"\nservice = \"cookbook\"\nmode = \"source\"\nallow-unauthenticated = false\n";
        let file = parse_project_file(text).expect("parses");
        let cloudrun = file.cloudrun.as_ref().expect("has [cloudrun]");
        assert_eq!(cloudrun.region, "us-central1");
        assert_eq!(cloudrun.mode, DeployMode::Source);
        assert!(!cloudrun.allow_unauthenticated);
        let again = parse_project_file(&render_project_file(&file).expect("renders"))
            .expect("parses again");
        assert_eq!(again, file);
        let unknown =
            parse_project_file("[cloudrun]\nproject = \"p\"\nservice = \"s\"\nregoin = \"x\"\n")
                .unwrap_err();
        assert!(
            unknown.contains("regoin") && unknown.contains("line 4"),
            "{unknown}"
        );
        let bad_mode =
            parse_project_file("[cloudrun]\nproject = \"p\"\nservice = \"s\"\nmode = \"ftp\"\n")
                .unwrap_err();
        assert!(bad_mode.contains("ftp"), "{bad_mode}");
    }
}
