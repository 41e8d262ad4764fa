//! The simulated Kubernetes API server: the subset kubectl and kube-rs use,
//! over HTTPS on 127.0.0.1 with its own CA and bearer tokens (an admin and
//! a user bound to one namespace; plain HTTP only when asked), with
//! controllers that behave like minikube's.

mod admission;
mod admission_batch;
mod api;
pub mod auth;
mod chatter;
mod churn;
mod controller;
mod faults;
mod managed;
mod metrics;
mod openapi;
mod openapi_proto;
mod patch;
mod proto;
mod proto_json;
pub mod resources;
mod seed;
mod selectors;
mod shared;
pub mod store;
mod stored;
mod table;
mod table_more;

pub use shared::{Fault, KubeShared, Timing};

use crate::sim::http::{self, Body, json, read_body};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use store::Store;

#[derive(Debug, Clone, Default)]
pub struct KubeConfig {
    /// 0: an ephemeral port.
    pub port: u16,
    pub seed: u64,
    pub timing: Timing,
    /// Pods preloaded over several deployments, for scale tests.
    pub preload_pods: usize,
    /// Namespaces the preloaded deployments are dealt over (0 or 1: `load` alone).
    pub preload_namespaces: usize,
    /// Changes a second to the preloaded pods (their restart counts), for churn tests.
    pub churn_per_second: u32,
    /// Lines a second each running pod writes to its log (`--log-rate`).
    pub log_lines_per_second: u32,
    /// Only this many pods write (`--log-pods`): the first running ones of
    /// the preloaded namespaces by name. 0: every running pod.
    pub log_pods: usize,
    /// HTTPS with its own CA, and bearer tokens that name the user (what
    /// `pilothouse sim` and the demo serve). false: plain HTTP, no
    /// authentication: for tests that speak raw HTTP, and `--plain-http`.
    pub secure: bool,
}

/// A running simulated API server; dropping it stops serving.
pub struct KubeSim {
    pub shared: Arc<KubeShared>,
    pub url: String,
    /// The CA that signed its certificate (PEM), when it serves HTTPS.
    pub ca_pem: Option<String>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl KubeSim {
    pub async fn start(
        config: KubeConfig,
        engine: Option<crate::sim::docker::Shared>,
    ) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await?;
        let port = listener.local_addr()?.port();
        let (tls, auth) = if config.secure {
            let (tls, ca) = crate::sim::docker::tls::https_config()
                .map_err(|e| std::io::Error::other(format!("{e:#}")))?;
            (Some((tls, ca)), Some(auth::Auth::generate()?))
        } else {
            (None, None)
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let url = format!("{scheme}://127.0.0.1:{port}");
        let mut store = Store::new(if config.seed == 0 {
            0x5EED
        } else {
            config.seed
        });
        seed::minikube(&mut store);
        seed::preload(&mut store, config.preload_pods, config.preload_namespaces);
        let shared = Arc::new(KubeShared {
            store: Mutex::new(store),
            timing: config.timing,
            engine,
            server: url.clone(),
            writes: Mutex::default(),
            fault: Mutex::default(),
            auth,
            requests: Default::default(),
            refused: Default::default(),
        });
        let serving = shared.clone();
        let serve = move |request| handle(serving.clone(), request);
        let (server, ca_pem) = match tls {
            Some((tls, ca)) => {
                let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
                (
                    tokio::spawn(http::serve_tls(listener, acceptor, serve)),
                    Some(ca),
                )
            }
            None => (tokio::spawn(http::serve_tcp(listener, serve)), None),
        };
        let mut tasks = vec![server, tokio::spawn(controller::run(shared.clone()))];
        if config.churn_per_second > 0
            && let Some(pods) = resources::by_plural("", "pods")
        {
            tasks.push(tokio::spawn(churn::run(
                shared.clone(),
                config.churn_per_second,
                pods,
            )));
        }
        if config.log_lines_per_second > 0 {
            tasks.push(tokio::spawn(chatter::run(
                shared.clone(),
                config.log_lines_per_second,
                config.log_pods,
            )));
        }
        Ok(Self {
            shared,
            url,
            ca_pem,
            tasks,
        })
    }

    /// A kubeconfig that points at this server: context `pilothouse-sim` as
    /// the admin and, when it authenticates, `pilothouse-sim-dev` as the
    /// user bound to one namespace; its CA for HTTPS.
    pub fn kubeconfig(&self) -> String {
        use base64::Engine as _;
        let ca = self.ca_pem.as_ref().map_or(String::new(), |pem| {
            format!(
                "    certificate-authority-data: {}\n",
                base64::engine::general_purpose::STANDARD.encode(pem)
            )
        });
        let (dev_context, users) = match &self.shared.auth {
            Some(auth) => (
                format!(
                    "- name: pilothouse-sim-dev\n  context:\n    cluster: pilothouse-sim\n    user: {}\n    namespace: {}\n",
                    auth::DEV_USER,
                    auth::DEV_NAMESPACE
                ),
                format!(
                    "- name: {}\n  user:\n    token: {}\n- name: {}\n  user:\n    token: {}\n",
                    auth::ADMIN_USER,
                    auth.admin_token,
                    auth::DEV_USER,
                    auth.dev_token
                ),
            ),
            None => (
                String::new(),
                format!("- name: {}\n  user: {{}}\n", auth::ADMIN_USER),
            ),
        };
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: pilothouse-sim\n  cluster:\n    server: {}\n{ca}contexts:\n- name: pilothouse-sim\n  context:\n    cluster: pilothouse-sim\n    user: {}\n    namespace: default\n{dev_context}current-context: pilothouse-sim\nusers:\n{users}preferences: {{}}\n",
            self.url,
            auth::ADMIN_USER,
        )
    }
}

