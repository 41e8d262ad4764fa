//! `update` for the dev loop: w and :watch, a change starting a cycle, at
//! most one more cycle whatever the number of saves, pause and resume,
//! trigger, manual mode for the loop and for a target, the sync decision,
//! the steps' command lines in History, and the Dev section's snapshots.

use crate::app::core::command::{BuildSpec, Command, DevPlan, SyncCopy, WatchSpec};
use crate::app::core::event::{DevEvent, DevStage, DevStep, Event, JobUpdate};
use crate::app::core::model::{Model, Pane};
use crate::app::dev::settings::DevSettings;
use crate::app::dev::state::{CycleResult, WatchState};
use crate::app::update;
use crate::ui::testing::*;
use crossterm::event::KeyCode;
use std::time::Duration;

fn watching() -> Model {
    let mut model = connected(empty_model());
    let commands = press(&mut model, KeyCode::Char('w'));
    assert_eq!(
        commands,
        vec![Command::Watch(Some(WatchSpec {
            context: "/home/dev/cookbook".into(),
            dockerfile: "Dockerfile".into(),
        }))]
    );
    assert_eq!(model.shared.pane, Pane::Jobs);
    model
}

fn change(model: &mut Model, paths: &[&str]) -> Vec<Command> {
    update(
        model,
        Event::Dev(DevEvent::Changed {
            paths: paths.iter().map(|p| p.to_string()).collect(),
            held: Duration::from_millis(152),
        }),
    )
}

fn cycle_plan(commands: &[Command]) -> Option<(u64, DevPlan)> {
    commands.iter().find_map(|c| match c {
        Command::DevCycle { job, plan } => Some((*job, plan.clone())),
        _ => None,
    })
}

fn finish(model: &mut Model, job: u64, result: Result<&str, &str>) -> Vec<Command> {
    update(
        model,
        Event::Job {
            id: job,
            update: JobUpdate::Finished(result.map(String::from).map_err(String::from)),
        },
    )
}

fn sync_settings() -> DevSettings {
    crate::app::cloud::settings::parse_project_file(
        "[dev]\nsync = [{ from = \"templates/\", to = \"/app/templates/\" }]\n",
    )
    .expect("parses")
    .dev
    .expect("has [dev]")
}

#[test]
fn a_save_starts_a_cycle_of_the_app_and_w_stops_watching() {
    let mut model = watching();
    let (job, plan) = cycle_plan(&change(&mut model, &["run.py"])).expect("a cycle");
    assert_eq!(
        plan.build,
        BuildSpec {
            context: ".".into(),
            dockerfile: "Dockerfile".into(),
            tag: "cookbook:latest".into(),
        }
    );
    assert!(plan.sync.is_empty() && plan.skip.is_empty());
    assert_eq!(model.dev.running, Some(job));
    assert_eq!(model.jobs.list.last().map(|j| j.id), Some(job));
    assert_eq!(model.dev.cycles[0].seen, Some(Duration::from_millis(152)));
    finish(&mut model, job, Ok("cookbook:dev-3f2a1b9 serving: web"));
    assert_eq!(
        model.dev.cycles[0].result,
        CycleResult::Done("cookbook:dev-3f2a1b9 serving: web".into())
    );
    assert_eq!(
        press(&mut model, KeyCode::Char('w')),
        vec![Command::Watch(None)]
    );
    assert_eq!(model.dev.watch, WatchState::Off);
    // A late report of the stopped watch starts nothing.
    assert!(cycle_plan(&change(&mut model, &["run.py"])).is_none());
}

#[test]
fn the_last_build_names_the_app_and_watch_is_also_a_command() {
    let mut model = connected(empty_model());
    model.dev.app = Some(BuildSpec {
        context: "/src/api".into(),
        dockerfile: "docker/Dockerfile".into(),
        tag: "api:dev".into(),
    });
    assert_eq!(
        run_command(&mut model, "watch"),
        vec![Command::Watch(Some(WatchSpec {
            context: "/src/api".into(),
            dockerfile: "docker/Dockerfile".into(),
        }))]
    );
    let (_, plan) = cycle_plan(&change(&mut model, &["main.go"])).expect("a cycle");
    assert_eq!(plan.build.tag, "api:dev");
}

#[test]
fn a_burst_while_a_cycle_runs_makes_one_more_cycle_not_one_per_save() {
    let mut model = watching();
    let (first, _) = cycle_plan(&change(&mut model, &["run.py"])).expect("a cycle");
    for i in 0..100 {
        let commands = change(&mut model, &[&format!("page{i}.html"), "run.py"]);
        assert!(cycle_plan(&commands).is_none(), "save {i} queued a cycle");
    }
    let (second, plan) = cycle_plan(&finish(&mut model, first, Ok("done"))).expect("one more");
    assert!(plan.sync.is_empty());
    assert_eq!(model.dev.cycles.len(), 2);
    assert_eq!(model.dev.cycles[1].files.len(), 101);
    assert!(cycle_plan(&finish(&mut model, second, Ok("done"))).is_none());
    assert_eq!(model.dev.cycles.len(), 2);
}

