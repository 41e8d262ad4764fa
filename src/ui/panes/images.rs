//! Images: `docker images` as a live table.

use crate::app::core::model::Model;
use crate::domain::{ImageRow, humanize_ago, humanize_size};
use crate::theme::Theme;
use crate::ui::panes::pane_block;
use crate::ui::table::{Column, TableView};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::Cell;

pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let now = model.shared.now;
    let columns = vec![
        Column::new("REPOSITORY", Constraint::Fill(3), |i: &ImageRow| {
            Cell::from(i.repository.clone())
        }),
        Column::new("TAG", Constraint::Fill(1), |i: &ImageRow| {
            Cell::from(i.tag.clone())
        }),
        Column::new("IMAGE ID", Constraint::Length(12), |i: &ImageRow| {
            Cell::from(i.short_id().to_string())
        }),
        Column::new("CREATED", Constraint::Length(14), move |i: &ImageRow| {
            Cell::from(humanize_ago(i.created, now))
        }),
        Column::new("SIZE", Constraint::Length(8), |i: &ImageRow| {
            Cell::from(humanize_size(i.size))
        }),
    ];
    TableView {
        block: pane_block("Images".to_string(), model, theme),
        columns,
        rows: &model.docker.images,
        state: &model.docker.images_table,
        empty: crate::ui::panes::empty_line(
            model,
            theme,
            "No images yet. Press b to build one from a Dockerfile.",
        ),
    }
    .render(frame, area, theme);
}

#[cfg(test)]
mod tests {
    use crate::ui::testing::*;

    #[test]
    fn images_pane_states() {
        for (w, h) in SIZES {
            snap!(
                &format!("images_empty_{w}x{h}"),
                &on_pane(connected(empty_model()), '2'),
                w,
                h
            );
            snap!(
                &format!("images_disconnected_{w}x{h}"),
                &on_pane(disconnected(empty_model()), '2'),
                w,
                h
            );
            snap!(
                &format!("images_populated_{w}x{h}"),
                &on_pane(populated(), '2'),
                w,
                h
            );
            snap!(
                &format!("images_long_names_{w}x{h}"),
                &on_pane(long_names(), '2'),
                w,
                h
            );
        }
        snap!("images_narrow_40x12", &on_pane(populated(), '2'), 40, 12);
    }

    #[test]
    fn images_sorted_by_size_descending() {
        let mut model = on_pane(populated(), '2');
        press_str(&mut model, ">>>>><");
        snap!("images_sorted_size_desc_120x40", &model, 120, 40);
    }
}
