//! `update` for the finish: themes (`T`, `:theme`), learn mode (`L`), the
//! History pane and `:export`, the command line's history, and the mouse.

use crate::app::core::command::Command;
use crate::app::core::event::{Event, JobUpdate};
use crate::app::core::model::{Model, Overlay, Pane};
use crate::app::core::update::step;
use crate::app::learn::history::{Outcome, Replay};
use crate::app::update;
use crate::ui::testing::*;
use crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

fn with_themes(mut model: Model) -> Model {
    let (list, problems) = crate::theme::Theme::catalogue(false, None);
    assert!(problems.is_empty());
    model.view.themes = crate::theme::Themes::new(list, crate::theme::Theme::default_theme());
    model
}

#[test]
fn t_cycles_the_themes_and_theme_picks_one_by_name() {
    let mut model = with_themes(populated());
    assert_eq!(model.theme().name, "default");
    press_str(&mut model, "T");
    assert_eq!(model.theme().name, "light");
    assert!(status_text(&model).contains("Theme: light"));
    for _ in 0..4 {
        press_str(&mut model, "T");
    }
    assert_eq!(model.theme().name, "default", "it wraps round");
    run_command(&mut model, "theme nord");
    assert_eq!(model.theme().name, "nord");
    run_command(&mut model, "theme neon");
    assert_eq!(
        model.theme().name,
        "nord",
        "an unknown name changes nothing"
    );
    let status = status_text(&model);
    assert!(
        status.contains("No theme named neon") && status.contains("solarized-dark"),
        "{status}"
    );
    // Tab completes theme names.
    press_str(&mut model, ":theme hi");
    press(&mut model, KeyCode::Tab);
    assert_eq!(
        model
            .view
            .command_input
            .as_ref()
            .map(|i| i.value().to_string()),
        Some("theme high-contrast ".to_string())
    );
}

#[test]
fn learn_mode_asks_with_the_command_line_before_each_action() {
    let mut model = on_pane(with_cluster(), '5');
    press_str(&mut model, "L");
    assert!(model.shared.learn_mode);
    assert!(screen_text(&model, 80, 24).contains("LEARN"));
    // + would scale at once; in learn mode it first shows what it stands for.
    let commands = press_str(&mut model, "+");
    assert!(commands.is_empty(), "{commands:?}");
    let Overlay::Confirm(confirm) = &model.shared.overlay else {
        panic!("a confirmation: {:?}", model.shared.overlay);
    };
    assert!(
        confirm
            .message
            .contains("$ kubectl scale --replicas=4 deployment/cookbook-recipe -n default"),
        "{}",
        confirm.message
    );
    assert!(model.history.entries.is_empty(), "nothing ran yet");
    let commands = press_str(&mut model, "y");
    assert!(matches!(
        job_commands(&commands)[..],
        [Command::Scale { replicas: 4, .. }]
    ));
    assert_eq!(model.history.entries.len(), 1);
    // n refuses, and nothing is recorded.
    press_str(&mut model, "-");
    assert!(press_str(&mut model, "n").is_empty());
    assert_eq!(model.history.entries.len(), 1);
    // Off again: + runs at once.
    press_str(&mut model, "L");
    assert!(!model.shared.learn_mode);
    assert_eq!(job_commands(&press_str(&mut model, "+")).len(), 1);
}

