//! Docker's everyday commands with the real docker CLI against the
//! simulated engine, in the order the getting-started guide meets them
//! (build, run, ps, tag, images) and then the ones people type next: top,
//! rename, cp both ways, save and load, history, system df, network ls / inspect, volume ls, events with
//! --since and --until, image prune.

mod common;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_everyday_docker_commands_work_against_the_sim() {
    let test = "the_everyday_docker_commands_work_against_the_sim";
    if !common::cli_available(test, "docker", &["--version"]) {
        return;
    }
    let (_sim, cli, dir) = common::docker_cli::sim_and_cli().await;
    let app = dir.path().join("app");
    std::fs::create_dir(&app).expect("the app folder");
    std::fs::write(
        app.join("Dockerfile"),
        "FROM scratch\nWORKDIR /app\nCOPY site /app/site\nENV GREETING=hi\nEXPOSE 3000\nCMD [\"sh\"]\n",
    )
    .expect("the Dockerfile");
    std::fs::create_dir(app.join("site")).expect("the site folder");
    std::fs::write(app.join("site/index.html"), "<h1>todo</h1>\n").expect("a page");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("the out folder");
    let out = out.display().to_string();
    let app = app.display().to_string();
    tokio::task::spawn_blocking(move || {
        let start = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_secs()
            .to_string();
        cli.ok(&["build", "-t", "getting-started", &app]);
        let port = common::free_port().to_string();
        cli.ok(&[
            "run",
            "-d",
            "--name",
            "todo",
            "-p",
            &format!("127.0.0.1:{port}:3000"),
            "getting-started",
        ]);
        assert!(cli.ok(&["ps"]).contains("todo"));
        cli.ok(&["tag", "getting-started", "getting-started:v2"]);
        let images = cli.ok(&["image", "ls", "--format", "{{.Repository}}:{{.Tag}}"]);
        assert!(
            images.contains("getting-started:v2") && images.contains("getting-started:latest"),
            "{images}"
        );

        let top = cli.ok(&["top", "todo"]);
        assert!(top.starts_with("UID") && top.contains("sh"), "{top}");
        cli.ok(&["rename", "todo", "todo-app"]);
        assert_eq!(cli.ok(&["ps", "--format", "{{.Names}}"]).trim(), "todo-app");
        let taken = cli.run(&["rename", "todo-app", "todo-app"]);
        assert!(!taken.status.success(), "a name in use is refused");

        // cp both ways: a folder out of the container, a file into it.
        cli.ok(&["cp", "todo-app:/app/site", &format!("{out}/copy")]);
        assert_eq!(
            std::fs::read_to_string(format!("{out}/copy/index.html")).expect("copied out"),
            "<h1>todo</h1>\n"
        );
        std::fs::write(format!("{out}/note.txt"), "copied in\n").expect("a note");
        cli.ok(&["cp", &format!("{out}/note.txt"), "todo-app:/app/site/"]);
        assert_eq!(
            cli.ok(&["exec", "todo-app", "cat", "/app/site/note.txt"]),
            "copied in\n"
        );
        let missing = cli.run(&["cp", "todo-app:/nowhere", &out]);
        assert!(
            String::from_utf8_lossy(&missing.stderr).contains("Could not find the file /nowhere"),
            "{missing:?}"
        );

        let history = cli.ok(&["history", "getting-started"]);
        for step in [
            "CMD [\"sh\"]",
            "EXPOSE map[3000/tcp:{}]",
            "ENV GREETING=hi",
            "WORKDIR /app",
        ] {
            assert!(history.contains(step), "{step} in:\n{history}");
        }
        let df = cli.ok(&["system", "df"]);
        assert!(
            df.contains("Images          1         1")
                && df.contains("Containers      1         1"),
            "{df}"
        );
        let networks = cli.ok(&["network", "ls", "--format", "{{.Name}} {{.Driver}}"]);
        assert_eq!(networks.trim(), "bridge bridge\nhost host\nnone null");
        assert_eq!(
            cli.ok(&[
                "network",
                "inspect",
                "bridge",
                "--format",
                "{{(index .IPAM.Config 0).Subnet}}"
            ])
            .trim(),
            "172.17.0.0/16"
        );
        assert_eq!(cli.ok(&["volume", "ls", "-q"]).trim(), "");

        // Events since the start, up to now: the ones already past come back, and the stream ends.
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let until = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_secs()
            .to_string();
        let events = cli.ok(&["events", "--since", &start, "--until", &until]);
        for action in [
            "container create",
            "container start",
            "container rename",
            "image tag",
        ] {
            assert!(events.contains(action), "{action} in:\n{events}");
        }

        // save and load: the image back whole, files and tags.
        let saved = format!("{out}/saved.tar");
        cli.ok(&[
            "save",
            "-o",
            &saved,
            "getting-started",
            "getting-started:v2",
        ]);
        cli.ok(&["rm", "-f", "todo-app"]);
        cli.ok(&["rmi", "getting-started", "getting-started:v2"]);
        let loaded = cli.ok(&["load", "-i", &saved]);
        assert!(
            loaded.contains("Loaded image: getting-started:latest")
                && loaded.contains("Loaded image: getting-started:v2"),
            "{loaded}"
        );
        cli.ok(&["run", "-d", "--name", "todo-app", "getting-started"]);
        assert_eq!(
            cli.ok(&["exec", "todo-app", "cat", "/app/site/index.html"]),
            "<h1>todo</h1>\n"
        );
        let not_an_archive = cli.run(&["load", "-i", &format!("{out}/note.txt")]);
        assert!(
            !not_an_archive.status.success(),
            "a file that is no archive is refused"
        );

        cli.ok(&["rm", "-f", "todo-app"]);
        let pruned = cli.ok(&["image", "prune", "-a", "-f"]);
        assert!(
            pruned.contains("untagged: getting-started:latest"),
            "{pruned}"
        );
        assert_eq!(cli.ok(&["images", "-q"]).trim(), "");
    })
    .await
    .expect("the docker CLI");
}

/// `docker restart` and `docker rm -f` then `docker run` on the same published
/// port, each after a request was answered there: the port is free again as
/// soon as the engine has answered, as on dockerd (the dev loop's container
/// replace depends on it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_published_port_is_free_again_once_stop_or_remove_has_answered() {
    let test = "a_published_port_is_free_again_once_stop_or_remove_has_answered";
    if !common::cli_available(test, "docker", &["--version"]) {
        return;
    }
    let (_sim, cli, dir) = common::docker_cli::sim_and_cli().await;
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM scratch\nCMD [\"server\"]\n",
    )
    .expect("the Dockerfile");
    let context = dir.path().display().to_string();
    tokio::task::spawn_blocking(move || {
        cli.ok(&["build", "-t", "web", &context]);
        let port = common::free_port();
        let publish = format!("127.0.0.1:{port}:80");
        cli.ok(&["run", "-d", "--name", "web", "-p", &publish, "web"]);
        for _ in 0..5 {
            cli.ok(&["restart", "web"]);
        }
        for _ in 0..5 {
            cli.ok(&["rm", "-f", "web"]);
            cli.ok(&["run", "-d", "--name", "web", "-p", &publish, "web"]);
        }
        let answer = std::net::TcpStream::connect(("127.0.0.1", port));
        assert!(
            answer.is_ok(),
            "the last container serves the port: {answer:?}"
        );
        cli.ok(&["rm", "-f", "web"]);
    })
    .await
    .expect("the CLI steps");
}
