//! The Kubernetes source: a kube-rs client from the kubeconfig as kubectl
//! reads it, watchers (no periodic relists) that keep only the panes' rows for
//! Deployments, ReplicaSets, Pods, Services and Events of one namespace or all,
//! Nodes and Namespaces, and a cluster header; the context and namespace switch
//! at runtime. The rows themselves are made in `kube_rows`.

use super::kube_rows::{
    deployment_row, event_row, internal_ip, pod_row, replica_set_row, service_row,
};
use super::kube_store::{MAX_EVENTS, Rows, Store};
pub use super::kube_watch::READ_TIMEOUT;
use super::kube_watch::{Kind, Trouble, spawn_rows};
use super::{Backoff, RECONNECT_CEILING, describe};
use crate::app::core::event::{Event, KubeEvent};
use crate::app::core::keyed::{RowChanges, RowsUpdate};
use crate::domain::kube::{ClusterInfo, KubeTarget};
use k8s_openapi::api::core::v1::{Namespace, Node, Pod};
use kube::api::{Api, ListParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config, Resource};
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// Changes arriving within this window are sent as one snapshot.
const BATCH: Duration = Duration::from_millis(100);

pub struct KubeSource {
    /// `--kubeconfig`; else `KUBECONFIG`, else `~/.kube/config`, as kubectl.
    pub kubeconfig: Option<PathBuf>,
    /// `--context`; else the kubeconfig's current context.
    pub context: Option<String>,
    pub events: mpsc::UnboundedSender<Event>,
    /// The live client, for the effects; None while disconnected.
    pub client: tokio::sync::watch::Sender<Option<Client>>,
}

impl KubeSource {
    pub async fn run(self) {
        let target = KubeTarget {
            context: self.context.clone(),
            namespace: None,
        };
        self.run_switchable(watch::channel(target).1).await
    }

    /// Run, and move to another context or namespace whenever `target` says so.
    pub async fn run_switchable(self, mut target: watch::Receiver<KubeTarget>) {
        let send = |event| self.events.send(Event::Kube(event)).is_ok();
        let mut backoff = Backoff::new(Duration::from_secs(1), RECONNECT_CEILING);
        loop {
            let wanted = target.borrow_and_update().clone();
            let connected = tokio::select! {
                connected = self.connect(wanted.context.as_deref()) => connected,
                _ = switched(&mut target) => continue,
            };
            let (
                Clients {
                    effects,
                    watches,
                    user,
                },
                mut info,
            ) = match connected {
                Ok(connected) => connected,
                Err(Unreachable::Rejected(reason)) => {
                    if !send(KubeEvent::Rejected(reason)) {
                        return;
                    }
                    look_again_later(&mut target).await;
                    continue;
                }
                Err(Unreachable::NoConfig(reason)) => {
                    // No cluster configured is a state, not an error to repeat: look again later.
                    if !send(KubeEvent::Unavailable(reason)) {
                        return;
                    }
                    look_again_later(&mut target).await;
                    continue;
                }
                Err(Unreachable::Down(reason)) => {
                    let retry_in = backoff.next_delay();
                    if !send(KubeEvent::Disconnected { reason, retry_in }) {
                        return;
                    }
                    tokio::select! {
                        _ = tokio::time::sleep(retry_in) => {}
                        _ = switched(&mut target) => backoff.reset(),
                    }
                    continue;
                }
            };
            backoff.reset();
            if let Ok(nodes) = Api::<Node>::all(watches.clone())
                .list(&ListParams::default())
                .await
            {
                info.nodes = nodes.items.len();
                info.node_address = nodes.items.first().and_then(internal_ip);
            }
            self.client.send_replace(Some(effects));
            if !send(KubeEvent::Connected(info)) {
                return;
            }
            let mut namespace = wanted.namespace.clone();
            if namespace.is_none() && !may_list_everywhere(&watches).await {
                // All namespaces are not this user's to see: their own, said once.
                let own = watches.default_namespace().to_string();
                let _ = send(KubeEvent::NamespaceLimited {
                    namespace: own.clone(),
                    why: format!(
                        "all namespaces not allowed for user {user}: watching namespace {own}"
                    ),
                });
                namespace = Some(own);
            }
            let ended = tokio::select! {
                ended = watch_all(watches, &self.events, namespace.as_deref(), &user) => Some(ended),
                _ = switched(&mut target) => None,
            };
            self.client.send_replace(None);
            let reason = match ended {
                // Another context or namespace was chosen: connect to it at once.
                None => {
                    backoff.reset();
                    continue;
                }
                // Credentials the cluster rejects stay rejected: a state, asked again later.
                Some(Ended::Rejected(reason)) => {
                    if !send(KubeEvent::Rejected(reason)) {
                        return;
                    }
                    look_again_later(&mut target).await;
                    continue;
                }
                Some(Ended::Failed(reason)) => reason,
            };
            let retry_in = backoff.next_delay();
            if !send(KubeEvent::Disconnected { reason, retry_in }) {
                return;
            }
            tokio::time::sleep(retry_in).await;
        }
    }

