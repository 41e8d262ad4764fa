//! Docker's getting-started guide (docs.docker.com/get-started/workshop),
//! every step that needs no registry, typed with the real docker CLI (and
//! Debian's docker-compose for the Compose chapter) against the simulated
//! engine. The guide's `node:18-alpine` and `mysql:8.0` cannot be pulled
//! here, so tiny images of those names are built first; the commands are
//! then the guide's own.

mod common;

use common::docker_cli::DockerCli;
use std::path::Path;
use std::process::{Command, Stdio};

const IMAGE: &str = "FROM scratch\nWORKDIR /app\nCOPY site /app/site\nEXPOSE 3000\nCMD [\"sh\"]\n";

const COMPOSE: &str = "services:
  app:
    image: node:18-alpine
    command: sh -c \"yarn install && yarn run dev\"
    ports:
      - 127.0.0.1:PORT:3000
    working_dir: /app
    volumes:
      - ./:/app
    environment:
      MYSQL_HOST: mysql
      MYSQL_USER: root
      MYSQL_PASSWORD: secret
      MYSQL_DB: todos

  mysql:
    image: mysql:8.0
    volumes:
      - todo-mysql-data:/var/lib/mysql
    environment:
      MYSQL_ROOT_PASSWORD: secret
      MYSQL_DATABASE: todos

volumes:
  todo-mysql-data:
";

fn http_get(port: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(format!("127.0.0.1:{port}")).expect("connect");
    stream
        .write_all(b"GET / HTTP/1.0\r\n\r\n")
        .expect("send a request");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read the answer");
    answer
}

/// `docker run -i ...` with `input` on its stdin; (stdout, exit code).
fn run_with_input(cli: &DockerCli, args: &[&str], input: &str) -> (String, i32) {
    let mut child = Command::new("docker")
        .args(args)
        .env("DOCKER_HOST", &cli.host)
        .env("DOCKER_CONFIG", cli.config.path())
        .env_remove("DOCKER_CONTEXT")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start docker");
    std::io::Write::write_all(child.stdin.as_mut().expect("stdin"), input.as_bytes())
        .expect("write stdin");
    drop(child.stdin.take());
    let out = child.wait_with_output().expect("docker ends");
    (
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
        out.status.code().unwrap_or(-1),
    )
}

