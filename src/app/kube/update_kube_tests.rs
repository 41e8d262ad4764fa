//! `update` for the Kubernetes panes' key paths: apply, expose, scale, YAML,
//! logs, open, delete, and what gets selected. No cluster: keys in, commands out.

use crate::app::core::command::Command;
use crate::app::core::event::Event;
use crate::app::core::model::{Overlay, Pane};
use crate::app::update;
use crate::ui::testing::*;
use crossterm::event::KeyCode;

#[test]
fn kubernetes_panes_scale_delete_and_open() {
    use crate::domain::kube::KubeKind;
    let mut model = on_pane(with_cluster(), '5');
    // The fixture's first row (sorted by namespace) is default/cookbook-recipe, desired 3.
    let commands = press_str(&mut model, "+");
    assert!(
        matches!(
            job_commands(&commands)[..],
            [Command::Scale { replicas: 4, .. }]
        ),
        "{commands:?}"
    );
    assert_eq!(
        model.shared.learn.as_deref(),
        Some("kubectl scale --replicas=4 deployment/cookbook-recipe -n default")
    );
    // A second + counts from the number just asked for, not the one the watch last saw.
    let commands = press_str(&mut model, "+");
    assert!(
        matches!(
            job_commands(&commands)[..],
            [Command::Scale { replicas: 5, .. }]
        ),
        "{commands:?}"
    );
    press_str(&mut model, "--");
    let commands = press_str(&mut model, "s");
    assert!(job_commands(&commands).is_empty());
    let Overlay::Form(form) = &model.shared.overlay else {
        panic!("scale form")
    };
    assert_eq!(form.value(0), "3");
    // Bad replica counts are refused at the field and nothing is sent.
    for bad in ["-1", "many", "1000", ""] {
        let mut typed = model.clone();
        press(&mut typed, KeyCode::Backspace);
        let commands = press_str(&mut typed, &format!("{bad}\n"));
        assert!(job_commands(&commands).is_empty(), "{bad}");
        let Overlay::Form(form) = &typed.shared.overlay else {
            panic!("form stays open for {bad}")
        };
        assert!(form.fields[0].error.is_some(), "{bad}");
    }
    // Zero asks first.
    press(&mut model, KeyCode::Backspace);
    assert!(job_commands(&press_str(&mut model, "0\n")).is_empty());
    assert!(matches!(model.shared.overlay, Overlay::Confirm(_)));
    let commands = press_str(&mut model, "y");
    assert!(matches!(
        job_commands(&commands)[..],
        [Command::Scale { replicas: 0, .. }]
    ));
    // ctrl-d on a pod deletes it after a yes.
    press_str(&mut model, "6");
    press_ctrl(&mut model, 'd');
    let commands = press_str(&mut model, "y");
    assert!(matches!(
        job_commands(&commands)[..],
        [Command::DeleteObject {
            kind: KubeKind::Pod,
            ..
        }]
    ));
    // o on a LoadBalancer opens its nodePort on the node; on a ClusterIP it says why not.
    press_str(&mut model, "7");
    assert_eq!(
        job_commands(&press_str(&mut model, "o")),
        vec![&Command::OpenUrl("http://192.168.49.2:31234/".into())]
    );
    press_str(&mut model, "j");
    assert!(job_commands(&press_str(&mut model, "o")).is_empty());
    assert!(
        status_text(&model).contains("kubernetes is ClusterIP"),
        "{}",
        status_text(&model)
    );
    // Read-only refuses them all.
    let mut readonly = on_pane(with_cluster(), '5');
    readonly.shared.readonly = true;
    for keys in ["+", "-", "s"] {
        assert!(job_commands(&press_str(&mut readonly, keys)).is_empty());
        assert!(matches!(readonly.shared.overlay, Overlay::None), "{keys}");
    }
}

