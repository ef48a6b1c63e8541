//! `.mend/images/`: the files mend made of a site's images, kept between
//! builds and shared by `build` and `serve`, one folder per source image and
//! settings (`<key>/`), and `index`, what each source image was when last
//! read, so that a warm build reads no image whose size and time are as they
//! were.
//!
//! Not for what goes in the files (`images::process`).

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use super::Format;
use super::probe::Probed;
use crate::durable;

/// The folder under the site's `.mend/`.
pub(crate) const IMAGES_DIR: &str = "images";

const INDEX: &str = "index";

/// In an image's folder: the names of its files, written once all are
/// made.
pub(crate) const MADE: &str = "made";

/// What each source image was when it was last read, by its path in the
/// site.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Index {
    entries: HashMap<String, Entry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    stat: Stat,
    probed: Probed,
}

/// A file's size and modification time: while both are as recorded, its
/// bytes are taken to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stat {
    len: u64,
    modified: u128,
}

impl Stat {
    pub(crate) fn of(file: &Path) -> Option<Stat> {
        let meta = fs::metadata(file).ok()?;
        let modified = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
        Some(Stat {
            len: meta.len(),
            modified: modified.as_nanos(),
        })
    }
}

impl Index {
    /// The index in `dir`; empty when there is none or it cannot be read
    /// (every image is then read again).
    pub(crate) fn read(dir: &Path) -> Index {
        let text = fs::read_to_string(dir.join(INDEX)).unwrap_or_default();
        Index {
            entries: text.lines().filter_map(parse_line).collect(),
        }
    }

    /// What `path` was, if it is still as it was then.
    pub(crate) fn get(&self, path: &str, now: Stat) -> Option<Probed> {
        self.entries
            .get(path)
            .filter(|e| e.stat == now)
            .map(|e| e.probed)
    }

    pub(crate) fn insert(&mut self, path: String, stat: Stat, probed: Probed) {
        self.entries.insert(path, Entry { stat, probed });
    }

    /// Writes the index into `dir`, in one step (a temporary file renamed).
    pub(crate) fn write(&self, dir: &Path) -> std::io::Result<()> {
        let mut paths: Vec<&String> = self.entries.keys().collect();
        paths.sort();
        let mut text = String::new();
        for path in paths.into_iter().filter(|p| !p.contains('\n')) {
            let Entry { stat, probed } = self.entries[path];
            text.push_str(&format!(
                "{}\t{}\t{:016x}\t{}\t{}\t{}\t{}\t{}\t{path}\n",
                stat.len,
                stat.modified,
                probed.hash,
                probed.format.extension(),
                probed.width,
                probed.height,
                probed.orientation,
                u8::from(probed.gps),
            ));
        }
        durable::replace_unflushed(&dir.join(INDEX), text.as_bytes())
    }
}

fn parse_line(line: &str) -> Option<(String, Entry)> {
    let mut fields = line.splitn(9, '\t');
    let mut next = || fields.next();
    let len = next()?.parse().ok()?;
    let modified = next()?.parse().ok()?;
    let hash = u64::from_str_radix(next()?, 16).ok()?;
    let format = Format::of_extension(next()?)?;
    let width = next()?.parse().ok()?;
    let height = next()?.parse().ok()?;
    let orientation = next()?.parse().ok()?;
    let gps = next()? == "1";
    let path = next()?.to_string();
    let probed = Probed {
        hash,
        format,
        width,
        height,
        orientation,
        gps,
    };
    Some((
        path,
        Entry {
            stat: Stat { len, modified },
            probed,
        },
    ))
}

/// The file that holds `name` (`original.jpg`, `800.webp`) of the image
/// with `key`.
pub(crate) fn file(dir: &Path, key: u64, name: &str) -> PathBuf {
    dir.join(format!("{key:016x}")).join(name)
}

/// Removes the folders of images this site no longer has (or has with
/// other settings): everything in `dir` but the index and `keys`.
pub(crate) fn prune(dir: &Path, keys: &HashSet<u64>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let live = u64::from_str_radix(&name, 16).is_ok_and(|key| keys.contains(&key));
        if !live && name.len() == 16 && entry.path().is_dir() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_reads_back_what_it_wrote_and_only_while_a_file_is_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let probed = Probed {
            hash: 0xfeed,
            format: Format::Jpeg,
            width: 4032,
            height: 3024,
            orientation: 6,
            gps: true,
        };
        let stat = Stat {
            len: 4_000_000,
            modified: 1_765_000_000_123_456_789,
        };
        let mut index = Index::default();
        index.insert("content/posts/a b/photo\tone.jpg".into(), stat, probed);
        index.write(dir.path()).unwrap();
        let read = Index::read(dir.path());
        assert_eq!(
            read.get("content/posts/a b/photo\tone.jpg", stat),
            Some(probed)
        );
        let touched = Stat {
            modified: stat.modified + 1,
            ..stat
        };
        assert_eq!(read.get("content/posts/a b/photo\tone.jpg", touched), None);
        assert_eq!(read.get("content/other.jpg", stat), None);
    }

    #[test]
    fn pruning_keeps_the_live_folders_and_the_index() {
        let dir = tempfile::tempdir().unwrap();
        durable::replace_unflushed(&file(dir.path(), 1, "800.webp"), b"live").unwrap();
        durable::replace_unflushed(&file(dir.path(), 2, "800.webp"), b"gone").unwrap();
        Index::default().write(dir.path()).unwrap();
        prune(dir.path(), &HashSet::from([1]));
        assert!(file(dir.path(), 1, "800.webp").exists());
        assert!(!file(dir.path(), 2, "800.webp").exists());
        assert!(dir.path().join(INDEX).exists());
    }
}