impl Drop for KubeSim {
    fn drop(&mut self) {
        self.tasks.iter().for_each(tokio::task::JoinHandle::abort);
    }
}

fn header<'a>(request: &'a Request<Incoming>, name: &str) -> &'a str {
    request
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

async fn handle(shared: Arc<KubeShared>, request: Request<Incoming>) -> Response<Body> {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let query = http::query(&request);
    tracing::debug!(%method, %path, "kube sim");
    if method != Method::GET
        && method != Method::HEAD
        && let Ok(mut writes) = shared.writes.lock()
    {
        if writes.len() >= shared::WRITES_KEPT {
            writes.pop_front();
        }
        writes.push_back(format!("{method} {path}"));
    }
    let accept = header(&request, "accept").to_string();
    let content_type = header(&request, "content-type").to_string();
    let user_agent = header(&request, "user-agent").to_string();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    shared
        .requests
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let refuse = |code: StatusCode, body: &Value| {
        shared
            .refused
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        json(code, body)
    };
    // Who asks: a token it does not know is refused everywhere; none at all
    // only reaches what the cluster shows anyone (its version and health).
    let user = match &shared.auth {
        None => None,
        Some(known) => match known.user_of(header(&request, "authorization")) {
            Some(user) => Some(user),
            None if header(&request, "authorization").is_empty()
                && method == Method::GET
                && matches!(
                    segments.as_slice(),
                    ["version" | "healthz" | "livez" | "readyz"]
                ) =>
            {
                None
            }
            None => return refuse(StatusCode::UNAUTHORIZED, &auth::unauthorized()),
        },
    };
    match (&method, segments.as_slice()) {
        (&Method::GET, ["version"]) => return json(StatusCode::OK, &resources::version_info()),
        (&Method::GET, ["healthz" | "livez" | "readyz"]) => {
            return http::full(StatusCode::OK, "text/plain", "ok");
        }
        (&Method::GET, ["api"]) => {
            return json(StatusCode::OK, &resources::core_versions(&shared.server));
        }
        (&Method::GET, ["apis"]) => return json(StatusCode::OK, &resources::group_list()),
        (&Method::GET, ["openapi", "v3"]) => {
            return json(StatusCode::OK, &openapi::v3_index());
        }
        (&Method::GET, ["openapi", "v2"]) => {
            return if header(&request, "accept").contains(openapi::V2_PROTOBUF) {
                http::full(
                    StatusCode::OK,
                    openapi::V2_PROTOBUF_ANSWER,
                    openapi::v2_protobuf(),
                )
            } else {
                json(StatusCode::OK, &openapi::v2_document())
            };
        }
        (&Method::GET, ["openapi", "v3", rest @ ..]) => {
            return match openapi::v3_group(&rest.join("/")) {
                Some(doc) => json(StatusCode::OK, &doc),
                None => not_found(&path),
            };
        }
        (&Method::GET, ["apis", group]) => {
            return resources::group(group)
                .map_or_else(|| not_found(&path), |g| json(StatusCode::OK, &g));
        }
        (
            &Method::POST,
            [
                "apis",
                "authorization.k8s.io",
                "v1",
                "selfsubjectaccessreviews",
            ],
        ) => {
            let asker = user.clone().unwrap_or(auth::User {
                name: auth::ADMIN_USER.into(),
                namespace: None,
            });
            return match body_value(request, &content_type).await {
                Ok(review) => json(StatusCode::CREATED, &auth::access_review(&asker, review)),
                Err(response) => response,
            };
        }
        (&Method::POST, ["apis", "authentication.k8s.io", "v1", "selfsubjectreviews"]) => {
            let asker = user.clone().unwrap_or(auth::User {
                name: auth::ADMIN_USER.into(),
                namespace: None,
            });
            return match body_value(request, &content_type).await {
                Ok(_) => json(StatusCode::CREATED, &auth::self_review(&asker)),
                Err(response) => response,
            };
        }
        (&Method::GET, ["apis", "metrics.k8s.io", "v1beta1", rest @ ..]) if !rest.is_empty() => {
            let store = shared.store.lock().unwrap_or_else(|p| p.into_inner());
            return match metrics::answer(&store, rest) {
                Some(answer) => json(StatusCode::OK, &answer),
                None => not_found(&path),
            };
        }
        (&Method::GET, ["api", "v1"]) => return resource_list("", "v1", &path),
        (&Method::GET, ["apis", group, version]) => return resource_list(group, version, &path),
        _ => {}
    }
    let Some(target) = api::parse_target(&segments) else {
        return not_found(&path);
    };
    let manager = api::manager_of(&query, &user_agent);
    let watching = query.get("watch").is_some_and(|w| w == "true" || w == "1");
    if let Some(user) = &user {
        let asked = auth::Attributes::of(
            &method,
            auth::Asked {
                resource: target.resource,
                namespace: target.namespace.as_deref(),
                name: target.name.as_deref(),
                sub: target.sub.as_deref(),
            },
            watching,
        );
        if let Err(message) = auth::authorize(user, &asked) {
            return refuse(StatusCode::FORBIDDEN, &auth::forbidden(&message, &asked));
        }
    }
    let fault = *shared.fault.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(fault) = fault.filter(|_| method == Method::GET && target.name.is_none())
        && let Some(response) = faults::answer(fault, &target, watching).await
    {
        return response;
    }
    match (&method, target.name.is_some(), target.sub.as_deref()) {
        (&Method::GET, false, _) if watching => api::watch(&shared, &target, &query, &accept),
        (&Method::GET, false, _) => api::list(&shared, &target, &query, &accept),
        (&Method::GET, true, Some("scale")) => api::scale(&shared, &target, None, &manager),
        (&Method::GET, true, Some("log")) => api::log(&shared, &target, &query),
        (&Method::GET | &Method::POST, true, Some("exec")) if target.resource.plural == "pods" => {
            api::exec(&shared, &target, request)
        }
        (&Method::GET | &Method::POST, true, Some("portforward"))
            if target.resource.plural == "pods" =>
        {
            api::portforward(&shared, &target, request)
        }
        (&Method::GET, true, _) => api::get(&shared, &target, &accept),
        (&Method::POST, false, None) => match body_value(request, &content_type).await {
            Ok(object) => api::create(
                &shared,
                &target,
                object,
                &manager,
                query.contains_key("dryRun"),
            ),
            Err(response) => response,
        },
        (&Method::PUT, true, Some("scale")) | (&Method::PATCH, true, Some("scale")) => {
            match read_body(request).await {
                Ok(body) => {
                    let media = if method == Method::PUT {
                        "application/json".to_string()
                    } else {
                        content_type
                    };
                    api::scale(&shared, &target, Some((&media, &body)), &manager)
                }
                Err(e) => bad_request(&e),
            }
        }
        (&Method::PUT, true, None | Some("status")) => {
            match body_value(request, &content_type).await {
                Ok(object) => api::update(&shared, &target, object, &manager),
                Err(response) => response,
            }
        }
        (&Method::PATCH, true, None | Some("status")) => match read_body(request).await {
            Ok(body) => api::patch(&shared, &target, &content_type, &body, &query, &manager),
            Err(e) => bad_request(&e),
        },
        (&Method::DELETE, true, None) => match read_body(request).await {
            Ok(body) => api::delete(&shared, &target, &body),
            Err(e) => bad_request(&e),
        },
        (&Method::DELETE, false, None) => match read_body(request).await {
            Ok(body) => api::delete_collection(&shared, &target, &query, &body),
            Err(e) => bad_request(&e),
        },
        _ => {
            let refusal = admission::Refusal {
                code: 405,
                reason: "MethodNotAllowed",
                message: format!(
                    "the server does not allow this method on the requested resource ({method} {path})"
                ),
                causes: Vec::new(),
            };
            api::status_response(&refusal, None, None)
        }
    }
}

