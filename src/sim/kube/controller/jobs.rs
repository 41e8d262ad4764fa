//! Jobs and CronJobs, as their controllers run them. A Job makes pods from
//! its template (up to `parallelism` at once) until `completions` of them
//! have succeeded, or more than `backoffLimit` have failed; its pods run to
//! the end (`crash.rs` runs a finite pod's command in the built-in shell),
//! so `kubectl get jobs` shows it Complete. A CronJob makes a Job at each
//! time its schedule names, on the sim's clock, and keeps the last few.

use super::common::*;
use super::on_create;
use crate::sim::clock::{now_secs, parse_rfc3339, rfc3339};
use crate::sim::kube::store::Store;
use serde_json::{Value, json};
use std::time::Instant;

const JOB_NAME: &str = "batch.kubernetes.io/job-name";
const CONTROLLER_UID: &str = "batch.kubernetes.io/controller-uid";

fn number(object: &Value, pointer: &str, default: i64) -> i64 {
    object
        .pointer(pointer)
        .and_then(Value::as_i64)
        .unwrap_or(default)
}

fn has_condition(job: &Value, kind: &str) -> bool {
    job.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|all| {
            all.iter()
                .any(|c| c["type"] == kind && c["status"] == "True")
        })
}

fn condition(kind: &str, reason: &str, message: &str, now: &str) -> Value {
    json!({"type": kind, "status": "True", "reason": reason, "message": message,
           "lastProbeTime": now, "lastTransitionTime": now})
}

impl Controller {
    pub(super) fn jobs(&mut self, store: &mut Store) {
        let jobs: Vec<Value> = store.list("jobs", None);
        for job in jobs {
            if has_condition(&job, "Complete") || has_condition(&job, "Failed") {
                continue;
            }
            let (namespace, job_uid) = (s(&job, "/metadata/namespace").to_string(), uid(&job));
            if job.pointer("/spec/selector").is_none() {
                // As the API server does at creation: the Job selects its pods by its uid.
                let mut next = job.clone();
                next["spec"]["selector"] = json!({"matchLabels": {CONTROLLER_UID: job_uid}});
                let labels = &mut next["spec"]["template"]["metadata"]["labels"];
                for (key, value) in [
                    (CONTROLLER_UID, job_uid.as_str()),
                    ("controller-uid", job_uid.as_str()),
                    (JOB_NAME, s(&job, "/metadata/name")),
                    ("job-name", s(&job, "/metadata/name")),
                ] {
                    labels[key] = json!(value);
                }
                store.replace(res("jobs"), next);
                continue;
            }
            let pods: Vec<Value> = store.owned("pods", &namespace, &job_uid);
            let phase = |p: &Value| s(p, "/status/phase").to_string();
            let succeeded = pods.iter().filter(|p| phase(p) == "Succeeded").count() as i64;
            let failed = pods.iter().filter(|p| phase(p) == "Failed").count() as i64;
            let active = pods
                .iter()
                .filter(|p| !matches!(phase(p).as_str(), "Succeeded" | "Failed"))
                .filter(|p| p.pointer("/metadata/deletionTimestamp").is_none())
                .count() as i64;
            let completions = number(&job, "/spec/completions", 1);
            let parallelism = number(&job, "/spec/parallelism", 1);
            let backoff_limit = number(&job, "/spec/backoffLimit", 6);
            let suspended = job.pointer("/spec/suspend") == Some(&json!(true));
            let now = rfc3339(now_secs());
            let mut status = job.get("status").cloned().unwrap_or(json!({}));
            if status.get("startTime").is_none() && !suspended {
                status["startTime"] = json!(now);
            }
            if succeeded >= completions {
                status["completionTime"] = json!(now);
                status["conditions"] = json!([
                    condition(
                        "SuccessCriteriaMet",
                        "CompletionsReached",
                        "Reached expected number of succeeded pods",
                        &now
                    ),
                    condition(
                        "Complete",
                        "CompletionsReached",
                        "Reached expected number of succeeded pods",
                        &now
                    ),
                ]);
                record_event(store, &job, "Normal", "Completed", "Job completed");
            } else if failed > backoff_limit {
                status["conditions"] = json!([
                    condition(
                        "FailureTarget",
                        "BackoffLimitExceeded",
                        "Job has reached the specified backoff limit",
                        &now
                    ),
                    condition(
                        "Failed",
                        "BackoffLimitExceeded",
                        "Job has reached the specified backoff limit",
                        &now
                    ),
                ]);
                record_event(
                    store,
                    &job,
                    "Warning",
                    "BackoffLimitExceeded",
                    "Job has reached the specified backoff limit",
                );
            } else if !suspended {
                let wanted = parallelism.min(completions - succeeded) - active;
                for _ in 0..wanted.max(0) {
                    self.start_job_pod(store, &job);
                }
            }
            status["active"] = json!(active);
            status["succeeded"] = json!(succeeded);
            status["failed"] = json!(failed);
            status["ready"] = json!(pods.iter().filter(|p| pod_ready(p)).count());
            status["terminating"] = json!(0);
            if job.get("status") != Some(&status) {
                let mut next = job.clone();
                next["status"] = status;
                store.replace(res("jobs"), next);
            }
        }
    }

