//! `update` for the Kubernetes key paths added with minikube and the `:` line:
//! rollout restart, `:ns`/`:ctx` with pickers and completion, `m` on an image,
//! the container picker and previous logs, opening a LoadBalancer, tab in
//! the apply form and where apply sends objects that name no namespace. No
//! cluster: keys in, commands out.

use crate::app::core::command::Command;
use crate::app::core::event::Event;
use crate::app::core::model::{Overlay, Pane};
use crate::app::update;
use crate::ui::testing::*;
use crossterm::event::KeyCode;

#[test]
fn r_on_a_deployment_asks_then_restarts_it_and_readonly_refuses() {
    let mut model = on_pane(with_cluster(), '5');
    assert!(job_commands(&press_str(&mut model, "r")).is_empty());
    let Overlay::Confirm(confirm) = &model.shared.overlay else {
        panic!("r asks first")
    };
    assert!(confirm.message.starts_with("Restart cookbook-recipe?"));
    assert_eq!(
        model.shared.learn.as_deref(),
        Some("kubectl rollout restart deployment/cookbook-recipe -n default")
    );
    // n cancels, y restarts.
    let mut cancelled = model.clone();
    assert!(job_commands(&press_str(&mut cancelled, "n")).is_empty());
    assert_eq!(status_text(&cancelled), "Cancelled.");
    let commands = press_str(&mut model, "y");
    assert!(
        matches!(&job_commands(&commands)[..], [Command::RolloutRestart { name, namespace, .. }] if name == "cookbook-recipe" && namespace == "default"),
        "{commands:?}"
    );
    assert_eq!(
        model.jobs.list.last().map(|j| j.title.as_str()),
        Some("restart cookbook-recipe")
    );

    let mut readonly = on_pane(with_cluster(), '5');
    readonly.shared.readonly = true;
    assert!(job_commands(&press_str(&mut readonly, "r")).is_empty());
    assert!(matches!(readonly.shared.overlay, Overlay::None));
    assert!(status_text(&readonly).contains("rollout restart refused"));
}

#[test]
fn colon_ns_and_ctx_switch_what_is_watched_with_pickers_and_completion() {
    use crate::domain::kube::KubeTarget;
    let mut model = on_pane(with_cluster(), '6');
    model.kube.contexts = vec!["minikube".into(), "staging".into()];
    model.kube.namespaces = vec!["default".into(), "kube-system".into()];
    // Tab completes commands and their arguments.
    press_str(&mut model, ":n");
    press(&mut model, KeyCode::Tab);
    press_str(&mut model, "ku");
    press(&mut model, KeyCode::Tab);
    assert_eq!(
        model.view.command_input.as_ref().map(|i| i.value()),
        Some("ns kube-system ")
    );
    let commands = press_str(&mut model, "\n");
    assert_eq!(
        commands,
        vec![Command::SwitchKube(KubeTarget {
            context: None,
            namespace: Some("kube-system".into())
        })]
    );
    assert_eq!(
        model.shared.learn.as_deref(),
        Some("kubectl get all -n kube-system")
    );
    // The old rows go at once; the header says which namespace.
    assert!(model.kube.pods.is_empty());
    // :ns alone: a picker, with all first; enter on it watches every namespace again.
    press_str(&mut model, ":ns\n");
    let Overlay::Pick(picker) = &model.shared.overlay else {
        panic!(":ns opens a picker")
    };
    assert_eq!(picker.items[0].label, "all");
    assert_eq!(picker.selected, 2, "the current namespace is selected");
    let commands = press_str(&mut model, "g\n");
    assert!(matches!(
        &commands[..],
        [Command::SwitchKube(KubeTarget {
            namespace: None,
            ..
        })]
    ));
    assert_eq!(model.shared.learn.as_deref(), Some("kubectl get all -A"));
    // :ctx picker, then a context by name; an unknown one is refused.
    press_str(&mut model, ":ctx\n");
    assert!(matches!(&model.shared.overlay, Overlay::Pick(p) if p.items.len() == 2));
    let commands = press_str(&mut model, "j\n");
    assert!(
        matches!(&commands[..], [Command::SwitchKube(KubeTarget { context: Some(c), .. })] if c == "staging")
    );
    assert!(press_str(&mut model, ":ctx nowhere\n").is_empty());
    assert!(status_text(&model).contains("No context nowhere"));
    assert!(press_str(&mut model, ":ns kube-\n").is_empty());
    assert!(status_text(&model).contains("No namespace kube- in this cluster"));
    // Panes by name; an unknown command suggests the nearest.
    press_str(&mut model, ":svc\n");
    assert_eq!(model.shared.pane, Pane::Services);
    press_str(&mut model, ":pdos\n");
    assert!(status_text(&model).contains("Did you mean :pods?"));
    // esc leaves the line without running it.
    press_str(&mut model, ":q");
    press(&mut model, KeyCode::Esc);
    assert!(!model.view.quit && model.view.command_input.is_none());
    press_str(&mut model, ":q\n");
    assert!(model.view.quit);
}

