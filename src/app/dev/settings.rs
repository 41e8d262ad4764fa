//! `[dev]` of `pilothouse.toml`: which paths the dev loop copies into the
//! running containers instead of rebuilding, and whether they restart after.
//!
//! ```toml
//! [dev]
//! sync = [{ from = "templates/", to = "/app/templates/" }]
//! restart_after_sync = false
//! ```

use serde::{Deserialize, Serialize};
use toml::Spanned;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DevSettings {
    #[serde(default)]
    pub sync: Vec<SyncRule>,
    #[serde(default)]
    pub restart_after_sync: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncRule {
    /// Relative to the build context: a directory (`templates/`) or a file.
    pub from: Spanned<String>,
    /// Absolute path in the container.
    pub to: Spanned<String>,
}

impl SyncRule {
    /// Where a changed file (relative to the context) goes, if this rule takes it.
    pub fn destination(&self, path: &str) -> Option<String> {
        let from = self.from.get_ref().trim_start_matches("./");
        let to = self.to.get_ref();
        if from.ends_with('/') || from.is_empty() {
            let rest = path.strip_prefix(from)?;
            (!rest.is_empty()).then(|| format!("{}/{rest}", to.trim_end_matches('/')))
        } else if path == from {
            Some(if to.ends_with('/') {
                let file = from.rsplit('/').next().unwrap_or(from);
                format!("{to}{file}")
            } else {
                to.clone()
            })
        } else {
            // `from = "templates"` names the directory as well as `templates/` does.
            let rest = path.strip_prefix(from)?.strip_prefix('/')?;
            Some(format!("{}/{rest}", to.trim_end_matches('/')))
        }
    }
}

impl DevSettings {
    /// Where a changed file goes under the first rule that takes it.
    pub fn destination(&self, path: &str) -> Option<String> {
        self.sync.iter().find_map(|rule| rule.destination(path))
    }

    /// Paths that cannot work, each with its line and key: `from` must stay
    /// inside the context, `to` must be absolute.
    pub fn check(&self, text: &str) -> Result<(), String> {
        for rule in &self.sync {
            let from = rule.from.get_ref();
            if from.is_empty() || from.starts_with('/') || from.split('/').any(|p| p == "..") {
                return Err(format!(
                    "line {}, key `from`: {from:?} must be a path inside the build context (relative, without ..)",
                    line_of(text, rule.from.span().start)
                ));
            }
            let to = rule.to.get_ref();
            if !to.starts_with('/') || to.split('/').any(|p| p == "..") {
                return Err(format!(
                    "line {}, key `to`: {to:?} must be an absolute path in the container (/app/templates/)",
                    line_of(text, rule.to.span().start)
                ));
            }
        }
        Ok(())
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).unwrap_or(text).matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use crate::app::cloud::settings::parse_project_file;

    fn dev(text: &str) -> Result<super::DevSettings, String> {
        let file = parse_project_file(text)?;
        let settings = file.dev.unwrap_or_default();
        settings.check(text)?;
        Ok(settings)
    }

    #[test]
    fn rules_map_changed_files_into_the_container() {
        let settings = dev("[dev]\nsync = [{ from = \"templates/\", to = \"/app/templates/\" }, { from = \"static\", to = \"/app/static\" }, { from = \"run.py\", to = \"/usr/src/app/\" }]\nrestart_after_sync = true\n")
            .expect("valid");
        assert!(settings.restart_after_sync);
        assert_eq!(
            settings.destination("templates/index.html").as_deref(),
            Some("/app/templates/index.html")
        );
        assert_eq!(
            settings.destination("static/css/a.css").as_deref(),
            Some("/app/static/css/a.css")
        );
        assert_eq!(
            settings.destination("run.py").as_deref(),
            Some("/usr/src/app/run.py")
        );
        assert_eq!(settings.destination("templatesX/a"), None);
        assert_eq!(settings.destination("staticfile"), None);
        assert_eq!(settings.destination("Dockerfile"), None);
    }

    #[test]
    fn unknown_keys_and_bad_paths_name_the_line_and_key() {
        let unknown = dev("[dev]\nrestart_after_sync = false\nsnyc = []\n").unwrap_err();
        assert!(
            unknown.contains("snyc") && unknown.contains("line 3"),
            "{unknown}"
        );
        let climbing =
            dev("[dev]\nsync = [\n  { from = \"../secrets\", to = \"/app\" },\n]\n").unwrap_err();
        assert!(
            climbing.contains("line 3") && climbing.contains("`from`"),
            "{climbing}"
        );
        let relative = dev("[dev]\n\nsync = [{ from = \"t/\", to = \"app/t\" }]\n").unwrap_err();
        assert!(
            relative.contains("line 3") && relative.contains("`to`"),
            "{relative}"
        );
        assert_eq!(
            dev("[dev]\n").expect("empty is fine"),
            super::DevSettings::default()
        );
    }
}
