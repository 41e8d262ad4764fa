//! The Dockerfile, read once for everyone: instructions, line continuations,
//! comments, and the image settings a build records. The simulated engine
//! builds from it; the Cloud Run deploy checks its `EXPOSE`d ports.

use std::collections::BTreeMap;

const KNOWN: [&str; 18] = [
    "FROM",
    "RUN",
    "CMD",
    "LABEL",
    "MAINTAINER",
    "EXPOSE",
    "ENV",
    "ADD",
    "COPY",
    "ENTRYPOINT",
    "VOLUME",
    "USER",
    "WORKDIR",
    "ARG",
    "ONBUILD",
    "STOPSIGNAL",
    "HEALTHCHECK",
    "SHELL",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// 1-based line where the instruction starts.
    pub line: usize,
    /// Upper-case keyword.
    pub keyword: String,
    pub args: String,
    /// The instruction as the builder echoes it in "Step N/M : ...".
    pub original: String,
}

pub fn parse(text: &str) -> Result<Vec<Instruction>, String> {
    let mut instructions = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let trimmed = raw.trim();
        if pending.is_none() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        if pending.is_some() && trimmed.starts_with('#') {
            continue;
        }
        let (continues, content) = match trimmed.strip_suffix('\\') {
            Some(rest) => (true, rest.trim_end()),
            None => (false, trimmed),
        };
        let (start, mut joined) = pending.take().unwrap_or((line_no, String::new()));
        if !joined.is_empty() && !content.is_empty() {
            joined.push(' ');
        }
        joined.push_str(content);
        if continues {
            pending = Some((start, joined));
            continue;
        }
        instructions.push(instruction(start, &joined)?);
    }
    if let Some((start, joined)) = pending {
        instructions.push(instruction(start, &joined)?);
    }
    match instructions.first() {
        None => Err("the Dockerfile cannot be empty".to_string()),
        Some(first) if first.keyword != "FROM" && first.keyword != "ARG" => Err(format!(
            "dockerfile parse error on line {}: the first instruction must be FROM, not {}",
            first.line, first.keyword
        )),
        _ => Ok(instructions),
    }
}

fn instruction(line: usize, text: &str) -> Result<Instruction, String> {
    let (word, args) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    let keyword = word.to_ascii_uppercase();
    if !KNOWN.contains(&keyword.as_str()) {
        return Err(format!(
            "dockerfile parse error on line {line}: unknown instruction: {word}"
        ));
    }
    let args = args.trim().to_string();
    if args.is_empty() {
        return Err(format!(
            "dockerfile parse error on line {line}: {keyword} requires at least one argument"
        ));
    }
    Ok(Instruction {
        line,
        original: format!("{keyword} {args}"),
        keyword,
        args,
    })
}

/// The ports `EXPOSE` names (`8000`, `8000/tcp`, several on a line), sorted,
/// each once; a port given by a variable (`$PORT`) is not a number and is left out.
pub fn exposed_ports(instructions: &[Instruction]) -> Vec<u16> {
    let mut ports: Vec<u16> = instructions
        .iter()
        .filter(|i| i.keyword == "EXPOSE")
        .flat_map(|i| i.args.split_whitespace())
        .filter_map(|port| port.split('/').next()?.parse().ok())
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// `["a","b"]` (exec form) or a shell string wrapped as `/bin/sh -c`.
pub fn command_form(args: &str) -> Vec<String> {
    match serde_json::from_str::<Vec<String>>(args) {
        Ok(words) => words,
        Err(_) => vec!["/bin/sh".into(), "-c".into(), args.to_string()],
    }
}

/// Sources and destination of COPY/ADD, without flags such as `--chown`.
pub fn copy_parts(args: &str) -> Option<(Vec<String>, String)> {
    let words: Vec<String> = match serde_json::from_str::<Vec<String>>(args) {
        Ok(words) => words,
        Err(_) => args
            .split_whitespace()
            .filter(|w| !w.starts_with("--"))
            .map(String::from)
            .collect(),
    };
    let (dest, sources) = words.split_last()?;
    (!sources.is_empty()).then(|| (sources.to_vec(), dest.clone()))
}

/// `KEY=VALUE ...` or the old `KEY VALUE` form, for ENV and LABEL.
pub fn key_values(args: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    if !args.contains('=') {
        if let Some((k, v)) = args.split_once(char::is_whitespace) {
            map.insert(k.to_string(), v.trim().to_string());
        }
        return map;
    }
    for word in shell_words(args) {
        if let Some((k, v)) = word.split_once('=') {
            map.insert(k.to_string(), v.to_string());
        }
    }
    map
}

/// Split on white space, keeping double- or single-quoted parts together (quotes removed).
fn shell_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => quote = Some(c),
            (None, c) if c.is_whitespace() => {
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
            }
            (None, c) => current.push(c),
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposed_ports_read_tabs_continuations_and_protocols() {
        let text =
            "FROM scratch\nEXPOSE\t8000 \\\n    9000/udp\n# EXPOSE 7000\nexpose 8000 $PORT\n";
        let instructions = parse(text).expect("a valid Dockerfile");
        assert_eq!(exposed_ports(&instructions), [8000, 9000]);
        assert!(exposed_ports(&parse("FROM scratch\n").expect("valid")).is_empty());
    }

    const WALKTHROUGH: &str = "FROM python:3\nWORKDIR /usr/src/app\n# deps first\nCOPY requirements.txt ./\nRUN pip install \\\n    --no-cache-dir -r requirements.txt\nCOPY . .\nENTRYPOINT [\"python\"]\nCMD [\"run.py\"]\n";

    #[test]
    fn the_walkthrough_dockerfile_parses() {
        let steps = parse(WALKTHROUGH).unwrap();
        let keywords: Vec<&str> = steps.iter().map(|s| s.keyword.as_str()).collect();
        assert_eq!(
            keywords,
            vec![
                "FROM",
                "WORKDIR",
                "COPY",
                "RUN",
                "COPY",
                "ENTRYPOINT",
                "CMD"
            ]
        );
        assert_eq!(
            steps[3].original,
            "RUN pip install --no-cache-dir -r requirements.txt"
        );
        assert_eq!(steps[3].line, 5);
        assert_eq!(command_form(&steps[6].args), vec!["run.py"]);
        assert_eq!(
            copy_parts(&steps[2].args),
            Some((vec!["requirements.txt".to_string()], "./".to_string()))
        );
    }

    #[test]
    fn bad_dockerfiles_say_where() {
        assert!(
            parse("FROM scratch\nFOO bar\n")
                .unwrap_err()
                .contains("line 2: unknown instruction: FOO")
        );
        assert!(
            parse("COPY . .\n")
                .unwrap_err()
                .contains("first instruction must be FROM")
        );
        assert!(parse("# only a comment\n").unwrap_err().contains("empty"));
        assert!(
            parse("FROM scratch\nWORKDIR\n")
                .unwrap_err()
                .contains("WORKDIR requires")
        );
    }

    #[test]
    fn env_and_label_forms() {
        let map = key_values("A=1 B=\"two words\"");
        assert_eq!(map.get("B").map(String::as_str), Some("two words"));
        assert_eq!(
            key_values("OLD style value").get("OLD").map(String::as_str),
            Some("style value")
        );
        assert_eq!(
            command_form("python run.py"),
            vec!["/bin/sh", "-c", "python run.py"]
        );
    }
}
