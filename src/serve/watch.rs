//! Watching a site for edits: notify over `site.toml`, `content/`,
//! `static/`, `templates/` and `themes/`, with editor leftovers ignored and
//! bursts of events (an editor's save, a hundred saves in a second) merged
//! into one batch here, the one place that debounces.
//!
//! Not for deciding what to rebuild (`live`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use notify::event::EventKind;
use notify::{RecommendedWatcher, RecursiveMode, Watcher as _};

use crate::config::CONFIG_FILE;
use crate::error::{Error, Result};
use crate::layout::{SOURCE_DIRS, is_ignored_name};

/// After a quiet spell, a batch closes this soon after its first event, so
/// a single save shows at once...
const FIRST_QUIET: Duration = Duration::from_millis(5);
/// ...but events that keep coming right after a rebuild (a burst of saves,
/// a `git checkout`) are gathered until this long passes without one: long
/// enough that a process writing files on a busy machine, stalled by the
/// scheduler for a moment, is not taken for a burst that ended...
const BURST_QUIET: Duration = Duration::from_millis(150);
/// ...and a burst counts as over this long after the last rebuild.
const BURST_GAP: Duration = Duration::from_millis(300);
/// A batch never waits longer than this, even if events never stop.
const MAX_WAIT: Duration = Duration::from_secs(3);

/// Keeps watching while alive.
pub(crate) type Watcher = Arc<Mutex<RecommendedWatcher>>;

/// Starts watching `root`; `on_batch` gets each batch of changed files,
/// relative to the root, on a thread of its own.
pub(crate) fn start(
    root: &Path,
    mut on_batch: impl FnMut(Vec<PathBuf>) + Send + 'static,
) -> Result<Watcher> {
    let root = root.canonicalize().map_err(|source| Error::ReadDir {
        path: root.to_path_buf(),
        source,
    })?;
    let (tx, rx) = mpsc::channel::<notify::Result<notify::Event>>();
    let watch_error = |e: notify::Error| Error::Serve {
        message: format!("cannot watch {} for changes: {e}", root.display()),
    };
    let mut watcher = notify::recommended_watcher(tx).map_err(watch_error)?;
    // The root itself only for `site.toml` and folders that appear later:
    // it may hold large folders (`target/`, `public/`) that are not sources.
    watcher
        .watch(&root, RecursiveMode::NonRecursive)
        .map_err(watch_error)?;
    let watcher = Arc::new(Mutex::new(watcher));
    let mut watched = Vec::new();
    watch_new_folders(&watcher, &root, &mut watched);
    let handle = Arc::clone(&watcher);
    std::thread::Builder::new()
        .name("mend-watch".into())
        .spawn(move || {
            let mut last_done: Option<Instant> = None;
            loop {
                let Some(batch) = next_batch(&rx, &root, last_done) else {
                    return;
                };
                watch_new_folders(&handle, &root, &mut watched);
                if !batch.is_empty() {
                    on_batch(batch);
                    last_done = Some(Instant::now());
                }
            }
        })
        .map_err(|e| Error::Serve {
            message: format!("cannot start the watcher: {e}"),
        })?;
    Ok(watcher)
}

/// Starts watching each source folder that exists and is not watched yet
/// (`templates/` made after `serve` started, say).
fn watch_new_folders(watcher: &Watcher, root: &Path, watched: &mut Vec<PathBuf>) {
    for dir in SOURCE_DIRS.iter().map(|d| root.join(d)) {
        if dir.is_dir() && !watched.contains(&dir) {
            let mut watcher = watcher
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match watcher.watch(&dir, RecursiveMode::Recursive) {
                Ok(()) => watched.push(dir),
                Err(e) => eprintln!("warning: cannot watch {}: {e}", dir.display()),
            }
        }
    }
}

/// Waits for events, then gathers them until things are quiet: longer when
/// they come soon after the last rebuild (a burst). `None` once the watcher
/// is gone.
fn next_batch(
    rx: &mpsc::Receiver<notify::Result<notify::Event>>,
    root: &Path,
    last_rebuild: Option<Instant>,
) -> Option<Vec<PathBuf>> {
    let mut paths = BTreeSet::new();
    collect(rx.recv().ok()?, root, &mut paths);
    // Decided when the events come, not when waiting for them began.
    let in_burst = last_rebuild.is_some_and(|t| t.elapsed() < BURST_GAP);
    let quiet = if in_burst { BURST_QUIET } else { FIRST_QUIET };
    let opened = Instant::now();
    while opened.elapsed() < MAX_WAIT {
        match rx.recv_timeout(quiet) {
            Ok(events) => collect(events, root, &mut paths),
            Err(mpsc::RecvTimeoutError::Timeout) => break,
            Err(mpsc::RecvTimeoutError::Disconnected) => return None,
        }
    }
    Some(paths.into_iter().collect())
}

fn collect(event: notify::Result<notify::Event>, root: &Path, paths: &mut BTreeSet<PathBuf>) {
    let Ok(event) = event else { return };
    if matches!(event.kind, EventKind::Access(_)) {
        return;
    }
    for path in &event.paths {
        if let Some(relative) = relevant(root, path) {
            paths.insert(relative);
        }
    }
}

/// The path relative to the root, if it is part of the site's sources.
pub(super) fn relevant(root: &Path, path: &Path) -> Option<PathBuf> {
    let relative = path.strip_prefix(root).ok()?;
    let mut parts = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy());
    let first = parts.next()?;
    let in_site = first == CONFIG_FILE || SOURCE_DIRS.contains(&first.as_ref());
    let editor_file = relative.components().any(|c| {
        let name = c.as_os_str().to_string_lossy();
        is_ignored_name(&name) || name == "4913" // vim's test file
    });
    (in_site && !editor_file).then(|| relative.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_site_sources_count() {
        let root = Path::new("/site");
        let r = |p: &str| relevant(root, Path::new(p));
        assert_eq!(
            r("/site/content/posts/x.md"),
            Some(PathBuf::from("content/posts/x.md"))
        );
        assert_eq!(r("/site/site.toml"), Some(PathBuf::from("site.toml")));
        assert_eq!(
            r("/site/themes/t/static/a.css"),
            Some(PathBuf::from("themes/t/static/a.css"))
        );
        for ignored in [
            "/site/public/index.html",
            "/site/content/posts/.x.md.swp",
            "/site/content/posts/x.md~",
            "/site/content/.DS_Store",
            "/site/content/posts/4913",
            "/site/content/posts/#x.md#",
            "/site/notes.txt",
            "/elsewhere/content/x.md",
        ] {
            assert_eq!(r(ignored), None, "{ignored}");
        }
    }
}