#[test]
fn yaml_view_loads_scrolls_and_closes_and_enter_drills_down() {
    use crate::app::core::model::YamlView;
    use crate::domain::kube::KubeKind;
    let mut model = on_pane(with_cluster(), '7');
    let commands = press_str(&mut model, "y");
    assert_eq!(
        commands,
        vec![Command::ShowYaml {
            kind: KubeKind::Service,
            namespace: "default".into(),
            name: "cookbook-recipe".into()
        }]
    );
    assert_eq!(
        model.shared.learn.as_deref(),
        Some("kubectl get service cookbook-recipe -n default -o yaml")
    );
    let title = "service/cookbook-recipe -n default".to_string();
    let text: String = (0..50).map(|i| format!("line{i}: value\n")).collect();
    update(
        &mut model,
        Event::YamlLoaded {
            title: "service/other -n default".into(),
            text: Ok("stale".into()),
        },
    );
    assert_eq!(
        model.shared.overlay.clone_yaml().and_then(|v| v.lines),
        None,
        "an answer for another object is ignored"
    );
    update(
        &mut model,
        Event::YamlLoaded {
            title: title.clone(),
            text: Ok(text),
        },
    );
    press_str(&mut model, "jjj");
    assert_eq!(
        model
            .shared
            .overlay
            .clone_yaml()
            .map(|v: YamlView| v.cursor),
        Some(3)
    );
    press(&mut model, KeyCode::End);
    assert_eq!(
        model.shared.overlay.clone_yaml().map(|v| v.cursor),
        Some(49)
    );
    press_str(&mut model, "\x1b");
    assert!(matches!(model.shared.overlay, Overlay::None));
    // A failed read says why in the status bar.
    press_str(&mut model, "y");
    update(
        &mut model,
        Event::YamlLoaded {
            title,
            text: Err("cannot read cookbook-recipe: gone".into()),
        },
    );
    assert!(matches!(model.shared.overlay, Overlay::None));
    assert!(status_text(&model).contains("gone"));
    // enter on a deployment shows its pods: those of the ReplicaSets it owns, not a name match.
    press_str(&mut model, "5\n");
    assert_eq!(model.shared.pane, Pane::Pods);
    assert!(model.kube.pods_table.filter.is_empty());
    assert_eq!(model.kube.pods_table.view.len(), 3);
    assert_eq!(
        model.shared.learn.as_deref(),
        Some("kubectl get pods -n default -l app=cookbook-recipe")
    );
    assert!(
        screen_text(&model, 120, 40).contains("Pods of deployment cookbook-recipe (esc: back)")
    );
    // A new pod of it arrives by watch and shows; esc goes back to the deployment.
    let mut pods = model.kube.pods.to_vec();
    let mut extra = pods[0].clone();
    extra.name = "cookbook-recipe-7c9f8d6b5-zzzzz".into();
    pods.push(extra);
    update(
        &mut model,
        Event::Kube(crate::app::core::event::KubeEvent::Pods(pods.into())),
    );
    assert_eq!(model.kube.pods_table.view.len(), 4);
    press(&mut model, KeyCode::Esc);
    assert_eq!(model.shared.pane, Pane::Deployments);
    assert_eq!(model.kube.pods_table.view.len(), 6, "every pod again");
}

#[test]
fn the_apply_form_takes_the_suggested_manifest_only_while_its_field_is_empty() {
    let suggested = || Event::PathCompleted {
        typed: String::new(),
        completed: "cookbook-deployment.yaml".into(),
        matches: Vec::new(),
    };
    let field = |model: &crate::app::Model| match &model.shared.overlay {
        Overlay::Form(form) => form.value(0).to_string(),
        _ => panic!("apply form"),
    };
    let mut model = on_pane(with_cluster(), '5');
    // The form opens at once; whether the directory holds the manifest is the effect's to look.
    assert_eq!(press_str(&mut model, "a"), vec![Command::SuggestManifest]);
    update(&mut model, suggested());
    assert_eq!(field(&model), "cookbook-deployment.yaml");
    // Typed first: the user's text wins.
    let mut typed = on_pane(with_cluster(), '5');
    press_str(&mut typed, "ak8s/");
    update(&mut typed, suggested());
    assert_eq!(field(&typed), "k8s/");
}

