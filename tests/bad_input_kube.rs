//! Bad input in the Kubernetes forms, typed into the cockpit against the sim:
//! each value is refused at its field with a sentence, and the sim's record
//! of write requests stays empty: nothing reached the API server.

mod common;

use common::cockpit::Cockpit;
use crossterm::event::KeyCode;
use pilothouse::app::Model;
use pilothouse::app::kube_state::KubeConnection;
use pilothouse::app::model::Overlay;
use pilothouse::cli::SimArgs;
use pilothouse::sim::Sim;

/// The open form's error at `field`, if any.
fn field_error(model: &Model, field: usize) -> Option<String> {
    match &model.overlay {
        Overlay::Form(form) => form.fields.get(field).and_then(|f| f.error.clone()),
        _ => None,
    }
}

/// Replace the focused field's text with `text` and press enter.
fn retype(cockpit: &mut Cockpit, text: &str) {
    for _ in 0..80 {
        cockpit.key(KeyCode::Backspace);
    }
    cockpit.keys(text);
    cockpit.key(KeyCode::Enter);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_input_sends_nothing_to_the_api_server() {
    let sim = Sim::start(&SimArgs::default())
        .await
        .expect("the sim starts");
    let app = sim.sample_app.clone();
    std::fs::write(
        app.join("broken.yaml"),
        "kind: Deployment\nmetadata: [unclosed\n",
    )
    .expect("write");
    std::fs::write(
        app.join("unknown-kind.yaml"),
        "apiVersion: v1\nkind: Frobnicator\nmetadata:\n  name: x\n",
    )
    .expect("write");
    let mut cockpit = Cockpit::start(sim.docker.host(), &sim.kubeconfig_path, app);
    cockpit
        .until("a deployment listed", |m| {
            matches!(m.kube.connection, KubeConnection::Connected(_))
                && !m.kube.deployments.is_empty()
        })
        .await;
    let mut refused = 0;

    // Scale: not a number, negative, above the cap, empty.
    cockpit.keys("5gs");
    for bad in ["abc", "-1", "1000", "", "2.5"] {
        retype(&mut cockpit, bad);
        let error =
            field_error(&cockpit.model, 0).unwrap_or_else(|| panic!("replicas {bad:?} refused"));
        assert!(!error.is_empty());
        refused += 1;
    }
    cockpit.key(KeyCode::Esc);

    // Expose: ports outside 1-65535 or not numbers, names that are not RFC 1123, a type that is
    // none. Each in a fresh form, the other fields at their valid defaults: a valid form would be sent.
    // The form opens on the port (the type has a default); tab moves on, shift-tab back.
    let cases: Vec<(usize, &str)> = ["0", "65536", "http", "-80"]
        .into_iter()
        .map(|bad| (1, bad))
        .chain([(2, "99999"), (2, "0")])
        .chain(
            ["Bad_Name", "-leading", "trailing-", "a.b"]
                .into_iter()
                .map(|bad| (3, bad)),
        )
        .chain([(0, "ExternalName")])
        .collect();
    let long_name = "x".repeat(64);
    for (field, bad) in cases.into_iter().chain([(3, long_name.as_str())]) {
        cockpit.keys("x");
        match field {
            0 => cockpit.key(KeyCode::BackTab),
            _ => (1..field).for_each(|_| cockpit.key(KeyCode::Tab)),
        }
        retype(&mut cockpit, bad);
        assert!(
            field_error(&cockpit.model, field).is_some(),
            "field {field}: {bad:?} refused"
        );
        refused += 1;
        cockpit.key(KeyCode::Esc);
    }

    // Apply: a missing file, YAML that does not parse (line and column), an unknown kind, no path.
    cockpit.keys("a");
    for (bad, says) in [
        ("missing.yaml", "missing.yaml"),
        ("broken.yaml", "line 2"),
        ("unknown-kind.yaml", "Frobnicator"),
    ] {
        retype(&mut cockpit, bad);
        cockpit
            .until(&format!("the apply form's answer for {bad}"), |m| {
                field_error(m, 0).is_some_and(|e| e.contains(says))
            })
            .await;
        refused += 1;
    }
    retype(&mut cockpit, "");
    assert!(
        field_error(&cockpit.model, 0).is_some(),
        "an empty path refused"
    );
    refused += 1;
    cockpit.key(KeyCode::Esc);

    assert_eq!(refused, 21);
    assert!(
        cockpit.model.jobs.is_empty(),
        "no job started: {:?}",
        cockpit
            .model
            .jobs
            .iter()
            .map(|j| &j.title)
            .collect::<Vec<_>>()
    );
    assert_eq!(
        sim.kube.shared.writes(),
        Vec::<String>::new(),
        "the API server received no write"
    );
}
