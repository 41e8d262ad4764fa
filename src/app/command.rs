//! What `update` asks the effects to do. Each mutating command knows the CLI
//! line it stands for (the learn line).

use super::validate::PortMap;
use crate::domain::kube::KubeKind;
use crate::domain::minikube::{MinikubeDockerEnv, MinikubeOp};
use std::path::PathBuf;

pub type JobId = u64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildSpec {
    pub context: PathBuf,
    /// Relative to the context, as `docker build -f` takes it.
    pub dockerfile: String,
    pub tag: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSpec {
    pub image: String,
    pub name: Option<String>,
    pub ports: Vec<PortMap>,
    pub env: Vec<(String, String)>,
    pub labels: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExposeSpec {
    pub namespace: String,
    pub deployment: String,
    pub service: String,
    /// ClusterIP, NodePort or LoadBalancer.
    pub kind: String,
    pub port: u16,
    pub target_port: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerOp {
    Start,
    Stop,
    Restart,
    Remove,
}

impl ContainerOp {
    pub fn verb(self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::Stop => "stop",
            Self::Restart => "restart",
            Self::Remove => "remove",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Check that the build context and Dockerfile exist before a job starts.
    CheckBuildContext(BuildSpec),
    Build {
        job: JobId,
        spec: BuildSpec,
    },
    Run {
        job: JobId,
        spec: RunSpec,
    },
    Container {
        job: JobId,
        id: String,
        name: String,
        op: ContainerOp,
    },
    RemoveImage {
        job: JobId,
        reference: String,
    },
    /// Stream stats for this container only (None ends the stream).
    WatchStats(Option<String>),
    /// Stream the logs of this container (None ends the stream).
    FollowLogs(Option<String>),
    OpenUrl(String),
    /// `:export PATH`: write the history script (executable); `replace` an existing file.
    ExportHistory {
        path: PathBuf,
        text: String,
        replace: bool,
    },
    /// `kubectl scale --replicas=N deployment/NAME -n NS`.
    Scale {
        job: JobId,
        namespace: String,
        name: String,
        replicas: u32,
    },
    /// Read and parse a manifest before anything is sent; the form shows problems.
    CheckManifest {
        path: PathBuf,
    },
    /// `kubectl apply --server-side [--force-conflicts] -f PATH`, field manager `pilothouse`.
    Apply {
        job: JobId,
        path: PathBuf,
        documents: Vec<serde_json::Value>,
        force: bool,
    },
    /// `kubectl expose deployment NAME --type=T --port=P [--target-port=Q] [--name=S]`.
    Expose {
        job: JobId,
        spec: ExposeSpec,
    },
    /// `kubectl logs -f --tail=500 NAME [-c C] -n NS` into the Logs pane;
    /// `previous`: the last terminated container's logs, not followed.
    FollowPodLogs {
        namespace: String,
        name: String,
        container: Option<String>,
        previous: bool,
    },
    /// `kubectl get KIND NAME -n NS -o yaml`.
    ShowYaml {
        kind: KubeKind,
        namespace: String,
        name: String,
    },
    /// `kubectl rollout restart deployment/NAME -n NS`: new pods replace the old, one set at a time.
    RolloutRestart {
        job: JobId,
        namespace: String,
        name: String,
    },
    /// `kubectl delete KIND NAME -n NS`.
    DeleteObject {
        job: JobId,
        kind: KubeKind,
        namespace: String,
        name: String,
    },
    /// Ask minikube whether the context is one of its profiles, and how it is.
    ProbeMinikube {
        context: Option<String>,
    },
    /// `minikube -p P start|stop|dashboard --url`, output streamed into Jobs.
    Minikube {
        job: JobId,
        profile: String,
        op: MinikubeOp,
    },
    /// `minikube -p P service NAME -n NS --url`, kept running while the URL is used.
    MinikubeServiceUrl {
        profile: String,
        namespace: String,
        service: String,
    },
    /// `minikube -p P docker-env --shell none`, read to switch the Docker side.
    MinikubeDockerEnv {
        profile: String,
    },
    /// Watch another context or namespace (the kubeconfig itself is not changed).
    SwitchKube(crate::domain::kube::KubeTarget),
    /// Point the Docker source at minikube's engine, or (None) back at its own.
    UseDockerEngine(Option<MinikubeDockerEnv>),
    /// Read `pilothouse.toml` and the Dockerfile's ports in the app directory.
    LoadCloudSettings,
    /// `gcloud config list --format=json`, then (with settings) the services list.
    CloudRefresh {
        list: Option<Vec<String>>,
    },
    /// The deploy's gcloud runs in order, then `describe` for the URL; one job.
    CloudDeploy {
        job: JobId,
        service: String,
        /// The local mode: build IMAGE here and push it first.
        local: Option<String>,
        steps: Vec<Vec<String>>,
        describe: Vec<String>,
    },
    /// End a running job (ctrl-c in Jobs): its task, and with it its process group.
    CancelJob(JobId),
    /// Write a workflow file; over a different one only with `force` (after the diff and a yes).
    WriteWorkflow {
        path: String,
        text: String,
        force: bool,
    },
    /// Write `[cloudrun]` to `pilothouse.toml`.
    SaveCloudSettings(super::cloudrun::CloudRunSettings),
    /// Complete a path typed in a form, relative to where pilothouse runs.
    CompletePath {
        typed: String,
    },
    /// Read an image's exposed ports, to suggest port maps in the run form.
    InspectImage(String),
    ScaffoldDockerfile {
        dir: PathBuf,
    },
    /// Write `NAME-deployment.yaml` (a Deployment of IMAGE, `imagePullPolicy: Never`) in DIR.
    ScaffoldDeployment {
        dir: PathBuf,
        name: String,
        image: String,
    },
}

impl Command {
    /// A name for the log; never the command's contents (manifests, env
    /// values, settings: any of them may hold a secret).
    pub fn name(&self) -> &'static str {
        match self {
            Command::CheckBuildContext(..) => "check build context",
            Command::Build { .. } => "build",
            Command::Run { .. } => "run",
            Command::Container { .. } => "container",
            Command::RemoveImage { .. } => "remove image",
            Command::WatchStats(..) => "watch stats",
            Command::FollowLogs(..) => "follow logs",
            Command::OpenUrl(..) => "open url",
            Command::ExportHistory { .. } => "export history",
            Command::Scale { .. } => "scale",
            Command::CheckManifest { .. } => "check manifest",
            Command::Apply { .. } => "apply",
            Command::Expose { .. } => "expose",
            Command::FollowPodLogs { .. } => "follow pod logs",
            Command::ShowYaml { .. } => "show yaml",
            Command::RolloutRestart { .. } => "rollout restart",
            Command::DeleteObject { .. } => "delete object",
            Command::ProbeMinikube { .. } => "probe minikube",
            Command::Minikube { .. } => "minikube",
            Command::MinikubeServiceUrl { .. } => "minikube service url",
            Command::MinikubeDockerEnv { .. } => "minikube docker env",
            Command::SwitchKube(..) => "switch kube",
            Command::UseDockerEngine(..) => "use docker engine",
            Command::LoadCloudSettings => "load cloud settings",
            Command::CloudRefresh { .. } => "cloud refresh",
            Command::CloudDeploy { .. } => "cloud deploy",
            Command::CancelJob(..) => "cancel job",
            Command::WriteWorkflow { .. } => "write workflow",
            Command::SaveCloudSettings(..) => "save cloud settings",
            Command::CompletePath { .. } => "complete path",
            Command::InspectImage(..) => "inspect image",
            Command::ScaffoldDockerfile { .. } => "scaffold dockerfile",
            Command::ScaffoldDeployment { .. } => "scaffold deployment",
        }
    }
}

impl Command {
    /// The command line a user would type for the same thing.
    pub fn learn_line(&self) -> Option<String> {
        Some(match self {
            Self::CheckBuildContext(spec) | Self::Build { spec, .. } => build_line(spec),
            Self::Run { spec, .. } => run_line(spec),
            Self::Container { name, op, .. } => {
                // Removal is forced (a running container is stopped first), as `docker rm -f`.
                let verb = if *op == ContainerOp::Remove {
                    "rm -f"
                } else {
                    op.verb()
                };
                format!("docker {verb} {}", quote(name))
            }
            Self::RemoveImage { reference, .. } => format!("docker rmi {}", quote(reference)),
            Self::FollowLogs(Some(id)) => format!("docker logs -f --tail 500 {}", quote(id)),
            Self::WatchStats(Some(id)) => format!("docker stats {}", quote(id)),
            Self::OpenUrl(url) => format!("xdg-open {}", quote(url)),
            Self::ScaffoldDockerfile { dir } => format!(
                "cat > {}",
                quote(&dir.join("Dockerfile").display().to_string())
            ),
            Self::ScaffoldDeployment { dir, name, image } => format!(
                "kubectl create deployment {} --image={} --dry-run=client -o yaml > {}",
                quote(name),
                quote(image),
                quote(
                    &dir.join(format!("{name}-deployment.yaml"))
                        .display()
                        .to_string()
                )
            ),
            Self::InspectImage(reference) => format!("docker image inspect {}", quote(reference)),
            Self::Scale {
                namespace,
                name,
                replicas,
                ..
            } => {
                format!(
                    "kubectl scale --replicas={replicas} deployment/{} -n {}",
                    quote(name),
                    quote(namespace)
                )
            }
            Self::FollowPodLogs {
                namespace,
                name,
                container,
                previous,
            } => {
                let how = if *previous {
                    "--previous"
                } else {
                    "-f --tail=500"
                };
                let container = container
                    .as_ref()
                    .map_or(String::new(), |c| format!(" -c {}", quote(c)));
                format!(
                    "kubectl logs {how} {}{container} -n {}",
                    quote(name),
                    quote(namespace)
                )
            }
            Self::Expose { spec, .. } => {
                let mut line = format!(
                    "kubectl expose deployment {} --type={} --port={}",
                    quote(&spec.deployment),
                    spec.kind,
                    spec.port
                );
                if spec.target_port != spec.port {
                    line.push_str(&format!(" --target-port={}", spec.target_port));
                }
                if spec.service != spec.deployment {
                    line.push_str(&format!(" --name={}", quote(&spec.service)));
                }
                line.push_str(&format!(" -n {}", quote(&spec.namespace)));
                line
            }
            Self::CheckManifest { path }
            | Self::Apply {
                path, force: false, ..
            } => {
                format!(
                    "kubectl apply --server-side -f {}",
                    quote(&path.display().to_string())
                )
            }
            Self::Apply {
                path, force: true, ..
            } => {
                format!(
                    "kubectl apply --server-side --force-conflicts -f {}",
                    quote(&path.display().to_string())
                )
            }
            Self::ShowYaml {
                kind,
                namespace,
                name,
            } => {
                format!(
                    "kubectl get {} {} -n {} -o yaml",
                    kind.kubectl_name(),
                    quote(name),
                    quote(namespace)
                )
            }
            Self::RolloutRestart {
                namespace, name, ..
            } => format!(
                "kubectl rollout restart deployment/{} -n {}",
                quote(name),
                quote(namespace)
            ),
            Self::DeleteObject {
                kind,
                namespace,
                name,
                ..
            } => {
                format!(
                    "kubectl delete {} {} -n {}",
                    kind.kubectl_name(),
                    quote(name),
                    quote(namespace)
                )
            }
            Self::Minikube { profile, op, .. } => {
                format!("minikube {}", op.args(&quote(profile)).join(" "))
            }
            Self::MinikubeServiceUrl {
                profile,
                namespace,
                service,
            } => format!(
                "minikube -p {} service {} -n {} --url",
                quote(profile),
                quote(service),
                quote(namespace)
            ),
            Self::CloudRefresh { list } => {
                let mut line =
                    super::cloudrun::command_line("gcloud", &super::cloudrun::config_list_args());
                if let Some(list) = list {
                    line.push_str(" && ");
                    line.push_str(&super::cloudrun::command_line("gcloud", list));
                }
                line
            }
            Self::CloudDeploy { steps, local, .. } => local
                .iter()
                .flat_map(|image| super::cloudrun::local_lines(image))
                .chain(
                    steps
                        .iter()
                        .map(|a| super::cloudrun::command_line("gcloud", a)),
                )
                .collect::<Vec<_>>()
                .join(" && "),
            Self::SaveCloudSettings(_) => "cat > pilothouse.toml".to_string(),
            Self::WriteWorkflow { path, .. } => format!("cat > {}", quote(path)),
            Self::MinikubeDockerEnv { profile } => {
                format!("eval $(minikube -p {} docker-env)", quote(profile))
            }
            Self::UseDockerEngine(None) => "eval $(minikube docker-env --unset)".to_string(),
            Self::UseDockerEngine(Some(_))
            | Self::ExportHistory { .. }
            | Self::SwitchKube(_)
            | Self::CompletePath { .. }
            | Self::LoadCloudSettings
            | Self::CancelJob(_)
            | Self::ProbeMinikube { .. }
            | Self::FollowLogs(None)
            | Self::WatchStats(None) => return None,
        })
    }

    /// Commands that change the engine or the disk; `--readonly` refuses these.
    pub fn mutates(&self) -> bool {
        matches!(
            self,
            Self::Build { .. }
                | Self::Run { .. }
                | Self::Container { .. }
                | Self::RemoveImage { .. }
                | Self::ScaffoldDockerfile { .. }
                | Self::ScaffoldDeployment { .. }
                | Self::CheckBuildContext(_)
                | Self::Scale { .. }
                | Self::DeleteObject { .. }
                | Self::RolloutRestart { .. }
                | Self::CheckManifest { .. }
                | Self::Apply { .. }
                | Self::Expose { .. }
                | Self::Minikube {
                    op: MinikubeOp::Start | MinikubeOp::Stop,
                    ..
                }
                | Self::CloudDeploy { .. }
                | Self::SaveCloudSettings(_)
                | Self::WriteWorkflow { .. }
        )
    }
}

pub fn build_line(spec: &BuildSpec) -> String {
    let mut line = format!("docker build -t {}", quote(&spec.tag));
    if spec.dockerfile != "Dockerfile" {
        line.push_str(&format!(" -f {}", quote(&spec.dockerfile)));
    }
    let context = spec.context.display().to_string();
    line.push(' ');
    line.push_str(&quote(if context.is_empty() { "." } else { &context }));
    line
}

pub fn run_line(spec: &RunSpec) -> String {
    let mut line = String::from("docker run -d");
    if let Some(name) = &spec.name {
        line.push_str(&format!(" --name {}", quote(name)));
    }
    for port in &spec.ports {
        line.push_str(&format!(" -p {}", port.to_flag()));
    }
    for (k, v) in &spec.env {
        line.push_str(&format!(" -e {}", quote(&format!("{k}={v}"))));
    }
    for (k, v) in &spec.labels {
        line.push_str(&format!(" --label {}", quote(&format!("{k}={v}"))));
    }
    line.push(' ');
    line.push_str(&quote(&spec.image));
    line
}

/// Quote a word for a POSIX shell only when it needs it.
pub fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '-' | '_' | '.' | '/' | ':' | '=' | '@' | ',' | '+' | '%')
        });
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::validate::port_maps;

    #[test]
    fn learn_lines_read_like_the_docker_cli() {
        let spec = BuildSpec {
            context: ".".into(),
            dockerfile: "Dockerfile".into(),
            tag: "cookbook".into(),
        };
        assert_eq!(build_line(&spec), "docker build -t cookbook .");
        let spec = BuildSpec {
            context: "/my app".into(),
            dockerfile: "docker/Dockerfile.dev".into(),
            tag: "a:1".into(),
        };
        assert_eq!(
            build_line(&spec),
            "docker build -t a:1 -f docker/Dockerfile.dev '/my app'"
        );
        let run = RunSpec {
            image: "cookbook:latest".into(),
            name: Some("web".into()),
            ports: port_maps("8000:8000").unwrap(),
            env: vec![("GREETING".into(), "hello world".into())],
            labels: vec![],
        };
        assert_eq!(
            run_line(&run),
            "docker run -d --name web -p 127.0.0.1:8000:8000 -e 'GREETING=hello world' cookbook:latest"
        );
        let stop = Command::Container {
            job: 1,
            id: "abc".into(),
            name: "web".into(),
            op: ContainerOp::Remove,
        };
        assert_eq!(stop.learn_line().as_deref(), Some("docker rm -f web"));
        assert_eq!(quote("it's"), r"'it'\''s'");
    }
}
