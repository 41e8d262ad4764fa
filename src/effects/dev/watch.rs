//! The dev loop's watch: the operating system's file notifications (inotify
//! here) over the app's build context, one watch a directory so that `.git`
//! and what `.dockerignore` leaves out cost nothing; changes filtered and
//! debounced into one `DevEvent::Changed` per burst.

use crate::app::cloud::settings::parse_project_file;
use crate::app::core::command::WatchSpec;
use crate::app::core::event::{DevEvent, Event};
use crate::effects::docker::build_context::DockerIgnore;
use notify::{EventKind, RecursiveMode, Watcher};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

/// Quiet time that ends a burst of changes (an editor's save is several writes).
pub const DEBOUNCE: Duration = Duration::from_millis(150);

/// The settings file: read for `[dev]`, never a reason to rebuild.
pub const SETTINGS_FILE: &str = "pilothouse.toml";

/// Watch until the task is dropped or aborted (the watcher goes with it).
pub async fn watch(spec: WatchSpec, tx: UnboundedSender<Event>) {
    let (raw_tx, raw_rx) = mpsc::unbounded_channel();
    let root = spec.context.clone();
    let started = tokio::task::spawn_blocking(move || start_watcher(&root, raw_tx)).await;
    let (watcher, rules) = match started {
        Ok(Ok(started)) => started,
        Ok(Err(reason)) => return send(&tx, DevEvent::WatchFailed(reason)),
        Err(e) => {
            return send(
                &tx,
                DevEvent::WatchFailed(format!("the watch did not start: {e}")),
            );
        }
    };
    send(&tx, read_settings(&spec.context));
    debounce(spec, watcher, rules, raw_rx, tx).await;
}

fn send(tx: &UnboundedSender<Event>, event: DevEvent) {
    let _ = tx.send(Event::Dev(event));
}

type Raw = notify::Result<notify::Event>;

/// A watcher with every directory of the context that is not left out.
fn start_watcher(
    root: &Path,
    raw_tx: UnboundedSender<Raw>,
) -> Result<(notify::RecommendedWatcher, Filter), String> {
    if !root.is_dir() {
        return Err(format!("{} is not a directory", root.display()));
    }
    let mut watcher = notify::recommended_watcher(move |event: Raw| {
        let _ = raw_tx.send(event);
    })
    .map_err(|e| format!("cannot watch files: {e}"))?;
    let filter = Filter::read(root);
    add_tree(&mut watcher, root, root, &filter, None)?;
    Ok((watcher, filter))
}

/// Watch `dir` and the directories under it that the filter keeps; with
/// `found`, the files already there go into it (a new directory's files may
/// be written before its watch is in place; at start there is nothing to report).
fn add_tree(
    watcher: &mut notify::RecommendedWatcher,
    root: &Path,
    dir: &Path,
    filter: &Filter,
    mut found: Option<&mut Vec<String>>,
) -> Result<(), String> {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        if let Err(e) = watcher.watch(&dir, RecursiveMode::NonRecursive) {
            // The first directory must be watched; one that vanished meanwhile need not.
            if dir == root {
                return Err(format!("cannot watch {}: {e}", dir.display()));
            }
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            let rel = relative(root, &path);
            if is_dir && filter.keeps_dir(&rel) {
                stack.push(path);
            } else if let Some(found) = found
                .as_deref_mut()
                .filter(|_| !is_dir && filter.triggers(&rel))
            {
                found.push(rel);
            }
        }
    }
    Ok(())
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// What a change must pass to matter: not in `.git`, not an editor's
/// scratch file, not pilothouse's own file, not left out by `.dockerignore`.
#[derive(Debug, Default)]
pub struct Filter {
    ignore: DockerIgnore,
}

impl Filter {
    pub fn read(root: &Path) -> Self {
        Self::from_dockerignore(
            &std::fs::read_to_string(root.join(".dockerignore")).unwrap_or_default(),
        )
    }

    pub fn from_dockerignore(text: &str) -> Self {
        Self {
            ignore: DockerIgnore::parse(text),
        }
    }

    fn keeps_dir(&self, relative: &str) -> bool {
        !relative.split('/').any(|part| part == ".git")
            // With `!` exceptions a file below may be sent although its directory is not.
            && (self.ignore.has_exceptions() || !self.ignore.excludes(relative))
    }

    /// Whether a change to this path (relative to the context) starts a cycle.
    pub fn triggers(&self, relative: &str) -> bool {
        if relative.is_empty() || relative.split('/').any(|part| part == ".git") {
            return false;
        }
        let name = relative.rsplit('/').next().unwrap_or(relative);
        if scratch_file(name) || relative == SETTINGS_FILE {
            return false;
        }
        // The Dockerfile and .dockerignore are always sent, whatever .dockerignore says.
        relative == "Dockerfile" || relative == ".dockerignore" || !self.ignore.excludes(relative)
    }
}

