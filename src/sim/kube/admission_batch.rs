//! What the API server fills in and checks on Jobs and CronJobs.

use serde_json::{Value, json};

/// A Job's defaults: one completion, one at a time, six retries (its pod
/// template's are admission's, as a pod's).
pub fn default_job(spec: &mut Value) {
    for (key, value) in [
        ("completions", json!(1)),
        ("parallelism", json!(1)),
        ("backoffLimit", json!(6)),
        ("completionMode", json!("NonIndexed")),
        ("suspend", json!(false)),
        ("podReplacementPolicy", json!("TerminatingOrFailed")),
    ] {
        if spec.get(key).is_none() {
            spec[key] = value;
        }
    }
}

/// A CronJob's defaults, and its Job template's.
pub fn default_cronjob(spec: &mut Value) {
    for (key, value) in [
        ("concurrencyPolicy", json!("Allow")),
        ("suspend", json!(false)),
        ("successfulJobsHistoryLimit", json!(3)),
        ("failedJobsHistoryLimit", json!(1)),
    ] {
        if spec.get(key).is_none() {
            spec[key] = value;
        }
    }
    if let Some(job) = spec.pointer_mut("/jobTemplate/spec") {
        default_job(job);
    }
}

/// A Job's pods must not restart forever: restartPolicy Never or OnFailure.
pub fn check_job(spec: Option<&Value>, path: &str, causes: &mut Vec<(String, String)>) {
    let policy = spec
        .and_then(|s| s.pointer("/template/spec/restartPolicy"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if !matches!(policy, "Never" | "OnFailure") {
        causes.push((
            format!("{path}.template.spec.restartPolicy"),
            if policy.is_empty() {
                "Required value: valid values: \"OnFailure\", \"Never\"".to_string()
            } else {
                format!(
                    "Unsupported value: \"{policy}\": supported values: \"OnFailure\", \"Never\""
                )
            },
        ));
    }
}
