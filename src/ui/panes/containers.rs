//! Containers: `docker ps` as a live table, with CPU and memory of the
//! selected container from its stats stream.

use crate::app::core::model::Model;
use crate::domain::{ContainerRow, ContainerState, format_ports, humanize_ago, humanize_size};
use crate::theme::Theme;
use crate::ui::panes::pane_block;
use crate::ui::table::{Column, TableView};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Sparkline};

pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let show_stats = model.docker.stats.container_id.is_some() && area.height >= 14;
    let [table_area, stats_area] = crate::layout::containers_areas(area, model);
    let now = model.shared.now;
    let columns = vec![
        Column::new(
            "CONTAINER ID",
            Constraint::Length(12),
            |c: &ContainerRow| Cell::from(c.short_id().to_string()),
        ),
        Column::new("IMAGE", Constraint::Fill(1), |c: &ContainerRow| {
            Cell::from(c.image.clone())
        }),
        Column::new("COMMAND", Constraint::Length(16), |c: &ContainerRow| {
            Cell::from(format!("\"{}\"", c.command))
        })
        .hide_below(110),
        Column::new(
            "CREATED",
            Constraint::Length(14),
            move |c: &ContainerRow| Cell::from(humanize_ago(c.created, now)),
        )
        .hide_below(90),
        Column::new("STATUS", Constraint::Length(14), |c: &ContainerRow| {
            let style = match c.state {
                ContainerState::Running => theme.ok,
                ContainerState::Restarting | ContainerState::Paused | ContainerState::Created => {
                    theme.warn
                }
                ContainerState::Dead => theme.error,
                _ => theme.muted,
            };
            Cell::from(Span::styled(c.status.clone(), style))
        }),
        Column::new("PORTS", Constraint::Length(24), |c: &ContainerRow| {
            Cell::from(format_ports(&c.ports))
        }),
        Column::new("NAMES", Constraint::Fill(1), |c: &ContainerRow| {
            Cell::from(c.name.clone())
        }),
    ];
    let title = if model.docker.show_all {
        "Containers (all)"
    } else {
        "Containers (running)"
    };
    let hint = if model.docker.show_all {
        "No containers. Build an image with b, then run it with r in Images (2)."
    } else {
        "No running containers. a shows stopped ones; r on an image (2) runs one."
    };
    TableView {
        block: pane_block(title.to_string(), model, theme),
        columns,
        rows: &model.docker.containers,
        state: &model.docker.containers_table,
        empty: crate::ui::panes::empty_line(model, theme, hint),
    }
    .render(frame, table_area, theme);
    if show_stats {
        stats(frame, stats_area, model, theme);
    }
}

fn stats(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let name = model
        .selected_container()
        .map(|c| c.name.as_str())
        .unwrap_or("");
    let block = Block::bordered()
        .border_style(theme.border)
        .title(Span::styled(format!(" Stats: {name} "), theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [cpu_area, mem_area] =
        Layout::horizontal([Constraint::Ratio(1, 2), Constraint::Ratio(1, 2)]).areas(inner);
    let (cpu_label, mem_label) = match model.docker.stats.last {
        Some(s) => (
            format!("CPU {:.1}%", s.cpu_percent),
            format!(
                "MEM {} / {}",
                humanize_size(s.memory_bytes),
                humanize_size(s.memory_limit)
            ),
        ),
        None => ("CPU waiting for stats…".to_string(), "MEM".to_string()),
    };
    // Fixed scales, so a near-idle container does not look busy: CPU up to one core (or the peak), memory up to its limit.
    let cpu_scale = model
        .docker
        .stats
        .cpu
        .iter()
        .copied()
        .max()
        .unwrap_or(0)
        .max(100 * 100);
    let mem_scale = model
        .docker
        .stats
        .last
        .map(|s| s.memory_limit)
        .filter(|l| *l > 0);
    for (area, label, series, scale) in [
        (
            cpu_area,
            cpu_label,
            &model.docker.stats.cpu,
            Some(cpu_scale),
        ),
        (mem_area, mem_label, &model.docker.stats.memory, mem_scale),
    ] {
        let [label_area, spark_area] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        frame.render_widget(
            Paragraph::new(Line::from(Span::styled(label, theme.text))),
            label_area,
        );
        // Newest samples at the right edge: keep only what fits.
        let width = spark_area.width as usize;
        let skip = series.len().saturating_sub(width);
        let data: Vec<u64> = series.iter().skip(skip).copied().collect();
        let mut sparkline = Sparkline::default().data(&data).style(theme.ok);
        if let Some(scale) = scale {
            sparkline = sparkline.max(scale);
        }
        frame.render_widget(sparkline, spark_area);
    }
}

#[cfg(test)]
mod tests {
    use crate::ui::testing::*;

    #[test]
    fn containers_pane_states() {
        for (w, h) in SIZES {
            snap!(
                &format!("containers_empty_{w}x{h}"),
                &connected(empty_model()),
                w,
                h
            );
            snap!(
                &format!("containers_connecting_{w}x{h}"),
                &empty_model(),
                w,
                h
            );
            snap!(
                &format!("containers_disconnected_{w}x{h}"),
                &disconnected(empty_model()),
                w,
                h
            );
            snap!(&format!("containers_populated_{w}x{h}"), &populated(), w, h);
            snap!(
                &format!("containers_long_names_{w}x{h}"),
                &long_names(),
                w,
                h
            );
            snap!(
                &format!("containers_with_stats_{w}x{h}"),
                &with_stats(),
                w,
                h
            );
        }
        snap!("containers_narrow_40x12", &populated(), 40, 12);
    }

    #[test]
    fn containers_filter_and_all() {
        let mut model = populated();
        press_str(&mut model, "/web");
        snap!("containers_filter_typing_120x40", &model, 120, 40);
        press_str(&mut model, "\na");
        snap!("containers_filter_all_120x40", &model, 120, 40);
    }

    #[test]
    fn many_rows_scroll_with_the_selection() {
        let mut model = with_many_containers(500);
        press_str(&mut model, &"j".repeat(60));
        let screen = screen_text(&model, 120, 40);
        assert!(
            screen.contains("c-0060"),
            "selected row stays on screen:\n{screen}"
        );
        assert!(
            !screen.contains("c-0001 "),
            "rows above the window are not drawn:\n{screen}"
        );
    }
}
