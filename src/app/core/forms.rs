//! The small forms behind actions: their fields, validation and the learn line
//! they show while the user types.

use super::validate;
use crate::app::core::command::{BuildSpec, ExposeSpec, RunSpec};
use crate::app::learn::learn_line::{build_line, run_line};
use std::path::{Path, PathBuf};
use tui_input::Input;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    Build,
    Run,
    Scale,
    Apply,
    Expose,
    CloudSettings,
    Workflow,
    /// One command inside a container or pod; `subject` holds (command line so far, target label).
    Exec,
    /// A port-forward's local and remote ports; `subject` holds (namespace, `svc/NAME`).
    Forward,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub label: &'static str,
    pub hint: &'static str,
    pub input: Input,
    pub error: Option<String>,
}

impl Field {
    pub(crate) fn new(label: &'static str, hint: &'static str, value: &str) -> Self {
        Self {
            label,
            hint,
            input: Input::new(value.to_string()),
            error: None,
        }
    }

    pub fn value(&self) -> &str {
        self.input.value()
    }
}

#[derive(Debug, Clone)]
pub struct Form {
    pub kind: FormKind,
    pub title: &'static str,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// Submitted; waiting for an effect to check what only it can (paths on disk).
    pub pending: bool,
    /// The object a form acts on (namespace, name), for forms that have one.
    pub subject: Option<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormOutput {
    Build(BuildSpec),
    Run(RunSpec),
    Scale {
        namespace: String,
        name: String,
        replicas: u32,
    },
    Apply {
        path: PathBuf,
    },
    Expose(ExposeSpec),
    CloudSettings(crate::app::cloud::settings::CloudRunSettings),
    Exec(Vec<String>),
    Forward {
        local: u16,
        remote: u16,
    },
}

/// More replicas than this on a local cluster is a typo, not a plan.
pub const MAX_REPLICAS: u32 = 100;

pub const BUILD_CONTEXT: usize = 0;
pub const BUILD_DOCKERFILE: usize = 1;
pub const BUILD_TAG: usize = 2;

pub const RUN_IMAGE: usize = 0;
pub const RUN_PORTS: usize = 1;
pub const RUN_NAME: usize = 2;
pub const RUN_ENV: usize = 3;

impl Form {
    pub fn build(cwd: &Path) -> Self {
        let dir_name = cwd
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Self {
            kind: FormKind::Build,
            title: "Build an image",
            fields: vec![
                Field::new("Context", "directory sent to the engine", "."),
                Field::new("Dockerfile", "relative to the context", "Dockerfile"),
                Field::new("Tag", "name:tag", &validate::default_tag_for_dir(&dir_name)),
            ],
            focus: BUILD_TAG,
            pending: false,
            subject: None,
        }
    }

    pub fn run(image: &str, suggested_ports: &str) -> Self {
        Self {
            kind: FormKind::Run,
            title: "Run a container",
            fields: vec![
                Field::new("Image", "repository:tag", image),
                Field::new(
                    "Ports",
                    "[ip:]host:container[/udp]; binds 127.0.0.1 unless an ip is given",
                    suggested_ports,
                ),
                Field::new("Name", "empty: docker picks one", ""),
                Field::new("Env", "KEY=VALUE, separated by spaces", ""),
            ],
            focus: RUN_PORTS,
            pending: false,
            subject: None,
        }
    }

    pub fn scale(namespace: &str, name: &str, replicas: u32) -> Self {
        Self {
            kind: FormKind::Scale,
            title: "Scale a deployment",
            fields: vec![Field::new(
                "Replicas",
                "0 stops every pod (asks first)",
                &replicas.to_string(),
            )],
            focus: 0,
            pending: false,
            subject: Some((namespace.to_string(), name.to_string())),
        }
    }

    pub fn apply(default_path: &str) -> Self {
        Self {
            kind: FormKind::Apply,
            title: "Apply a manifest (server-side)",
            fields: vec![Field::new(
                "Manifest",
                "a YAML file (tab completes); several documents allowed",
                default_path,
            )],
            focus: 0,
            pending: false,
            subject: None,
        }
    }

