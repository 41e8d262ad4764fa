//! Themes are data: semantic styles read from TOML. Code asks for `theme.ok`,
//! never for a colour.

use color_eyre::eyre::{Result, WrapErr, eyre};
use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

pub const DEFAULT_THEME: &str = include_str!("../themes/default.toml");

/// The themes compiled in, in the order `T` cycles through them.
pub const BUILT_IN: [(&str, &str); 5] = [
    ("default", DEFAULT_THEME),
    ("light", include_str!("../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../themes/high-contrast.toml"),
    ),
    (
        "solarized-dark",
        include_str!("../themes/solarized-dark.toml"),
    ),
    ("nord", include_str!("../themes/nord.toml")),
];

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    /// Fills the whole screen: the background and the text colour (none under NO_COLOR: the terminal's own).
    pub base: Style,
    /// The background the file names, kept for the contrast check even under NO_COLOR.
    pub background: Color,
    pub text: Style,
    pub muted: Style,
    pub border: Style,
    pub border_focus: Style,
    pub title: Style,
    pub header: Style,
    pub selected: Style,
    pub ok: Style,
    pub warn: Style,
    pub error: Style,
    pub key: Style,
    pub learn: Style,
    pub tab_active: Style,
}

/// The themes to choose from and the one in use; `T` and `:theme` move between them.
#[derive(Debug, Clone)]
pub struct Themes {
    list: Vec<Theme>,
    current: usize,
}

impl Default for Themes {
    fn default() -> Self {
        Self {
            list: vec![Theme::default_theme()],
            current: 0,
        }
    }
}

impl Themes {
    /// `list` must not be empty; `current` is put in it when it is not there by name.
    pub fn new(mut list: Vec<Theme>, current: Theme) -> Self {
        let index = match list.iter().position(|t| t.name == current.name) {
            Some(index) => {
                list[index] = current;
                index
            }
            None => {
                list.push(current);
                list.len() - 1
            }
        };
        Self {
            list,
            current: index,
        }
    }

    pub fn current(&self) -> &Theme {
        &self.list[self.current.min(self.list.len() - 1)]
    }

    pub fn cycle(&mut self) -> &Theme {
        self.current = (self.current + 1) % self.list.len();
        self.current()
    }

    /// Select by name; false when there is none of that name.
    pub fn select(&mut self, name: &str) -> bool {
        match self.list.iter().position(|t| t.name == name) {
            Some(index) => {
                self.current = index;
                true
            }
            None => false,
        }
    }

