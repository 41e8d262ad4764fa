//! The Google Cloud APIs the real gcloud calls for the book's Cloud Run
//! chapter: Cloud Run (`run.rs`: the serviceusage check, `serving.knative.dev/v1`
//! services, the IAM policy call), Cloud Storage (`storage.rs`) and Cloud
//! Build (`build.rs`) for `gcloud builds submit`. gcloud reaches it as an HTTP
//! proxy (absolute-URI requests) with per-API endpoint overrides; what it asks
//! over HTTPS without an override (a build's log, `storage.googleapis.com`)
//! comes through the proxy's CONNECT, answered with TLS of a CA the sim's
//! gcloud configuration trusts (`core/custom_ca_certs_file`).

mod build;
mod common;
mod logging;
mod registry;
mod revisions;
mod run;
mod storage;
mod zip;

use crate::sim::http::{self, Body, json, read_body};
pub use common::{DENIED_PROJECT, valid_service_name};
use common::{PROJECT_NUMBER, State, google_error};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use std::path::Path;
use std::sync::{Arc, Mutex};
use tokio::task::JoinHandle;

/// The file in the gcloud configuration folder holding the CA gcloud trusts for the sim.
pub const CA_FILE: &str = "sim-ca.pem";

/// What every request's handler reaches: each API's state, the engine Cloud Build
/// builds on, and the TLS that answers a CONNECT.
#[derive(Clone)]
struct Cloud {
    run: Arc<Mutex<State>>,
    storage: Arc<Mutex<storage::Storage>>,
    builds: Arc<Mutex<build::Builds>>,
    registry: Arc<Mutex<registry::Registry>>,
    engine: crate::sim::docker::state::Shared,
    tunnel: tokio_rustls::TlsAcceptor,
}

pub struct CloudRunSim {
    pub port: u16,
    state: Arc<Mutex<State>>,
    task: JoinHandle<()>,
    /// The CA of the TLS that answers gcloud's CONNECTs, as PEM.
    ca_pem: String,
}

impl Drop for CloudRunSim {
    fn drop(&mut self) {
        self.task.abort();
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        for deployed in state.services.values_mut() {
            if let Some(task) = deployed.listener.take() {
                task.abort();
            }
        }
    }
}

impl CloudRunSim {
    /// Listen on 127.0.0.1; Cloud Build builds on `engine`.
    pub async fn start(engine: crate::sim::docker::state::Shared) -> color_eyre::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = listener.local_addr()?.port();
        let state = Arc::new(Mutex::new(State::default()));
        let (tls, ca_pem) = crate::sim::docker::tls::https_config_for(&[
            "storage.googleapis.com",
            "www.googleapis.com",
            "*.googleapis.com",
        ])?;
        let cloud = Cloud {
            run: state.clone(),
            storage: Arc::new(Mutex::new(storage::Storage::new(port))),
            builds: Arc::default(),
            registry: Arc::new(Mutex::new(registry::Registry::with_sample_repository(
                crate::sim::GCLOUD_PROJECT,
            ))),
            engine,
            tunnel: tokio_rustls::TlsAcceptor::from(Arc::new(tls)),
        };
        let task = tokio::spawn(http::serve_tcp(listener, move |request| {
            handle(cloud.clone(), request)
        }));
        Ok(Self {
            port,
            state,
            task,
            ca_pem,
        })
    }

    /// The services deployed (project, region, name) with their URL once they have one.
    pub fn services(&self) -> Vec<(String, String, String, Option<String>)> {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state
            .services
            .iter()
            .map(|((project, region, name), deployed)| {
                let url = deployed.service["status"]["url"].as_str().map(String::from);
                (project.clone(), region.clone(), name.clone(), url)
            })
            .collect()
    }

    /// A throwaway gcloud configuration that sends `run` and `serviceusage` here.
    /// Written as gcloud itself stores it; the user's own configuration is never touched.
    /// gcloud is told not to write its logs, survey and update-check files into
    /// it: a gcloud still ending when the sim stops would make the folder again.
    pub fn write_gcloud_config(&self, dir: &Path, project: &str) -> std::io::Result<()> {
        super::private::create_dir(&dir.join("configurations"))?;
        super::private::write(&dir.join("active_config"), "default")?;
        let ca = dir.join(CA_FILE);
        super::private::write(&ca, &self.ca_pem)?;
        let port = self.port;
        super::private::write(
            &dir.join("configurations").join("config_default"),
            format!(
                "[core]\nproject = {project}\naccount = learner@pilothouse.sim\ndisable_usage_reporting = True\n\
                 disable_file_logging = True\ncheck_gce_metadata = False\ncustom_ca_certs_file = {}\n\n\
                 [survey]\ndisable_prompts = True\n\n\
                 [component_manager]\ndisable_update_check = True\n\n\
                 [run]\nregion = us-central1\n\n\
                 [proxy]\ntype = http\naddress = 127.0.0.1\nport = {port}\n\n\
                 [api_endpoint_overrides]\nrun = http://127.0.0.1:{port}/\nserviceusage = http://127.0.0.1:{port}/\n\
                 storage = http://127.0.0.1:{port}/storage/v1/\ncloudbuild = http://127.0.0.1:{port}/\n\
                 artifactregistry = http://127.0.0.1:{port}/\nlogging = http://127.0.0.1:{port}/\n",
                ca.display()
            ),
        )
    }
}