#[test]
fn a_failed_build_is_shown_and_the_next_save_tries_again() {
    let mut model = watching();
    let (job, _) = cycle_plan(&change(&mut model, &["Dockerfile"])).expect("a cycle");
    finish(
        &mut model,
        job,
        Err("the build failed at Step 2/3 : COPY missing /x: COPY failed"),
    );
    assert!(
        status_text(&model).contains("Step 2/3"),
        "{}",
        status_text(&model)
    );
    assert!(matches!(model.dev.cycles[0].result, CycleResult::Failed(_)));
    assert!(cycle_plan(&change(&mut model, &["Dockerfile"])).is_some());
}

#[test]
fn pause_notes_changes_and_resume_runs_them() {
    let mut model = watching();
    assert!(press(&mut model, KeyCode::Char('p')).is_empty());
    assert_eq!(model.dev.watch, WatchState::Paused);
    assert!(cycle_plan(&change(&mut model, &["run.py"])).is_none());
    assert!(
        status_text(&model).contains("1 change(s) noted"),
        "{}",
        status_text(&model)
    );
    let (_, _) = cycle_plan(&press(&mut model, KeyCode::Char('p'))).expect("resumed: a cycle");
    assert_eq!(model.dev.watch, WatchState::Watching);
}

#[test]
fn manual_mode_waits_for_t_and_t_during_a_cycle_owes_one_more() {
    let mut model = watching();
    press(&mut model, KeyCode::Char('m'));
    assert!(model.dev.manual);
    assert!(cycle_plan(&change(&mut model, &["run.py"])).is_none());
    assert!(cycle_plan(&change(&mut model, &["templates/a.html"])).is_none());
    let (job, _) = cycle_plan(&press(&mut model, KeyCode::Char('t'))).expect("t runs");
    assert_eq!(
        model.dev.cycles[0].files,
        vec!["run.py", "templates/a.html"]
    );
    assert!(press(&mut model, KeyCode::Char('t')).is_empty());
    let (_, again) = cycle_plan(&finish(&mut model, job, Ok("ok"))).expect("the one more");
    assert!(again.skip.is_empty());
    // Back to auto: noted changes run at once.
    press(&mut model, KeyCode::Char('m'));
    assert!(!model.dev.manual);
}

#[test]
fn a_target_in_manual_mode_is_skipped_by_saves_and_updated_by_t() {
    let mut model = on_pane(populated(), '1');
    press(&mut model, KeyCode::Char('m'));
    let name = model.selected_container().expect("a row").name.clone();
    let key = format!("container/{name}");
    assert!(model.dev.manual_targets.contains(&key));
    press(&mut model, KeyCode::Char('w'));
    let (job, plan) = cycle_plan(&change(&mut model, &["run.py"])).expect("a cycle");
    assert_eq!(plan.skip, vec![key.clone()]);
    finish(&mut model, job, Ok("ok"));
    let (_, by_hand) = cycle_plan(&press(&mut model, KeyCode::Char('t'))).expect("t");
    assert!(by_hand.skip.is_empty());
    // m again on the row: auto.
    press(&mut model, KeyCode::Char('1'));
    press(&mut model, KeyCode::Char('m'));
    assert!(!model.dev.manual_targets.contains(&key));
}

#[test]
fn only_changes_all_under_sync_rules_are_synced() {
    let mut model = watching();
    update(
        &mut model,
        Event::Dev(DevEvent::Settings(Ok(sync_settings()))),
    );
    let (job, plan) = cycle_plan(&change(&mut model, &["templates/index.html"])).expect("cycle");
    assert_eq!(
        plan.sync,
        vec![SyncCopy {
            from: "templates/index.html".into(),
            to: "/app/templates/index.html".into(),
        }]
    );
    assert!(model.dev.cycles[0].sync);
    finish(&mut model, job, Ok("copied"));
    let (_, mixed) = cycle_plan(&change(
        &mut model,
        &["templates/index.html", "requirements.txt"],
    ))
    .expect("cycle");
    assert!(mixed.sync.is_empty(), "a change outside the rules rebuilds");
    // A broken [dev] is said, and every change rebuilds meanwhile.
    update(
        &mut model,
        Event::Dev(DevEvent::Settings(Err(
            "pilothouse.toml: line 3, key `to`".into()
        ))),
    );
    assert!(
        status_text(&model).contains("line 3"),
        "{}",
        status_text(&model)
    );
}

