//! The fuzz targets' checks (`fuzz/src/checks.rs`) on every input kept in
//! `fuzz/corpus`: the seeds and the inputs of crashes the fuzzer found, so a
//! fixed crash stays fixed on stable Rust, without libFuzzer.

#[path = "../fuzz/src/checks.rs"]
mod checks;

use std::path::Path;

/// Every file of one target's corpus, through `check`; how many there were.
fn replay(target: &str, check: impl Fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a corpus entry").path())
        .collect();
    inputs.sort();
    for input in &inputs {
        let bytes = std::fs::read(input).expect("a corpus file");
        eprintln!("{target}: {}", input.display());
        check(&bytes);
    }
    inputs.len()
}

/// libFuzzer hands a `&str` target only the inputs that are UTF-8; so does this.
fn text(check: fn(&str)) -> impl Fn(&[u8]) {
    move |bytes| {
        if let Ok(text) = std::str::from_utf8(bytes) {
            check(text);
        }
    }
}

#[test]
fn every_kept_fuzz_input_passes_its_check() {
    let replayed = [
        replay("dockerfile", text(checks::dockerfile)),
        replay("dockerignore", text(checks::dockerignore)),
        replay("manifest", text(checks::manifest)),
        replay("build_stream", checks::build_stream),
        replay("minikube_output", text(checks::minikube_output)),
        replay("gcloud_output", text(checks::gcloud_output)),
        replay("theme", text(checks::theme)),
        replay("keymap", text(checks::keymap)),
    ];
    assert!(
        replayed.iter().all(|&n| n >= 2),
        "every target keeps seeds: {replayed:?}"
    );
}
