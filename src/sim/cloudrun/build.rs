//! Cloud Build, as `gcloud builds submit --tag IMAGE` and `gcloud run deploy
//! --source` use it: a build is created (a long-running operation whose
//! metadata carries the build), runs on the simulated engine from the source
//! archive uploaded to Cloud Storage (so the image really is built from the
//! sources), writes its log to the logs bucket as it goes (gcloud tails it),
//! pushes (records) the image, and ends SUCCESS or FAILURE.

use super::common::google_error;
use super::storage::Storage;
use crate::sim::clock::{now_secs, rfc3339};
use crate::sim::docker::state::Shared as Engine;
use crate::sim::http::{Body, json};
use bytes::Bytes;
use hyper::{Response, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The bucket Cloud Build writes logs to: `PROJECT_NUMBER.cloudbuild-logs.googleusercontent.com`.
fn logs_bucket() -> String {
    format!(
        "{}.cloudbuild-logs.googleusercontent.com",
        super::common::PROJECT_NUMBER
    )
}

#[derive(Default)]
pub struct Builds {
    pub builds: BTreeMap<String, Value>,
    /// Each build's operation as it was answered at creation, by build id.
    operations: BTreeMap<String, Value>,
    serial: u64,
}

/// Cloud Run's `POST v2/projects/P/locations/L/builds:submit` (`gcloud run deploy
/// --source`): a Docker build of the uploaded source, tagged `imageUri`, as a Cloud
/// Build of one `docker build` step; answered with the build's operation.
pub fn submit(
    builds: &Arc<Mutex<Builds>>,
    storage: &Arc<Mutex<Storage>>,
    engine: &Engine,
    (project, location): (&str, &str),
    body: &[u8],
) -> Response<Body> {
    let asked: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let Some(image) = asked["imageUri"].as_str() else {
        return google_error(400, "INVALID_ARGUMENT", "imageUri: Required value");
    };
    if asked["dockerBuild"].is_null() {
        return google_error(
            400,
            "INVALID_ARGUMENT",
            "the simulated Cloud Run builds with a Dockerfile only (no buildpacks): add a Dockerfile",
        );
    }
    let build = json!({
        "source": {"storageSource": asked["storageSource"]},
        "steps": [{"name": "gcr.io/cloud-builders/docker", "args": ["build", "-t", image, "."]}],
        "images": [image],
        "tags": asked["tags"],
    });
    let answer = create(
        builds,
        storage,
        engine,
        (project, location),
        &serde_json::to_vec(&build).unwrap_or_default(),
    );
    let status = answer.status();
    if !status.is_success() {
        return answer;
    }
    let Some(operation) = builds
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .operations
        .last_key_value()
        .map(|(_, op)| op.clone())
    else {
        return answer;
    };
    json(
        StatusCode::OK,
        &json!({"buildOperation": operation, "baseImageUri": ""}),
    )
}

/// `GET v1/projects/P/locations/L/operations/ID` of a build: done once the build ended,
/// with the build as its response (or the failure as its error).
pub fn operation(
    builds: &Arc<Mutex<Builds>>,
    project: &str,
    location: &str,
    id: &str,
) -> Option<Response<Body>> {
    let all = builds.lock().unwrap_or_else(|p| p.into_inner());
    let build = all.builds.get(id)?;
    let status = build["status"].as_str().unwrap_or_default();
    let done = !matches!(status, "QUEUED" | "WORKING" | "PENDING");
    let mut operation = json!({
        "name": format!("projects/{project}/locations/{location}/operations/{id}"),
        "metadata": {
            "@type": "type.googleapis.com/google.devtools.cloudbuild.v1.BuildOperationMetadata",
            "build": build
        },
        "done": done
    });
    if done && status == "SUCCESS" {
        let mut response = build.clone();
        response["@type"] = json!("type.googleapis.com/google.devtools.cloudbuild.v1.Build");
        operation["response"] = response;
    } else if done {
        operation["error"] = json!({
            "code": 2,
            "message": format!("Build failed; check build logs for details: {}",
                build["statusDetail"].as_str().unwrap_or(status))
        });
    }
    Some(json(StatusCode::OK, &operation))
}

/// `POST v1/projects/P/locations/L/builds`: the build queued, its operation answered.
pub fn create(
    builds: &Arc<Mutex<Builds>>,
    storage: &Arc<Mutex<Storage>>,
    engine: &Engine,
    (project, location): (&str, &str),
    body: &[u8],
) -> Response<Body> {
    let mut build = match super::common::json_body(body) {
        Ok(v) => v,
        Err(refused) => return *refused,
    };
    if build["source"]["storageSource"]["object"]
        .as_str()
        .is_none()
    {
        return google_error(
            400,
            "INVALID_ARGUMENT",
            "the simulated Cloud Build builds from a source in Cloud Storage",
        );
    }
    let id = {
        let mut all = builds.lock().unwrap_or_else(|p| p.into_inner());
        all.serial += 1;
        format!("5e1a{:04}-0000-4000-8000-{:012}", all.serial, all.serial)
    };
    let now = rfc3339(now_secs());
    build["id"] = json!(id);
    build["projectId"] = json!(project);
    build["status"] = json!("QUEUED");
    build["createTime"] = json!(now);
    build["logsBucket"] = json!(format!("gs://{}", logs_bucket()));
    build["logUrl"] = json!(format!(
        "https://console.cloud.google.com/cloud-build/builds;region={location}/{id}?project={}",
        super::common::PROJECT_NUMBER
    ));
    build["name"] = json!(format!(
        "projects/{project}/locations/{location}/builds/{id}"
    ));
    if build["timeout"].is_null() {
        build["timeout"] = json!("600s");
    }
    if build["options"]["logging"].is_null() {
        build["options"]["logging"] = json!("LEGACY");
    }
    storage
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .ensure_bucket(&logs_bucket(), project);
    builds
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .builds
        .insert(id.clone(), build.clone());
    tokio::spawn(run(
        builds.clone(),
        storage.clone(),
        engine.clone(),
        id.clone(),
    ));
    let operation = json!({
        "name": format!("projects/{}/locations/{location}/operations/{id}", super::common::PROJECT_NUMBER),
        "metadata": {
            "@type": "type.googleapis.com/google.devtools.cloudbuild.v1.BuildOperationMetadata",
            "build": build
        }
    });
    builds
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .operations
        .insert(id, operation.clone());
    json(StatusCode::OK, &operation)
}

/// `GET …/builds/ID`.
pub fn get(builds: &Arc<Mutex<Builds>>, id: &str) -> Response<Body> {
    match builds
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .builds
        .get(id)
    {
        Some(build) => json(StatusCode::OK, build),
        None => google_error(404, "NOT_FOUND", &format!("Build {id} not found")),
    }
}

/// `POST …/builds/ID:cancel`: a build still running ends CANCELLED.
pub fn cancel(builds: &Arc<Mutex<Builds>>, id: &str) -> Response<Body> {
    let mut all = builds.lock().unwrap_or_else(|p| p.into_inner());
    let Some(build) = all.builds.get_mut(id) else {
        return google_error(404, "NOT_FOUND", &format!("Build {id} not found"));
    };
    if matches!(build["status"].as_str(), Some("QUEUED" | "WORKING")) {
        build["status"] = json!("CANCELLED");
        build["finishTime"] = json!(rfc3339(now_secs()));
    }
    json(StatusCode::OK, build)
}

/// The log as it grows: each line appended to `log-ID.txt` in the logs bucket.
struct Log {
    storage: Arc<Mutex<Storage>>,
    object: String,
    text: Mutex<String>,
}

impl Log {
    fn line(&self, line: &str) {
        let mut text = self.text.lock().unwrap_or_else(|p| p.into_inner());
        text.push_str(line);
        text.push('\n');
        let data = Bytes::from(text.clone());
        self.storage.lock().unwrap_or_else(|p| p.into_inner()).put(
            &logs_bucket(),
            &self.object,
            data,
            "text/plain; charset=utf-8",
        );
    }
}

fn set(builds: &Arc<Mutex<Builds>>, id: &str, change: impl FnOnce(&mut Value)) -> Option<Value> {
    let mut all = builds.lock().unwrap_or_else(|p| p.into_inner());
    let build = all.builds.get_mut(id)?;
    change(build);
    Some(build.clone())
}

/// The build's life: WORKING, its steps on the engine, then SUCCESS or FAILURE.
async fn run(builds: Arc<Mutex<Builds>>, storage: Arc<Mutex<Storage>>, engine: Engine, id: String) {
    tokio::time::sleep(Duration::from_millis(200)).await;
    let Some(build) = set(&builds, &id, |b| {
        b["status"] = json!("WORKING");
        b["startTime"] = json!(rfc3339(now_secs()));
    }) else {
        return;
    };
    let log = Log {
        storage: storage.clone(),
        object: format!("log-{id}.txt"),
        text: Mutex::new(String::new()),
    };
    let outcome = tokio::task::spawn_blocking({
        let (storage, engine, build) = (storage.clone(), engine.clone(), build.clone());
        move || steps(&storage, &engine, &build, &log)
    })
    .await
    .unwrap_or_else(|e| Err(format!("the build stopped: {e}")));
    set(&builds, &id, |b| {
        if b["status"] == "CANCELLED" {
            return;
        }
        b["finishTime"] = json!(rfc3339(now_secs()));
        match &outcome {
            Ok(images) => {
                b["status"] = json!("SUCCESS");
                b["results"] = json!({"images": images});
            }
            Err(reason) => {
                b["status"] = json!("FAILURE");
                b["statusDetail"] = json!(reason);
                b["failureInfo"] = json!({"type": "USER_BUILD_STEP", "detail": reason});
            }
        }
    });
}

/// Fetch the source, run each `docker build` step, push the images: the images'
/// names and digests, or why it failed (also written to the log).
fn steps(
    storage: &Arc<Mutex<Storage>>,
    engine: &Engine,
    build: &Value,
    log: &Log,
) -> Result<Vec<Value>, String> {
    let id = build["id"].as_str().unwrap_or_default();
    log.line(&format!("starting build \"{id}\""));
    log.line("");
    log.line("FETCHSOURCE");
    let source = &build["source"]["storageSource"];
    let (bucket, object) = (
        source["bucket"].as_str().unwrap_or_default(),
        source["object"].as_str().unwrap_or_default(),
    );
    log.line(&format!("Fetching storage object: gs://{bucket}/{object}"));
    let archive = storage
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .buckets
        .get(bucket)
        .and_then(|b| b.objects.get(object))
        .map(|o| o.data.clone());
    let fail = |reason: String| {
        log.line(&format!("ERROR: {reason}"));
        Err(reason)
    };
    let Some(archive) = archive else {
        return fail(format!("the source gs://{bucket}/{object} does not exist"));
    };
    // `builds submit` uploads a gzipped tar, `run deploy --source` a zip.
    let tar = if archive.starts_with(b"PK\x03\x04") {
        match super::zip::to_tar(&archive) {
            Ok(tar) => tar,
            Err(reason) => return fail(reason),
        }
    } else {
        let mut tar = Vec::new();
        if let Err(e) = flate2::read::GzDecoder::new(&archive[..]).read_to_end(&mut tar) {
            return fail(format!("the source archive is not a gzipped tar: {e}"));
        }
        tar
    };
    log.line("BUILD");
    let mut built: Vec<String> = Vec::new();
    for (n, step) in build["steps"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let args: Vec<String> = step["args"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        log.line(&format!("Starting Step #{n}"));
        log.line(&format!(
            "Step #{n}: Already have image (with digest): {}",
            step["name"].as_str().unwrap_or_default()
        ));
        if args.first().map(String::as_str) != Some("build") {
            log.line(&format!(
                "Step #{n}: [pilothouse sim] not run: {}",
                args.join(" ")
            ));
            log.line(&format!("Finished Step #{n}"));
            continue;
        }
        let tag = args
            .windows(2)
            .find(|w| w[0] == "-t" || w[0] == "--tag")
            .map(|w| w[1].clone())
            .ok_or_else(|| "the docker build step has no -t".to_string())?;
        let dockerfile = args
            .windows(2)
            .find(|w| w[0] == "-f" || w[0] == "--file")
            .map_or("Dockerfile".to_string(), |w| w[1].clone());
        let line = |text: String| log.line(&format!("Step #{n}: {text}"));
        match crate::sim::docker::images::build_tagged(engine, &tar, &dockerfile, &tag, &line) {
            Ok(_) => built.push(tag),
            Err(reason) => {
                return fail(format!(
                    "build step {n} \"{}\" failed: {reason}",
                    step["name"].as_str().unwrap_or_default()
                ));
            }
        }
        log.line(&format!("Finished Step #{n}"));
    }
    let wanted: Vec<String> = build["images"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_else(|| built.clone());
    log.line("PUSH");
    let mut images = Vec::new();
    for image in wanted {
        log.line(&format!("Pushing {image}"));
        let mut engine = crate::sim::docker::lock(engine);
        let Some(index) = engine.find_image(&image) else {
            drop(engine);
            return fail(format!(
                "An image does not exist locally with the tag: {image}"
            ));
        };
        let digest = format!(
            "sha256:{}",
            crate::sim::docker::state::sha256_hex(&[
                engine.images[index].id.as_bytes(),
                image.as_bytes()
            ])
        );
        engine.pushes.push(crate::sim::docker::state::Push {
            reference: image.clone(),
            username: "cloudbuild".into(),
            server: image.split('/').next().unwrap_or_default().to_string(),
            password: String::new(),
        });
        drop(engine);
        let tag = image
            .rsplit_once(':')
            .filter(|(_, t)| !t.contains('/'))
            .map_or("latest", |(_, t)| t);
        log.line(&format!("{tag}: digest: {digest} size: 528"));
        images.push(json!({"name": image, "digest": digest}));
    }
    log.line("DONE");
    Ok(images)
}
