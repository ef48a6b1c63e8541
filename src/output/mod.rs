//! Writing a rendered site to disk, all or nothing, and never at the cost of
//! a file mend did not write.
//!
//! Everything goes into a spare tree beside the output folder
//! (`.public.mend-spare`, the output of the build before last, so only files
//! that changed are written; whether a file changed is told by the hash,
//! size and time recorded when it was written, in `.public.mend-record`
//! beside the output, never by reading it back), which is swapped in with
//! one atomic exchange once complete: a failed or killed build leaves the
//! previous output as it was. The output holds a list of the files mend
//! wrote (`.mend-manifest`); anything else in it (`.git`, `CNAME`,
//! `.nojekyll`, or any file with `--force`) is the user's, and is carried
//! into the new tree, never deleted. A lock beside the output
//! (`.public.mend-lock`, there only while a build runs) keeps two builds
//! from writing the same folder at once. Both trees are listed at each
//! build, but a folder still as a build left it is known from the record,
//! not read (`listing`, `record`).
//!
//! Not for rendering (`render`); it only moves bytes.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

// Paths are hashed by the hundred thousand here, and none comes from the
// network: the fast hash of foldhash, seeded at random, not SipHash.
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::layout::{OUTPUT_DIR, SOURCE_DIRS, STATE_DIR};
use crate::theme::Source;

mod listing;
mod record;

use listing::{Existing, Stamp};
use record::{Record, Recorded, Section, Stat};

/// The list of files mend wrote, kept inside the output folder.
pub(crate) const MANIFEST: &str = ".mend-manifest";
/// Inside a spare tree while the user's files are moved into it; names them.
const HANDOFF: &str = ".mend-handoff";
/// The first line of the manifest.
const MANIFEST_HEADER: &str = "# Written by mend build: `m` marks its files, `u` yours that --force accepted; mend deletes only its own.";
/// The manifest's mark of a file mend wrote.
const OURS: &str = "m ";
/// The manifest's mark of a file of the user's accepted with `--force`.
const THEIRS: &str = "u ";
/// Folder names of version control systems: no output may be inside one.
const VCS_DIRS: [&str; 7] = [".git", ".hg", ".svn", ".bzr", "_darcs", ".jj", ".pijul"];

