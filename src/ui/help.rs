//! What the columns people ask about mean, shown in the help overlay of the
//! pane that has them.

use crate::app::core::model::Pane;

/// Column, meaning. Empty for panes whose columns need no words.
pub fn column_notes(pane: Pane) -> &'static [(&'static str, &'static str)] {
    match pane {
        Pane::Deployments => &[
            ("READY", "pods ready / pods wanted (3/3: all serving)"),
            (
                "UP-TO-DATE",
                "pods running the current template; lags during a rollout",
            ),
            (
                "AVAILABLE",
                "pods ready for minReadySeconds: what users can reach",
            ),
        ],
        Pane::Pods => &[
            ("READY", "containers ready / containers in the pod"),
            (
                "STATUS",
                "the phase, or why it waits: ContainerCreating, ErrImageNeverPull (imagePullPolicy: Never and the image is not in the cluster's engine: press e, then build), CrashLoopBackOff (it keeps exiting: l for its logs, p for the previous run's)",
            ),
            (
                "RESTARTS",
                "times a container was restarted; climbing means it crashes",
            ),
        ],
        Pane::Services => &[
            (
                "EXTERNAL-IP",
                "<pending>: a LoadBalancer waiting for an address (a cloud's balancer; on minikube, `minikube tunnel`); o still opens it through the NodePort",
            ),
            (
                "PORTS",
                "8000:31234/TCP: the Service's port, then the NodePort every node answers on",
            ),
        ],
        Pane::Containers => &[
            (
                "STATUS",
                "Up 5 minutes, or Exited (1): the exit code says how it ended",
            ),
            (
                "PORTS",
                "127.0.0.1:8000->8000/tcp: host address and port -> container port; o opens it",
            ),
        ],
        Pane::Forwards => &[
            (
                "POD",
                "the pod it reaches now; a Service's or Deployment's forward moves to another ready pod",
            ),
            (
                "CONN",
                "connections open / since it started; ★: kept in pilothouse.toml (K), starts with pilothouse",
            ),
        ],
        Pane::History => &[
            (
                "COMMAND",
                "what the action stands for; :export PATH writes the changes as a script",
            ),
            (
                "RESULT",
                "how it ended; failed ones stay as comments in the script",
            ),
        ],
        _ => &[],
    }
}
