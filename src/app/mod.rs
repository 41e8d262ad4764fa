//! The pure half: the model, the events that change it, `update`, and the
//! commands it returns. No I/O here. One folder a feature, each owning its
//! state and its handlers (ARCHITECTURE.md, "Code map"):
//! `core` (the model, events, commands, dispatch, keys, tables, forms),
//! `dev` (the dev loop), `exec` (shells and commands inside a workload), `forwards` (managed port-forwards), `kube` (with minikube), `cloud` (Cloud Run and the workflow), `learn`
//! (learn lines, history, the tour).

pub mod cloud;
pub mod core;
pub mod dev;
pub mod docker;
pub mod exec;
pub mod forwards;
pub mod kube;
pub mod learn;

pub use self::core::command::Command;
pub use self::core::event::Event;
pub use self::core::model::Model;
pub use self::core::update::update;
pub use docker::actions::pod_log_key;