    fn start_job_pod(&mut self, store: &mut Store, job: &Value) {
        let (namespace, name, job_uid) = (
            s(job, "/metadata/namespace").to_string(),
            s(job, "/metadata/name").to_string(),
            uid(job),
        );
        let pod_name = format!(
            "{name}-{}",
            store.random_suffix(&format!("pod/{namespace}/{name}"), 5)
        );
        let template = job.pointer("/spec/template").cloned().unwrap_or(json!({}));
        let mut labels = template
            .pointer("/metadata/labels")
            .cloned()
            .unwrap_or(json!({}));
        for (key, value) in [
            (JOB_NAME, name.as_str()),
            ("job-name", name.as_str()),
            (CONTROLLER_UID, job_uid.as_str()),
            ("controller-uid", job_uid.as_str()),
        ] {
            labels[key] = json!(value);
        }
        let mut pod = json!({
            "metadata": {"name": pod_name, "namespace": namespace, "labels": labels,
                         "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": name, "uid": job_uid,
                                              "controller": true, "blockOwnerDeletion": true}]},
            "spec": template.get("spec").cloned().unwrap_or(json!({})),
        });
        on_create(store, res("pods"), &mut pod);
        let stored = store.insert(res("pods"), pod);
        self.stage_since.insert(
            uid(&stored),
            Tracked {
                namespace,
                name: pod_name.clone(),
                since: Instant::now(),
            },
        );
        record_event(
            store,
            job,
            "Normal",
            "SuccessfulCreate",
            &format!("Created pod: {pod_name}"),
        );
    }

    pub(super) fn cronjobs(&mut self, store: &mut Store) {
        let now = now_secs();
        let crons: Vec<Value> = store.list("cronjobs", None);
        for cron in crons {
            let (namespace, name, cron_uid) = (
                s(&cron, "/metadata/namespace").to_string(),
                s(&cron, "/metadata/name").to_string(),
                uid(&cron),
            );
            let Some(schedule) = Schedule::parse(s(&cron, "/spec/schedule")) else {
                continue;
            };
            let since = cron
                .pointer("/status/lastScheduleTime")
                .and_then(Value::as_str)
                .or_else(|| {
                    cron.pointer("/metadata/creationTimestamp")
                        .and_then(Value::as_str)
                })
                .and_then(parse_rfc3339)
                .unwrap_or(now);
            let due = schedule.last_between(since, now);
            let mut jobs: Vec<Value> = store.owned("jobs", &namespace, &cron_uid);
            let mut status = cron.get("status").cloned().unwrap_or(json!({}));
            if let Some(at) = due
                && cron.pointer("/spec/suspend") != Some(&json!(true))
            {
                let job_name = format!("{name}-{}", at / 60);
                if store.get("jobs", &namespace, &job_name).is_none() {
                    let template = cron
                        .pointer("/spec/jobTemplate")
                        .cloned()
                        .unwrap_or(json!({}));
                    let mut job = json!({
                        "metadata": {"name": job_name, "namespace": namespace,
                                     "labels": template.pointer("/metadata/labels").cloned().unwrap_or(json!({})),
                                     "annotations": {"batch.kubernetes.io/cronjob-scheduled-timestamp": rfc3339(at)},
                                     "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": name, "uid": cron_uid,
                                                          "controller": true, "blockOwnerDeletion": true}]},
                        "spec": template.get("spec").cloned().unwrap_or(json!({})),
                    });
                    on_create(store, res("jobs"), &mut job);
                    let stored = store.insert(res("jobs"), job);
                    record_event(
                        store,
                        &cron,
                        "Normal",
                        "SuccessfulCreate",
                        &format!("Created job {job_name}"),
                    );
                    jobs.push(stored);
                }
                status["lastScheduleTime"] = json!(rfc3339(at));
            }
            // The finished ones beyond the history limits go, oldest first.
            jobs.sort_by_key(|j| s(j, "/metadata/creationTimestamp").to_string());
            for (kind, limit) in [
                (
                    "Complete",
                    number(&cron, "/spec/successfulJobsHistoryLimit", 3),
                ),
                ("Failed", number(&cron, "/spec/failedJobsHistoryLimit", 1)),
            ] {
                let finished: Vec<&Value> =
                    jobs.iter().filter(|j| has_condition(j, kind)).collect();
                let extra = finished.len().saturating_sub(limit.max(0) as usize);
                for old in finished.into_iter().take(extra) {
                    store.remove(res("jobs"), &namespace, s(old, "/metadata/name"));
                    collect_garbage_of_jobs(store);
                }
            }
            let active: Vec<Value> = store
                .owned("jobs", &namespace, &cron_uid)
                .into_iter()
                .filter(|j| !has_condition(j, "Complete") && !has_condition(j, "Failed"))
                .map(|j| {
                    json!({"kind": "Job", "namespace": namespace, "name": s(&j, "/metadata/name"),
                                "uid": uid(&j), "apiVersion": "batch/v1"})
                })
                .collect();
            if active.is_empty() {
                if let Some(map) = status.as_object_mut() {
                    map.remove("active");
                }
            } else {
                status["active"] = json!(active);
            }
            if cron.get("status") != Some(&status) {
                let mut next = cron.clone();
                next["status"] = status;
                store.replace(res("cronjobs"), next);
            }
        }
    }
}

