//! Effects perform the commands `update` returns, each on its own task, and
//! report back through the same event channel the sources use. One folder a
//! family (docker, kube, minikube, cloud, files, dev), each with its performer in
//! its `mod.rs`; `dispatch` routes a command to its family; `shared` holds
//! what they all use. See ARCHITECTURE.md.

pub mod cloud;
pub mod dev;
mod dispatch;
pub mod docker;
pub mod exec;
pub mod files;
pub mod forward;
pub mod kube;
pub mod minikube;
pub mod shared;

pub use dispatch::Effects;
