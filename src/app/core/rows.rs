//! How the model's own rows (containers, images, Cloud Run services, jobs) are
//! keyed, filtered and sorted by the shared table.

use crate::app::core::model::Job;
use crate::app::core::table::TableRow;
use crate::domain::{ContainerRow, ImageRow};
use std::cmp::Ordering;

pub(crate) fn contains_lower(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(needle)
}

impl TableRow for ContainerRow {
    fn key(&self) -> String {
        self.id.clone()
    }
    fn has_key(&self, key: &str) -> bool {
        self.id == key
    }
    fn matches(&self, needle: &str) -> bool {
        contains_lower(&self.name, needle)
            || contains_lower(&self.image, needle)
            || self.id.starts_with(needle)
            || contains_lower(&self.status, needle)
    }
    fn compare(&self, other: &Self, column: usize) -> Ordering {
        match column {
            0 => self.id.cmp(&other.id),
            1 => self.image.cmp(&other.image),
            2 => self.command.cmp(&other.command),
            3 => other.created.cmp(&self.created),
            4 => self
                .state
                .cmp(&other.state)
                .then_with(|| self.status.cmp(&other.status)),
            5 => self.ports.cmp(&other.ports),
            _ => self.name.cmp(&other.name),
        }
    }
    fn column_count() -> usize {
        7
    }
}

impl TableRow for ImageRow {
    fn key(&self) -> String {
        format!("{}|{}:{}", self.id, self.repository, self.tag)
    }
    fn has_key(&self, key: &str) -> bool {
        // Several tags share an image id, so the key is id and reference.
        key.strip_prefix(self.id.as_str())
            .and_then(|rest| rest.strip_prefix('|'))
            .and_then(|rest| rest.strip_prefix(self.repository.as_str()))
            .and_then(|rest| rest.strip_prefix(':'))
            == Some(self.tag.as_str())
    }
    fn matches(&self, needle: &str) -> bool {
        contains_lower(&self.repository, needle)
            || contains_lower(&self.tag, needle)
            || self.id.trim_start_matches("sha256:").starts_with(needle)
    }
    fn compare(&self, other: &Self, column: usize) -> Ordering {
        match column {
            0 => self.repository.cmp(&other.repository),
            1 => self.tag.cmp(&other.tag),
            2 => self.id.cmp(&other.id),
            3 => other.created.cmp(&self.created),
            _ => self.size.cmp(&other.size),
        }
    }
    fn column_count() -> usize {
        5
    }
}

impl TableRow for crate::domain::cloud::CloudServiceRow {
    fn key(&self) -> String {
        format!("{}/{}", self.region, self.name)
    }
    fn has_key(&self, key: &str) -> bool {
        key.strip_prefix(self.region.as_str())
            .and_then(|rest| rest.strip_prefix('/'))
            == Some(self.name.as_str())
    }
    fn matches(&self, needle: &str) -> bool {
        contains_lower(&self.name, needle) || contains_lower(&self.region, needle)
    }
    fn compare(&self, other: &Self, column: usize) -> Ordering {
        match column {
            0 => self.name.cmp(&other.name),
            1 => self.region.cmp(&other.region),
            2 => self.url.cmp(&other.url),
            _ => other.last_deployed.cmp(&self.last_deployed),
        }
    }
    fn column_count() -> usize {
        4
    }
}

impl TableRow for crate::domain::cloud::CloudRevisionRow {
    fn key(&self) -> String {
        self.name.clone()
    }
    fn has_key(&self, key: &str) -> bool {
        self.name == key
    }
    fn matches(&self, needle: &str) -> bool {
        contains_lower(&self.name, needle) || contains_lower(&self.image, needle)
    }
    fn compare(&self, other: &Self, column: usize) -> Ordering {
        match column {
            0 => self.name.cmp(&other.name),
            1 => other.percent.cmp(&self.percent),
            2 => self.image.cmp(&other.image),
            _ => other.created.cmp(&self.created),
        }
    }
    fn column_count() -> usize {
        4
    }
}

impl TableRow for Job {
    fn key(&self) -> String {
        self.id.to_string()
    }
    fn has_key(&self, key: &str) -> bool {
        key.parse() == Ok(self.id)
    }
    fn matches(&self, needle: &str) -> bool {
        contains_lower(&self.title, needle) || contains_lower(&self.learn, needle)
    }
    fn compare(&self, other: &Self, column: usize) -> Ordering {
        match column {
            0 => self.id.cmp(&other.id),
            1 => self.title.cmp(&other.title),
            _ => self.started.cmp(&other.started),
        }
    }
    fn column_count() -> usize {
        3
    }
}