#[test]
fn apply_checks_the_manifest_first_and_offers_force_after_a_conflict() {
    let mut model = on_pane(with_cluster(), '5');
    press_str(&mut model, "a");
    let Overlay::Form(form) = &model.shared.overlay else {
        panic!("apply form")
    };
    assert_eq!(
        form.value(0),
        "",
        "no cookbook-deployment.yaml in the fixture's directory"
    );
    assert!(
        job_commands(&press_str(&mut model, "\n")).is_empty(),
        "an empty path sends nothing"
    );
    let commands = press_str(&mut model, "deploy.yaml\n");
    assert_eq!(
        commands,
        vec![Command::CheckManifest {
            path: "deploy.yaml".into()
        }]
    );
    // A bad file comes back to the field; nothing is applied.
    update(
        &mut model,
        Event::ManifestChecked {
            path: "deploy.yaml".into(),
            result: Err(
                "deploy.yaml is not valid YAML: mapping values are not allowed at line 3 column 7"
                    .into(),
            ),
        },
    );
    let Overlay::Form(form) = &model.shared.overlay else {
        panic!("the form stays")
    };
    assert!(
        form.fields[0]
            .error
            .as_deref()
            .unwrap_or("")
            .contains("line 3 column 7")
    );
    assert!(model.jobs.list.is_empty());
    // A good one is applied, and the learn line says how.
    press_str(&mut model, "\n");
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
        job_commands(&commands)[..],
        [Command::Apply { force: false, .. }]
    ));
    assert_eq!(
        model.shared.learn.as_deref(),
        Some("kubectl apply --server-side -f deploy.yaml")
    );
    // A conflict asks before forcing.
    update(
        &mut model,
        Event::ApplyConflict {
            path: "deploy.yaml".into(),
            documents,
            namespace: None,
            message: "Apply failed with 1 conflict: conflict with \"kubectl\": .spec.replicas"
                .into(),
        },
    );
    let Overlay::Confirm(confirm) = &model.shared.overlay else {
        panic!("a question")
    };
    assert!(
        confirm.message.contains("conflict with \"kubectl\"") && confirm.message.contains("Force")
    );
    let commands = press_str(&mut model, "y");
    assert!(matches!(
        job_commands(&commands)[..],
        [Command::Apply { force: true, .. }]
    ));
    assert_eq!(
        model.shared.learn.as_deref(),
        Some("kubectl apply --server-side --force-conflicts -f deploy.yaml")
    );
}

#[test]
fn expose_form_validates_and_sends_the_service() {
    let mut model = on_pane(with_cluster(), '5');
    press_str(&mut model, "x");
    let Overlay::Form(form) = &model.shared.overlay else {
        panic!("expose form")
    };
    assert_eq!((form.value(0), form.value(1)), ("LoadBalancer", "8000"));
    assert_eq!(
        form.learn_line(),
        "kubectl expose deployment cookbook-recipe --type=LoadBalancer --port=8000 -n default"
    );
    for (field, typed, says) in [
        (0, "Ingress", "not a Service type"),
        (1, "70000", "outside 1-65535"),
        (2, "http", "not a port number"),
        (3, "Web_1", "not a Service name"),
    ] {
        let mut bad = model.clone();
        let Overlay::Form(form) = &mut bad.shared.overlay else {
            unreachable!()
        };
        form.fields[field].input = tui_input::Input::new(typed.to_string());
        let commands = press_str(&mut bad, "\n");
        assert!(job_commands(&commands).is_empty(), "{typed}");
        let Overlay::Form(form) = &bad.shared.overlay else {
            panic!("stays open")
        };
        assert!(
            form.fields[field]
                .error
                .as_deref()
                .unwrap_or("")
                .contains(says),
            "{typed}: {:?}",
            form.fields[field].error
        );
    }
    let commands = press_str(&mut model, "\n");
    let [Command::Expose { spec, .. }] = job_commands(&commands)[..] else {
        panic!("{commands:?}")
    };
    assert_eq!(
        (
            spec.kind.as_str(),
            spec.port,
            spec.target_port,
            spec.service.as_str()
        ),
        ("LoadBalancer", 8000, 8000, "cookbook-recipe")
    );
}

