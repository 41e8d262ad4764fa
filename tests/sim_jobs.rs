//! Jobs and CronJobs in the simulated cluster, made with the real kubectl:
//! a Job runs its pod to the end (its command in the built-in shell, its
//! output the pod's log) and is Complete; a failing one stops at its
//! backoffLimit and is Failed; a program the shell lacks ends as if it had
//! run, saying so; a CronJob makes a Job when its schedule's minute has come.

mod common;

use common::kubectl::Kubectl;

const FAILING: &str = r#"
apiVersion: batch/v1
kind: Job
metadata: {name: fails}
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers: [{name: work, image: "worker:1", command: ["sh", "-c", "echo cannot reach the database; exit 2"]}]
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_complete_or_fail_and_cronjobs_make_jobs() {
    let test = "jobs_complete_or_fail_and_cronjobs_make_jobs";
    if !common::cli_available(test, "kubectl", &["version", "--client"]) {
        return;
    }
    let (sim, context) =
        common::sim_with_images("FROM scratch\nCMD [\"sh\"]\n", &["worker:1"]).await;
    let manifest = context.path().join("fails.yaml");
    std::fs::write(&manifest, FAILING).expect("the manifest");
    let forever = context.path().join("forever.yaml");
    std::fs::write(
        &forever,
        FAILING
            .replace("fails", "forever")
            .replace("Never", "Always"),
    )
    .expect("the manifest");
    let kubectl = Kubectl::new(sim.kubeconfig_path.display().to_string());
    tokio::task::spawn_blocking(move || {
        kubectl.says(
            &[
                "create",
                "job",
                "hello",
                "--image=worker:1",
                "--",
                "echo",
                "Hello World",
            ],
            true,
            "job.batch/hello created",
        );
        kubectl.says(
            &[
                "wait",
                "--for=condition=complete",
                "job/hello",
                "--timeout=20s",
            ],
            true,
            "condition met",
        );
        assert_eq!(kubectl.ok(&["logs", "job/hello"]).trim(), "Hello World");
        kubectl.says(&["get", "jobs"], true, "Complete   1/1");

        kubectl.ok(&[
            "create",
            "job",
            "pi",
            "--image=worker:1",
            "--",
            "perl",
            "-Mbignum=bpi",
            "-wle",
            "print bpi(20)",
        ]);
        kubectl.ok(&[
            "wait",
            "--for=condition=complete",
            "job/pi",
            "--timeout=20s",
        ]);
        kubectl.says(
            &["logs", "job/pi"],
            true,
            "is not run in the simulated cluster",
        );

        kubectl.ok(&["apply", "-f", &manifest.display().to_string()]);
        kubectl.says(
            &[
                "wait",
                "--for=condition=failed",
                "job/fails",
                "--timeout=20s",
            ],
            true,
            "condition met",
        );
        let pods = kubectl.ok(&["get", "pods", "-l", "job-name=fails", "-o", "name"]);
        assert_eq!(
            pods.lines().count(),
            2,
            "the first run and one retry: {pods}"
        );
        kubectl.says(&["describe", "job", "fails"], true, "BackoffLimitExceeded");

        // A Job's template must not restart forever.
        kubectl.says(
            &["create", "-f", &forever.display().to_string()],
            false,
            "spec.template.spec.restartPolicy: Unsupported value: \"Always\"",
        );

        kubectl.says(
            &[
                "create",
                "cronjob",
                "tick",
                "--image=worker:1",
                "--schedule=*/1 * * * *",
                "--",
                "echo",
                "tick",
            ],
            true,
            "cronjob.batch/tick created",
        );
        kubectl.says(&["get", "cronjobs"], true, "*/1 * * * *");
        // As if it had last run two minutes ago: this minute is due now.
        let two_minutes_ago =
            pilothouse::sim::clock::rfc3339(pilothouse::sim::clock::now_secs() - 120);
        kubectl.ok(&[
            "patch",
            "cronjob",
            "tick",
            "--subresource=status",
            "--type=merge",
            "-p",
            &format!("{{\"status\":{{\"lastScheduleTime\":\"{two_minutes_ago}\"}}}}"),
        ]);
        kubectl.until(&["get", "jobs", "-o", "name"], "the CronJob's Job", |t| {
            t.contains("job.batch/tick-")
        });
        let job = kubectl.ok(&["get", "jobs", "-o", "name"]);
        let job = job
            .lines()
            .find(|l| l.starts_with("job.batch/tick-"))
            .expect("the tick job")
            .to_string();
        kubectl.ok(&["wait", "--for=condition=complete", &job, "--timeout=20s"]);
        assert_eq!(kubectl.ok(&["logs", &job]).trim(), "tick");
        kubectl.says(
            &[
                "get",
                &job,
                "-o",
                "jsonpath={.metadata.ownerReferences[0].kind}",
            ],
            true,
            "CronJob",
        );
    })
    .await
    .expect("kubectl");
}
