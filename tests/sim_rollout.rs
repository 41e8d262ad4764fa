//! Rollout history and undo with the real kubectl against the simulated
//! cluster, kept as the Deployment controller keeps them: a revision number
//! on each ReplicaSet, an old template brought back under a new number (its
//! set reused, the old number in `revision-history`), the change-cause
//! carried to the new set, a paused Deployment refusing undo, and old sets
//! pruned beyond `revisionHistoryLimit`.

mod common;

use common::kubectl::Kubectl;
use pilothouse::app::core::model::{JobState, Overlay};
use pilothouse::cli::SimArgs;
use pilothouse::sim::Sim;

const MANIFEST: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/cookbook/cookbook-deployment.yaml"
);
const DEPLOYMENT: &str = "deployment/cookbook-recipe";

/// `NAME REVISION HISTORY REPLICAS` of every set, one a line.
fn sets(kubectl: &Kubectl) -> String {
    kubectl.ok(&[
        "get",
        "rs",
        "-l",
        "app=cookbook-recipe",
        "--no-headers",
        "-o",
        "custom-columns=NAME:.metadata.name,REV:.metadata.annotations.deployment\\.kubernetes\\.io/revision,HIST:.metadata.annotations.deployment\\.kubernetes\\.io/revision-history,REPL:.spec.replicas",
    ])
}

fn rolled_out(kubectl: &Kubectl) {
    kubectl.ok(&["rollout", "status", DEPLOYMENT, "--timeout=20s"]);
}

/// A sim with the cookbook image built, and kubectl pointed at it; None (the
/// test skipped, and why printed) without kubectl.
async fn cookbook_in_a_sim(test: &str) -> Option<(Sim, Kubectl)> {
    if !common::cli_available(test, "kubectl", &["version", "--client"]) {
        return None;
    }
    let sim = Sim::start(&SimArgs::default())
        .await
        .expect("the sim starts");
    common::build_cookbook(&sim).await;
    let kubectl = Kubectl::new(sim.kubeconfig_path.display().to_string());
    Some((sim, kubectl))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_rollout_history_and_undo_work_as_on_a_real_cluster() {
    let test = "kubectl_rollout_history_and_undo_work_as_on_a_real_cluster";
    let Some((_sim, kubectl)) = cookbook_in_a_sim(test).await else {
        return;
    };
    tokio::task::spawn_blocking(move || {
        kubectl.ok(&["apply", "--server-side", "-f", MANIFEST]);
        rolled_out(&kubectl);
        kubectl.ok(&["set", "env", DEPLOYMENT, "GREETING=hello"]);
        rolled_out(&kubectl);
        kubectl.ok(&[
            "annotate",
            DEPLOYMENT,
            "kubernetes.io/change-cause=greet in French",
        ]);
        kubectl.ok(&["set", "env", DEPLOYMENT, "GREETING=bonjour"]);
        rolled_out(&kubectl);
        let history = kubectl.ok(&["rollout", "history", DEPLOYMENT]);
        let rows: Vec<&str> = history
            .lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
            .collect();
        assert_eq!(rows.len(), 3, "{history}");
        assert!(
            rows[2].starts_with('3') && rows[2].contains("greet in French"),
            "{history}"
        );
        let first_set = sets(&kubectl)
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some("1"))
            .map(|l| l.split_whitespace().next().unwrap_or_default().to_string())
            .expect("revision 1's set");
        let revision_two = kubectl.ok(&["rollout", "history", DEPLOYMENT, "--revision=2"]);
        assert!(revision_two.contains("GREETING:\thello"), "{revision_two}");

        // Back to the first template: its set comes back as revision 4.
        kubectl.says(
            &["rollout", "undo", DEPLOYMENT, "--to-revision=1"],
            true,
            "rolled back",
        );
        rolled_out(&kubectl);
        let after = sets(&kubectl);
        let reused = after
            .lines()
            .find(|l| l.starts_with(&first_set))
            .unwrap_or_default();
        let words: Vec<&str> = reused.split_whitespace().collect();
        assert_eq!(&words[1..], ["4", "1", "1"], "{after}");
        assert_eq!(after.lines().count(), 3, "no new set: {after}");
        let env = kubectl.ok(&[
            "get",
            DEPLOYMENT,
            "-o",
            "jsonpath={.spec.template.spec.containers[0].env}",
        ]);
        assert!(
            env.trim().is_empty(),
            "the first template has no env: {env}"
        );
        let annotation = kubectl.ok(&[
            "get",
            DEPLOYMENT,
            "-o",
            "jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}",
        ]);
        assert_eq!(annotation.trim(), "4");
        kubectl.says(
            &["rollout", "undo", DEPLOYMENT, "--to-revision=4"],
            true,
            "skipped rollback (current template already matches revision 4)",
        );

        // Undo with no revision goes to the one before: 3, the French greeting.
        kubectl.says(&["rollout", "undo", DEPLOYMENT], true, "rolled back");
        rolled_out(&kubectl);
        let env = kubectl.ok(&[
            "get",
            DEPLOYMENT,
            "-o",
            "jsonpath={.spec.template.spec.containers[0].env[0].value}",
        ]);
        assert_eq!(env.trim(), "bonjour");

        // Paused: a new template waits, and undo is refused.
        kubectl.ok(&["rollout", "pause", DEPLOYMENT]);
        kubectl.ok(&["set", "env", DEPLOYMENT, "GREETING=hallo"]);
        std::thread::sleep(std::time::Duration::from_millis(600));
        assert_eq!(sets(&kubectl).lines().count(), 3, "no set while paused");
        kubectl.says(
            &["rollout", "undo", DEPLOYMENT],
            false,
            "you cannot rollback a paused deployment",
        );
        kubectl.ok(&["rollout", "resume", DEPLOYMENT]);
        rolled_out(&kubectl);
        assert_eq!(
            sets(&kubectl).lines().count(),
            4,
            "the new template rolled out"
        );

        // A history limit of one: the oldest idle sets go.
        kubectl.ok(&[
            "patch",
            DEPLOYMENT,
            "--type=merge",
            "-p",
            r#"{"spec":{"revisionHistoryLimit":1}}"#,
        ]);
        kubectl.until(
            &["get", "rs", "-l", "app=cookbook-recipe", "--no-headers"],
            "old sets pruned",
            |text| text.lines().count() == 2,
        );
    })
    .await
    .expect("the kubectl steps");
}

