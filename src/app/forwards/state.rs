//! What the forwards feature keeps: every forward with what it reaches and
//! how much went through it, and the form's target.

use crate::app::core::table::{TableRow, TableState};
use crate::domain::forward::{ForwardId, ForwardKind, ForwardSpec, ForwardState, ForwardStats};
use std::cmp::Ordering;

/// One forward, as the Forwards pane lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardRow {
    pub id: ForwardId,
    pub spec: ForwardSpec,
    /// The pod it reaches now.
    pub pod: Option<String>,
    pub state: ForwardState,
    pub stats: ForwardStats,
    /// Kept in `pilothouse.toml`: started again when pilothouse starts.
    pub kept: bool,
}

/// The object the open forward form is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormTarget {
    pub namespace: String,
    pub kind: ForwardKind,
    pub name: String,
}

#[derive(Debug, Clone, Default)]
pub struct ForwardsState {
    pub rows: Vec<ForwardRow>,
    pub table: TableState,
    pub next_id: ForwardId,
    pub form_target: Option<FormTarget>,
    /// The local port the form proposed; replaced by a free one while the user has not typed.
    pub proposed: Option<u16>,
    /// `[[forward]]` of `pilothouse.toml` has been asked for.
    pub loaded: bool,
}

impl ForwardsState {
    pub fn alloc_id(&mut self) -> ForwardId {
        self.next_id += 1;
        self.next_id
    }

    pub fn row_mut(&mut self, id: ForwardId) -> Option<&mut ForwardRow> {
        self.rows.iter_mut().find(|r| r.id == id)
    }

    pub fn selected(&self) -> Option<&ForwardRow> {
        self.table.selected_row(&self.rows)
    }

    pub fn rebuild(&mut self) {
        self.table.rebuild(&self.rows, |_| true);
    }

    /// Forwards listening now (not ended).
    pub fn running(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| !matches!(r.state, ForwardState::Ended(_)))
            .count()
    }
}

impl TableRow for ForwardRow {
    fn key(&self) -> String {
        self.id.to_string()
    }
    fn has_key(&self, key: &str) -> bool {
        key.parse() == Ok(self.id)
    }
    fn matches(&self, needle: &str) -> bool {
        [
            self.spec.target(),
            self.spec.namespace.clone(),
            self.spec.url(),
            self.pod.clone().unwrap_or_default(),
            self.state.label(),
        ]
        .iter()
        .any(|text| crate::app::core::rows::contains_lower(text, needle))
    }
    fn compare(&self, other: &Self, column: usize) -> Ordering {
        match column {
            0 => self.spec.target().cmp(&other.spec.target()),
            1 => self.spec.local_port.cmp(&other.spec.local_port),
            2 => self.pod.cmp(&other.pod),
            3 => self.state.label().cmp(&other.state.label()),
            4 => self.stats.total.cmp(&other.stats.total),
            _ => (self.stats.bytes_in + self.stats.bytes_out)
                .cmp(&(other.stats.bytes_in + other.stats.bytes_out)),
        }
    }
    fn column_count() -> usize {
        6
    }
}
