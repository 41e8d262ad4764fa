//! A selector's logs in one stream (`l` on a Deployment, `:logs SELECTOR`):
//! opening it, how far back it starts (`t`), and one pod at a time (`o`).

use crate::app::core::command::Command;
use crate::app::core::model::{Level, Pane};
use crate::app::core::shared::Shared;
use crate::app::docker::state::{LogView, SELECTOR_TAIL, SelectorLogs};
use crate::domain::since::{next_since, parse_since, since_flag};

/// `l` on a Deployment, `:logs SELECTOR [--since=D]`: the logs of every
/// pod the selector matches in one stream, each line led by its pod's name.
pub(crate) fn selector_logs(
    logs: &mut LogView,
    shared: &mut Shared,
    source: SelectorLogs,
) -> Vec<Command> {
    let SelectorLogs {
        namespace,
        selector,
        since,
    } = source.clone();
    let window = match since {
        Some(seconds) => format!(", since {} ago", since_flag(seconds)),
        None => String::new(),
    };
    logs.show(
        selector_log_key(&namespace, &selector),
        format!("pods -l {selector} (-n {namespace}){window}"),
        None,
    );
    logs.many = true;
    logs.selector = Some(source);
    shared.pane = Pane::Logs;
    let command = Command::FollowSelectorLogs {
        namespace,
        selector,
        since,
    };
    shared.learn = command.learn_line();
    vec![command]
}

/// `t` in a selector's logs: start them again from further back (the last
/// lines of each pod, then 1m, 10m, 1h).
pub(crate) fn cycle_since(logs: &mut LogView, shared: &mut Shared) -> Vec<Command> {
    let Some(current) = logs.selector.clone() else {
        shared.set_status(
            Level::Warn,
            "t chooses how far back a deployment's logs start: open them with l on a deployment.",
        );
        return Vec::new();
    };
    let since = next_since(current.since);
    let text = match since {
        Some(seconds) => format!(
            "Every line of the last {} (t: further back).",
            since_flag(seconds)
        ),
        None => format!("The last {SELECTOR_TAIL} lines of each pod (t: further back)."),
    };
    let commands = selector_logs(logs, shared, SelectorLogs { since, ..current });
    shared.set_status(Level::Info, text);
    commands
}

/// `o` in a selector's logs: one pod's lines, the next pod's, then all again.
pub(crate) fn cycle_only_pod(logs: &mut LogView, shared: &mut Shared) {
    if !logs.many {
        shared.set_status(
            Level::Warn,
            "o shows one pod of a deployment's logs: open them with l on a deployment.",
        );
        return;
    }
    let pods: Vec<String> = logs.pods().into_iter().map(String::from).collect();
    let next = match &logs.only {
        None => pods.first().cloned(),
        Some(current) => pods
            .iter()
            .position(|p| p == current)
            .and_then(|i| pods.get(i + 1).cloned()),
    };
    let text = match &next {
        Some(pod) => format!("Only pod {pod} (o: the next pod, then all)."),
        None => format!("Every pod's lines ({} pods).", pods.len()),
    };
    logs.only = next;
    logs.scroll_back = 0;
    shared.set_status(Level::Info, text);
}

/// The Logs pane's key for a selector's stream.
pub fn selector_log_key(namespace: &str, selector: &str) -> String {
    format!("pods/{namespace}/-l {selector}")
}

/// `:logs SELECTOR [-n NS] [--since=D]`, read as kubectl reads them.
pub(crate) fn parse_logs_command(
    words: &[&str],
    default_namespace: &str,
) -> Result<SelectorLogs, String> {
    let mut selector = None;
    let mut namespace = None;
    let mut since = None;
    let mut rest = words.iter();
    while let Some(word) = rest.next() {
        let (flag, inline) = match word.split_once('=') {
            Some((flag, value)) if flag.starts_with('-') => (flag, Some(value)),
            _ => (*word, None),
        };
        let mut value = |name: &str| {
            inline
                .or_else(|| rest.next().copied())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag {
            "-n" | "--namespace" => namespace = Some(value("-n")?.to_string()),
            "--since" => since = Some(parse_since(value("--since")?)?),
            "-l" | "--selector" => selector = Some(value("-l")?.to_string()),
            flag if flag.starts_with('-') => {
                return Err(format!(
                    "{flag} is not an option of :logs (it takes -n NS and --since=D)"
                ));
            }
            _ if selector.is_none() => selector = Some(word.to_string()),
            _ => {
                return Err(format!(
                    "one selector only: {word} is extra (join labels with a comma)"
                ));
            }
        }
    }
    Ok(SelectorLogs {
        namespace: namespace.unwrap_or_else(|| default_namespace.to_string()),
        selector: selector.ok_or("which pods? e.g. :logs app=cookbook-recipe")?,
        since,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_command_words() {
        let parsed = |text: &str| {
            parse_logs_command(&text.split_whitespace().collect::<Vec<_>>(), "default")
        };
        let source = |ns: &str, since| SelectorLogs {
            namespace: ns.into(),
            selector: "app=web".into(),
            since,
        };
        assert_eq!(parsed("app=web"), Ok(source("default", None)));
        assert_eq!(
            parsed("app=web -n shop --since=10m"),
            Ok(source("shop", Some(600)))
        );
        assert_eq!(
            parsed("--since 1h --namespace=shop -l app=web"),
            Ok(source("shop", Some(3600)))
        );
        assert!(
            parsed("app=web --since=soon")
                .unwrap_err()
                .contains("not a duration")
        );
        assert!(
            parsed("app=web --since")
                .unwrap_err()
                .contains("needs a value")
        );
        assert!(
            parsed("app=web --tail=5")
                .unwrap_err()
                .contains("not an option")
        );
        assert!(
            parsed("app=web tier=front")
                .unwrap_err()
                .contains("one selector only")
        );
        assert!(parsed("-n shop").unwrap_err().contains("which pods"));
    }
}
