//! What the API server checks and fills in before it stores an object:
//! names, kinds, the namespace, per-kind rules, and defaults.

use super::resources::Resource;
use serde_json::{Value, json};

/// A refusal in the shape the API server gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
    /// (field, message) pairs for 422 Invalid.
    pub causes: Vec<(String, String)>,
}

impl Refusal {
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            code: 400,
            reason: "BadRequest",
            message: message.into(),
            causes: Vec::new(),
        }
    }

    pub fn invalid(resource: &Resource, name: &str, causes: Vec<(String, String)>) -> Self {
        let list: Vec<String> = causes.iter().map(|(f, m)| format!("{f}: {m}")).collect();
        Self {
            code: 422,
            reason: "Invalid",
            message: format!(
                "{} \"{name}\" is invalid: {}",
                resource.kind,
                list.join(", ")
            ),
            causes,
        }
    }

    pub fn not_found(resource: &Resource, name: &str) -> Self {
        let plural = if resource.group.is_empty() {
            resource.plural.to_string()
        } else {
            format!("{}.{}", resource.plural, resource.group)
        };
        Self {
            code: 404,
            reason: "NotFound",
            message: format!("{plural} \"{name}\" not found"),
            causes: Vec::new(),
        }
    }
}

/// A lowercase RFC 1123 subdomain: what most object names must be.
pub fn rfc1123_subdomain(name: &str) -> Option<String> {
    let ok = !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    (!ok).then(|| format!(
        "Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    ))
}

/// An RFC 1035 label: what Service names must be.
pub fn rfc1035_label(name: &str) -> Option<String> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    (!ok).then(|| format!(
        "Invalid value: \"{name}\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
    ))
}

/// Check the object against the URL it was sent to and its kind's rules.
pub fn check(resource: &Resource, namespace: Option<&str>, object: &Value) -> Result<(), Refusal> {
    if !object.is_object() {
        return Err(Refusal::bad_request(
            "the request body must be a JSON or YAML object",
        ));
    }
    if let Some(api_version) = object.get("apiVersion").and_then(Value::as_str)
        && api_version != resource.api_version()
    {
        return Err(Refusal::bad_request(format!(
            "the API version in the data ({api_version}) does not match the expected API version ({})",
            resource.api_version()
        )));
    }
    if let Some(kind) = object.get("kind").and_then(Value::as_str)
        && kind != resource.kind
    {
        return Err(Refusal::bad_request(format!(
            "the kind in the data ({kind}) does not match the expected kind ({})",
            resource.kind
        )));
    }
    if let (Some(url_ns), Some(body_ns)) = (
        namespace,
        object
            .pointer("/metadata/namespace")
            .and_then(Value::as_str),
    ) && url_ns != body_ns
    {
        return Err(Refusal::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        ));
    }
    let name = object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let mut causes = Vec::new();
    if name.is_empty() {
        causes.push((
            "metadata.name".to_string(),
            "Required value: name or generateName is required".to_string(),
        ));
    } else {
        let problem = if resource.plural == "services" || resource.plural == "namespaces" {
            rfc1035_or_label(resource, name)
        } else {
            rfc1123_subdomain(name)
        };
        if let Some(problem) = problem {
            causes.push(("metadata.name".to_string(), problem));
        }
    }
    match resource.plural {
        "deployments" | "replicasets" => check_workload(object, &mut causes),
        "services" => check_service(object, &mut causes),
        "pods" => check_pod_spec(object.get("spec"), "spec", &mut causes),
        "jobs" => super::admission_batch::check_job(object.get("spec"), "spec", &mut causes),
        "cronjobs" => super::admission_batch::check_job(
            object.pointer("/spec/jobTemplate/spec"),
            "spec.jobTemplate.spec",
            &mut causes,
        ),
        _ => {}
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(Refusal::invalid(resource, name, causes))
    }
}

fn rfc1035_or_label(resource: &Resource, name: &str) -> Option<String> {
    if resource.plural == "services" {
        rfc1035_label(name)
    } else {
        rfc1123_label(name)
    }
}

fn rfc1123_label(name: &str) -> Option<String> {
    let ok = name.len() <= 63 && rfc1123_subdomain(name).is_none() && !name.contains('.');
    (!ok).then(|| format!("Invalid value: \"{name}\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"))
}

