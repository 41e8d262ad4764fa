//! What every feature builds on: the model that composes their states, the
//! events and commands, `update`'s dispatch, keys, tables, forms and input
//! validation.

pub(crate) mod actions;
pub mod bookkeeping;
pub mod command;
pub mod command_line;
pub(crate) mod command_writes;
pub mod event;
pub(crate) mod exec_target;
pub mod forms;
pub(crate) mod forward_target;
pub mod handled;
pub(crate) mod input;
pub mod jobs;
pub mod keyed;
pub mod keymap;
mod keymap_actions;
pub(crate) mod launch;
pub mod model;
pub(crate) mod mouse;
pub mod overlay;
pub mod pane;
pub(crate) mod rows;
pub mod shared;
pub mod table;
pub mod update;
pub mod validate;
pub(crate) mod xray_keys;

#[cfg(test)]
mod update_events_tests;
#[cfg(test)]
mod update_finish_tests;
#[cfg(test)]
mod update_tests;
