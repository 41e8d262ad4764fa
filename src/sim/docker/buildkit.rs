//! A build asked for with `version=2` streams as a BuildKit engine's does:
//! each step a vertex ("[2/5] COPY . ."), started and completed, what it
//! printed as the vertex's log, then "exporting to image" and the
//! `moby.image.id` message, all inside `moby.buildkit.trace` messages
//! (a base64 `StatusResponse` of BuildKit's control API). The build itself
//! is the classic one the sim runs; this turns its messages into traces.

use crate::domain::protobuf::Writer;
use base64::Engine as _;
use serde_json::{Value, json};
use std::time::{SystemTime, UNIX_EPOCH};

fn timestamp() -> Writer {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Writer::default()
        .varint(1, now.as_secs())
        .varint(2, u64::from(now.subsec_nanos()))
}

fn digest(name: &str, number: usize) -> String {
    format!(
        "sha256:{}",
        crate::sim::docker::state::sha256_hex(&[name.as_bytes(), &number.to_be_bytes()])
    )
}

/// One trace message: a StatusResponse of vertexes (1) and logs (3).
fn trace(vertexes: Vec<Writer>, logs: Vec<Writer>) -> Value {
    let mut status = Writer::default();
    for vertex in vertexes {
        status = status.message(1, vertex);
    }
    for log in logs {
        status = status.message(3, log);
    }
    let encoded = base64::engine::general_purpose::STANDARD.encode(status.finish());
    json!({"id": "moby.buildkit.trace", "aux": encoded})
}

struct Vertex {
    digest: String,
    name: String,
    started: Writer,
}

impl Vertex {
    /// Vertex: digest (1), name (3), started (5), completed (6), error (7).
    fn message(&self) -> Writer {
        Writer::default()
            .text(1, &self.digest)
            .text(3, &self.name)
            .message(5, self.started.clone())
    }
}

/// Turns the classic build's messages into BuildKit's, as they come.
#[derive(Default)]
pub struct Traces {
    current: Option<Vertex>,
    count: usize,
    /// BuildKit's steps: the instructions that make a layer (FROM an image,
    /// COPY, ADD, RUN, WORKDIR); metadata (ENV, LABEL, EXPOSE, CMD, ...) is no step.
    steps: u32,
    step: u32,
}

/// Whether the instruction "KEYWORD args" is a step of its own under BuildKit.
fn is_step(instruction: &str) -> bool {
    let (keyword, args) = instruction.split_once(' ').unwrap_or((instruction, ""));
    match keyword.to_ascii_uppercase().as_str() {
        "FROM" => !args.trim().to_ascii_lowercase().starts_with("scratch"),
        "COPY" | "ADD" | "RUN" | "WORKDIR" => true,
        _ => false,
    }
}

