//! The build context as the docker CLI sends it: a tar of the directory,
//! minus what `.dockerignore` excludes (the Dockerfile and `.dockerignore`
//! themselves are always sent).

use color_eyre::eyre::{Result, WrapErr};
use std::path::Path;

/// One `.dockerignore` rule.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    pattern: String,
    /// `!pattern`: re-include what an earlier rule excluded.
    exception: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DockerIgnore {
    rules: Vec<Rule>,
}

impl DockerIgnore {
    pub fn parse(text: &str) -> Self {
        let rules = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|line| {
                let (exception, pattern) = match line.strip_prefix('!') {
                    Some(rest) => (true, rest.trim()),
                    None => (false, line),
                };
                let pattern = clean(pattern);
                (!pattern.is_empty()).then_some(Rule { pattern, exception })
            })
            .collect();
        Self { rules }
    }

    pub fn has_exceptions(&self) -> bool {
        self.rules.iter().any(|r| r.exception)
    }

    /// Whether a slash-separated path relative to the context is left out.
    /// The last rule that matches the path or one of its parents decides.
    pub fn excludes(&self, path: &str) -> bool {
        let mut excluded = false;
        for rule in &self.rules {
            if matches_self_or_parent(&rule.pattern, path) {
                excluded = !rule.exception;
            }
        }
        excluded
    }
}

/// Normalise a pattern as filepath.Clean does: no leading '/', no '.' parts,
/// '..' resolved, repeated slashes folded.
fn clean(pattern: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in pattern.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

fn matches_self_or_parent(pattern: &str, path: &str) -> bool {
    if glob(pattern.as_bytes(), path.as_bytes()) {
        return true;
    }
    path.match_indices('/')
        .any(|(i, _)| glob(pattern.as_bytes(), &path.as_bytes()[..i]))
}

/// Go-style filepath.Match plus `**` for any number of path segments.
/// Each (pattern, text) position is decided once: backtracking alone took
/// exponential time on patterns with many stars (found by fuzzing; one
/// `.dockerignore` line held a build for minutes).
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let mut known = vec![None; (pattern.len() + 1) * (text.len() + 1)];
    glob_from(pattern, text, 0, 0, &mut known)
}

fn glob_from(p: &[u8], t: &[u8], pi: usize, ti: usize, known: &mut [Option<bool>]) -> bool {
    let slot = pi * (t.len() + 1) + ti;
    if let Some(answer) = known[slot] {
        return answer;
    }
    let (pattern, text) = (&p[pi..], &t[ti..]);
    let answer = match pattern.first() {
        None => text.is_empty(),
        Some(b'*') if pattern.get(1) == Some(&b'*') => {
            let rest = pi + 2;
            // `**/x` also matches `x` at the top.
            (p.get(rest) == Some(&b'/') && glob_from(p, t, rest + 1, ti, known))
                || (ti..=t.len()).any(|i| glob_from(p, t, rest, i, known))
        }
        Some(b'*') => {
            let limit = text
                .iter()
                .position(|&c| c == b'/')
                .map_or(t.len(), |at| ti + at);
            (ti..=limit).any(|i| glob_from(p, t, pi + 1, i, known))
        }
        Some(b'?') => {
            matches!(text.first(), Some(&c) if c != b'/') && glob_from(p, t, pi + 1, ti + 1, known)
        }
        Some(b'[') => match (
            class_match(&pattern[1..], text.first().copied()),
            text.first(),
        ) {
            (Some((true, used)), Some(_)) => glob_from(p, t, pi + 1 + used, ti + 1, known),
            _ => false,
        },
        Some(b'\\') if pattern.len() > 1 => {
            text.first() == Some(&pattern[1]) && glob_from(p, t, pi + 2, ti + 1, known)
        }
        Some(&c) => text.first() == Some(&c) && glob_from(p, t, pi + 1, ti + 1, known),
    };
    known[slot] = Some(answer);
    answer
}

/// Match a `[...]` class (pattern starts after '['); returns (matched, bytes used incl. ']').
fn class_match(pattern: &[u8], c: Option<u8>) -> Option<(bool, usize)> {
    let c = c?;
    if c == b'/' {
        return Some((false, 0));
    }
    let (negated, mut i) = match pattern.first() {
        Some(b'^') | Some(b'!') => (true, 1),
        _ => (false, 0),
    };
    let mut matched = false;
    let mut first = true;
    while i < pattern.len() {
        if pattern[i] == b']' && !first {
            return Some((matched != negated, i + 1));
        }
        first = false;
        let lo = pattern[i];
        if pattern.get(i + 1) == Some(&b'-') && pattern.get(i + 2).is_some_and(|&b| b != b']') {
            let hi = pattern[i + 2];
            matched |= lo <= c && c <= hi;
            i += 3;
        } else {
            matched |= lo == c;
            i += 1;
        }
    }
    None
}

