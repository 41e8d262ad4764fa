//! Watch-driven changes applied row by row. The model keeps the rows of one
//! kind with an index by key, and the table's view is kept in step without a
//! rebuild: a change to one pod of 10,000 costs that pod's row, a hash lookup
//! and at most a pass over the view's integers, never a sort or a clone of the
//! other rows.

use crate::app::core::table::{TableRow, TableState};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::ops::Deref;

/// What changed in one kind since the last report: rows added or replaced, keys gone.
#[derive(Debug, Clone, PartialEq)]
pub struct RowChanges<R> {
    pub upserted: Vec<R>,
    pub removed: Vec<String>,
}

impl<R> Default for RowChanges<R> {
    fn default() -> Self {
        Self {
            upserted: Vec::new(),
            removed: Vec::new(),
        }
    }
}

/// What the kube source reports for one kind: every row after a (re)list, or
/// what changed since its last report.
#[derive(Debug, Clone, PartialEq)]
pub enum RowsUpdate<R> {
    All(Vec<R>),
    Changed(RowChanges<R>),
}

impl<R> From<Vec<R>> for RowsUpdate<R> {
    fn from(rows: Vec<R>) -> Self {
        Self::All(rows)
    }
}

impl<R> RowsUpdate<R> {
    /// The rows this update brings (all of them, or those added and changed).
    pub fn rows(&self) -> &[R] {
        match self {
            Self::All(rows) => rows,
            Self::Changed(changes) => &changes.upserted,
        }
    }
}

/// Rows in arrival order, found by key. Read as a slice; changed only through
/// `From<Vec<R>>` (a relist) or `apply` (a watch batch), which keep the index true.
#[derive(Debug, Clone)]
pub struct KeyedRows<R> {
    rows: Vec<R>,
    index: HashMap<String, usize>,
}

impl<R> Default for KeyedRows<R> {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            index: HashMap::new(),
        }
    }
}

impl<R: TableRow> From<Vec<R>> for KeyedRows<R> {
    fn from(rows: Vec<R>) -> Self {
        let index = rows.iter().enumerate().map(|(i, r)| (r.key(), i)).collect();
        Self { rows, index }
    }
}

impl<R> Deref for KeyedRows<R> {
    type Target = [R];
    fn deref(&self) -> &[R] {
        &self.rows
    }
}

impl<R: TableRow> KeyedRows<R> {
    /// Apply one batch and keep `table`'s view, sorted and filtered, as a full
    /// rebuild would leave it, the selection on the same row. `keep` is the
    /// pane's own scope (a deployment's pods). Returns whether the screen can
    /// have changed: rows shown or hidden, moved, or changed within `window`
    /// rows of the selection (a screen's height either side covers whatever
    /// part of the view is on screen).
    pub fn apply(
        &mut self,
        changes: RowChanges<R>,
        table: &mut TableState,
        keep: impl Fn(&R) -> bool,
        window: usize,
    ) -> bool {
        let needle = table.filter.to_lowercase();
        let shown = |row: &R| keep(row) && (needle.is_empty() || row.matches(&needle));
        let near = table.selected.saturating_sub(window)
            ..(table.selected + window + 1).min(table.view.len());
        let mut selected_row = table.selected_index();
        let mut moved = false;
        let mut near_changed = false;
        for row in changes.upserted {
            let key = row.key();
            let Some(&i) = self.index.get(&key) else {
                let i = self.rows.len();
                self.index.insert(key, i);
                self.rows.push(row);
                if shown(&self.rows[i]) {
                    insert_into_view(table, &self.rows, i);
                    moved = true;
                }
                continue;
            };
            let was = shown(&self.rows[i]);
            let now = shown(&row);
            let same_place = table
                .sort_column
                .is_none_or(|column| self.rows[i].compare(&row, column) == Ordering::Equal);
            if was && now && same_place {
                near_changed |= !moved && table.view[near.clone()].contains(&i);
                self.rows[i] = row;
                continue;
            }
            if was {
                remove_from_view(table, i);
            }
            self.rows[i] = row;
            if now {
                insert_into_view(table, &self.rows, i);
            }
            moved |= was || now;
        }
        for key in changes.removed {
            let Some(i) = self.index.remove(&key) else {
                continue;
            };
            moved |= remove_from_view(table, i);
            if selected_row == Some(i) {
                selected_row = None;
            }
            let last = self.rows.len() - 1;
            self.rows.swap_remove(i);
            if i != last {
                // The last row now lives at `i`: its index entry and its place in the view follow.
                self.index.insert(self.rows[i].key(), i);
                if remove_from_view(table, last) {
                    insert_into_view(table, &self.rows, i);
                    moved = true;
                }
                if selected_row == Some(last) {
                    selected_row = Some(i);
                }
            }
        }
        if moved {
            if let Some(pos) = selected_row.and_then(|r| table.view.iter().position(|&v| v == r)) {
                table.selected = pos;
            }
            table.selected = table.selected.min(table.view.len().saturating_sub(1));
        }
        moved || near_changed
    }
}

