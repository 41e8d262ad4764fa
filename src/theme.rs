//! Themes are data: semantic styles read from TOML. Code asks for `theme.ok`,
//! never for a colour.

use color_eyre::eyre::{Result, WrapErr, eyre};
use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

pub const DEFAULT_THEME: &str = include_str!("../themes/default.toml");

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: String,
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

    /// `default`, or a path to a theme file.
    pub fn load(name_or_path: &str, no_color: bool) -> Result<Self> {
        if name_or_path == "default" {
            return Self::parse(DEFAULT_THEME, no_color);
        }
        let path = Path::new(name_or_path);
        let text = std::fs::read_to_string(path).wrap_err_with(|| {
            format!("cannot read theme {} (built in: default)", path.display())
        })?;
        Self::parse(&text, no_color).wrap_err_with(|| format!("in theme file {}", path.display()))
    }

    pub fn parse(text: &str, no_color: bool) -> Result<Self> {
        let file: ThemeFile = toml::from_str(text).map_err(|e| eyre!("{e}"))?;
        if let Some(unknown) = file
            .styles
            .keys()
            .find(|k| !STYLE_NAMES.contains(&k.as_str()))
        {
            return Err(eyre!(
                "unknown style '{unknown}'; the styles are {}",
                STYLE_NAMES.join(", ")
            ));
        }
        let style = |name: &str| -> Result<Style> {
            let spec = file
                .styles
                .get(name)
                .ok_or_else(|| eyre!("style '{name}' is missing"))?;
            spec.to_style(no_color)
                .wrap_err_with(|| format!("style '{name}'"))
        };
        let mut theme = Self {
            name: file.name.clone(),
            text: style("text")?,
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
        let err = Theme::load("/nonexistent/theme.toml", false).unwrap_err();
        assert!(format!("{err:#}").contains("/nonexistent/theme.toml"));
    }
}