#[test]
fn each_step_is_a_command_line_in_history_and_in_the_job() {
    let mut model = watching();
    let (job, plan) = cycle_plan(&change(&mut model, &["run.py"])).expect("a cycle");
    update(
        &mut model,
        Event::Dev(DevEvent::Step {
            job,
            step: DevStep::Built {
                build: plan.build.clone(),
                unique_tag: "cookbook:dev-3f2a1b9".into(),
            },
        }),
    );
    update(
        &mut model,
        Event::Dev(DevEvent::Step {
            job,
            step: DevStep::Replaced(crate::app::core::command::RunSpec {
                image: "cookbook:dev-3f2a1b9".into(),
                name: Some("web".into()),
                ports: crate::app::core::validate::port_maps("127.0.0.1:8000:8000").expect("ports"),
                env: Vec::new(),
                labels: Vec::new(),
            }),
        }),
    );
    update(
        &mut model,
        Event::Dev(DevEvent::Step {
            job,
            step: DevStep::ImageSet {
                namespace: "default".into(),
                deployment: "cookbook-recipe".into(),
                container: "cookbook-recipe".into(),
                image: "cookbook:dev-3f2a1b9".into(),
            },
        }),
    );
    update(
        &mut model,
        Event::Dev(DevEvent::Stage {
            job,
            stage: DevStage::Build,
            took: Duration::from_millis(900),
        }),
    );
    let lines: Vec<&str> = model
        .history
        .entries
        .iter()
        .map(|h| h.line.as_str())
        .collect();
    assert_eq!(
        lines,
        vec![
            "docker build -t cookbook:latest .",
            "docker tag cookbook:latest cookbook:dev-3f2a1b9",
            "docker rm -f web && docker run -d --name web -p 127.0.0.1:8000:8000 cookbook:dev-3f2a1b9",
            "kubectl set image deployment/cookbook-recipe cookbook-recipe=cookbook:dev-3f2a1b9 -n default",
        ]
    );
    let job_output: Vec<&String> = model.jobs.list.last().expect("job").output.iter().collect();
    assert_eq!(job_output.len(), 4);
    assert_eq!(
        model.dev.cycles[0].stage(DevStage::Build),
        Some(Duration::from_millis(900))
    );
    // :export replays them.
    let script = crate::app::learn::history::script(
        &model.history.entries,
        std::path::Path::new("/home/dev/cookbook"),
        now(),
    );
    assert!(
        script.contains("\ndocker tag cookbook:latest cookbook:dev-3f2a1b9\n"),
        "{script}"
    );
}

#[test]
fn read_only_refuses_to_watch() {
    let mut model = Model::new("/home/dev/cookbook".into(), true, now());
    assert!(press(&mut model, KeyCode::Char('w')).is_empty());
    assert_eq!(model.dev.watch, WatchState::Off);
    assert!(status_text(&model).contains("Read-only"));
}

fn with_cycles() -> Model {
    let mut model = watching();
    update(
        &mut model,
        Event::Dev(DevEvent::Settings(Ok(sync_settings()))),
    );
    let stages = |model: &mut Model, job, list: &[(DevStage, u64)]| {
        for (stage, ms) in list {
            update(
                model,
                Event::Dev(DevEvent::Stage {
                    job,
                    stage: *stage,
                    took: Duration::from_millis(*ms),
                }),
            );
        }
    };
    let (job, _) = cycle_plan(&change(&mut model, &["run.py"])).expect("cycle");
    stages(
        &mut model,
        job,
        &[
            (DevStage::Build, 2_400),
            (DevStage::Replace, 310),
            (DevStage::Rollout, 3_100),
            (DevStage::Ready, 40),
        ],
    );
    finish(
        &mut model,
        job,
        Ok("cookbook:dev-3f2a1b9 serving: web, deployment/cookbook-recipe 3/3"),
    );
    let (job, _) = cycle_plan(&change(&mut model, &["templates/index.html"])).expect("cycle");
    stages(
        &mut model,
        job,
        &[(DevStage::Sync, 38), (DevStage::Ready, 4)],
    );
    finish(&mut model, job, Ok("1 file(s) copied into web"));
    let (job, _) = cycle_plan(&change(&mut model, &["Dockerfile", "run.py"])).expect("cycle");
    finish(
        &mut model,
        job,
        Err("the build failed at Step 2/3 : COPY missing /x: COPY failed"),
    );
    cycle_plan(&press(&mut model, KeyCode::Char('t'))).expect("cycle");
    model
}

#[test]
fn dev_section_snapshots() {
    for (w, h) in SIZES {
        snap!(&format!("dev_watching_{w}x{h}"), &watching(), w, h);
        snap!(&format!("dev_cycles_{w}x{h}"), &with_cycles(), w, h);
    }
}