    async fn connect(&self, context: Option<&str>) -> Result<(Clients, ClusterInfo), Unreachable> {
        let kubeconfig = match &self.kubeconfig {
            Some(path) => Kubeconfig::read_from(path).map_err(|e| {
                Unreachable::NoConfig(format!("cannot read {}: {e}", path.display()))
            })?,
            None => Kubeconfig::read().map_err(|e| {
                Unreachable::NoConfig(format!("no kubeconfig (KUBECONFIG or ~/.kube/config): {e}"))
            })?,
        };
        let mut contexts: Vec<String> =
            kubeconfig.contexts.iter().map(|c| c.name.clone()).collect();
        contexts.sort();
        let _ = self.events.send(Event::Kube(KubeEvent::Contexts(contexts)));
        let context = context
            .map(String::from)
            .or_else(|| kubeconfig.current_context.clone())
            .unwrap_or_default();
        // The kubeconfig user of the context, to name in refusals.
        let user = kubeconfig
            .contexts
            .iter()
            .find(|c| c.name == context)
            .and_then(|c| c.context.as_ref()?.user.clone())
            .unwrap_or_else(|| "(none)".to_string());
        // Its credential plugin (gke-gcloud-auth-plugin, aws, kubelogin), to name when it fails.
        let plugin = kubeconfig
            .auth_infos
            .iter()
            .find(|a| a.name == user)
            .and_then(|a| a.auth_info.as_ref()?.exec.as_ref()?.command.clone());
        // Known before the API server answers: minikube's state depends on it, not on a connection.
        let _ = self
            .events
            .send(Event::Kube(KubeEvent::Context(context.clone())));
        let options = KubeConfigOptions {
            context: Some(context.clone()).filter(|c| !c.is_empty()),
            ..Default::default()
        };
        let config = Config::from_custom_kubeconfig(kubeconfig, &options)
            .await
            .map_err(|e| Unreachable::NoConfig(format!("context {context}: {}", describe(&e))))?;
        let mut config = config;
        config.read_timeout = Some(READ_TIMEOUT);
        config.connect_timeout = Some(READ_TIMEOUT);
        let server = config.cluster_url.to_string();
        // The watchers name a 429 in the header and wait as long as it asks; kube's own
        // retry would wait silently, up to 15 times, with the panes stale and no word why.
        let mut quiet = config.clone();
        quiet.default_retry = false;
        let refused = |e: &kube::Error| match e {
            kube::Error::Api(status) if status.code == 401 => Some(rejected(&user)),
            _ => plugin_failure(e, plugin.as_deref(), &user),
        };
        let watches = Client::try_from(quiet).map_err(|e| match refused(&e) {
            Some(why) => Unreachable::Rejected(why),
            None => Unreachable::Down(describe(&e)),
        })?;
        let effects = Client::try_from(config).map_err(|e| Unreachable::Down(describe(&e)))?;
        let version = watches
            .apiserver_version()
            .await
            .map_err(|e| match refused(&e) {
                Some(why) => Unreachable::Rejected(why),
                None => Unreachable::Down(unreachable_sentence(&server, &describe(&e))),
            })?;
        Ok((
            Clients {
                effects,
                watches,
                user,
            },
            ClusterInfo {
                context,
                server: server.trim_end_matches('/').to_string(),
                version: version.git_version,
                nodes: 0,
                node_address: None,
            },
        ))
    }
}

/// One cluster, two clients: the effects' retries a throttled write by
/// itself (honouring Retry-After); the watchers' reports every failure.
struct Clients {
    effects: Client,
    watches: Client,
    /// The kubeconfig user they act as.
    user: String,
}

enum Unreachable {
    /// Nothing to connect to: no kubeconfig, no such context.
    NoConfig(String),
    /// The API server does not answer.
    Down(String),
    /// The API server answers, and refuses the credentials (401).
    Rejected(String),
}

