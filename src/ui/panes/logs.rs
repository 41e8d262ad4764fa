//! Logs of one container or pod, or of every pod a selector matches (each
//! line led by its pod's name in its own colour): followed live, bounded,
//! searchable with `/`.

use crate::app::core::model::Model;
use crate::app::docker::state::POD_SEPARATOR;
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
        Some(_) => match &logs.only {
            Some(pod) => format!("Logs: {}, only {pod} ({mode})", logs.container_name),
            None => format!("Logs: {} ({mode})", logs.container_name),
        },
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
        // A selector's stream keeps every line (the pods' lines around a match
        // tell what happened); one container's shows the matches alone.
        .filter(|l| logs.shows(l))
        .filter(|l| needle.is_empty() || logs.many || l.to_lowercase().contains(&needle))
        .skip(logs.scroll_back)
        .take(height.saturating_sub(reserved))
        .map(
            |l| match l.split_once(POD_SEPARATOR).filter(|_| logs.many) {
                Some((pod, text)) => {
                    let mut line = highlight(text, &needle, theme);
                    line.spans.insert(
                        0,
                        Span::styled(format!("{pod}{POD_SEPARATOR}"), pod_style(pod, theme)),
                    );
                    line
                }
                None => highlight(l, &needle, theme),
            },
        )
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

/// A pod's own colour in a selector's stream: the same pod, the same colour,
/// taken from the theme's styles (themes are data; no colour is named here).
fn pod_style(pod: &str, theme: &Theme) -> ratatui::style::Style {
    let palette = [
        theme.key,
        theme.ok,
        theme.learn,
        theme.warn,
        theme.title,
        theme.header,
    ];
    // FNV-1a: stable across runs, so a pod keeps its colour.
    let hash = pod.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    palette[(hash % palette.len() as u64) as usize]
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

    #[test]
    fn a_selectors_logs_lead_each_line_with_its_pod() {
        let mut model = on_pane(with_cluster(), '5');
        press_str(&mut model, "l");
        let key = model.docker.logs.container_id.clone().unwrap_or_default();
        let pods = [
            "cookbook-recipe-7c9f8d6b5-2xkqp",
            "cookbook-recipe-7c9f8d6b5-h8w4z",
        ];
        let mut lines: Vec<String> = (0..8)
            .map(|i| {
                format!(
                    "{} │ 127.0.0.1 - - \"GET /{} HTTP/1.1\" 200 -",
                    pods[i % 2],
                    if i % 3 == 0 {
                        "index.html"
                    } else {
                        "api/recipes"
                    }
                )
            })
            .collect();
        lines.insert(3, format!("{} │ ── joined ──", pods[1]));
        lines.push(format!("{} │ ── ended ──", pods[0]));
        crate::app::update(&mut model, crate::app::Event::LogLines { key, lines });
        snap!("logs_selector_120x40", &model, 120, 40);
        // A search highlights its matches and hides none of the lines around them.
        let mut searched = model.clone();
        press_str(&mut searched, "/index\n");
        let screen = screen_text(&searched, 120, 40);
        assert!(screen.contains("api/recipes"), "{screen}");
        assert!(screen.contains("── joined ──"), "{screen}");
        // o: one pod's lines, the next pod's, then every pod's again.
        let mut one = model.clone();
        press_str(&mut one, "o");
        let screen = screen_text(&one, 120, 40);
        assert!(screen.contains(&format!("only {}", pods[0])), "{screen}");
        assert!(!screen.contains(&format!("{} │", pods[1])), "{screen}");
        press_str(&mut one, "o");
        let screen = screen_text(&one, 120, 40);
        assert!(!screen.contains(&format!("{} │", pods[0])), "{screen}");
        press_str(&mut one, "o");
        assert_eq!(one.docker.logs.only, None);
        assert!(status_text(&one).starts_with("Every pod's lines (2 pods)"));
        // Each pod keeps one colour of the theme, and the two differ here.
        let theme = model.theme();
        assert_eq!(
            super::pod_style(pods[0], theme),
            super::pod_style(pods[0], theme)
        );
        assert_ne!(
            super::pod_style(pods[0], theme),
            super::pod_style(pods[1], theme)
        );
    }
}
