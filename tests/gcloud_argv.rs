//! Every gcloud argument vector pilothouse builds, given to the real gcloud
//! with a throwaway configuration and no account: a wrong flag fails at once
//! with "unrecognized arguments" and exit 2, before any credential check, so
//! a vector that gets past parsing (to "no active account") is one gcloud
//! accepts. A deliberately wrong vector proves the check can fail.

mod common;

use pilothouse::app::cloud::settings::{
    CloudRunSettings, DeployMode, access_token_args, command_line, config_list_args,
};
use std::process::Command;

/// Run gcloud on `args` in `app` with a fresh config and no account: (exit code, output).
fn parse_check(app: &std::path::Path, args: &[String]) -> (Option<i32>, String) {
    let config = tempfile::tempdir().expect("a throwaway CLOUDSDK_CONFIG");
    let out = Command::new("gcloud")
        .args(args)
        .current_dir(app)
        .env("CLOUDSDK_CONFIG", config.path())
        .env("CLOUDSDK_CORE_DISABLE_PROMPTS", "1")
        .env_remove("CLOUDSDK_CORE_PROJECT")
        .env_remove("CLOUDSDK_CORE_ACCOUNT")
        .env_remove("CLOUDSDK_AUTH_ACCESS_TOKEN")
        .output()
        .expect("run gcloud");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

#[test]
fn the_real_gcloud_accepts_every_vector_pilothouse_builds() {
    if !common::gcloud_available("the_real_gcloud_accepts_every_vector_pilothouse_builds") {
        return;
    }
    // `builds submit --tag` wants a Dockerfile where it runs, as in the app directory.
    let app = tempfile::tempdir().expect("an app dir");
    std::fs::write(app.path().join("Dockerfile"), "FROM scratch\n").expect("Dockerfile");
    let mut vectors = vec![config_list_args(), access_token_args()];
    for mode in DeployMode::ALL {
        for allow in [true, false] {
            let settings = CloudRunSettings {
                project: "pilothouse-check".into(),
                region: "europe-west1".into(),
                service: "cookbook".into(),
                repository: "apps".into(),
                image: String::new(),
                mode,
                allow_unauthenticated: allow,
            };
            vectors.extend(settings.deploy_steps());
            vectors.push(settings.describe_url_args());
            vectors.push(settings.list_services_args());
        }
    }
    vectors.sort();
    vectors.dedup();
    for args in &vectors {
        let (code, text) = parse_check(app.path(), args);
        assert!(
            code != Some(2)
                && !text.contains("unrecognized arguments")
                && !text.contains("Invalid choice"),
            "gcloud refused {}: exit {code:?}\n{text}",
            command_line("gcloud", args)
        );
    }
    // The check can fail: a wrong flag is refused at parsing, with exit 2.
    let wrong: Vec<String> = ["run", "deploy", "cookbook", "--imagee", "x", "--quiet"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let (code, text) = parse_check(app.path(), &wrong);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("unrecognized arguments"), "{text}");
    eprintln!("gcloud accepted {} distinct vectors", vectors.len());
}
