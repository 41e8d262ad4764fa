//! `e` in the YAML view: the field under the cursor, explained from the
//! cluster's OpenAPI schema (`kubectl explain KIND.PATH`). The path is read
//! from the YAML's indentation: each key's parents are the nearest keys above
//! it that are less indented, and a list item's keys belong to the list's key.

use crate::app::core::command::Command;
use crate::app::core::model::{Overlay, Shared};
use crate::app::core::overlay::Explained;
use crate::domain::kube::KubeKind;
use crate::domain::openapi::Explanation;

/// One YAML line: where its dash is (a list item), where its key starts, its key.
struct Entry<'a> {
    dash: Option<usize>,
    indent: usize,
    key: Option<&'a str>,
}

fn entry(line: &str) -> Entry<'_> {
    let spaces = line.len() - line.trim_start_matches(' ').len();
    let rest = &line[spaces..];
    let (dash, indent, rest) = match rest
        .strip_prefix("- ")
        .or(rest.strip_prefix('-').filter(|r| r.is_empty()))
    {
        Some(item) => {
            let inner = item.len() - item.trim_start_matches(' ').len();
            (
                Some(spaces),
                spaces + 2 + inner,
                item.trim_start_matches(' '),
            )
        }
        None => (None, spaces, rest),
    };
    let key = rest
        .split_once(':')
        .map(|(key, _)| key)
        .filter(|key| !key.is_empty() && !key.contains(' ') && !key.starts_with(['"', '\'', '#']));
    Entry { dash, indent, key }
}

/// The field path of line `at` (`spec`, `template`, `spec`, `containers`,
/// `imagePullPolicy`); a scalar list item gives its list's path. None on a
/// line that is no field (a comment, text inside a block scalar above none).
pub fn field_path(lines: &[String], at: usize) -> Option<Vec<String>> {
    let here = entry(lines.get(at)?);
    let mut path = Vec::new();
    // Looking for the nearest line above whose key is indented less than this.
    let mut need = match (here.key, here.dash) {
        (Some(key), _) => {
            path.push(key.to_string());
            here.indent
        }
        // `- value`: the list's own key is the nearest less-indented key.
        (None, Some(dash)) => dash + 1,
        (None, None) => return None,
    };
    for line in lines[..at].iter().rev() {
        if need == 0 {
            break;
        }
        let above = entry(line);
        let Some(key) = above.key else { continue };
        match above.dash {
            // Another key of the same list item: the item's list is further up.
            Some(dash) if dash < need && above.indent == need => need = dash + 1,
            // A list item whose key holds this one.
            Some(dash) if dash < need && above.indent < need => {
                path.push(key.to_string());
                need = dash + 1;
            }
            None if above.indent < need => {
                path.push(key.to_string());
                need = above.indent;
            }
            _ => {}
        }
    }
    path.reverse();
    Some(path)
}

/// `e`: ask for the explanation of the field under the cursor.
pub(crate) fn explain_at(shared: &mut Shared) -> Vec<Command> {
    let Overlay::Yaml(view) = &mut shared.overlay else {
        return Vec::new();
    };
    let kind = view
        .title
        .split_once('/')
        .and_then(|(kind, _)| KubeKind::from_kubectl_name(kind));
    let path = view
        .lines
        .as_deref()
        .and_then(|lines| field_path(lines, view.cursor));
    let (Some(kind), Some(path)) = (kind, path) else {
        view.explained = Some(Explained {
            path: String::new(),
            text: Some(Err(
                "no field on this line: move to a key (j/k) and press e".to_string(),
            )),
        });
        return Vec::new();
    };
    let command = Command::Explain { kind, path };
    view.explained = Some(Explained {
        path: dotted(&command),
        text: None,
    });
    shared.learn = command.learn_line();
    vec![command]
}

fn dotted(command: &Command) -> String {
    command
        .learn_line()
        .and_then(|line| line.strip_prefix("kubectl explain ").map(String::from))
        .unwrap_or_default()
}

/// The explanation came: shown under the YAML if it is still the one asked for.
pub(crate) fn on_explained(
    shared: &mut Shared,
    path: String,
    result: Result<Explanation, String>,
) -> bool {
    match &mut shared.overlay {
        Overlay::Yaml(view) => match &mut view.explained {
            Some(explained) if explained.path == path => {
                explained.text = Some(result);
                true
            }
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::field_path;

    const YAML: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: web
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    spec:
      containers:
      - image: cookbook:latest
        imagePullPolicy: Never
        name: web
        ports:
        - containerPort: 8000
          protocol: TCP
        args:
        - --port
      - name: sidecar
status:
  conditions:
  - type: Available";

    fn at(wanted: &str) -> Vec<String> {
        let lines: Vec<String> = YAML.lines().map(String::from).collect();
        let index = lines
            .iter()
            .position(|l| l.trim_start() == wanted)
            .expect("the line is in the YAML");
        field_path(&lines, index).expect("a field")
    }

    #[test]
    fn paths_follow_indentation_and_list_items() {
        assert_eq!(at("replicas: 3"), ["spec", "replicas"]);
        assert_eq!(at("app: web"), ["metadata", "labels", "app"]);
        assert_eq!(
            at("imagePullPolicy: Never"),
            ["spec", "template", "spec", "containers", "imagePullPolicy"]
        );
        assert_eq!(
            at("- image: cookbook:latest"),
            ["spec", "template", "spec", "containers", "image"]
        );
        assert_eq!(
            at("protocol: TCP"),
            [
                "spec",
                "template",
                "spec",
                "containers",
                "ports",
                "protocol"
            ]
        );
        assert_eq!(
            at("- --port"),
            ["spec", "template", "spec", "containers", "args"]
        );
        assert_eq!(
            at("- name: sidecar"),
            ["spec", "template", "spec", "containers", "name"]
        );
        assert_eq!(at("- type: Available"), ["status", "conditions", "type"]);
        assert_eq!(at("kind: Deployment"), ["kind"]);
    }
}
