//! `update` after the cluster said no: a refusal is never asked again by
//! itself, so `:ctx` or `:ns` to where the cockpit already is asks once more
//! (and, with nothing refused, stays a no-op). No cluster: keys in, commands out.

use crate::app::core::command::Command;
use crate::app::core::event::{Event, KubeEvent};
use crate::app::update;
use crate::domain::kube::KubeTarget;
use crate::ui::testing::*;

#[test]
fn ctx_or_ns_to_the_same_place_asks_again_only_after_a_refusal() {
    let mut model = on_pane(with_cluster(), '6');
    model.kube.contexts = vec!["minikube".into(), "staging".into()];
    model.kube.namespaces = vec!["default".into(), "kube-system".into()];
    model.kube.target = KubeTarget {
        context: Some("minikube".into()),
        namespace: Some("default".into()),
    };
    assert!(press_str(&mut model, ":ctx minikube\n").is_empty());
    assert!(status_text(&model).contains("Already on context minikube"));
    assert!(press_str(&mut model, ":ns default\n").is_empty());

    update(
        &mut model,
        Event::Kube(KubeEvent::NotAllowed(
            "pods: not allowed for user dev".into(),
        )),
    );
    let again = vec![Command::SwitchKube(model.kube.target.clone())];
    assert_eq!(press_str(&mut model, ":ctx minikube\n"), again);
    assert!(status_text(&model).contains("Asking context minikube again"));
    assert_eq!(press_str(&mut model, ":ns default\n"), again);

    // Credentials refused: the same.
    model.kube.not_allowed.clear();
    assert!(press_str(&mut model, ":ctx minikube\n").is_empty());
    update(
        &mut model,
        Event::Kube(KubeEvent::Rejected(
            "the credentials of user dev were rejected".into(),
        )),
    );
    assert_eq!(press_str(&mut model, ":ctx minikube\n"), again);
}
