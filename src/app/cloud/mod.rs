//! Cloud Run in the model: the project's settings (`pilothouse.toml`), gcloud's
//! state and services, the deploy, and the GitHub Actions workflow.

pub(crate) mod actions;
pub mod deploy;
pub mod forms;
pub mod names;
pub mod revisions;
pub mod service;
pub mod settings;
pub mod state;
pub mod workflow;

#[cfg(test)]
mod update_cloud_tests;
#[cfg(test)]
mod update_revisions_tests;
