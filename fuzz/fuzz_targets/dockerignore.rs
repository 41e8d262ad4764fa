//! `.dockerignore` rules, a NUL byte, then a path: excluded or not.
#![no_main]

#[path = "../src/checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|text: &str| checks::dockerignore(text));
