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

pub fn write_dockerfile(dir: &Path) -> Result<PathBuf, String> {
    let path = dir.join("Dockerfile");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|err| {
            if err.kind() == std::io::ErrorKind::AlreadyExists {
                format!(
                    "{} already exists; pilothouse never overwrites a file",
                    path.display()
                )
            } else {
                format!("cannot write {}: {err}", path.display())
            }
        })?;
    file.write_all(FLASK_DOCKERFILE.as_bytes())
        .map_err(|err| format!("cannot write {}: {err}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