/// Editors' swap, backup and save-probe files (vim, emacs, JetBrains, macOS).
fn scratch_file(name: &str) -> bool {
    name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swo")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.ends_with("___jb_tmp___")
        || name.ends_with("___jb_old___")
        || name.starts_with(".#")
        || (name.starts_with('#') && name.ends_with('#'))
        || name == "4913"
        || name == ".DS_Store"
}

/// The paths of one raw event that pass the filter; new directories are watched too.
fn relevant(
    event: notify::Event,
    root: &Path,
    filter: &Filter,
    watcher: &mut notify::RecommendedWatcher,
) -> Vec<String> {
    let mut paths = Vec::new();
    for path in event.paths {
        let rel = relative(root, &path);
        if path.is_dir() {
            // A new directory is watched; its files report their own changes.
            if matches!(event.kind, EventKind::Create(_)) && filter.keeps_dir(&rel) {
                let _ = add_tree(watcher, root, &path, filter, Some(&mut paths));
            }
            continue;
        }
        if filter.triggers(&rel) {
            paths.push(rel);
        }
    }
    paths
}

/// Collect a burst until no change that matters has come for `DEBOUNCE`
/// (or it has been held `MAX_HOLD`), then report it once, with how long it
/// was held. Reads (ours included: `.dockerignore` read again, the settings)
/// are no changes, so they neither start nor stretch a burst.
async fn debounce(
    spec: WatchSpec,
    mut watcher: notify::RecommendedWatcher,
    mut filter: Filter,
    mut raw: UnboundedReceiver<Raw>,
    tx: UnboundedSender<Event>,
) {
    let root = spec.context.clone();
    let mut burst = Burst::default();
    loop {
        while !burst.take(raw.recv().await, &root, &mut filter, &mut watcher) {
            if burst.closed {
                return;
            }
        }
        let first_seen = Instant::now();
        let mut last_change = first_seen;
        loop {
            let quiet_left = DEBOUNCE.saturating_sub(last_change.elapsed());
            if quiet_left.is_zero() || first_seen.elapsed() >= MAX_HOLD {
                break;
            }
            match tokio::time::timeout(quiet_left, raw.recv()).await {
                Ok(event) => {
                    if burst.take(event, &root, &mut filter, &mut watcher) {
                        last_change = Instant::now();
                    }
                    if burst.closed {
                        return;
                    }
                }
                Err(_quiet) => break,
            }
        }
        if std::mem::take(&mut burst.settings_changed) {
            send(&tx, read_settings(&root));
        }
        let paths = burst.drain(&root);
        tracing::debug!(changed = paths.len(), "file watch burst");
        if !paths.is_empty() {
            send(
                &tx,
                DevEvent::Changed {
                    paths,
                    held: first_seen.elapsed(),
                },
            );
        }
    }
}

/// A continuous stream of changes still makes a cycle this often.
const MAX_HOLD: Duration = Duration::from_secs(2);

#[derive(Default)]
struct Burst {
    paths: BTreeSet<String>,
    /// Made during this burst: gone again at its end, it was an editor's
    /// temporary file (written, then renamed over the real one), no change.
    created: BTreeSet<String>,
    settings_changed: bool,
    closed: bool,
}

impl Burst {
    /// The burst's changes, minus files that came and went within it.
    fn drain(&mut self, root: &Path) -> Vec<String> {
        let created = std::mem::take(&mut self.created);
        std::mem::take(&mut self.paths)
            .into_iter()
            .filter(|p| !created.contains(p) || root.join(p).exists())
            .collect()
    }
}

impl Burst {
    /// Take one raw event; true when it is a change that matters.
    fn take(
        &mut self,
        event: Option<Raw>,
        root: &Path,
        filter: &mut Filter,
        watcher: &mut notify::RecommendedWatcher,
    ) -> bool {
        let event = match event {
            None => {
                self.closed = true;
                return false;
            }
            Some(Err(err)) => {
                tracing::warn!(%err, "file watch");
                return false;
            }
            Some(Ok(event)) if matches!(event.kind, EventKind::Access(_)) => return false,
            Some(Ok(event)) => event,
        };
        let mut matters = false;
        if event.paths.iter().any(|p| p.ends_with(SETTINGS_FILE)) {
            self.settings_changed = true;
            matters = true;
        }
        if event.paths.iter().any(|p| p.ends_with(".dockerignore")) {
            *filter = Filter::read(root);
        }
        let created = matches!(event.kind, EventKind::Create(_));
        let changed = relevant(event, root, filter, watcher);
        if created {
            self.created.extend(changed.iter().cloned());
        }
        matters |= !changed.is_empty();
        self.paths.extend(changed);
        matters
    }
}

