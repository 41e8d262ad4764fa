//! The Cloud Storage JSON API, as much as `gcloud builds submit` uses: a
//! bucket checked (`GET b/B`), created (`POST b?project=P`) or listed for its
//! owner, an object uploaded (`upload/storage/v1/b/B/o`, media, multipart or
//! resumable), and an object read by its public URL with a byte range, as
//! gcloud tails a build's log (`storage.googleapis.com/B/O`, `Range: bytes=N-`).

use super::common::google_error;
use crate::sim::clock::{now_secs, rfc3339};
use crate::sim::http::{Body, full, json};
use bytes::Bytes;
use hyper::{Response, StatusCode};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

#[derive(Default)]
pub struct Bucket {
    pub project: String,
    pub created: String,
    pub objects: BTreeMap<String, Object>,
}

#[derive(Clone)]
pub struct Object {
    pub data: Bytes,
    pub generation: u64,
    pub content_type: String,
    pub updated: String,
}

#[derive(Default)]
pub struct Storage {
    /// The sim's port, for the resumable upload's session URL.
    pub port: u16,
    pub buckets: BTreeMap<String, Bucket>,
    generations: u64,
    /// Resumable uploads begun and not yet sent: upload id -> (bucket, object name).
    sessions: HashMap<String, (String, String)>,
}

fn bucket_json(name: &str, bucket: &Bucket) -> Value {
    json!({"kind": "storage#bucket", "id": name, "name": name,
           "projectNumber": super::common::PROJECT_NUMBER, "location": "US", "storageClass": "STANDARD",
           "timeCreated": bucket.created, "updated": bucket.created, "metageneration": "1",
           "etag": "CAE="})
}

fn object_json(bucket: &str, name: &str, object: &Object) -> Value {
    json!({"kind": "storage#object", "id": format!("{bucket}/{name}/{}", object.generation),
           "name": name, "bucket": bucket, "generation": object.generation.to_string(),
           "metageneration": "1", "contentType": object.content_type,
           "size": object.data.len().to_string(), "timeCreated": object.updated,
           "updated": object.updated,
           "selfLink": format!("https://www.googleapis.com/storage/v1/b/{bucket}/o/{}",
                crate::domain::text::percent_encode(name)),
           "mediaLink": format!("https://storage.googleapis.com/download/storage/v1/b/{bucket}/o/{}?generation={}&alt=media",
                crate::domain::text::percent_encode(name), object.generation)})
}

fn no_bucket(name: &str) -> Response<Body> {
    google_error(
        404,
        "NOT_FOUND",
        &format!("The specified bucket does not exist. ({name})"),
    )
}

impl Storage {
    pub fn new(port: u16) -> Self {
        Storage {
            port,
            ..Default::default()
        }
    }

    /// Put an object (the sim's Cloud Build writes its logs this way too).
    pub fn put(
        &mut self,
        bucket: &str,
        name: &str,
        data: Bytes,
        content_type: &str,
    ) -> Option<Value> {
        self.generations += 1;
        let generation = 1_700_000_000_000_000 + self.generations;
        let object = Object {
            data,
            generation,
            content_type: content_type.to_string(),
            updated: rfc3339(now_secs()),
        };
        let bucket_ref = self.buckets.get_mut(bucket)?;
        let answer = object_json(bucket, name, &object);
        bucket_ref.objects.insert(name.to_string(), object);
        Some(answer)
    }

    /// Make a bucket if there is none of that name (the logs bucket, by the sim itself).
    pub fn ensure_bucket(&mut self, name: &str, project: &str) {
        self.buckets
            .entry(name.to_string())
            .or_insert_with(|| Bucket {
                project: project.to_string(),
                created: rfc3339(now_secs()),
                objects: BTreeMap::new(),
            });
    }

    pub fn get_bucket(&self, name: &str) -> Response<Body> {
        match self.buckets.get(name) {
            Some(bucket) => json(StatusCode::OK, &bucket_json(name, bucket)),
            None => no_bucket(name),
        }
    }

