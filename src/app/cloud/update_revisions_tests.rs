//! `update` for a service's revisions, rollback and logs in the Cloud pane:
//! the command lines asked for, the question before the traffic moves, what
//! each answer does to the pane. No gcloud runs.

use super::update_cloud_tests::on_cloud;
use crate::app::cloud::service::ServiceRef;
use crate::app::cloud::settings::DeployMode;
use crate::app::core::command::Command;
use crate::app::core::event::{CloudEvent, Event};
use crate::app::core::model::{Overlay, Pane};
use crate::app::update;
use crate::domain::cloud::{CloudRevisionRow, CloudServiceRow};
use crate::ui::testing::*;
use crossterm::event::KeyCode;

fn cookbook() -> ServiceRef {
    ServiceRef {
        name: "cookbook".into(),
        region: "europe-west1".into(),
        project: "my-proj".into(),
    }
}

fn revision(name: &str, tag: &str, percent: u32, latest: bool) -> CloudRevisionRow {
    CloudRevisionRow {
        name: name.into(),
        percent,
        image: format!("europe-west1-docker.pkg.dev/my-proj/apps/cookbook:{tag}"),
        created: format!("2026-12-0{}T10:00:00Z", if latest { 4 } else { 3 }),
        ready: true,
        latest,
    }
}

/// The Cloud pane with the service listed and its revisions open and answered.
fn with_revisions() -> crate::app::Model {
    let mut model = on_cloud(DeployMode::CloudBuild);
    update(
        &mut model,
        Event::Cloud(CloudEvent::Services(Ok(vec![CloudServiceRow {
            name: "cookbook".into(),
            region: "europe-west1".into(),
            url: "https://cookbook-abc-ew.a.run.app".into(),
            last_deployed: "2026-12-04T10:00:01Z".into(),
            ready: true,
        }]))),
    );
    let commands = press(&mut model, KeyCode::Enter);
    assert_eq!(
        commands,
        vec![Command::CloudRevisions {
            service: cookbook()
        }]
    );
    assert_eq!(
        model.shared.learn.as_deref(),
        Some(
            "gcloud run revisions list --service cookbook --region europe-west1 --project my-proj --format=json"
        )
    );
    assert!(screen_text(&model, 120, 40).contains("Asking gcloud for the revisions…"));
    update(
        &mut model,
        Event::Cloud(CloudEvent::Revisions {
            service: cookbook(),
            result: Ok(vec![
                revision("cookbook-00002-bbb", "v2", 100, true),
                revision("cookbook-00001-aaa", "v1", 0, false),
            ]),
        }),
    );
    model
}

#[test]
fn enter_lists_the_services_revisions_with_their_traffic() {
    let model = with_revisions();
    for (w, h) in [(120, 40), (80, 24)] {
        snap!(format!("cloud_revisions_{w}x{h}"), &model, w, h);
    }
    let screen = screen_text(&model, 120, 40);
    assert!(screen.contains("cookbook-00002-bbb (latest)"), "{screen}");
    assert!(
        screen.contains("Revisions of cookbook (europe-west1)"),
        "{screen}"
    );
    // An answer for another service (the pane moved on) changes nothing.
    let mut model = model;
    let other = ServiceRef {
        name: "api".into(),
        ..cookbook()
    };
    update(
        &mut model,
        Event::Cloud(CloudEvent::Revisions {
            service: other,
            result: Err("nope".into()),
        }),
    );
    let view = model.cloud.revisions.as_ref().expect("still open");
    assert_eq!((view.rows.len(), view.error.as_deref()), (2, None));
    // r asks for the services and the revisions again.
    let commands = press_str(&mut model, "r");
    assert!(
        commands.contains(&Command::CloudRevisions {
            service: cookbook()
        }),
        "{commands:?}"
    );
}

#[test]
fn a_failed_listing_says_why_and_esc_goes_back_to_the_services() {
    let mut model = with_revisions();
    update(
        &mut model,
        Event::Cloud(CloudEvent::Revisions {
            service: cookbook(),
            result: Err("gcloud run revisions failed: PERMISSION_DENIED".into()),
        }),
    );
    update(
        &mut model,
        Event::Cloud(CloudEvent::Revisions {
            service: cookbook(),
            result: Ok(Vec::new()),
        }),
    );
    assert!(screen_text(&model, 120, 40).contains("No revisions."));
    update(
        &mut model,
        Event::Cloud(CloudEvent::Revisions {
            service: cookbook(),
            result: Err("gcloud run revisions failed: PERMISSION_DENIED".into()),
        }),
    );
    assert!(screen_text(&model, 120, 40).contains("PERMISSION_DENIED"));
    press(&mut model, KeyCode::Esc);
    assert!(model.cloud.revisions.is_none());
    let screen = screen_text(&model, 120, 40);
    assert!(screen.contains("Services [1]"), "{screen}");
    assert_eq!(model.shared.pane, Pane::Cloud);
}