impl Traces {
    /// For a Dockerfile of these instructions (as the classic builder echoes them).
    pub fn new<'a>(instructions: impl IntoIterator<Item = &'a str>) -> Self {
        let steps = instructions.into_iter().filter(|i| is_step(i)).count();
        Traces {
            steps: u32::try_from(steps).unwrap_or(u32::MAX),
            ..Default::default()
        }
    }

    fn start(&mut self, name: String, out: &mut Vec<Value>) {
        self.finish_current(None, out);
        self.count += 1;
        let vertex = Vertex {
            digest: digest(&name, self.count),
            name,
            started: timestamp(),
        };
        out.push(trace(vec![vertex.message()], vec![]));
        self.current = Some(vertex);
    }

    fn finish_current(&mut self, error: Option<&str>, out: &mut Vec<Value>) {
        if let Some(vertex) = self.current.take() {
            let mut message = vertex.message().message(6, timestamp());
            if let Some(error) = error {
                message = message.text(7, error);
            }
            out.push(trace(vec![message], vec![]));
        }
    }

    /// What the classic message `value` becomes.
    pub fn translate(&mut self, value: Value) -> Vec<Value> {
        let mut out = Vec::new();
        if let Some(message) = value["errorDetail"]["message"].as_str() {
            self.finish_current(Some(message), &mut out);
            out.push(value);
            return out;
        }
        if value.get("aux").is_some() {
            // The image is made: the export step, then its id as BuildKit names it.
            self.finish_current(None, &mut out);
            let id = value["aux"]["ID"].as_str().unwrap_or_default().to_string();
            self.start("exporting to image".into(), &mut out);
            out.extend(self.log(&format!("writing image {id} done")));
            self.finish_current(None, &mut out);
            out.push(json!({"id": "moby.image.id", "aux": {"ID": id}}));
            return out;
        }
        let Some(text) = value["stream"].as_str() else {
            out.push(value);
            return out;
        };
        let line = text.trim_end();
        if let Some(rest) = line.strip_prefix("Step ") {
            // "Step 3/6 : COPY . ." -> "[2/4] COPY . .", counting only BuildKit's steps.
            let instruction = rest.split_once(" : ").map_or("", |(_, i)| i);
            if is_step(instruction) {
                self.step += 1;
                let (step, steps) = (self.step, self.steps.max(self.step));
                self.start(format!("[{step}/{steps}] {instruction}"), &mut out);
            } else {
                // Its output, if any, belongs to no vertex of its own.
                self.finish_current(None, &mut out);
            }
        } else if line.starts_with("Successfully tagged") {
            out.push(value);
        } else if line.starts_with(" ---> ")
            || line.starts_with("Removing intermediate")
            || line.starts_with("Successfully built")
            || line.is_empty()
        {
            // The classic builder's bookkeeping: BuildKit prints none of it.
        } else {
            out.extend(self.log(line));
        }
        out
    }

    /// A line the current step printed, as its vertex's log (stdout, stream 1);
    /// BuildKit prints nothing outside a step.
    fn log(&self, line: &str) -> Option<Value> {
        let vertex = self.current.as_ref()?;
        // VertexLog: vertex (1), timestamp (2), stream (3), msg (4).
        let log = Writer::default()
            .text(1, &vertex.digest)
            .message(2, timestamp())
            .varint(3, 1)
            .text(4, &format!("{line}\n"));
        Some(trace(vec![], vec![log]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::core::event::JobUpdate;
    use crate::effects::docker::build_stream::follow_body;

    #[test]
    fn a_classic_stream_becomes_one_the_cockpit_reads_as_buildkit() {
        let classic = [
            json!({"stream": "Step 1/2 : FROM scratch\n"}),
            json!({"stream": " ---> \n"}),
            json!({"stream": "Step 2/2 : RUN make\n"}),
            json!({"stream": "[pilothouse sim] not executed: make\n"}),
            json!({"aux": {"ID": "sha256:0123456789abcdef"}}),
            json!({"stream": "Successfully built 0123456789ab\n"}),
            json!({"stream": "Successfully tagged app:latest\n"}),
        ];
        let mut traces = Traces::new(["FROM scratch", "RUN make"]);
        let body: String = classic
            .into_iter()
            .flat_map(|value| traces.translate(value))
            .map(|value| format!("{value}\r\n"))
            .collect();
        let (updates, id) = follow_body(body.as_bytes()).expect("readable");
        assert_eq!(id.as_deref(), Some("0123456789ab"));
        let lines: Vec<String> = updates
            .iter()
            .filter_map(|u| match u {
                JobUpdate::Output(lines) => Some(lines.clone()),
                _ => None,
            })
            .flatten()
            .collect();
        assert_eq!(lines[0], "#1 [1/1] RUN make", "FROM scratch is no step");
        assert!(
            lines.contains(&"#1 [pilothouse sim] not executed: make".to_string()),
            "{lines:?}"
        );
        assert!(lines.iter().any(|l| l.starts_with("#1 DONE ")), "{lines:?}");
        assert!(lines.contains(&"#2 exporting to image".to_string()));
        assert_eq!(
            lines.last().map(String::as_str),
            Some("Successfully tagged app:latest")
        );
        assert!(updates.contains(&JobUpdate::Step {
            current: 1,
            total: 1
        }));
    }
}
