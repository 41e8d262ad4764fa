//! The one table widget every pane uses: columns, a sort marker, the
//! selection, and virtual scrolling (only the rows on screen are built).

use crate::app::core::table::TableState;
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, TableState as WidgetState};

pub struct Column<'a, R> {
    pub title: &'static str,
    pub width: Constraint,
    /// Left out when the table is narrower than this, so the rest stay readable.
    pub hide_below: u16,
    #[allow(clippy::type_complexity)]
    pub cell: Box<dyn Fn(&R) -> Cell<'static> + 'a>,
}

impl<'a, R> Column<'a, R> {
    pub fn new(
        title: &'static str,
        width: Constraint,
        cell: impl Fn(&R) -> Cell<'static> + 'a,
    ) -> Self {
        Self {
            title,
            width,
            hide_below: 0,
            cell: Box::new(cell),
        }
    }

    pub fn hide_below(mut self, width: u16) -> Self {
        self.hide_below = width;
        self
    }
}

pub struct TableView<'a, R> {
    pub block: Block<'a>,
    pub columns: Vec<Column<'a, R>>,
    pub rows: &'a [R],
    pub state: &'a TableState,
    /// Shown instead of rows when the view is empty.
    pub empty: Line<'a>,
}

impl<R> TableView<'_, R> {
    pub fn render(self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let inner = self.block.inner(area);
        frame.render_widget(self.block, area);
        // Each visible column keeps its full index: sort markers and sort order speak of that.
        let columns: Vec<(usize, &Column<R>)> = self
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| area.width >= c.hide_below)
            .collect();
        let titles: Vec<String> = columns
            .iter()
            .map(|(i, c)| column_title(c.title, *i, self.state))
            .collect();
        if self.state.view.is_empty() {
            let header = Line::from(
                titles
                    .into_iter()
                    .map(|t| Span::styled(format!("{t}  "), theme.header))
                    .collect::<Vec<_>>(),
            );
            let text = Paragraph::new(vec![header, Line::default(), self.empty])
                .wrap(ratatui::widgets::Wrap { trim: false });
            frame.render_widget(text, inner);
            return;
        }
        let height = inner.height.saturating_sub(1) as usize;
        let offset = self.state.offset_for(height);
        let end = (offset + height).min(self.state.view.len());
        let rows: Vec<Row> = self.state.view[offset..end]
            .iter()
            .filter_map(|&i| self.rows.get(i))
            .map(|row| Row::new(columns.iter().map(|(_, c)| (c.cell)(row))).style(theme.text))
            .collect();
        let header = Row::new(titles.into_iter().map(Cell::from)).style(theme.header);
        let widths: Vec<Constraint> = columns.iter().map(|(_, c)| c.width).collect();
        let table = Table::new(rows, widths)
            .header(header)
            .row_highlight_style(theme.selected)
            .column_spacing(1);
        let mut widget_state =
            WidgetState::default().with_selected(Some(self.state.selected - offset));
        frame.render_stateful_widget(table, inner, &mut widget_state);
    }
}

fn column_title(title: &str, index: usize, state: &TableState) -> String {
    match state.sort_column {
        Some(c) if c == index => format!("{title}{}", if state.descending { "▼" } else { "▲" }),
        _ => title.to_string(),
    }
}
