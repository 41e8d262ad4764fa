//! What the engine streams back from `docker build`, turned into job
//! updates: output lines (a chunk may end mid-line), the step for the
//! gauge (the classic builder's `Step N/M`, BuildKit's `[i/n]`), the built
//! image's id, or the build's error. Both builders stream JSON messages;
//! BuildKit's progress travels inside them as trace messages
//! (`buildkit_trace.rs`). Pure, so it can be fuzzed with the bytes an
//! engine could send.

use super::buildkit_trace::Progress;
use crate::app::core::event::JobUpdate;
use base64::Engine as _;
use serde::Deserialize;

/// One message of a build's stream, as either builder sends it.
#[derive(Debug, Default, Deserialize)]
pub struct BuildMessage {
    /// "moby.buildkit.trace" (aux is a base64 StatusResponse) or "moby.image.id".
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    stream: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(rename = "errorDetail", default)]
    error_detail: Option<MessageDetail>,
    #[serde(default)]
    aux: Option<serde_json::Value>,
}

#[derive(Debug, Default, Deserialize)]
struct MessageDetail {
    #[serde(default)]
    message: Option<String>,
}

/// Follows one build's stream.
#[derive(Debug, Default)]
pub struct BuildStream {
    /// Output after the last newline, waiting for the rest of its line.
    pending: String,
    image_id: Option<String>,
    /// The last step that started (`Step N/M : …`, or `[i/n] …` under
    /// BuildKit): where a failed build stopped.
    pub last_step: Option<String>,
    buildkit: Progress,
}

impl BuildStream {
    /// The updates one streamed message makes; the build's error if it reports one.
    pub fn feed(&mut self, message: BuildMessage) -> Result<Vec<JobUpdate>, String> {
        if message.error_detail.is_some() || message.error.is_some() {
            let reason = message
                .error_detail
                .and_then(|d| d.message)
                .or(message.error);
            return Err(reason
                .map(|m| m.trim().to_string())
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| "the build failed".to_string()));
        }
        let mut updates = Vec::new();
        match (message.id.as_deref(), message.aux) {
            (Some("moby.buildkit.trace"), Some(serde_json::Value::String(encoded))) => {
                let status = base64::engine::general_purpose::STANDARD
                    .decode(encoded.as_bytes())
                    .map_err(|_| {
                        "the engine sent a BuildKit trace that is not base64".to_string()
                    })?;
                let traced = self.buildkit.feed(&status)?;
                if let Some((current, total, text)) = traced.step {
                    updates.push(JobUpdate::Step { current, total });
                    self.last_step = Some(text);
                }
                if !traced.lines.is_empty() {
                    updates.push(JobUpdate::Output(traced.lines));
                }
            }
            (_, Some(aux)) => {
                if let Some(id) = aux.get("ID").and_then(|id| id.as_str()) {
                    self.image_id = Some(id.to_string());
                }
            }
            _ => {}
        }
        if let Some(text) = message.stream {
            self.pending.push_str(&text);
            let mut lines = Vec::new();
            while let Some(end) = self.pending.find('\n') {
                let line: String = self.pending.drain(..=end).collect();
                let line = line.trim_end().to_string();
                if let Some((current, total)) = parse_step(&line) {
                    updates.push(JobUpdate::Step { current, total });
                    self.last_step = Some(line.clone());
                }
                lines.push(line);
            }
            if !lines.is_empty() {
                updates.push(JobUpdate::Output(lines));
            }
        }
        Ok(updates)
    }

    /// The image's full id (`sha256:…`), once the engine has named it.
    pub fn image_id(&self) -> Option<&str> {
        self.image_id.as_deref()
    }

    /// The image's short id, once the engine has named it.
    pub fn short_image_id(&self) -> Option<String> {
        self.image_id
            .as_deref()
            .map(|i| crate::domain::short_id(i.trim_start_matches("sha256:")).to_string())
    }
}

/// Cuts a build's body, as it arrives in chunks, into its JSON messages: a
/// message may be split across chunks, and several may share one.
#[derive(Debug, Default)]
pub struct BodyReader {
    buffer: Vec<u8>,
}