fn compose(cli: &DockerCli, dir: &Path, args: &[&str]) -> String {
    let out = Command::new("docker-compose")
        .args(["-p", "todo"])
        .args(args)
        .current_dir(dir)
        .env("DOCKER_HOST", &cli.host)
        .env("DOCKER_CONFIG", cli.config.path())
        .stdin(Stdio::null())
        .output()
        .expect("run docker-compose");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "docker-compose {} failed:\n{text}",
        args.join(" ")
    );
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_getting_started_guide_runs_against_the_sim() {
    let test = "the_getting_started_guide_runs_against_the_sim";
    if !common::cli_available(test, "docker", &["--version"])
        || !common::cli_available(test, "docker-compose", &["version"])
    {
        return;
    }
    let (_sim, cli, dir) = common::docker_cli::sim_and_cli().await;
    let app = dir.path().join("getting-started-app");
    std::fs::create_dir_all(app.join("site")).expect("the app folder");
    std::fs::write(app.join("Dockerfile"), IMAGE).expect("the Dockerfile");
    std::fs::write(app.join("site/index.html"), "<h1>todo</h1>\n").expect("a page");
    std::fs::write(app.join("package.json"), "{\"name\": \"todo\"}\n").expect("package.json");
    tokio::task::spawn_blocking(move || {
        let app_dir = app.display().to_string();
        for tag in ["getting-started", "node:18-alpine", "mysql:8.0"] {
            cli.ok(&["build", "-t", tag, &app_dir]);
        }

        // Part 2: run the app and reach it on a published port.
        let port = common::free_port().to_string();
        let published = format!("127.0.0.1:{port}:3000");
        let first = cli.ok(&["run", "-dp", &published, "getting-started"]);
        let first = first.trim().lines().last().expect("an id").to_string();
        assert!(http_get(&port).contains("running getting-started"));

        // Part 3: stop and remove the old container, or both at once.
        assert!(cli.ok(&["ps"]).contains(&first[..12]));
        cli.ok(&["stop", &first]);
        cli.ok(&["rm", &first]);
        let second = cli.ok(&["run", "-dp", &published, "getting-started"]);
        cli.ok(&["rm", "-f", second.trim()]);

        // Part 5: a named volume keeps the data past its container.
        cli.ok(&["volume", "create", "todo-db"]);
        cli.ok(&[
            "run",
            "-d",
            "--name",
            "todo1",
            "--mount",
            "type=volume,src=todo-db,target=/etc/todos",
            "getting-started",
        ]);
        cli.ok(&[
            "exec",
            "todo1",
            "sh",
            "-c",
            "echo 'buy milk' > /etc/todos/todo.db",
        ]);
        let refused = cli.run(&["volume", "rm", "todo-db"]);
        assert!(
            String::from_utf8_lossy(&refused.stderr).contains("volume is in use"),
            "a volume in use is not removed"
        );
        cli.ok(&["rm", "-f", "todo1"]);
        let kept = cli.ok(&[
            "run",
            "--rm",
            "--mount",
            "type=volume,src=todo-db,target=/etc/todos",
            "getting-started",
            "cat",
            "/etc/todos/todo.db",
        ]);
        assert_eq!(
            kept.trim(),
            "buy milk",
            "the new container sees the old one's data"
        );
        let inspected = cli.ok(&["volume", "inspect", "todo-db"]);
        assert!(inspected.contains("\"Mountpoint\": \"/var/lib/docker/volumes/todo-db/_data\""));
        assert!(
            !cli.ok(&["ps", "-a"]).contains("getting-started"),
            "--rm removed it"
        );

        // A command that ends ends the container, with its exit code.
        let ended = cli.run(&[
            "run",
            "--rm",
            "getting-started",
            "sh",
            "-c",
            "echo bye; exit 3",
        ]);
        assert_eq!(ended.status.code(), Some(3));
        assert_eq!(String::from_utf8_lossy(&ended.stdout), "bye\n");

        // Part 6: a bind mount shows the host's files, and writes reach the host.
        let (seen, code) = run_with_input(
            &cli,
            &[
                "run",
                "-i",
                "--rm",
                "--mount",
                &format!("type=bind,src={app_dir},target=/src"),
                "getting-started",
                "sh",
            ],
            "ls /src\necho from-the-container > /src/myfile.txt\nexit 0\n",
        );
        assert_eq!(code, 0, "{seen}");
        assert!(
            seen.contains("Dockerfile") && seen.contains("package.json"),
            "{seen}"
        );
        assert_eq!(
            std::fs::read_to_string(app.join("myfile.txt")).expect("written on the host"),
            "from-the-container\n"
        );
        std::fs::remove_file(app.join("myfile.txt")).expect("rm myfile.txt");
        let missing = cli.run(&[
            "run",
            "--rm",
            "--mount",
            "type=bind,src=/no/such/folder,target=/src",
            "getting-started",
        ]);
        assert!(
            String::from_utf8_lossy(&missing.stderr).contains("bind source path does not exist")
        );
        let dev = cli.ok(&[
            "run",
            "-dp",
            &published,
            "-w",
            "/app",
            "--mount",
            &format!("type=bind,src={app_dir},target=/app"),
            "node:18-alpine",
            "sh",
            "-c",
            "yarn install && yarn run dev",
        ]);
        let listed = cli.ok(&["exec", dev.trim(), "ls", "/app"]);
        assert!(listed.contains("package.json"), "{listed}");
        assert!(
            cli.ok(&["logs", dev.trim()])
                .contains("yarn install && yarn run dev")
        );
        cli.ok(&["rm", "-f", dev.trim()]);

        // Part 7: two containers on a network of their own.
        cli.ok(&["network", "create", "todo-app"]);
        let mysql = cli.ok(&[
            "run",
            "-d",
            "--network",
            "todo-app",
            "--network-alias",
            "mysql",
            "-v",
            "todo-mysql-data:/var/lib/mysql",
            "-e",
            "MYSQL_ROOT_PASSWORD=secret",
            "-e",
            "MYSQL_DATABASE=todos",
            "mysql:8.0",
        ]);
        let mysql = mysql.trim().to_string();
        assert_eq!(
            cli.ok(&["exec", &mysql, "sh", "-c", "echo $MYSQL_DATABASE"])
                .trim(),
            "todos"
        );
        let members = cli.ok(&[
            "network",
            "inspect",
            "todo-app",
            "--format",
            "{{range .Containers}}{{.IPv4Address}}{{end}}",
        ]);
        assert_eq!(members.trim(), "172.18.0.2/16");
        let aliases = cli.ok(&[
            "inspect",
            &mysql,
            "--format",
            "{{json .NetworkSettings.Networks}}",
        ]);
        assert!(aliases.contains("\"Aliases\":[\"mysql\"]"), "{aliases}");
        let busy = cli.run(&["network", "rm", "todo-app"]);
        assert!(String::from_utf8_lossy(&busy.stderr).contains("has active endpoints"));
        cli.ok(&["rm", "-f", &mysql]);
        cli.ok(&["network", "rm", "todo-app"]);
        assert!(cli.ok(&["volume", "ls"]).contains("todo-mysql-data"));

        // Part 8: the same two services with Compose.
        std::fs::write(app.join("compose.yaml"), COMPOSE.replace("PORT", &port))
            .expect("compose.yaml");
        compose(&cli, &app, &["up", "-d"]);
        let services = compose(&cli, &app, &["ps"]);
        assert!(
            services.contains("todo_app_1") && services.contains("todo_mysql_1"),
            "{services}"
        );
        assert_eq!(
            services.matches("todo_app_1").count(),
            1,
            "each container once: {services}"
        );
        assert!(http_get(&port).contains("todo_app_1"));
        let logs = compose(&cli, &app, &["logs", "--no-color", "app"]);
        assert!(
            logs.contains("app_1") && logs.contains("yarn run dev"),
            "{logs}"
        );
        assert!(cli.ok(&["network", "ls"]).contains("todo_default"));
        assert!(cli.ok(&["volume", "ls"]).contains("todo_todo-mysql-data"));
        compose(&cli, &app, &["down", "--volumes"]);
        assert!(
            !cli.ok(&["ps", "-a"]).contains("todo_"),
            "down removes the containers"
        );
        assert!(!cli.ok(&["network", "ls"]).contains("todo_default"));
        assert!(!cli.ok(&["volume", "ls"]).contains("todo_todo-mysql-data"));

        // Part 9: the image's layers.
        assert!(
            cli.ok(&["image", "history", "getting-started"])
                .contains("CMD [\"sh\"]")
        );
    })
    .await
    .expect("the guide's steps");
}