#[test]
fn m_on_an_image_offers_the_walkthroughs_deployment_manifest() {
    use crate::app::docker::actions::deployment_name;
    assert_eq!(deployment_name("cookbook:latest"), "cookbook");
    assert_eq!(
        deployment_name("europe-west1-docker.pkg.dev/p/repo/My_App:v2"),
        "my-app"
    );
    assert_eq!(deployment_name("___"), "app");
    let mut model = on_pane(with_cluster(), '2');
    let image = model
        .selected_image()
        .map(|i| i.reference())
        .expect("an image");
    assert!(job_commands(&press_str(&mut model, "m")).is_empty());
    let Overlay::Confirm(confirm) = &model.shared.overlay else {
        panic!("m asks first")
    };
    assert!(
        confirm.message.contains("imagePullPolicy: Never"),
        "{}",
        confirm.message
    );
    let commands = press_str(&mut model, "y");
    assert!(
        matches!(&commands[..], [Command::ScaffoldDeployment { image: i, .. }] if *i == image),
        "{commands:?}"
    );
    let mut readonly = on_pane(with_cluster(), '2');
    readonly.shared.readonly = true;
    press_str(&mut readonly, "m");
    assert!(matches!(readonly.shared.overlay, Overlay::None));
}

#[test]
fn l_on_a_pod_of_several_containers_asks_which_and_p_shows_the_previous_one() {
    let mut model = on_pane(with_cluster(), '6');
    let mut pods = model.kube.pods.to_vec();
    pods[0].container_names = vec!["web".into(), "sidecar".into()];
    let first = pods[0].name.clone();
    model.kube.pods = pods.into();
    model.kube.pods_table.filter = first.clone();
    model.kube.rebuild(Pane::Pods);
    assert!(press_str(&mut model, "l").is_empty());
    let Overlay::Pick(picker) = &model.shared.overlay else {
        panic!("a container picker")
    };
    assert_eq!(picker.items.len(), 2);
    let commands = press_str(&mut model, "j\n");
    assert!(
        matches!(&commands[..], [Command::FollowPodLogs { container: Some(c), previous: false, .. }] if c == "sidecar"),
        "{commands:?}"
    );
    assert_eq!(
        model.shared.learn,
        Some(format!(
            "kubectl logs -f --tail=500 {first} -c sidecar -n {}",
            model.kube.pods[0].namespace
        ))
    );
    // p: the previous (crashed) container of the same pod; p again: back to the live one.
    let commands = press_str(&mut model, "p");
    assert!(matches!(
        &commands[..],
        [Command::FollowPodLogs {
            previous: true,
            container: Some(_),
            ..
        }]
    ));
    assert!(
        model
            .shared
            .learn
            .as_deref()
            .is_some_and(|l| l.starts_with("kubectl logs --previous "))
    );
    let commands = press_str(&mut model, "p");
    assert!(matches!(
        &commands[..],
        [Command::FollowPodLogs {
            previous: false,
            ..
        }]
    ));
    // Not a pod's stream: p explains itself.
    let mut containers = on_pane(with_cluster(), '4');
    assert!(press_str(&mut containers, "p").is_empty());
    assert!(status_text(&containers).contains("previous container"));
}

#[test]
fn o_on_a_load_balancer_with_an_address_opens_that_address_on_the_service_port() {
    let mut model = on_pane(with_cluster(), '7');
    // The fixture's first Service: cookbook-recipe, LoadBalancer, 8000:31234, still <pending>.
    assert_eq!(
        press_str(&mut model, "o"),
        vec![Command::OpenUrl("http://192.168.49.2:31234/".into())]
    );
    let mut services = model.kube.services.to_vec();
    let lb = services
        .iter_mut()
        .find(|s| s.name == "cookbook-recipe")
        .expect("the LoadBalancer");
    lb.ingress = vec!["10.96.12.7".into()];
    lb.external_ip = "10.96.12.7".into();
    update(
        &mut model,
        Event::Kube(crate::app::core::event::KubeEvent::Services(
            services.into(),
        )),
    );
    assert_eq!(
        press_str(&mut model, "o"),
        vec![Command::OpenUrl("http://10.96.12.7:8000/".into())]
    );
}

