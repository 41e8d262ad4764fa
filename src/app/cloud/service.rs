//! Where a Cloud Run service lives, and the gcloud command lines about it:
//! its revisions, its description, moving its traffic, reading its logs.

use crate::domain::cloud::CloudRevisionRow;

/// Where a service lives: its name, region and project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRef {
    pub name: String,
    pub region: String,
    pub project: String,
}

/// How many entries the first read of a service's logs shows.
pub const LOG_LIMIT: u32 = 100;
/// The Logs pane's key for a Cloud Run service's stream.
pub(crate) const LOG_KEY_PREFIX: &str = "cloudrun:";

impl ServiceRef {
    fn scope(&self) -> [String; 4] {
        [
            "--region".into(),
            self.region.clone(),
            "--project".into(),
            self.project.clone(),
        ]
    }

    /// `gcloud run revisions list --service NAME`.
    pub fn revisions_list_args(&self) -> Vec<String> {
        let mut args: Vec<String> = ["run", "revisions", "list", "--service"]
            .map(String::from)
            .to_vec();
        args.push(self.name.clone());
        args.extend(self.scope());
        args.push("--format=json".into());
        args
    }

    /// `gcloud run services describe NAME`: the traffic split the revisions are shown with.
    pub fn describe_args(&self) -> Vec<String> {
        let mut args: Vec<String> = ["run", "services", "describe"].map(String::from).to_vec();
        args.push(self.name.clone());
        args.extend(self.scope());
        args.push("--format=json".into());
        args
    }

    /// `gcloud run services update-traffic NAME --to-revisions REV=100`, or
    /// `--to-latest` for the latest revision, so later deploys get the traffic again.
    pub fn update_traffic_args(&self, revision: &CloudRevisionRow) -> Vec<String> {
        let mut args: Vec<String> = ["run", "services", "update-traffic"]
            .map(String::from)
            .to_vec();
        args.push(self.name.clone());
        if revision.latest {
            args.push("--to-latest".into());
        } else {
            args.push("--to-revisions".into());
            args.push(format!("{}=100", revision.name));
        }
        args.extend(self.scope());
        args
    }

    /// `gcloud run services logs read NAME`: the last entries, or (`after`, as
    /// gcloud prints a time: `2026-12-04 20:00:01`) those from that second on.
    pub fn logs_read_args(&self, after: Option<&str>) -> Vec<String> {
        let mut args: Vec<String> = ["run", "services", "logs", "read"]
            .map(String::from)
            .to_vec();
        args.push(self.name.clone());
        args.extend(self.scope());
        match after {
            None => args.extend(["--limit".into(), LOG_LIMIT.to_string()]),
            Some(second) => {
                let stamp = format!("{}Z", second.replacen(' ', "T", 1));
                args.extend(["--log-filter".into(), format!("timestamp>=\"{stamp}\"")]);
            }
        }
        args
    }

    pub(crate) fn log_key(&self) -> String {
        format!(
            "{LOG_KEY_PREFIX}{}/{}/{}",
            self.project, self.region, self.name
        )
    }
}
