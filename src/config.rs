//! The user's configuration file: every setting with its default, and where
//! each value in effect came from (`pilothouse config` prints it).

use color_eyre::eyre::{Result, eyre};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The file's path: `PILOTHOUSE_CONFIG`, else `config.toml` in the platform config dir
/// (`~/.config/pilothouse/config.toml` on Linux).
pub fn default_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("PILOTHOUSE_CONFIG").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    config_dir().map(|dir| dir.join("config.toml"))
}

/// `~/.config/pilothouse` on Linux; user themes live in its `themes/`.
pub fn config_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "pilothouse").map(|d| d.config_dir().to_path_buf())
}

/// When learn mode is on at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LearnAtStart {
    /// On in `--demo`, off otherwise.
    Demo,
    On,
    Off,
}

impl LearnAtStart {
    pub fn name(self) -> &'static str {
        match self {
            Self::Demo => "demo",
            Self::On => "on",
            Self::Off => "off",
        }
    }
}

/// The file as written; every field optional so a value's origin is known.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    theme: Option<String>,
    refresh: Option<f64>,
    mouse: Option<bool>,
    learn: Option<LearnAtStart>,
    log_level: Option<String>,
    shell: Option<String>,
    #[serde(default)]
    keys: BTreeMap<String, toml::Table>,
}

/// Where a value in effect came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Default,
    File,
    Flag,
}

impl Origin {
    pub fn describe(self) -> &'static str {
        match self {
            Self::Default => "default",
            Self::File => "config file",
            Self::Flag => "command line",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Setting<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Setting<T> {
    fn pick(file: Option<T>, default: T) -> Self {
        match file {
            Some(value) => Self {
                value,
                origin: Origin::File,
            },
            None => Self {
                value: default,
                origin: Origin::Default,
            },
        }
    }

    /// A command-line flag wins over the file.
    pub fn override_with(&mut self, flag: Option<T>) {
        if let Some(value) = flag {
            self.value = value;
            self.origin = Origin::Flag;
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// The file read, or where it would be read from when absent.
    pub path: Option<PathBuf>,
    pub file_found: bool,
    pub theme: Setting<String>,
    pub refresh: Setting<Duration>,
    pub mouse: Setting<bool>,
    pub learn: Setting<LearnAtStart>,
    pub log_level: Setting<String>,
    /// The shell `S` opens inside a container or pod; empty: `bash` where it exists, else `sh`.
    pub shell: Setting<String>,
    /// `[keys.CONTEXT]` tables, checked when the keymap is built.
    pub keys: BTreeMap<String, toml::Table>,
}

pub const DEFAULT_THEME: &str = "default";
pub const DEFAULT_REFRESH: Duration = Duration::from_secs(2);
pub const DEFAULT_LOG_LEVEL: &str = "info";
const LOG_LEVELS: [&str; 6] = ["off", "error", "warn", "info", "debug", "trace"];

impl Config {
    pub fn defaults(path: Option<PathBuf>) -> Self {
        Self::from_file(ConfigFile::default(), path, false)
            .unwrap_or_else(|err| panic!("the defaults are valid: {err}"))
    }

    /// Read the file at `path`; a missing file means the defaults.
    pub fn load(path: Option<&Path>) -> Result<Self> {
        let Some(path) = path else {
            return Ok(Self::defaults(None));
        };
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self::defaults(Some(path.to_path_buf())));
            }
            Err(err) => {
                return Err(eyre!(
                    "cannot read the config file {}: {err}",
                    path.display()
                ));
            }
        };
        Self::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        let file: ConfigFile = toml::from_str(text).map_err(|err| {
            eyre!(
                "config file {}: {}",
                path.display(),
                err.to_string().trim_end()
            )
        })?;
        Self::from_file(file, Some(path.to_path_buf()), true)
            .map_err(|err| eyre!("config file {}: {err}", path.display()))
    }

    fn from_file(file: ConfigFile, path: Option<PathBuf>, found: bool) -> Result<Self, String> {
        let refresh = match file.refresh {
            Some(secs) if !(0.1..=3600.0).contains(&secs) => {
                return Err(format!("refresh = {secs}: use 0.1 to 3600 seconds"));
            }
            Some(secs) => Some(Duration::from_secs_f64(secs)),
            None => None,
        };
        if let Some(level) = &file.log_level
            && !LOG_LEVELS.contains(&level.as_str())
        {
            return Err(format!(
                "log_level = \"{level}\": use one of {}",
                LOG_LEVELS.join(", ")
            ));
        }
        if let Some(shell) = &file.shell
            && shell.trim().is_empty()
        {
            return Err(
                "shell = \"\": name a shell (sh, bash, ash…) or leave the key out for bash-else-sh"
                    .to_string(),
            );
        }
        Ok(Self {
            path,
            file_found: found,
            theme: Setting::pick(file.theme, DEFAULT_THEME.to_string()),
            refresh: Setting::pick(refresh, DEFAULT_REFRESH),
            mouse: Setting::pick(file.mouse, true),
            learn: Setting::pick(file.learn, LearnAtStart::Demo),
            log_level: Setting::pick(file.log_level, DEFAULT_LOG_LEVEL.to_string()),
            shell: Setting::pick(file.shell.map(|s| s.trim().to_string()), String::new()),
            keys: file.keys,
        })
    }

    /// Whether learn mode starts on.
    pub fn learn_on(&self, demo: bool) -> bool {
        match self.learn.value {
            LearnAtStart::Demo => demo,
            LearnAtStart::On => true,
            LearnAtStart::Off => false,
        }
    }

    /// The configuration in effect, as a config file a user could keep, each value with its origin.
    pub fn render(&self, themes: &[String]) -> String {
        let mut out = String::from("# pilothouse: the configuration in effect\n");
        match (&self.path, self.file_found) {
            (Some(path), true) => {
                out.push_str(&format!("# config file: {} (read)\n", path.display()))
            }
            (Some(path), false) => out.push_str(&format!(
                "# config file: {} (not present: defaults in effect)\n",
                path.display()
            )),
            (None, _) => {
                out.push_str("# config file: none (no config directory on this platform)\n")
            }
        }
        if let Some(dir) = config_dir() {
            out.push_str(&format!(
                "# user themes: {}\n",
                dir.join("themes").display()
            ));
        }
        out.push_str(&format!("# themes available: {}\n", themes.join(", ")));
        if let Some(dir) = crate::logging::log_dir() {
            out.push_str(&format!(
                "# log file: {}\n",
                dir.join("pilothouse.log").display()
            ));
        }
        let line = |key: &str, value: String, origin: Origin| {
            format!(
                "{:<28}# {}\n",
                format!("{key} = {value}"),
                origin.describe()
            )
        };
        out.push('\n');
        out.push_str(&line("theme", quoted(&self.theme.value), self.theme.origin));
        out.push_str(&line(
            "refresh",
            format!("{}", self.refresh.value.as_secs_f64()),
            self.refresh.origin,
        ));
        out.push_str(&line(
            "mouse",
            self.mouse.value.to_string(),
            self.mouse.origin,
        ));
        out.push_str(&line(
            "learn",
            quoted(self.learn.value.name()),
            self.learn.origin,
        ));
        out.push_str(&line(
            "log_level",
            quoted(&self.log_level.value),
            self.log_level.origin,
        ));
        if self.shell.value.is_empty() {
            out.push_str(
                "# shell: bash inside a container or pod where it exists, else sh (default)\n",
            );
        } else {
            out.push_str(&line("shell", quoted(&self.shell.value), self.shell.origin));
        }
        if self.keys.is_empty() {
            out.push_str("\n# keys: the built-in keymap (`?` in the cockpit lists it)\n");
        }
        for (context, keys) in &self.keys {
            out.push_str(&format!("\n[keys.{context}]  # config file\n"));
            for (key, action) in keys {
                out.push_str(&format!("{} = {action}\n", quoted(key)));
            }
        }
        out
    }
}

fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_has_a_default() {
        let config = Config::load(Some(Path::new("/nonexistent/pilothouse/config.toml"))).unwrap();
        assert!(!config.file_found);
        assert_eq!(config.theme.value, "default");
        assert_eq!(config.refresh.value, Duration::from_secs(2));
        assert!(config.mouse.value);
        assert!(config.learn_on(true) && !config.learn_on(false));
        assert_eq!(config.log_level.value, "info");
        assert_eq!(config.theme.origin, Origin::Default);
    }

