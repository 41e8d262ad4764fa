//! Jobs: the dev loop's section when it runs (`dev.rs`), one entry per action, its state and elapsed time, and the streamed
//! output of the selected one with a step gauge for builds.

use crate::app::core::model::{Job, JobState, Model};
use crate::domain::humanize_duration;
use crate::theme::Theme;
use crate::ui::panes::pane_block;
use crate::ui::table::{Column, TableView};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Gauge, Paragraph};

pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let [dev_area, list_area, output_area] = crate::layout::jobs_areas(area, model);
    if dev_area.height > 0 {
        crate::ui::panes::dev::render(frame, dev_area, model, theme);
    }
    let now = model.shared.now;
    let columns = vec![
        Column::new("#", Constraint::Length(4), |j: &Job| {
            Cell::from(j.id.to_string())
        }),
        Column::new("ACTION", Constraint::Fill(2), |j: &Job| {
            Cell::from(j.title.clone())
        }),
        Column::new("STATE", Constraint::Length(10), |j: &Job| {
            let (text, style) = state_text(&j.state, theme);
            Cell::from(Span::styled(text, style))
        }),
        Column::new("ELAPSED", Constraint::Length(10), move |j: &Job| {
            Cell::from(elapsed(j, now))
        }),
        Column::new("COMMAND", Constraint::Fill(3), |j: &Job| {
            Cell::from(j.learn.clone())
        }),
    ];
    TableView {
        block: pane_block("Jobs".to_string(), model, theme),
        columns,
        rows: &model.jobs.list,
        state: &model.jobs.table,
        empty: Line::from(Span::styled(
            " No jobs yet: build (b), run (r), stop (s)… each shows here.",
            theme.muted,
        )),
    }
    .render(frame, list_area, theme);
    output(frame, output_area, model, theme);
}

fn state_text(state: &JobState, theme: &Theme) -> (&'static str, ratatui::style::Style) {
    match state {
        JobState::Running => ("running", theme.warn),
        JobState::Succeeded(_) => ("done", theme.ok),
        JobState::Failed(_) => ("failed", theme.error),
    }
}

fn elapsed(job: &Job, now: std::time::SystemTime) -> String {
    let secs = job.elapsed(now).as_secs();
    if secs < 60 {
        format!("{secs}s")
    } else {
        humanize_duration(job.elapsed(now))
    }
}

fn output(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let job = model.selected_job();
    let title = job
        .map(|j| format!(" Output: {} ", j.title))
        .unwrap_or_else(|| " Output ".to_string());
    let block = Block::bordered()
        .border_style(theme.border)
        .title(Span::styled(title, theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(job) = job else { return };
    let has_gauge = job.step.is_some();
    let [gauge_area, text_area] = Layout::vertical([
        Constraint::Length(if has_gauge { 1 } else { 0 }),
        Constraint::Min(1),
    ])
    .areas(inner);
    if let Some((current, total)) = job.step {
        let ratio = if total == 0 {
            0.0
        } else {
            (current as f64 / total as f64).clamp(0.0, 1.0)
        };
        let label = format!(
            "Step {current}/{total} · {}",
            elapsed(job, model.shared.now)
        );
        frame.render_widget(
            Gauge::default()
                .ratio(ratio)
                .label(label)
                .gauge_style(theme.ok),
            gauge_area,
        );
    }
    // Only the tail that fits is turned into lines.
    let height = text_area.height as usize;
    let skip = job.output.len().saturating_sub(height);
    let mut lines: Vec<Line> = job
        .output
        .iter()
        .skip(skip)
        .map(|l| Line::from(Span::styled(l.clone(), theme.text)))
        .collect();
    if let JobState::Failed(error) = &job.state
        && lines.len() == height
        && !job
            .output
            .back()
            .is_some_and(|l| l.contains(error.as_str()))
    {
        lines.remove(0);
        lines.push(Line::from(Span::styled(
            format!("error: {error}"),
            theme.error,
        )));
    }
    frame.render_widget(Paragraph::new(lines), text_area);
}

#[cfg(test)]
mod tests {
    use crate::ui::testing::*;

    #[test]
    fn jobs_pane_states() {
        for (w, h) in SIZES {
            snap!(
                &format!("jobs_empty_{w}x{h}"),
                &on_pane(connected(empty_model()), '3'),
                w,
                h
            );
            snap!(
                &format!("jobs_build_running_{w}x{h}"),
                &on_pane(with_jobs(), '3'),
                w,
                h
            );
            let mut failed = on_pane(with_jobs(), '3');
            press_str(&mut failed, "k");
            snap!(&format!("jobs_build_failed_{w}x{h}"), &failed, w, h);
        }
    }
}
