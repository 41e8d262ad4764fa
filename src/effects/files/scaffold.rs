//! Scaffolds files a user would otherwise write by hand. Never overwrites.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The walkthrough's Dockerfile for a Python/Flask app.
pub const FLASK_DOCKERFILE: &str = r#"# Written by pilothouse for a Python/Flask app. Edit freely.
FROM python:3
WORKDIR /usr/src/app
# Dependencies first, so code changes do not reinstall them.
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# Flask's development server listens on 8000 in run.py; Cloud Run sends $PORT (8080).
EXPOSE 8000
ENTRYPOINT ["python"]
CMD ["run.py"]
"#;

/// The walkthrough's `cookbook-deployment.yaml`, for any local image: one
/// replica, and `imagePullPolicy: Never` so the cluster uses the image its
/// own engine holds (built after `docker-env`) instead of pulling it.
pub fn deployment_manifest(name: &str, image: &str, port: Option<u16>) -> String {
    let ports = port.map_or(String::new(), |port| {
        format!("          ports:\n            - containerPort: {port}\n")
    });
    format!(
        "# Written by pilothouse for the image {image}. Apply it with a (or kubectl apply -f).\n\
         apiVersion: apps/v1\n\
         kind: Deployment\n\
         metadata:\n  name: {name}\n  labels:\n    app: {name}\n\
         spec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: {name}\n\
         \x20 template:\n    metadata:\n      labels:\n        app: {name}\n\
         \x20   spec:\n      containers:\n        - name: {name}\n          image: {image}\n\
         \x20         imagePullPolicy: Never\n{ports}"
    )
}

/// `NAME-deployment.yaml` beside the app; never over an existing file.
pub fn write_deployment(
    dir: &Path,
    name: &str,
    image: &str,
    port: Option<u16>,
) -> Result<PathBuf, String> {
    write_new(
        &dir.join(format!("{name}-deployment.yaml")),
        &deployment_manifest(name, image, port),
        NEVER_OVERWRITES,
    )
}

pub fn write_dockerfile(dir: &Path) -> Result<PathBuf, String> {
    write_new(&dir.join("Dockerfile"), FLASK_DOCKERFILE, NEVER_OVERWRITES)
}

/// `:export`: the history script, executable. An existing file is kept unless
/// the user asked to replace it (`:export! PATH`).
pub fn write_script(path: &Path, text: &str, replace: bool) -> Result<PathBuf, String> {
    use std::os::unix::fs::PermissionsExt;
    let written = write_or_replace(path, text, replace, ":export!")?;
    std::fs::set_permissions(&written, std::fs::Permissions::from_mode(0o755))
        .map_err(|err| format!("cannot make {} executable: {err}", written.display()))?;
    Ok(written)
}

/// `:save`: a text file, over an existing one only with `replace`.
pub fn write_text(path: &Path, text: &str, replace: bool) -> Result<PathBuf, String> {
    write_or_replace(path, text, replace, ":save!")
}

/// A new file, or (with `replace`) over an existing one; `forcing` names the command that replaces.
fn write_or_replace(
    path: &Path,
    text: &str,
    replace: bool,
    forcing: &str,
) -> Result<PathBuf, String> {
    if replace {
        std::fs::write(path, text)
            .map(|()| path.to_path_buf())
            .map_err(|err| format!("cannot write {}: {err}", path.display()))
    } else {
        write_new(
            path,
            text,
            &format!("{forcing} {} replaces it", path.display()),
        )
    }
}

const NEVER_OVERWRITES: &str = "pilothouse never overwrites a file";

/// Write a file that must not exist yet; `if_exists` says what to do when it does.
fn write_new(path: &Path, text: &str, if_exists: &str) -> Result<PathBuf, String> {
    let path = path.to_path_buf();
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|err| {
            if err.kind() == std::io::ErrorKind::AlreadyExists {
                format!("{} already exists; {if_exists}", path.display())
            } else {
                format!("cannot write {}: {err}", path.display())
            }
        })?;
    file.write_all(text.as_bytes())
        .map_err(|err| format!("cannot write {}: {err}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_logs_never_overwrite_unless_replaced() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("pilothouse-logs.log");
        assert_eq!(write_text(&path, "one\n", false), Ok(path.clone()));
        let refused = write_text(&path, "two\n", false).unwrap_err();
        assert!(refused.contains(":save! "), "{refused}");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "one\n");
        assert_eq!(write_text(&path, "two\n", true), Ok(path.clone()));
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "two\n");
    }

    #[test]
    fn the_export_script_is_executable_and_kept_unless_replaced() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("replay.sh");
        write_script(&path, "echo one\n", false).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o755);
        let err = write_script(&path, "echo two\n", false).unwrap_err();
        assert!(err.contains("already exists; :export! "), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "echo one\n");
        write_script(&path, "echo two\n", true).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "echo two\n");
    }

    #[test]
    fn writes_once_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_dockerfile(dir.path()).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("FROM python:3") && text.contains("CMD [\"run.py\"]"));
        std::fs::write(&path, "mine").unwrap();
        let err = write_dockerfile(dir.path()).unwrap_err();
        assert!(err.contains("never overwrites"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine");
    }

    #[test]
    fn the_deployment_manifest_is_the_walkthroughs_and_is_never_overwritten() {
        let text = deployment_manifest("cookbook", "cookbook:latest", Some(8000));
        let value: serde_json::Value = serde_yaml_ng::from_str(&text).expect("valid YAML");
        assert_eq!(value["kind"], "Deployment");
        assert_eq!(value["spec"]["selector"]["matchLabels"]["app"], "cookbook");
        let container = &value["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(container["image"], "cookbook:latest");
        assert_eq!(container["imagePullPolicy"], "Never");
        assert_eq!(container["ports"][0]["containerPort"], 8000);
        let without = deployment_manifest("web", "web:1", None);
        let value: serde_json::Value = serde_yaml_ng::from_str(&without).expect("valid YAML");
        assert!(
            value["spec"]["template"]["spec"]["containers"][0]
                .get("ports")
                .is_none()
        );
        let dir = tempfile::tempdir().unwrap();
        let path = write_deployment(dir.path(), "cookbook", "cookbook:latest", None).unwrap();
        assert!(path.ends_with("cookbook-deployment.yaml"));
        std::fs::write(&path, "mine").unwrap();
        assert!(
            write_deployment(dir.path(), "cookbook", "x", None)
                .unwrap_err()
                .contains("never overwrites")
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine");
    }
}
