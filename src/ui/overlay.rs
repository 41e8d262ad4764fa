//! Overlays drawn over the pane: forms, confirmations, YAML and pickers
//! (help and the command palette are in `help.rs`).

use crate::app::core::forms::Form;
use crate::app::core::model::{Confirm, Model, Overlay, Picker};
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

pub fn render(frame: &mut Frame, model: &Model, theme: &Theme) {
    match &model.shared.overlay {
        Overlay::None => {}
        // Drawn by `help.rs`.
        Overlay::Help(_) | Overlay::Palette(_) => {}
        // Drawn by `xray.rs`.
        Overlay::Xray(_) => {}
        Overlay::Form(form) => form_box(frame, form, theme),
        Overlay::Confirm(confirm) => confirm_box(frame, confirm, theme),
        Overlay::Yaml(view) => yaml_box(frame, view, theme),
        Overlay::Pick(picker) => pick_box(frame, picker, theme),
    }
}

pub(super) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// An overlay's frame; it repaints the theme's background over what `Clear` reset.
pub(super) fn boxed<'a>(title: &'a str, theme: &Theme) -> Block<'a> {
    Block::bordered()
        .style(theme.base)
        .border_style(theme.border_focus)
        .title(Span::styled(format!(" {title} "), theme.title))
}

