//! What the index keeps between builds, so that a warm build weighs only
//! the documents that changed: each document's terms, packed, by a seeded
//! hash of its text, in one file in the site's `.mend/`.
//!
//! Not for what the terms are (`search`).

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use super::{Key, Mark, Run};
use crate::comments::thread::in_thread;
use crate::content::Page;

/// What the index knows between builds: the terms of each document by a
/// hash of its text (title, tags, description, body, approved comments),
/// so that a build weighs only the documents that changed. Kept in a file
/// in the site's `.mend/` (`output::Opened::search_cache`); a cache that
/// cannot be read is an empty one. The hash is seeded at random when a
/// cache is made, so no text can be written to collide with another.
pub struct Cache {
    seed: u64,
    pub(super) terms: HashMap<u64, Packed>,
    changed: bool,
}

/// The first bytes of a cache file; a new format or new weights get a new one.
pub(super) const CACHE_MAGIC: &[u8] = b"mend search cache 3\n";

/// A document's terms and their marks, packed as the cache file keeps
/// them: for each term its length (one byte), its bytes and its mark (four
/// bytes, little-endian). About twelve bytes a term against the 48 of a
/// list of keys, which at 100,000 articles took some 330 MB.
pub(super) type Packed = Box<[u8]>;

pub(super) fn pack(terms: &[(Key, Mark)]) -> Packed {
    let mut packed = Vec::with_capacity(terms.len() * 12);
    for (term, mark) in terms {
        term.pack_into(&mut packed);
        packed.extend(mark.0.to_le_bytes());
    }
    packed.into_boxed_slice()
}

/// The terms of a `Packed` that `is_packed` accepted.
pub(super) fn unpack(mut packed: &[u8]) -> impl Iterator<Item = (Key, Mark)> + '_ {
    std::iter::from_fn(move || {
        let (term, mark, rest) = next_packed(packed)?;
        packed = rest;
        Some((Key::of(term), mark))
    })
}

/// The first term of `packed`, its mark and the rest; `None` at the end or
/// where the bytes are not a term.
pub(super) fn next_packed(packed: &[u8]) -> Option<(&str, Mark, &[u8])> {
    let (&len, rest) = packed.split_first()?;
    let (text, mut rest) = rest.split_at_checked(usize::from(len))?;
    let mark = Mark(take_u32(&mut rest)?);
    Some((std::str::from_utf8(text).ok()?, mark, rest))
}

/// Whether `bytes` are whole terms, each as `pack` writes it.
pub(super) fn is_packed(mut bytes: &[u8]) -> bool {
    while !bytes.is_empty() {
        match next_packed(bytes) {
            Some((_, _, rest)) => bytes = rest,
            None => return false,
        }
    }
    true
}

impl Cache {
    /// The cache in `file`, or an empty one.
    pub fn read(file: &Path) -> Cache {
        fs::read(file)
            .ok()
            .and_then(|bytes| Cache::parse(&bytes))
            .unwrap_or_else(Cache::empty)
    }

    fn empty() -> Cache {
        use std::hash::{BuildHasher, Hasher};
        let seed = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        Cache {
            seed,
            terms: HashMap::new(),
            changed: true,
        }
    }

    fn parse(bytes: &[u8]) -> Option<Cache> {
        let mut input = bytes.strip_prefix(CACHE_MAGIC)?;
        let seed = take_u64(&mut input)?;
        let entries = take_u32(&mut input)?;
        let mut terms = HashMap::new();
        for _ in 0..entries {
            let hash = take_u64(&mut input)?;
            let len = take_u32(&mut input)? as usize;
            let (packed, rest) = input.split_at_checked(len)?;
            input = rest;
            if !is_packed(packed) {
                return None;
            }
            terms.insert(hash, packed.into());
        }
        input.is_empty().then_some(Cache {
            seed,
            terms,
            changed: false,
        })
    }

    /// Writes the cache to `file` if it changed, in one step, so a reader
    /// never sees half of it.
    pub fn write(&self, file: &Path) -> std::io::Result<()> {
        if !self.changed {
            return Ok(());
        }
        let mut out = CACHE_MAGIC.to_vec();
        out.extend(self.seed.to_le_bytes());
        out.extend((self.terms.len() as u32).to_le_bytes());
        for (hash, packed) in &self.terms {
            out.extend(hash.to_le_bytes());
            out.extend((packed.len() as u32).to_le_bytes());
            out.extend(&packed[..]);
        }
        crate::durable::replace_unflushed(file, &out)
    }

