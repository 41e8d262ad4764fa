//! The dev loop end to end: the real watch, the real effects, against the
//! simulated cluster (a Deployment rolls to the new build, the container is
//! replaced) and the real Docker engine (a page edit is served by the
//! replaced container, a broken Dockerfile leaves the old one serving with
//! the failing step shown, a synced page is copied in without a build).

mod common;

use common::cockpit::Cockpit;
use pilothouse::app::core::command::BuildSpec;
use pilothouse::app::core::model::Model;
use pilothouse::app::dev::state::CycleResult;
use pilothouse::cli::SimArgs;
use pilothouse::sim::Sim;
use std::path::Path;

fn cycles_done(model: &Model, count: usize) -> bool {
    model.dev.cycles.len() >= count
        && model.dev.cycles[..count]
            .iter()
            .all(|c| c.result != CycleResult::Running)
}

/// No cycle runs and none is owed.
fn settled(model: &Model) -> bool {
    model.dev.running.is_none() && model.dev.pending.is_empty()
}

fn last_result(model: &Model) -> CycleResult {
    model
        .dev
        .cycles
        .last()
        .map(|c| c.result.clone())
        .unwrap_or(CycleResult::Running)
}

async fn engine_connected(cockpit: &mut Cockpit) {
    cockpit
        .until("the engine", |m| {
            matches!(
                m.docker.connection,
                pilothouse::domain::Connection::Connected(_)
            )
        })
        .await;
}