/// The host a request names: its absolute URI's (through the proxy), else its Host header's.
fn host_of(request: &Request<Incoming>) -> String {
    request
        .uri()
        .host()
        .map(String::from)
        .or_else(|| {
            request
                .headers()
                .get("host")
                .and_then(|h| h.to_str().ok())
                .map(|h| h.split(':').next().unwrap_or(h).to_string())
        })
        .unwrap_or_default()
}

type Answer = std::pin::Pin<Box<dyn std::future::Future<Output = Response<Body>> + Send>>;

/// Every request: a CONNECT opens a TLS tunnel answered by this same handler; the
/// rest go to the API their path belongs to.
fn handle(cloud: Cloud, request: Request<Incoming>) -> Answer {
    Box::pin(async move {
        if request.method() == Method::CONNECT {
            return tunnel(cloud, request);
        }
        let path = request.uri().path().to_string();
        let api = path.starts_with("/storage/v1/") || path.starts_with("/upload/storage/v1/");
        if host_of(&request) == "storage.googleapis.com" && !api {
            return public_object(&cloud, &request, &path);
        }
        if api {
            return storage_api(&cloud, request).await;
        }
        let build_operation = path.contains("/operations/")
            && path
                .rsplit('/')
                .next()
                .is_some_and(|id| lock(&cloud.builds).builds.contains_key(id));
        if (path.starts_with("/v1/projects/")
            && (path.contains("/builds")
                || path.ends_with("/defaultServiceAccount")
                || build_operation))
            || path.ends_with("/builds:submit")
        {
            return build_api(&cloud, request).await;
        }
        if path.starts_with("/v1/projects/")
            && (path.contains("/repositories") || path.contains("/operations/"))
        {
            return registry_api(&cloud, request).await;
        }
        // IAM: the build's service account (Compute Engine's default) exists.
        if let Some((_, email)) = path.split_once("/serviceAccounts/") {
            return json(
                StatusCode::OK,
                &serde_json::json!({
                    "name": format!("projects/{}/serviceAccounts/{email}", crate::sim::GCLOUD_PROJECT),
                    "projectId": crate::sim::GCLOUD_PROJECT, "email": email, "uniqueId": "100000000000000000001",
                    "displayName": "Compute Engine default service account", "disabled": false
                }),
            );
        }
        if path == "/v2/entries:list" {
            return entries_list(&cloud, request).await;
        }
        run::api(cloud.run.clone(), request).await
    })
}

/// Cloud Logging's `POST /v2/entries:list`: a page of the request log.
async fn entries_list(cloud: &Cloud, request: Request<Incoming>) -> Response<Body> {
    let body = match read_body(request).await {
        Ok(body) => body,
        Err(e) => return google_error(400, "INVALID_ARGUMENT", &e),
    };
    let asked = match common::json_body(&body) {
        Ok(asked) => asked,
        Err(refusal) => return *refusal,
    };
    match logging::page(&lock(&cloud.run).logs, &asked) {
        Ok(answer) => json(StatusCode::OK, &answer),
        Err(message) => google_error(400, "INVALID_ARGUMENT", &message),
    }
}

/// `CONNECT host:443`: yes, then TLS with the sim's CA over the tunnel, and HTTP inside.
fn tunnel(cloud: Cloud, request: Request<Incoming>) -> Response<Body> {
    tokio::spawn(async move {
        let Ok(upgraded) = hyper::upgrade::on(request).await else {
            return;
        };
        let Ok(tls) = cloud
            .tunnel
            .accept(hyper_util::rt::TokioIo::new(upgraded))
            .await
        else {
            return;
        };
        let inner = cloud.clone();
        http::serve_stream(tls, move |request| handle(inner.clone(), request));
    });
    http::empty(StatusCode::OK)
}

