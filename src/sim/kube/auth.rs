//! Who may do what on the simulated API server, as a real one decides it:
//! a bearer token names the user (401 without one, or with one it does not
//! know); the admin may do anything; the developer is bound to one
//! namespace, as a Role and RoleBinding there would bind them, and is
//! refused (403, with the Kubernetes Status body and the sentence the real
//! authorizer writes) everywhere else, cluster-scoped resources included.
//! `kubectl auth can-i` asks through a SelfSubjectAccessReview.

use super::resources::Resource;
use serde_json::{Value, json};

/// The admin user's name in the kubeconfig.
pub const ADMIN_USER: &str = "pilothouse-sim";
/// The namespace-bound user's name in the kubeconfig.
pub const DEV_USER: &str = "pilothouse-dev";
/// The namespace the developer is bound to.
pub const DEV_NAMESPACE: &str = "default";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    /// None: everything (cluster-admin); Some: only this namespace's objects.
    pub namespace: Option<String>,
}

/// The tokens the server knows, made for the run.
#[derive(Debug, Clone)]
pub struct Auth {
    pub admin_token: String,
    pub dev_token: String,
}

impl Auth {
    /// Tokens no one can guess: 32 hex digits from the system's randomness.
    pub fn generate() -> std::io::Result<Self> {
        Ok(Self {
            admin_token: random_token()?,
            dev_token: random_token()?,
        })
    }

    /// The user an `Authorization` header names, if its token is one of ours.
    pub fn user_of(&self, authorization: &str) -> Option<User> {
        let token = authorization.strip_prefix("Bearer ")?.trim();
        if token == self.admin_token {
            Some(User {
                name: ADMIN_USER.into(),
                namespace: None,
            })
        } else if token == self.dev_token {
            Some(User {
                name: DEV_USER.into(),
                namespace: Some(DEV_NAMESPACE.into()),
            })
        } else {
            None
        }
    }
}

fn random_token() -> std::io::Result<String> {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// What a request asks to do, in the authorizer's terms.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Attributes {
    pub verb: String,
    pub group: String,
    /// `pods`, or `pods/log` for a subresource.
    pub resource: String,
    pub namespace: Option<String>,
    /// The object's name, when one is asked for (the refusal names it, as the real one does).
    pub name: Option<String>,
}

/// A request on a resource path, as the router parsed it.
pub struct Asked<'a> {
    pub resource: &'static Resource,
    pub namespace: Option<&'a str>,
    /// The object's name; None: the collection.
    pub name: Option<&'a str>,
    pub sub: Option<&'a str>,
}

impl Attributes {
    pub fn of(method: &hyper::Method, target: Asked<'_>, watching: bool) -> Self {
        use hyper::Method;
        let collection = target.name.is_none();
        let verb = match *method {
            Method::GET | Method::HEAD if watching => "watch",
            Method::GET | Method::HEAD if collection => "list",
            Method::GET | Method::HEAD => "get",
            Method::POST if collection => "create",
            // exec and port-forward are asked with GET (WebSocket) or POST (SPDY): create, as RBAC has it.
            Method::POST => "create",
            Method::PUT => "update",
            Method::PATCH => "patch",
            Method::DELETE if collection => "deletecollection",
            Method::DELETE => "delete",
            _ => "unknown",
        };
        let verb = match target.sub {
            Some("exec" | "portforward") => "create",
            _ => verb,
        };
        let resource = match target.sub {
            Some(sub) => format!("{}/{sub}", target.resource.plural),
            None => target.resource.plural.to_string(),
        };
        Self {
            verb: verb.into(),
            group: target.resource.group.into(),
            resource,
            namespace: target.namespace.map(String::from),
            name: target.name.map(String::from),
        }
    }
}

/// Whether `user` may do it; Err is the sentence of the refusal.
pub fn authorize(user: &User, asked: &Attributes) -> Result<(), String> {
    let scope = match (&user.namespace, &asked.namespace) {
        (None, _) => return Ok(()),
        (Some(bound), Some(namespace)) if bound == namespace => return Ok(()),
        (Some(_), Some(namespace)) => format!("in the namespace \"{namespace}\""),
        (Some(_), None) => "at the cluster scope".to_string(),
    };
    let what = match &asked.name {
        Some(name) => format!("{} \"{name}\"", asked.resource),
        None => asked.resource.clone(),
    };
    Err(format!(
        "{what} is forbidden: User \"{}\" cannot {} resource \"{}\" in API group \"{}\" {scope}",
        user.name, asked.verb, asked.resource, asked.group
    ))
}

/// The Status body of a 401.
pub fn unauthorized() -> Value {
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
           "message": "Unauthorized", "reason": "Unauthorized", "code": 401})
}

/// The Status body of a 403 for `asked`.
pub fn forbidden(message: &str, asked: &Attributes) -> Value {
    let kind = asked.resource.split('/').next().unwrap_or_default();
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
           "message": message, "reason": "Forbidden",
           "details": {"group": asked.group, "kind": kind}, "code": 403})
}

/// `POST .../selfsubjectaccessreviews`: the review, answered for `user`.
/// `kubectl auth whoami`: who the token belongs to, and its groups (the
/// admin is in system:masters, as minikube's is).
pub fn self_review(user: &User) -> Value {
    let mut groups = vec!["system:authenticated"];
    if user.namespace.is_none() {
        groups.insert(0, "system:masters");
    }
    serde_json::json!({
        "kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"creationTimestamp": null},
        "status": {"userInfo": {"username": user.name, "groups": groups}},
    })
}

