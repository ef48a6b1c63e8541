//! Listing a tree mend wrote (the output or its spare) without reading the
//! folders that did not change since a build left them.
//!
//! Reading the 141,000 folders of a 100,000-article site takes about two
//! seconds; reading their stamps (`Stamp`) takes a tenth of that. A folder
//! whose stamp is the one recorded when a build left it holds what that
//! build left in it, so its entries come from the record instead (the same
//! idea as git's untracked cache). A folder with no stamp, or another one,
//! is read.
//!
//! Not for deciding what to keep or remove (`output`); only what is there.

use foldhash::{HashMap, HashSet};
use std::fs;
use std::path::Path;

use crate::error::{Error, Result};

/// A folder's inode and the times its entries and its inode last changed
/// (nanoseconds since 1970). Adding, removing or renaming an entry sets
/// both times; setting them back by hand sets the second one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stamp {
    ino: u64,
    /// When an entry was last added, removed or renamed.
    pub(super) modified: i64,
    changed: i64,
}

impl Stamp {
    /// The stamp of the folder at `path`, or `None` if it is not a folder
    /// (a link to one is not), or this system has no such stamps.
    pub(super) fn of(path: &Path) -> Option<Stamp> {
        let metadata = fs::symlink_metadata(path).ok()?;
        metadata.is_dir().then(|| Stamp::of_metadata(&metadata))?
    }

    #[cfg(unix)]
    pub(super) fn of_metadata(metadata: &fs::Metadata) -> Option<Stamp> {
        use std::os::unix::fs::MetadataExt;
        let nanos =
            |seconds: i64, nanos: i64| seconds.saturating_mul(1_000_000_000).saturating_add(nanos);
        Some(Stamp {
            ino: metadata.ino(),
            modified: nanos(metadata.mtime(), metadata.mtime_nsec()),
            changed: nanos(metadata.ctime(), metadata.ctime_nsec()),
        })
    }

    #[cfg(not(unix))]
    pub(super) fn of_metadata(_: &fs::Metadata) -> Option<Stamp> {
        None
    }

    /// Reads `INO MODIFIED CHANGED PATH`, a folder's line in the record
    /// (written with `Display`, then the path).
    pub(super) fn parse(line: &str) -> Option<(String, Stamp)> {
        let mut fields = line.splitn(4, ' ');
        let stamp = Stamp {
            ino: fields.next()?.parse().ok()?,
            modified: fields.next()?.parse().ok()?,
            changed: fields.next()?.parse().ok()?,
        };
        Some((fields.next()?.to_string(), stamp))
    }
}

impl std::fmt::Display for Stamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} {}", self.ino, self.modified, self.changed)
    }
}

/// What a build left in a tree: its files, and the stamp each folder had
/// while it held exactly those files and the folders leading to them.
pub(super) struct Left<'a> {
    pub(super) files: Vec<&'a str>,
    pub(super) stamps: &'a HashMap<String, Stamp>,
}

/// What a tree holds now, by path relative to its root.
#[derive(Default)]
pub(super) struct Existing {
    /// Files (their sizes and times are read when each is written, on the
    /// workers, not while listing).
    pub(super) files: HashSet<String>,
    /// Folders, each with its stamp as it was before it was read (`None`
    /// for one not entered, or where there are no stamps).
    pub(super) folders: HashMap<String, Option<Stamp>>,
    /// Anything else (links): always removed, never written through.
    pub(super) others: Vec<String>,
}

/// Lists the tree at `root`, entering the folders `enter` accepts. A folder
/// whose stamp is the one in `left` is not read: it holds what `left` says.
pub(super) fn list(root: &Path, left: &Left, enter: impl Fn(&str) -> bool) -> Result<Existing> {
    let mut found = Existing::default();
    if !root.exists() {
        return Ok(found);
    }
    let contents = Contents::of(left);
    let mut pending = vec![String::new()];
    while let Some(folder) = pending.pop() {
        let path = root.join(&folder);
        let mut entries = Vec::new();
        if folder.is_empty() {
            read(&path, &folder, &mut entries)?;
        } else {
            let Ok(metadata) = fs::symlink_metadata(&path) else {
                // Gone since its parent was listed: nothing to keep or remove.
                found.folders.remove(&folder);
                continue;
            };
            if !metadata.is_dir() {
                // Replaced since its parent was listed (a link): never entered.
                found.folders.remove(&folder);
                found.others.push(folder);
                continue;
            }
            let stamp = Stamp::of_metadata(&metadata);
            let recorded = left.stamps.get(&folder);
            match contents.get(&folder) {
                Some(known) if stamp.is_some() && recorded == stamp.as_ref() => {
                    entries.extend(known.iter().map(|&(p, k)| (p.to_string(), k)));
                }
                _ => read(&path, &folder, &mut entries)?,
            }
            found.folders.insert(folder, stamp);
        }
        for (path, kind) in entries {
            match kind {
                Kind::Folder if enter(&path) => {
                    found.folders.insert(path.clone(), None);
                    pending.push(path);
                }
                Kind::Folder => {
                    found.folders.insert(path, None);
                }
                Kind::File => {
                    found.files.insert(path);
                }
                Kind::Other => found.others.push(path),
            }
        }
    }
    Ok(found)
}