    pub fn expose(namespace: &str, deployment: &str) -> Self {
        Self {
            kind: FormKind::Expose,
            title: "Expose a deployment",
            fields: vec![
                Field::new(
                    "Type",
                    "ClusterIP, NodePort or LoadBalancer",
                    "LoadBalancer",
                ),
                Field::new("Port", "the Service's port", "8000"),
                Field::new("Target port", "the container's port (empty: the same)", ""),
                Field::new("Name", "the Service's name (empty: the deployment's)", ""),
            ],
            focus: 1,
            pending: false,
            subject: Some((namespace.to_string(), deployment.to_string())),
        }
    }

    pub fn value(&self, field: usize) -> &str {
        self.fields.get(field).map(Field::value).unwrap_or("")
    }

    /// Validate every field; on failure, each wrong field carries its message.
    pub fn parse(&mut self) -> Option<FormOutput> {
        for field in &mut self.fields {
            field.error = None;
        }
        let result = match self.kind {
            FormKind::Build => self.parse_build().map(FormOutput::Build),
            FormKind::Run => self.parse_run().map(FormOutput::Run),
            FormKind::Scale => self.parse_scale(),
            FormKind::Expose => self.parse_expose().map(FormOutput::Expose),
            FormKind::CloudSettings => crate::app::cloud::settings::parse_settings_fields(|i| {
                self.value(i).trim().to_string()
            })
            .map(FormOutput::CloudSettings),
            // Parsed in `input`, where the settings it needs are at hand.
            FormKind::Workflow => Err(Vec::new()),
            FormKind::Exec => crate::domain::exec::split_command(self.value(0))
                .map(FormOutput::Exec)
                .map_err(|problem| vec![(0, problem)]),
            FormKind::Forward => {
                let local = crate::domain::forward::parse_port(self.value(0));
                let remote = crate::domain::forward::parse_port(self.value(1));
                match (local, remote) {
                    (Ok(local), Ok(remote)) => Ok(FormOutput::Forward { local, remote }),
                    (local, remote) => {
                        Err([local.err().map(|e| (0, e)), remote.err().map(|e| (1, e))]
                            .into_iter()
                            .flatten()
                            .collect())
                    }
                }
            }
            FormKind::Apply => match self.value(0).trim() {
                "" => Err(vec![(0, "a manifest file is required".to_string())]),
                path => Ok(FormOutput::Apply {
                    path: PathBuf::from(path),
                }),
            },
        };
        match result {
            Ok(output) => Some(output),
            Err(errors) => {
                if let Some((first, _)) = errors.first() {
                    self.focus = *first;
                }
                for (field, message) in errors {
                    self.fields[field].error = Some(message);
                }
                None
            }
        }
    }

    fn parse_expose(&self) -> Result<ExposeSpec, Vec<(usize, String)>> {
        let (namespace, deployment) = self.subject.clone().unwrap_or_default();
        let mut errors = Vec::new();
        let kind = match self.value(0).trim().to_ascii_lowercase().as_str() {
            "clusterip" => "ClusterIP",
            "nodeport" => "NodePort",
            "loadbalancer" | "" => "LoadBalancer",
            other => {
                errors.push((
                    0,
                    format!("'{other}' is not a Service type: ClusterIP, NodePort or LoadBalancer"),
                ));
                ""
            }
        };
        let port = service_port(self.value(1))
            .map_err(|m| errors.push((1, m)))
            .ok();
        let target = match self.value(2).trim() {
            "" => port,
            text => service_port(text).map_err(|m| errors.push((2, m))).ok(),
        };
        let service = match self.value(3).trim() {
            "" => deployment.clone(),
            name => name.to_string(),
        };
        let label_ok = service.len() <= 63
            && service.starts_with(|c: char| c.is_ascii_lowercase())
            && !service.ends_with('-')
            && service
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !label_ok {
            errors.push((3, format!("'{service}' is not a Service name: lowercase letters, digits and '-', starting with a letter, at most 63")));
        }
        match (port, target) {
            (Some(port), Some(target_port)) if errors.is_empty() => Ok(ExposeSpec {
                namespace,
                deployment,
                service,
                kind: kind.to_string(),
                port,
                target_port,
            }),
            _ => Err(errors),
        }
    }