/// The cockpit's `h` on the Deployment: its revisions as the sim keeps them,
/// and a roll back to the first through kube-rs, after a yes; kubectl then
/// sees the first template back as revision 3.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cockpit_rolls_a_deployment_back_to_a_chosen_revision() {
    let test = "the_cockpit_rolls_a_deployment_back_to_a_chosen_revision";
    let Some((sim, kubectl)) = cookbook_in_a_sim(test).await else {
        return;
    };
    let kubectl = tokio::task::spawn_blocking(move || {
        kubectl.ok(&["apply", "--server-side", "-f", MANIFEST]);
        rolled_out(&kubectl);
        kubectl.ok(&["set", "env", DEPLOYMENT, "GREETING=hello"]);
        rolled_out(&kubectl);
        kubectl
    })
    .await
    .expect("the kubectl steps");

    let mut cockpit = common::cockpit::Cockpit::on(&sim);
    cockpit.keys("5");
    cockpit.keys("/cookbook\n");
    cockpit
        .until("both revisions of cookbook-recipe known", |m| {
            m.kube
                .replica_sets
                .iter()
                .filter(|r| r.deployment.as_deref() == Some("cookbook-recipe"))
                .map(|r| r.revision)
                .max()
                == Some(2)
                && m.kube
                    .deployments
                    .iter()
                    .any(|d| d.name == "cookbook-recipe")
        })
        .await;
    cockpit.keys("h");
    let Overlay::Pick(picker) = &cockpit.model.shared.overlay else {
        panic!("h opens the history: {:?}", cockpit.model.shared.overlay)
    };
    assert!(
        picker.items[0].label.starts_with("revision 2 (current)"),
        "{:?}",
        picker.items
    );
    assert_eq!(picker.items[0].detail, "env +GREETING=hello");
    cockpit.keys("j\n");
    assert!(
        matches!(&cockpit.model.shared.overlay, Overlay::Confirm(c)
            if c.message.contains("kubectl rollout undo deployment/cookbook-recipe --to-revision=1 -n default")),
        "{:?}",
        cockpit.model.shared.overlay
    );
    cockpit.keys("y");
    cockpit
        .until("the roll back done", |m| {
            m.jobs
                .list
                .iter()
                .any(|j| !matches!(j.state, JobState::Running))
        })
        .await;
    let job = cockpit.model.jobs.list.last().expect("the job").clone();
    assert!(
        matches!(&job.state, JobState::Succeeded(s) if s.contains("rolled back to revision 1")),
        "{:?}",
        job.state
    );
    cockpit
        .until("the first template back as revision 3", |m| {
            m.kube.replica_sets.iter().any(|r| {
                r.deployment.as_deref() == Some("cookbook-recipe")
                    && r.revision == 3
                    && r.env.is_empty()
            })
        })
        .await;
    // Pause from the same list (its second-last row).
    cockpit.keys("hGk\n");
    cockpit
        .until("the pause done", |m| {
            m.jobs.list.iter().any(|j| {
                matches!(&j.state, JobState::Succeeded(s) if s == "deployment.apps/cookbook-recipe paused")
            })
        })
        .await;
    tokio::task::spawn_blocking(move || {
        let env = kubectl.ok(&[
            "get",
            DEPLOYMENT,
            "-o",
            "jsonpath={.spec.template.spec.containers[0].env}",
        ]);
        assert!(env.trim().is_empty(), "{env}");
        assert_eq!(sets(&kubectl).lines().count(), 2, "the first set reused");
        let paused = kubectl.ok(&["get", DEPLOYMENT, "-o", "jsonpath={.spec.paused}"]);
        assert_eq!(paused.trim(), "true");
    })
    .await
    .expect("kubectl sees it");
}
