//! A job: one action started (a build, a scale, a deploy…) with its output,
//! state and elapsed time, as the Jobs pane lists it.

use crate::app::core::command::JobId;
use crate::app::core::table::TableState;
use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

pub const JOB_OUTPUT_CAPACITY: usize = 2_000;
pub const MAX_JOBS: usize = 200;

/// A ring buffer push: the oldest entry goes when the buffer is full, so memory stays flat.
pub fn push_bounded<T>(buffer: &mut VecDeque<T>, item: T, capacity: usize) {
    if buffer.len() >= capacity {
        buffer.pop_front();
    }
    buffer.push_back(item);
}

#[derive(Debug, Clone, PartialEq)]
pub enum JobState {
    Running,
    Succeeded(String),
    Failed(String),
}

#[derive(Debug, Clone)]
pub struct Job {
    pub id: JobId,
    pub title: String,
    pub learn: String,
    pub state: JobState,
    pub started: SystemTime,
    pub finished: Option<SystemTime>,
    pub output: VecDeque<String>,
    pub step: Option<(u32, u32)>,
}

impl Job {
    pub fn elapsed(&self, now: SystemTime) -> Duration {
        self.finished
            .unwrap_or(now)
            .duration_since(self.started)
            .unwrap_or_default()
    }

    pub fn push_output(&mut self, line: String) {
        push_bounded(&mut self.output, line, JOB_OUTPUT_CAPACITY);
    }
}

/// The Jobs pane's entries, oldest first (at most `MAX_JOBS`), and its table.
#[derive(Debug, Clone, Default)]
pub struct Jobs {
    pub list: Vec<Job>,
    pub table: TableState,
}