#[test]
fn l_on_a_pod_follows_its_logs() {
    let mut model = on_pane(with_cluster(), '6');
    let commands = press_str(&mut model, "l");
    assert_eq!(
        commands,
        vec![Command::FollowPodLogs {
            namespace: "default".into(),
            name: "cookbook-recipe-7c9f8d6b5-2xkqp".into(),
            container: None,
            previous: false,
        }]
    );
    assert_eq!(model.shared.pane, Pane::Logs);
    assert_eq!(
        model.shared.learn.as_deref(),
        Some("kubectl logs -f --tail=500 cookbook-recipe-7c9f8d6b5-2xkqp -n default")
    );
    let key = crate::app::pod_log_key("default", "cookbook-recipe-7c9f8d6b5-2xkqp");
    update(
        &mut model,
        Event::LogLines {
            key: key.clone(),
            lines: vec!["hello".into()],
        },
    );
    assert_eq!(
        model.docker.logs.lines.back().map(String::as_str),
        Some("hello")
    );
    update(
        &mut model,
        Event::LogLines {
            key: "pod/default/other".into(),
            lines: vec!["not mine".into()],
        },
    );
    assert_eq!(model.docker.logs.lines.len(), 1);
}

#[test]
fn what_the_user_just_applied_is_selected_when_it_arrives() {
    use crate::app::core::event::KubeEvent;
    let mut model = on_pane(with_cluster(), '5');
    press_str(&mut model, "j");
    assert_eq!(
        model
            .kube
            .deployments_table
            .selected_row(&model.kube.deployments)
            .map(|d| d.name.as_str()),
        Some("coredns")
    );
    press_str(&mut model, "a");
    let documents = vec![
        serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}}),
    ];
    press_str(&mut model, "x.yaml\n");
    update(
        &mut model,
        Event::ManifestChecked {
            path: "x.yaml".into(),
            result: Ok(documents),
        },
    );
    let mut rows = model.kube.deployments.to_vec();
    let mut web = rows[0].clone();
    web.name = "web".into();
    rows.push(web);
    update(
        &mut model,
        Event::Kube(KubeEvent::Deployments(rows.clone().into())),
    );
    assert_eq!(
        model
            .kube
            .deployments_table
            .selected_row(&model.kube.deployments)
            .map(|d| d.name.as_str()),
        Some("web")
    );
    // Once: the next update keeps whatever the user selects.
    press_str(&mut model, "k");
    update(&mut model, Event::Kube(KubeEvent::Deployments(rows.into())));
    assert_ne!(
        model
            .kube
            .deployments_table
            .selected_row(&model.kube.deployments)
            .map(|d| d.name.as_str()),
        Some("web")
    );
}

#[test]
fn an_exposed_service_is_selected_even_when_named_as_its_deployment() {
    use crate::app::core::event::KubeEvent;
    let mut model = on_pane(with_cluster(), '5');
    press_str(&mut model, "x\n");
    // The deployment of the same name updates first: it must not take the Service's turn.
    let deployments = model.kube.deployments.to_vec();
    update(
        &mut model,
        Event::Kube(KubeEvent::Deployments(deployments.into())),
    );
    let mut services = model.kube.services.to_vec();
    services.retain(|s| s.name == "kubernetes");
    update(
        &mut model,
        Event::Kube(KubeEvent::Services(services.clone().into())),
    );
    let mut exposed = services[0].clone();
    exposed.name = "cookbook-recipe".into();
    services.push(exposed);
    update(
        &mut model,
        Event::Kube(KubeEvent::Services(services.into())),
    );
    assert_eq!(
        model
            .kube
            .services_table
            .selected_row(&model.kube.services)
            .map(|s| s.name.as_str()),
        Some("cookbook-recipe")
    );
}