fn form_box(frame: &mut Frame, form: &Form, theme: &Theme) {
    // One more line than the fields need: a long command line wraps instead of being cut.
    let height = 3 * form.fields.len() as u16 + 5;
    let area = centered(frame.area(), 100, height);
    frame.render_widget(Clear, area);
    let block = boxed(form.title, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let label_width = 12u16;
    let mut y = inner.y;
    for (index, field) in form.fields.iter().enumerate() {
        if y + 1 >= inner.bottom() {
            break;
        }
        let focused = index == form.focus;
        let label_style = if focused { theme.key } else { theme.text };
        let value_width = inner.width.saturating_sub(label_width + 1);
        let scroll = field.input.visual_scroll(value_width as usize);
        let value: String = field
            .input
            .value()
            .chars()
            .skip(scroll)
            .take(value_width as usize)
            .collect();
        let line = Line::from(vec![
            Span::styled(
                format!("{:<width$}", field.label, width = label_width as usize),
                label_style,
            ),
            Span::styled(value, if focused { theme.selected } else { theme.text }),
        ]);
        frame.render_widget(
            Paragraph::new(line),
            Rect {
                y,
                height: 1,
                ..inner
            },
        );
        if focused && !form.pending {
            let x =
                inner.x + label_width + (field.input.visual_cursor().saturating_sub(scroll)) as u16;
            frame.set_cursor_position(Position {
                x: x.min(inner.right().saturating_sub(1)),
                y,
            });
        }
        let note = match &field.error {
            Some(error) => Span::styled(
                format!("{:w$}✗ {error}", "", w = label_width as usize),
                theme.error,
            ),
            None => Span::styled(
                format!("{:w$}{}", "", field.hint, w = label_width as usize),
                theme.muted,
            ),
        };
        frame.render_widget(
            Paragraph::new(Line::from(note)),
            Rect {
                y: y + 1,
                height: 1,
                ..inner
            },
        );
        y += 3;
    }
    let learn = Line::from(vec![
        Span::styled("$ ", theme.muted),
        Span::styled(form.learn_line(), theme.learn),
    ]);
    let keys = if form.pending {
        Line::from(Span::styled("checking…  esc cancel", theme.warn))
    } else {
        Line::from(vec![
            Span::styled("enter", theme.key),
            Span::styled(" run  ", theme.muted),
            Span::styled("tab", theme.key),
            Span::styled(" next field  ", theme.muted),
            Span::styled("esc", theme.key),
            Span::styled(" cancel", theme.muted),
        ])
    };
    let bottom = Rect {
        y: inner.bottom().saturating_sub(3),
        height: 2.min(inner.height),
        ..inner
    };
    frame.render_widget(Paragraph::new(learn).wrap(Wrap { trim: false }), bottom);
    let keys_area = Rect {
        y: inner.bottom().saturating_sub(1),
        height: 1.min(inner.height),
        ..inner
    };
    frame.render_widget(Paragraph::new(keys), keys_area);
}

/// The YAML view: only the visible lines are styled; keys stand out from values.
/// A box that covers the screen but for a margin, cleared: the YAML view's
/// and the relationships view's.
pub(super) fn full_box(frame: &mut Frame) -> Rect {
    let area = frame.area();
    let area = Rect {
        x: area.x + 2,
        y: area.y + 1,
        width: area.width.saturating_sub(4),
        height: area.height.saturating_sub(2),
    };
    frame.render_widget(Clear, area);
    area
}

fn yaml_box(frame: &mut Frame, view: &crate::app::core::model::YamlView, theme: &Theme) {
    let area = full_box(frame);
    let title = format!("{} (j/k move · e explain · esc close)", view.title);
    let block = boxed(&title, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(lines) = &view.lines else {
        frame.render_widget(
            Paragraph::new(Line::from(Span::styled("loading…", theme.muted))),
            inner,
        );
        return;
    };
    let (inner, explained_area) = match &view.explained {
        Some(_) => {
            let height = (inner.height / 3)
                .clamp(4, 12)
                .min(inner.height.saturating_sub(3));
            let [top, bottom] =
                Layout::vertical([Constraint::Min(3), Constraint::Length(height)]).areas(inner);
            (top, Some(bottom))
        }
        None => (inner, None),
    };
    let rows = inner.height as usize;
    let first = view.cursor.saturating_sub(rows.saturating_sub(1));
    let shown: Vec<Line> = lines
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .map(|(i, line)| {
            if i == view.cursor {
                return Line::from(Span::styled(line.clone(), theme.selected));
            }
            let indent = line.len() - line.trim_start_matches([' ', '-']).len();
            match line[indent..].split_once(':') {
                Some((key, rest)) if !key.contains(' ') => Line::from(vec![
                    Span::styled(line[..indent].to_string(), theme.muted),
                    Span::styled(key.to_string(), theme.key),
                    Span::styled(format!(":{rest}"), theme.text),
                ]),
                _ => Line::from(Span::styled(line.clone(), theme.text)),
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(shown), inner);
    if let (Some(explained), Some(area)) = (&view.explained, explained_area) {
        explanation_box(frame, explained, area, theme);
    }
}

/// Under the YAML: the field under the cursor as `kubectl explain` tells it.
fn explanation_box(
    frame: &mut Frame,
    explained: &crate::app::core::overlay::Explained,
    area: Rect,
    theme: &Theme,
) {
    let block = Block::default()
        .borders(ratatui::widgets::Borders::TOP)
        .border_style(theme.border)
        .title(Span::styled(
            format!(" kubectl explain {} ", explained.path),
            theme.title,
        ));
    let lines: Vec<Line> = match &explained.text {
        None => vec![Line::from(Span::styled("asking the cluster…", theme.muted))],
        Some(Err(why)) => vec![Line::from(Span::styled(why.clone(), theme.warn))],
        Some(Ok(explanation)) => {
            let mut lines = vec![
                Line::from(vec![
                    Span::styled(explanation.field.clone(), theme.key),
                    Span::styled(format!(" {}", explanation.type_name), theme.muted),
                ]),
                Line::from(Span::styled(explanation.description.clone(), theme.text)),
            ];
            if !explanation.fields.is_empty() {
                lines.push(Line::from(Span::styled(
                    format!("fields: {}", explanation.fields.join(", ")),
                    theme.muted,
                )));
            }
            lines
        }
    };
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

/// A list to choose from; only the rows that fit are laid out.
fn pick_box(frame: &mut Frame, picker: &Picker, theme: &Theme) {
    let height = (picker.items.len() as u16 + 4).min(frame.area().height.saturating_sub(2));
    let area = centered(frame.area(), 100, height.max(5));
    frame.render_widget(Clear, area);
    let block = boxed(&picker.title, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let rows = inner.height.saturating_sub(1) as usize;
    let first = picker.selected.saturating_sub(rows.saturating_sub(1));
    let label_width = picker
        .items
        .iter()
        .map(|i| i.label.chars().count())
        .max()
        .unwrap_or(0);
    let mut lines: Vec<Line> = picker
        .items
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .map(|(index, item)| {
            let marker = if index == picker.selected {
                "▶ "
            } else {
                "  "
            };
            let style = if index == picker.selected {
                theme.selected
            } else {
                theme.text
            };
            Line::from(vec![
                Span::styled(format!("{marker}{:<label_width$}", item.label), style),
                Span::styled(format!("  {}", item.detail), theme.muted),
            ])
        })
        .collect();
    if picker.items.is_empty() {
        lines.push(Line::from(Span::styled(
            "  (nothing to choose)",
            theme.muted,
        )));
    }
    lines.resize(rows, Line::default());
    lines.push(Line::from(vec![
        Span::styled("enter", theme.key),
        Span::styled(" choose  ", theme.muted),
        Span::styled("j/k", theme.key),
        Span::styled(" move  ", theme.muted),
        Span::styled("esc", theme.key),
        Span::styled(" cancel", theme.muted),
    ]));
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Rows a line takes when wrapped at word boundaries (greedy, as the Paragraph wraps;
/// a word longer than the width is broken).
fn wrapped_rows(line: &str, width: usize) -> usize {
    let mut rows = 1;
    let mut used = 0;
    for word in line.split_whitespace() {
        let len = word.chars().count();
        let needed = if used == 0 { len } else { used + 1 + len };
        if needed <= width {
            used = needed;
        } else if len <= width {
            rows += 1;
            used = len;
        } else {
            // Broken across rows: what is left of it starts the next.
            rows += (used + 1 + len) / width;
            used = (used + 1 + len) % width;
        }
    }
    rows
}

fn confirm_box(frame: &mut Frame, confirm: &Confirm, theme: &Theme) {
    // A deploy's question carries its warnings and command lines: wider, and as tall as it wraps.
    let width: u16 = if confirm.message.lines().count() > 1 {
        110
    } else {
        70
    };
    let inner_width = usize::from(width.min(frame.area().width).saturating_sub(2)).max(1);
    let wrapped: usize = confirm
        .message
        .lines()
        .map(|l| wrapped_rows(l, inner_width))
        .sum();
    // The message, the learn line when it is not already in the message, "y yes n no", two borders.
    let learn_shown = !confirm.message.contains("\n$ ") && confirm.on_yes.learn_line().is_some();
    let height = wrapped as u16 + if learn_shown { 4 } else { 3 };
    let area = centered(frame.area(), width, height.max(6));
    frame.render_widget(Clear, area);
    let block = boxed("Confirm", theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut lines: Vec<Line> = confirm
        .message
        .lines()
        .map(|line| {
            let style = if line.starts_with('⚠') {
                theme.warn
            } else if line.starts_with("$ ") {
                theme.learn
            } else {
                theme.text
            };
            Line::from(Span::styled(line.to_string(), style))
        })
        .collect();
    // A message that lists its command lines already says what the learn line would.
    if let Some(learn) = confirm
        .on_yes
        .learn_line()
        .filter(|_| !confirm.message.contains("\n$ "))
    {
        lines.push(Line::from(vec![
            Span::styled("$ ", theme.muted),
            Span::styled(learn, theme.learn),
        ]));
    }
    lines.push(Line::from(vec![
        Span::styled("y", theme.key),
        Span::styled(" yes  ", theme.muted),
        Span::styled("n", theme.key),
        Span::styled(" no", theme.muted),
    ]));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
}

#[cfg(test)]
mod tests {
    use crate::ui::testing::*;
    use crossterm::event::KeyCode;

    #[test]
    fn forms_confirmations_and_help() {
        for (w, h) in SIZES {
            let mut build = populated();
            press_str(&mut build, "b");
            snap!(format!("form_build_{w}x{h}"), &build, w, h);
            let mut build_error = build.clone();
            for _ in 0..20 {
                press(&mut build_error, KeyCode::Backspace);
            }
            press_str(&mut build_error, "Bad Tag\n");
            snap!(format!("form_build_error_{w}x{h}"), &build_error, w, h);
            let mut run = on_pane(populated(), '2');
            press_str(&mut run, "r99999:80\t-x\tNOPE\n");
            snap!(format!("form_run_errors_{w}x{h}"), &run, w, h);
            let mut confirm = populated();
            press_ctrl(&mut confirm, 'd');
            snap!(format!("confirm_remove_{w}x{h}"), &confirm, w, h);
            snap!(format!("help_{w}x{h}"), &on_pane(populated(), '?'), w, h);
        }
    }

    /// The minikube menu over a stopped profile, and the header saying so.
    #[test]
    fn minikube_menu() {
        use crate::app::core::event::{Event, KubeEvent, MinikubeEvent};
        use crate::domain::minikube::{MinikubeState, MinikubeStatus};
        let mut model = on_pane(with_cluster(), '5');
        crate::app::update(
            &mut model,
            Event::Kube(KubeEvent::Context("minikube".into())),
        );
        let stopped = MinikubeStatus {
            profile: "minikube".into(),
            host: "Stopped".into(),
            kubelet: "Stopped".into(),
            apiserver: "Stopped".into(),
            kubeconfig: "Stopped".into(),
            workers: 0,
        };
        crate::app::update(
            &mut model,
            Event::Minikube(MinikubeEvent::State(MinikubeState::Status(stopped))),
        );
        press_str(&mut model, "Mj");
        for (w, h) in SIZES {
            snap!(format!("minikube_menu_{w}x{h}"), &model, w, h);
        }
    }

    #[test]
    fn wrapped_rows_count_as_words_wrap() {
        assert_eq!(super::wrapped_rows("", 10), 1);
        assert_eq!(super::wrapped_rows("one two", 10), 1);
        assert_eq!(super::wrapped_rows("one two three", 10), 2);
        // "aaaa bbbbbb": 11 characters fit two rows of 6 by count, but words need two rows too.
        assert_eq!(super::wrapped_rows("aaaa bbbbbb", 6), 2);
        assert_eq!(super::wrapped_rows("aaa bbb ccc", 7), 2);
    }

    #[test]
    fn readonly_and_errors_read_in_the_status_bar() {
        let mut model = populated();
        model.shared.readonly = true;
        press_str(&mut model, "b");
        snap!("readonly_refusal_80x24", &model, 80, 24);
    }

    /// Text snapshots drop colours; these keep them, one per built-in theme,
    /// and one with NO_COLOR (modifiers only, the terminal's own colours).
    #[test]
    fn theme_styles() {
        let model = with_stats();
        let mut themes: Vec<(String, crate::theme::Theme)> = crate::theme::BUILT_IN
            .iter()
            .map(|(name, text)| {
                let theme = crate::theme::Theme::parse(text, false).expect("built-in theme");
                (format!("theme_{}_buffer", name.replace('-', "_")), theme)
            })
            .collect();
        themes.push((
            "theme_no_color_buffer".to_string(),
            crate::theme::Theme::parse(crate::theme::DEFAULT_THEME, true).expect("no colour"),
        ));
        for (snapshot, theme) in themes {
            let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24))
                .expect("terminal");
            terminal
                .draw(|frame| crate::ui::render(frame, &model, &theme))
                .expect("draw");
            insta::assert_debug_snapshot!(snapshot, terminal.backend().buffer());
        }
    }
}
