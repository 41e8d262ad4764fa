//! The build stream decoder on any bytes an engine could send.
#![no_main]

#[path = "../src/checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|body: &[u8]| checks::build_stream(body));