    /// The hash of what the index reads of a page, and of the stemmer
    /// that makes its terms (`stemmer`, its name).
    pub(super) fn hash_of(&self, page: &Page, stemmer: &str) -> u64 {
        use std::hash::{BuildHasher, Hash, Hasher};
        let mut hasher = foldhash::quality::FixedState::with_seed(self.seed).build_hasher();
        stemmer.hash(&mut hasher);
        page.title.hash(&mut hasher);
        page.tags.hash(&mut hasher);
        page.description.hash(&mut hasher);
        page.body.html.hash(&mut hasher);
        for comment in page.comments.iter().filter(|c| in_thread(c)) {
            comment.body.hash(&mut hasher);
        }
        hasher.finish()
    }

    /// A key of everything a document's file (`files::doc_json`) is made
    /// from: what `hash_of` read (`text`), and the path, date, and its
    /// comments' ids and names. A new format of that file needs a new
    /// `CACHE_MAGIC`, so that no key of the old one is kept.
    pub(super) fn made_from(&self, page: &Page, text: u64) -> u64 {
        use std::hash::{BuildHasher, Hash, Hasher};
        let mut hasher = foldhash::quality::FixedState::with_seed(self.seed).build_hasher();
        text.hash(&mut hasher);
        page.path.hash(&mut hasher);
        page.date
            .as_ref()
            .map(crate::date::Date::ymd)
            .hash(&mut hasher);
        for comment in page.comments.iter().filter(|c| in_thread(c)) {
            comment.id.hash(&mut hasher);
            comment.author.hash(&mut hasher);
        }
        hasher.finish()
    }

    /// Keeps the documents of this build: those found, and those weighed.
    pub(super) fn update(&mut self, run: Run) {
        let found: std::collections::HashSet<u64> = run.found.into_iter().collect();
        let before = self.terms.len();
        self.terms.retain(|hash, _| found.contains(hash));
        self.changed |= self.terms.len() != before || !run.weighed.is_empty();
        self.terms.extend(run.weighed);
    }
}

pub(super) fn take<const N: usize>(input: &mut &[u8]) -> Option<[u8; N]> {
    let (head, rest) = input.split_first_chunk::<N>()?;
    *input = rest;
    Some(*head)
}

pub(super) fn take_u32(input: &mut &[u8]) -> Option<u32> {
    take(input).map(u32::from_le_bytes)
}

pub(super) fn take_u64(input: &mut &[u8]) -> Option<u64> {
    take(input).map(u64::from_le_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cache_reads_back_what_it_wrote_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("public.search");
        let mut cache = Cache::empty();
        let long = "a-term-longer-than-sixteen-bytes";
        let terms = [
            (Key::of("no"), Mark(3)),
            (Key::of(long), Mark(2 * 1024 + 40)),
        ];
        cache.terms.insert(7, pack(&terms));
        cache.terms.insert(9, pack(&[]));
        cache.write(&file).unwrap();
        let back = Cache::read(&file);
        assert_eq!(back.seed, cache.seed);
        assert_eq!(back.terms, cache.terms);
        assert_eq!(unpack(&back.terms[&7]).collect::<Vec<_>>(), terms);
        assert!(!back.changed, "unchanged: not written again");
        // Cut short, or followed by anything: not a cache.
        let bytes = fs::read(&file).unwrap();
        assert!(Cache::parse(&bytes[..bytes.len() - 1]).is_none());
        assert!(Cache::parse(&[&bytes[..], b"x"].concat()).is_none());
        // A term that is not UTF-8: not a cache.
        let at = bytes
            .windows(7)
            .position(|w| w == b"\x02no\x03\x00\x00\x00")
            .unwrap();
        let mut broken = bytes.clone();
        broken[at + 1] = 0xff;
        assert!(Cache::parse(&broken).is_none());
        let other = Cache::read(&dir.path().join("missing"));
        assert!(other.terms.is_empty() && other.changed);
    }
}
