//! `update` for minikube: when it is asked, the `M` menu, `e`, and `o` on a
//! Service of a minikube context. Keys in, commands out; no minikube runs.

use crate::app::core::command::Command;
use crate::app::core::event::{Event, MinikubeEvent};
use crate::app::core::model::{Overlay, Pane};
use crate::app::update;
use crate::domain::minikube::{MinikubeDockerEnv, MinikubeOp, MinikubeState, MinikubeStatus};
use crate::ui::testing::*;
use std::time::Duration;

/// The minikube questions among what a tick asks (the Cloud pane asks its own at the first).
fn probes(commands: Vec<Command>) -> Vec<Command> {
    commands
        .into_iter()
        .filter(|c| matches!(c, Command::ProbeMinikube { .. }))
        .collect()
}

fn status(host: &str) -> MinikubeState {
    let apiserver = if host == "Running" { "Running" } else { host };
    MinikubeState::Status(MinikubeStatus {
        profile: "minikube".into(),
        host: host.into(),
        kubelet: apiserver.into(),
        apiserver: apiserver.into(),
        kubeconfig: if host == "Running" {
            "Configured"
        } else {
            host
        }
        .into(),
        workers: 0,
    })
}

/// The fixture cluster (context `minikube`), with minikube saying `state`.
fn on_minikube(state: MinikubeState) -> crate::app::Model {
    let mut model = with_cluster();
    update(
        &mut model,
        Event::Kube(crate::app::core::event::KubeEvent::Context(
            "minikube".into(),
        )),
    );
    update(&mut model, Event::Minikube(MinikubeEvent::State(state)));
    model
}

#[test]
fn minikube_is_asked_at_the_first_tick_then_rarely_and_never_in_the_demo() {
    let mut model = with_cluster();
    update(
        &mut model,
        Event::Kube(crate::app::core::event::KubeEvent::Context(
            "minikube".into(),
        )),
    );
    let commands = probes(update(&mut model, Event::Tick(now())));
    assert_eq!(
        commands,
        vec![Command::ProbeMinikube {
            context: Some("minikube".into())
        }]
    );
    // One question at a time.
    assert!(probes(update(&mut model, Event::Tick(now()))).is_empty());
    update(
        &mut model,
        Event::Minikube(MinikubeEvent::State(status("Running"))),
    );
    assert!(
        probes(update(
            &mut model,
            Event::Tick(now() + Duration::from_secs(60))
        ))
        .is_empty()
    );
    assert_eq!(
        probes(update(
            &mut model,
            Event::Tick(now() + Duration::from_secs(300))
        ))
        .len(),
        1
    );
    // A start or stop that ends, or a new context, asks again at once.
    update(
        &mut model,
        Event::Minikube(MinikubeEvent::State(status("Running"))),
    );
    update(&mut model, Event::Minikube(MinikubeEvent::OpFinished));
    let now_then = model.shared.now;
    assert_eq!(probes(update(&mut model, Event::Tick(now_then))).len(), 1);
    let mut demo = with_cluster();
    demo.shared.demo = true;
    assert!(probes(update(&mut demo, Event::Tick(now()))).is_empty());
    press_str(&mut demo, "M");
    assert!(status_text(&demo).contains("simulated, not minikube"));
}

#[test]
fn an_answer_about_a_context_no_longer_in_use_is_asked_again() {
    // The first tick comes before the kube source names its context.
    let mut model = with_cluster();
    model.minikube.context = None;
    let asked = probes(update(&mut model, Event::Tick(now())));
    assert_eq!(asked, vec![Command::ProbeMinikube { context: None }]);
    // The context arrives while that question is in flight…
    update(
        &mut model,
        Event::Kube(crate::app::core::event::KubeEvent::Context(
            "pilothouse-sim".into(),
        )),
    );
    update(
        &mut model,
        Event::Minikube(MinikubeEvent::State(MinikubeState::NotAProfile {
            profiles: vec!["pilothouse-sim".into()],
        })),
    );
    // …so the answer (about no context) is not kept for two minutes: asked again now.
    let now_then = model.shared.now;
    assert_eq!(
        probes(update(&mut model, Event::Tick(now_then))),
        vec![Command::ProbeMinikube {
            context: Some("pilothouse-sim".into())
        }]
    );
}