#[derive(Clone, Copy)]
enum Kind {
    File,
    Folder,
    Other,
}

/// The entries of each folder in a `Left`, by folder.
struct Contents<'a>(HashMap<&'a str, Vec<(&'a str, Kind)>>);

impl<'a> Contents<'a> {
    fn of(left: &Left<'a>) -> Contents<'a> {
        let mut contents: HashMap<&str, Vec<(&str, Kind)>> = HashMap::default();
        if !left.stamps.is_empty() {
            let mut seen = HashSet::default();
            for &file in &left.files {
                contents
                    .entry(parent(file))
                    .or_default()
                    .push((file, Kind::File));
                let mut folder = parent(file);
                while !folder.is_empty() && seen.insert(folder) {
                    let entries = contents.entry(parent(folder)).or_default();
                    entries.push((folder, Kind::Folder));
                    folder = parent(folder);
                }
            }
        }
        Contents(contents)
    }

    fn get(&self, folder: &str) -> Option<&Vec<(&'a str, Kind)>> {
        self.0.get(folder)
    }
}

/// The folder holding `path` ("" for the root).
fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(parent, _)| parent)
}

/// Reads the folder `folder` (at `path`) into `entries`.
fn read(path: &Path, folder: &str, entries: &mut Vec<(String, Kind)>) -> Result<()> {
    let error = |source| Error::ReadDir {
        path: path.to_path_buf(),
        source,
    };
    for entry in fs::read_dir(path).map_err(error)? {
        let entry = entry.map_err(error)?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let child = if folder.is_empty() {
            name.into_owned()
        } else {
            format!("{folder}/{name}")
        };
        let kind = entry.file_type().map_err(error)?;
        let kind = if kind.is_dir() {
            Kind::Folder
        } else if kind.is_file() {
            Kind::File
        } else {
            Kind::Other
        };
        entries.push((child, kind));
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// Sets a folder's modification time an hour back, as a folder a build
    /// left long ago.
    fn age(folder: &Path) {
        let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        fs::File::open(folder)
            .unwrap()
            .set_modified(hour_ago)
            .unwrap();
    }

    /// The stamps of `folders` under `root`, as a record would hold them.
    fn stamps_of(root: &Path, folders: &[&str]) -> HashMap<String, Stamp> {
        let stamp = |f: &&str| (f.to_string(), Stamp::of(&root.join(f)).unwrap());
        folders.iter().map(stamp).collect()
    }

    #[test]
    fn a_folder_with_its_recorded_stamp_is_not_read_and_a_changed_one_is() {
        let tree = tempfile::tempdir().unwrap();
        let root = tree.path();
        fs::create_dir_all(root.join("a/c")).unwrap();
        fs::write(root.join("a/b.html"), "b").unwrap();
        fs::write(root.join("a/c/d.html"), "d").unwrap();
        age(&root.join("a"));
        age(&root.join("a/c"));
        let stamps = stamps_of(root, &["a", "a/c"]);
        // The record says `a` also holds `ghost.html`, which is not on disk:
        // finding it shows `a` was taken from the record, not read.
        let recorded = vec!["a/b.html", "a/ghost.html", "a/c/d.html"];
        let left = Left {
            files: recorded.clone(),
            stamps: &stamps,
        };
        let files = |found: &Existing| {
            let mut files: Vec<String> = found.files.iter().cloned().collect();
            files.sort();
            files
        };
        let found = list(root, &left, |_| true).unwrap();
        assert_eq!(files(&found), ["a/b.html", "a/c/d.html", "a/ghost.html"]);
        assert_eq!(found.folders["a"], Some(stamps["a"]));

        // An entry added to `a` changes its stamp: `a` is read again, and
        // `a/c`, unchanged, still is not.
        fs::write(root.join("a/new.html"), "new").unwrap();
        fs::write(root.join("a/c/unseen.html"), "x").unwrap();
        age(&root.join("a/c"));
        let stamps = stamps_of(root, &["a/c"]);
        let left = Left {
            files: recorded,
            stamps: &stamps,
        };
        let found = list(root, &left, |_| true).unwrap();
        assert_eq!(files(&found), ["a/b.html", "a/c/d.html", "a/new.html"]);
    }

    #[test]
    fn a_folder_replaced_by_a_link_is_never_entered() {
        let tree = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("precious.txt"), "keep").unwrap();
        let root = tree.path();
        fs::create_dir_all(root.join("a")).unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("a/c")).unwrap();
        age(&root.join("a"));
        let stamps = stamps_of(root, &["a"]);
        // The record says `a/c` is a folder; on disk it is a link.
        let left = Left {
            files: vec!["a/c/d.html"],
            stamps: &stamps,
        };
        let found = list(root, &left, |_| true).unwrap();
        assert!(found.files.is_empty());
        assert_eq!(found.others, ["a/c"]);
        assert!(!found.folders.contains_key("a/c"));
    }
}
