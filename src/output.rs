//! Writing a rendered site to disk, all or nothing: everything goes into a
//! fresh folder beside the output, which is swapped in only once complete, so
//! a failed build leaves the previous output as it was.
//!
//! Not for rendering (`render`); it only moves bytes.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::relative_path;
use crate::content::CONTENT_DIR;
use crate::error::{Error, Result, walk_error};
use crate::theme::Source;

/// Folders of a site that the output must never replace or sit inside.
const SOURCE_DIRS: [&str; 4] = [CONTENT_DIR, "static", "templates", "themes"];

/// Refuses an output folder whose replacement would destroy the site.
pub fn check_location(root: &Path, output: &Path) -> Result<()> {
    let root = absolute(root);
    let out = absolute(output);
    let refuse = |reason| {
        Err(Error::UnsafeOutput {
            path: output.to_path_buf(),
            reason,
        })
    };
    if out == root {
        return refuse("it is the site's own folder");
    }
    if root.starts_with(&out) {
        return refuse("it contains the site");
    }
    if SOURCE_DIRS
        .iter()
        .any(|dir| out.starts_with(root.join(dir)))
    {
        return refuse("it is one of the site's source folders");
    }
    Ok(())
}

/// The absolute form of a path that may not exist yet, with links resolved
/// as far as the path exists.
fn absolute(path: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    let base = std::env::current_dir().unwrap_or_default().join(path);
    match (base.parent(), base.file_name()) {
        (Some(parent), Some(name)) => absolute(parent).join(name),
        _ => base,
    }
}

/// The tree a build writes into: the spare beside the output folder
/// (`.public.mend-spare`, the output of the build before last), so that only
/// files that changed since are written. Once complete it is swapped in with
/// renames; a failed build never touches the output folder, and the tree it
/// replaces becomes the next spare.
pub struct Spare {
    /// The output folder.
    dir: PathBuf,
    /// The spare tree being written.
    root: PathBuf,
    /// Where the output goes for a moment during the swap.
    old: PathBuf,
    /// What the spare tree held before.
    before: Existing,
    /// Every file the site is made of.
    wanted: HashSet<String>,
    /// Every folder those files need.
    folders: BTreeSet<String>,
}

impl Spare {
    /// Readies the spare tree of the output folder `dir` for a site made of
    /// the files at `paths` (relative, with '/'): folders made, and anything
    /// in the way of them removed.
    pub fn prepare<'a>(dir: &Path, paths: impl Iterator<Item = &'a str>) -> Result<Spare> {
        let name = dir
            .file_name()
            .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
        let parent = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let root = parent.join(format!(".{name}.mend-spare"));
        let old = parent.join(format!(".{name}.mend-old"));
        recover_interrupted_swap(dir, &old);
        let before = existing(&root)?;
        let wanted: HashSet<String> = paths.map(str::to_string).collect();
        let folders = folders_of(&wanted);
        let spare = Spare {
            dir: dir.to_path_buf(),
            root,
            old,
            before,
            wanted,
            folders,
        };
        spare.make_room()?;
        Ok(spare)
    }

    /// Removes links, files where folders must go and folders where files
    /// must go, then makes the missing folders.
    fn make_room(&self) -> Result<()> {
        let before = &self.before;
        for other in &before.others {
            fs::remove_file(other).map_err(write_error(other))?;
        }
        for folder in self
            .folders
            .iter()
            .filter(|f| before.files.contains_key(*f))
        {
            let path = self.root.join(folder);
            fs::remove_file(&path).map_err(write_error(&path))?;
        }
        for file in self.wanted.iter().filter(|f| before.folders.contains(*f)) {
            let path = self.root.join(file);
            fs::remove_dir_all(&path).map_err(write_error(&path))?;
        }
        fs::create_dir_all(&self.root).map_err(write_error(&self.root))?;
        for folder in self.folders.iter().filter(|f| !before.folders.contains(*f)) {
            let path = self.root.join(folder);
            fs::create_dir_all(&path).map_err(write_error(&path))?;
        }
        Ok(())
    }

    /// Writes one file of the site, unless it already holds these bytes.
    /// Safe to call from several threads at once.
    pub fn write(&self, path: &str, bytes: &[u8]) -> Result<()> {
        let target = self.root.join(path);
        let size_now = self.before.files.get(path).copied();
        let same =
            size_now == Some(bytes.len() as u64) && fs::read(&target).is_ok_and(|now| now == bytes);
        if same {
            return Ok(());
        }
        fs::write(&target, bytes).map_err(write_error(&target))
    }

    /// Copies the files that go out as they are (static files, bundle files).
    pub fn copy_all(&self, copies: &BTreeMap<String, Source>) -> Result<()> {
        copies.par_iter().try_for_each(|(path, source)| {
            let bytes = match source {
                Source::Embedded(bytes) => Cow::Borrowed(*bytes),
                Source::File(from) => Cow::Owned(fs::read(from).map_err(|source| Error::Read {
                    path: from.clone(),
                    source,
                })?),
            };
            self.write(path, &bytes)
        })
    }

    /// Removes what is no longer part of the site and swaps the tree in.
    pub fn finish(self) -> Result<()> {
        let before = &self.before;
        for stale in before
            .files
            .keys()
            .filter(|p| !self.wanted.contains(*p) && !self.folders.contains(*p))
        {
            let path = self.root.join(stale);
            fs::remove_file(&path).map_err(write_error(&path))?;
        }
        let mut stale_folders: Vec<&String> = before
            .folders
            .iter()
            .filter(|f| !self.folders.contains(*f) && !self.wanted.contains(*f))
            .collect();
        stale_folders.sort_by_key(|f| std::cmp::Reverse(f.len())); // deepest first
        for folder in stale_folders {
            let _ = fs::remove_dir(self.root.join(folder));
        }
        swap_in(&self.root, &self.dir, &self.old)
    }
}

