//! What `gcloud config list` and `gcloud run services list` (JSON) could print,
//! and a project's `pilothouse.toml` (its `[cloudrun]` settings).
#![no_main]

#[path = "../src/checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|text: &str| checks::gcloud_output(text));