/// Tar the context directory, honouring `.dockerignore`.
pub fn tar_context(context: &Path, dockerfile: &str) -> Result<Vec<u8>> {
    let ignore = match std::fs::read_to_string(context.join(".dockerignore")) {
        Ok(text) => DockerIgnore::parse(&text),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => DockerIgnore::default(),
        Err(err) => return Err(err).wrap_err("cannot read .dockerignore"),
    };
    let always = [clean(dockerfile), ".dockerignore".to_string()];
    let mut builder = tar::Builder::new(Vec::new());
    builder.follow_symlinks(false);
    add_dir(&mut builder, context, "", &ignore, &always)?;
    builder
        .into_inner()
        .wrap_err("cannot finish the build context tar")
}

fn add_dir(
    builder: &mut tar::Builder<Vec<u8>>,
    root: &Path,
    rel: &str,
    ignore: &DockerIgnore,
    always: &[String],
) -> Result<()> {
    let dir = root.join(rel);
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .wrap_err_with(|| format!("cannot read {}", dir.display()))?
        .collect::<std::io::Result<_>>()
        .wrap_err_with(|| format!("cannot read {}", dir.display()))?;
    // A stable order makes the same context give the same tar (and cache hits).
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        let file_type = entry
            .file_type()
            .wrap_err_with(|| format!("cannot stat {path}"))?;
        let excluded = ignore.excludes(&path) && !always.contains(&path);
        if file_type.is_dir() {
            if excluded && !ignore.has_exceptions() {
                continue;
            }
            if !excluded {
                builder
                    .append_path_with_name(entry.path(), &path)
                    .wrap_err_with(|| format!("cannot add {path}"))?;
            }
            add_dir(builder, root, &path, ignore, always)?;
        } else if !excluded {
            builder
                .append_path_with_name(entry.path(), &path)
                .wrap_err_with(|| format!("cannot add {path}"))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_stars_are_decided_without_backtracking_forever() {
        // Exponential with plain backtracking: each star tried at every split.
        let stars = format!("{}b", "*a".repeat(30));
        let doubles = format!("{}b", "**a".repeat(30));
        let text = "a".repeat(120);
        let ignore = DockerIgnore::parse(&format!("{stars}\n{doubles}\n"));
        assert!(!ignore.excludes(&text));
        assert!(ignore.excludes(&format!("{text}b")));
    }

    #[test]
    fn dockerignore_rules_follow_the_cli() {
        let ignore = DockerIgnore::parse(
            "# comment\n\n*.pyc\n/build\n**/__pycache__\nnode_modules\n*.md\n!README.md\ndocs/**/*.tmp\nlog?.txt\n[ab].cfg\n",
        );
        for (path, excluded) in [
            ("app.pyc", true),
            ("pkg/app.pyc", false), // `*` does not cross '/'
            ("build/out.o", true),
            ("src/__pycache__/x.pyc", true),
            ("__pycache__", true),
            ("node_modules/left-pad/index.js", true),
            ("NOTES.md", true),
            ("README.md", false),
            ("docs/a/b/c.tmp", true),
            ("docs/c.tmp", true),
            ("log1.txt", true),
            ("log12.txt", false),
            ("a.cfg", true),
            ("c.cfg", false),
            ("run.py", false),
        ] {
            assert_eq!(ignore.excludes(path), excluded, "{path}");
        }
        assert!(ignore.has_exceptions());
    }

    #[test]
    fn patterns_are_cleaned() {
        let ignore = DockerIgnore::parse("./secret/../secrets//\n");
        assert!(ignore.excludes("secrets/key.pem"));
        assert!(!ignore.excludes("secret"));
    }

    #[test]
    fn tar_leaves_out_ignored_files_but_keeps_the_dockerfile() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("Dockerfile"), "FROM scratch\n").unwrap();
        std::fs::write(root.join(".dockerignore"), "Dockerfile\n.git\n*.log\n").unwrap();
        std::fs::create_dir_all(root.join(".git/objects")).unwrap();
        std::fs::write(root.join(".git/objects/x"), "x").unwrap();
        std::fs::write(root.join("debug.log"), "x").unwrap();
        std::fs::create_dir(root.join("src")).unwrap();
        std::fs::write(root.join("src/run.py"), "print(1)").unwrap();
        let tar = tar_context(root, "Dockerfile").unwrap();
        let mut archive = tar::Archive::new(tar.as_slice());
        let mut names: Vec<String> = archive
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().display().to_string())
            .collect();
        names.sort();
        assert_eq!(
            names,
            vec![".dockerignore", "Dockerfile", "src", "src/run.py"]
        );
    }
}
