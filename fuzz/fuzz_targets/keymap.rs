//! A keymap file, and a config file whose `[keys.CONTEXT]` tables override the built-in map.
#![no_main]

#[path = "../src/checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|text: &str| checks::keymap(text));
