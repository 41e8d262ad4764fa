//! Selection, filter and sort of one table, kept in the model. The visible
//! order (`view`) is rebuilt here when rows or the filter change, so drawing a
//! frame only touches the rows on screen.

use std::cmp::Ordering;

pub trait TableRow {
    /// Stable identity, so the selection follows a row across relists.
    fn key(&self) -> String;
    /// `self.key() == key`, without building the key for every row.
    fn has_key(&self, key: &str) -> bool;
    /// Whether the row matches a lowercase filter needle.
    fn matches(&self, needle: &str) -> bool;
    /// Order by one column; column numbers follow the pane's columns.
    fn compare(&self, other: &Self, column: usize) -> Ordering;
    fn column_count() -> usize;
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableState {
    /// Indices into the row set, filtered and sorted.
    pub view: Vec<usize>,
    /// Position in `view`.
    pub selected: usize,
    pub filter: String,
    pub sort_column: Option<usize>,
    pub descending: bool,
}

impl TableState {
    pub fn rebuild<R: TableRow>(&mut self, rows: &[R], keep: impl Fn(&R) -> bool) {
        let selected_key = self
            .selected_index()
            .and_then(|i| rows.get(i))
            .map(|r| r.key());
        self.rebuild_keeping(rows, keep, selected_key.as_deref());
    }

    /// As `rebuild`, with the key to keep selected named by the caller (the rows
    /// may have been replaced already, so the old index would point elsewhere).
    pub fn rebuild_keeping<R: TableRow>(
        &mut self,
        rows: &[R],
        keep: impl Fn(&R) -> bool,
        selected_key: Option<&str>,
    ) {
        let needle = self.filter.to_lowercase();
        self.view.clear();
        self.view.extend(
            (0..rows.len())
                .filter(|&i| keep(&rows[i]) && (needle.is_empty() || rows[i].matches(&needle))),
        );
        if let Some(column) = self.sort_column {
            let descending = self.descending;
            self.view.sort_by(|&a, &b| {
                let order = rows[a].compare(&rows[b], column);
                if descending { order.reverse() } else { order }
            });
        }
        if let Some(key) = selected_key
            && let Some(pos) = self.view.iter().position(|&i| rows[i].has_key(key))
        {
            self.selected = pos;
        }
        self.clamp();
    }

    pub fn selected_index(&self) -> Option<usize> {
        self.view.get(self.selected).copied()
    }

    pub fn selected_row<'a, R>(&self, rows: &'a [R]) -> Option<&'a R> {
        self.selected_index().and_then(|i| rows.get(i))
    }

    pub fn move_by(&mut self, delta: isize) {
        let last = self.view.len().saturating_sub(1) as isize;
        self.selected = (self.selected as isize + delta).clamp(0, last.max(0)) as usize;
    }

    pub fn top(&mut self) {
        self.selected = 0;
    }

    pub fn bottom(&mut self) {
        self.selected = self.view.len().saturating_sub(1);
    }

    fn clamp(&mut self) {
        if self.selected >= self.view.len() {
            self.selected = self.view.len().saturating_sub(1);
        }
    }

    /// Next sort column; after the last one, back to the source's own order.
    pub fn sort_next(&mut self, columns: usize) {
        self.sort_column = match self.sort_column {
            None => Some(0),
            Some(c) if c + 1 < columns => Some(c + 1),
            Some(_) => None,
        };
    }

    /// The first row shown so that the selection stays on a screen of `height` rows.
    pub fn offset_for(&self, height: usize) -> usize {
        if height == 0 {
            0
        } else {
            self.selected.saturating_sub(height - 1)
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A row of two columns: a name (the key, and what the filter reads) and a number.
    #[derive(Debug, Clone, PartialEq)]
    pub(crate) struct Item(pub String, pub u32);

    impl TableRow for Item {
        fn key(&self) -> String {
            self.0.clone()
        }
        fn has_key(&self, key: &str) -> bool {
            self.0 == key
        }
        fn matches(&self, needle: &str) -> bool {
            self.0.contains(needle)
        }
        fn compare(&self, other: &Self, column: usize) -> Ordering {
            if column == 0 {
                self.0.cmp(&other.0)
            } else {
                self.1.cmp(&other.1)
            }
        }
        fn column_count() -> usize {
            2
        }
    }

    fn items(names: &[(&str, u32)]) -> Vec<Item> {
        names.iter().map(|(n, v)| Item(n.to_string(), *v)).collect()
    }

    #[test]
    fn filter_sort_and_selection_follow_the_row() {
        let rows = items(&[("web", 3), ("db", 1), ("worker", 2)]);
        let mut state = TableState::default();
        state.rebuild(&rows, |_| true);
        assert_eq!(state.view, vec![0, 1, 2]);
        state.move_by(2);
        assert_eq!(state.selected_row(&rows).unwrap().0, "worker");
        state.sort_column = Some(1);
        state.rebuild(&rows, |_| true);
        assert_eq!(state.view, vec![1, 2, 0]);
        assert_eq!(
            state.selected_row(&rows).unwrap().0,
            "worker",
            "selection follows the row"
        );
        state.filter = "W".into();
        state.rebuild(&rows, |_| true);
        assert_eq!(state.view, vec![2, 0]);
        state.descending = true;
        state.rebuild(&rows, |_| true);
        assert_eq!(state.view, vec![0, 2]);
    }

    #[test]
    fn selection_clamps_when_rows_go_away_and_movement_is_bounded() {
        let mut state = TableState::default();
        state.rebuild(&items(&[("a", 1), ("b", 2), ("c", 3)]), |_| true);
        state.bottom();
        state.rebuild(&items(&[("x", 1)]), |_| true);
        assert_eq!(state.selected, 0);
        state.move_by(-5);
        assert_eq!(state.selected, 0);
        state.rebuild(&items(&[]), |_| true);
        assert_eq!(state.selected_index(), None);
        state.move_by(3);
        assert_eq!(state.selected, 0);
    }

    #[test]
    fn sort_cycles_through_columns_and_back_to_source_order() {
        let mut state = TableState::default();
        state.sort_next(2);
        assert_eq!(state.sort_column, Some(0));
        state.sort_next(2);
        assert_eq!(state.sort_column, Some(1));
        state.sort_next(2);
        assert_eq!(state.sort_column, None);
    }

    #[test]
    fn offset_keeps_the_selection_on_screen() {
        let mut state = TableState {
            view: (0..100).collect(),
            ..Default::default()
        };
        assert_eq!(state.offset_for(10), 0);
        state.selected = 25;
        assert_eq!(state.offset_for(10), 16);
    }
}
