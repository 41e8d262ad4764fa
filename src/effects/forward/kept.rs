//! `[[forward]]` of `pilothouse.toml`: the forwards started again when
//! pilothouse starts. The file's other tables are kept as they are.

use crate::app::cloud::settings::{ProjectFile, parse_project_file, render_project_file};
use crate::domain::forward::{ForwardSpec, KeptForward};
use std::path::{Path, PathBuf};

const SETTINGS_FILE: &str = "pilothouse.toml";

/// Each kept forward (or what is wrong with it); none when there is no file.
pub fn load(dir: &Path) -> Result<Vec<Result<ForwardSpec, String>>, String> {
    let path = dir.join(SETTINGS_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let file = parse_project_file(&text)?;
    Ok(file.forward.iter().map(KeptForward::spec).collect())
}

/// Write these as `[[forward]]`, keeping `[cloudrun]` and `[dev]`.
pub fn save(dir: &Path, kept: Vec<KeptForward>) -> Result<PathBuf, String> {
    let path = dir.join(SETTINGS_FILE);
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => parse_project_file(&text)
            .map_err(|e| format!("{} is not valid TOML ({e}); not changed", path.display()))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => ProjectFile::default(),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let text = render_project_file(&ProjectFile {
        forward: kept,
        ..existing
    })?;
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_forwards_round_trip_beside_the_other_tables() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::write(
            dir.path().join(SETTINGS_FILE),
            "[dev]\nrestart_after_sync = true\nsync = [{ from = \"src/\", to = \"/app/src/\" }]\n",
        )
        .expect("written");
        let kept = KeptForward {
            target: "svc/cookbook-recipe".into(),
            namespace: "default".into(),
            local: 8080,
            remote: 8000,
        };
        save(dir.path(), vec![kept.clone()]).expect("saved");
        let text = std::fs::read_to_string(dir.path().join(SETTINGS_FILE)).expect("read");
        assert!(text.contains("[[forward]]"), "{text}");
        assert!(text.contains("target = \"svc/cookbook-recipe\""), "{text}");
        assert!(text.contains("/app/src/"), "the [dev] table stays: {text}");
        assert_eq!(load(dir.path()), Ok(vec![kept.spec()]));
        save(dir.path(), Vec::new()).expect("saved");
        assert_eq!(load(dir.path()), Ok(Vec::new()));
    }

    #[test]
    fn a_bad_entry_is_named_and_the_others_start() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::write(
            dir.path().join(SETTINGS_FILE),
            "[[forward]]\ntarget = \"job/x\"\nlocal = 1\nremote = 2\n\n[[forward]]\ntarget = \"deploy/web\"\nlocal = 9000\nremote = 8000\n",
        )
        .expect("written");
        let loaded = load(dir.path()).expect("parsed");
        assert_eq!(loaded.len(), 2);
        assert!(loaded[0].as_ref().unwrap_err().contains("'job'"));
        assert_eq!(
            loaded[1].as_ref().map(|s| s.target()),
            Ok("deploy/web".to_string())
        );
        assert_eq!(
            loaded[1].as_ref().map(|s| s.namespace.as_str()),
            Ok("default")
        );
        assert_eq!(
            load(tempfile::tempdir().expect("dir").path()),
            Ok(Vec::new())
        );
    }
}
