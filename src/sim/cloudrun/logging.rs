//! Cloud Logging, as much of it as `gcloud run services logs read` needs: the
//! request log Cloud Run writes for every request to a service's URL (kept
//! here as it is served), and `POST /v2/entries:list` with the filters gcloud
//! sends (clauses joined by AND: `=`, `!=`, `:`, `<`, `<=`, `>`, `>=` on any
//! field, timestamps compared to the nanosecond, severities by rank).

use crate::sim::clock::{now_nanos, parse_rfc3339_nanos, rfc3339_nanos};
use serde_json::{Value, json};
use std::cmp::Ordering;
use std::collections::VecDeque;

/// Entries kept: the oldest go first, as a retention period would take them.
const KEPT: usize = 10_000;
/// Cloud Logging's largest page.
const MAX_PAGE: usize = 1_000;

#[derive(Default)]
pub(super) struct Logs {
    entries: VecDeque<(i128, Value)>,
    inserted: u64,
}

/// Where a request was served: the service's (project, region, name), the revision, its URL.
pub(super) struct Served<'a> {
    pub(super) service: (&'a str, &'a str, &'a str),
    pub(super) revision: &'a str,
    pub(super) url: &'a str,
}

impl Logs {
    /// The request log's entry for one request (`GET /path HTTP/1.1` answered with `status`).
    pub(super) fn request(&mut self, served: &Served, request_line: &str, status: u16) {
        let mut words = request_line.split_whitespace();
        let method = words.next().unwrap_or("GET");
        let path = words.next().unwrap_or("/");
        let protocol = words.next().unwrap_or("HTTP/1.1");
        let (project, region, name) = served.service;
        let nanos = now_nanos();
        self.inserted += 1;
        let entry = json!({
            "insertId": format!("{:012x}", self.inserted),
            "httpRequest": {
                "requestMethod": method,
                "requestUrl": format!("{}{path}", served.url.trim_end_matches('/')),
                "status": status,
                "protocol": protocol,
                "remoteIp": "127.0.0.1",
                "latency": "0.001s"
            },
            "resource": {
                "type": "cloud_run_revision",
                "labels": {
                    "project_id": project,
                    "service_name": name,
                    "revision_name": served.revision,
                    "configuration_name": name,
                    "location": region
                }
            },
            "timestamp": rfc3339_nanos(nanos),
            "receiveTimestamp": rfc3339_nanos(nanos),
            "severity": if status < 400 { "INFO" } else { "ERROR" },
            "logName": format!("projects/{project}/logs/run.googleapis.com%2Frequests"),
        });
        if self.entries.len() == KEPT {
            self.entries.pop_front();
        }
        self.entries.push_back((nanos, entry));
    }
}

/// The page of entries a list request asks for, or why it cannot be answered.
pub(super) fn page(logs: &Logs, request: &Value) -> Result<Value, String> {
    let projects: Vec<&str> = request["resourceNames"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|name| name.as_str()?.strip_prefix("projects/"))
        .collect();
    if projects.is_empty() {
        return Err("resourceNames: at least one projects/PROJECT is required".into());
    }
    let clauses = parse_filter(request["filter"].as_str().unwrap_or_default())?;
    let descending = request["orderBy"]
        .as_str()
        .is_some_and(|order| order.trim().ends_with("desc"));
    let mut matching: Vec<&Value> = logs
        .entries
        .iter()
        .filter(|(_, entry)| {
            projects.contains(
                &entry["resource"]["labels"]["project_id"]
                    .as_str()
                    .unwrap_or(""),
            ) && clauses.iter().all(|clause| clause.matches(entry))
        })
        .map(|(_, entry)| entry)
        .collect();
    if descending {
        matching.reverse();
    }
    let page_size = request["pageSize"]
        .as_u64()
        .map_or(MAX_PAGE, |size| (size as usize).clamp(1, MAX_PAGE));
    let start: usize = request["pageToken"]
        .as_str()
        .and_then(|token| token.parse().ok())
        .unwrap_or(0);
    let entries: Vec<&Value> = matching
        .iter()
        .skip(start)
        .take(page_size)
        .copied()
        .collect();
    let mut answer = json!({});
    if !entries.is_empty() {
        answer["entries"] = json!(entries);
    }
    if start + page_size < matching.len() {
        answer["nextPageToken"] = json!((start + page_size).to_string());
    }
    Ok(answer)
}

#[derive(Debug, PartialEq)]
struct Clause {
    field: String,
    operator: &'static str,
    value: String,
}

const OPERATORS: [&str; 7] = [">=", "<=", "!=", "=", ">", "<", ":"];

/// Clauses joined by AND, each maybe in parentheses, as gcloud joins its own and the user's.
fn parse_filter(filter: &str) -> Result<Vec<Clause>, String> {
    let mut unwrapped = String::new();
    let mut quoted = false;
    for c in filter.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                unwrapped.push(c);
            }
            '(' | ')' if !quoted => unwrapped.push(' '),
            c if c.is_whitespace() && !quoted => unwrapped.push(' '),
            c => unwrapped.push(c),
        }
    }
    let mut clauses = Vec::new();
    for text in split_outside_quotes(&unwrapped, " AND ") {
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        if split_outside_quotes(text, " OR ").len() > 1 || text.starts_with("NOT ") {
            return Err(format!(
                "the simulated Cloud Logging takes clauses joined by AND, not OR or NOT: {text}"
            ));
        }
        clauses.push(parse_clause(text)?);
    }
    Ok(clauses)
}

