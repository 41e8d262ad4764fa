//! `update` and `e` in the YAML view: the field under the cursor becomes a
//! `kubectl explain` path, the answer is shown under the YAML, an answer
//! for a field the cursor has left is dropped.

use crate::app::core::command::Command;
use crate::app::core::event::Event;
use crate::app::core::model::{Model, Overlay};
use crate::app::update;
use crate::domain::kube::KubeKind;
use crate::domain::openapi::Explanation;
use crate::ui::testing::*;

const YAML: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: cookbook-recipe
  namespace: default
spec:
  replicas: 3
  template:
    spec:
      containers:
      - image: cookbook:latest
        imagePullPolicy: Never
        name: cookbook-recipe
";

fn yaml_of_the_deployment() -> Model {
    let mut model = on_pane(with_cluster(), '5');
    press_str(&mut model, "gy");
    update(
        &mut model,
        Event::YamlLoaded {
            title: "deployment/cookbook-recipe -n default".into(),
            text: Ok(YAML.into()),
        },
    );
    model
}

fn explained(model: &Model) -> Option<crate::app::core::overlay::Explained> {
    match &model.shared.overlay {
        Overlay::Yaml(view) => view.explained.clone(),
        other => panic!("the YAML view is not open: {other:?}"),
    }
}

#[test]
fn e_explains_the_field_under_the_cursor() {
    let mut model = yaml_of_the_deployment();
    // apiVersion, kind, metadata, name, namespace, spec, replicas
    press_str(&mut model, "jjjjjj");
    let commands = press_str(&mut model, "e");
    assert_eq!(
        commands,
        [Command::Explain {
            kind: KubeKind::Deployment,
            path: vec!["spec".into(), "replicas".into()],
        }]
    );
    assert_eq!(
        model.shared.learn.as_deref(),
        Some("kubectl explain deployment.spec.replicas")
    );
    update(
        &mut model,
        Event::Explained {
            path: "deployment.spec.replicas".into(),
            result: Ok(Explanation {
                field: "replicas".into(),
                type_name: "<integer>".into(),
                description: "Number of desired pods. This is a pointer to distinguish between explicit zero and not specified. Defaults to 1.".into(),
                fields: Vec::new(),
            }),
        },
    );
    assert!(matches!(
        explained(&model).and_then(|e| e.text),
        Some(Ok(e)) if e.type_name == "<integer>"
    ));
    for (w, h) in [(120, 40), (80, 24)] {
        snap!(format!("explain_replicas_{w}x{h}"), &model, w, h);
    }

    // Moving on drops it; an answer for the field left behind is not shown.
    press_str(&mut model, "jjjjj");
    assert_eq!(explained(&model), None);
    let commands = press_str(&mut model, "e");
    assert_eq!(
        model.shared.learn.as_deref(),
        Some("kubectl explain deployment.spec.template.spec.containers.imagePullPolicy"),
        "{commands:?}"
    );
    update(
        &mut model,
        Event::Explained {
            path: "deployment.spec.replicas".into(),
            result: Err("late".into()),
        },
    );
    let waiting = explained(&model).expect("asked");
    assert_eq!(waiting.text, None, "still waiting for its own answer");
    assert_eq!(
        waiting.path,
        "deployment.spec.template.spec.containers.imagePullPolicy"
    );
}

#[test]
fn a_line_with_no_field_and_a_cluster_that_cannot_tell_say_so() {
    let mut model = yaml_of_the_deployment();
    if let Overlay::Yaml(view) = &mut model.shared.overlay {
        view.lines = Some(vec!["# a comment".into()]);
    }
    assert!(press_str(&mut model, "e").is_empty());
    assert_eq!(
        explained(&model).and_then(|e| e.text),
        Some(Err(
            "no field on this line: move to a key (j/k) and press e".into()
        ))
    );
    let mut model = yaml_of_the_deployment();
    press_str(&mut model, "e");
    update(
        &mut model,
        Event::Explained {
            path: "deployment.apiVersion".into(),
            result: Err(
                "the cluster's OpenAPI schema (/openapi/v3) cannot be read: 404 Not Found".into(),
            ),
        },
    );
    snap!("explain_unavailable_80x24", &model, 80, 24);
}
