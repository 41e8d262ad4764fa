//! What the Cloud pane knows, read from gcloud's own JSON output: the active
//! account and project (never a credential) and the project's Cloud Run services.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum GcloudState {
    #[default]
    Unknown,
    /// No `gcloud` on PATH.
    NotInstalled,
    Ready(GcloudConfig),
    /// gcloud answered something unreadable, or failed; said once.
    Failed(String),
}

/// `gcloud config list --format=json`: `core.account`, `core.project`, `run.region`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GcloudConfig {
    pub account: Option<String>,
    pub project: Option<String>,
    pub region: Option<String>,
}

/// One row of `gcloud run services list --format=json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudServiceRow {
    pub name: String,
    pub region: String,
    pub url: String,
    /// When the latest revision became ready (RFC 3339, as Cloud Run says it).
    pub last_deployed: String,
    pub ready: bool,
}

pub fn parse_config(stdout: &str) -> Result<GcloudConfig, String> {
    let value: Value =
        serde_json::from_str(stdout.trim()).map_err(|e| format!("unreadable answer: {e}"))?;
    let text = |section: &str, key: &str| {
        value
            .get(section)
            .and_then(|s| s.get(key))
            .and_then(Value::as_str)
            .map(String::from)
    };
    Ok(GcloudConfig {
        account: text("core", "account"),
        project: text("core", "project"),
        region: text("run", "region"),
    })
}