fn check_workload(object: &Value, causes: &mut Vec<(String, String)>) {
    if let Some(replicas) = object.pointer("/spec/replicas") {
        match replicas.as_i64() {
            Some(n) if n < 0 => causes.push((
                "spec.replicas".into(),
                format!("Invalid value: {n}: must be greater than or equal to 0"),
            )),
            Some(_) => {}
            None => causes.push((
                "spec.replicas".into(),
                format!("Invalid value: {replicas}: must be an integer"),
            )),
        }
    }
    let selector = object
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object);
    let labels = object
        .pointer("/spec/template/metadata/labels")
        .and_then(Value::as_object);
    match (selector, labels) {
        (None, _) => causes.push(("spec.selector".into(), "Required value".into())),
        (Some(selector), labels) => {
            let matches = selector
                .iter()
                .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v));
            if selector.is_empty() || !matches {
                causes.push((
                    "spec.template.metadata.labels".into(),
                    format!(
                        "Invalid value: {}: `selector` does not match template `labels`",
                        json!(labels)
                    ),
                ));
            }
        }
    }
    check_pod_spec(
        object.pointer("/spec/template/spec"),
        "spec.template.spec",
        causes,
    );
}

fn check_pod_spec(spec: Option<&Value>, at: &str, causes: &mut Vec<(String, String)>) {
    let containers = spec
        .and_then(|s| s.get("containers"))
        .and_then(Value::as_array);
    match containers {
        None => causes.push((format!("{at}.containers"), "Required value".into())),
        Some(list) if list.is_empty() => {
            causes.push((format!("{at}.containers"), "Required value".into()))
        }
        Some(list) => {
            for (i, container) in list.iter().enumerate() {
                if container
                    .get("name")
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty)
                {
                    causes.push((
                        format!("{at}.containers[{i}].name"),
                        "Required value".into(),
                    ));
                }
                if container
                    .get("image")
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty)
                {
                    causes.push((
                        format!("{at}.containers[{i}].image"),
                        "Required value".into(),
                    ));
                }
            }
        }
    }
}