    fn parse_scale(&self) -> Result<FormOutput, Vec<(usize, String)>> {
        let (namespace, name) = self.subject.clone().unwrap_or_default();
        replicas(self.value(0))
            .map(|replicas| FormOutput::Scale {
                namespace,
                name,
                replicas,
            })
            .map_err(|m| vec![(0, m)])
    }

    fn parse_build(&self) -> Result<BuildSpec, Vec<(usize, String)>> {
        let mut errors = Vec::new();
        let context = self.value(BUILD_CONTEXT).trim();
        if context.is_empty() {
            errors.push((
                BUILD_CONTEXT,
                "a build context directory is required (. is the current one)".to_string(),
            ));
        }
        let dockerfile = self.value(BUILD_DOCKERFILE).trim();
        if dockerfile.is_empty() {
            errors.push((
                BUILD_DOCKERFILE,
                "a Dockerfile name is required".to_string(),
            ));
        } else if Path::new(dockerfile).is_absolute() || dockerfile.split('/').any(|p| p == "..") {
            errors.push((
                BUILD_DOCKERFILE,
                "the Dockerfile must be inside the context (a relative path without ..)"
                    .to_string(),
            ));
        }
        let tag = self.value(BUILD_TAG).trim();
        if let Err(message) = validate::image_reference(tag, false) {
            errors.push((BUILD_TAG, message));
        }
        if errors.is_empty() {
            Ok(BuildSpec {
                context: PathBuf::from(context),
                dockerfile: dockerfile.to_string(),
                tag: tag.to_string(),
            })
        } else {
            Err(errors)
        }
    }

    fn parse_run(&self) -> Result<RunSpec, Vec<(usize, String)>> {
        let mut errors = Vec::new();
        let image = self.value(RUN_IMAGE).trim();
        if let Err(message) = validate::image_reference(image, true) {
            errors.push((RUN_IMAGE, message));
        }
        let ports = validate::port_maps(self.value(RUN_PORTS))
            .map_err(|m| errors.push((RUN_PORTS, m)))
            .ok();
        let name = validate::container_name(self.value(RUN_NAME))
            .map_err(|m| errors.push((RUN_NAME, m)))
            .ok();
        let env = validate::env_entries(self.value(RUN_ENV))
            .map_err(|m| errors.push((RUN_ENV, m)))
            .ok();
        match (ports, name, env) {
            (Some(ports), Some(name), Some(env)) if errors.is_empty() => Ok(RunSpec {
                image: image.to_string(),
                name,
                ports,
                env,
                labels: Vec::new(),
            }),
            _ => Err(errors),
        }
    }

