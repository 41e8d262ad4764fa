//! `limit` and `continue` on a list, as the API server pages them: the
//! token names the last key served and the resourceVersion of the first
//! page, so the next page starts with a seek after that key (a page of a
//! 50,000-pod list costs its 500 pods, not a walk over the ones before it),
//! and the last page carries the first page's resourceVersion, so a watch
//! started from it also sees what changed while the pages were read.

use super::super::admission::Refusal;
use super::super::selectors::{FieldSelector, LabelSelector};
use super::super::store::{Store, Stored};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use std::collections::HashMap;

/// Where a continued list resumes: after this key, at this resourceVersion.
#[derive(Debug, PartialEq, Eq)]
struct Resume {
    rv: u64,
    namespace: String,
    name: String,
}

/// The token for the page after the one that ended at `namespace/name`.
fn token(rv: u64, namespace: &str, name: &str) -> String {
    // Like the API server's: base64 of a small JSON whose `start` is the key
    // after the last one served (the last key and a NUL).
    let body =
        json!({"v": "meta.k8s.io/v1", "rv": rv, "start": format!("{namespace}/{name}\u{0}")});
    URL_SAFE_NO_PAD.encode(body.to_string())
}

fn resume(token: &str) -> Result<Resume, Refusal> {
    let invalid = |why: &str| Refusal::bad_request(format!("continue key is not valid: {why}"));
    let bytes = URL_SAFE_NO_PAD
        .decode(token.trim_end_matches('='))
        .map_err(|_| invalid("not base64"))?;
    let body: Value = serde_json::from_slice(&bytes).map_err(|_| invalid("not JSON"))?;
    let rv = body["rv"]
        .as_u64()
        .ok_or_else(|| invalid("no resourceVersion"))?;
    let start = body["start"]
        .as_str()
        .and_then(|s| s.strip_suffix('\u{0}'))
        .ok_or_else(|| invalid("no start key"))?;
    let (namespace, name) = start
        .split_once('/')
        .ok_or_else(|| invalid("a bad start key"))?;
    Ok(Resume {
        rv,
        namespace: namespace.to_string(),
        name: name.to_string(),
    })
}

/// One page of a list: its objects and the list's metadata (resourceVersion,
/// and `continue` with `remainingItemCount` when more follow).
pub struct Page<'a> {
    pub items: Vec<&'a Stored>,
    pub metadata: Value,
}