fn resource_list(group: &str, version: &str, path: &str) -> Response<Body> {
    resources::resource_list(group, version)
        .map_or_else(|| not_found(path), |list| json(StatusCode::OK, &list))
}

fn not_found(path: &str) -> Response<Body> {
    let refusal = admission::Refusal {
        code: 404,
        reason: "NotFound",
        message: format!("the server could not find the requested resource ({path})"),
        causes: Vec::new(),
    };
    api::status_response(&refusal, None, None)
}

fn bad_request(message: &str) -> Response<Body> {
    api::status_response(&admission::Refusal::bad_request(message), None, None)
}

/// A JSON body, or YAML when the client says so.
async fn body_value(
    request: Request<Incoming>,
    content_type: &str,
) -> Result<Value, Response<Body>> {
    let body = read_body(request).await.map_err(|e| bad_request(&e))?;
    let parsed = if content_type.contains("yaml") {
        serde_yaml_ng::from_slice::<Value>(&body).map_err(|e| format!("error decoding YAML: {e}"))
    } else if content_type.contains("protobuf") {
        proto::decode(&body)
    } else {
        serde_json::from_slice::<Value>(&body)
            .map_err(|e| format!("couldn't get version/kind; json parse error: {e}"))
    };
    parsed.map_err(|e| bad_request(&e))
}
