//! `S` hands the terminal to a shell inside a container or pod and takes
//! it back when the shell exits, in a pseudo-terminal of the test's own:
//! `docker exec -it` into a simulated container and `kubectl exec -it` into
//! a simulated pod (the built-in shell), and `docker exec -it` into a real
//! busybox container. Each types `echo hi`, reads `hi`, exits, and finds the
//! cockpit as it was: its pane, its filter, raw mode and the alternate
//! screen; and after `q` the terminal as before (tests/terminal_restore.rs).

mod common;

use common::pty::{ENTER_ALTERNATE, Session};
use std::time::Duration;

/// The demo, with learn mode off so keys act at once.
fn demo() -> Session {
    let session = Session::start(&["--demo", "--learn", "off", "--no-mouse"], &[]);
    session.wait_for_screen("Press b to build");
    session
}

/// Types keys and gives the cockpit a moment to take them.
fn keys(session: &mut Session, bytes: &[u8]) {
    session.press(bytes);
    std::thread::sleep(Duration::from_millis(300));
}

/// `S` on what is selected; the shell's prompt; `echo hi`; `exit`; the cockpit back as it was.
fn shell_round_trip(session: &mut Session, prompt: &str, title: &str) {
    let mark = session.text().len();
    keys(session, b"S");
    session.wait_for_since(mark, prompt);
    assert!(
        session.is_raw(),
        "the exec client has the terminal in raw mode"
    );
    let typed = session.text().len();
    keys(session, b"echo hi\r");
    session.wait_for_since(typed, "hi\r\n");
    let exited = session.text().len();
    keys(session, b"exit\r");
    session.wait_for_screen("Back from the shell in");
    assert!(
        session.text_since(exited).contains(ENTER_ALTERNATE),
        "the alternate screen again"
    );
    let screen = session.screen();
    assert!(
        screen.contains(title),
        "the same pane, with its filter:\n{screen}"
    );
    assert!(session.is_raw(), "the cockpit's raw mode again");
}

fn quit(mut session: Session) {
    keys(&mut session, b"q");
    assert!(session.exit_status().success());
    session.assert_restored("q after a shell");
}

#[test]
fn a_shell_in_a_simulated_container_and_back() {
    if !common::cli_available(
        "a_shell_in_a_simulated_container_and_back",
        "docker",
        &["--version"],
    ) {
        return;
    }
    let mut session = demo();
    keys(&mut session, b"b");
    keys(&mut session, b"\r");
    session.wait_for_screen("built cookbook:latest");
    keys(&mut session, b"2r");
    // No port published: nothing here needs one, and another test may hold 8000.
    keys(&mut session, &[0x7f; 12]);
    keys(&mut session, b"\r");
    session.wait_for_screen("✓ run cookbook:latest");
    keys(&mut session, b"1/cookbook\r");
    shell_round_trip(&mut session, "/usr/src/app # ", "Containers (running) [1]");
    assert!(session.text().contains("docker exec -it "));
    quit(session);
}

#[test]
fn a_shell_in_a_simulated_pod_and_back() {
    if !common::cli_available(
        "a_shell_in_a_simulated_pod_and_back",
        "kubectl",
        &["version", "--client"],
    ) {
        return;
    }
    let mut session = demo();
    keys(&mut session, b"b");
    keys(&mut session, b"\r");
    session.wait_for_screen("built cookbook:latest");
    keys(&mut session, b"5a");
    keys(&mut session, b"\r");
    session.wait_for_screen("1/1");
    keys(&mut session, b"6/cookbook-recipe\r");
    session.wait_for_screen("Running");
    shell_round_trip(&mut session, "/usr/src/app # ", "cookbook-recipe");
    assert!(session.text().contains("kubectl exec -it cookbook-recipe-"));
    quit(session);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shell_in_a_real_busybox_container_and_back() {
    let test = "a_shell_in_a_real_busybox_container_and_back";
    let Some(docker) = common::engine(test).await else {
        return;
    };
    if !common::cli_available(test, "docker", &["--version"]) {
        return;
    }
    let name = format!("pilothouse-test-shell-{}", std::process::id());
    let tag = format!("pilothouse-test-shell:{}", std::process::id());
    let context = tempfile::tempdir().expect("context");
    common::busybox_context(context.path(), "shell test");
    // busybox is sh when called by that name; the Dockerfile gives it one.
    std::fs::copy(common::BUSYBOX, context.path().join("sh")).expect("busybox as sh");
    let dockerfile =
        std::fs::read_to_string(context.path().join("Dockerfile")).expect("Dockerfile");
    std::fs::write(
        context.path().join("Dockerfile"),
        dockerfile.replace(
            "COPY www /www\n",
            "COPY www /www\nCOPY sh /bin/sh\nENV PATH=/bin\n",
        ),
    )
    .expect("Dockerfile with a shell");
    common::build_and_start(&docker, context.path(), &tag, &name).await;

    let host =
        std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".into());
    let mut session = Session::start(
        &["--learn", "off", "--no-mouse"],
        &[
            ("DOCKER_HOST", host),
            ("KUBECONFIG", "/nonexistent/kubeconfig".to_string()),
        ],
    );
    let name_for_shell = name.clone();
    let result = tokio::task::spawn_blocking(move || {
        session.wait_for_screen(&name_for_shell);
        keys(&mut session, format!("/{name_for_shell}\r").as_bytes());
        shell_round_trip(&mut session, "/ # ", "[1]");
        quit(session);
    })
    .await;
    common::clean_up(&docker, &[&name], &[&tag]).await;
    if let Err(panic) = result {
        std::panic::resume_unwind(panic.into_panic());
    }
}
