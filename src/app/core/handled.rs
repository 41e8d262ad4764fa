//! What a handler did with an event: the commands it asks the effects for,
//! and whether anything on screen changed. Handlers report; `update` alone
//! turns that into the decision to draw a frame.

use crate::app::core::command::Command;

#[derive(Debug, Clone, PartialEq)]
pub struct Handled {
    pub commands: Vec<Command>,
    /// Something the user sees changed: a frame is due.
    pub visible: bool,
}

impl Handled {
    /// The screen changed; these commands go to the effects.
    pub fn shown(commands: Vec<Command>) -> Self {
        Self {
            commands,
            visible: true,
        }
    }

    /// Nothing on screen changed (an event for something no longer shown, a key bound to nothing).
    pub fn unseen() -> Self {
        Self {
            commands: Vec::new(),
            visible: false,
        }
    }

    /// The screen changed only if `visible`; no commands.
    pub fn seen_if(visible: bool) -> Self {
        Self {
            commands: Vec::new(),
            visible,
        }
    }
}

impl From<Vec<Command>> for Handled {
    fn from(commands: Vec<Command>) -> Self {
        Self::shown(commands)
    }
}