#[test]
fn tab_in_the_apply_form_completes_the_path_through_the_effects() {
    let mut model = on_pane(with_cluster(), '5');
    press_str(&mut model, "a");
    for _ in 0..40 {
        press(&mut model, KeyCode::Backspace);
    }
    press_str(&mut model, "cook");
    assert_eq!(
        press(&mut model, KeyCode::Tab),
        vec![Command::CompletePath {
            typed: "cook".into()
        }]
    );
    update(
        &mut model,
        Event::PathCompleted {
            typed: "cook".into(),
            completed: "cookbook-".into(),
            matches: vec![
                "cookbook-deployment.yaml".into(),
                "cookbook-service.yaml".into(),
            ],
        },
    );
    let Overlay::Form(form) = &model.shared.overlay else {
        panic!("the form stays")
    };
    assert_eq!(form.value(0), "cookbook-");
    assert_eq!(
        status_text(&model),
        "2 matches: cookbook-deployment.yaml  cookbook-service.yaml"
    );
    // An answer for text the user has since changed is dropped.
    press_str(&mut model, "d");
    update(
        &mut model,
        Event::PathCompleted {
            typed: "cookbook-".into(),
            completed: "cookbook-service.yaml".into(),
            matches: vec![],
        },
    );
    let Overlay::Form(form) = &model.shared.overlay else {
        panic!("the form stays")
    };
    assert_eq!(form.value(0), "cookbook-d");
}

#[test]
fn l_on_a_deployment_follows_every_pod_of_its_selector() {
    let mut model = on_pane(with_cluster(), '5');
    let commands = press_str(&mut model, "l");
    assert_eq!(
        commands,
        vec![Command::FollowSelectorLogs {
            namespace: "default".into(),
            selector: "app=cookbook-recipe".into(),
            since: None,
        }]
    );
    assert_eq!(model.shared.pane, Pane::Logs);
    assert!(model.docker.logs.many);
    assert_eq!(
        model.shared.learn.as_deref(),
        Some("kubectl logs -f -l app=cookbook-recipe --prefix --tail=50 -n default")
    );
    // Its lines come keyed by the selector; another stream's are not shown.
    let key = crate::app::docker::selector_logs::selector_log_key("default", "app=cookbook-recipe");
    update(
        &mut model,
        Event::LogLines {
            key,
            lines: vec!["cookbook-recipe-a │ GET / 200".into()],
        },
    );
    update(
        &mut model,
        Event::LogLines {
            key: "pod/default/other".into(),
            lines: vec!["not this".into()],
        },
    );
    assert_eq!(
        model.docker.logs.lines.iter().collect::<Vec<_>>(),
        vec!["cookbook-recipe-a │ GET / 200"]
    );
    // A single pod's logs are not a selector's, and have no since choice.
    let mut pods = on_pane(with_cluster(), '6');
    press_str(&mut pods, "l");
    assert!(!pods.docker.logs.many);
    assert!(press_str(&mut pods, "t").is_empty());
    assert!(status_text(&pods).contains("open them with l on a deployment"));
}

#[test]
fn t_in_a_deployments_logs_starts_them_again_from_further_back() {
    let mut model = on_pane(with_cluster(), '5');
    press_str(&mut model, "l");
    let key = crate::app::docker::selector_logs::selector_log_key("default", "app=cookbook-recipe");
    update(
        &mut model,
        Event::LogLines {
            key,
            lines: vec!["cookbook-recipe-a │ one of the last lines".into()],
        },
    );
    model.docker.logs.search = "GET".into();
    let follow = |since| {
        vec![Command::FollowSelectorLogs {
            namespace: "default".into(),
            selector: "app=cookbook-recipe".into(),
            since,
        }]
    };
    assert_eq!(press_str(&mut model, "t"), follow(Some(60)));
    // The stream starts over (its lines come again from further back); the search stays.
    assert!(model.docker.logs.lines.is_empty());
    assert_eq!(model.docker.logs.search, "GET");
    assert_eq!(
        model.shared.learn.as_deref(),
        Some("kubectl logs -f -l app=cookbook-recipe --prefix --since=1m -n default")
    );
    assert!(status_text(&model).contains("Every line of the last 1m"));
    assert!(model.docker.logs.container_name.ends_with(", since 1m ago"));
    assert_eq!(press_str(&mut model, "t"), follow(Some(600)));
    assert_eq!(press_str(&mut model, "t"), follow(Some(3600)));
    assert_eq!(press_str(&mut model, "t"), follow(None));
    assert!(status_text(&model).contains("The last 50 lines of each pod"));
    assert_eq!(
        model.shared.learn.as_deref(),
        Some("kubectl logs -f -l app=cookbook-recipe --prefix --tail=50 -n default")
    );
}

