//! pilothouse: a terminal cockpit for the local container inner loop.
//!
//! Data flows one way (ARCHITECTURE.md): `sources` and `effects` send `Event`s;
//! `app::update` changes the one `Model` and returns `Command`s; `ui::render`
//! draws the model. Only sources and effects do I/O.

pub mod app;
pub mod cli;
pub mod config;
pub mod crash_switch;
pub mod domain;
pub mod effects;
pub mod layout;
pub mod logging;
pub mod process;
pub mod runtime;
pub mod signals;
pub mod sim;
pub mod sources;
pub mod terminal;
pub mod theme;
pub mod ui;