    #[test]
    fn the_file_sets_values_and_flags_win() {
        let text = "theme = \"nord\"\nrefresh = 0.5\nmouse = false\nlearn = \"on\"\nlog_level = \"debug\"\nshell = \"ash\"\n[keys.pods]\n\"K\" = \"yaml\"\n";
        let mut config = Config::parse(text, Path::new("/tmp/c.toml")).unwrap();
        assert_eq!(config.theme.value, "nord");
        assert_eq!(config.theme.origin, Origin::File);
        assert_eq!(config.refresh.value, Duration::from_millis(500));
        assert!(!config.mouse.value && config.learn_on(false));
        assert_eq!(config.keys["pods"]["K"].as_str(), Some("yaml"));
        assert_eq!(config.shell.value, "ash");
        config.theme.override_with(Some("light".to_string()));
        assert_eq!(config.theme.value, "light");
        assert_eq!(config.theme.origin, Origin::Flag);
        let shown = config.render(&["default".into()]);
        assert!(shown.contains("theme = \"light\"") && shown.contains("# command line"));
        assert!(shown.contains("refresh = 0.5") && shown.contains("# config file"));
        assert!(shown.contains("[keys.pods]") && shown.contains("\"K\" = \"yaml\""));
        assert!(shown.contains("/tmp/c.toml (read)"));
        assert!(shown.contains("shell = \"ash\""), "{shown}");
    }

    #[test]
    fn unknown_keys_and_bad_values_name_the_key_and_the_file() {
        let err = Config::parse(
            "theme = \"nord\"\ncolour = \"red\"\n",
            Path::new("/tmp/c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("colour") && err.contains("/tmp/c.toml") && err.contains("line 2"),
            "{err}"
        );
        for (text, names) in [
            ("refresh = -1\n", "refresh"),
            ("log_level = \"loud\"\n", "log_level"),
            ("learn = \"sometimes\"\n", "sometimes"),
            ("mouse = \"yes\"\n", "mouse"),
            ("shell = \" \"\n", "shell"),
        ] {
            let err = Config::parse(text, Path::new("/tmp/c.toml"))
                .unwrap_err()
                .to_string();
            assert!(err.contains(names), "{text}: {err}");
        }
    }
}