/// How the watchers of one connection ended.
enum Ended {
    /// A failure they could not ride out (the connection went): reconnect.
    Failed(String),
    /// The cluster rejected the credentials (401): reconnecting changes nothing.
    Rejected(String),
}

/// Why the API server could not be reached, in words: a certificate the
/// kubeconfig's certificate authority did not sign is said as such.
fn unreachable_sentence(server: &str, detail: &str) -> String {
    if detail.contains("invalid peer certificate") {
        return format!(
            "{server} shows a certificate the kubeconfig's certificate authority does not vouch for \
             (check certificate-authority-data of the cluster): {detail}"
        );
    }
    format!("cannot reach {server}: {detail}")
}

/// What a 401 means, naming the kubeconfig user.
fn rejected(user: &str) -> String {
    format!(
        "the cluster rejected the credentials of user {user} (401 Unauthorized): they are wrong or have expired"
    )
}

/// A credential plugin that could not give a token, named by its command:
/// missing, or failed with what it said last. None for other errors.
fn plugin_failure(error: &kube::Error, plugin: Option<&str>, user: &str) -> Option<String> {
    use kube::client::AuthError;
    let kube::Error::Auth(auth) = error else {
        return None;
    };
    let command = plugin.unwrap_or("(the exec command)");
    Some(match auth {
        AuthError::AuthExecStart(e) if e.kind() == std::io::ErrorKind::NotFound => format!(
            "the credential plugin {command} of user {user} is not installed (not found on PATH)"
        ),
        AuthError::AuthExecStart(e) => {
            format!("the credential plugin {command} of user {user} could not start: {e}")
        }
        AuthError::AuthExecRun { out, .. } => {
            let said = String::from_utf8_lossy(&out.stderr);
            let last = said.lines().rev().map(str::trim).find(|l| !l.is_empty());
            format!(
                "the credential plugin {command} of user {user} failed ({}){}",
                out.status,
                last.map_or(String::new(), |l| format!(": {l}"))
            )
        }
        AuthError::AuthExecParse(e) => format!(
            "the credential plugin {command} of user {user} printed no credential it could read: {e}"
        ),
        AuthError::ReadTokenFile(e, path) => format!(
            "the token file {} of user {user} cannot be read: {e}",
            path.display()
        ),
        _ => return None,
    })
}

/// Whether the user may list pods in every namespace (a 403 says not).
async fn may_list_everywhere(client: &Client) -> bool {
    let probe = Api::<Pod>::all(client.clone())
        .list(&ListParams::default().limit(1))
        .await;
    !matches!(probe, Err(kube::Error::Api(status)) if status.code == 403)
}

/// A state that asking again at once would not change (no cluster, rejected
/// credentials): wait 30 s, or until another context or namespace is chosen.
async fn look_again_later(target: &mut watch::Receiver<KubeTarget>) {
    tokio::select! {
        _ = tokio::time::sleep(Duration::from_secs(30)) => {}
        _ = switched(target) => {}
    }
}

