//! A BuildKit build's progress, as the engine streams it: each
//! `moby.buildkit.trace` message carries a base64 `StatusResponse`
//! (BuildKit's control API: vertexes, statuses, logs), turned here into the
//! lines `docker build --progress=plain` prints ("#3 [2/4] COPY . .",
//! "#3 DONE 0.1s", "#5 ERROR: ...") and the `[i/n]` step for the gauge.
//! Pure, so it can be fuzzed with the bytes an engine could send.

use crate::domain::protobuf::{Field, all_bytes, bytes_of, fields, text_of, varint_of};
use std::collections::{HashMap, HashSet};

/// What one trace message adds to the build's output.
#[derive(Debug, Default, PartialEq)]
pub struct Traced {
    pub lines: Vec<String>,
    /// The last `[i/n] INSTRUCTION` step that started, with its numbers.
    pub step: Option<(u32, u32, String)>,
}

/// Follows one build's vertexes: each gets the number plain progress shows,
/// in the order they are first seen.
#[derive(Debug, Default)]
pub struct Progress {
    numbers: HashMap<String, usize>,
    announced: HashSet<String>,
    started: HashMap<String, f64>,
    finished: HashSet<String>,
    /// A vertex's log after its last newline, waiting for the rest of its line.
    pending: HashMap<String, String>,
}