/// `[dev]` of the context's `pilothouse.toml`: defaults when there is none.
pub fn read_settings(root: &Path) -> DevEvent {
    let path: PathBuf = root.join(SETTINGS_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return DevEvent::Settings(Ok(Default::default()));
        }
        Err(e) => return DevEvent::Settings(Err(format!("cannot read {}: {e}", path.display()))),
    };
    let settings = parse_project_file(&text)
        .map(|file| file.dev.unwrap_or_default())
        .and_then(|dev| dev.check(&text).map(|()| dev))
        .map_err(|e| format!("{}: {e}", path.display()));
    DevEvent::Settings(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_scratch_files_settings_and_ignored_paths_trigger_nothing() {
        let filter = Filter::from_dockerignore("*.log\nnode_modules\n!keep.log\n");
        for quiet in [
            ".git/index",
            "sub/.git/HEAD",
            "run.py~",
            ".run.py.swp",
            "4913",
            ".#run.py",
            "#run.py#",
            "pilothouse.toml",
            "debug.log",
            "node_modules/x/index.js",
        ] {
            assert!(!filter.triggers(quiet), "{quiet} must not trigger");
        }
        for loud in [
            "run.py",
            "templates/index.html",
            "Dockerfile",
            ".dockerignore",
            "keep.log",
        ] {
            assert!(filter.triggers(loud), "{loud} must trigger");
        }
        assert!(!filter.keeps_dir(".git"));
        // An exception may reach inside an excluded directory: it is still watched.
        assert!(filter.keeps_dir("node_modules"));
        assert!(!Filter::from_dockerignore("node_modules\n").keeps_dir("node_modules"));
    }
}

#[cfg(test)]
mod watching {
    use super::*;
    use tokio::sync::mpsc::unbounded_channel;

    async fn next_change(rx: &mut mpsc::UnboundedReceiver<Event>) -> Option<Vec<String>> {
        loop {
            match tokio::time::timeout(Duration::from_secs(3), rx.recv()).await {
                Ok(Some(Event::Dev(DevEvent::Changed { paths, .. }))) => return Some(paths),
                Ok(Some(_)) => continue,
                _ => return None,
            }
        }
    }

    #[tokio::test]
    async fn a_burst_is_one_report_and_ignored_files_none() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().to_path_buf();
        std::fs::write(root.join(".dockerignore"), "*.log\n").expect("write");
        std::fs::create_dir_all(root.join(".git")).expect("mkdir");
        std::fs::write(root.join("run.py"), "v1").expect("write");
        let (tx, mut rx) = unbounded_channel();
        let task = tokio::spawn(watch(
            WatchSpec {
                context: root.clone(),
                dockerfile: "Dockerfile".into(),
            },
            tx,
        ));
        // The settings are read first: the watch is in place once they arrive.
        let first = tokio::time::timeout(Duration::from_secs(3), rx.recv()).await;
        assert!(
            matches!(first, Ok(Some(Event::Dev(DevEvent::Settings(Ok(_)))))),
            "{first:?}"
        );
        for i in 0..100 {
            std::fs::write(root.join("run.py"), format!("v{i}")).expect("write");
        }
        assert_eq!(next_change(&mut rx).await, Some(vec!["run.py".to_string()]));
        // One or two reports for the burst (a writer paused past the debounce splits it), never more.
        let second = tokio::time::timeout(Duration::from_millis(500), next_change(&mut rx)).await;
        if let Ok(Some(paths)) = second {
            assert_eq!(paths, vec!["run.py".to_string()]);
            let third =
                tokio::time::timeout(Duration::from_millis(500), next_change(&mut rx)).await;
            assert!(!matches!(third, Ok(Some(_))), "a third report: {third:?}");
        }
        // An editor's save by rename: the temporary file came and went, only the page changed.
        std::fs::write(root.join("run.py.new"), "v-renamed").expect("write");
        std::fs::rename(root.join("run.py.new"), root.join("run.py")).expect("rename");
        assert_eq!(next_change(&mut rx).await, Some(vec!["run.py".to_string()]));
        // Ignored and scratch files: nothing at all.
        std::fs::write(root.join("debug.log"), "x").expect("write");
        std::fs::write(root.join(".git/index"), "x").expect("write");
        std::fs::write(root.join("run.py~"), "x").expect("write");
        assert_eq!(next_change(&mut rx).await, None);
        // A later save, in a new directory too, is reported again.
        std::fs::create_dir_all(root.join("templates")).expect("mkdir");
        tokio::time::sleep(Duration::from_millis(300)).await;
        std::fs::write(root.join("templates/index.html"), "<p>").expect("write");
        let later = next_change(&mut rx).await.expect("a second report");
        assert!(
            later.contains(&"templates/index.html".to_string()),
            "{later:?}"
        );
        // Reads never stretch a burst: a save amid a stream of them is still reported.
        let reader_root = root.clone();
        let reader = std::thread::spawn(move || {
            let until = std::time::Instant::now() + Duration::from_secs(1);
            while std::time::Instant::now() < until {
                let _ = std::fs::read(reader_root.join(".dockerignore"));
            }
        });
        std::fs::write(root.join("run.py"), "again").expect("write");
        assert_eq!(next_change(&mut rx).await, Some(vec!["run.py".to_string()]));
        reader.join().expect("reader");
        task.abort();
    }
}
