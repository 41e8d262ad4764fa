//! The dev loop in the model: watching the app, the cycles (save -> build or
//! sync -> replace or roll out -> ready), their stages, pause, trigger and
//! manual mode, and `[dev]` of `pilothouse.toml`.

pub mod actions;
pub mod events;
pub mod settings;
pub mod state;

#[cfg(test)]
mod update_dev_tests;
