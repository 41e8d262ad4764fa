//! One command line of the built-in shell: split into words (quotes and
//! `$VAR` as sh does), then one of the few commands it has.

use super::machine::{BUILTINS, Machine, Ran, ShellState, Written, failed, is_shell, resolve};
use std::borrow::Cow;

/// A line: commands joined by `;`, `&&` and `||`, run as sh runs them.
pub fn run_line(machine: &Machine, state: &mut ShellState, line: &str) -> Ran {
    let tokens = match split(machine, line) {
        Ok(tokens) => tokens,
        Err(problem) => return failed(2, &format!("sh: {problem}\n")),
    };
    let mut total = Ran::default();
    let mut words = Vec::new();
    let mut run_next = true;
    // What earlier commands of the line wrote is there for the later ones.
    let mut machine = Cow::Borrowed(machine);
    for token in tokens {
        match token {
            Token::Word(word) => words.push(word),
            Token::Op(op) => {
                if run_next && !words.is_empty() {
                    step(&mut machine, state, &std::mem::take(&mut words), &mut total);
                }
                words.clear();
                if total.exit {
                    break;
                }
                run_next = match op {
                    // A skipped command leaves the status as it was.
                    "&&" => total.code == 0,
                    "||" => total.code != 0,
                    _ => true,
                };
            }
        }
    }
    if run_next && !words.is_empty() && !total.exit {
        step(&mut machine, state, &words, &mut total);
    }
    total
}

fn step(machine: &mut Cow<Machine>, state: &mut ShellState, words: &[String], total: &mut Ran) {
    let ran = run_words(machine, state, words);
    total.stdout.extend(ran.stdout);
    total.stderr.extend(ran.stderr);
    total.code = ran.code;
    total.exit = ran.exit;
    for written in &ran.writes {
        machine.to_mut().apply(written);
    }
    total.writes.extend(ran.writes);
}

/// `COMMAND > FILE` and `>> FILE`: the command's output goes to the file.
fn redirect(machine: &Machine, state: &mut ShellState, words: &[String], at: usize) -> Ran {
    let operator = &words[at];
    let append = operator.starts_with(">>");
    let attached = operator.trim_start_matches('>');
    let (target, rest) = if attached.is_empty() {
        (words.get(at + 1), at + 2)
    } else {
        (None, at + 1)
    };
    let target = match target
        .map(String::as_str)
        .or((!attached.is_empty()).then_some(attached))
    {
        Some(target) => target,
        None => return failed(2, "sh: syntax error: a file name must follow '>'\n"),
    };
    if !machine.writable {
        return failed(
            2,
            "sh: '>' is not available here: a simulated pod keeps no files written to it\n",
        );
    }
    let path = resolve(&state.cwd, target);
    if machine.is_dir(&path) {
        return failed(1, &format!("sh: can't create {target}: Is a directory\n"));
    }
    let command: Vec<String> = words[..at]
        .iter()
        .chain(words.get(rest..).unwrap_or_default())
        .cloned()
        .collect();
    let mut ran = if command.is_empty() {
        Ran::default()
    } else {
        run_words(machine, state, &command)
    };
    ran.writes.push(Written {
        path,
        content: std::mem::take(&mut ran.stdout),
        append,
    });
    ran
}

pub fn run_words(machine: &Machine, state: &mut ShellState, words: &[String]) -> Ran {
    let Some((program, args)) = words.split_first() else {
        return Ran::default();
    };
    if let Some(at) = words.iter().position(|w| w.starts_with('>')) {
        return redirect(machine, state, words, at);
    }
    if let Some(operator) = words.iter().find(|w| matches!(w.as_str(), "|" | "<" | "&")) {
        return failed(
            2,
            &format!(
                "sh: '{operator}' is not available in the simulated cluster's built-in shell\n"
            ),
        );
    }
    let name = program.rsplit('/').next().unwrap_or(program);
    match name {
        "ls" => ls(machine, state, args),
        "cat" => cat(machine, state, args),
        "pwd" => out(format!("{}\n", state.cwd)),
        "cd" => cd(machine, state, args),
        "env" | "printenv" if args.is_empty() => out(machine.environment().join("\n") + "\n"),
        "hostname" => out(format!("{}\n", machine.hostname)),
        "echo" => echo(args),
        "ps" => ps(machine),
        "exit" => Ran {
            code: args.first().and_then(|c| c.parse().ok()).unwrap_or(0),
            exit: true,
            ..Default::default()
        },
        "command" if args.first().is_some_and(|a| a == "-v") => command_v(&args[1..]),
        _ if is_shell(program) && args.is_empty() => failed(
            2,
            "sh: a shell inside the built-in shell is not available in the simulated cluster\n",
        ),
        _ => failed(
            127,
            &format!(
                "sh: {program}: not available in the simulated cluster (its built-in shell has ls, cat, pwd, cd, env, hostname, echo, ps and exit)\n"
            ),
        ),
    }
}

fn out(text: String) -> Ran {
    Ran {
        stdout: text.into_bytes(),
        ..Default::default()
    }
}

