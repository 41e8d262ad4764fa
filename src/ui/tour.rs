//! The tour's side panel: the step, what it does and why, the key and the
//! command line it stands for.

use crate::app::core::model::Model;
use crate::app::learn::tour::STEPS;
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let tour = &model.tour;
    let step = &STEPS[tour.step.min(STEPS.len() - 1)];
    let title = if tour.finished {
        " Tour: complete ".to_string()
    } else {
        format!(" Tour {}/{}: {} ", tour.step + 1, STEPS.len(), step.title)
    };
    let block = Block::bordered()
        .border_style(theme.border_focus)
        .title(Span::styled(title, theme.title))
        .title_bottom(Span::styled(" esc leaves · :tour resumes ", theme.muted));
    let mut lines = Vec::new();
    if tour.finished {
        lines.push(Line::from(Span::styled(
            "Every step is done: an image, a container, a Deployment scaled behind a Service, a Cloud Run deploy and the workflow that repeats it.",
            theme.text,
        )));
        lines.push(Line::default());
        lines.push(Line::from(vec![
            Span::styled(":history", theme.key),
            Span::styled(" lists what ran; ", theme.text),
            Span::styled(":export run.sh", theme.key),
            Span::styled(" writes it as a script.", theme.text),
        ]));
    } else {
        lines.push(Line::from(Span::styled(step.about, theme.text)));
        lines.push(Line::default());
        lines.push(Line::from(vec![
            Span::styled("Key: ", theme.muted),
            Span::styled(step.key, theme.key),
        ]));
        lines.push(Line::default());
        lines.push(Line::from(Span::styled("It stands for:", theme.muted)));
        lines.push(Line::from(Span::styled(
            format!("$ {}", step.command),
            theme.learn,
        )));
    }
    lines.push(Line::default());
    let done: String = (0..STEPS.len())
        .map(|i| {
            if i < tour.step || tour.finished {
                '●'
            } else if i == tour.step {
                '◐'
            } else {
                '○'
            }
        })
        .collect();
    lines.push(Line::from(vec![
        Span::styled(done, theme.ok),
        Span::styled("  each step is noticed when done", theme.muted),
    ]));
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }).block(block),
        area,
    );
}
