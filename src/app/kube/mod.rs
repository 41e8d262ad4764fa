//! Kubernetes in the model: the watched rows and the connection, the actions
//! on deployments, pods and services, and minikube (its state, its menu, the
//! docker-env switch), and why a row is not ready (`diagnose`).

pub mod actions;
pub mod diagnose;
pub mod events;
pub mod explain;
pub mod minikube;
pub mod minikube_state;
pub mod rollout;
pub mod state;
pub mod xray;
pub mod xray_open;
pub mod xray_state;

#[cfg(test)]
mod update_diagnose_tests;
#[cfg(test)]
mod update_explain_tests;
#[cfg(test)]
mod update_kube_actions_tests;
#[cfg(test)]
mod update_kube_tests;
#[cfg(test)]
mod update_minikube_tests;
#[cfg(test)]
mod update_refused_tests;
#[cfg(test)]
mod update_rollout_tests;
#[cfg(test)]
mod update_xray_tests;