/// Checks that the output folder can be written without destroying the site
/// or anything else, and returns the folder to write (links resolved).
pub(crate) fn check_location(root: &Path, output: &Path) -> Result<PathBuf> {
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
    if out
        .components()
        .any(|c| VCS_DIRS.iter().any(|vcs| c.as_os_str() == *vcs))
    {
        return refuse("it is inside a version control folder such as .git");
    }
    if out.exists() && !out.is_dir() {
        return refuse("it is a file, not a folder");
    }
    Ok(if output.is_symlink() {
        out
    } else {
        output.to_path_buf()
    })
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

/// The paths mend keeps for an output folder `dir`: beside it, what must
/// be on its disk (the spare tree, swapped in with a rename) or is there
/// only while a build runs; in the site's `.mend/`, what a later build
/// only reads for a head start.
struct Beside {
    spare: PathBuf,
    old: PathBuf,
    lock: PathBuf,
    search: PathBuf,
    record: PathBuf,
    /// Where earlier versions of mend kept the record and the search
    /// cache: beside the output.
    earlier: [PathBuf; 2],
}

impl Beside {
    fn of(root: &Path, dir: &Path) -> Beside {
        let name = dir
            .file_name()
            .map_or_else(|| OUTPUT_DIR.into(), |n| n.to_string_lossy().into_owned());
        let parent = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let kept = root.join(STATE_DIR);
        let key = output_key(root, dir);
        Beside {
            spare: parent.join(format!(".{name}.mend-spare")),
            old: parent.join(format!(".{name}.mend-old")),
            lock: parent.join(format!(".{name}.mend-lock")),
            search: kept.join(format!("{key}.search")),
            record: kept.join(format!("{key}.record")),
            earlier: [
                parent.join(format!(".{name}.mend-record")),
                parent.join(format!(".{name}.mend-search")),
            ],
        }
    }

    /// Moves the record and the search cache of an earlier version of mend
    /// from beside the output into `.mend/`, or removes them when there
    /// is one there already: nothing is left where a writer trips on it.
    fn move_earlier(&self) {
        for (earlier, now) in self.earlier.iter().zip([&self.record, &self.search]) {
            if !earlier.is_file() {
                continue;
            }
            let moved = !now.exists()
                && now
                    .parent()
                    .is_some_and(|kept| fs::create_dir_all(kept).is_ok())
                && fs::rename(earlier, now).is_ok();
            if !moved {
                let _ = fs::remove_file(earlier);
            }
        }
    }
}

/// A name for the output folder `dir` of the site at `root`, to keep its
/// record under: its path inside the site (`public`, `out-site` for
/// `out/site`), or, for a folder elsewhere, a hash of where it is.
fn output_key(root: &Path, dir: &Path) -> String {
    let (root, dir) = (absolute(root), absolute(dir));
    match dir.strip_prefix(&root) {
        Ok(inside) if !inside.as_os_str().is_empty() => inside
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("-"),
        _ => {
            use std::hash::{Hash, Hasher};
            let mut hasher = std::hash::DefaultHasher::new();
            dir.hash(&mut hasher);
            format!("elsewhere-{:016x}", hasher.finish())
        }
    }
}

/// An advisory lock on an output folder, held until dropped. Its file is
/// removed when the build is over, so none is left beside the output (nor
/// after a refused build); a build that took the lock checks that the file
/// it locked is still the one at that path, so removing it never lets two
/// builds in.
struct Lock {
    file: fs::File,
    path: PathBuf,
}

impl Lock {
    fn take(path: &Path, dir: &Path) -> Result<Lock> {
        loop {
            let file = fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(path)
                .map_err(write_error(path))?;
            match rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
                Ok(()) if Lock::still_at(&file, path) => {
                    return Ok(Lock {
                        file,
                        path: path.to_path_buf(),
                    });
                }
                // Locked a file the build before us removed: take the new one.
                Ok(()) => {}
                Err(rustix::io::Errno::WOULDBLOCK) => {
                    return Err(Error::BuildRunning {
                        path: dir.to_path_buf(),
                        lock: path.to_path_buf(),
                    });
                }
                Err(e) => {
                    return Err(Error::Write {
                        path: path.to_path_buf(),
                        source: e.into(),
                    });
                }
            }
        }
    }

    /// Whether `path` still names the open `file`.
    fn still_at(file: &fs::File, path: &Path) -> bool {
        match (rustix::fs::fstat(file), rustix::fs::stat(path)) {
            (Ok(open), Ok(named)) => open.st_ino == named.st_ino && open.st_dev == named.st_dev,
            _ => false,
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held; the lock goes with the file handle.
        if Lock::still_at(&self.file, &self.path) {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// The tree a build writes into, swapped in once complete.
pub(crate) struct Spare {
    /// The output folder.
    dir: PathBuf,
    beside: Beside,
    /// Held while the build writes.
    _lock: Lock,
    /// What the spare tree held before.
    before: Existing,
    /// What the last build into the spare tree wrote there, from its manifest.
    recorded: Recorded,
    /// What this build leaves in the spare tree, for its manifest.
    records: std::sync::Mutex<HashMap<String, Record>>,
    /// The folders this build has made so far (or is making).
    made: std::sync::Mutex<HashSet<String>>,
    /// Every file the site is made of.
    wanted: HashSet<String>,
    /// Every folder those files need.
    folders: HashSet<String>,
    /// The user's files and folders in the output, carried into the new tree.
    theirs: Theirs,
    /// Set when a write failed: the spare is then removed, to give back the
    /// room it takes.
    damaged: AtomicBool,
    finished: bool,
}

/// An output folder opened for a build: locked, any interrupted build
/// before it recovered, and its spare tree listed. None of that depends on
/// the site, and listing a spare tree of 100,000 pages takes seconds when
/// the record cannot spare the reading, so a build opens its output folder
/// while the site loads.
pub(crate) struct Opened {
    dir: PathBuf,
    beside: Beside,
    lock: Lock,
    owned: Owned,
    before: Existing,
    recorded: Recorded,
}

impl Opened {
    /// Opens the output folder `dir` of the site at `root`; fails if
    /// another build holds it.
    pub(crate) fn open(root: &Path, dir: &Path) -> Result<Opened> {
        let beside = Beside::of(root, dir);
        let lock = Lock::take(&beside.lock, dir)?;
        beside.move_earlier();
        recover_interrupted_swap(dir, &beside.old);
        recover_handoff(dir, &beside.spare);
        let mut recorded = Recorded::read(&beside.record, &beside.spare, dir);
        let before = listing::list(&beside.spare, &recorded.spare.left(), |_| true)?;
        // Listed: the folders' stamps are in `before` now, as they are.
        recorded.spare.stamps = HashMap::new();
        Ok(Opened {
            owned: Owned::read(dir, &beside.spare)?,
            before,
            recorded,
            dir: dir.to_path_buf(),
            beside,
            lock,
        })
    }

    /// Where the search index of this output folder keeps what it knows
    /// between builds (see `search::Cache`): in the site's `.mend/`, never
    /// published.
    pub(crate) fn search_cache(&self) -> &Path {
        &self.beside.search
    }
}

impl Spare {
    /// Readies the spare tree of an opened output folder for a site made of
    /// the files at `paths` (relative, with '/'): the user's files in the
    /// output found (refused unless `force`, but for dotfiles and `CNAME`)
    /// and anything in the way removed; folders are made as files are
    /// written.
    pub(crate) fn prepare<'a>(
        opened: Opened,
        paths: impl Iterator<Item = &'a str>,
        force: bool,
    ) -> Result<Spare> {
        let Opened {
            dir,
            beside,
            lock,
            owned,
            before,
            recorded,
        } = opened;
        let wanted: HashSet<String> = paths.map(str::to_string).collect();
        let folders = folders_of(wanted.iter().map(String::as_str));
        let theirs = if owned.is_first_build() {
            // Refused at once, before anything is rendered.
            Theirs::Found(find_theirs(
                &dir,
                &owned,
                &folders,
                force,
                &Section::default(),
            )?)
        } else {
            // Walked while the site renders: a folder mend built holds
            // thousands of files, and the swap needs the answer only at the end.
            let (dir, folders, output) = (dir.clone(), folders.clone(), recorded.output_text());
            Theirs::Finding(std::thread::spawn(move || {
                let output = output
                    .as_deref()
                    .map_or_else(Section::default, Section::of_tree);
                find_theirs(&dir, &owned, &folders, force, &output)
            }))
        };
        let spare = Spare {
            dir,
            before,
            recorded,
            records: std::sync::Mutex::new(HashMap::new()),
            made: std::sync::Mutex::new(HashSet::new()),
            beside,
            _lock: lock,
            wanted,
            folders,
            theirs,
            damaged: AtomicBool::new(false),
            finished: false,
        };
        spare.make_room().inspect_err(|_| spare.damage())?;
        Ok(spare)
    }

    fn damage(&self) {
        self.damaged.store(true, Ordering::Relaxed);
    }

    /// Removes links, files where folders must go and folders where files
    /// must go. Missing folders are made as files are written into them
    /// (`write`), on every worker: a cold build of 100,000 articles makes
    /// 141,000, which one thread took seconds to make before any page was
    /// rendered.
    fn make_room(&self) -> Result<()> {
        let before = &self.before;
        let root = &self.beside.spare;
        for other in &before.others {
            let path = root.join(other);
            fs::remove_file(&path).map_err(write_error(&path))?;
        }
        for folder in self.folders.iter().filter(|f| before.files.contains(*f)) {
            let path = root.join(folder);
            fs::remove_file(&path).map_err(write_error(&path))?;
        }
        for file in self
            .wanted
            .iter()
            .filter(|f| before.folders.contains_key(*f))
        {
            let path = root.join(file);
            fs::remove_dir_all(&path).map_err(write_error(&path))?;
        }
        fs::create_dir_all(root).map_err(write_error(root))?;
        Ok(())
    }

    /// Writes one file of the site, unless it already holds these bytes.
    /// Safe to call from several threads at once.
    ///
    /// A file the last build into this tree wrote, untouched since (the size
    /// and modification time recorded after writing it), holds the bytes
    /// whose hash was recorded: comparing hashes needs no reading, which on a cold
    /// page cache is most of a warm build's time. A file without a record is
    /// read and compared; one touched since is written again.
    pub(crate) fn write(&self, path: &str, bytes: &[u8]) -> Result<()> {
        self.write_made(path, bytes, None)
    }

    /// Writes one file of the site as `write` does; with `made_from`, the
    /// record keeps that key of what the bytes were made from instead of
    /// their hash, for `holds` to find at the next build.
    pub(crate) fn write_made(
        &self,
        path: &str,
        bytes: &[u8],
        made_from: Option<u64>,
    ) -> Result<()> {
        let target = self.beside.spare.join(path);
        let hash = self.recorded.hash(bytes);
        let kept = self
            .before
            .files
            .contains(path)
            .then(|| self.unchanged(path, &target, hash, bytes))
            .flatten();
        let stat = match kept {
            Some(stat) => stat,
            None => {
                let fail = |source| {
                    self.damage();
                    self.write_failed(target.clone(), source)
                };
                self.make_folder_of(path).map_err(fail)?;
                write_into_folder(&target, bytes)
                    .map(|m| Stat::of(&m))
                    .map_err(fail)?
            }
        };
        self.keep_record(path, made_from.unwrap_or(hash), stat);
        Ok(())
    }

    /// Whether the file at `path` is still what the last build into this
    /// tree made from `made_from` (its record holds that key, and the file
    /// is untouched since): then it is kept as it is, and need not be made
    /// again.
    pub(crate) fn holds(&self, path: &str, made_from: u64) -> bool {
        if !self.before.files.contains(path) {
            return false;
        }
        let Some(then) = self.recorded.spare.files.get(path) else {
            return false;
        };
        let target = self.beside.spare.join(path);
        let now = fs::symlink_metadata(&target).ok().map(|m| Stat::of(&m));
        if then.hash != made_from || now != Some(then.stat) {
            return false;
        }
        self.keep_record(path, made_from, then.stat);
        true
    }

    fn keep_record(&self, path: &str, hash: u64, stat: Stat) {
        self.records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(path.to_string(), Record { hash, stat });
    }

    /// Makes the folder of `path` if the spare tree did not have it and no
    /// other write has made it yet, so that the first file written into a
    /// new folder (in a cold build, every one) is not first tried in vain.
    /// A file whose folder another worker is still making is handled by
    /// `write_into_folder`.
    fn make_folder_of(&self, path: &str) -> std::io::Result<()> {
        let Some((folder, _)) = path.rsplit_once('/') else {
            return Ok(());
        };
        if self.before.folders.contains_key(folder)
            || !self
                .made
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(folder.to_string())
        {
            return Ok(());
        }
        fs::create_dir_all(self.beside.spare.join(folder))
    }

    /// The size and time of the file at `target` if it already holds
    /// `bytes` (whose hash is `hash`): told by its record while it is
    /// untouched since, else by reading it.
    fn unchanged(&self, path: &str, target: &Path, hash: u64, bytes: &[u8]) -> Option<Stat> {
        let now = fs::symlink_metadata(target).ok().map(|m| Stat::of(&m))?;
        let same = match self.recorded.spare.files.get(path) {
            Some(then) if now == then.stat => then.hash == hash,
            Some(_) => false,
            None => now.size == bytes.len() as u64 && fs::read(target).is_ok_and(|b| b == bytes),
        };
        same.then_some(now)
    }

    fn write_failed(&self, path: PathBuf, source: std::io::Error) -> Error {
        Error::OutputWrite {
            path,
            source,
            output: self.dir.clone(),
        }
    }

    /// Copies the files that go out as they are (static files, bundle files).
    pub(crate) fn copy_all(&self, copies: &BTreeMap<String, Source>) -> Result<()> {
        copies.par_iter().try_for_each(|(path, source)| {
            let read = |from: &PathBuf| {
                fs::read(from).map_err(|source| Error::Read {
                    path: from.clone(),
                    source,
                })
            };
            match source {
                Source::Embedded(bytes) => self.write(path, bytes),
                Source::File(from) => self.write(path, &read(from)?),
                Source::Made { key, .. } if self.holds(path, *key) => Ok(()),
                Source::Made { cache, key, .. } => self.write_made(path, &read(cache)?, Some(*key)),
            }
        })
    }

    /// Removes what is no longer part of the site, writes the manifest,
    /// carries the user's files over and swaps the tree in.
    pub(crate) fn finish(mut self) -> Result<()> {
        let theirs = std::mem::replace(&mut self.theirs, Theirs::Found(Vec::new()));
        let theirs = theirs.wait().inspect_err(|_| self.damage())?;
        let all_removed = self.remove_stale();
        self.write_manifest(&theirs)
            .inspect_err(|_| self.damage())?;
        let stamps = if all_removed {
            self.stamps()
        } else {
            Vec::new()
        };
        // Only ever a head start for the next build into this tree.
        let records = std::mem::take(
            &mut *self
                .records
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        self.recorded
            .write(&self.beside.record, &self.beside.spare, records, &stamps);
        let root = &self.beside.spare;
        carry(&self.dir, root, &theirs).inspect_err(|_| self.damage())?;
        let swapped = swap_in(root, &self.dir, &self.beside.old);
        if swapped.is_err() {
            recover_handoff(&self.dir, root);
            self.damage();
        }
        swapped?;
        let _ = fs::remove_file(self.dir.join(HANDOFF));
        self.finished = true;
        Ok(())
    }

    /// Removes what the spare tree held that is no longer part of the
    /// site; tells whether all of it went.
    fn remove_stale(&self) -> bool {
        let root = &self.beside.spare;
        let before = &self.before;
        let mut all_removed = true;
        for stale in before
            .files
            .iter()
            .filter(|p| !self.wanted.contains(*p) && !self.folders.contains(*p))
        {
            all_removed &= fs::remove_file(root.join(stale)).is_ok();
        }
        let mut stale_folders: Vec<&String> = before
            .folders
            .keys()
            .filter(|f| !self.folders.contains(*f) && !self.wanted.contains(*f))
            .collect();
        stale_folders.sort_by_key(|f| std::cmp::Reverse(f.len())); // deepest first
        for folder in stale_folders {
            all_removed &= fs::remove_dir(root.join(folder)).is_ok();
        }
        all_removed
    }

    /// The stamp of each folder of the finished spare tree, which now holds
    /// just the site's files, for the next listing of this tree to trust.
    ///
    /// A folder's time has the clock's grain: an entry added later within
    /// the same grain would leave it as it is. So only times older than the
    /// manifest, written after every change this build made, are kept; any
    /// change after the manifest gives a later time. A folder's stamp from
    /// the listing before this build is as good as a new one: if this build
    /// changed the folder, the stamp no longer matches and it is read again.
    fn stamps(&self) -> Vec<(&str, Stamp)> {
        let root = &self.beside.spare;
        let manifest = fs::symlink_metadata(root.join(MANIFEST));
        let Some(written) = manifest.ok().and_then(|m| Stamp::of_metadata(&m)) else {
            return Vec::new();
        };
        self.folders
            .par_iter()
            .filter_map(|folder| {
                let listed = self.before.folders.get(folder).copied().flatten();
                let stamp = listed.or_else(|| Stamp::of(&root.join(folder)))?;
                (stamp.modified < written.modified).then_some((folder.as_str(), stamp))
            })
            .collect()
    }

    fn write_manifest(&self, theirs: &[String]) -> Result<()> {
        let mut paths: Vec<&str> = self.wanted.iter().map(String::as_str).collect();
        paths.sort_unstable();
        let mut text = String::with_capacity(paths.len() * 32);
        text.push_str(MANIFEST_HEADER);
        text.push('\n');
        for path in paths {
            text.push_str(OURS);
            text.push_str(path);
            text.push('\n');
        }
        for path in theirs.iter().filter(|p| !always_kept(p)) {
            text.push_str(THEIRS);
            text.push_str(path);
            text.push('\n');
        }
        let path = self.beside.spare.join(MANIFEST);
        fs::write(&path, text).map_err(|source| self.write_failed(path, source))
    }
}

impl Drop for Spare {
    /// A spare left half-written by a failed write (a full disk) is removed,
    /// so the room it takes is given back; the output is untouched.
    fn drop(&mut self) {
        if !self.finished && self.damaged.load(Ordering::Relaxed) {
            let _ = fs::remove_dir_all(&self.beside.spare);
        }
    }
}

/// Writes `bytes` to `target`, making its folder first if it is missing;
/// returns what the file is then (asked of the open file, not looked up
/// again by its path).
fn write_into_folder(target: &Path, bytes: &[u8]) -> std::io::Result<fs::Metadata> {
    let file = match fs::File::create(target) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // Another worker may be making the same folder: that is no error.
            fs::create_dir_all(target.parent().unwrap_or(target))?;
            fs::File::create(target)
        }
        opened => opened,
    }?;
    (&file).write_all(bytes)?;
    file.metadata()
}

fn write_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error + use<> {
    let path = path.to_path_buf();
    move |source| Error::Write { path, source }
}

/// Every folder (and parent folder) holding one of `paths`.
fn folders_of<'a>(paths: impl Iterator<Item = &'a str>) -> HashSet<String> {
    paths
        .filter_map(|p| p.rsplit_once('/').map(|(dir, _)| dir))
        .flat_map(|dir| {
            dir.match_indices('/')
                .map(|(i, _)| &dir[..i])
                .chain(std::iter::once(dir))
        })
        .map(str::to_string)
        .collect()
}

/// The user's files in the output: known, or being found on a thread.
enum Theirs {
    Found(Vec<String>),
    Finding(std::thread::JoinHandle<Result<Vec<String>>>),
}

impl Theirs {
    fn wait(self) -> Result<Vec<String>> {
        match self {
            Theirs::Found(theirs) => Ok(theirs),
            Theirs::Finding(thread) => thread.join().unwrap_or({
                Err(Error::Internal {
                    what: "listing the output folder",
                })
            }),
        }
    }
}

/// The user's files in the output folder `dir`, or the error that refuses
/// them: any but dotfiles, `CNAME` and files accepted before, unless `force`.
fn find_theirs(
    dir: &Path,
    owned: &Owned,
    folders: &HashSet<String>,
    force: bool,
    output: &Section,
) -> Result<Vec<String>> {
    let theirs = users_files(dir, owned, folders, output)?;
    let refused: Vec<&String> = theirs
        .iter()
        .filter(|p| !always_kept(p) && !owned.accepted(p))
        .collect();
    if !force && !refused.is_empty() {
        return Err(Error::ForeignOutput {
            path: dir.to_path_buf(),
            examples: examples(&refused),
        });
    }
    Ok(theirs)
}

/// Whether one of the user's files is kept in the output without `--force`:
/// a dotfile or dot-folder at the top (`.git`, `.nojekyll`) or `CNAME`.
fn always_kept(path: &str) -> bool {
    !path.contains('/') && (path.starts_with('.') || path == "CNAME")
}

/// `a, b, c and 4 more`.
fn examples(paths: &[&String]) -> String {
    const SHOWN: usize = 3;
    let shown: Vec<&str> = paths.iter().take(SHOWN).map(|p| p.as_str()).collect();
    let mut text = shown.join(", ");
    if paths.len() > SHOWN {
        text.push_str(&format!(" and {} more", paths.len() - SHOWN));
    }
    text
}

/// What mend wrote into the output folder, as its manifest says.
enum Owned {
    /// No output yet.
    Nothing,
    /// Written by a mend that kept no manifest (a spare tree lies beside it):
    /// all of it but the files kept in any case.
    Legacy,
    Files {
        files: HashSet<String>,
        folders: HashSet<String>,
        /// The user's files a build with `--force` accepted.
        accepted: HashSet<String>,
    },
}

impl Owned {
    fn read(dir: &Path, spare: &Path) -> Result<Owned> {
        if !dir.exists() {
            return Ok(Owned::Nothing);
        }
        let manifest = dir.join(MANIFEST);
        let text = match fs::read_to_string(&manifest) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(if spare.is_dir() {
                    Owned::Legacy
                } else {
                    Owned::Files {
                        files: HashSet::new(),
                        folders: HashSet::new(),
                        accepted: HashSet::new(),
                    }
                });
            }
            Err(source) => {
                return Err(Error::Read {
                    path: manifest,
                    source,
                });
            }
        };
        let marked = |mark: &str| -> HashSet<String> {
            text.lines()
                .filter_map(|line| line.strip_prefix(mark))
                .map(str::to_string)
                .collect()
        };
        let files = marked(OURS);
        let folders = folders_of(files.iter().map(String::as_str));
        Ok(Owned::Files {
            files,
            folders,
            accepted: marked(THEIRS),
        })
    }

    /// Whether mend has not built into this folder before (no manifest):
    /// everything in it is the user's.
    fn is_first_build(&self) -> bool {
        matches!(self, Owned::Nothing)
            || matches!(self, Owned::Files { files, accepted, .. } if files.is_empty() && accepted.is_empty())
    }

    fn accepted(&self, path: &str) -> bool {
        matches!(self, Owned::Files { accepted, .. } if accepted.contains(path))
    }

    fn has_file(&self, path: &str) -> bool {
        match self {
            Owned::Nothing => false,
            Owned::Legacy => !always_kept(path),
            Owned::Files { files, .. } => files.contains(path),
        }
    }

    fn has_folder(&self, path: &str) -> bool {
        match self {
            Owned::Nothing => false,
            Owned::Legacy => !always_kept(path),
            Owned::Files { folders, .. } => folders.contains(path),
        }
    }
}