    /// `POST b?project=P` with `{"name": B}`.
    pub fn insert_bucket(&mut self, project: &str, body: &[u8]) -> Response<Body> {
        let asked: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let Some(name) = asked["name"].as_str().filter(|n| !n.is_empty()) else {
            return google_error(400, "INVALID_ARGUMENT", "Required: bucket name.");
        };
        if self.buckets.contains_key(name) {
            return google_error(
                409,
                "ALREADY_EXISTS",
                "Your previous request to create the named bucket succeeded and you already own it.",
            );
        }
        self.ensure_bucket(name, project);
        self.get_bucket(name)
    }

    /// `GET b?project=P&prefix=X`: the project's buckets.
    pub fn list_buckets(&self, project: &str, prefix: &str) -> Response<Body> {
        let items: Vec<Value> = self
            .buckets
            .iter()
            .filter(|(name, b)| b.project == project && name.starts_with(prefix))
            .map(|(name, b)| bucket_json(name, b))
            .collect();
        json(
            StatusCode::OK,
            &json!({"kind": "storage#buckets", "items": items}),
        )
    }

    /// An upload: `uploadType=media` (the body is the object), `multipart` (a JSON part
    /// with the name, then the data), or `resumable` (a session first, the data after).
    pub fn upload(
        &mut self,
        bucket: &str,
        query: &HashMap<String, String>,
        content_type: &str,
        body: Bytes,
    ) -> Response<Body> {
        if !self.buckets.contains_key(bucket) {
            return no_bucket(bucket);
        }
        let named = query.get("name").cloned();
        match query.get("uploadType").map(String::as_str) {
            Some("resumable") => {
                if let Some(id) = query.get("upload_id") {
                    let Some((bucket, name)) = self.sessions.remove(id) else {
                        return google_error(404, "NOT_FOUND", "No such upload session.");
                    };
                    return self.stored(&bucket, &name, body, "application/octet-stream");
                }
                let meta: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                let Some(name) = named.or_else(|| meta["name"].as_str().map(String::from)) else {
                    return google_error(400, "INVALID_ARGUMENT", "Required: object name.");
                };
                let id = format!(
                    "pilothouse-sim-upload-{}",
                    self.sessions.len() + self.generations as usize + 1
                );
                self.sessions.insert(id.clone(), (bucket.to_string(), name));
                let mut response = full(StatusCode::OK, "application/json", Bytes::new());
                let location = format!(
                    "http://127.0.0.1:{}/upload/storage/v1/b/{bucket}/o?uploadType=resumable&upload_id={id}",
                    self.port
                );
                if let Ok(value) = location.parse() {
                    response
                        .headers_mut()
                        .insert(hyper::header::LOCATION, value);
                }
                response
            }
            Some("multipart") => match split_multipart(content_type, &body) {
                Some((meta, data, data_type)) => {
                    let meta: Value = serde_json::from_slice(&meta).unwrap_or(Value::Null);
                    let Some(name) = named.or_else(|| meta["name"].as_str().map(String::from))
                    else {
                        return google_error(400, "INVALID_ARGUMENT", "Required: object name.");
                    };
                    self.stored(bucket, &name, data, &data_type)
                }
                None => google_error(
                    400,
                    "INVALID_ARGUMENT",
                    "The multipart body cannot be read.",
                ),
            },
            _ => match named {
                Some(name) => self.stored(bucket, &name, body, content_type),
                None => google_error(400, "INVALID_ARGUMENT", "Required: object name."),
            },
        }
    }

    fn stored(
        &mut self,
        bucket: &str,
        name: &str,
        data: Bytes,
        content_type: &str,
    ) -> Response<Body> {
        match self.put(bucket, name, data, content_type) {
            Some(answer) => json(StatusCode::OK, &answer),
            None => no_bucket(bucket),
        }
    }