/// Start watching `app` as the app built with `tag`, and wait until the watch is in place.
async fn watch(cockpit: &mut Cockpit, app: &Path, tag: &str) {
    cockpit.model.dev.app = Some(BuildSpec {
        context: app.to_path_buf(),
        dockerfile: "Dockerfile".into(),
        tag: tag.into(),
    });
    cockpit.start_watching().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn against_the_sim_a_save_rolls_the_deployment_and_replaces_the_container() {
    let sim = Sim::start(&SimArgs {
        pod_start_ms: 100,
        ..Default::default()
    })
    .await
    .expect("the sim starts");
    common::build_cookbook(&sim).await;
    let mut cockpit = Cockpit::on(&sim);
    engine_connected(&mut cockpit).await;
    let port = common::free_port();
    cockpit.run(vec![pilothouse::app::Command::Run {
        job: 900,
        spec: pilothouse::app::core::command::RunSpec {
            image: "cookbook:latest".into(),
            name: Some("web".into()),
            ports: pilothouse::app::core::validate::port_maps(&format!("127.0.0.1:{port}:8000"))
                .expect("ports"),
            env: vec![("MODE".into(), "dev".into())],
            labels: vec![("team".into(), "a".into())],
        },
    }]);
    cockpit
        .until("web running", |m| {
            m.docker.containers.iter().any(|c| c.name == "web")
        })
        .await;

    watch(&mut cockpit, &sim.sample_app, "cookbook:latest").await;

    // A [dev] rule: the template is copied into the container (PUT archive), nothing built.
    std::fs::write(
        sim.sample_app.join("pilothouse.toml"),
        "[dev]\nsync = [{ from = \"templates/\", to = \"/app/templates/\" }]\n",
    )
    .expect("write [dev]");
    cockpit
        .until("the sync rules read", |m| !m.dev.settings.sync.is_empty())
        .await;
    std::fs::create_dir_all(sim.sample_app.join("templates")).expect("templates/");
    std::fs::write(sim.sample_app.join("templates/index.html"), "<h1>v2</h1>").expect("edit");
    cockpit.until("the sync", |m| cycles_done(m, 1)).await;
    cockpit.until("no cycle running", settled).await;
    assert!(
        matches!(last_result(&cockpit.model), CycleResult::Done(ref s) if s.contains("copied into web")),
        "{:?}",
        last_result(&cockpit.model)
    );
    let copied = common::http_get(port, "/app/templates/index.html")
        .await
        .expect("web answers");
    assert!(copied.contains("<h1>v2</h1>"), "{copied}");

    let client = common::sim_client(&sim).await;
    let deployments: kube::Api<k8s_openapi::api::apps::v1::Deployment> =
        kube::Api::namespaced(client.clone(), "default");
    let mut manifest: serde_json::Value =
        serde_yaml_ng::from_str(include_str!("../assets/cookbook/cookbook-deployment.yaml"))
            .expect("the sample manifest");
    manifest["spec"]["replicas"] = 3.into();
    deployments
        .create(
            &Default::default(),
            &serde_json::from_value(manifest).expect("a Deployment"),
        )
        .await
        .expect("created");
    cockpit
        .until("3 pods ready", |m| {
            m.kube
                .deployments
                .iter()
                .any(|d| d.name == "cookbook-recipe" && d.ready == 3)
        })
        .await;
    // Now a Deployment runs the image: pods take no copies, so the same kind of edit rebuilds.
    let before = cockpit.model.dev.cycles.len();
    std::fs::write(sim.sample_app.join("templates/index.html"), "<h1>v3</h1>").expect("edit");
    cockpit
        .until("the cycle", |m| cycles_done(m, before + 1))
        .await;
    let output: Vec<String> = cockpit
        .model
        .jobs
        .list
        .last()
        .expect("its job")
        .output
        .iter()
        .cloned()
        .collect();
    assert!(
        output
            .iter()
            .any(|l| l.contains("rebuilding instead of syncing: deployment/cookbook-recipe")),
        "{output:#?}"
    );
    let CycleResult::Done(summary) = last_result(&cockpit.model) else {
        panic!("the cycle failed: {:?}", last_result(&cockpit.model));
    };
    let unique = summary
        .split_whitespace()
        .next()
        .expect("the summary names the build")
        .to_string();
    assert!(unique.starts_with("cookbook:dev-"), "{summary}");
    assert!(
        summary.contains("deployment/cookbook-recipe 3/3"),
        "{summary}"
    );

    // Every pod runs the new build, and the old ones terminate and go.
    let pods: kube::Api<k8s_openapi::api::core::v1::Pod> = kube::Api::namespaced(client, "default");
    let mut images = Vec::new();
    for _ in 0..100 {
        let listed = pods
            .list(&kube::api::ListParams::default().labels("app=cookbook-recipe"))
            .await
            .expect("pods");
        images = listed
            .items
            .iter()
            .filter_map(|p| p.spec.as_ref()?.containers.first()?.image.clone())
            .collect();
        if images == vec![unique.clone(); 3] {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(images, vec![unique.clone(); 3], "the old pods never went");
    // The replaced container serves the new build, with the env and labels it had.
    let page = common::http_get(port, "/").await.expect("web answers");
    assert!(page.contains(&format!("running {unique}")), "{page}");
    let lines: Vec<&str> = cockpit.history_lines();
    assert!(
        lines.iter().any(
            |l| l.starts_with("docker rm -f web && docker run -d --name web")
                && l.contains("-e MODE=dev")
                && l.contains("--label team=a")
        ),
        "{lines:#?}"
    );
    assert!(
        lines.contains(
            &format!(
                "kubectl set image deployment/cookbook-recipe cookbook-recipe={unique} -n default"
            )
            .as_str()
        ),
        "{lines:#?}"
    );
    let stages: Vec<_> = cockpit.model.dev.cycles[before]
        .stages
        .iter()
        .map(|(s, _)| *s)
        .collect();
    use pilothouse::app::core::event::DevStage;
    assert_eq!(
        stages,
        vec![
            DevStage::Build,
            DevStage::Replace,
            DevStage::Rollout,
            DevStage::Ready
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_the_real_engine_edits_are_served_a_broken_build_keeps_the_old_and_sync_copies() {
    let Some(docker) = common::engine("dev loop on the real engine").await else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let app = dir.path().join("app");
    std::fs::create_dir_all(&app).expect("app dir");
    common::busybox_context(&app, "v1");
    let repo = format!("pilothouse-dev-test-{}", std::process::id());
    let tag = format!("{repo}:latest");
    let name = format!("pilothouse-dev-web-{}", std::process::id());
    let host = pilothouse::sources::docker_endpoint::resolve(
        &pilothouse::sources::docker_endpoint::DockerEnv::from_process(),
    )
    .expect("the engine's endpoint")
    .host;
    let mut cockpit = Cockpit::start(host, &dir.path().join("no-kubeconfig"), app.clone());
    let outcome = exercise(&mut cockpit, &app, &tag, &name).await;
    common::clean_up(&docker, &[&name], &[]).await;
    remove_repository(&docker, &repo).await;
    outcome.expect("the dev loop on the real engine");
}

async fn exercise(cockpit: &mut Cockpit, app: &Path, tag: &str, name: &str) -> Result<(), String> {
    engine_connected(cockpit).await;
    cockpit.run(vec![pilothouse::app::Command::Build {
        job: 900,
        spec: BuildSpec {
            context: app.to_path_buf(),
            dockerfile: "Dockerfile".into(),
            tag: tag.into(),
        },
    }]);
    cockpit
        .until("the first build", |m| {
            m.docker
                .images
                .iter()
                .any(|i| format!("{}:{}", i.repository, i.tag) == tag)
        })
        .await;
    let port = common::free_port();
    cockpit.run(vec![pilothouse::app::Command::Run {
        job: 901,
        spec: pilothouse::app::core::command::RunSpec {
            image: tag.into(),
            name: Some(name.into()),
            ports: pilothouse::app::core::validate::port_maps(&format!("127.0.0.1:{port}:8000"))
                .expect("ports"),
            env: Vec::new(),
            labels: vec![("pilothouse.test".into(), "1".into())],
        },
    }]);
    wait_for_page(port, "v1").await?;
    watch(cockpit, app, tag).await;

    // Rebuild path: the edit is built and the container replaced.
    std::fs::write(app.join("www/index.html"), "v2").expect("edit the page");
    cockpit.until("the rebuild", |m| cycles_done(m, 1)).await;
    let CycleResult::Done(_) = last_result(&cockpit.model) else {
        return Err(format!(
            "the rebuild failed: {:?}",
            last_result(&cockpit.model)
        ));
    };
    let page = common::http_get(port, "/index.html").await?;
    if !page.contains("v2") {
        return Err(format!("the replaced container serves {page:?}"));
    }

    // A broken Dockerfile: the error names the failing step, the old container keeps serving.
    std::fs::write(
        app.join("Dockerfile"),
        "FROM scratch\nCOPY busybox /bin/busybox\nCOPY missing /x\n",
    )
    .expect("break the Dockerfile");
    cockpit
        .until("the failed build", |m| cycles_done(m, 2))
        .await;
    let CycleResult::Failed(error) = last_result(&cockpit.model) else {
        return Err(format!(
            "a broken build succeeded: {:?}",
            last_result(&cockpit.model)
        ));
    };
    // BuildKit names the step "[2/2] COPY missing /x" (FROM scratch is no step of its
    // own); the classic builder (DOCKER_BUILDKIT=0) "Step 3/3 : COPY missing /x".
    if !(error.contains("at [2/2] COPY missing /x")
        || error.contains("at Step 3/3 : COPY missing /x"))
    {
        return Err(format!("the error does not name the failing step: {error}"));
    }
    let page = common::http_get(port, "/index.html").await?;
    if !page.contains("v2") {
        return Err(format!(
            "after a failed build the container serves {page:?}"
        ));
    }
    common::busybox_context(app, "v2");
    cockpit
        .until("the repaired build", |m| cycles_done(m, 3))
        .await;
    // Rewriting the context may come as two bursts: let every cycle end first.
    cockpit.until("no cycle running", settled).await;

    // Sync path: [dev] copies www/ into the container; nothing is built.
    std::fs::write(
        app.join("pilothouse.toml"),
        "[dev]\nsync = [{ from = \"www/\", to = \"/www/\" }]\n",
    )
    .expect("write [dev]");
    cockpit
        .until("the sync rules read", |m| !m.dev.settings.sync.is_empty())
        .await;
    let before = cockpit.model.dev.cycles.len();
    std::fs::write(app.join("www/index.html"), "v3 synced").expect("edit the page");
    // The first cycle after the edit that takes the page, and ended.
    let took_the_page = move |m: &Model| {
        m.dev.cycles[before.min(m.dev.cycles.len())..]
            .iter()
            .find(|c| c.files.iter().any(|f| f == "www/index.html"))
            .filter(|c| c.result != CycleResult::Running)
            .cloned()
    };
    cockpit
        .until("the sync", |m| took_the_page(m).is_some())
        .await;
    let cycle = took_the_page(&cockpit.model).expect("the cycle that took the page");
    if !cycle.sync
        || cycle
            .stage(pilothouse::app::core::event::DevStage::Build)
            .is_some()
    {
        return Err(format!("not a sync: {cycle:?}"));
    }
    let page = common::http_get(port, "/index.html").await?;
    if !page.contains("v3 synced") {
        return Err(format!("after the sync the container serves {page:?}"));
    }
    let copied: Vec<&str> = cockpit
        .history_lines()
        .into_iter()
        .filter(|line| line.starts_with("docker cp "))
        .collect();
    if copied != [format!("docker cp www/index.html {name}:/www/index.html").as_str()] {
        return Err(format!("copied: {copied:?}"));
    }
    Ok(())
}

async fn wait_for_page(port: u16, text: &str) -> Result<(), String> {
    for _ in 0..100 {
        if common::http_get(port, "/index.html")
            .await
            .is_ok_and(|p| p.contains(text))
        {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Err(format!("127.0.0.1:{port} never served {text:?}"))
}

/// Every tag of the test's repository (`latest` and each `dev-…`).
async fn remove_repository(docker: &bollard::Docker, repo: &str) {
    let filters = std::collections::HashMap::from([("reference", vec![repo])]);
    let options = bollard::query_parameters::ListImagesOptionsBuilder::default()
        .filters(&filters)
        .build();
    let tags: Vec<String> = docker
        .list_images(Some(options))
        .await
        .unwrap_or_default()
        .into_iter()
        .flat_map(|i| i.repo_tags)
        .collect();
    let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
    common::clean_up(docker, &[], &tags).await;
}