fn write_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error + use<> {
    let path = path.to_path_buf();
    move |source| Error::Write { path, source }
}

/// Every folder (and parent folder) holding one of `paths`.
fn folders_of(paths: &HashSet<String>) -> BTreeSet<String> {
    paths
        .iter()
        .filter_map(|p| p.rsplit_once('/').map(|(dir, _)| dir))
        .flat_map(|dir| {
            dir.match_indices('/')
                .map(|(i, _)| &dir[..i])
                .chain(std::iter::once(dir))
        })
        .map(str::to_string)
        .collect()
}

/// A build stopped between two renames leaves the previous site in `old`.
fn recover_interrupted_swap(dir: &Path, old: &Path) {
    if old.exists() {
        if dir.exists() {
            let _ = fs::remove_dir_all(old);
        } else {
            let _ = fs::rename(old, dir);
        }
    }
}

/// What a tree holds now, by path relative to its root.
#[derive(Default)]
struct Existing {
    /// Files with their sizes.
    files: HashMap<String, u64>,
    folders: HashSet<String>,
    /// Anything else (links): always removed, never written through.
    others: Vec<PathBuf>,
}

fn existing(root: &Path) -> Result<Existing> {
    let mut found = Existing::default();
    if !root.exists() {
        return Ok(found);
    }
    for entry in walkdir::WalkDir::new(root).min_depth(1) {
        let entry = entry.map_err(|e| walk_error(e, root))?;
        let relative = relative_path(root, entry.path());
        let kind = entry.file_type();
        if kind.is_dir() {
            found.folders.insert(relative);
        } else if kind.is_file() {
            let size = entry.metadata().map(|m| m.len()).unwrap_or(u64::MAX);
            found.files.insert(relative, size);
        } else {
            found.others.push(entry.into_path());
        }
    }
    Ok(found)
}

/// Moves `fresh` to `dir`; the previous `dir` becomes the next spare.
fn swap_in(fresh: &Path, dir: &Path, old: &Path) -> Result<()> {
    let write_error = |source| Error::Write {
        path: dir.to_path_buf(),
        source,
    };
    let had_previous = dir.exists();
    if had_previous {
        fs::rename(dir, old).map_err(write_error)?;
    }
    if let Err(e) = fs::rename(fresh, dir) {
        if had_previous {
            let _ = fs::rename(old, dir);
        }
        return Err(write_error(e));
    }
    if had_previous && fs::rename(old, fresh).is_err() {
        let _ = fs::remove_dir_all(old);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_outputs_that_would_destroy_the_site() {
        let site = tempfile::tempdir().unwrap();
        let root = site.path();
        fs::create_dir(root.join("content")).unwrap();
        assert!(check_location(root, root).is_err());
        assert!(check_location(root, &root.join("content")).is_err());
        assert!(check_location(root, &root.join("content/public")).is_err());
        assert!(check_location(root, root.parent().unwrap()).is_err());
        assert!(check_location(root, &root.join("public")).is_ok());
        assert!(check_location(root, &root.join("../elsewhere")).is_ok());
    }
}