#[test]
fn t_asks_then_sends_all_traffic_to_the_old_revision() {
    let mut model = with_revisions();
    assert!(press_str(&mut model, "t").is_empty());
    assert!(
        status_text(&model).contains("cookbook-00002-bbb already has all the traffic"),
        "{}",
        status_text(&model)
    );
    assert!(press_str(&mut model, "jt").is_empty(), "asks first");
    let Overlay::Confirm(confirm) = &model.shared.overlay else {
        panic!("t asks first")
    };
    let line = "gcloud run services update-traffic cookbook --to-revisions cookbook-00001-aaa=100 --region europe-west1 --project my-proj";
    assert!(
        confirm.message.ends_with(&format!("$ {line}")),
        "{}",
        confirm.message
    );
    assert!(
        confirm
            .message
            .contains("Later deploys will get no traffic")
    );
    assert_eq!(model.shared.learn.as_deref(), Some(line));
    let commands = press_str(&mut model, "y");
    let [
        Command::CloudUpdateTraffic {
            service, revision, ..
        },
    ] = &commands[..]
    else {
        panic!("{commands:?}")
    };
    assert_eq!(
        (service, revision.as_str()),
        (&cookbook(), "cookbook-00001-aaa")
    );
    assert_eq!(
        model.jobs.list.last().map(|j| j.title.as_str()),
        Some("all of cookbook's traffic to cookbook-00001-aaa")
    );
    assert_eq!(
        model.history.entries.last().map(|h| h.line.as_str()),
        Some(line)
    );
    // Moved: the revisions and the services are asked again.
    let commands = update(
        &mut model,
        Event::Cloud(CloudEvent::TrafficMoved(cookbook())),
    );
    assert!(
        matches!(
            &commands[..],
            [
                Command::CloudRevisions { .. },
                Command::CloudRefresh { list: Some(_) }
            ]
        ),
        "{commands:?}"
    );
}

#[test]
fn the_latest_revision_gets_the_traffic_back_with_to_latest() {
    let mut model = with_revisions();
    update(
        &mut model,
        Event::Cloud(CloudEvent::Revisions {
            service: cookbook(),
            result: Ok(vec![
                revision("cookbook-00002-bbb", "v2", 0, true),
                revision("cookbook-00001-aaa", "v1", 100, false),
            ]),
        }),
    );
    press_str(&mut model, "gt");
    let Overlay::Confirm(confirm) = &model.shared.overlay else {
        panic!("t asks first")
    };
    assert!(
        confirm.message.ends_with(
            "$ gcloud run services update-traffic cookbook --to-latest --region europe-west1 --project my-proj"
        ),
        "{}",
        confirm.message
    );
    // Read-only: nothing moves.
    let mut readonly = with_revisions();
    readonly.shared.readonly = true;
    assert!(press_str(&mut readonly, "jt").is_empty());
    assert!(matches!(readonly.shared.overlay, Overlay::None));
    assert!(
        status_text(&readonly).contains("refused"),
        "{}",
        status_text(&readonly)
    );
    // Outside the revisions, t says where it works.
    let mut services = on_cloud(DeployMode::CloudBuild);
    assert!(press_str(&mut services, "t").is_empty());
    assert!(status_text(&services).contains("open a service's revisions with enter"));
}

#[test]
fn l_reads_the_services_logs_and_leaving_the_pane_stops_the_reading() {
    let mut model = with_revisions();
    let commands = press_str(&mut model, "l");
    assert_eq!(
        commands,
        vec![Command::FollowCloudLogs {
            key: "cloudrun:my-proj/europe-west1/cookbook".into(),
            service: cookbook()
        }]
    );
    assert_eq!(model.shared.pane, Pane::Logs);
    assert_eq!(
        model.shared.learn.as_deref(),
        Some(
            "gcloud run services logs read cookbook --region europe-west1 --project my-proj --limit 100"
        )
    );
    update(
        &mut model,
        Event::LogLines {
            key: "cloudrun:my-proj/europe-west1/cookbook".into(),
            lines: vec!["2026-12-04 10:00:02 GET 200 https://cookbook-abc-ew.a.run.app/".into()],
        },
    );
    let screen = screen_text(&model, 120, 40);
    assert!(
        screen.contains("Logs: Cloud Run cookbook (europe-west1, my-proj)"),
        "{screen}"
    );
    assert!(
        screen.contains("GET 200 https://cookbook-abc-ew.a.run.app/"),
        "{screen}"
    );
    // Esc goes back to the Cloud Run pane it came from, and the reading stops there.
    let commands = press(&mut model, KeyCode::Esc);
    assert_eq!(model.shared.pane, Pane::Cloud);
    assert_eq!(commands, vec![Command::FollowLogs(None)]);
    assert!(
        model
            .docker
            .logs
            .ended
            .as_deref()
            .is_some_and(|e| e.contains("l on the service")),
        "{:?}",
        model.docker.logs.ended
    );
    assert!(press_str(&mut model, "4").is_empty(), "stopped once");
}
