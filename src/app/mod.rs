//! The pure half: model, events, commands and `update`. No I/O here.

mod actions;
pub mod cloud;
pub mod cloud_forms;
pub mod cloudrun;
pub mod command;
pub mod command_line;
pub mod event;
pub mod forms;
pub mod history;
mod input;
pub mod keyed;
pub mod keymap;
mod kube_actions;
pub mod kube_state;
mod launch;
mod learn_line;
pub mod minikube;
pub mod model;
mod mouse;
mod rows;
pub mod table;
pub mod tour;
pub mod update;
pub mod validate;
pub mod workflow;

#[cfg(test)]
mod update_cloud_tests;
#[cfg(test)]
mod update_events_tests;
#[cfg(test)]
mod update_finish_tests;
#[cfg(test)]
mod update_kube_actions_tests;
#[cfg(test)]
mod update_kube_tests;
#[cfg(test)]
mod update_minikube_tests;
#[cfg(test)]
mod update_tests;
#[cfg(test)]
mod update_tour_tests;

pub use command::Command;
pub use event::Event;
pub use kube_actions::pod_log_key;
pub use model::Model;
pub use update::update;