#[test]
fn history_lists_actions_with_their_results_and_export_writes_a_script() {
    let mut model = on_pane(with_cluster(), '5');
    run_command(&mut model, "export");
    assert!(
        status_text(&model).contains("Nothing to export yet"),
        "{}",
        status_text(&model)
    );
    let scale_up = press_str(&mut model, "+");
    let Command::Scale { job, .. } = job_commands(&scale_up)[0] else {
        panic!("{scale_up:?}")
    };
    press_str(&mut model, "y"); // YAML: looked at, kept as a note
    press(&mut model, KeyCode::Esc);
    let scale_down = press_str(&mut model, "-");
    let Command::Scale { job: failed, .. } = job_commands(&scale_down)[0] else {
        panic!("{scale_down:?}")
    };
    for (id, result) in [
        (
            *job,
            Ok("deployment.apps/cookbook-recipe scaled".to_string()),
        ),
        (*failed, Err("the server is unreachable".to_string())),
    ] {
        update(
            &mut model,
            Event::Job {
                id,
                update: JobUpdate::Finished(result),
            },
        );
    }
    let lines: Vec<(&str, Replay, &Outcome)> = model
        .history
        .entries
        .iter()
        .map(|h| (h.line.as_str(), h.replay, &h.outcome))
        .collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(
        lines[0],
        (
            "kubectl scale --replicas=4 deployment/cookbook-recipe -n default",
            Replay::Run,
            &Outcome::Succeeded("deployment.apps/cookbook-recipe scaled".into())
        )
    );
    assert_eq!(lines[1].1, Replay::Note);
    assert!(matches!(lines[2].2, Outcome::Failed(_)));

    press_str(&mut model, "0");
    assert_eq!(model.shared.pane, Pane::History);
    let screen = screen_text(&model, 120, 40);
    assert!(
        screen.contains("History [3]")
            && screen.contains("✓ deployment.apps/cookbook-recipe scaled"),
        "{screen}"
    );
    assert!(screen.contains("✗ the server is unreachable"), "{screen}");

    let commands = run_command(&mut model, "export replay.sh");
    let [
        Command::ExportHistory {
            path,
            text,
            replace: false,
        },
    ] = &commands[..]
    else {
        panic!("{commands:?}")
    };
    assert_eq!(path, &model.shared.cwd.join("replay.sh"));
    let run: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect();
    assert_eq!(
        run[2..],
        ["kubectl scale --replicas=4 deployment/cookbook-recipe -n default"]
    );
    let commands = run_command(&mut model, "export! replay.sh");
    assert!(matches!(
        &commands[..],
        [Command::ExportHistory { replace: true, .. }]
    ));
    update(&mut model, Event::Exported(Ok("/app/replay.sh".into())));
    assert!(
        status_text(&model).contains("Run it with: bash /app/replay.sh"),
        "{}",
        status_text(&model)
    );
}

#[test]
fn the_command_line_recalls_earlier_commands_and_suggests_the_nearest() {
    let mut model = populated();
    run_command(&mut model, "pods");
    run_command(&mut model, "history");
    assert_eq!(model.shared.pane, Pane::History);
    press_str(&mut model, ":");
    press(&mut model, KeyCode::Up);
    assert_eq!(input(&model), "history");
    press(&mut model, KeyCode::Up);
    assert_eq!(input(&model), "pods");
    press(&mut model, KeyCode::Up);
    assert_eq!(input(&model), "pods", "the oldest stays");
    press(&mut model, KeyCode::Down);
    assert_eq!(input(&model), "history");
    press(&mut model, KeyCode::Down);
    assert_eq!(input(&model), "");
    press(&mut model, KeyCode::Esc);
    run_command(&mut model, "histroy");
    assert!(
        status_text(&model).contains("Did you mean :history?"),
        "{}",
        status_text(&model)
    );
}

fn input(model: &Model) -> String {
    model
        .view
        .command_input
        .as_ref()
        .map(|i| i.value().to_string())
        .unwrap_or_default()
}

fn mouse(model: &mut Model, kind: MouseEventKind, column: u16, row: u16) -> Vec<Command> {
    update(
        model,
        Event::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        }),
    )
}

#[test]
fn a_click_selects_tabs_and_rows_and_the_wheel_scrolls() {
    let mut model = with_many_containers(40);
    model.view.mouse = true;
    model.view.size = (80, 24);
    let click = MouseEventKind::Down(MouseButton::Left);
    // At 80 columns the tabs read " 1 Containers 2 Imgs …": column 16 is on "2 Imgs".
    mouse(&mut model, click, 16, 1);
    assert_eq!(model.shared.pane, Pane::Images);
    mouse(&mut model, click, 2, 1);
    assert_eq!(model.shared.pane, Pane::Containers);
    // Row 2 is the border, 3 the column titles, 4 the first row.
    mouse(&mut model, click, 10, 6);
    assert_eq!(model.docker.containers_table.selected, 2);
    mouse(&mut model, click, 10, 3);
    assert_eq!(
        model.docker.containers_table.selected, 2,
        "a click on the titles selects nothing"
    );
    mouse(&mut model, MouseEventKind::ScrollDown, 10, 10);
    assert_eq!(model.docker.containers_table.selected, 5);
    mouse(&mut model, MouseEventKind::ScrollUp, 10, 10);
    assert_eq!(model.docker.containers_table.selected, 2);
    // Turned off, the mouse does nothing.
    model.view.mouse = false;
    let clicked = step(
        &mut model,
        Event::Mouse(MouseEvent {
            kind: click,
            column: 16,
            row: 1,
            modifiers: KeyModifiers::NONE,
        }),
    );
    assert!(clicked.commands.is_empty());
    assert_eq!(model.shared.pane, Pane::Containers);
    assert!(!clicked.visible);
}

#[test]
fn a_resize_is_remembered_for_the_mouse() {
    let mut model = populated();
    update(&mut model, Event::Resize(132, 50));
    assert_eq!(model.view.size, (132, 50));
}
