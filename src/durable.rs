//! Files written so that a crash or a power cut leaves either the old file
//! or the new one, never half of one: written beside, flushed to the disk,
//! then put in place with one rename (or link), and the folder flushed too.
//! Used for what mend must not lose: a reader's comment once acknowledged,
//! and a comment file being appended to. Caches, which are only a head
//! start, are put in place the same way without the flushing
//! (`replace_unflushed`).
//!
//! Not for the built site (`output` swaps whole folders) nor for reading.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Makes each temporary name of this process unique.
static NEXT: AtomicU64 = AtomicU64::new(0);

/// A temporary file in `dir` holding `bytes`, flushed to the disk.
fn write_beside(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<PathBuf> {
    fs::create_dir_all(dir)?;
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let temp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        return Err(e);
    }
    Ok(temp)
}

/// Removes the temporary files in `dir` that processes no longer running
/// left (cut short by a crash or `kill -9`); how many. Those of a running
/// process, this one included, may be in use and are kept.
pub(crate) fn remove_stale_temps(dir: &Path) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = temp_owner(&name) else {
            continue;
        };
        let running = Path::new("/proc").join(pid.to_string()).exists();
        if !running && fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// The process that wrote a temporary file named `.NAME.PID.N.tmp`.
fn temp_owner(name: &str) -> Option<u32> {
    let inner = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let mut parts = inner.rsplitn(3, '.');
    let _n: u64 = parts.next()?.parse().ok()?;
    let pid = parts.next()?.parse().ok()?;
    parts.next().filter(|n| !n.is_empty())?;
    Some(pid)
}

/// Flushes a folder, so a file just named in it stays named after a crash.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Writes a new file `dir/name`; fails with `AlreadyExists` (writing
/// nothing) if it is there. Once this returns, the file survives a crash.
pub(crate) fn create(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    let temp = write_beside(dir, name, bytes)?;
    // A hard link never replaces a file, unlike a rename.
    let linked = fs::hard_link(&temp, dir.join(name));
    let _ = fs::remove_file(&temp);
    linked?;
    sync_dir(dir)
}

/// Replaces (or creates) `path` with `bytes` in one step.
pub(crate) fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = write_beside(dir, &name, bytes)?;
    if let Err(e) = fs::rename(&temp, path) {
        let _ = fs::remove_file(&temp);
        return Err(e);
    }
    sync_dir(dir)
}

/// Replaces (or creates) `path` with `bytes` in one step, without
/// flushing: a reader (`serve`, a build running beside) finds the whole
/// file or the old one, but a crash may lose it. For caches, which the
/// next build makes again.
pub(crate) fn replace_unflushed(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let temp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
    fs::write(&temp, bytes)?;
    fs::rename(&temp, path).inspect_err(|_| {
        let _ = fs::remove_file(&temp);
    })
}

/// Removes `path` for good, flushing its folder.
pub(crate) fn remove(path: &Path) -> io::Result<()> {
    fs::remove_file(path)?;
    sync_dir(path.parent().unwrap_or(Path::new(".")))
}

/// Moves `from` to `to` (same file system), flushing both folders.
pub(crate) fn rename(from: &Path, to: &Path) -> io::Result<()> {
    if let Some(dir) = to.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::rename(from, to)?;
    for dir in [to.parent(), from.parent()].into_iter().flatten() {
        sync_dir(dir)?;
    }
    Ok(())
}

/// An exclusive lock on a file, held until dropped; waits for another
/// holder to let go.
#[derive(Debug)]
pub(crate) struct Lock {
    _file: File,
}

impl Lock {
    pub(crate) fn wait(path: &Path) -> io::Result<Lock> {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)?;
        rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive)?;
        Ok(Lock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cache_is_replaced_whole_and_leaves_nothing_beside() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(".mend/cache");
        replace_unflushed(&file, b"first").unwrap();
        replace_unflushed(&file, b"second").unwrap();
        assert_eq!(fs::read(&file).unwrap(), b"second");
        // Where a folder stands in its way it fails, and its temporary
        // file goes.
        let blocked = dir.path().join(".mend/folder");
        fs::create_dir(&blocked).unwrap();
        assert!(replace_unflushed(&blocked, b"x").is_err());
        let mut names: Vec<String> = fs::read_dir(dir.path().join(".mend"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["cache", "folder"]);
    }

    #[test]
    fn temps_of_gone_processes_are_removed_and_others_kept() {
        let dir = tempfile::tempdir().unwrap();
        // No process has the largest pid Linux allows plus one.
        let gone = ".20261123-221530-abc.toml.4194305.7.tmp";
        let mine = format!(".x.toml.{}.1.tmp", std::process::id());
        for name in [
            gone,
            mine.as_str(),
            "20261123-221530-abc.toml",
            ".x.tmp",
            "a.1.2.tmp",
        ] {
            fs::write(dir.path().join(name), "x").unwrap();
        }
        assert_eq!(remove_stale_temps(dir.path()), 1);
        let mut left: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        let mut kept = vec![
            mine.as_str(),
            ".x.tmp",
            "20261123-221530-abc.toml",
            "a.1.2.tmp",
        ];
        kept.sort_unstable();
        assert_eq!(left, kept);
        assert_eq!(remove_stale_temps(&dir.path().join("missing")), 0);
    }

    #[test]
    fn create_never_replaces() {
        let dir = tempfile::tempdir().unwrap();
        create(dir.path(), "a.toml", b"first").unwrap();
        let error = create(dir.path(), "a.toml", b"second").unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(dir.path().join("a.toml")).unwrap(), b"first");
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file is left");
        replace(&dir.path().join("a.toml"), b"third").unwrap();
        assert_eq!(fs::read(dir.path().join("a.toml")).unwrap(), b"third");
    }
}