    pub fn names(&self) -> Vec<String> {
        self.list.iter().map(|t| t.name.clone()).collect()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: String,
    background: String,
    styles: BTreeMap<String, StyleSpec>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleSpec {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    italic: bool,
    #[serde(default)]
    underlined: bool,
    #[serde(default)]
    reversed: bool,
}

const STYLE_NAMES: [&str; 13] = [
    "text",
    "muted",
    "border",
    "border_focus",
    "title",
    "header",
    "selected",
    "ok",
    "warn",
    "error",
    "key",
    "learn",
    "tab_active",
];

impl Theme {
    pub fn default_theme() -> Self {
        // The embedded theme is checked by a unit test; failing here would be a build defect.
        Self::parse(DEFAULT_THEME, false)
            .unwrap_or_else(|err| panic!("the built-in theme is broken: {err}"))
    }

    /// A built-in theme's name, a user theme's name (a file in `user_dir`), or a path to a theme file.
    pub fn load(name_or_path: &str, no_color: bool, user_dir: Option<&Path>) -> Result<Self> {
        if let Some((_, text)) = BUILT_IN.iter().find(|(name, _)| *name == name_or_path) {
            return Self::parse(text, no_color);
        }
        let looks_like_a_name = !name_or_path.contains('/') && !name_or_path.ends_with(".toml");
        let path = match user_dir {
            Some(dir) if looks_like_a_name => dir.join(format!("{name_or_path}.toml")),
            _ => Path::new(name_or_path).to_path_buf(),
        };
        let text = std::fs::read_to_string(&path).wrap_err_with(|| {
            format!(
                "cannot read theme {} (built in: {})",
                path.display(),
                built_in_names().join(", ")
            )
        })?;
        Self::parse(&text, no_color).wrap_err_with(|| format!("theme file {}", path.display()))
    }

    /// The built-in themes, then every `*.toml` in the user's themes directory
    /// (sorted by name); a bad user file is left out and described.
    pub fn catalogue(no_color: bool, user_dir: Option<&Path>) -> (Vec<Theme>, Vec<String>) {
        let mut themes: Vec<Theme> = BUILT_IN
            .iter()
            .filter_map(|(_, text)| Self::parse(text, no_color).ok())
            .collect();
        let mut problems = Vec::new();
        let mut files: Vec<std::path::PathBuf> = user_dir
            .and_then(|dir| std::fs::read_dir(dir).ok())
            .into_iter()
            .flatten()
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
            .collect();
        files.sort();
        for path in files {
            let loaded = std::fs::read_to_string(&path)
                .wrap_err("cannot read it")
                .and_then(|text| Self::parse(&text, no_color));
            match loaded {
                Ok(theme) if themes.iter().any(|t| t.name == theme.name) => problems.push(format!(
                    "theme file {}: the name '{}' is taken; rename it",
                    path.display(),
                    theme.name
                )),
                Ok(theme) => themes.push(theme),
                Err(err) => problems.push(format!("theme file {}: {err:#}", path.display())),
            }
        }
        (themes, problems)
    }

    /// Problems name the line and the key: the file is the user's to fix.
    pub fn parse(text: &str, no_color: bool) -> Result<Self> {
        let file: ThemeFile =
            toml::from_str(text).map_err(|e| eyre!("{}", e.to_string().trim_end()))?;
        if let Some(unknown) = file
            .styles
            .keys()
            .find(|k| !STYLE_NAMES.contains(&k.as_str()))
        {
            return Err(eyre!(
                "{}unknown style '{unknown}'; the styles are {}",
                at_line(text, unknown),
                STYLE_NAMES.join(", ")
            ));
        }
        let style = |name: &str| -> Result<Style> {
            let spec = file
                .styles
                .get(name)
                .ok_or_else(|| eyre!("style '{name}' is missing from [styles]"))?;
            spec.to_style(no_color)
                .map_err(|err| eyre!("{}style '{name}': {err}", at_line(text, name)))
        };
        let background = parse_color(&file.background)
            .map_err(|err| eyre!("{}background: {err}", at_line(text, "background")))?;
        let text_style = style("text")?;
        // Text drawn without a style of its own takes the theme's text colour, never the terminal's.
        let base = if no_color {
            Style::default()
        } else {
            Style {
                fg: text_style.fg,
                ..Style::default().bg(background)
            }
        };
        let mut theme = Self {
            name: file.name.clone(),
            base,
            background,
            text: text_style,
            muted: style("muted")?,
            border: style("border")?,
            border_focus: style("border_focus")?,
            title: style("title")?,
            header: style("header")?,
            selected: style("selected")?,
            ok: style("ok")?,
            warn: style("warn")?,
            error: style("error")?,
            key: style("key")?,
            learn: style("learn")?,
            tab_active: style("tab_active")?,
        };
        if no_color {
            // Without colour, selection and the active tab still need to stand out.
            theme.selected = theme.selected.add_modifier(Modifier::REVERSED);
            theme.tab_active = theme.tab_active.add_modifier(Modifier::REVERSED);
        }
        Ok(theme)
    }
}

impl StyleSpec {
    fn to_style(&self, no_color: bool) -> Result<Style> {
        let mut style = Style::default();
        if !no_color {
            if let Some(fg) = &self.fg {
                style = style.fg(parse_color(fg)?);
            }
            if let Some(bg) = &self.bg {
                style = style.bg(parse_color(bg)?);
            }
        }
        for (on, modifier) in [
            (self.bold, Modifier::BOLD),
            (self.italic, Modifier::ITALIC),
            (self.underlined, Modifier::UNDERLINED),
            (self.reversed, Modifier::REVERSED),
        ] {
            if on {
                style = style.add_modifier(modifier);
            }
        }
        Ok(style)
    }
}

pub fn built_in_names() -> Vec<&'static str> {
    BUILT_IN.iter().map(|(name, _)| *name).collect()
}

/// "line N: " for the first line that sets `key`, so an error points into the file.
fn at_line(text: &str, key: &str) -> String {
    text.lines()
        .position(|line| {
            let line = line.trim_start();
            let bare = line.strip_prefix('"').unwrap_or(line);
            bare.strip_prefix(key).is_some_and(|rest| {
                let rest = rest.trim_start_matches('"').trim_start();
                rest.starts_with('=')
            })
        })
        .map(|index| format!("line {}: ", index + 1))
        .unwrap_or_default()
}

/// WCAG 2 contrast ratio of two colours (1 to 21); None for a colour without a fixed value.
pub fn contrast(a: Color, b: Color) -> Option<f64> {
    let (la, lb) = (luminance(a)?, luminance(b)?);
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    Some((hi + 0.05) / (lo + 0.05))
}

fn luminance(color: Color) -> Option<f64> {
    let (r, g, b) = match color {
        Color::Rgb(r, g, b) => (r, g, b),
        // The sixteen named colours as xterm draws them.
        Color::Black => (0, 0, 0),
        Color::Red => (205, 0, 0),
        Color::Green => (0, 205, 0),
        Color::Yellow => (205, 205, 0),
        Color::Blue => (0, 0, 238),
        Color::Magenta => (205, 0, 205),
        Color::Cyan => (0, 205, 205),
        Color::Gray => (229, 229, 229),
        Color::DarkGray => (127, 127, 127),
        Color::LightRed => (255, 0, 0),
        Color::LightGreen => (0, 255, 0),
        Color::LightYellow => (255, 255, 0),
        Color::LightBlue => (92, 92, 255),
        Color::LightMagenta => (255, 0, 255),
        Color::LightCyan => (0, 255, 255),
        Color::White => (255, 255, 255),
        _ => return None,
    };
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    Some(0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b))
}

