//! The Dev section atop the Jobs pane: the loop's state in its title, one
//! row a cycle with what started it, each stage's time, and the result.

use crate::app::core::event::DevStage;
use crate::app::core::model::Model;
use crate::app::dev::state::{Cycle, CycleResult};
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, Wrap};
use std::time::Duration;

pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let dev = &model.dev;
    let block = Block::bordered()
        .border_style(theme.border)
        .title(Span::styled(
            format!(" Dev: {} ", dev.headline()),
            theme.title,
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if dev.cycles.is_empty() {
        let hint = if dev.is_on() {
            " Save a file of the app: it is rebuilt (or synced) and what runs it replaced. t: a cycle now."
        } else {
            " w watches the app: each save rebuilds it and replaces what runs it."
        };
        frame.render_widget(
            Paragraph::new(Span::styled(hint, theme.muted)).wrap(Wrap { trim: true }),
            inner,
        );
        return;
    }
    let header = Row::new(
        [
            "#",
            "CHANGED",
            "SEEN",
            "BUILD",
            "SYNC/REPL",
            "ROLLOUT",
            "READY",
            "RESULT",
        ]
        .map(|h| Cell::from(Span::styled(h, theme.header))),
    );
    // The newest cycles, oldest of them first, as many as fit under the header.
    let fit = inner.height.saturating_sub(1) as usize;
    let shown = &dev.cycles[dev.cycles.len().saturating_sub(fit)..];
    let rows = shown.iter().map(|cycle| row(cycle, theme));
    let widths = [
        Constraint::Length(3),
        Constraint::Fill(1),
        Constraint::Length(6),
        Constraint::Length(6),
        Constraint::Length(9),
        Constraint::Length(7),
        Constraint::Length(6),
        Constraint::Fill(2),
    ];
    frame.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        inner,
    );
}

fn row<'a>(cycle: &'a Cycle, theme: &Theme) -> Row<'a> {
    let time = |stage: DevStage| -> Cell<'a> {
        Cell::from(cycle.stage(stage).map_or_else(|| "-".to_string(), short))
    };
    let (result, style) = match &cycle.result {
        CycleResult::Running => ("running".to_string(), theme.warn),
        CycleResult::Done(summary) => (format!("✓ {summary}"), theme.ok),
        CycleResult::Failed(error) => (format!("✗ {error}"), theme.error),
    };
    // A sync copies where a rebuild replaces: one column says which, and how long.
    let copied_or_replaced = match (cycle.stage(DevStage::Sync), cycle.stage(DevStage::Replace)) {
        (Some(took), _) => format!("sync {}", short(took)),
        (None, Some(took)) => short(took),
        (None, None) if cycle.sync => "sync".to_string(),
        (None, None) => "-".to_string(),
    };
    Row::new(vec![
        Cell::from(cycle.number.to_string()),
        Cell::from(cycle.trigger()),
        Cell::from(cycle.seen.map_or_else(|| "-".to_string(), short)),
        time(DevStage::Build),
        Cell::from(copied_or_replaced),
        time(DevStage::Rollout),
        time(DevStage::Ready),
        Cell::from(Line::from(Span::styled(result, style))),
    ])
}

/// `140ms`, `1.2s`, `75s`: short enough for a six-wide column.
fn short(took: Duration) -> String {
    let ms = took.as_millis();
    if ms < 1_000 {
        format!("{ms}ms")
    } else if ms < 10_000 {
        format!("{:.1}s", took.as_secs_f64())
    } else {
        format!("{}s", took.as_secs())
    }
}