/// `https://storage.googleapis.com/BUCKET/OBJECT` (a build's log, as gcloud tails it).
fn public_object(cloud: &Cloud, request: &Request<Incoming>, path: &str) -> Response<Body> {
    let path = http::percent_decode(path.trim_start_matches('/'));
    let (bucket, object) = path.split_once('/').unwrap_or((&path, ""));
    let range = request
        .headers()
        .get(hyper::header::RANGE)
        .and_then(|v| v.to_str().ok());
    lock(&cloud.storage).get_object(bucket, object, true, range)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// The Cloud Storage JSON API: buckets, uploads, objects.
async fn storage_api(cloud: &Cloud, request: Request<Incoming>) -> Response<Body> {
    let method = request.method().clone();
    let query = http::query(&request);
    let path = request.uri().path().to_string();
    let content_type = request
        .headers()
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_string();
    let range = request
        .headers()
        .get(hyper::header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let body = match read_body(request).await {
        Ok(body) => body,
        Err(e) => return google_error(400, "INVALID_ARGUMENT", &e),
    };
    let upload = path.starts_with("/upload/");
    let rest = path
        .trim_start_matches("/upload")
        .trim_start_matches("/storage/v1/b")
        .trim_start_matches('/');
    let segments: Vec<String> = rest
        .split('/')
        .filter(|s| !s.is_empty())
        .map(http::percent_decode)
        .collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let project = query.get("project").cloned().unwrap_or_default();
    let mut storage = lock(&cloud.storage);
    match (&method, segments.as_slice(), upload) {
        (&Method::GET, [], false) => {
            storage.list_buckets(&project, query.get("prefix").map_or("", String::as_str))
        }
        (&Method::POST, [], false) => storage.insert_bucket(&project, &body),
        (&Method::GET, [bucket], false) => storage.get_bucket(bucket),
        (&Method::POST | &Method::PUT, [bucket, "o"], true) => {
            storage.upload(bucket, &query, &content_type, body)
        }
        (&Method::GET, [bucket, "o", object @ ..], false) => storage.get_object(
            bucket,
            &object.join("/"),
            query.get("alt").is_some_and(|a| a == "media"),
            range.as_deref(),
        ),
        _ => common::not_served("Cloud Storage", &method, &path),
    }
}

/// Cloud Build: create a build, read it, cancel it.
async fn build_api(cloud: &Cloud, request: Request<Incoming>) -> Response<Body> {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let segments = common::segments_of(&path);
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    // `v1/projects/P/builds…` or `v1/projects/P/locations/L/builds…`.
    let (project, location, rest) = match segments.as_slice() {
        [
            "v1" | "v2",
            "projects",
            project,
            "locations",
            location,
            rest @ ..,
        ] => (*project, *location, rest),
        ["v1", "projects", project, rest @ ..] => (*project, "global", rest),
        _ => return google_error(404, "NOT_FOUND", &format!("no such build path {path}")),
    };
    match (&method, rest) {
        (&Method::POST, ["builds"]) => match read_body(request).await {
            Ok(body) => build::create(
                &cloud.builds,
                &cloud.storage,
                &cloud.engine,
                (project, location),
                &body,
            ),
            Err(e) => google_error(400, "INVALID_ARGUMENT", &e),
        },
        (&Method::POST, ["builds", action]) if action.ends_with(":cancel") => {
            build::cancel(&cloud.builds, action.trim_end_matches(":cancel"))
        }
        (&Method::GET, ["builds", id]) => build::get(&cloud.builds, id),
        (&Method::POST, ["builds:submit"]) => match read_body(request).await {
            Ok(body) => build::submit(
                &cloud.builds,
                &cloud.storage,
                &cloud.engine,
                (project, location),
                &body,
            ),
            Err(e) => google_error(400, "INVALID_ARGUMENT", &e),
        },
        (&Method::GET, ["operations", id]) => {
            build::operation(&cloud.builds, project, location, id).unwrap_or_else(|| {
                google_error(404, "NOT_FOUND", &format!("Operation {id} not found"))
            })
        }
        (&Method::GET, ["defaultServiceAccount"]) => json(
            StatusCode::OK,
            &serde_json::json!({
                "name": format!("projects/{project}/locations/{location}/defaultServiceAccount"),
                "serviceAccountEmail": format!(
                    "projects/{project}/serviceAccounts/{PROJECT_NUMBER}-compute@developer.gserviceaccount.com"
                )
            }),
        ),
        _ => common::not_served("Cloud Build", &method, &path),
    }
}

/// Artifact Registry: a repository described, created or listed; an operation read.
async fn registry_api(cloud: &Cloud, request: Request<Incoming>) -> Response<Body> {
    let method = request.method().clone();
    let query = http::query(&request);
    let path = request.uri().path().trim_start_matches("/v1/").to_string();
    let body = match read_body(request).await {
        Ok(body) => body,
        Err(e) => return google_error(400, "INVALID_ARGUMENT", &e),
    };
    let mut registry = lock(&cloud.registry);
    match (&method, path.rsplit_once('/')) {
        (&Method::GET, Some((parent, "repositories"))) => registry.list(parent),
        (&Method::POST, Some((parent, "repositories"))) => registry.create(parent, &query, &body),
        (&Method::GET, _) if path.contains("/operations/") => registry.operation(&path),
        (&Method::GET, _) => registry.get(&path),
        _ => common::not_served("Artifact Registry", &method, &format!("/v1/{path}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names_follow_cloud_runs_rule() {
        assert!(valid_service_name("cookbook"));
        assert!(valid_service_name("cookbook-recipe-2"));
        for bad in [
            "",
            "Cookbook",
            "1cookbook",
            "cookbook-",
            "cook_book",
            &"a".repeat(50),
        ] {
            assert!(!valid_service_name(bad), "{bad}");
        }
    }
}
