//! The rows of one watched kind, between its watch task and the batcher that
//! reports them to the model: what changed since the last report, and, for
//! Events, a bound on how many are kept.

use crate::app::core::keyed::{RowChanges, RowsUpdate};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

/// At most this many Events are kept: a busy cluster writes hundreds a
/// minute, and the Events pane shows the newest.
pub const MAX_EVENTS: usize = 2_000;

/// Rows by namespace/name, and what changed since the batcher last reported.
pub struct Store<R> {
    rows: BTreeMap<String, R>,
    changed: BTreeSet<String>,
    /// A relist replaced the rows: the next report is the whole list.
    relisted: bool,
    /// Keep only this many rows, dropping the oldest by this age.
    newest: Option<(usize, Age<R>)>,
}

/// How old a row is, to drop the oldest first.
type Age<R> = fn(&R) -> i64;

pub type Rows<R> = Arc<Mutex<Store<R>>>;

impl<R> Default for Store<R> {
    fn default() -> Self {
        Self {
            rows: BTreeMap::new(),
            changed: BTreeSet::new(),
            relisted: false,
            newest: None,
        }
    }
}

impl<R> Store<R> {
    /// A store that keeps only the `count` newest rows by `age`.
    pub fn newest(count: usize, age: Age<R>) -> Self {
        Self {
            newest: Some((count, age)),
            ..Self::default()
        }
    }

    /// A relist: the rows in full, reported whole.
    pub fn replace(&mut self, fresh: BTreeMap<String, R>) {
        self.rows = fresh;
        self.changed.clear();
        self.relisted = true;
        while self.drop_oldest() {}
    }

    pub fn upsert(&mut self, key: String, row: R) {
        self.rows.insert(key.clone(), row);
        self.changed.insert(key);
        self.drop_oldest();
    }

    pub fn remove(&mut self, key: String) {
        self.rows.remove(&key);
        self.changed.insert(key);
    }

    /// Over the bound: drop the oldest row (reported as removed). Whether one was dropped.
    fn drop_oldest(&mut self) -> bool {
        let Some((count, age)) = self.newest else {
            return false;
        };
        if self.rows.len() <= count {
            return false;
        }
        let Some(oldest) = self
            .rows
            .iter()
            .min_by_key(|(_, row)| age(row))
            .map(|(key, _)| key.clone())
        else {
            return false;
        };
        self.rows.remove(&oldest);
        self.changed.insert(oldest);
        true
    }
}

impl<R: Clone> Store<R> {
    pub fn snapshot(&self) -> Vec<R> {
        self.rows.values().cloned().collect()
    }

    /// The whole list after a relist; otherwise only the rows changed since the last report.
    pub fn report(&mut self) -> RowsUpdate<R> {
        let keys = std::mem::take(&mut self.changed);
        if std::mem::take(&mut self.relisted) {
            return RowsUpdate::All(self.snapshot());
        }
        let mut changes = RowChanges::default();
        for key in keys {
            match self.rows.get(&key) {
                Some(row) => changes.upserted.push(row.clone()),
                None => changes.removed.push(key),
            }
        }
        RowsUpdate::Changed(changes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changed(upserted: Vec<i64>, removed: &[&str]) -> RowsUpdate<i64> {
        RowsUpdate::Changed(RowChanges {
            upserted,
            removed: removed.iter().map(|k| k.to_string()).collect(),
        })
    }

    #[test]
    fn changes_are_reported_once_and_a_relist_whole() {
        let mut store = Store::default();
        store.upsert("a".into(), 1);
        store.upsert("b".into(), 2);
        store.upsert("a".into(), 3);
        store.remove("b".into());
        assert_eq!(store.report(), changed(vec![3], &["b"]));
        assert_eq!(store.report(), changed(vec![], &[]), "reported once");
        store.upsert("d".into(), 4);
        store.replace(BTreeMap::from([("c".to_string(), 5)]));
        assert_eq!(
            store.report(),
            RowsUpdate::All(vec![5]),
            "the relist, not the change before it"
        );
    }

    #[test]
    fn a_bounded_store_keeps_the_newest_and_reports_the_oldest_gone() {
        let mut store = Store::newest(3, |age: &i64| *age);
        for age in [10, 20, 30, 40, 5] {
            store.upsert(format!("e{age}"), age);
        }
        assert_eq!(store.snapshot(), vec![20, 30, 40]);
        assert_eq!(store.report(), changed(vec![20, 30, 40], &["e10", "e5"]));
        let fresh = (0..10).map(|age| (format!("e{age}"), age)).collect();
        store.replace(fresh);
        assert_eq!(store.report(), RowsUpdate::All(vec![7, 8, 9]));
    }
}
