//! The manifest splitter: objects with an apiVersion, a kind and a name, or a sentence naming the file.
#![no_main]

#[path = "../src/checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|text: &str| checks::manifest(text));
