//! Docker in the model: the engine, its containers and images, the log
//! stream and stats the cockpit follows.

pub mod actions;
pub mod events;
pub mod selector_logs;
pub mod state;