/// The files and folders in the output that mend did not write, by relative
/// path: a folder of the user's is one entry, whatever it holds. `output`
/// is what the build that wrote the output left in it.
fn users_files(
    dir: &Path,
    owned: &Owned,
    wanted_folders: &HashSet<String>,
    output: &Section,
) -> Result<Vec<String>> {
    if matches!(owned, Owned::Nothing) {
        return Ok(Vec::new());
    }
    let ours = |folder: &str| owned.has_folder(folder) || wanted_folders.contains(folder);
    let found = listing::list(dir, &output.left(), ours)?;
    let mut theirs: Vec<String> = found
        .files
        .into_iter()
        .chain(found.others)
        // One at a path the site now writes is replaced, and so is refused
        // without --force like any other.
        .filter(|p| p != MANIFEST && p != HANDOFF && !owned.has_file(p))
        .collect();
    theirs.extend(found.folders.into_keys().filter(|f| !ours(f)));
    theirs.sort_unstable_by(|a, b| a.split('/').cmp(b.split('/')));
    Ok(theirs)
}

/// Moves the user's files from the output `from` into the new tree `to`,
/// noting them first in `to/.mend-handoff` so an interrupted build can move
/// them back. A file at a path the site writes stays behind (replaced).
fn carry(from: &Path, to: &Path, theirs: &[String]) -> Result<()> {
    let moving: Vec<&String> = theirs
        .iter()
        .filter(|p| !to.join(p.as_str()).exists())
        .collect();
    if moving.is_empty() {
        return Ok(());
    }
    let list: String = moving.iter().map(|p| format!("{p}\n")).collect();
    let handoff = to.join(HANDOFF);
    fs::write(&handoff, list).map_err(write_error(&handoff))?;
    for path in moving {
        let target = to.join(path.as_str());
        let moved = target
            .parent()
            .map_or(Ok(()), fs::create_dir_all)
            .and_then(|()| fs::rename(from.join(path.as_str()), &target));
        if let Err(source) = moved {
            recover_handoff(from, to);
            return Err(Error::Write {
                path: target,
                source,
            });
        }
    }
    Ok(())
}