/// The page a list request asks for, or why it cannot be served: a token that
/// is not one of ours (400), or one older than the change log keeps (410, as
/// after compaction: the client starts a new list).
pub fn page<'a>(
    store: &'a Store,
    plural: &'static str,
    namespace: Option<&str>,
    selectors: (&LabelSelector, &FieldSelector),
    query: &HashMap<String, String>,
) -> Result<Page<'a>, Refusal> {
    let (labels, fields) = selectors;
    let resumed = match query.get("continue").filter(|t| !t.is_empty()) {
        Some(t) => Some(resume(t)?),
        None => None,
    };
    if let Some(r) = &resumed
        && r.rv < store.oldest_resumable()
    {
        return Err(Refusal {
            code: 410,
            reason: "Expired",
            message: "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.".into(),
            causes: Vec::new(),
        });
    }
    let limit: usize = query
        .get("limit")
        .and_then(|l| l.parse().ok())
        .filter(|l| *l > 0)
        .unwrap_or(usize::MAX);
    let after = resumed
        .as_ref()
        .map(|r| (r.namespace.as_str(), r.name.as_str()));
    let unfiltered = labels.is_empty() && fields.is_empty();
    let mut matching = store
        .range_after(plural, namespace, after)
        .filter(|(_, stored)| {
            // Parsed only when a selector has to look inside.
            unfiltered || {
                let o = stored.value();
                labels.matches(o.pointer("/metadata/labels")) && fields.matches(&o)
            }
        });
    let mut items = Vec::new();
    let mut last = None;
    for (key, object) in matching.by_ref().take(limit) {
        items.push(object);
        last = Some(key);
    }
    let rv = resumed.as_ref().map_or(store.resource_version(), |r| r.rv);
    let mut metadata = json!({"resourceVersion": rv.to_string()});
    if let Some(last) = last.filter(|_| matching.next().is_some()) {
        metadata["continue"] = json!(token(rv, &last.namespace, &last.name));
        // As the API server does: counted only when no selector makes it a guess.
        if unfiltered {
            let remaining = store
                .range_after(plural, namespace, Some((&last.namespace, &last.name)))
                .count();
            metadata["remainingItemCount"] = json!(remaining);
        }
    }
    Ok(Page { items, metadata })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::kube::resources::{self, Resource};
    use crate::sim::kube::store::Store;

    fn pods() -> &'static Resource {
        resources::by_plural("", "pods").expect("pods")
    }

    fn store_with_pods(namespaces: &[&str], per_namespace: usize) -> Store {
        let mut store = Store::new(1);
        for ns in namespaces {
            for i in 0..per_namespace {
                let labels = json!({"app": if i % 2 == 0 { "even" } else { "odd" }});
                store.insert(
                    pods(),
                    json!({"metadata": {"name": format!("p{i:03}"), "namespace": ns, "labels": labels}}),
                );
            }
        }
        store
    }

    fn names(page: &Page) -> Vec<String> {
        page.items
            .iter()
            .map(|stored| {
                let o = stored.value();
                format!(
                    "{}/{}",
                    o["metadata"]["namespace"].as_str().unwrap_or(""),
                    o["metadata"]["name"].as_str().unwrap_or("")
                )
            })
            .collect()
    }

    fn read_all(
        store: &Store,
        namespace: Option<&str>,
        selector: &str,
        limit: usize,
    ) -> Vec<String> {
        let labels = LabelSelector::parse(selector).expect("a selector");
        let fields = FieldSelector::parse("").expect("no field selector");
        let mut query = HashMap::from([("limit".to_string(), limit.to_string())]);
        let mut seen = Vec::new();
        for _ in 0..100 {
            let page = page(store, "pods", namespace, (&labels, &fields), &query).expect("a page");
            assert!(page.items.len() <= limit);
            seen.extend(names(&page));
            match page.metadata["continue"].as_str() {
                Some(next) => query.insert("continue".into(), next.into()),
                None => return seen,
            };
        }
        panic!("the pages never ended");
    }

    #[test]
    fn pages_of_every_namespace_and_of_one_cover_each_object_once_in_order() {
        let store = store_with_pods(&["a", "b", "c"], 7);
        let all = read_all(&store, None, "", 5);
        assert_eq!(all.len(), 21);
        let mut sorted = all.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, all, "each once, in key order");
        assert_eq!(read_all(&store, Some("b"), "", 3).len(), 7);
        assert!(
            read_all(&store, Some("b"), "", 3)
                .iter()
                .all(|n| n.starts_with("b/"))
        );
        assert_eq!(read_all(&store, None, "", 21).len(), 21, "one full page");
    }

    #[test]
    fn a_selector_pages_through_the_matches_only_and_counts_no_remainder() {
        let store = store_with_pods(&["a", "b"], 10);
        let even = read_all(&store, None, "app=even", 3);
        assert_eq!(even.len(), 10);
        let labels = LabelSelector::parse("app=even").expect("a selector");
        let fields = FieldSelector::parse("").expect("no field selector");
        let query = HashMap::from([("limit".to_string(), "3".to_string())]);
        let first = page(&store, "pods", None, (&labels, &fields), &query).expect("a page");
        assert!(first.metadata["continue"].is_string());
        assert!(first.metadata["remainingItemCount"].is_null());
        let plain = LabelSelector::parse("").expect("no selector");
        let first = page(&store, "pods", None, (&plain, &fields), &query).expect("a page");
        assert_eq!(first.metadata["remainingItemCount"], json!(17));
    }

    #[test]
    fn later_pages_keep_the_first_pages_resource_version_and_bad_tokens_are_refused() {
        let mut store = store_with_pods(&["a"], 4);
        let labels = LabelSelector::parse("").expect("no selector");
        let fields = FieldSelector::parse("").expect("no field selector");
        let mut query = HashMap::from([("limit".to_string(), "2".to_string())]);
        let first = page(&store, "pods", None, (&labels, &fields), &query).expect("a page");
        let rv = first.metadata["resourceVersion"].clone();
        let next = first.metadata["continue"]
            .as_str()
            .expect("a token")
            .to_string();
        store.insert(
            pods(),
            json!({"metadata": {"name": "p000b", "namespace": "a"}}),
        );
        query.insert("continue".into(), next);
        let second = page(&store, "pods", None, (&labels, &fields), &query).expect("a page");
        assert_eq!(second.metadata["resourceVersion"], rv);
        assert_ne!(json!(store.resource_version().to_string()), rv);
        assert_eq!(
            names(&second),
            ["a/p002", "a/p003"],
            "after the last key served"
        );
        query.insert("continue".into(), "not-a-token".into());
        let refused = page(&store, "pods", None, (&labels, &fields), &query).err();
        assert_eq!(refused.map(|r| r.code), Some(400));
    }
}