/// Where the full rebuild would put row `i`: by the sort column (reversed when
/// descending), ties in row order, as the stable sort leaves them.
fn insert_into_view<R: TableRow>(table: &mut TableState, rows: &[R], i: usize) {
    let order = |v: usize| match table.sort_column {
        None => Ordering::Equal,
        Some(column) if table.descending => rows[v].compare(&rows[i], column).reverse(),
        Some(column) => rows[v].compare(&rows[i], column),
    };
    let pos = table
        .view
        .partition_point(|&v| order(v).then(v.cmp(&i)) == Ordering::Less);
    table.view.insert(pos, i);
}

fn remove_from_view(table: &mut TableState, i: usize) -> bool {
    match table.view.iter().position(|&v| v == i) {
        Some(pos) => {
            table.view.remove(pos);
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::core::table::tests::Item;

    /// A small deterministic generator, so a failure can be replayed.
    struct Lcg(u64);
    impl Lcg {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) % n
        }
    }

    /// Thousands of random batches (adds, changes that move a row or not, removals,
    /// under every sort, order, filter and scope), each checked against a full rebuild.
    #[test]
    fn applied_changes_leave_the_view_a_rebuild_would() {
        let mut random = Lcg(7);
        for round in 0..200 {
            let mut table = TableState {
                sort_column: [None, Some(0), Some(1)][random.below(3) as usize],
                descending: random.below(2) == 1,
                filter: ["", "1", "2"][random.below(3) as usize].to_string(),
                ..Default::default()
            };
            let odd_only = random.below(3) == 0;
            let keep = |item: &Item| !odd_only || item.1 % 2 == 1;
            let mut rows = KeyedRows::from(
                (0..random.below(30))
                    .map(|n| Item(format!("pod-{n}"), random.below(5) as u32))
                    .collect::<Vec<_>>(),
            );
            table.rebuild(&rows, keep);
            for batch in 0..20 {
                let mut changes = RowChanges::default();
                for _ in 0..random.below(4) {
                    let name = format!("pod-{}", random.below(40));
                    if random.below(4) == 0 {
                        changes.removed.push(name);
                    } else {
                        changes.upserted.push(Item(name, random.below(5) as u32));
                    }
                }
                table.move_by(random.below(7) as isize - 3);
                let selected_key = table.selected_row(&rows).map(TableRow::key);
                let before = table.clone();
                rows.apply(changes.clone(), &mut table, keep, 100);
                let mut expected = before.clone();
                expected.rebuild_keeping(&rows, keep, selected_key.as_deref());
                assert_eq!(
                    table.view, expected.view,
                    "round {round} batch {batch}: {changes:?} from {before:?}"
                );
                if selected_key
                    .as_deref()
                    .is_some_and(|key| rows.iter().any(|r| r.has_key(key) && keep(r)))
                {
                    assert_eq!(
                        table.selected, expected.selected,
                        "round {round} batch {batch}"
                    );
                }
                for (i, row) in rows.iter().enumerate() {
                    assert_eq!(
                        rows.index.get(&row.0),
                        Some(&i),
                        "the index follows the rows"
                    );
                }
                assert_eq!(rows.index.len(), rows.len());
            }
        }
    }

    #[test]
    fn a_change_far_from_the_selection_does_not_touch_the_screen() {
        let mut rows = KeyedRows::from(
            (0..1000)
                .map(|n| Item(format!("pod-{n:04}"), 0))
                .collect::<Vec<_>>(),
        );
        let mut table = TableState {
            sort_column: Some(0),
            ..Default::default()
        };
        table.rebuild(&rows, |_| true);
        let far = RowChanges {
            upserted: vec![Item("pod-0900".into(), 1)],
            removed: vec![],
        };
        assert!(!rows.apply(far, &mut table, |_| true, 40));
        assert_eq!(rows[900].1, 1, "the row is still updated");
        let near = RowChanges {
            upserted: vec![Item("pod-0010".into(), 1)],
            removed: vec![],
        };
        assert!(rows.apply(near, &mut table, |_| true, 40));
        let added = RowChanges {
            upserted: vec![Item("pod-5000".into(), 0)],
            removed: vec![],
        };
        assert!(
            rows.apply(added, &mut table, |_| true, 40),
            "a new row changes the count in the title"
        );
    }
}