/// Resolves when the target changes; never, once nobody can change it.
async fn switched(target: &mut watch::Receiver<KubeTarget>) {
    if target.changed().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Run the watchers (of one namespace, or all) until one fails for good; returns why.
async fn watch_all(
    client: Client,
    events: &mpsc::UnboundedSender<Event>,
    namespace: Option<&str>,
    user: &str,
) -> Ended {
    let (changed_tx, mut changed_rx) = mpsc::unbounded_channel::<Result<Kind, Trouble>>();
    let changed = &changed_tx;
    // Only the rows are kept, never the objects: 10,000 pods cost their rows, not their specs.
    let deployments = spawn_rows(
        scoped(&client, namespace),
        Kind::Deployments,
        deployment_row,
        Store::default(),
        changed,
    );
    let pods = spawn_rows(
        scoped(&client, namespace),
        Kind::Pods,
        pod_row,
        Store::default(),
        changed,
    );
    let replica_sets = spawn_rows(
        scoped(&client, namespace),
        Kind::ReplicaSets,
        replica_set_row,
        Store::default(),
        changed,
    );
    let services = spawn_rows(
        scoped(&client, namespace),
        Kind::Services,
        service_row,
        Store::default(),
        changed,
    );
    let k8s_events = spawn_rows(
        scoped(&client, namespace),
        Kind::Events,
        event_row,
        Store::newest(MAX_EVENTS, |e| e.last_seen),
        changed,
    );
    // Cluster-scoped: the pickers and the header need them whatever the namespace.
    let namespaces = spawn_rows(
        Api::<Namespace>::all(client.clone()),
        Kind::Namespaces,
        |n| n.metadata.name.clone().unwrap_or_default(),
        Store::default(),
        changed,
    );
    let nodes = spawn_rows(
        Api::<Node>::all(client),
        Kind::Nodes,
        internal_ip,
        Store::default(),
        changed,
    );
    drop(changed_tx);
    let tasks = [
        deployments.1,
        pods.1,
        replica_sets.1,
        services.1,
        k8s_events.1,
        namespaces.1,
        nodes.1,
    ];
    let mut dirty = std::collections::HashSet::new();
    let mut failing: Option<String> = None;
    let reason = loop {
        let first = changed_rx.recv().await;
        let mut batch = vec![first];
        let deadline = tokio::time::Instant::now() + BATCH;
        while let Ok(Some(next)) = tokio::time::timeout_at(deadline, changed_rx.recv()).await {
            batch.push(Some(next));
        }
        for item in batch {
            match item {
                None => break,
                Some(Ok(kind)) => {
                    dirty.insert(kind);
                }
                Some(Err(Trouble::Retrying(reason))) => failing = Some(reason),
                Some(Err(Trouble::Refused { code: 401, .. })) => {
                    tasks.iter().for_each(tokio::task::JoinHandle::abort);
                    return Ended::Rejected(rejected(user));
                }
                Some(Err(Trouble::Refused { kind, .. })) => {
                    // Said once; that watcher has stopped, the others carry on.
                    let scope = match (kind, namespace) {
                        (Kind::Namespaces | Kind::Nodes, _) | (_, None) => String::new(),
                        (_, Some(namespace)) => format!(" in namespace {namespace}"),
                    };
                    let what = format!("{kind:?}").to_lowercase();
                    let line = format!("{what}: not allowed for user {user}{scope}");
                    // A closed channel ends the loop below (pilothouse is stopping).
                    let _ = events.send(Event::Kube(KubeEvent::NotAllowed(line)));
                }
            }
        }
        if let Some(reason) = failing.take() {
            // The watchers retry by themselves; say so, and carry on with what is known.
            if events
                .send(Event::Kube(KubeEvent::WatchTrouble(reason)))
                .is_err()
            {
                break "pilothouse is stopping".to_string();
            }
        }
        for kind in dirty.drain() {
            // The four tables get what changed, row by row; the small kinds their whole list.
            let event = match kind {
                Kind::Deployments => KubeEvent::Deployments(report(&deployments.0)),
                Kind::Pods => KubeEvent::Pods(report(&pods.0)),
                Kind::ReplicaSets => KubeEvent::ReplicaSets(snapshot(&replica_sets.0)),
                Kind::Services => KubeEvent::Services(report(&services.0)),
                Kind::Events => KubeEvent::Events(report(&k8s_events.0)),
                // Keys sort by name, as the picker lists them.
                Kind::Namespaces => KubeEvent::Namespaces(snapshot(&namespaces.0)),
                Kind::Nodes => {
                    let nodes = snapshot(&nodes.0);
                    KubeEvent::Nodes {
                        count: nodes.len(),
                        address: nodes.into_iter().flatten().next(),
                    }
                }
            };
            if events.send(Event::Kube(event)).is_err() {
                return Ended::Failed("pilothouse is stopping".to_string());
            }
        }
        if events.is_closed() {
            break "pilothouse is stopping".to_string();
        }
    };
    tasks.iter().for_each(tokio::task::JoinHandle::abort);
    Ended::Failed(reason)
}

fn snapshot<R: Clone>(rows: &Rows<R>) -> Vec<R> {
    rows.lock()
        .map(|store| store.snapshot())
        .unwrap_or_default()
}

/// The whole list after a relist; otherwise only the rows changed since the last report.
fn report<R: Clone>(rows: &Rows<R>) -> RowsUpdate<R> {
    rows.lock()
        .map(|mut store| store.report())
        .unwrap_or_else(|_| RowsUpdate::Changed(RowChanges::default()))
}

/// A namespaced kind's API: one namespace, or all of them.
fn scoped<K>(client: &Client, namespace: Option<&str>) -> Api<K>
where
    K: Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>,
{
    match namespace {
        Some(namespace) => Api::namespaced(client.clone(), namespace),
        None => Api::all(client.clone()),
    }
}
