//! `update` for what the sources and effects report: job progress, stats,
//! logs, relists, disconnects and the clock.

use crate::app::core::command::{BuildSpec, Command};
use crate::app::core::event::{DockerEvent, Event, JobUpdate};
use crate::app::core::model::{JobState, LOG_CAPACITY, Level, Model, Pane, STATS_CAPACITY};
use crate::app::core::update::step;
use crate::app::update;
use crate::domain::StatsSample;
use crate::ui::testing::*;
use std::time::Duration;

fn spec() -> BuildSpec {
    BuildSpec {
        context: ".".into(),
        dockerfile: "Dockerfile".into(),
        tag: "cookbook:latest".into(),
    }
}

#[test]
fn logs_follow_the_selected_container_bounded() {
    let mut model = populated();
    let commands = press_str(&mut model, "l");
    let id = model.selected_container().unwrap().id.clone();
    assert!(commands.contains(&Command::FollowLogs(Some(id.clone()))));
    assert_eq!(model.shared.pane, Pane::Logs);
    let lines: Vec<String> = (0..LOG_CAPACITY + 10)
        .map(|i| format!("line {i}"))
        .collect();
    update(
        &mut model,
        Event::LogLines {
            key: id.clone(),
            lines,
        },
    );
    assert_eq!(model.docker.logs.lines.len(), LOG_CAPACITY);
    assert_eq!(
        model.docker.logs.lines.front().map(String::as_str),
        Some("line 10")
    );
    update(
        &mut model,
        Event::LogLines {
            key: "other".into(),
            lines: vec!["x".into()],
        },
    );
    assert_eq!(
        model.docker.logs.lines.back().map(String::as_str),
        Some(format!("line {}", LOG_CAPACITY + 9).as_str())
    );
    press_str(&mut model, "f");
    assert!(!model.docker.logs.follow);
    press_str(&mut model, "k");
    assert_eq!(model.docker.logs.scroll_back, 1);
    press_str(&mut model, "\x1b");
    assert_eq!(
        model.shared.pane,
        Pane::Containers,
        "esc goes back from logs"
    );
}

#[test]
fn job_updates_stream_into_the_job_and_the_status_bar() {
    let mut model = populated();
    press_str(&mut model, "b\n");
    update(&mut model, Event::BuildContextChecked(Ok(spec())));
    let update_job = |model: &mut crate::app::Model, update_: JobUpdate| {
        update(
            model,
            Event::Job {
                id: 1,
                update: update_,
            },
        )
    };
    update_job(
        &mut model,
        JobUpdate::Output(vec!["Step 1/2 : FROM scratch".into()]),
    );
    update_job(
        &mut model,
        JobUpdate::Step {
            current: 1,
            total: 2,
        },
    );
    assert_eq!(model.jobs.list[0].step, Some((1, 2)));
    update(&mut model, Event::Tick(now() + Duration::from_secs(3)));
    assert_eq!(
        model.jobs.list[0].elapsed(model.shared.now),
        Duration::from_secs(3)
    );
    update_job(
        &mut model,
        JobUpdate::Finished(Err("COPY failed: no such file".into())),
    );
    assert_eq!(
        model.jobs.list[0].state,
        JobState::Failed("COPY failed: no such file".into())
    );
    assert_eq!(model.shared.status.as_ref().unwrap().level, Level::Error);
    assert!(status_text(&model).contains("COPY failed"));
    update(&mut model, Event::Tick(now() + Duration::from_secs(30)));
    assert_eq!(
        model.jobs.list[0].elapsed(model.shared.now),
        Duration::from_secs(3),
        "elapsed stops at the end"
    );
}

#[test]
fn one_stats_stream_follows_the_selected_running_container() {
    let mut model = connected(empty_model());
    let rows = populated().docker.containers;
    let commands = update(&mut model, Event::Docker(DockerEvent::Containers(rows)));
    let first = model.selected_container().unwrap().id.clone();
    assert_eq!(commands, vec![Command::WatchStats(Some(first.clone()))]);
    let commands = press_str(&mut model, "j");
    let second = model.selected_container().unwrap().id.clone();
    assert_eq!(commands, vec![Command::WatchStats(Some(second.clone()))]);
    let sample = StatsSample {
        cpu_percent: 1.5,
        memory_bytes: 10,
        memory_limit: 100,
    };
    update(
        &mut model,
        Event::Docker(DockerEvent::Stats { id: first, sample }),
    );
    assert!(
        model.docker.stats.cpu.is_empty(),
        "samples of another container are dropped"
    );
    for _ in 0..STATS_CAPACITY + 5 {
        update(
            &mut model,
            Event::Docker(DockerEvent::Stats {
                id: second.clone(),
                sample,
            }),
        );
    }
    assert_eq!(model.docker.stats.cpu.len(), STATS_CAPACITY);
    assert_eq!(model.docker.stats.cpu.back(), Some(&150));
    let commands = update(
        &mut model,
        Event::Docker(DockerEvent::Disconnected {
            reason: "gone".into(),
            retry_in: Duration::from_secs(1),
        }),
    );
    assert_eq!(
        commands,
        vec![Command::WatchStats(None)],
        "no stream while disconnected"
    );
}

#[test]
fn relists_keep_the_selection_and_disconnects_keep_the_rows() {
    let mut model = populated();
    press_str(&mut model, "j");
    let selected = model.selected_container().unwrap().id.clone();
    let mut rows = model.docker.containers.clone();
    rows.reverse();
    update(&mut model, Event::Docker(DockerEvent::Containers(rows)));
    assert_eq!(model.selected_container().unwrap().id, selected);
    let model = disconnected(model);
    assert!(connection_is_disconnected(&model));
    assert_eq!(model.docker.containers_table.view.len(), 2);
}

#[test]
fn ticks_redraw_only_when_something_on_screen_moves() {
    let mut model = populated();
    let tick = |model: &mut Model, seconds: u64| {
        step(model, Event::Tick(now() + Duration::from_secs(seconds))).visible
    };
    assert!(
        !tick(&mut model, 1),
        "no running job, same minute: nothing to draw"
    );
    assert!(tick(&mut model, 61), "ages change at the minute");
    press_str(&mut model, "b\n");
    update(&mut model, Event::BuildContextChecked(Ok(spec())));
    assert!(tick(&mut model, 62), "a running job's elapsed time moves");
}

#[test]
fn jobs_pane_selects_jobs_and_shows_the_newest() {
    let mut model = with_jobs();
    assert_eq!(model.jobs.list.len(), 2);
    assert_eq!(model.selected_job().unwrap().id, 2);
    press_str(&mut model, "3k");
    assert_eq!(model.selected_job().unwrap().id, 1);
    assert!(matches!(
        model.selected_job().unwrap().state,
        JobState::Failed(_)
    ));
}