impl BodyReader {
    /// The messages completed by `chunk`; an error for one that cannot be read.
    pub fn push(&mut self, chunk: &[u8]) -> Result<Vec<BuildMessage>, String> {
        self.buffer.extend_from_slice(chunk);
        let mut messages = Vec::new();
        let mut read = serde_json::Deserializer::from_slice(&self.buffer).into_iter();
        let mut consumed = 0;
        loop {
            match read.next() {
                Some(Ok(message)) => {
                    messages.push(message);
                    consumed = read.byte_offset();
                }
                // The rest of this message is in a later chunk.
                Some(Err(err)) if err.is_eof() => break,
                Some(Err(err)) => {
                    return Err(format!("the engine sent a malformed message: {err}"));
                }
                None => {
                    consumed = read.byte_offset();
                    break;
                }
            }
        }
        self.buffer.drain(..consumed);
        Ok(messages)
    }

    /// The body has ended: an error if it ended inside a message.
    pub fn finish(self) -> Result<(), String> {
        match self.buffer.iter().all(u8::is_ascii_whitespace) {
            true => Ok(()),
            false => Err(format!(
                "the engine sent a malformed message: the answer ended inside one ({})",
                String::from_utf8_lossy(&self.buffer)
            )),
        }
    }
}

/// A whole response body as the engine sends it (JSON messages one after
/// another), decoded and followed: the updates in order, or the first error,
/// a malformed message included.
pub fn follow_body(body: &[u8]) -> Result<(Vec<JobUpdate>, Option<String>), String> {
    let mut stream = BuildStream::default();
    let mut updates = Vec::new();
    let mut reader = BodyReader::default();
    for message in reader.push(body)? {
        updates.extend(stream.feed(message)?);
    }
    reader.finish()?;
    Ok((updates, stream.short_image_id()))
}

/// The engine's reason for a failure, or `otherwise` when it gave none (or
/// only white space: found by fuzzing, it made a failed job with no reason).
pub fn engine_reason(detail: bollard::models::ErrorDetail, otherwise: &str) -> String {
    detail
        .message
        .map(|m| m.trim().to_string())
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| otherwise.to_string())
}

/// "Step 2/5 : COPY . ." -> (2, 5), as the classic builder prints it.
pub fn parse_step(line: &str) -> Option<(u32, u32)> {
    let rest = line.strip_prefix("Step ")?;
    let (fraction, _) = rest.split_once(' ').unwrap_or((rest, ""));
    let (current, total) = fraction.split_once('/')?;
    Some((current.parse().ok()?, total.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_lines_give_the_gauge() {
        assert_eq!(parse_step("Step 2/5 : COPY . ."), Some((2, 5)));
        assert_eq!(parse_step("Step 10/10 : CMD [\"x\"]"), Some((10, 10)));
        assert_eq!(parse_step(" ---> Running in 1234"), None);
        assert_eq!(parse_step("Step x/5 :"), None);
    }

    #[test]
    fn a_line_split_across_messages_is_one_line() {
        let body = br#"{"stream":"Step 1/2 : FR"}{"stream":"OM scratch\n"}
{"aux":{"ID":"sha256:0123456789abcdef0123"}}{"stream":"Successfully built\n"}"#;
        let (updates, id) = follow_body(body).expect("a good stream");
        assert_eq!(
            updates,
            vec![
                JobUpdate::Step {
                    current: 1,
                    total: 2
                },
                JobUpdate::Output(vec!["Step 1/2 : FROM scratch".into()]),
                JobUpdate::Output(vec!["Successfully built".into()]),
            ]
        );
        assert_eq!(id.as_deref(), Some("0123456789ab"));
    }

    #[test]
    fn the_engine_error_and_a_malformed_message_end_the_build() {
        let failed = br#"{"stream":"Step 1/1 : RUN false\n"}{"errorDetail":{"message":"exit 1"},"error":"exit 1"}"#;
        assert_eq!(follow_body(failed).unwrap_err(), "exit 1");
        // Found by fuzzing (fuzz/corpus/build_stream/blank-error): a reason of white space.
        let blank = br#"{"errorDetail":{"message":" "},"error":"CO"}"#;
        assert_eq!(follow_body(blank).unwrap_err(), "the build failed");
        let truncated = br#"{"stream":"Step 1/1 : RU"#;
        assert!(
            follow_body(truncated)
                .unwrap_err()
                .starts_with("the engine sent a malformed message")
        );
    }
}
