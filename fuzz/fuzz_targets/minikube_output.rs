//! What `minikube profile list -o json`, `status -o json` and `docker-env` could print.
#![no_main]

#[path = "../src/checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|text: &str| checks::minikube_output(text));
