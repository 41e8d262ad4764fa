//! SPDY/3.1, as far as kubectl's port-forward needs it from a server: the
//! frames (`frame.rs`) and the compressed header blocks (`headers.rs`).
//! What the streams carry is the port-forward's (`kube/api/portforward_spdy.rs`).

pub mod frame;
pub mod headers;
