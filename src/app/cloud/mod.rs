//! Cloud Run in the model: the project's settings (`pilothouse.toml`), gcloud's
//! state and services, the deploy, and the GitHub Actions workflow.

pub mod deploy;
pub mod forms;
pub mod names;
pub mod settings;
pub mod state;
pub mod workflow;

#[cfg(test)]
mod update_cloud_tests;
