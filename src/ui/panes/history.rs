//! History: every action performed this session, with the command line it
//! stands for, when, and how it ended. `:export PATH` writes it as a script.

use crate::app::history::{HistoryEntry, Outcome, Replay, clock};
use crate::app::model::Model;
use crate::theme::Theme;
use crate::ui::pane_block;
use crate::ui::table::{Column, TableView};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Cell;

pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let columns = vec![
        Column::new("TIME", Constraint::Length(8), |h: &HistoryEntry| {
            Cell::from(clock(h.at))
        }),
        Column::new("COMMAND", Constraint::Fill(3), |h: &HistoryEntry| {
            let style = match h.replay {
                Replay::Run => theme.learn,
                Replay::Note => theme.muted,
            };
            Cell::from(Span::styled(h.line.clone(), style))
        }),
        Column::new("RESULT", Constraint::Fill(1), |h: &HistoryEntry| {
            let style = match h.outcome {
                Outcome::Running => theme.warn,
                Outcome::Succeeded(_) | Outcome::Done => theme.ok,
                Outcome::Failed(_) => theme.error,
            };
            Cell::from(Span::styled(h.outcome.label(), style))
        }),
    ];
    let title = format!(
        "History ({}) · :export PATH writes it as a script",
        model.history.len()
    );
    TableView {
        block: pane_block(title, model, theme),
        columns,
        rows: &model.history,
        state: &model.history_table,
        empty: Line::from(Span::styled(
            " Nothing done yet: each action you take shows here with its command line.",
            theme.muted,
        )),
    }
    .render(frame, area, theme);
}
