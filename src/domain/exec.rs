//! Where a shell or a command runs inside a workload, and the command line
//! that does it (`docker exec`, `kubectl exec`): the cockpit runs that very
//! line, so what the learn line shows is what ran.

use crate::domain::text::quote;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecTarget {
    Container {
        name: String,
    },
    Pod {
        namespace: String,
        pod: String,
        container: String,
        /// The kubeconfig context, when the cockpit watches another than the current one.
        context: Option<String>,
    },
}

/// The shell run when none is set and `bash` is missing.
pub const FALLBACK_SHELL: &str = "sh";
/// Asks the workload whether it has `bash` (prints its path, exit 0) before a shell opens.
pub const BASH_PROBE: &[&str] = &["sh", "-c", "command -v bash"];

impl ExecTarget {
    /// The CLI that runs it.
    pub fn program(&self) -> &'static str {
        match self {
            Self::Container { .. } => "docker",
            Self::Pod { .. } => "kubectl",
        }
    }

    /// The arguments after the program: `exec [-it] TARGET [--] COMMAND...`.
    pub fn args(&self, interactive: bool, command: &[String]) -> Vec<String> {
        let mut args = vec!["exec".to_string()];
        if interactive {
            args.push("-it".into());
        }
        match self {
            Self::Container { name } => args.push(name.clone()),
            Self::Pod {
                namespace,
                pod,
                container,
                context,
            } => {
                if let Some(context) = context {
                    args.extend(["--context".into(), context.clone()]);
                }
                args.extend([
                    pod.clone(),
                    "-n".into(),
                    namespace.clone(),
                    "-c".into(),
                    container.clone(),
                    "--".into(),
                ]);
            }
        }
        args.extend(command.iter().cloned());
        args
    }

    /// The whole command line, quoted as a shell would need it.
    pub fn command_line(&self, interactive: bool, command: &[String]) -> String {
        std::iter::once(self.program().to_string())
            .chain(self.args(interactive, command))
            .map(|w| quote(&w))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// How the UI names it: `web`, `cookbook-recipe-x (app)`.
    pub fn label(&self) -> String {
        match self {
            Self::Container { name } => name.clone(),
            Self::Pod { pod, container, .. } => format!("{pod} ({container})"),
        }
    }
}

/// A command typed in the exec field, split as a shell would: white space
/// between words, '…' and "…" keep theirs (an empty pair is an empty word).
pub fn split_command(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            (None, c) => {
                current.push(c);
                in_word = true;
            }
        }
    }
    if let Some(q) = quote {
        return Err(format!("a {q} is not closed"));
    }
    if in_word {
        words.push(current);
    }
    if words.is_empty() {
        return Err("a command is required (for example: ls -l /)".to_string());
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_commands_split_as_a_shell_would() {
        assert_eq!(
            split_command(" cat  'my file' \"\" x").unwrap(),
            ["cat", "my file", "", "x"]
        );
        assert!(
            split_command("echo 'open")
                .unwrap_err()
                .contains("not closed")
        );
        assert!(split_command("   ").unwrap_err().contains("required"));
    }

    #[test]
    fn command_lines_are_what_a_user_would_type() {
        let container = ExecTarget::Container { name: "web".into() };
        assert_eq!(
            container.command_line(true, &["sh".into()]),
            "docker exec -it web sh"
        );
        let pod = ExecTarget::Pod {
            namespace: "default".into(),
            pod: "cookbook-recipe-abc".into(),
            container: "cookbook".into(),
            context: Some("minikube".into()),
        };
        assert_eq!(
            pod.command_line(false, &["cat".into(), "run me.py".into()]),
            "kubectl exec --context minikube cookbook-recipe-abc -n default -c cookbook -- cat 'run me.py'"
        );
        assert_eq!(pod.label(), "cookbook-recipe-abc (cookbook)");
    }
}
