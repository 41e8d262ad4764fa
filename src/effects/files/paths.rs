//! Path completion for the forms, as a shell completes: the longest common
//! prefix of what the directory holds, a `/` after a lone directory.

use std::path::Path;

/// What `typed` completes to in `base`, and every match (for the status line when several).
pub fn complete(base: &Path, typed: &str) -> (String, Vec<String>) {
    let (dir, prefix) = match typed.rfind('/') {
        Some(slash) => (&typed[..=slash], &typed[slash + 1..]),
        None => ("", typed),
    };
    let expanded = match dir.strip_prefix("~/") {
        Some(rest) => directories::BaseDirs::new()
            .map(|d| d.home_dir().join(rest))
            .unwrap_or_else(|| base.join(dir)),
        None => base.join(dir),
    };
    let Ok(entries) = std::fs::read_dir(&expanded) else {
        return (typed.to_string(), Vec::new());
    };
    let mut matches: Vec<(String, bool)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            // Hidden entries only when asked for, as shells do.
            let wanted =
                name.starts_with(prefix) && (prefix.starts_with('.') || !name.starts_with('.'));
            wanted.then_some((name, is_dir))
        })
        .collect();
    matches.sort();
    if matches.is_empty() {
        return (typed.to_string(), Vec::new());
    }
    let common = crate::domain::text::common_prefix(matches.iter().map(|(name, _)| name.as_str()));
    let suffix = match matches.as_slice() {
        [(_, true)] => "/",
        _ => "",
    };
    let shown = matches
        .iter()
        .map(|(name, is_dir)| {
            if *is_dir {
                format!("{name}/")
            } else {
                name.clone()
            }
        })
        .collect();
    (format!("{dir}{common}{suffix}"), shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completes_like_a_shell() {
        let dir = tempfile::tempdir().expect("temp dir");
        for file in [
            "cookbook-deployment.yaml",
            "cookbook-service.yaml",
            ".hidden.yaml",
        ] {
            std::fs::write(dir.path().join(file), "").expect("write");
        }
        std::fs::create_dir(dir.path().join("k8s")).expect("dir");
        std::fs::write(dir.path().join("k8s/web.yaml"), "").expect("write");
        let (done, matches) = complete(dir.path(), "cook");
        assert_eq!(done, "cookbook-");
        assert_eq!(
            matches,
            ["cookbook-deployment.yaml", "cookbook-service.yaml"]
        );
        assert_eq!(
            complete(dir.path(), "cookbook-d").0,
            "cookbook-deployment.yaml"
        );
        assert_eq!(complete(dir.path(), "k").0, "k8s/");
        assert_eq!(complete(dir.path(), "k8s/w").0, "k8s/web.yaml");
        assert_eq!(complete(dir.path(), ".h").0, ".hidden.yaml");
        assert!(
            !complete(dir.path(), "")
                .1
                .contains(&".hidden.yaml".to_string())
        );
        assert_eq!(complete(dir.path(), "nothing").0, "nothing");
        assert_eq!(complete(dir.path(), "nowhere/x").0, "nowhere/x");
    }
}
