//! The simulated Google Cloud project's names, which its parts (the engine's
//! registry, Cloud Run, the sample app) share. A leaf: it uses nothing.

/// The project the simulated Google Cloud answers for.
pub const GCLOUD_PROJECT: &str = "pilothouse-sim";
/// The access token gcloud is given for it; the simulated Artifact Registry takes
/// this one as the password of `oauth2accesstoken` (`docker login`).
pub const GCLOUD_TOKEN: &str = "pilothouse-sim-token";
/// The Cloud Run mode of the sample app's `pilothouse.toml`: the book's.
pub const SAMPLE_MODE: &str = "cloud-build";
