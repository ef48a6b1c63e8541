//! The record kept beside the output (`.public.mend-record`): what the
//! last build into each tree (the output and its spare) left there, so the
//! next build into it neither reads its files back (`Record`) nor lists the
//! folders that did not change (`listing::Stamp`).
//!
//! Only ever a head start: a missing, damaged or stale record costs reading
//! the tree, never a wrong output. Not for deciding what to write (`output`).

use foldhash::HashMap;
use std::fs;
use std::io::Write as _;
use std::path::Path;

use super::listing::{Left, Stamp};

/// The first line of the record.
const RECORD_HEADER: &str = "mend record 1";
/// The mark of a folder's line in a section.
const FOLDER: &str = "dir ";

/// A file's size and modification time (in nanoseconds since 1970): what
/// tells that nobody touched it since mend wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stat {
    pub(super) size: u64,
    modified: u128,
}

impl Stat {
    pub(super) fn of(metadata: &fs::Metadata) -> Stat {
        let modified = metadata
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(u128::MAX, |d| d.as_nanos());
        Stat {
            size: metadata.len(),
            modified,
        }
    }
}

/// What a build wrote into a file: the hash of its bytes (or, for a file
/// written with `Spare::write_made`, the key of what they were made from),
/// and the file's size and time just after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Record {
    pub(super) hash: u64,
    pub(super) stat: Stat,
}

/// What the builds wrote into the two trees (the output and its spare),
/// kept beside them so the next build into a tree knows what it holds
/// without reading it. A section per tree, named by the folder's device and
/// inode (which go with it when the trees are exchanged): `tree DEV INO
/// SEED`, then `HASH SIZE MTIME PATH` per file and `dir INO MODIFIED
/// CHANGED PATH` per folder (its `Stamp` while it held just those files).
/// Hashes are seeded at random per tree, so no text can be made to collide.
pub(super) struct Recorded {
    /// The seed of the spare tree's hashes.
    seed: u64,
    /// The spare tree, as the last build into it left it.
    pub(super) spare: Section,
    /// The output tree's section, kept as it is.
    output: Option<String>,
}

/// One tree's section of the record.
#[derive(Default)]
pub(super) struct Section {
    pub(super) files: HashMap<String, Record>,
    pub(super) stamps: HashMap<String, Stamp>,
}

impl Section {
    fn parse(body: &str) -> Section {
        let mut section = Section::default();
        for line in body.lines() {
            if let Some(folder) = line.strip_prefix(FOLDER) {
                section.stamps.extend(Stamp::parse(folder));
            } else {
                section.files.extend(parse_record(line));
            }
        }
        section
    }

    /// A whole section of the record, `tree` line and all.
    pub(super) fn of_tree(text: &str) -> Section {
        text.split_once('\n')
            .map_or_else(Section::default, |(_, body)| Section::parse(body))
    }

    /// What the build left in the tree, for `listing::list`.
    pub(super) fn left(&self) -> Left<'_> {
        Left {
            files: self.files.keys().map(String::as_str).collect(),
            stamps: &self.stamps,
        }
    }
}

impl Recorded {
    pub(super) fn read(file: &Path, spare: &Path, output: &Path) -> Recorded {
        let text = fs::read_to_string(file).unwrap_or_default();
        let sections = text
            .strip_prefix(RECORD_HEADER)
            .unwrap_or_default()
            .split("\ntree ")
            .skip(1);
        let (spare_id, output_id) = (tree_id(spare), tree_id(output));
        let mut found = Recorded {
            seed: random_seed(),
            spare: Section::default(),
            output: None,
        };
        for section in sections {
            let (head, body) = section.split_once('\n').unwrap_or((section, ""));
            let Some((id, seed)) = head.rsplit_once(' ') else {
                continue;
            };
            if Some(id) == spare_id.as_deref() {
                if let Ok(seed) = u64::from_str_radix(seed, 16) {
                    found.seed = seed;
                    found.spare = Section::parse(body);
                }
            } else if Some(id) == output_id.as_deref() {
                found.output = Some(format!("tree {section}"));
            }
        }
        found
    }

    /// The output tree's section as the record holds it (`Section::of_tree`
    /// reads it), to be read on another thread.
    pub(super) fn output_text(&self) -> Option<String> {
        self.output.clone()
    }

    /// Writes the spare tree's new `records` and folder `stamps` with the
    /// output tree's section.
    pub(super) fn write(
        &self,
        file: &Path,
        spare: &Path,
        records: HashMap<String, Record>,
        stamps: &[(&str, Stamp)],
    ) {
        let Some(id) = tree_id(spare) else {
            return;
        };
        if let Some(kept) = file.parent() {
            let _ = fs::create_dir_all(kept);
        }
        let mut temporary = file.as_os_str().to_owned();
        temporary.push(".tmp");
        // Written as it is made: at 100,000 articles the whole text would be
        // 30 MB more at the build's peak.
        let written = fs::File::create(&temporary).and_then(|created| {
            let mut out = std::io::BufWriter::new(created);
            writeln!(out, "{RECORD_HEADER}\ntree {id} {:016x}", self.seed)?;
            // In no order: only mend reads it.
            for (path, Record { hash, stat }) in records {
                writeln!(out, "{hash:016x} {} {} {path}", stat.size, stat.modified)?;
            }
            for (path, stamp) in stamps {
                writeln!(out, "{FOLDER}{stamp} {path}")?;
            }
            if let Some(output) = &self.output {
                writeln!(out, "{}", output.trim_end_matches('\n'))?;
            }
            out.flush()
        });
        if written.is_err() || fs::rename(&temporary, file).is_err() {
            let _ = fs::remove_file(&temporary);
            let _ = fs::remove_file(file);
        }
    }

    pub(super) fn hash(&self, bytes: &[u8]) -> u64 {
        use std::hash::BuildHasher;
        foldhash::quality::FixedState::with_seed(self.seed).hash_one(bytes)
    }
}

/// A folder's device and inode, `DEV INO`, which stay with it when renamed.
fn tree_id(dir: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        fs::metadata(dir)
            .ok()
            .map(|m| format!("{} {}", m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}

fn random_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish()
}

/// A record line `HASH SIZE MTIME PATH`.
fn parse_record(line: &str) -> Option<(String, Record)> {
    let mut fields = line.splitn(4, ' ');
    let (hash, size, modified, path) = (
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
    );
    let record = Record {
        hash: u64::from_str_radix(hash, 16).ok()?,
        stat: Stat {
            size: size.parse().ok()?,
            modified: modified.parse().ok()?,
        },
    };
    Some((path.to_string(), record))
}
