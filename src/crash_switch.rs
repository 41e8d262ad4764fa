//! A panic on demand, for the terminal-restore tests: with
//! `PILOTHOUSE_TEST_PANIC=update` F12 panics where `update` would run, with
//! `=render` the frame after F12 panics while it is drawn. Only debug builds
//! (the ones `cargo test` runs) have it: a release build has a switch that
//! does nothing and does not read the variable.

use crate::app::Event;

#[cfg(debug_assertions)]
#[derive(Debug, Default)]
pub struct CrashSwitch {
    stage: Option<Stage>,
    render_now: bool,
}

#[cfg(debug_assertions)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Update,
    Render,
}

#[cfg(debug_assertions)]
impl CrashSwitch {
    pub fn from_env() -> Self {
        let stage = match std::env::var("PILOTHOUSE_TEST_PANIC").ok().as_deref() {
            Some("update") => Some(Stage::Update),
            Some("render") => Some(Stage::Render),
            _ => None,
        };
        Self {
            stage,
            render_now: false,
        }
    }

    /// Before `update` sees an event: true when the switch took it (F12 while armed).
    pub fn take(&mut self, event: &Event) -> bool {
        let Event::Key(key) = event else {
            return false;
        };
        if key.code != crossterm::event::KeyCode::F(12) {
            return false;
        }
        match self.stage {
            Some(Stage::Update) => panic!("injected panic in update (PILOTHOUSE_TEST_PANIC)"),
            Some(Stage::Render) => {
                self.render_now = true;
                true
            }
            None => false,
        }
    }

    /// Inside the frame's drawing.
    pub fn before_render(&self) {
        if self.render_now {
            panic!("injected panic in render (PILOTHOUSE_TEST_PANIC)");
        }
    }
}

#[cfg(not(debug_assertions))]
#[derive(Debug, Default)]
pub struct CrashSwitch;

#[cfg(not(debug_assertions))]
impl CrashSwitch {
    pub fn from_env() -> Self {
        Self
    }

    pub fn take(&mut self, _event: &Event) -> bool {
        false
    }

    pub fn before_render(&self) {}
}
