//! A user's theme file.
#![no_main]

#[path = "../src/checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|text: &str| checks::theme(text));