/// Puts back the user's files that a build stopped part-way through moving
/// (the spare's handoff list), and drops a handoff list that went out with
/// a finished swap.
fn recover_handoff(dir: &Path, spare: &Path) {
    let _ = fs::remove_file(dir.join(HANDOFF));
    let handoff = spare.join(HANDOFF);
    let Ok(list) = fs::read_to_string(&handoff) else {
        return;
    };
    for path in list.lines().filter(|l| !l.is_empty()) {
        let (from, to) = (spare.join(path), dir.join(path));
        if from.symlink_metadata().is_ok() && to.symlink_metadata().is_err() {
            let _ = to.parent().map(fs::create_dir_all);
            let _ = fs::rename(from, to);
        }
    }
    let _ = fs::remove_file(handoff);
}

/// A build of an older mend stopped between two renames leaves the previous
/// site in `old`.
fn recover_interrupted_swap(dir: &Path, old: &Path) {
    if old.exists() {
        if dir.exists() {
            let _ = fs::remove_dir_all(old);
        } else {
            let _ = fs::rename(old, dir);
        }
    }
}

/// Puts `fresh` in the place of `dir` at once; the previous `dir` becomes
/// `fresh`, the next build's spare.
fn swap_in(fresh: &Path, dir: &Path, old: &Path) -> Result<()> {
    let write_error = |source| Error::Write {
        path: dir.to_path_buf(),
        source,
    };
    if !dir.exists() {
        return fs::rename(fresh, dir).map_err(write_error);
    }
    if exchange(fresh, dir).is_ok() {
        return Ok(());
    }
    // No atomic exchange here (another system, or a file system without
    // it): two renames, with a moment in between that
    // `recover_interrupted_swap` repairs if the build is stopped there.
    fs::rename(dir, old).map_err(write_error)?;
    if let Err(e) = fs::rename(fresh, dir) {
        let _ = fs::rename(old, dir);
        return Err(write_error(e));
    }
    if fs::rename(old, fresh).is_err() {
        let _ = fs::remove_dir_all(old);
    }
    Ok(())
}

