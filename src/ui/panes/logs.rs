//! Logs of one container: followed live, bounded, searchable with `/`.

use crate::app::core::model::Model;
use crate::theme::Theme;
use crate::ui::panes::pane_block;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let logs = &model.docker.logs;
    let mode = if logs.follow { "following" } else { "paused" };
    let title = match &logs.container_id {
        Some(_) => format!("Logs: {} ({mode})", logs.container_name),
        None => "Logs".to_string(),
    };
    let block = pane_block(title, model, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if logs.container_id.is_none() {
        let hint = " No logs open. Select a container (1) and press l.";
        frame.render_widget(
            Paragraph::new(Line::from(Span::styled(hint, theme.muted))),
            inner,
        );
        return;
    }
    let needle = logs.search.to_lowercase();
    let height = inner.height as usize;
    let reserved = usize::from(logs.ended.is_some());
    // Walk back from the newest line; only lines that will be drawn are built.
    let mut shown: Vec<Line> = logs
        .lines
        .iter()
        .rev()
        .filter(|l| needle.is_empty() || l.to_lowercase().contains(&needle))
        .skip(logs.scroll_back)
        .take(height.saturating_sub(reserved))
        .map(|l| highlight(l, &needle, theme))
        .collect();
    shown.reverse();
    if shown.is_empty() {
        let text = if needle.is_empty() {
            " No output yet."
        } else {
            " No line matches the search (esc clears it)."
        };
        shown.push(Line::from(Span::styled(text, theme.muted)));
    }
    if let Some(ended) = &logs.ended {
        shown.push(Line::from(Span::styled(
            format!("— log stream ended: {ended}"),
            theme.warn,
        )));
    }
    frame.render_widget(Paragraph::new(shown), inner);
}

fn highlight<'a>(line: &str, needle: &str, theme: &Theme) -> Line<'a> {
    if needle.is_empty() {
        return Line::from(Span::styled(line.to_string(), theme.text));
    }
    let lower = line.to_lowercase();
    let mut spans = Vec::new();
    let mut last = 0;
    // Lowercasing can change byte lengths outside ASCII; fall back to no highlight then.
    if lower.len() != line.len() {
        return Line::from(Span::styled(line.to_string(), theme.text));
    }
    for (start, _) in lower.match_indices(needle) {
        if start < last {
            continue;
        }
        spans.push(Span::styled(line[last..start].to_string(), theme.text));
        spans.push(Span::styled(
            line[start..start + needle.len()].to_string(),
            theme.selected,
        ));
        last = start + needle.len();
    }
    spans.push(Span::styled(line[last..].to_string(), theme.text));
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use crate::ui::testing::*;

    #[test]
    fn logs_pane_states() {
        for (w, h) in SIZES {
            snap!(
                &format!("logs_none_{w}x{h}"),
                &on_pane(populated(), '4'),
                w,
                h
            );
            snap!(&format!("logs_following_{w}x{h}"), &with_logs(), w, h);
        }
        let mut searched = with_logs();
        press_str(&mut searched, "/GET /index\n");
        snap!("logs_search_120x40", &searched, 120, 40);
        let mut ended = with_logs();
        ended_logs(&mut ended);
        snap!("logs_ended_80x24", &ended, 80, 24);
    }
}