fn split_outside_quotes<'a>(text: &'a str, separator: &str) -> Vec<&'a str> {
    let mut parts = Vec::new();
    let (mut quoted, mut start, mut at) = (false, 0, 0);
    while at < text.len() {
        if text[at..].starts_with('"') {
            quoted = !quoted;
        } else if !quoted && text[at..].starts_with(separator) {
            parts.push(&text[start..at]);
            at += separator.len();
            start = at;
            continue;
        }
        at += text[at..].chars().next().map_or(1, char::len_utf8);
    }
    parts.push(&text[start..]);
    parts
}

fn parse_clause(text: &str) -> Result<Clause, String> {
    let at = text
        .find(['<', '>', '=', '!', ':'])
        .filter(|&at| !text[..at].contains('"'))
        .ok_or_else(|| format!("unparsable filter clause: {text}"))?;
    let operator = OPERATORS
        .into_iter()
        .find(|op| text[at..].starts_with(op))
        .ok_or_else(|| format!("unparsable filter clause: {text}"))?;
    let value = text[at + operator.len()..].trim();
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    Ok(Clause {
        field: text[..at].trim().to_string(),
        operator,
        value: value.to_string(),
    })
}

impl Clause {
    /// Whether an entry passes; an entry without the field never does (as Cloud Logging has it).
    fn matches(&self, entry: &Value) -> bool {
        let pointer = format!("/{}", self.field.replace('.', "/"));
        let Some(found) = entry.pointer(&pointer) else {
            return false;
        };
        let text = match found {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        if self.operator == ":" {
            return text.to_lowercase().contains(&self.value.to_lowercase());
        }
        let ordering = match self.field.as_str() {
            "timestamp" | "receiveTimestamp" => {
                match (parse_rfc3339_nanos(&text), parse_rfc3339_nanos(&self.value)) {
                    (Some(a), Some(b)) => a.cmp(&b),
                    _ => return false,
                }
            }
            "severity" => severity_rank(&text).cmp(&severity_rank(&self.value)),
            _ => match (text.parse::<f64>(), self.value.parse::<f64>()) {
                (Ok(a), Ok(b)) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
                _ => text.as_str().cmp(self.value.as_str()),
            },
        };
        match self.operator {
            "=" => ordering == Ordering::Equal,
            "!=" => ordering != Ordering::Equal,
            ">" => ordering == Ordering::Greater,
            ">=" => ordering != Ordering::Less,
            "<" => ordering == Ordering::Less,
            _ => ordering != Ordering::Greater,
        }
    }
}

/// Cloud Logging's severities in order; DEFAULT is the lowest.
fn severity_rank(severity: &str) -> usize {
    const ORDER: [&str; 9] = [
        "DEFAULT",
        "DEBUG",
        "INFO",
        "NOTICE",
        "WARNING",
        "ERROR",
        "CRITICAL",
        "ALERT",
        "EMERGENCY",
    ];
    ORDER
        .iter()
        .position(|s| s.eq_ignore_ascii_case(severity))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn served_request(logs: &mut Logs, service: &str, path: &str) {
        let served = Served {
            service: ("proj", "us-central1", service),
            revision: "web-00001-abc",
            url: "http://127.0.0.1:9/",
        };
        logs.request(&served, &format!("GET {path} HTTP/1.1"), 200);
    }

    #[test]
    fn gclouds_own_filter_is_read_clause_by_clause() {
        let filter = "(resource.type = cloud_run_revision \n) AND (resource.labels.service_name = web \n) AND (severity >= DEFAULT \n) AND (timestamp>=\"2026-12-03T20:00:00Z\")";
        let clauses = parse_filter(filter).expect("parses");
        assert_eq!(clauses.len(), 4);
        assert_eq!(
            clauses[3],
            Clause {
                field: "timestamp".into(),
                operator: ">=",
                value: "2026-12-03T20:00:00Z".into()
            }
        );
        assert!(parse_filter("severity>=ERROR OR textPayload:x").is_err());
        assert!(parse_filter("").expect("empty is everything").is_empty());
    }

    #[test]
    fn entries_are_listed_by_service_newest_first_a_page_at_a_time() {
        let mut logs = Logs::default();
        for (service, path) in [("web", "/a"), ("api", "/b"), ("web", "/c"), ("web", "/d")] {
            served_request(&mut logs, service, path);
        }
        let ask = |request: Value| page(&logs, &request).expect("answered");
        let first = ask(json!({
            "resourceNames": ["projects/proj"],
            "filter": "(resource.labels.service_name = web) AND (severity >= DEFAULT)",
            "orderBy": "timestamp desc", "pageSize": 2
        }));
        let urls: Vec<&str> = first["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .filter_map(|e| e["httpRequest"]["requestUrl"].as_str())
            .collect();
        assert_eq!(urls, ["http://127.0.0.1:9/d", "http://127.0.0.1:9/c"]);
        assert_eq!(first["nextPageToken"], "2");
        let later = ask(json!({
            "resourceNames": ["projects/proj"],
            "filter": format!("timestamp>\"{}\"", rfc3339_nanos(now_nanos() + 1_000_000_000)),
        }));
        assert_eq!(later, json!({}), "nothing is newer than a second from now");
        let other = ask(json!({"resourceNames": ["projects/other"], "filter": ""}));
        assert_eq!(other, json!({}), "another project's entries are not listed");
        assert!(page(&logs, &json!({"resourceNames": []})).is_err());
    }
}
