//! What each fuzz target asserts, shared by the libFuzzer targets
//! (`fuzz/fuzz_targets`) and by `tests/fuzz_corpus.rs`, which replays the
//! kept corpora on every `cargo test`. Each check takes any input and may
//! only fail by panicking: an error for bad input is the right answer.

// Each target uses one check; the rest are for the others.
#![allow(dead_code)]
use pilothouse::app::cloud::settings::{parse_project_file, render_project_file};
use pilothouse::app::core::event::JobUpdate;
use pilothouse::app::core::keymap::Keymap;
use pilothouse::config::Config;
use pilothouse::domain::cloud::{parse_config, parse_services};
use pilothouse::domain::dockerfile;
use pilothouse::effects::docker::build_context::DockerIgnore;
use pilothouse::effects::docker::build_stream::follow_body;
use pilothouse::effects::kube::apply::split_manifest;
use pilothouse::sources::minikube::{parse_docker_env, parse_profile_list, parse_status};
use pilothouse::theme::Theme;
use std::path::Path;

/// The Dockerfile parser (the simulated engine's builder) and its argument helpers.
pub fn dockerfile(text: &str) {
    if let Err(message) = dockerfile::parse(text) {
        assert!(!message.trim().is_empty());
    }
    let _ = dockerfile::command_form(text);
    let _ = dockerfile::copy_parts(text);
    let _ = dockerfile::key_values(text);
}

/// `.dockerignore` rules, a NUL byte, then a path: excluded or not.
pub fn dockerignore(text: &str) {
    let (rules, path) = text.split_once('\0').unwrap_or((text, "app/main.py"));
    let ignore = DockerIgnore::parse(rules);
    let excluded = ignore.excludes(path);
    if ignore == DockerIgnore::default() {
        assert!(!excluded, "no rules exclude nothing");
    }
}

/// The manifest splitter: objects with an apiVersion, a kind and a name, or a sentence naming the file.
pub fn manifest(text: &str) {
    match split_manifest(text, "k8s/app.yaml") {
        Ok(objects) => {
            assert!(!objects.is_empty());
            for object in objects {
                for pointer in ["/apiVersion", "/kind", "/metadata/name"] {
                    assert!(object.pointer(pointer).and_then(|v| v.as_str()).is_some());
                }
            }
        }
        Err(message) => assert!(message.contains("k8s/app.yaml"), "{message}"),
    }
}

/// The build stream decoder on any bytes an engine could send.
pub fn build_stream(body: &[u8]) {
    match follow_body(body) {
        // Output is split at newlines, so no line holds one.
        Ok((updates, _)) => {
            for update in updates {
                if let JobUpdate::Output(lines) = update {
                    assert!(lines.iter().all(|l| !l.contains('\n')));
                }
            }
        }
        Err(message) => assert!(!message.trim().is_empty()),
    }
}

/// What `minikube profile list -o json`, `status -o json` and `docker-env` could print.
pub fn minikube_output(stdout: &str) {
    let _ = parse_profile_list(stdout);
    let _ = parse_status(stdout);
    if let Ok(env) = parse_docker_env("minikube", stdout) {
        let _ = format!("{env:?}");
    }
}

/// What `gcloud config list` and `gcloud run services list` (JSON) could print,
/// and a project's `pilothouse.toml` (its `[cloudrun]` and `[dev]` settings).
pub fn gcloud_output(stdout: &str) {
    let _ = parse_config(stdout);
    let _ = parse_services(stdout);
    if let Ok(project) = parse_project_file(stdout) {
        if let Some(cloudrun) = &project.cloudrun {
            let _ = cloudrun.check();
            let _ = cloudrun.image();
        }
        if let Some(dev) = &project.dev {
            let _ = dev.check(stdout);
            let _ = dev.destination("templates/index.html");
        }
        // What the settings form writes back reads as the same settings.
        let written = render_project_file(&project).expect("settings render as TOML");
        assert_eq!(parse_project_file(&written), Ok(project));
    }
}

/// A user's theme file.
pub fn theme(text: &str) {
    let _ = Theme::parse(text, false);
    let _ = Theme::parse(text, true);
}

/// A keymap file, and a config file whose `[keys.CONTEXT]` tables override the built-in map.
pub fn keymap(text: &str) {
    let _ = Keymap::parse(text);
    if let Ok(config) = Config::parse(text, Path::new("config.toml")) {
        let _ = Keymap::default_map().with_overrides(&config.keys);
    }
}