pub fn parse_services(stdout: &str) -> Result<Vec<CloudServiceRow>, String> {
    let value: Value =
        serde_json::from_str(stdout.trim()).map_err(|e| format!("unreadable answer: {e}"))?;
    let items = value.as_array().ok_or("expected a JSON list of services")?;
    let mut rows: Vec<CloudServiceRow> = items
        .iter()
        .map(|service| {
            let text = |pointer: &str| {
                service
                    .pointer(pointer)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            let ready_condition = ready_condition(service);
            CloudServiceRow {
                name: text("/metadata/name"),
                region: text("/metadata/labels/cloud.googleapis.com~1location"),
                url: text("/status/url"),
                last_deployed: ready_condition
                    .and_then(|c| c["lastTransitionTime"].as_str())
                    .map(String::from)
                    .unwrap_or_else(|| text("/metadata/creationTimestamp")),
                ready: ready_condition.is_some_and(|c| c["status"] == "True"),
            }
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(rows)
}

/// One revision of a service, from `gcloud run revisions list --format=json`,
/// with its share of the traffic from the service's `status.traffic`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudRevisionRow {
    pub name: String,
    /// Percent of the service's requests it answers.
    pub percent: u32,
    pub image: String,
    /// RFC 3339, as Cloud Run says it.
    pub created: String,
    pub ready: bool,
    /// The service's latest ready revision (what `--to-latest` sends traffic to).
    pub latest: bool,
}

/// The revisions newest first, each with its traffic share read from the service
/// (`gcloud run services describe --format=json`).
pub fn parse_revisions(revisions: &str, service: &str) -> Result<Vec<CloudRevisionRow>, String> {
    let revisions: Value =
        serde_json::from_str(revisions.trim()).map_err(|e| format!("unreadable revisions: {e}"))?;
    let service: Value =
        serde_json::from_str(service.trim()).map_err(|e| format!("unreadable service: {e}"))?;
    let items = revisions
        .as_array()
        .ok_or("expected a JSON list of revisions")?;
    let shares = service
        .pointer("/status/traffic")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let latest = service
        .pointer("/status/latestReadyRevisionName")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let text = |value: &Value, pointer: &str| {
        value
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let mut rows: Vec<CloudRevisionRow> = items
        .iter()
        .map(|revision| {
            let name = text(revision, "/metadata/name");
            let percent = shares
                .iter()
                .filter(|share| share["revisionName"].as_str() == Some(name.as_str()))
                .filter_map(|share| share["percent"].as_u64())
                .sum::<u64>();
            CloudRevisionRow {
                percent: u32::try_from(percent).unwrap_or(100),
                image: text(revision, "/spec/containers/0/image"),
                created: text(revision, "/metadata/creationTimestamp"),
                ready: ready_condition(revision).is_some_and(|c| c["status"] == "True"),
                latest: !latest.is_empty() && name == latest,
                name,
            }
        })
        .collect();
    rows.sort_by(|a, b| b.created.cmp(&a.created).then(b.name.cmp(&a.name)));
    Ok(rows)
}

fn ready_condition(object: &Value) -> Option<&Value> {
    object
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|conditions| conditions.iter().find(|c| c["type"] == "Ready"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions_carry_their_traffic_share_newest_first() {
        let revisions = r#"[
          {"metadata":{"name":"web-00001-aaa","creationTimestamp":"2026-11-27T10:00:00Z"},
           "spec":{"containers":[{"image":"us-docker.pkg.dev/p/apps/web:v1"}]},
           "status":{"conditions":[{"type":"Ready","status":"True"}]}},
          {"metadata":{"name":"web-00002-bbb","creationTimestamp":"2026-11-28T09:00:00Z"},
           "spec":{"containers":[{"image":"us-docker.pkg.dev/p/apps/web:v2"}]},
           "status":{"conditions":[{"type":"Ready","status":"False"}]}}]"#;
        let service = r#"{"status":{"latestReadyRevisionName":"web-00002-bbb",
           "traffic":[{"revisionName":"web-00001-aaa","percent":100}]}}"#;
        let rows = parse_revisions(revisions, service).expect("parses");
        assert_eq!(
            rows,
            [
                CloudRevisionRow {
                    name: "web-00002-bbb".into(),
                    percent: 0,
                    image: "us-docker.pkg.dev/p/apps/web:v2".into(),
                    created: "2026-11-28T09:00:00Z".into(),
                    ready: false,
                    latest: true,
                },
                CloudRevisionRow {
                    name: "web-00001-aaa".into(),
                    percent: 100,
                    image: "us-docker.pkg.dev/p/apps/web:v1".into(),
                    created: "2026-11-27T10:00:00Z".into(),
                    ready: true,
                    latest: false,
                },
            ]
        );
        assert!(parse_revisions("{}", service).is_err());
        assert!(parse_revisions(revisions, "not json").is_err());
    }

    #[test]
    fn config_and_services_read_from_gclouds_json() {
        let config = parse_config(
            r#"{"accessibility":{"screen_reader":"False"},"core":{"account":"ada@example.com","disable_usage_reporting":"True","project":"my-proj"},"run":{"region":"europe-west1"}}"#,
        )
        .expect("parses");
        assert_eq!(config.account.as_deref(), Some("ada@example.com"));
        assert_eq!(config.project.as_deref(), Some("my-proj"));
        assert_eq!(config.region.as_deref(), Some("europe-west1"));
        assert_eq!(parse_config("{}").expect("parses"), GcloudConfig::default());
        let services = parse_services(
            r#"[{"apiVersion":"serving.knative.dev/v1","kind":"Service","metadata":{"name":"web","labels":{"cloud.googleapis.com/location":"us-central1"},"creationTimestamp":"2026-11-27T10:00:00Z"},
                 "status":{"url":"https://web-abc-uc.a.run.app","conditions":[{"type":"Ready","status":"True","lastTransitionTime":"2026-11-27T10:01:00Z"}]}}]"#,
        )
        .expect("parses");
        assert_eq!(
            services,
            [CloudServiceRow {
                name: "web".into(),
                region: "us-central1".into(),
                url: "https://web-abc-uc.a.run.app".into(),
                last_deployed: "2026-11-27T10:01:00Z".into(),
                ready: true,
            }]
        );
        assert!(parse_services("{}").is_err());
        assert!(parse_services("not json").is_err());
    }
}

/// An Artifact Registry repository: where a deploy pushes its image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepositoryRef {
    pub project: String,
    pub region: String,
    pub name: String,
}
