//! `update` for the help overlay (filtered as you type, scrolled, Esc clears
//! then closes) and the command palette (ctrl-p: every action with its key,
//! pane and command line; enter runs the chosen one in its pane).

use crate::app::core::model::{Overlay, Pane};
use crate::ui::testing::*;
use crossterm::event::KeyCode;

fn help_filter(model: &crate::app::Model) -> Option<&str> {
    match &model.shared.overlay {
        Overlay::Help(view) => Some(view.filter.as_str()),
        _ => None,
    }
}

#[test]
fn help_filters_as_you_type_and_esc_clears_then_closes() {
    let mut model = on_pane(populated(), '5');
    press_str(&mut model, "?");
    assert_eq!(help_filter(&model), Some(""));
    let whole = screen_text(&model, 120, 40);
    // The pane's own keys come first, with the command line each stands for.
    let first_heading = whole
        .lines()
        .find_map(|l| l.split('│').nth(1).filter(|c| c.starts_with("Deployments")));
    assert!(first_heading.is_some(), "{whole}");
    assert!(
        whole.contains("$ kubectl scale --replicas=N deployment/NAME"),
        "{whole}"
    );
    // q is typed, not quit.
    press_str(&mut model, "quit");
    assert_eq!(help_filter(&model), Some("quit"));
    assert!(!model.view.quit);
    let screen = screen_text(&model, 120, 40);
    assert!(screen.contains("q ctrl-c"), "{screen}");
    assert!(
        !screen.contains("$ kubectl scale"),
        "filtered out: {screen}"
    );
    for (w, h) in [(120, 40), (80, 24)] {
        snap!(format!("help_filtered_{w}x{h}"), &model, w, h);
    }
    // Words match anywhere: a column's meaning too.
    press(&mut model, KeyCode::Esc);
    assert_eq!(help_filter(&model), Some(""));
    press_str(&mut model, "rollout");
    let screen = screen_text(&model, 120, 40);
    assert!(
        screen.contains("UP-TO-DATE"),
        "the column that mentions it: {screen}"
    );
    assert!(screen.contains("rollout restart"), "{screen}");
    press_str(&mut model, "zzz");
    assert!(screen_text(&model, 120, 40).contains("No key matches \"rolloutzzz\""));
    press(&mut model, KeyCode::Esc);
    press(&mut model, KeyCode::Esc);
    assert!(matches!(model.shared.overlay, Overlay::None));
    // ? opens and ? (with nothing typed) closes.
    press_str(&mut model, "??");
    assert!(matches!(model.shared.overlay, Overlay::None));
}

#[test]
fn help_scrolls_past_what_fits() {
    let mut model = on_pane(populated(), '1');
    press_str(&mut model, "?");
    let top = screen_text(&model, 80, 24);
    for _ in 0..3 {
        press(&mut model, KeyCode::PageDown);
    }
    let scrolled = screen_text(&model, 80, 24);
    assert_ne!(top, scrolled);
    assert!(top.contains("Containers"), "{top}");
    // The end of the list can be reached: the last context's keys are on screen.
    press(&mut model, KeyCode::End);
    let end = screen_text(&model, 80, 24);
    assert!(end.contains("keep on/off"), "{end}");
    press(&mut model, KeyCode::Home);
    assert_eq!(screen_text(&model, 80, 24), top);
}

#[test]
fn the_palette_lists_every_action_and_runs_the_chosen_one_in_its_pane() {
    let mut model = on_pane(populated(), '1');
    let commands = press_ctrl(&mut model, 'p');
    assert!(commands.is_empty());
    assert!(
        matches!(model.shared.overlay, Overlay::Palette(_)),
        "{:?}",
        model.shared.overlay
    );
    let screen = screen_text(&model, 120, 40);
    assert!(screen.contains("Actions"), "{screen}");
    press_str(&mut model, "images");
    assert!(
        matches!(model.shared.overlay, Overlay::Palette(_)),
        "typing keeps it open"
    );
    for (w, h) in [(120, 40), (80, 24)] {
        snap!(format!("palette_images_{w}x{h}"), &model, w, h);
    }
    // The filter "images" chooses `2 images` (docker images) first: enter shows the pane.
    press(&mut model, KeyCode::Enter);
    assert!(matches!(model.shared.overlay, Overlay::None));
    assert_eq!(model.shared.pane, Pane::Images);

    // An action of another pane runs in that pane, on its selection.
    let mut model = on_pane(populated(), '1');
    press_ctrl(&mut model, 'p');
    press_str(&mut model, "docker ps -a");
    press(&mut model, KeyCode::Enter);
    assert_eq!(model.shared.pane, Pane::Containers);
    assert!(
        model.docker.show_all,
        "docker ps -a is `a`: show stopped too"
    );

    // A command it starts is the same command the key starts.
    let mut model = on_pane(populated(), '1');
    press_ctrl(&mut model, 'p');
    press_str(&mut model, "build");
    press(&mut model, KeyCode::Down);
    press(&mut model, KeyCode::Up);
    press(&mut model, KeyCode::Enter);
    assert!(
        matches!(&model.shared.overlay, Overlay::Form(f) if f.title.contains("uild")),
        "{:?}",
        model.shared.overlay
    );

    // Esc clears what is typed, then closes; ctrl-c closes without quitting.
    let mut model = on_pane(populated(), '1');
    press_ctrl(&mut model, 'p');
    press_str(&mut model, "zzz");
    assert!(screen_text(&model, 120, 40).contains("No action matches \"zzz\""));
    assert!(
        press(&mut model, KeyCode::Enter).is_empty(),
        "nothing to run"
    );
    press(&mut model, KeyCode::Esc);
    assert!(matches!(model.shared.overlay, Overlay::Palette(_)));
    press(&mut model, KeyCode::Esc);
    assert!(matches!(model.shared.overlay, Overlay::None));
    press_ctrl(&mut model, 'p');
    press_ctrl(&mut model, 'c');
    assert!(matches!(model.shared.overlay, Overlay::None));
    assert!(!model.view.quit);
}

#[test]
fn every_action_with_a_key_is_in_the_palette_or_is_movement() {
    let model = populated();
    let all = crate::app::learn::help::entries(&model.view.keymap, Pane::Containers);
    let palette =
        crate::app::learn::help::palette_entries(&model.view.keymap, Pane::Containers, "");
    let moves = all.len() - palette.len();
    assert_eq!(moves, 7, "down, up, top, bottom, page down, page up, back");
    assert!(
        palette
            .iter()
            .any(|e| e.action == crate::app::core::keymap::Action::Palette),
        "the palette itself is listed, with its key"
    );
}

#[test]
fn the_palette_puts_what_starts_an_actions_words_first() {
    let model = populated();
    let first = |filter: &str| {
        crate::app::learn::help::palette_entries(&model.view.keymap, Pane::Containers, filter)
            .first()
            .map(|e| e.description)
    };
    assert_eq!(first("expo"), Some("expose"));
    assert_eq!(first("rollout"), Some("rollout history"));
    assert_eq!(
        first("rmi"),
        Some("remove"),
        "by its command line when no word starts so"
    );
    assert_eq!(first("scale d"), Some("scale down"));
}