    /// The command line the form stands for, as typed so far.
    pub fn learn_line(&self) -> String {
        if self.kind == FormKind::Forward {
            let (namespace, target) = self.subject.clone().unwrap_or_default();
            return format!(
                "kubectl port-forward {target} {}:{} -n {namespace} --address 127.0.0.1",
                self.value(0).trim(),
                self.value(1).trim()
            );
        }
        let mut probe = self.clone();
        match probe.parse() {
            Some(FormOutput::Build(spec)) => build_line(&spec),
            Some(FormOutput::Exec(words)) => {
                let (prefix, _) = self.subject.clone().unwrap_or_default();
                let typed: Vec<String> = words
                    .iter()
                    .map(|w| crate::domain::text::quote(w))
                    .collect();
                format!("{prefix} {}", typed.join(" "))
            }
            Some(FormOutput::Run(spec)) => run_line(&spec),
            // Drawn above, from the fields as typed.
            Some(FormOutput::Forward { .. }) => String::new(),
            Some(FormOutput::Apply { path }) => {
                format!("kubectl apply --server-side -f {}", path.display())
            }
            Some(FormOutput::Expose(spec)) => {
                crate::app::core::command::Command::Expose { job: 0, spec }
                    .learn_line()
                    .unwrap_or_default()
            }
            Some(FormOutput::Scale {
                namespace,
                name,
                replicas,
            }) => {
                format!("kubectl scale --replicas={replicas} deployment/{name} -n {namespace}")
            }
            // The deploy's own command lines show when D asks; the form writes a file.
            Some(FormOutput::CloudSettings(_)) => "cat > pilothouse.toml".to_string(),
            None => match self.kind {
                FormKind::CloudSettings => "cat > pilothouse.toml".to_string(),
                FormKind::Workflow => format!(
                    "cat > {}",
                    if self.value(0).trim() == "ci" {
                        crate::app::cloud::workflow::CI_PATH
                    } else {
                        crate::app::cloud::workflow::DEPLOY_PATH
                    }
                ),
                FormKind::Build => format!(
                    "docker build -t {} -f {} {}",
                    self.value(BUILD_TAG),
                    self.value(BUILD_DOCKERFILE),
                    self.value(BUILD_CONTEXT)
                ),
                FormKind::Apply => format!("kubectl apply --server-side -f {}", self.value(0)),
                FormKind::Exec => {
                    let (prefix, _) = self.subject.clone().unwrap_or_default();
                    format!("{prefix} {}", self.value(0))
                }
                FormKind::Forward => String::new(),
                FormKind::Expose => {
                    let (_, deployment) = self.subject.clone().unwrap_or_default();
                    format!(
                        "kubectl expose deployment {deployment} --type={} --port={}",
                        self.value(0),
                        self.value(1)
                    )
                }
                FormKind::Scale => {
                    let (namespace, name) = self.subject.clone().unwrap_or_default();
                    format!(
                        "kubectl scale --replicas={} deployment/{name} -n {namespace}",
                        self.value(0)
                    )
                }
                FormKind::Run => format!(
                    "docker run -d -p {} {}",
                    self.value(RUN_PORTS),
                    self.value(RUN_IMAGE)
                ),
            },
        }
    }
}

/// A Service or target port: 1-65535.
pub fn service_port(text: &str) -> Result<u16, String> {
    match text.trim().parse::<i64>() {
        Ok(n) if (1..=65535).contains(&n) => Ok(n as u16),
        Ok(n) => Err(format!("port {n} is outside 1-65535")),
        Err(_) => Err(format!("'{}' is not a port number", text.trim())),
    }
}

/// A replica count: a whole number from 0 to MAX_REPLICAS.
pub fn replicas(text: &str) -> Result<u32, String> {
    let text = text.trim();
    match text.parse::<i64>() {
        Ok(n) if n < 0 => Err(format!(
            "{n} is negative; replicas go from 0 to {MAX_REPLICAS}"
        )),
        Ok(n) if n > i64::from(MAX_REPLICAS) => Err(format!(
            "{n} is more than {MAX_REPLICAS}, the cap for a local cluster"
        )),
        Ok(n) => Ok(n as u32),
        Err(_) if text.is_empty() => Err("a number of replicas is required".to_string()),
        Err(_) => Err(format!("'{text}' is not a number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_form_defaults_to_the_directory_name() {
        let form = Form::build(Path::new("/home/me/cookbook"));
        assert_eq!(form.value(BUILD_TAG), "cookbook:latest");
        assert_eq!(form.learn_line(), "docker build -t cookbook:latest .");
    }

    #[test]
    fn run_form_collects_every_error_at_its_field() {
        let mut form = Form::run("Bad Image", "8000");
        form.fields[RUN_ENV].input = Input::new("NOEQUALS".into());
        assert_eq!(form.parse(), None);
        assert!(form.fields[RUN_IMAGE].error.is_some());
        assert!(form.fields[RUN_PORTS].error.is_some());
        assert!(form.fields[RUN_NAME].error.is_none());
        assert!(form.fields[RUN_ENV].error.is_some());
        assert_eq!(form.focus, RUN_IMAGE, "focus goes to the first wrong field");
    }
}
