//! What an import wrote, kept in the site (`.mend/imported`), so that a
//! later import with `--force` replaces only those files, and only while
//! they are as the import left them: a file the writer made, or changed
//! since, is never replaced. One line a file: the hash of its bytes, its
//! length, and its path from the site's root.
//!
//! Not for what the import writes (`import`), nor the output's record of a
//! build (`output::record`).

use std::collections::BTreeMap;
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::layout::STATE_DIR;

/// Where the record is kept, in `layout::STATE_DIR`.
const RECORD_FILE: &str = "imported";

/// A fixed seed: the same bytes give the same hash from run to run.
const SEED: u64 = 0x6d65_6e64_696d_7074;

/// The hash and length of some bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Print {
    hash: u64,
    len: usize,
}

impl Print {
    fn of(bytes: &[u8]) -> Print {
        Print {
            hash: foldhash::quality::FixedState::with_seed(SEED).hash_one(bytes),
            len: bytes.len(),
        }
    }
}

/// The files earlier imports wrote into one site.
#[derive(Debug, Default)]
pub(crate) struct Imported {
    files: BTreeMap<PathBuf, Print>,
}

impl Imported {
    /// The record of the site at `into` (empty if there is none).
    pub(crate) fn read(into: &Path) -> Imported {
        let text =
            std::fs::read_to_string(into.join(STATE_DIR).join(RECORD_FILE)).unwrap_or_default();
        let files = text
            .lines()
            .filter_map(|line| {
                let mut parts = line.splitn(3, ' ');
                let hash = u64::from_str_radix(parts.next()?, 16).ok()?;
                let len = parts.next()?.parse().ok()?;
                Some((PathBuf::from(parts.next()?), Print { hash, len }))
            })
            .collect();
        Imported { files }
    }

    /// Whether the file at `path` (inside `into`) is as an earlier import
    /// left it.
    pub(crate) fn left_as_written(&self, into: &Path, path: &Path) -> bool {
        let relative = path.strip_prefix(into).unwrap_or(path);
        let Some(recorded) = self.files.get(relative) else {
            return false;
        };
        std::fs::read(path).is_ok_and(|bytes| Print::of(&bytes) == *recorded)
    }

    /// Records the file at `path` (inside `into`) as this import wrote it.
    pub(crate) fn add(&mut self, into: &Path, path: &Path) {
        if let Ok(bytes) = std::fs::read(path) {
            let relative = path.strip_prefix(into).unwrap_or(path).to_path_buf();
            self.files.insert(relative, Print::of(&bytes));
        }
    }

    /// Writes the record into the site.
    pub(crate) fn write(&self, into: &Path) -> Result<()> {
        let path = into.join(STATE_DIR).join(RECORD_FILE);
        let text: String = self
            .files
            .iter()
            .map(|(file, print)| format!("{:016x} {} {}\n", print.hash, print.len, file.display()))
            .collect();
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| Error::Write {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        std::fs::write(&path, text).map_err(|source| Error::Write { path, source })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_replaceable_only_while_it_is_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let into = dir.path();
        let file = into.join("content/posts/x.md");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, "imported").unwrap();
        let mut record = Imported::read(into);
        assert!(!record.left_as_written(into, &file), "not recorded yet");
        record.add(into, &file);
        record.write(into).unwrap();
        let record = Imported::read(into);
        assert!(record.left_as_written(into, &file));
        std::fs::write(&file, "imported, then edited").unwrap();
        assert!(!record.left_as_written(into, &file));
        std::fs::write(&file, "imported").unwrap();
        assert!(record.left_as_written(into, &file));
        assert!(!record.left_as_written(into, &into.join("content/about.md")));
    }
}