/// The pods of Jobs that are gone go too.
fn collect_garbage_of_jobs(store: &mut Store) {
    super::collect_garbage(store);
}

/// A cron schedule: minute, hour, day of month, month, day of week, each a
/// set of the values it allows (`*`, `*/n`, `a-b`, `a,b`), or a macro
/// (`@hourly`, `@daily`, …). Times are UTC, as the sim's clock is.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Schedule {
    fields: [Vec<u32>; 5],
}

impl Schedule {
    pub(super) fn parse(text: &str) -> Option<Self> {
        let text = match text.trim() {
            "@yearly" | "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" | "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            other => other,
        };
        let parts: Vec<&str> = text.split_whitespace().collect();
        let ranges = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 6)];
        if parts.len() != 5 {
            return None;
        }
        let mut fields: [Vec<u32>; 5] = Default::default();
        for (i, (part, (low, high))) in parts.iter().zip(ranges).enumerate() {
            fields[i] = values(part, low, high)?;
        }
        Some(Self { fields })
    }

    fn matches(&self, minute_start: i64) -> bool {
        let days = minute_start.div_euclid(86_400);
        let secs = minute_start.rem_euclid(86_400);
        let (year_day, month) = civil(days);
        let weekday = (days + 4).rem_euclid(7) as u32; // 1970-01-01 was a Thursday.
        let [minute, hour, day, months, weekdays] = &self.fields;
        minute.contains(&((secs / 60 % 60) as u32))
            && hour.contains(&((secs / 3600) as u32))
            && day.contains(&year_day)
            && months.contains(&month)
            && weekdays.contains(&weekday)
    }

    /// The latest scheduled minute after `since` and at or before `now`.
    pub(super) fn last_between(&self, since: i64, now: i64) -> Option<i64> {
        let first = (since / 60 + 1) * 60;
        // A day's worth of minutes back at most: a sim is not left running for longer.
        let start = first.max(now - 86_400);
        let mut at = now - now.rem_euclid(60);
        while at >= start {
            if self.matches(at) {
                return Some(at);
            }
            at -= 60;
        }
        None
    }
}

/// The day of the month and the month of a day counted from 1970-01-01.
fn civil(days: i64) -> (u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (day, month)
}

fn values(part: &str, low: u32, high: u32) -> Option<Vec<u32>> {
    let mut out = Vec::new();
    for item in part.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => (range, step.parse::<u32>().ok().filter(|s| *s > 0)?),
            None => (item, 1),
        };
        let (from, to) = match range {
            "*" => (low, high),
            _ => match range.split_once('-') {
                Some((a, b)) => (a.parse().ok()?, b.parse().ok()?),
                None => {
                    let single: u32 = range.parse().ok()?;
                    (single, if item.contains('/') { high } else { single })
                }
            },
        };
        if from < low || to > high || from > to {
            return None;
        }
        out.extend((from..=to).step_by(step as usize));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_read_as_cron_reads_them() {
        let every_minute = Schedule::parse("*/1 * * * *").expect("parses");
        assert_eq!(every_minute.last_between(0, 125), Some(120));
        let quarter = Schedule::parse("*/15 * * * *").expect("parses");
        assert_eq!(quarter.last_between(0, 3_599), Some(2_700));
        // 2026-12-05 is a Saturday (6): a weekday-only schedule skips it.
        let saturday_noon = 1_796_472_000; // 2026-12-05T12:00:00Z
        let weekdays = Schedule::parse("0 12 * * 1-5").expect("parses");
        assert_eq!(
            weekdays.last_between(saturday_noon - 60, saturday_noon),
            None
        );
        let weekend = Schedule::parse("0 12 5 12 6").expect("parses");
        assert_eq!(
            weekend.last_between(saturday_noon - 60, saturday_noon),
            Some(saturday_noon)
        );
        assert_eq!(Schedule::parse("@hourly"), Schedule::parse("0 * * * *"));
        assert!(Schedule::parse("61 * * * *").is_none());
        assert!(Schedule::parse("* * *").is_none());
    }
}
