//! The command line a user would type for each command: what learn mode
//! shows before an action and History keeps after it.

use crate::app::core::command::{BuildSpec, Command, ContainerOp, RunSpec};
use crate::app::core::event::DevStep;
use crate::domain::text::quote;

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
            Self::ReadCrashTail {
                namespace,
                name,
                container,
                ..
            } => format!(
                "kubectl logs --previous --tail=3 {} -c {} -n {}",
                quote(name),
                quote(container),
                quote(namespace)
            ),
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
            Self::CheckManifest { path } => format!(
                "kubectl apply --server-side -f {}",
                quote(&path.display().to_string())
            ),
            Self::Apply {
                path,
                force,
                namespace,
                ..
            } => format!(
                "kubectl apply --server-side{} -f {}{}",
                if *force { " --force-conflicts" } else { "" },
                quote(&path.display().to_string()),
                namespace
                    .as_ref()
                    .map_or(String::new(), |ns| format!(" -n {}", quote(ns)))
            ),
            Self::Explain { kind, path } => {
                let mut dotted = kind.kubectl_name().to_string();
                for field in path {
                    dotted.push('.');
                    dotted.push_str(field);
                }
                format!("kubectl explain {dotted}")
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
            Self::RolloutUndo {
                namespace,
                name,
                revision,
                ..
            } => format!(
                "kubectl rollout undo deployment/{} --to-revision={revision} -n {}",
                quote(name),
                quote(namespace)
            ),
            Self::RolloutPause {
                namespace,
                name,
                paused,
                ..
            } => format!(
                "kubectl rollout {} deployment/{} -n {}",
                if *paused { "pause" } else { "resume" },
                quote(name),
                quote(namespace)
            ),
            Self::SetImage {
                namespace,
                name,
                image,
                ..
            } => format!(
                "kubectl set image deployment/{} {} -n {}",
                quote(name),
                quote(&format!("*={image}")),
                quote(namespace)
            ),
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
            Self::CloudCheckRepository { args, .. }
            | Self::CloudCreateRepository { args, .. }
            | Self::CloudUpdateTraffic { args, .. } => {
                crate::app::cloud::settings::command_line("gcloud", args)
            }
            Self::CloudRevisions { service } => {
                crate::app::cloud::settings::command_line("gcloud", &service.revisions_list_args())
            }
            Self::FollowCloudLogs { service, .. } => {
                crate::app::cloud::settings::command_line("gcloud", &service.logs_read_args(None))
            }
            Self::CloudRefresh { list } => {
                let mut line = crate::app::cloud::settings::command_line(
                    "gcloud",
                    &crate::app::cloud::settings::config_list_args(),
                );
                if let Some(list) = list {
                    line.push_str(" && ");
                    line.push_str(&crate::app::cloud::settings::command_line("gcloud", list));
                }
                line
            }
            Self::CloudDeploy { steps, local, .. } => local
                .iter()
                .flat_map(|image| crate::app::cloud::settings::local_lines(image))
                .chain(
                    steps
                        .iter()
                        .map(|a| crate::app::cloud::settings::command_line("gcloud", a)),
                )
                .collect::<Vec<_>>()
                .join(" && "),
            Self::SaveCloudSettings(_) => "cat > pilothouse.toml".to_string(),
            Self::WriteWorkflow { path, .. } => format!("cat > {}", quote(path)),
            Self::MinikubeDockerEnv { profile } => {
                format!("eval $(minikube -p {} docker-env)", quote(profile))
            }
            Self::UseDockerEngine(None) => "eval $(minikube docker-env --unset)".to_string(),
            Self::Shell { target, shell } => target.command_line(true, std::slice::from_ref(shell)),
            Self::Exec {
                target, command, ..
            } => target.command_line(false, command),
            Self::StartForward { spec, .. } => spec.command_line(),
            Self::FollowSelectorLogs {
                namespace,
                selector,
                since,
            } => format!(
                "kubectl logs -f -l {} --prefix {} -n {}",
                quote(selector),
                match since {
                    Some(seconds) =>
                        format!("--since={}", crate::domain::since::since_flag(*seconds)),
                    None => format!("--tail={}", crate::app::docker::state::SELECTOR_TAIL),
                },
                quote(namespace)
            ),
            Self::KeepForwards(_) => "cat > pilothouse.toml".to_string(),
            Self::UseDockerEngine(Some(_))
            | Self::ProposeLocalPort(_)
            | Self::StopForward(_)
            | Self::LoadKeptForwards
            | Self::ProbeShell(_)
            | Self::ExportHistory { .. }
            | Self::SaveLogs { .. }
            | Self::SwitchKube(_)
            | Self::CompletePath { .. }
            | Self::SuggestManifest
            | Self::LoadCloudSettings
            | Self::CancelJob(_)
            | Self::ProbeMinikube { .. }
            | Self::FollowLogs(None)
            | Self::Watch(_)
            | Self::WatchStats(None) => return None,
            Self::DevCycle { plan, .. } => match plan.sync.first() {
                Some(copy) => format!(
                    "docker cp {} CONTAINER:{}",
                    quote(&copy.from),
                    quote(&copy.to)
                ),
                None => build_line(&plan.build),
            },
        })
    }
}

/// The command lines a dev-loop step stands for, in the order they ran.
pub fn dev_step_lines(step: &DevStep) -> Vec<String> {
    match step {
        DevStep::Built { build, unique_tag } => vec![
            build_line(build),
            format!("docker tag {} {}", quote(&build.tag), quote(unique_tag)),
        ],
        DevStep::Replaced(spec) => {
            let name = spec.name.as_deref().unwrap_or_default();
            vec![format!(
                "docker rm -f {} && {}",
                quote(name),
                run_line(spec)
            )]
        }
        DevStep::Copied { container, copies } => copies
            .iter()
            .map(|c| {
                format!(
                    "docker cp {} {}",
                    quote(&c.from),
                    quote(&format!("{container}:{}", c.to))
                )
            })
            .collect(),
        DevStep::Restarted { container } => vec![format!("docker restart {}", quote(container))],
        DevStep::ImageSet {
            namespace,
            deployment,
            container,
            image,
        } => vec![format!(
            "kubectl set image deployment/{} {}={} -n {}",
            quote(deployment),
            quote(container),
            quote(image),
            quote(namespace)
        )],
        DevStep::Skipped { .. } | DevStep::SyncFellBack { .. } => Vec::new(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::core::validate::port_maps;

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