pub fn access_review(user: &User, mut review: Value) -> Value {
    let spec = &review["spec"]["resourceAttributes"];
    let text = |key: &str| spec[key].as_str().unwrap_or_default().to_string();
    let resource = match text("subresource") {
        sub if sub.is_empty() => text("resource"),
        sub => format!("{}/{sub}", text("resource")),
    };
    let namespace = Some(text("namespace")).filter(|n| !n.is_empty());
    // A resource that is not namespaced is asked at the cluster scope.
    let namespace = namespace.filter(|_| !is_cluster_scoped(&text("group"), &text("resource")));
    let asked = Attributes {
        verb: text("verb"),
        group: text("group"),
        resource,
        namespace,
        name: Some(text("name")).filter(|n| !n.is_empty()),
    };
    let answer = match authorize(user, &asked) {
        Ok(()) => {
            json!({"allowed": true, "reason": format!("{} may {} {}", user.name, asked.verb, asked.resource)})
        }
        Err(_) => json!({"allowed": false}),
    };
    review["status"] = answer;
    review["apiVersion"] = json!("authorization.k8s.io/v1");
    review["kind"] = json!("SelfSubjectAccessReview");
    review
}

fn is_cluster_scoped(group: &str, plural: &str) -> bool {
    super::resources::by_plural(group, plural).is_some_and(|r| !r.namespaced)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::kube::resources::by_plural;
    use hyper::Method;

    fn dev() -> User {
        User {
            name: DEV_USER.into(),
            namespace: Some(DEV_NAMESPACE.into()),
        }
    }

    /// `/api/v1/[namespaces/NS/]PLURAL[/NAME[/SUB]]`, or `/apis/GROUP/v1/...`.
    fn asked(method: Method, path: &str, watching: bool) -> Attributes {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let (group, rest) = match segments.as_slice() {
            ["api", "v1", rest @ ..] => ("", rest),
            ["apis", group, "v1", rest @ ..] => (*group, rest),
            _ => panic!("a resource path: {path}"),
        };
        let (namespace, rest) = match rest {
            ["namespaces", ns, rest @ ..] if !rest.is_empty() => (Some(*ns), rest),
            other => (None, other),
        };
        let target = Asked {
            resource: by_plural(group, rest[0]).expect("a served resource"),
            namespace,
            name: rest.get(1).copied(),
            sub: rest.get(2).copied(),
        };
        Attributes::of(&method, target, watching)
    }

    #[test]
    fn the_developer_may_use_one_namespace_only() {
        let auth = Auth::generate().unwrap();
        assert_ne!(auth.admin_token, auth.dev_token);
        assert_eq!(auth.admin_token.len(), 32);
        assert_eq!(
            auth.user_of(&format!("Bearer {}", auth.dev_token)),
            Some(dev())
        );
        assert_eq!(auth.user_of("Bearer nope"), None);
        assert_eq!(auth.user_of(""), None);

        let own = asked(Method::GET, "/api/v1/namespaces/default/pods", true);
        assert_eq!(own.verb, "watch");
        assert_eq!(authorize(&dev(), &own), Ok(()));
        let log = asked(
            Method::GET,
            "/api/v1/namespaces/default/pods/web/log",
            false,
        );
        assert_eq!(
            (log.verb.as_str(), log.resource.as_str()),
            ("get", "pods/log")
        );
        assert_eq!(authorize(&dev(), &log), Ok(()));
        assert_eq!(
            authorize(&dev(), &asked(Method::GET, "/api/v1/namespaces/kube-system/pods", false)),
            Err("pods is forbidden: User \"pilothouse-dev\" cannot list resource \"pods\" in API group \"\" in the namespace \"kube-system\"".into())
        );
        assert_eq!(
            authorize(&dev(), &asked(Method::GET, "/api/v1/nodes", false)),
            Err("nodes is forbidden: User \"pilothouse-dev\" cannot list resource \"nodes\" in API group \"\" at the cluster scope".into())
        );
        assert!(
            authorize(
                &dev(),
                &asked(Method::GET, "/apis/apps/v1/deployments", false)
            )
            .is_err()
        );
        assert_eq!(
            authorize(&dev(), &asked(Method::DELETE, "/api/v1/namespaces/kube-system/pods/etcd-minikube", false)),
            Err("pods \"etcd-minikube\" is forbidden: User \"pilothouse-dev\" cannot delete resource \"pods\" in API group \"\" in the namespace \"kube-system\"".into())
        );
        let admin = User {
            name: ADMIN_USER.into(),
            namespace: None,
        };
        assert_eq!(
            authorize(
                &admin,
                &asked(Method::DELETE, "/api/v1/nodes/minikube", false)
            ),
            Ok(())
        );
    }

    #[test]
    fn access_reviews_answer_for_the_asker() {
        let review = |ns: &str, resource: &str| json!({"spec": {"resourceAttributes": {"namespace": ns, "verb": "list", "group": "", "resource": resource}}});
        assert_eq!(
            access_review(&dev(), review("default", "pods"))["status"]["allowed"],
            true
        );
        assert_eq!(
            access_review(&dev(), review("kube-system", "pods"))["status"]["allowed"],
            false
        );
        // Nodes are cluster-scoped, whatever namespace the question names.
        assert_eq!(
            access_review(&dev(), review("default", "nodes"))["status"]["allowed"],
            false
        );
    }
}