fn check_service(object: &Value, causes: &mut Vec<(String, String)>) {
    let kind = object
        .pointer("/spec/type")
        .and_then(Value::as_str)
        .unwrap_or("ClusterIP");
    if !matches!(
        kind,
        "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName"
    ) {
        causes.push(("spec.type".into(), format!("Unsupported value: \"{kind}\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"")));
    }
    let ports = object.pointer("/spec/ports").and_then(Value::as_array);
    if ports.is_none_or(|p| p.is_empty()) && kind != "ExternalName" {
        causes.push(("spec.ports".into(), "Required value".into()));
    }
    for (i, port) in ports.into_iter().flatten().enumerate() {
        match port.get("port").and_then(Value::as_i64) {
            Some(p) if (1..=65535).contains(&p) => {}
            other => causes.push((
                format!("spec.ports[{i}].port"),
                format!(
                    "Invalid value: {}: must be between 1 and 65535, inclusive",
                    json!(other)
                ),
            )),
        }
    }
}

/// Defaults the API server fills in, as `kubectl get -o yaml` shows them.
pub fn defaults(resource: &Resource, object: &mut Value) {
    let metadata = object
        .as_object_mut()
        .map(|o| o.entry("metadata").or_insert_with(|| json!({})));
    if let Some(metadata) = metadata
        && metadata.get("namespace").is_none()
        && resource.namespaced
    {
        metadata["namespace"] = json!("default");
    }
    match resource.plural {
        "deployments" => {
            let spec = &mut object["spec"];
            if spec.get("replicas").is_none() {
                spec["replicas"] = json!(1);
            }
            for (key, value) in [
                ("revisionHistoryLimit", json!(10)),
                ("progressDeadlineSeconds", json!(600)),
                (
                    "strategy",
                    json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}),
                ),
            ] {
                if spec.get(key).is_none() {
                    spec[key] = value;
                }
            }
            default_containers(object.pointer_mut("/spec/template/spec"));
        }
        "replicasets" => default_containers(object.pointer_mut("/spec/template/spec")),
        // As the API server: stringData is write-only, folded into data (base64) and dropped.
        "secrets" => {
            if let Some(Value::Object(plain)) =
                object.as_object_mut().and_then(|o| o.remove("stringData"))
            {
                use base64::Engine as _;
                let mut data = object["data"].as_object().cloned().unwrap_or_default();
                for (key, value) in plain {
                    let text = value.as_str().unwrap_or_default().to_string();
                    data.insert(
                        key,
                        json!(base64::engine::general_purpose::STANDARD.encode(text)),
                    );
                }
                object["data"] = Value::Object(data);
            }
            if object.get("type").is_none() {
                object["type"] = json!("Opaque");
            }
        }
        "pods" => default_containers(object.get_mut("spec")),
        "jobs" => {
            super::admission_batch::default_job(&mut object["spec"]);
            default_containers(object.pointer_mut("/spec/template/spec"));
        }
        "cronjobs" => {
            super::admission_batch::default_cronjob(&mut object["spec"]);
            default_containers(object.pointer_mut("/spec/jobTemplate/spec/template/spec"));
        }
        "services" => {
            let spec = &mut object["spec"];
            if spec.get("type").is_none() {
                spec["type"] = json!("ClusterIP");
            }
            if spec.get("sessionAffinity").is_none() {
                spec["sessionAffinity"] = json!("None");
            }
            if let Some(ports) = spec.get_mut("ports").and_then(Value::as_array_mut) {
                for port in ports {
                    if port.get("protocol").is_none() {
                        port["protocol"] = json!("TCP");
                    }
                    if port.get("targetPort").is_none() {
                        port["targetPort"] = port.get("port").cloned().unwrap_or(json!(80));
                    }
                }
            }
        }
        _ => {}
    }
}

fn default_containers(spec: Option<&mut Value>) {
    let Some(spec) = spec else { return };
    for key in ["restartPolicy", "dnsPolicy", "schedulerName"] {
        if spec.get(key).is_none() {
            spec[key] = json!(match key {
                "restartPolicy" => "Always",
                "dnsPolicy" => "ClusterFirst",
                _ => "default-scheduler",
            });
        }
    }
    if let Some(containers) = spec.get_mut("containers").and_then(Value::as_array_mut) {
        for container in containers {
            if container.get("imagePullPolicy").is_none() {
                let image = container.get("image").and_then(Value::as_str).unwrap_or("");
                let last = image.rsplit('/').next().unwrap_or(image);
                let latest = !last.contains(':') || last.ends_with(":latest");
                container["imagePullPolicy"] = json!(if latest && !image.contains('@') {
                    "Always"
                } else {
                    "IfNotPresent"
                });
            }
            if container.get("terminationMessagePath").is_none() {
                container["terminationMessagePath"] = json!("/dev/termination-log");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::kube::resources::by_plural;

    fn deployment(name: &str, replicas: i64) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
               "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "x"}},
                        "template": {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}})
    }

    #[test]
    fn names_kinds_and_rules() {
        let d = by_plural("apps", "deployments").unwrap();
        assert!(check(d, Some("default"), &deployment("web", 1)).is_ok());
        let bad = check(d, Some("default"), &deployment("Web_App", 1)).unwrap_err();
        assert_eq!((bad.code, bad.reason), (422, "Invalid"));
        assert_eq!(bad.causes[0].0, "metadata.name");
        let negative = check(d, Some("default"), &deployment("web", -1)).unwrap_err();
        assert!(
            negative
                .message
                .contains("spec.replicas: Invalid value: -1"),
            "{}",
            negative.message
        );
        let mut wrong_version = deployment("web", 1);
        wrong_version["apiVersion"] = json!("apps/v1beta1");
        assert_eq!(
            check(d, Some("default"), &wrong_version).unwrap_err().code,
            400
        );
        let mut other_ns = deployment("web", 1);
        other_ns["metadata"]["namespace"] = json!("kube-system");
        assert!(
            check(d, Some("default"), &other_ns)
                .unwrap_err()
                .message
                .contains("does not match the namespace")
        );
        let mut mismatch = deployment("web", 1);
        mismatch["spec"]["template"]["metadata"]["labels"] = json!({"app": "y"});
        assert!(
            check(d, Some("default"), &mismatch)
                .unwrap_err()
                .message
                .contains("`selector` does not match template `labels`")
        );
        let svc = by_plural("", "services").unwrap();
        let service = json!({"metadata": {"name": "1web"}, "spec": {"ports": [{"port": 8000}]}});
        assert!(
            check(svc, Some("default"), &service)
                .unwrap_err()
                .message
                .contains("DNS-1035")
        );
    }

    #[test]
    fn defaults_like_the_api_server() {
        let d = by_plural("apps", "deployments").unwrap();
        let mut object = json!({"metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "cookbook"}]}}}});
        defaults(d, &mut object);
        assert_eq!(object["metadata"]["namespace"], "default");
        assert_eq!(object["spec"]["replicas"], 1);
        assert_eq!(
            object["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"],
            "Always"
        );
    }
}
