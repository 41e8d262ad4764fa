//! History: every action performed this session, with the command line it
//! stands for, when, and how it ended. `:export PATH` writes it as a script.

use crate::app::core::model::Model;
use crate::app::learn::history::{HistoryEntry, Outcome, Replay, clock};
use crate::theme::Theme;
use crate::ui::panes::pane_block;
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
        Column::new("RESULT", Constraint::Fill(2), |h: &HistoryEntry| {
            let style = match h.outcome {
                Outcome::Running => theme.warn,
                Outcome::Succeeded(_) | Outcome::Done => theme.ok,
                Outcome::Failed(_) => theme.error,
            };
            Cell::from(Span::styled(h.outcome.label(), style))
        }),
    ];
    TableView {
        block: pane_block("History".to_string(), model, theme).title_bottom(Span::styled(
            " :export PATH writes the changes as a script ",
            theme.muted,
        )),
        columns,
        rows: &model.history.entries,
        state: &model.history.table,
        empty: Line::from(Span::styled(
            " Nothing done yet: each action you take shows here with its command line.",
            theme.muted,
        )),
    }
    .render(frame, area, theme);
}

#[cfg(test)]
mod tests {
    use crate::app::learn::history::{HistoryEntry, Outcome, Replay};
    use crate::ui::testing::*;
    use std::time::Duration;

    fn with_history() -> crate::app::core::model::Model {
        let mut model = on_pane(connected(empty_model()), '0');
        let entries = [
            (
                "build cookbook:latest",
                "docker build -t cookbook:latest .",
                Outcome::Succeeded("built cookbook:latest".into()),
                Replay::Run,
            ),
            (
                "run cookbook:latest",
                "docker run -d -p 127.0.0.1:8000:8000 cookbook:latest",
                Outcome::Succeeded("started 3f2a9c81b7d4".into()),
                Replay::Run,
            ),
            (
                "open http://127.0.0.1:8000/",
                "xdg-open http://127.0.0.1:8000/",
                Outcome::Done,
                Replay::Note,
            ),
            (
                "scale cookbook-recipe to 3",
                "kubectl scale --replicas=3 deployment/cookbook-recipe -n default",
                Outcome::Failed("deployments.apps \"cookbook-recipe\" not found".into()),
                Replay::Run,
            ),
            (
                "apply cookbook-deployment.yaml",
                "kubectl apply --server-side -f cookbook-deployment.yaml",
                Outcome::Running,
                Replay::Run,
            ),
        ];
        for (i, (title, line, outcome, replay)) in entries.into_iter().enumerate() {
            model.history.entries.push(HistoryEntry {
                at: now() + Duration::from_secs(65 * i as u64),
                title: title.into(),
                line: line.into(),
                job: None,
                outcome,
                replay,
            });
        }
        model.rebuild_view(crate::app::core::model::Pane::History);
        model.history.table.bottom();
        model
    }

    #[test]
    fn history_pane_states() {
        for (w, h) in SIZES {
            snap!(
                &format!("history_empty_{w}x{h}"),
                &on_pane(connected(empty_model()), '0'),
                w,
                h
            );
            snap!(&format!("history_populated_{w}x{h}"), &with_history(), w, h);
        }
    }

    #[test]
    fn tour_panel_beside_or_below_the_pane() {
        let mut model = connected(empty_model());
        press_str(&mut model, ":");
        press_str(&mut model, "tour\n");
        for (w, h) in SIZES {
            snap!(&format!("tour_step_2_{w}x{h}"), &model, w, h);
        }
    }
}
