use super::*;
use std::collections::BTreeMap;

fn machine() -> Machine {
    let mut files = BTreeMap::new();
    files.insert("/app/run.py".to_string(), Some(b"print('hi')\n".to_vec()));
    files.insert(
        "/app/templates/index.html".to_string(),
        Some(b"<h1>recipes</h1>\n".to_vec()),
    );
    files.insert("/app/big.bin".to_string(), None);
    Machine {
        files,
        env: vec!["PORT=8000".into(), "GREETING=hello there".into()],
        hostname: "cookbook-recipe-7d4b9-abcde".into(),
        workdir: "/app".into(),
        command: "python run.py".into(),
        writable: false,
        dirs: Vec::new(),
    }
}

fn run(argv: &[&str]) -> Ran {
    run_argv(
        &machine(),
        &argv.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
    )
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn one_off_commands_read_the_image_files() {
    assert_eq!(text(&run(&["cat", "run.py"]).stdout), "print('hi')\n");
    assert_eq!(
        text(&run(&["cat", "/app/templates/index.html"]).stdout),
        "<h1>recipes</h1>\n"
    );
    assert_eq!(text(&run(&["ls"]).stdout), "big.bin\nrun.py\ntemplates\n");
    assert_eq!(
        text(&run(&["ls", "/"]).stdout),
        "app\nbin\netc\nproc\ntmp\n"
    );
    assert_eq!(text(&run(&["pwd"]).stdout), "/app\n");
    assert_eq!(
        text(&run(&["hostname"]).stdout),
        "cookbook-recipe-7d4b9-abcde\n"
    );
    assert_eq!(
        text(&run(&["cat", "/etc/hostname"]).stdout),
        "cookbook-recipe-7d4b9-abcde"
    );
    let env = text(&run(&["env"]).stdout);
    assert!(
        env.contains("PORT=8000\n") && env.contains("HOSTNAME=cookbook-recipe-7d4b9-abcde\n"),
        "{env}"
    );
    assert!(text(&run(&["ps"]).stdout).contains("    1 root      0:00 python run.py\n"));
    assert_eq!(
        text(&run(&["sh", "-c", "echo \"$GREETING\" '$PORT' ${PORT}"]).stdout),
        "hello there $PORT 8000\n"
    );
    assert_eq!(run(&["sh", "-c", "command -v bash"]).code, 1);
    assert_eq!(
        text(&run(&["sh", "-c", "command -v sh"]).stdout),
        "/bin/sh\n"
    );
}

#[test]
fn what_it_lacks_is_said_with_an_exit_code() {
    let missing = run(&["cat", "nope.txt"]);
    assert_eq!(
        (missing.code, text(&missing.stderr)),
        (
            1,
            "cat: can't open 'nope.txt': No such file or directory\n".to_string()
        )
    );
    let large = run(&["cat", "big.bin"]);
    assert_eq!(large.code, 1);
    assert!(text(&large.stderr).contains("too large"));
    let bash = run(&["bash"]);
    assert_eq!(bash.code, 127);
    assert!(
        text(&bash.stderr).contains("bash: not available in the simulated cluster"),
        "{}",
        text(&bash.stderr)
    );
    let sequence = run(&[
        "sh",
        "-c",
        "cd /nowhere && echo no || echo 'cd failed'; pwd; exit 5; echo never",
    ]);
    assert_eq!(text(&sequence.stdout), "cd failed\n/app\n");
    assert_eq!((sequence.code, sequence.exit), (5, true));
    let pipe = run(&["sh", "-c", "ls | wc -l"]);
    assert!(
        text(&pipe.stderr).contains("'|' is not available"),
        "{}",
        text(&pipe.stderr)
    );
    assert_eq!(run(&["sh", "-c", "exit 3"]).code, 3);
    assert_eq!(run(&[]).code, 126);
}

fn stdout_of(outputs: &[Output]) -> String {
    outputs
        .iter()
        .map(|o| match o {
            Output::Stdout(b) | Output::Stderr(b) => text(b),
            Output::Exit(code) => format!("<exit {code}>"),
        })
        .collect()
}

#[test]
fn a_terminal_session_echoes_edits_and_ends_on_exit() {
    let mut session = Session::new(machine(), true);
    assert_eq!(stdout_of(&session.start()), "/app # ");
    assert_eq!(
        stdout_of(&session.feed(b"echo hj\x7fi\r")),
        "echo hj\x08 \x08i\r\nhi\r\n/app # "
    );
    assert_eq!(
        stdout_of(&session.feed(b"cd templates\rpwd\r")),
        "cd templates\r\n/app/templates # pwd\r\n/app/templates\r\n/app/templates # "
    );
    // An arrow key is ignored; ctrl-c drops the line.
    assert_eq!(
        stdout_of(&session.feed(b"\x1b[Als\x03")),
        "ls^C\r\n/app/templates # "
    );
    assert_eq!(
        stdout_of(&session.feed("é\x7f\x7f".as_bytes())),
        "é\x08 \x08"
    );
    assert_eq!(stdout_of(&session.feed(b"exit 4\r")), "exit 4\r\n<exit 4>");
    assert!(session.ended());
    assert!(session.feed(b"ls\r").is_empty(), "nothing after exit");
}

#[test]
fn without_a_terminal_lines_run_until_input_ends() {
    let mut session = Session::new(machine(), false);
    assert!(session.start().is_empty());
    assert_eq!(stdout_of(&session.feed(b"echo one\nca")), "one\n");
    assert_eq!(stdout_of(&session.feed(b"t run.py\n")), "print('hi')\n");
    assert_eq!(stdout_of(&session.feed(b"hostname")), "");
    assert_eq!(
        stdout_of(&session.end_of_input()),
        "cookbook-recipe-7d4b9-abcde\n<exit 0>"
    );
}

#[test]
fn ctrl_d_on_an_empty_line_ends_a_terminal_session() {
    let mut session = Session::new(machine(), true);
    assert_eq!(stdout_of(&session.feed(b"x\x04")), "x");
    assert_eq!(
        stdout_of(&session.feed(b"\x03\x04")),
        "^C\r\n/app # \r\n<exit 0>"
    );
}

#[test]
fn redirects_write_files_that_later_commands_see() {
    let writable = Machine {
        writable: true,
        ..machine()
    };
    let line = |l: &str| run_argv(&writable, &["sh".into(), "-c".into(), l.into()]);
    let ran = line("echo one > /data/n.txt && echo two >>/data/n.txt; cat /data/n.txt");
    assert_eq!(
        text(&ran.stdout),
        "one\ntwo\n",
        "the line sees its own writes"
    );
    assert_eq!(ran.code, 0);
    assert_eq!(
        ran.writes,
        vec![
            Written {
                path: "/data/n.txt".into(),
                content: b"one\n".to_vec(),
                append: false
            },
            Written {
                path: "/data/n.txt".into(),
                content: b"two\n".to_vec(),
                append: true
            },
        ]
    );
    let relative = line("echo hi > note");
    assert_eq!(
        relative.writes[0].path, "/app/note",
        "relative to the workdir"
    );
    assert_eq!(line("echo hi > /app").code, 1, "a folder is not a file");
    assert_eq!(line("echo hi >").code, 2);
    let refused = run(&["sh", "-c", "echo hi > /tmp/x"]);
    assert_eq!(refused.code, 2);
    assert!(text(&refused.stderr).contains("keeps no files"));
    assert!(refused.writes.is_empty());
    let mut session = Session::new(writable, false);
    session.feed(b"echo kept > /tmp/k\ncat /tmp/k\n");
    assert_eq!(session.take_writes().len(), 1);
    assert!(session.take_writes().is_empty(), "taken once");
}
