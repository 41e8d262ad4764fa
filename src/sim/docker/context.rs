//! A build context as the simulated builder sees it: the files of the tar
//! (their sizes, and the contents of the small ones), what `COPY` may name,
//! and the files `COPY` puts into the image, which the built-in shell of a
//! container or pod from that image shows (`cat run.py`).

use crate::effects::docker::build_context::DockerIgnore;
use std::collections::{BTreeMap, HashMap};
use std::io::Read;

/// The largest file whose content an image keeps; a larger one keeps its name only.
const FILE_KEPT: u64 = 256 * 1024;
/// What an image keeps of its files' contents in all.
const CONTENTS_KEPT: u64 = 4 * 1024 * 1024;
/// The builder reads these whatever their size (up to this).
const BUILDER_FILE_KEPT: u64 = 1024 * 1024;

/// The files an image was built with, by absolute path; `None` for one too large to keep.
pub type ImageFiles = BTreeMap<String, Option<Vec<u8>>>;

pub struct Context {
    pub files: BTreeMap<String, u64>,
    dirs: Vec<String>,
    contents: HashMap<String, Vec<u8>>,
}

impl Context {
    /// The tar's entries: every file's size, the contents of the small ones.
    pub fn read(tar_bytes: &[u8]) -> Result<Self, String> {
        let mut archive = tar::Archive::new(tar_bytes);
        let mut files = BTreeMap::new();
        let mut dirs = Vec::new();
        let mut contents = HashMap::new();
        let mut kept = 0;
        let entries = archive
            .entries()
            .map_err(|e| format!("the build context is not a tar archive: {e}"))?;
        for entry in entries {
            let mut entry = entry.map_err(|e| format!("the build context tar is damaged: {e}"))?;
            let path = entry
                .path()
                .map_err(|e| format!("bad path in the context: {e}"))?
                .to_string_lossy()
                .trim_start_matches("./")
                .trim_end_matches('/')
                .to_string();
            if path.is_empty() {
                continue;
            }
            if entry.header().entry_type().is_dir() {
                dirs.push(path);
                continue;
            }
            let size = entry.header().size().unwrap_or(0);
            let for_builder = path.contains("Dockerfile")
                || path.ends_with("dockerfile")
                || path == ".dockerignore";
            let keep = (for_builder && size <= BUILDER_FILE_KEPT)
                || (size <= FILE_KEPT && kept + size <= CONTENTS_KEPT);
            if keep {
                let mut content = Vec::new();
                entry
                    .read_to_end(&mut content)
                    .map_err(|e| format!("cannot read {path}: {e}"))?;
                kept += size;
                contents.insert(path.clone(), content);
            }
            files.insert(path, size);
        }
        Ok(Self {
            files,
            dirs,
            contents,
        })
    }

    /// A file the builder reads itself (the Dockerfile, `.dockerignore`).
    pub fn content(&self, path: &str) -> Option<&[u8]> {
        self.contents.get(path).map(Vec::as_slice)
    }

    pub fn exists(&self, source: &str, ignore: &DockerIgnore) -> bool {
        let source = source.trim_start_matches("./").trim_end_matches('/');
        if source.is_empty() || source == "." {
            return true;
        }
        let visible = |path: &str| !ignore.excludes(path);
        if is_glob(source) {
            return self
                .files
                .keys()
                .any(|f| visible(f) && glob_match(source, f));
        }
        (self.files.contains_key(source) && visible(source))
            || self.dirs.iter().any(|d| d == source && visible(d))
            || self
                .files
                .keys()
                .any(|f| f.starts_with(&format!("{source}/")) && visible(f))
    }

    /// `COPY SOURCES... DEST` (relative to `workdir`) into the image's files,
    /// as the builder lays them out: a directory's contents, not the directory;
    /// into DEST when it is a directory (ends in `/`, or several sources).
    pub fn copy_into(
        &self,
        image: &mut ImageFiles,
        sources: &[String],
        dest: &str,
        workdir: &str,
        ignore: &DockerIgnore,
    ) {
        let base = if workdir.is_empty() { "/" } else { workdir };
        let dest_path = crate::sim::shell::resolve(base, dest);
        let into_dir = dest.ends_with('/') || dest == "." || sources.len() > 1;
        let visible = |path: &str| !ignore.excludes(path);
        for source in sources {
            let source = source.trim_start_matches("./").trim_end_matches('/');
            let mut put = |from: &str, to: String| {
                let content = self.contents.get(from).cloned();
                image.insert(to, content);
            };
            let under = |name: &str| crate::sim::shell::resolve(&dest_path, name);
            if source.is_empty() || source == "." {
                for file in self.files.keys().filter(|f| visible(f)) {
                    put(file, under(file));
                }
            } else if is_glob(source) {
                for file in self
                    .files
                    .keys()
                    .filter(|f| visible(f) && glob_match(source, f))
                {
                    put(file, under(file.rsplit('/').next().unwrap_or(file)));
                }
            } else if self.files.contains_key(source) {
                let to = if into_dir {
                    under(source.rsplit('/').next().unwrap_or(source))
                } else {
                    dest_path.clone()
                };
                put(source, to);
            } else {
                let prefix = format!("{source}/");
                for file in self.files.keys().filter(|f| visible(f)) {
                    if let Some(rest) = file.strip_prefix(&prefix) {
                        put(file, under(rest));
                    }
                }
            }
        }
    }
}

fn is_glob(source: &str) -> bool {
    source.contains('*') || source.contains('?')
}

fn glob_match(pattern: &str, path: &str) -> bool {
    DockerIgnore::parse(pattern).excludes(path)
}

/// A context tar of these (path, content) files, for the builder's tests.
#[cfg(test)]
pub(super) fn tar_of(files: &[(&str, &str)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, path, content.as_bytes())
            .expect("append");
    }
    builder.into_inner().expect("tar")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(files: &[(&str, &str)]) -> Context {
        Context::read(&tar_of(files)).expect("read")
    }

    #[test]
    fn copy_lays_files_out_as_the_builder_does() {
        let context = context(&[
            ("run.py", "print()\n"),
            ("requirements.txt", "flask\n"),
            ("templates/index.html", "<h1>\n"),
            ("secret.key", "x"),
        ]);
        let ignore = DockerIgnore::parse("*.key\n");
        let mut files = ImageFiles::new();
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        context.copy_into(
            &mut files,
            &words(&["requirements.txt"]),
            "./",
            "/app",
            &ignore,
        );
        assert_eq!(files.keys().collect::<Vec<_>>(), ["/app/requirements.txt"]);
        context.copy_into(&mut files, &words(&["."]), ".", "/app", &ignore);
        assert_eq!(
            files.keys().collect::<Vec<_>>(),
            [
                "/app/requirements.txt",
                "/app/run.py",
                "/app/templates/index.html"
            ]
        );
        assert_eq!(files["/app/run.py"].as_deref(), Some(&b"print()\n"[..]));
        context.copy_into(
            &mut files,
            &words(&["templates"]),
            "/srv/t",
            "/app",
            &ignore,
        );
        context.copy_into(&mut files, &words(&["run.py"]), "/main.py", "", &ignore);
        assert!(files.contains_key("/srv/t/index.html"));
        assert!(files.contains_key("/main.py"));
    }
}