    /// An object's metadata (`GET b/B/o/O`), or its bytes with `alt=media`.
    pub fn get_object(
        &self,
        bucket: &str,
        name: &str,
        media: bool,
        range: Option<&str>,
    ) -> Response<Body> {
        let Some(object) = self.buckets.get(bucket).and_then(|b| b.objects.get(name)) else {
            return google_error(
                404,
                "NOT_FOUND",
                &format!("No such object: {bucket}/{name}"),
            );
        };
        if !media {
            return json(StatusCode::OK, &object_json(bucket, name, object));
        }
        // `Range: bytes=N-`: what is there from N on (206), or 416 when nothing is.
        let from = range
            .and_then(|r| r.strip_prefix("bytes="))
            .and_then(|r| r.split('-').next())
            .and_then(|n| n.parse::<usize>().ok());
        match from {
            Some(from) if from >= object.data.len() => full(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "text/plain",
                Bytes::new(),
            ),
            Some(from) => full(
                StatusCode::PARTIAL_CONTENT,
                &object.content_type,
                object.data.slice(from..),
            ),
            None => full(StatusCode::OK, &object.content_type, object.data.clone()),
        }
    }
}

/// A `multipart/related` body: its first part (the metadata) and its second (the data,
/// with its content type).
fn split_multipart(content_type: &str, body: &[u8]) -> Option<(Bytes, Bytes, String)> {
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))?
        .trim_matches(['"', '\'']);
    let delimiter = format!("--{boundary}");
    let text = body;
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(at) = find(rest, delimiter.as_bytes()) {
        let after = &rest[at + delimiter.len()..];
        if after.starts_with(b"--") {
            break;
        }
        let next = find(after, delimiter.as_bytes()).unwrap_or(after.len());
        parts.push(&after[..next]);
        rest = &after[next..];
    }
    let part = |raw: &[u8]| -> Option<(Bytes, String)> {
        let head_end = find(raw, b"\r\n\r\n")
            .map(|at| (at, 4))
            .or_else(|| find(raw, b"\n\n").map(|at| (at, 2)))?;
        let head = String::from_utf8_lossy(&raw[..head_end.0]).to_ascii_lowercase();
        let kind = head
            .lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix("content-type:")
                    .map(|v| v.trim().to_string())
            })
            .unwrap_or_else(|| "application/octet-stream".to_string());
        let mut data = &raw[head_end.0 + head_end.1..];
        if data.ends_with(b"\r\n") {
            data = &data[..data.len() - 2];
        } else if data.ends_with(b"\n") {
            data = &data[..data.len() - 1];
        }
        Some((Bytes::copy_from_slice(data), kind))
    };
    let (meta, _) = part(parts.first()?)?;
    let (data, kind) = part(parts.get(1)?)?;
    Some((meta, data, kind))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_multipart_upload_splits_into_its_metadata_and_data() {
        let body = b"--XYZ\r\nContent-Type: application/json\r\n\r\n{\"name\":\"source/a.tgz\"}\r\n--XYZ\r\nContent-Type: application/x-tar\r\n\r\nDATA\r\n--XYZ--";
        let (meta, data, kind) =
            split_multipart("multipart/related; boundary=XYZ", body).expect("two parts");
        assert_eq!(&meta[..], b"{\"name\":\"source/a.tgz\"}");
        assert_eq!(&data[..], b"DATA");
        assert_eq!(kind, "application/x-tar");
    }

    #[test]
    fn a_log_is_read_from_where_the_reader_left_it() {
        let mut storage = Storage::default();
        storage.ensure_bucket("logs", "p");
        storage.put(
            "logs",
            "log-1.txt",
            Bytes::from_static(b"hello\n"),
            "text/plain",
        );
        let status = |r: Response<Body>| r.status().as_u16();
        assert_eq!(
            status(storage.get_object("logs", "log-1.txt", true, Some("bytes=0-"))),
            206
        );
        assert_eq!(
            status(storage.get_object("logs", "log-1.txt", true, Some("bytes=6-"))),
            416
        );
        assert_eq!(
            status(storage.get_object("logs", "log-2.txt", true, Some("bytes=0-"))),
            404
        );
    }
}