fn ls(machine: &Machine, state: &ShellState, args: &[String]) -> Ran {
    let long = args.iter().any(|a| a.starts_with('-') && a.contains('l'));
    let all = args.iter().any(|a| a.starts_with('-') && a.contains('a'));
    let paths: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let targets: Vec<String> = if paths.is_empty() {
        vec![state.cwd.clone()]
    } else {
        paths.iter().map(|p| resolve(&state.cwd, p)).collect()
    };
    let mut ran = Ran::default();
    for (n, (target, shown)) in targets
        .iter()
        .zip(
            paths
                .iter()
                .map(|p| p.as_str())
                .chain(std::iter::repeat(".")),
        )
        .enumerate()
    {
        let entry = |name: &str, path: &str| -> String {
            if !long {
                return format!("{}\n", name.trim_end_matches('/'));
            }
            let size = machine
                .file(path)
                .flatten()
                .map_or(4096, |content| content.len());
            let mode = if name.ends_with('/') {
                "drwxr-xr-x"
            } else {
                "-rw-r--r--"
            };
            format!(
                "{mode}    1 root     root     {size:>9} {}\n",
                name.trim_end_matches('/')
            )
        };
        if machine.is_dir(target) {
            if targets.len() > 1 {
                let gap = if n > 0 { "\n" } else { "" };
                ran.stdout.extend(format!("{gap}{shown}:\n").as_bytes());
            }
            for name in machine.children(target) {
                if name.starts_with('.') && !all {
                    continue;
                }
                let path = resolve(target, name.trim_end_matches('/'));
                ran.stdout.extend(entry(&name, &path).as_bytes());
            }
        } else if machine.file(target).is_some() {
            ran.stdout.extend(entry(shown, target).as_bytes());
        } else {
            ran.stderr
                .extend(format!("ls: {shown}: No such file or directory\n").as_bytes());
            ran.code = 1;
        }
    }
    ran
}

fn cat(machine: &Machine, state: &ShellState, args: &[String]) -> Ran {
    let mut ran = Ran::default();
    if args.is_empty() {
        return failed(
            1,
            "cat: reading from stdin is not available in the simulated cluster\n",
        );
    }
    for name in args {
        let path = resolve(&state.cwd, name);
        match machine.file(&path) {
            Some(Some(content)) => ran.stdout.extend_from_slice(content),
            Some(None) => {
                ran.stderr.extend(
                    format!("cat: {name}: too large to be kept by the simulated cluster\n")
                        .as_bytes(),
                );
                ran.code = 1;
            }
            None if machine.is_dir(&path) => {
                ran.stderr.extend(b"cat: read error: Is a directory\n");
                ran.code = 1;
            }
            None => {
                ran.stderr.extend(
                    format!("cat: can't open '{name}': No such file or directory\n").as_bytes(),
                );
                ran.code = 1;
            }
        }
    }
    ran
}

fn cd(machine: &Machine, state: &mut ShellState, args: &[String]) -> Ran {
    let target = match args.first() {
        Some(dir) => resolve(&state.cwd, dir),
        None => machine.variable("HOME").unwrap_or_else(|| "/".into()),
    };
    if machine.is_dir(&target) || target == "/root" {
        state.cwd = target;
        Ran::default()
    } else {
        let name = args.first().map_or("", String::as_str);
        failed(
            2,
            &format!("sh: cd: can't cd to {name}: No such file or directory\n"),
        )
    }
}

fn echo(args: &[String]) -> Ran {
    let (newline, words) = match args.first() {
        Some(flag) if flag == "-n" => (false, &args[1..]),
        _ => (true, args),
    };
    let mut text = words.join(" ");
    if newline {
        text.push('\n');
    }
    out(text)
}

fn ps(machine: &Machine) -> Ran {
    let main = if machine.command.is_empty() {
        "(none)"
    } else {
        machine.command.as_str()
    };
    out(format!(
        "PID   USER     TIME  COMMAND\n    1 root      0:00 {main}\n    7 root      0:00 sh\n    8 root      0:00 ps\n"
    ))
}

fn command_v(names: &[String]) -> Ran {
    let mut ran = Ran::default();
    for name in names {
        if BUILTINS.contains(&name.as_str()) {
            ran.stdout.extend(format!("/bin/{name}\n").as_bytes());
        } else {
            ran.code = 1;
        }
    }
    ran
}

enum Token {
    Word(String),
    /// `;`, `&&` or `||`, unquoted.
    Op(&'static str),
}

/// Words as sh splits them: whitespace, '…' literal, "…" with `$VAR`, `\`
/// escapes; `;`, `&&` and `||` between commands.
fn split(machine: &Machine, line: &str) -> Result<Vec<Token>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(Token::Word(std::mem::take(&mut word)));
                    in_word = false;
                }
            }
            ';' | '&' | '|' => {
                let op = match (c, chars.peek()) {
                    (';', _) => ";",
                    ('&', Some('&')) => "&&",
                    ('|', Some('|')) => "||",
                    ('&', _) => "&",
                    _ => "|",
                };
                if op.len() == 2 {
                    chars.next();
                }
                if in_word {
                    words.push(Token::Word(std::mem::take(&mut word)));
                    in_word = false;
                }
                words.push(match op {
                    ";" | "&&" | "||" => Token::Op(op),
                    other => Token::Word(other.to_string()),
                });
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("syntax error: unterminated quoted string".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => word.extend(chars.next()),
                        Some('$') => word.push_str(&expand(machine, &mut chars)),
                        Some(c) => word.push(c),
                        None => return Err("syntax error: unterminated quoted string".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                word.extend(chars.next());
            }
            '$' => {
                in_word = true;
                word.push_str(&expand(machine, &mut chars));
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(Token::Word(word));
    }
    Ok(words)
}

/// After a `$`: `NAME` or `{NAME}`, replaced by its value (empty when unset).
fn expand(machine: &Machine, chars: &mut std::iter::Peekable<std::str::Chars>) -> String {
    let braced = chars.peek() == Some(&'{');
    if braced {
        chars.next();
    }
    let mut name = String::new();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_alphanumeric() || c == '_' {
            name.push(c);
            chars.next();
        } else {
            break;
        }
    }
    if braced && chars.peek() == Some(&'}') {
        chars.next();
    }
    if name.is_empty() {
        return "$".into();
    }
    machine.variable(&name).unwrap_or_default()
}