#[test]
fn logs_with_a_selector_on_the_command_line() {
    let mut model = connected(empty_model());
    assert_eq!(
        run_command(&mut model, "logs app=web -n shop"),
        vec![Command::FollowSelectorLogs {
            namespace: "shop".into(),
            selector: "app=web".into(),
            since: None,
        }]
    );
    assert_eq!(
        run_command(&mut model, "logs tier=front"),
        vec![Command::FollowSelectorLogs {
            namespace: "default".into(),
            selector: "tier=front".into(),
            since: None,
        }]
    );
    // --since as kubectl takes it, in its learn line too; a bad value is refused with why.
    assert_eq!(
        run_command(&mut model, "logs app=web --since=10m -n shop"),
        vec![Command::FollowSelectorLogs {
            namespace: "shop".into(),
            selector: "app=web".into(),
            since: Some(600),
        }]
    );
    assert_eq!(
        model.shared.learn.as_deref(),
        Some("kubectl logs -f -l app=web --prefix --since=10m -n shop")
    );
    assert!(run_command(&mut model, "logs app=web --since=yesterday").is_empty());
    assert!(
        status_text(&model).contains("'yesterday' is not a duration"),
        "{}",
        status_text(&model)
    );
    // Without a selector it is the pane, as before.
    assert!(run_command(&mut model, "logs").is_empty());
    assert_eq!(model.shared.pane, Pane::Logs);
}

#[test]
fn save_writes_the_logs_lines_and_refuses_without_any() {
    let mut model = connected(empty_model());
    assert!(run_command(&mut model, "save").is_empty());
    assert!(status_text(&model).starts_with("No log lines to save"));
    let mut model = on_pane(with_cluster(), '5');
    press_str(&mut model, "l");
    let key = model.docker.logs.container_id.clone().unwrap_or_default();
    update(
        &mut model,
        Event::LogLines {
            key,
            lines: vec!["a │ one".into(), "b │ two".into()],
        },
    );
    let cwd = model.shared.cwd.clone();
    assert_eq!(
        run_command(&mut model, "save"),
        vec![Command::SaveLogs {
            path: cwd.join("pilothouse-logs.log"),
            text: "a │ one\nb │ two\n".into(),
            replace: false
        }]
    );
    assert!(matches!(
        run_command(&mut model, "save! /tmp/x y.log").as_slice(),
        [Command::SaveLogs { path, replace: true, .. }] if path.display().to_string() == "/tmp/x y.log"
    ));
    update(&mut model, Event::LogsSaved(Ok("/tmp/x y.log".into())));
    assert_eq!(status_text(&model), "Saved the logs to /tmp/x y.log.");
}

#[test]
fn apply_sends_objects_without_a_namespace_to_the_one_watched() {
    let mut model = on_pane(with_cluster(), '5');
    model.kube.target.namespace = Some("shop".into());
    press_str(&mut model, "a");
    let documents = vec![
        serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}}),
    ];
    let commands = update(
        &mut model,
        Event::ManifestChecked {
            path: "deploy.yaml".into(),
            result: Ok(documents.clone()),
        },
    );
    assert!(matches!(
        &job_commands(&commands)[..],
        [Command::Apply { namespace: Some(ns), force: false, .. }] if ns == "shop"
    ));
    assert_eq!(
        model.shared.learn.as_deref(),
        Some("kubectl apply --server-side -f deploy.yaml -n shop")
    );
    // The Deployment is looked for where it will be.
    assert!(
        model
            .kube
            .select_when_seen
            .iter()
            .any(|(_, key)| key == "shop/web"),
        "{:?}",
        model.kube.select_when_seen
    );
    // Forced after a conflict: still there.
    update(
        &mut model,
        Event::ApplyConflict {
            path: "deploy.yaml".into(),
            documents,
            namespace: Some("shop".into()),
            message: "Apply failed with 1 conflict".into(),
        },
    );
    press_str(&mut model, "y");
    assert_eq!(
        model.shared.learn.as_deref(),
        Some("kubectl apply --server-side --force-conflicts -f deploy.yaml -n shop")
    );
}