/// A `google.protobuf.Timestamp` in seconds; None when the field is absent.
fn seconds(message: &[Field<'_>], number: u64) -> Option<f64> {
    let timestamp = fields(bytes_of(message, number)?)?;
    Some(varint_of(&timestamp, 1) as f64 + varint_of(&timestamp, 2) as f64 / 1e9)
}

impl Progress {
    fn number(&mut self, digest: &str) -> usize {
        let next = self.numbers.len() + 1;
        *self.numbers.entry(digest.to_string()).or_insert(next)
    }

    /// The lines one base64-decoded `StatusResponse` adds; an error sentence when it is
    /// not a well-formed message.
    pub fn feed(&mut self, status: &[u8]) -> Result<Traced, String> {
        let malformed = || "the engine sent a malformed BuildKit progress message".to_string();
        let response = fields(status).ok_or_else(malformed)?;
        let mut traced = Traced::default();
        // StatusResponse: vertexes (1), statuses (2), logs (3), warnings (4).
        for vertex in all_bytes(&response, 1) {
            let vertex = fields(vertex).ok_or_else(malformed)?;
            self.vertex(&vertex, &mut traced);
        }
        for status in all_bytes(&response, 2) {
            let status = fields(status).ok_or_else(malformed)?;
            // VertexStatus: ID (1), vertex (2), name (3), completed (8).
            let id = text_of(&status, 1);
            if seconds(&status, 8).is_some() && self.finished.insert(format!("status {id}")) {
                let number = self.number(&text_of(&status, 2));
                traced
                    .lines
                    .push(format!("#{number} {} done", text_of(&status, 3).trim()));
            }
        }
        for log in all_bytes(&response, 3) {
            let log = fields(log).ok_or_else(malformed)?;
            // VertexLog: vertex (1), timestamp (2), stream (3), msg (4).
            let digest = text_of(&log, 1);
            let number = self.number(&digest);
            let pending = self.pending.entry(digest).or_default();
            pending.push_str(&String::from_utf8_lossy(
                bytes_of(&log, 4).unwrap_or_default(),
            ));
            while let Some(end) = pending.find('\n') {
                let line: String = pending.drain(..=end).collect();
                traced
                    .lines
                    .push(format!("#{number} {}", line.trim_end_matches(['\r', '\n'])));
            }
        }
        for warning in all_bytes(&response, 4) {
            let warning = fields(warning).ok_or_else(malformed)?;
            // VertexWarning: vertex (1), level (2), short (3).
            let number = self.number(&text_of(&warning, 1));
            let short = String::from_utf8_lossy(bytes_of(&warning, 3).unwrap_or_default())
                .trim()
                .to_string();
            traced.lines.push(format!("#{number} WARNING: {short}"));
        }
        Ok(traced)
    }

    /// Vertex: digest (1), name (3), cached (4), started (5), completed (6), error (7).
    /// Announced once, when it starts (or is found cached, or fails, before that).
    fn vertex(&mut self, vertex: &[Field<'_>], traced: &mut Traced) {
        let digest = text_of(vertex, 1);
        let started = seconds(vertex, 5);
        let completed = seconds(vertex, 6);
        let cached = varint_of(vertex, 4) != 0;
        let error = text_of(vertex, 7);
        let begun = started.is_some() || completed.is_some() || cached || !error.is_empty();
        if !begun || self.finished.contains(&digest) {
            return;
        }
        let number = self.number(&digest);
        if self.announced.insert(digest.clone()) {
            let name = text_of(vertex, 3);
            traced.lines.push(format!("#{number} {name}"));
            if let Some((current, total)) = step_of(&name) {
                traced.step = Some((current, total, step_text(&name)));
            }
        }
        if let Some(at) = started {
            self.started.entry(digest.clone()).or_insert(at);
        }
        let line = if cached {
            "CACHED".to_string()
        } else if !error.is_empty() {
            format!("ERROR: {}", error.trim())
        } else if let Some(completed) = completed {
            let began = self.started.get(&digest).copied().unwrap_or(completed);
            format!("DONE {:.1}s", (completed - began).max(0.0))
        } else {
            return;
        };
        self.finished.insert(digest);
        traced.lines.push(format!("#{number} {line}"));
    }
}

/// "[stage-0 2/5] RUN make" or "[2/5] RUN make" -> (2, 5): the step a vertex is.
pub fn step_of(name: &str) -> Option<(u32, u32)> {
    let inside = name.strip_prefix('[')?.split_once(']')?.0;
    let fraction = inside.rsplit(' ').next()?;
    let (current, total) = fraction.split_once('/')?;
    Some((current.parse().ok()?, total.parse().ok()?))
}

/// "[stage-0 2/5] RUN make" -> "[2/5] RUN make", as newer engines name it.
fn step_text(name: &str) -> String {
    match name.strip_prefix('[').and_then(|rest| rest.split_once(']')) {
        Some((inside, rest)) => {
            let fraction = inside.rsplit(' ').next().unwrap_or(inside);
            format!("[{fraction}]{rest}")
        }
        None => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::protobuf::Writer;

    fn timestamp(seconds: u64, nanos: u64) -> Writer {
        Writer::default().varint(1, seconds).varint(2, nanos)
    }

    fn vertex(digest: &str, name: &str) -> Writer {
        Writer::default().text(1, digest).text(3, name)
    }

    fn status(vertexes: Vec<Writer>, logs: Vec<Writer>) -> Vec<u8> {
        let mut message = Writer::default();
        for v in vertexes {
            message = message.message(1, v);
        }
        for l in logs {
            message = message.message(3, l);
        }
        message.finish()
    }

    #[test]
    fn a_step_starts_logs_and_ends_as_plain_progress_prints_it() {
        let mut progress = Progress::default();
        let run = "[stage-0 2/2] RUN --mount=type=cache,target=/cache make";
        let started = vertex("sha256:b", run).message(5, timestamp(100, 0));
        let first = progress
            .feed(&status(
                vec![
                    vertex("sha256:a", "[internal] load remote build context")
                        .message(5, timestamp(99, 0)),
                    vertex("sha256:p", "[stage-0 1/2] FROM base"),
                    started.clone(),
                ],
                vec![],
            ))
            .unwrap();
        assert_eq!(
            first.lines,
            vec![
                "#1 [internal] load remote build context".to_string(),
                format!("#2 {run}")
            ]
        );
        assert_eq!(
            first.step,
            Some((
                2,
                2,
                "[2/2] RUN --mount=type=cache,target=/cache make".into()
            ))
        );
        let log = |msg: &str| Writer::default().text(1, "sha256:b").text(4, msg);
        let halves = progress
            .feed(&status(vec![], vec![log("hel"), log("lo\ndone-run\n")]))
            .unwrap();
        assert_eq!(halves.lines, vec!["#2 hello", "#2 done-run"]);
        let done = progress
            .feed(&status(
                vec![started.message(6, timestamp(100, 300_000_000))],
                vec![],
            ))
            .unwrap();
        assert_eq!(done.lines, vec!["#2 DONE 0.3s"]);
        assert_eq!(done.step, None, "a step is announced once");
    }

    #[test]
    fn cached_and_failed_vertexes_say_so_once() {
        let mut progress = Progress::default();
        let cached = vertex("sha256:c", "[1/2] FROM base").varint(4, 1);
        let failed = vertex("sha256:d", "[2/2] RUN false")
            .message(5, timestamp(1, 0))
            .text(
                7,
                "executor failed running [/bin/sh -c false]: exit code: 1",
            );
        let traced = progress
            .feed(&status(vec![cached.clone(), failed.clone()], vec![]))
            .unwrap();
        assert_eq!(
            traced.lines,
            vec![
                "#1 [1/2] FROM base",
                "#1 CACHED",
                "#2 [2/2] RUN false",
                "#2 ERROR: executor failed running [/bin/sh -c false]: exit code: 1"
            ]
        );
        let again = progress
            .feed(&status(vec![cached, failed], vec![]))
            .unwrap();
        assert!(again.lines.is_empty(), "{:?}", again.lines);
    }

    #[test]
    fn a_malformed_message_is_an_error_not_a_panic() {
        let mut progress = Progress::default();
        assert!(progress.feed(&[0x0a, 0x05, 0x01]).is_err());
        assert_eq!(step_of("[internal] load metadata"), None);
        assert_eq!(step_of("[builder 3/7] COPY . ."), Some((3, 7)));
    }
}
