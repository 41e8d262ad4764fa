//! The simulated Kubernetes API server: the subset kubectl and kube-rs use,
//! over HTTP on 127.0.0.1, with controllers that behave like minikube's.

mod admission;
mod api;
mod chatter;
mod churn;
mod controller;
mod faults;
mod managed;
mod patch;
pub mod resources;
mod seed;
mod selectors;
mod shared;
pub mod store;
mod table;

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
    /// Changes a second to the preloaded pods (their restart counts), for churn tests.
    pub churn_per_second: u32,
    /// Lines a second each running pod writes to its log (`--log-rate`).
    pub log_lines_per_second: u32,
}

/// A running simulated API server; dropping it stops serving.
pub struct KubeSim {
    pub shared: Arc<KubeShared>,
    pub url: String,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl KubeSim {
    pub async fn start(
        config: KubeConfig,
        engine: Option<crate::sim::docker::Shared>,
    ) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await?;
        let url = format!("http://127.0.0.1:{}", listener.local_addr()?.port());
        let mut store = Store::new(if config.seed == 0 {
            0x5EED
        } else {
            config.seed
        });
        seed::minikube(&mut store);
        seed::preload(&mut store, config.preload_pods);
        let shared = Arc::new(KubeShared {
            store: Mutex::new(store),
            timing: config.timing,
            engine,
            server: url.clone(),
            writes: Mutex::default(),
            fault: Mutex::default(),
        });
        let serving = shared.clone();
        let mut tasks = vec![
            tokio::spawn(http::serve_tcp(listener, move |request| {
                handle(serving.clone(), request)
            })),
            tokio::spawn(controller::run(shared.clone())),
        ];
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
            )));
        }
        Ok(Self { shared, url, tasks })
    }

    /// A kubeconfig whose one context, `pilothouse-sim`, points at this server.
    pub fn kubeconfig(&self) -> String {
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: pilothouse-sim\n  cluster:\n    server: {}\ncontexts:\n- name: pilothouse-sim\n  context:\n    cluster: pilothouse-sim\n    user: pilothouse-sim\n    namespace: default\ncurrent-context: pilothouse-sim\nusers:\n- name: pilothouse-sim\n  user: {{}}\npreferences: {{}}\n",
            self.url
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
            return json(StatusCode::OK, &resources::openapi_index());
        }
        (&Method::GET, ["openapi", "v3", rest @ ..]) => {
            return match resources::openapi_group(&rest.join("/")) {
                Some(doc) => json(StatusCode::OK, &doc),
                None => not_found(&path),
            };
        }
        (&Method::GET, ["apis", group]) => {
            return resources::group(group)
                .map_or_else(|| not_found(&path), |g| json(StatusCode::OK, &g));
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
    } else {
        serde_json::from_slice::<Value>(&body)
            .map_err(|e| format!("couldn't get version/kind; json parse error: {e}"))
    };
    parsed.map_err(|e| bad_request(&e))
}