/// Swaps two folders in one step (Linux `renameat2` with `RENAME_EXCHANGE`).
#[cfg(any(target_os = "linux", target_os = "android"))]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(Into::into)
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_outputs_that_would_destroy_the_site() {
        let site = tempfile::tempdir().unwrap();
        let root = site.path();
        fs::create_dir(root.join("content")).unwrap();
        fs::create_dir(root.join(".git")).unwrap();
        fs::write(root.join("notes.txt"), "mine").unwrap();
        assert!(check_location(root, root).is_err());
        assert!(check_location(root, &root.join("content")).is_err());
        assert!(check_location(root, &root.join("content/public")).is_err());
        assert!(check_location(root, root.parent().unwrap()).is_err());
        assert!(check_location(root, &root.join(".git")).is_err());
        assert!(check_location(root, &root.join(".git/public")).is_err());
        assert!(check_location(root, &root.join("notes.txt")).is_err());
        assert!(check_location(root, &root.join("public")).is_ok());
        assert!(check_location(root, &root.join("../elsewhere")).is_ok());
    }

    #[test]
    fn dotfiles_and_cname_at_the_top_are_kept_without_asking() {
        assert!(always_kept(".git"));
        assert!(always_kept(".nojekyll"));
        assert!(always_kept("CNAME"));
        assert!(!always_kept("notes.txt"));
        assert!(!always_kept("posts/.hidden"));
    }

    #[test]
    fn examples_are_counted() {
        let names: Vec<String> = ["a", "b", "c", "d", "e"].map(String::from).into();
        let refs: Vec<&String> = names.iter().collect();
        assert_eq!(examples(&refs[..2]), "a, b");
        assert_eq!(examples(&refs[..3]), "a, b, c");
        assert_eq!(examples(&refs), "a, b, c and 2 more");
    }

    #[test]
    fn a_handoff_puts_back_what_is_missing_and_never_writes_over_the_users_file() {
        let tree = tempfile::tempdir().unwrap();
        let (dir, spare) = (
            tree.path().join("public"),
            tree.path().join(".public.mend-spare"),
        );
        fs::create_dir_all(dir.join("notes")).unwrap();
        fs::create_dir_all(spare.join("notes")).unwrap();
        fs::write(spare.join("notes/moved.txt"), "moved").unwrap();
        fs::write(spare.join("notes/both.txt"), "the spare's copy").unwrap();
        fs::write(dir.join("notes/both.txt"), "written since").unwrap();
        fs::write(
            spare.join(HANDOFF),
            "notes/moved.txt\nnotes/both.txt\nnotes/gone.txt\n",
        )
        .unwrap();
        recover_handoff(&dir, &spare);
        let read = |p: &str| fs::read_to_string(dir.join(p)).unwrap();
        assert_eq!(read("notes/moved.txt"), "moved");
        assert_eq!(read("notes/both.txt"), "written since");
        assert!(!dir.join("notes/gone.txt").exists());
        assert!(!spare.join(HANDOFF).exists());
    }

    #[test]
    fn a_lock_knows_when_its_file_was_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".public.mend-lock");
        let file = fs::File::create(&path).unwrap();
        assert!(Lock::still_at(&file, &path));
        fs::remove_file(&path).unwrap();
        assert!(!Lock::still_at(&file, &path), "removed");
        fs::File::create(&path).unwrap();
        assert!(!Lock::still_at(&file, &path), "another file at its name");
    }
}