#[test]
fn m_offers_start_stop_and_dashboard_with_their_command_lines() {
    let mut model = on_minikube(status("Stopped"));
    press_str(&mut model, "M");
    let Overlay::Pick(menu) = &model.shared.overlay else {
        panic!("M opens the menu")
    };
    assert_eq!(
        menu.title,
        "minikube -p minikube: Host Stopped · Kubelet Stopped · APIServer Stopped · Kubeconfig Stopped"
    );
    let details: Vec<&str> = menu.items.iter().map(|i| i.detail.as_str()).collect();
    assert_eq!(
        details,
        [
            "minikube -p minikube start",
            "minikube -p minikube stop",
            "minikube -p minikube dashboard --url"
        ]
    );
    let commands = press_str(&mut model, "\n");
    assert!(
        matches!(&commands[..], [Command::Minikube { op: MinikubeOp::Start, profile, .. }] if profile == "minikube"),
        "{commands:?}"
    );
    assert_eq!(model.shared.pane, Pane::Jobs);
    assert_eq!(
        model.jobs.list.last().map(|j| j.title.as_str()),
        Some("minikube start minikube")
    );
    // Dashboard: a job too, and its URL is opened when it arrives.
    let commands = press_str(&mut model, "Mjj\n");
    assert!(matches!(
        &commands[..],
        [Command::Minikube {
            op: MinikubeOp::Dashboard,
            ..
        }]
    ));
    let commands = update(
        &mut model,
        Event::Minikube(MinikubeEvent::UrlReady {
            key: "dashboard/minikube".into(),
            url: "http://127.0.0.1:36541/api/v1/namespaces/kubernetes-dashboard/services/http:kubernetes-dashboard:/proxy/".into(),
            note: "kept".into(),
        }),
    );
    assert!(
        matches!(&commands[..], [Command::OpenUrl(url)] if url.starts_with("http://127.0.0.1:36541/"))
    );
    // Read-only: start and stop are refused, the dashboard is not.
    let mut readonly = on_minikube(status("Stopped"));
    readonly.shared.readonly = true;
    assert!(press_str(&mut readonly, "M\n").is_empty());
    assert!(status_text(&readonly).contains("minikube start refused"));
    assert_eq!(press_str(&mut readonly, "Mjj\n").len(), 1);
    // Paused: the header says so, and M unpauses rather than starts.
    let paused = MinikubeState::Status(MinikubeStatus {
        profile: "minikube".into(),
        host: "Running".into(),
        kubelet: "Stopped".into(),
        apiserver: "Paused".into(),
        kubeconfig: "Configured".into(),
        workers: 0,
    });
    let mut paused = on_minikube(paused);
    assert!(press_str(&mut paused, "e").is_empty());
    assert_eq!(
        status_text(&paused),
        "minikube minikube is paused: press M to unpause it."
    );
    assert!(
        screen_text(&paused, 160, 40)
            .lines()
            .next()
            .is_some_and(|header| header.contains("◆ minikube Paused (M: unpause)")),
        "{}",
        screen_text(&paused, 160, 40)
    );
    press_str(&mut paused, "M");
    let Overlay::Pick(menu) = &paused.shared.overlay else {
        panic!("M opens the menu")
    };
    assert_eq!(menu.items[0].detail, "minikube -p minikube unpause");
    let commands = press_str(&mut paused, "\n");
    assert!(
        matches!(
            &commands[..],
            [Command::Minikube {
                op: MinikubeOp::Unpause,
                ..
            }]
        ),
        "{commands:?}"
    );
    assert_eq!(
        paused.shared.learn.as_deref(),
        Some("minikube -p minikube unpause")
    );
    // esc closes the menu and sends nothing.
    let mut closed = on_minikube(status("Running"));
    assert!(press_str(&mut closed, "M").is_empty());
    press(&mut closed, crossterm::event::KeyCode::Esc);
    assert!(matches!(closed.shared.overlay, Overlay::None));
}

