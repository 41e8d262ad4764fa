//! `docker login` (`POST /auth`) as an engine that knows registries answers
//! it. The simulated Artifact Registry (`*-docker.pkg.dev`, and `gcr.io`)
//! takes the user `oauth2accesstoken` with the simulated gcloud's access
//! token, as the real one takes gcloud's; any other password is refused.
//! Every other registry is out of reach, as it is for an engine offline.

use super::state::{Shared, error};
use crate::sim::http::{Body, json};
use hyper::{Response, StatusCode};
use serde_json::{Value, json};

/// Whether `server` (`https://us-central1-docker.pkg.dev`, `gcr.io`, …) is the simulated registry.
fn simulated(server: &str) -> Option<String> {
    let host = server
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    (host.ends_with("-docker.pkg.dev") || host == "gcr.io" || host.ends_with(".gcr.io"))
        .then_some(host)
}

pub fn login(shared: &Shared, body: &[u8]) -> Response<Body> {
    let Ok(asked) = serde_json::from_slice::<Value>(body) else {
        return error(StatusCode::BAD_REQUEST, "the login request is not JSON");
    };
    let text = |key: &str| asked[key].as_str().unwrap_or_default().to_string();
    let server = text("serveraddress");
    let Some(host) = simulated(&server) else {
        let host = server
            .trim_start_matches("https://")
            .split('/')
            .next()
            .filter(|h| !h.is_empty())
            .unwrap_or("registry-1.docker.io")
            .to_string();
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!(
                "Get \"https://{host}/v2/\": dial tcp: lookup {host}: no such host (the pilothouse simulated engine reaches only its simulated Artifact Registry)"
            ),
        );
    };
    if text("username") != "oauth2accesstoken" || text("password") != crate::sim::GCLOUD_TOKEN {
        return error(
            StatusCode::UNAUTHORIZED,
            &format!(
                "Get \"https://{host}/v2/\": denied: Unauthenticated request. Unauthenticated requests do not have permission \"artifactregistry.repositories.downloadArtifacts\""
            ),
        );
    }
    super::state::lock(shared).logins.push(host);
    json(
        StatusCode::OK,
        &json!({"IdentityToken": "", "Status": "Login Succeeded"}),
    )
}
