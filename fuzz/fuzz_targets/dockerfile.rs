//! The Dockerfile parser (the simulated engine's builder) and its argument helpers.
#![no_main]

#[path = "../src/checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|text: &str| checks::dockerfile(text));