#[test]
fn m_explains_when_there_is_no_minikube_to_talk_to() {
    let mut missing = on_minikube(MinikubeState::NotInstalled);
    press_str(&mut missing, "M");
    assert!(matches!(missing.shared.overlay, Overlay::None));
    assert!(status_text(&missing).starts_with("minikube is not installed"));
    let mut other = on_minikube(MinikubeState::NotAProfile {
        profiles: vec!["dev".into()],
    });
    press_str(&mut other, "M");
    let Overlay::Pick(menu) = &other.shared.overlay else {
        panic!("start is still offered")
    };
    assert!(
        menu.title.contains("not a minikube profile"),
        "{}",
        menu.title
    );
    // A fresh install (no profiles at all): said so, and start is offered.
    let mut fresh = on_minikube(MinikubeState::NotAProfile { profiles: vec![] });
    press_str(&mut fresh, "M");
    let Overlay::Pick(menu) = &fresh.shared.overlay else {
        panic!("start is offered")
    };
    assert_eq!(
        menu.title,
        "minikube has no profile yet (a fresh install); start makes minikube"
    );
    let mut unknown = with_cluster();
    press_str(&mut unknown, "M");
    assert!(status_text(&unknown).contains("Still asking minikube"));
}

#[test]
fn e_switches_the_docker_side_to_minikube_and_back() {
    let mut stopped = on_minikube(status("Stopped"));
    assert!(press_str(&mut stopped, "e").is_empty());
    assert!(status_text(&stopped).contains("is not running (Host Stopped)"));

    let mut model = on_minikube(status("Running"));
    let commands = press_str(&mut model, "e");
    assert_eq!(
        commands,
        vec![Command::MinikubeDockerEnv {
            profile: "minikube".into()
        }]
    );
    assert_eq!(
        model.shared.learn.as_deref(),
        Some("eval $(minikube -p minikube docker-env)")
    );
    let env = MinikubeDockerEnv {
        profile: "minikube".into(),
        host: "tcp://127.0.0.1:32842".into(),
        tls_verify: true,
        cert_path: Some("/home/user/.minikube/certs".into()),
    };
    let commands = update(
        &mut model,
        Event::Minikube(MinikubeEvent::DockerEnv(Ok(env.clone()))),
    );
    assert_eq!(commands, vec![Command::UseDockerEngine(Some(env))]);
    assert!(
        screen_text(&model, 120, 40)
            .lines()
            .next()
            .unwrap_or("")
            .contains("● docker on minikube minikube")
    );
    // o on a container: its port is on minikube's node, not on this machine.
    let mut web = container(
        "abc123",
        "web",
        "cookbook:latest",
        crate::domain::ContainerState::Running,
        Some(8000),
        60,
    );
    web.ports[0].host_ip = Some("0.0.0.0".into());
    update(
        &mut model,
        Event::Docker(crate::app::core::event::DockerEvent::Containers(vec![web])),
    );
    let commands = press_str(&mut model, "1o");
    assert!(
        matches!(&commands[..], [Command::OpenUrl(url)] if url.starts_with("http://192.168.49.2:8000")),
        "{commands:?} {}",
        status_text(&model)
    );
    let commands = press_str(&mut model, "e");
    assert_eq!(commands, vec![Command::UseDockerEngine(None)]);
    assert_eq!(
        model.shared.learn.as_deref(),
        Some("eval $(minikube docker-env --unset)")
    );
    // A failure is said once, in the status line.
    update(
        &mut model,
        Event::Minikube(MinikubeEvent::DockerEnv(Err(
            "minikube docker-env: the control plane node must be running for this command".into(),
        ))),
    );
    assert!(status_text(&model).contains("must be running"));
}

#[test]
fn o_on_a_service_of_a_minikube_context_asks_minikube_once() {
    let mut model = on_pane(on_minikube(status("Running")), '7');
    let commands = press_str(&mut model, "o");
    let [
        Command::MinikubeServiceUrl {
            profile,
            namespace,
            service,
        },
    ] = &commands[..]
    else {
        panic!("{commands:?}")
    };
    assert_eq!(profile, "minikube");
    assert_eq!(
        model.shared.learn.as_deref(),
        Some(format!("minikube -p minikube service {service} -n {namespace} --url").as_str())
    );
    let key = format!("service/{namespace}/{service}");
    update(
        &mut model,
        Event::Minikube(MinikubeEvent::UrlReady {
            key,
            url: "http://192.168.49.2:31234".into(),
            note: "kept".into(),
        }),
    );
    // The kept process's URL is reused.
    assert_eq!(
        press_str(&mut model, "o"),
        vec![Command::OpenUrl("http://192.168.49.2:31234".into())]
    );
    // Not a minikube context: the nodePort on the node address, as before.
    let mut plain = on_pane(with_cluster(), '7');
    assert!(matches!(
        &press_str(&mut plain, "o")[..],
        [Command::OpenUrl(_)] | []
    ));
}
