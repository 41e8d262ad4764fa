//! The relationships view (`t`): the tree `app::kube::xray::tree` builds
//! from the model on every frame, so it follows the watches; only the lines
//! that fit are drawn, the cursor's always among them.

use super::overlay::boxed;
use crate::app::core::model::{Model, Overlay};
use crate::app::kube::xray::{self, Health, XrayView};
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(frame: &mut Frame, model: &Model, theme: &Theme) {
    if let Overlay::Xray(view) = &model.shared.overlay {
        xray_box(frame, model, view, theme);
    }
}

fn xray_box(frame: &mut Frame, model: &Model, view: &XrayView, theme: &Theme) {
    let area = super::overlay::full_box(frame);
    let title = format!(
        "{}/{} -n {} · how it hangs together",
        view.root.kind.kubectl_name(),
        view.root.name,
        view.root.namespace
    );
    let block = boxed(&title, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let lines = xray::tree(&model.kube, &view.root, model.engines());
    let cursor = xray::cursor(&lines, &view.selected);
    // The reason notes wrap; objects stay on one row each.
    let mut laid_out: Vec<(Option<usize>, Line)> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let label_style = match line.health {
            Health::Good => theme.ok,
            Health::Bad => theme.error,
            Health::Note => theme.muted,
        };
        let (label_style, detail_style) = match (Some(i) == cursor, line.target.is_some()) {
            (true, _) => (theme.selected, theme.selected),
            (false, true) => (label_style, theme.text),
            (false, false) => (label_style, theme.warn),
        };
        let lead = format!("{}{}  ", line.prefix, line.label);
        let pieces = if line.target.is_some() {
            vec![line.detail.clone()]
        } else {
            wrap(
                &line.detail,
                (inner.width as usize).saturating_sub(lead.chars().count()),
            )
        };
        for (n, piece) in pieces.into_iter().enumerate() {
            let head = if n == 0 {
                vec![
                    Span::styled(line.prefix.clone(), theme.muted),
                    Span::styled(format!("{}  ", line.label), label_style),
                ]
            } else {
                let continued = line.prefix.clone() + &" ".repeat(line.label.chars().count() + 2);
                vec![Span::styled(continued, theme.muted)]
            };
            let mut spans = head;
            spans.push(Span::styled(piece, detail_style));
            laid_out.push(((n == 0).then_some(i), Line::from(spans)));
        }
    }
    // One row for the keys at the bottom.
    let rows = inner.height.saturating_sub(1) as usize;
    let cursor_row = laid_out
        .iter()
        .position(|(line, _)| line.is_some() && *line == cursor)
        .unwrap_or(0);
    let first = cursor_row.saturating_sub(rows.saturating_sub(1));
    let mut shown: Vec<Line> = laid_out
        .into_iter()
        .skip(first)
        .take(rows)
        .map(|(_, line)| line)
        .collect();
    shown.resize(rows, Line::default());
    shown.push(Line::from(vec![
        Span::styled("j/k", theme.key),
        Span::styled(" move  ", theme.muted),
        Span::styled("y", theme.key),
        Span::styled(" YAML  ", theme.muted),
        Span::styled("l", theme.key),
        Span::styled(" logs  ", theme.muted),
        Span::styled("enter", theme.key),
        Span::styled(" its row  ", theme.muted),
        Span::styled("x", theme.key),
        Span::styled(" tree from here  ", theme.muted),
        Span::styled("esc", theme.key),
        Span::styled(" close", theme.muted),
    ]));
    frame.render_widget(Paragraph::new(shown), inner);
}

/// Words laid into rows of at most `width` characters (a longer word is cut by the terminal).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(10);
    let mut rows = vec![String::new()];
    for word in text.split(' ') {
        let row = rows.last_mut().expect("there is always a row");
        if !row.is_empty() && row.chars().count() + 1 + word.chars().count() > width {
            rows.push(word.to_string());
        } else {
            if !row.is_empty() {
                row.push(' ');
            }
            row.push_str(word);
        }
    }
    rows
}