fn parse_color(text: &str) -> Result<Color> {
    Color::from_str(text)
        .map_err(|_| eyre!("'{text}' is not a colour (use #rrggbb or a name such as cyan)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_theme_loads() {
        let theme = Theme::default_theme();
        assert_eq!(theme.name, "default");
        assert!(theme.error.add_modifier.contains(Modifier::BOLD));
        assert!(theme.ok.fg.is_some());
    }

    #[test]
    fn no_color_keeps_modifiers_and_drops_colours() {
        let theme = Theme::parse(DEFAULT_THEME, true).unwrap();
        assert_eq!(theme.ok.fg, None);
        assert!(theme.selected.add_modifier.contains(Modifier::REVERSED));
    }

    #[test]
    fn bad_theme_files_name_the_problem() {
        let missing = DEFAULT_THEME.replace("learn = { fg = \"#afafff\" }", "");
        assert!(
            Theme::parse(&missing, false)
                .unwrap_err()
                .to_string()
                .contains("'learn' is missing")
        );
        let unknown = DEFAULT_THEME.replace("learn =", "lurn =");
        assert!(format!("{:#}", Theme::parse(&unknown, false).unwrap_err()).contains("lurn"));
        let bad_colour = DEFAULT_THEME.replace("#afafff", "not-a-colour");
        assert!(
            format!("{:#}", Theme::parse(&bad_colour, false).unwrap_err()).contains("not-a-colour")
        );
        let err = Theme::load("/nonexistent/theme.toml", false, None).unwrap_err();
        assert!(format!("{err:#}").contains("/nonexistent/theme.toml"));
    }

    #[test]
    fn a_bad_file_names_the_file_the_line_and_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mine.toml");
        std::fs::write(&path, DEFAULT_THEME.replace("#ffaf00", "orangey")).unwrap();
        let err = format!(
            "{:#}",
            Theme::load("mine", false, Some(dir.path())).unwrap_err()
        );
        let line = DEFAULT_THEME
            .lines()
            .position(|l| l.starts_with("warn ="))
            .unwrap()
            + 1;
        assert!(
            err.contains("mine.toml")
                && err.contains(&format!("line {line}:"))
                && err.contains("'warn'")
                && err.contains("orangey"),
            "{err}"
        );
        std::fs::write(&path, "name = \"x\"\nbackground = 3\n").unwrap();
        let err = format!(
            "{:#}",
            Theme::load("mine", false, Some(dir.path())).unwrap_err()
        );
        assert!(err.contains("line 2") && err.contains("mine.toml"), "{err}");
    }

    #[test]
    fn the_catalogue_holds_the_built_ins_then_good_user_themes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("ocean.toml"),
            DEFAULT_THEME.replace("name = \"default\"", "name = \"ocean\""),
        )
        .unwrap();
        std::fs::write(dir.path().join("broken.toml"), "name = ").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a theme").unwrap();
        let (themes, problems) = Theme::catalogue(false, Some(dir.path()));
        let names: Vec<&str> = themes.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "default",
                "light",
                "high-contrast",
                "solarized-dark",
                "nord",
                "ocean"
            ]
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("broken.toml"), "{problems:?}");
        assert_eq!(
            Theme::load("ocean", false, Some(dir.path())).unwrap().name,
            "ocean"
        );
    }

    /// Body text at 4.5:1 (WCAG AA) against the background it sits on, in every
    /// theme; high-contrast promises 7:1 (AAA). Borders are not text: 3:1.
    #[test]
    fn every_theme_meets_its_contrast_promise() {
        let mut report = Vec::new();
        for (name, text) in BUILT_IN {
            let theme = Theme::parse(text, false).unwrap();
            assert_eq!(theme.name, name);
            let background = theme.background;
            let text_minimum = if name == "high-contrast" { 7.0 } else { 4.5 };
            let styles = [
                ("text", theme.text, text_minimum),
                ("muted", theme.muted, text_minimum),
                ("title", theme.title, text_minimum),
                ("header", theme.header, text_minimum),
                ("selected", theme.selected, text_minimum),
                ("ok", theme.ok, text_minimum),
                ("warn", theme.warn, text_minimum),
                ("error", theme.error, text_minimum),
                ("key", theme.key, text_minimum),
                ("learn", theme.learn, text_minimum),
                ("tab_active", theme.tab_active, text_minimum),
                ("border", theme.border, 3.0),
                ("border_focus", theme.border_focus, 3.0),
            ];
            for (style_name, style, minimum) in styles {
                let fg = style.fg.expect("every style names its colour");
                let ratio = contrast(fg, style.bg.unwrap_or(background)).unwrap();
                if ratio < minimum {
                    report.push(format!("{name}.{style_name}: {ratio:.2} < {minimum}"));
                }
            }
        }
        assert!(report.is_empty(), "{report:#?}");
        assert!((contrast(Color::Black, Color::White).unwrap() - 21.0).abs() < 1e-9);
    }
}
