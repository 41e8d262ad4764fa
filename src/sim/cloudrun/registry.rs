//! Artifact Registry's repositories, as gcloud checks and makes them: a
//! repository described (`GET …/repositories/R`, 404 when there is none),
//! created (`POST …/repositories?repositoryId=R`, a long-running operation
//! that is done at once), listed, and the operation read back.

use super::common::google_error;
use crate::sim::clock::{now_secs, rfc3339};
use crate::sim::http::{Body, json};
use hyper::{Response, StatusCode};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

#[derive(Default)]
pub struct Registry {
    /// Full name (`projects/P/locations/L/repositories/R`) -> the repository.
    pub repositories: BTreeMap<String, Value>,
    operations: BTreeMap<String, Value>,
}

/// The repository name rule: lowercase letters, digits and dashes, a letter first.
fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 63
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && !id.ends_with('-')
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

impl Registry {
    /// A registry that already has the sample app's repository (`apps` in
    /// us-central1), as a project set up for the book's chapter has.
    pub fn with_sample_repository(project: &str) -> Self {
        let mut registry = Registry::default();
        let query = HashMap::from([("repositoryId".to_string(), "apps".to_string())]);
        let _ = registry.create(
            &format!("projects/{project}/locations/us-central1"),
            &query,
            br#"{"format": "DOCKER", "description": "the sample app's images"}"#,
        );
        registry
    }

    pub fn get(&self, name: &str) -> Response<Body> {
        match self.repositories.get(name) {
            Some(repository) => json(StatusCode::OK, repository),
            None => google_error(
                404,
                "NOT_FOUND",
                &format!("Requested entity was not found. ({name})"),
            ),
        }
    }

    pub fn list(&self, parent: &str) -> Response<Body> {
        let prefix = format!("{parent}/repositories/");
        let items: Vec<&Value> = self
            .repositories
            .iter()
            .filter(|(name, _)| name.starts_with(&prefix))
            .map(|(_, r)| r)
            .collect();
        json(StatusCode::OK, &json!({"repositories": items}))
    }

    /// `POST PARENT/repositories?repositoryId=R` with the repository's format and description.
    pub fn create(
        &mut self,
        parent: &str,
        query: &HashMap<String, String>,
        body: &[u8],
    ) -> Response<Body> {
        let Some(id) = query.get("repositoryId").filter(|id| valid_id(id)) else {
            return google_error(
                400,
                "INVALID_ARGUMENT",
                "repositoryId: must start with a lowercase letter and hold only lowercase letters, digits and dashes",
            );
        };
        let name = format!("{parent}/repositories/{id}");
        if self.repositories.contains_key(&name) {
            return google_error(
                409,
                "ALREADY_EXISTS",
                &format!("the repository already exists: {name}"),
            );
        }
        let asked: Value = serde_json::from_slice(body).unwrap_or(json!({}));
        let now = rfc3339(now_secs());
        let repository = json!({
            "name": name,
            "format": asked["format"].as_str().unwrap_or("DOCKER"),
            "description": asked["description"].as_str().unwrap_or_default(),
            "mode": "STANDARD_REPOSITORY",
            "createTime": now, "updateTime": now, "sizeBytes": "0"
        });
        self.repositories.insert(name.clone(), repository.clone());
        let operation_name = format!(
            "{parent}/operations/{}",
            &crate::sim::docker::state::sha256_hex(&[name.as_bytes()])[..36]
        );
        let operation = json!({
            "name": operation_name,
            "done": true,
            "metadata": {"@type": "type.googleapis.com/google.devtools.artifactregistry.v1.OperationMetadata"},
            "response": {"@type": "type.googleapis.com/google.devtools.artifactregistry.v1.Repository"}
        });
        let mut operation = operation;
        if let (Some(response), Some(fields)) = (
            operation["response"].as_object_mut(),
            repository.as_object(),
        ) {
            response.extend(fields.clone());
        }
        self.operations.insert(operation_name, operation.clone());
        json(StatusCode::OK, &operation)
    }

    pub fn operation(&self, name: &str) -> Response<Body> {
        match self.operations.get(name) {
            Some(operation) => json(StatusCode::OK, operation),
            None => google_error(404, "NOT_FOUND", &format!("Operation {name} not found")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repository_is_missing_then_made_then_described() {
        let mut registry = Registry::default();
        let parent = "projects/p/locations/us-central1";
        let name = format!("{parent}/repositories/apps");
        assert_eq!(registry.get(&name).status(), 404);
        let query = HashMap::from([("repositoryId".to_string(), "apps".to_string())]);
        assert_eq!(
            registry
                .create(parent, &query, br#"{"format":"DOCKER"}"#)
                .status(),
            200
        );
        assert_eq!(registry.get(&name).status(), 200);
        assert_eq!(registry.create(parent, &query, b"{}").status(), 409);
        let bad = HashMap::from([("repositoryId".to_string(), "Apps_1".to_string())]);
        assert_eq!(registry.create(parent, &bad, b"{}").status(), 400);
    }
}
