//! Site search without a server: an index of every article and page (its
//! title, tags, description, text and approved comments), cut into small
//! files that the search page's script fetches as the reader types.
//!
//! The index has three kinds of files under `search/`:
//! - `meta.json`: how many documents there are, how many share a chunk,
//!   how many shards there are;
//! - `t/<n>.json` (`n` in hex), the shards: a term goes to the shard its
//!   first two characters hash to (FNV-1a of their UTF-8), so all terms
//!   that start alike are in one file, and the number of shards depends on
//!   the number of documents only, never on their words. A shard maps each
//!   of its terms to its postings, a flat list of document number (as the
//!   gap from the one before) and score;
//! - `d/<n>.json`: chunk `n` of the documents (path, title, date, a line
//!   of text), fetched only for the results shown.
//!
//! A query fetches `meta.json`, one shard per word and one chunk per page
//! of results: a few tens of kilobytes where one JSON of the whole site
//! would be megabytes.
//!
//! Not for the search page (the theme's `search.html` and `search.js`)
//! nor for deciding where files go (`urls`).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use crate::comments::thread::in_thread;
use crate::content::Page;
use crate::date::Date;
use crate::render::PageRef;
use crate::site::Site;

/// Documents per chunk of `d/`: few, as the results of a query are spread
/// over the whole site and each one shown costs the reader its chunk.
pub(crate) const DOCS_PER_CHUNK: usize = 10;
/// The fewest and most shards: a small site gets few files, a large one
/// small files.
const SHARDS: std::ops::RangeInclusive<usize> = 16..=256;
/// Terms longer than this are not indexed (hashes, run-together URLs).
const MAX_TERM_CHARS: usize = 40;
/// Characters of text shown under a result.
const SNIPPET_CHARS: usize = 180;

/// Weights of where a term is found: a word of the title counts as much
/// as thirty-two of the comments.
const TITLE: u32 = 32;
const TAG: u32 = 12;
const DESCRIPTION: u32 = 4;
const BODY: u32 = 2;
const COMMENT: u32 = 1;

/// One document's score for one term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Posting {
    doc: u32,
    score: u16,
}

/// The terms of one shard, each with its postings by document number.
type Shard = BTreeMap<String, Vec<Posting>>;

/// The whole index, kept between `serve`'s rebuilds so that an edit only
/// rewrites the shards it changed.
pub struct Index {
    shards: Vec<Shard>,
    /// For each document `serve` took an edit of, the shards it changed.
    touched: HashMap<u32, Vec<usize>>,
}

/// A document as the results show it.
#[derive(Serialize)]
struct DocView<'a> {
    /// The site path, without a leading slash.
    p: &'a str,
    t: &'a str,
    /// `2024-02-27`, or empty for an undated page.
    d: String,
    /// The description, or else the start of the text.
    x: String,
}

impl Index {
    /// Indexes every article and page of `site`.
    pub fn new(site: &Site) -> Index {
        Index::build(site, None).0
    }

    /// Indexes `site`, taking the terms of each document whose text
    /// `cache` has seen from it rather than reading the text again; returns
    /// the index and the cache for the next build.
    pub fn with_cache(site: &Site, mut cache: Cache) -> (Index, Cache) {
        let (index, runs) = Index::build(site, Some(&cache));
        cache.update(runs);
        (index, cache)
    }

    /// Each worker weighs its run of documents into its own postings, and
    /// the runs are joined in document order.
    fn build(site: &Site, cache: Option<&Cache>) -> (Index, Run) {
        let docs: Vec<&Page> = documents(site).collect();
        let mut all = docs
            .par_iter()
            .enumerate()
            .fold(Run::default, |mut run, (doc, page)| {
                run.add(doc as u32, page, cache);
                run
            })
            .reduce(Run::default, Run::join);
        let count = shard_count(site);
        let mut shards = vec![Shard::new(); count];
        for (term, mut postings) in std::mem::take(&mut all.postings) {
            let term = term.into_text();
            // In order already where the runs joined in order; cheap if so.
            postings.sort_unstable_by_key(|p| p.doc);
            shards[shard_of(&term, count)].insert(term, postings);
        }
        let index = Index {
            shards,
            touched: HashMap::new(),
        };
        (index, all)
    }

    /// The shards that edits of `target` changed, to write again.
    pub fn shards_of(&self, site: &Site, target: PageRef) -> &[usize] {
        let doc = doc_number(site, target) as u32;
        self.touched.get(&doc).map_or(&[], Vec::as_slice)
    }

    /// Takes the new text of `target` into the index.
    pub fn refresh(&mut self, site: &Site, target: PageRef) {
        let doc = doc_number(site, target) as u32;
        let mut touched = self.touched.remove(&doc).unwrap_or_default();
        for (n, shard) in self.shards.iter_mut().enumerate() {
            let mut hit = false;
            for postings in shard.values_mut() {
                if let Ok(at) = postings.binary_search_by_key(&doc, |p| p.doc) {
                    postings.remove(at);
                    hit = true;
                }
            }
            if hit {
                shard.retain(|_, postings| !postings.is_empty());
                touched.push(n);
            }
        }
        let mut run = Run::default();
        run.add(doc, target.page(site), None);
        for (term, postings) in run.postings {
            let term = term.into_text();
            let n = shard_of(&term, self.shards.len());
            let list = self.shards[n].entry(term).or_default();
            for posting in postings {
                let at = list.partition_point(|p| p.doc < posting.doc);
                list.insert(at, posting);
            }
            touched.push(n);
        }
        touched.sort_unstable();
        touched.dedup();
        self.touched.insert(doc, touched);
    }

    /// Shard `n`: `{"term":[gap,score,gap,score…],…}`.
    pub fn shard_json(&self, n: usize) -> String {
        let mut out = String::from("{");
        for (i, (term, postings)) in self.shards[n].iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&serde_json::Value::from(term.as_str()).to_string());
            out.push_str(":[");
            let mut last = 0;
            for (j, p) in postings.iter().enumerate() {
                let sep = if j > 0 { "," } else { "" };
                let _ = write!(out, "{sep}{},{}", p.doc - last, p.score);
                last = p.doc;
            }
            out.push(']');
        }
        out.push('}');
        out
    }
}

/// `meta.json`.
pub(crate) fn meta_json(site: &Site) -> String {
    serde_json::json!({
        "docs": document_count(site),
        "chunk": DOCS_PER_CHUNK,
        "shards": shard_count(site),
    })
    .to_string()
}

/// How many shards the index has: one for about eight documents, a power
/// of two within `SHARDS`.
pub(crate) fn shard_count(site: &Site) -> usize {
    let (fewest, most) = (*SHARDS.start(), *SHARDS.end());
    (document_count(site) / 8)
        .next_power_of_two()
        .clamp(fewest, most)
}

/// How many chunk files the documents take.
pub(crate) fn chunk_count(site: &Site) -> usize {
    document_count(site).div_ceil(DOCS_PER_CHUNK).max(1)
}

/// The chunk that holds `target`.
pub(crate) fn chunk_of(site: &Site, target: PageRef) -> usize {
    doc_number(site, target) / DOCS_PER_CHUNK
}

/// Chunk `n` of the documents: a JSON list of path, title, date and text.
pub(crate) fn docs_json(site: &Site, n: usize) -> String {
    let views: Vec<DocView> = documents(site)
        .skip(n * DOCS_PER_CHUNK)
        .take(DOCS_PER_CHUNK)
        .map(|page| DocView {
            p: &page.path,
            t: &page.title,
            d: page.date.as_ref().map(Date::ymd).unwrap_or_default(),
            x: snippet(page),
        })
        .collect();
    serde_json::to_string(&views).unwrap_or_default()
}

/// Articles (oldest first, so that a new article takes a new number and
/// leaves the others' alone), then pages: a document's number is its place.
fn documents(site: &Site) -> impl Iterator<Item = &Page> {
    site.articles.iter().rev().chain(&site.pages)
}

fn document_count(site: &Site) -> usize {
    site.articles.len() + site.pages.len()
}

fn doc_number(site: &Site, target: PageRef) -> usize {
    match target {
        PageRef::Article(i) => site.articles.len() - 1 - i,
        PageRef::Page(i) => site.articles.len() + i,
    }
}

/// The shard of a term among `count`: the FNV-1a hash of the UTF-8 of its
/// first two characters (the search page's script hashes a typed word the
/// same way, to fetch the one shard with every term that starts like it).
fn shard_of(term: &str, count: usize) -> usize {
    let end = term.char_indices().nth(2).map_or(term.len(), |(i, _)| i);
    let hash = term[..end].bytes().fold(0x811c_9dc5_u32, |hash, b| {
        (hash ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    hash as usize % count
}

/// The postings of a run of documents, and room to weigh one document,
/// reused from document to document.
#[derive(Default)]
struct Run {
    postings: Terms,
    weights: Weights<u32>,
    word: String,
    /// The documents weighed: the hash of their text and their terms.
    weighed: Vec<(u64, Packed)>,
    /// The hashes of the documents found in the cache.
    found: Vec<u64>,
}

impl Run {
    /// Adds document `doc`, with its terms from `cache` if it has them.
    fn add(&mut self, doc: u32, page: &Page, cache: Option<&Cache>) {
        let Some(cache) = cache else {
            let terms = self.weigh(page);
            return self.post(doc, terms.into_iter());
        };
        let hash = cache.hash_of(page);
        match cache.terms.get(&hash) {
            Some(packed) => {
                self.post(doc, unpack(packed));
                self.found.push(hash);
            }
            None => {
                let terms = self.weigh(page);
                self.post(doc, terms.iter().cloned());
                self.weighed.push((hash, pack(&terms)));
            }
        }
    }

    /// The terms of a page and their scores: each place a term occurs adds
    /// its weight, and the score grows with the logarithm of the sum, so a
    /// word said a hundred times does not drown one said in the title.
    fn weigh(&mut self, page: &Page) -> Vec<(Key, u16)> {
        let Run { weights, word, .. } = self;
        let mut add = |text: &str, weight: u32, html: bool| {
            for_each_word(text, html, word, |w| {
                *weights.entry(Key::of(w)).or_default() += weight;
            });
        };
        add(&page.title, TITLE, false);
        for tag in &page.tags {
            add(tag, TAG, false);
        }
        add(
            page.description.as_deref().unwrap_or(""),
            DESCRIPTION,
            false,
        );
        add(&page.body.html, BODY, true);
        for comment in page.comments.iter().filter(|c| in_thread(c)) {
            add(&comment.body, COMMENT, false);
        }
        weights
            .drain()
            .map(|(term, weight)| (term, score(weight)))
            .collect()
    }

    fn post(&mut self, doc: u32, terms: impl Iterator<Item = (Key, u16)>) {
        for (term, score) in terms {
            self.postings
                .entry(term)
                .or_default()
                .push(Posting { doc, score });
        }
    }

    /// Two runs as one, `self` first.
    fn join(mut self, other: Run) -> Run {
        for (term, postings) in other.postings {
            self.postings.entry(term).or_default().extend(postings);
        }
        self.weighed.extend(other.weighed);
        self.found.extend(other.found);
        self
    }
}

/// What the index knows between builds: the terms of each document by a
/// hash of its text (title, tags, description, body, approved comments),
/// so that a build weighs only the documents that changed. Kept in a file
/// beside the output folder (`output::Opened::search_cache`); a cache that
/// cannot be read is an empty one. The hash is seeded at random when a
/// cache is made, so no text can be written to collide with another.
pub struct Cache {
    seed: u64,
    terms: HashMap<u64, Packed>,
    changed: bool,
}

/// The first bytes of a cache file; a new format or new weights get a new one.
const CACHE_MAGIC: &[u8] = b"mend search cache 2\n";

/// A document's terms and their scores, packed as the cache file keeps
/// them: for each term its length (one byte), its bytes and its score (two
/// bytes, little-endian). About ten bytes a term against the 48 of a list
/// of keys, which at 100,000 articles took some 330 MB.
type Packed = Box<[u8]>;

fn pack(terms: &[(Key, u16)]) -> Packed {
    let mut packed = Vec::with_capacity(terms.len() * 10);
    for (term, score) in terms {
        term.pack_into(&mut packed);
        packed.extend(score.to_le_bytes());
    }
    packed.into_boxed_slice()
}

/// The terms of a `Packed` that `is_packed` accepted.
fn unpack(mut packed: &[u8]) -> impl Iterator<Item = (Key, u16)> + '_ {
    std::iter::from_fn(move || {
        let (term, score, rest) = next_packed(packed)?;
        packed = rest;
        Some((Key::of(term), score))
    })
}

/// The first term of `packed`, its score and the rest; `None` at the end or
/// where the bytes are not a term.
fn next_packed(packed: &[u8]) -> Option<(&str, u16, &[u8])> {
    let (&len, rest) = packed.split_first()?;
    let (text, mut rest) = rest.split_at_checked(usize::from(len))?;
    let score = u16::from_le_bytes(take(&mut rest)?);
    Some((std::str::from_utf8(text).ok()?, score, rest))
}

/// Whether `bytes` are whole terms, each as `pack` writes it.
fn is_packed(mut bytes: &[u8]) -> bool {
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

    /// Writes the cache to `file` if it changed (through a temporary file
    /// and a rename, so a reader never sees half of it).
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
        if let Some(kept) = file.parent() {
            fs::create_dir_all(kept)?;
        }
        let mut temporary = file.as_os_str().to_owned();
        temporary.push(".tmp");
        let temporary = std::path::PathBuf::from(temporary);
        fs::write(&temporary, out)?;
        fs::rename(&temporary, file).inspect_err(|_| {
            let _ = fs::remove_file(&temporary);
        })
    }

    /// The hash of what the index reads of a page.
    fn hash_of(&self, page: &Page) -> u64 {
        use std::hash::{BuildHasher, Hash, Hasher};
        let mut hasher = foldhash::quality::FixedState::with_seed(self.seed).build_hasher();
        page.title.hash(&mut hasher);
        page.tags.hash(&mut hasher);
        page.description.hash(&mut hasher);
        page.body.html.hash(&mut hasher);
        for comment in page.comments.iter().filter(|c| in_thread(c)) {
            comment.body.hash(&mut hasher);
        }
        hasher.finish()
    }

    /// Keeps the documents of this build: those found, and those weighed.
    fn update(&mut self, run: Run) {
        let found: std::collections::HashSet<u64> = run.found.into_iter().collect();
        let before = self.terms.len();
        self.terms.retain(|hash, _| found.contains(hash));
        self.changed |= self.terms.len() != before || !run.weighed.is_empty();
        self.terms.extend(run.weighed);
    }
}

fn take<const N: usize>(input: &mut &[u8]) -> Option<[u8; N]> {
    let (head, rest) = input.split_first_chunk::<N>()?;
    *input = rest;
    Some(*head)
}

fn take_u32(input: &mut &[u8]) -> Option<u32> {
    take(input).map(u32::from_le_bytes)
}

fn take_u64(input: &mut &[u8]) -> Option<u64> {
    take(input).map(u64::from_le_bytes)
}

/// Postings by term.
type Terms = Weights<Vec<Posting>>;

/// A term as a key of the maps that build the index: up to sixteen bytes
/// (nearly every word) packed in a number, which hashes and compares at
/// once; longer ones as text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Short(u128),
    Long(String),
}

impl Key {
    fn of(word: &str) -> Key {
        match word.len() {
            len @ ..=16 => {
                let mut bytes = [0; 16];
                bytes[..len].copy_from_slice(word.as_bytes());
                Key::Short(u128::from_le_bytes(bytes))
            }
            _ => Key::Long(word.to_string()),
        }
    }

    /// Appends the term's length in bytes (one byte: a term is at most
    /// forty characters) and its bytes.
    fn pack_into(&self, out: &mut Vec<u8>) {
        match self {
            Key::Short(packed) => {
                let (bytes, len) = unpadded(*packed);
                out.push(len as u8);
                out.extend(&bytes[..len]);
            }
            Key::Long(text) => {
                out.push(text.len() as u8);
                out.extend(text.as_bytes());
            }
        }
    }

    /// The term again.
    fn into_text(self) -> String {
        match self {
            Key::Short(packed) => {
                let (bytes, len) = unpadded(packed);
                String::from_utf8_lossy(&bytes[..len]).into_owned()
            }
            Key::Long(text) => text,
        }
    }
}

/// The bytes of a short key and how many of them are the term (no word
/// holds a zero byte, so the padding ends it).
fn unpadded(packed: u128) -> ([u8; 16], usize) {
    let bytes = packed.to_le_bytes();
    let len = bytes.iter().position(|&b| b == 0).unwrap_or(16);
    (bytes, len)
}

/// A map from words, hashed fast but seeded per run, so that no text can
/// be written to make it slow.
type Weights<V> = HashMap<Key, V, foldhash::fast::RandomState>;

/// A summed weight as a score from 1 up.
fn score(weight: u32) -> u16 {
    1 + (10.0 * f64::from(weight).ln()).round() as u16
}

/// Calls `found` with each word of `text` worth indexing, lowercased:
/// runs of letters and digits, two to forty characters long. In `html`,
/// tags and entities are skipped. The search page splits a
/// query the same way (`/[\p{Alphabetic}\p{N}]+/u`). `word` is scratch
/// space, reused from call to call.
fn for_each_word(text: &str, html: bool, word: &mut String, mut found: impl FnMut(&str)) {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let first = bytes[at];
        if html && first == b'<' {
            at += memchr::memchr(b'>', &bytes[at..]).map_or(bytes.len() - at, |end| end + 1);
        } else if html && first == b'&' {
            let name = bytes[at + 1..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'#')
                .count();
            at += 1 + name + usize::from(bytes.get(at + 1 + name) == Some(&b';'));
        } else if first.is_ascii() && !first.is_ascii_alphanumeric() {
            at += 1;
        } else {
            let (len, chars, case) = word_at(&text[at..]);
            if len == 0 {
                // A character beyond ASCII that is not a letter or digit.
                at += text[at..].chars().next().map_or(1, char::len_utf8);
                continue;
            }
            let found_word = &text[at..at + len];
            at += len;
            if !(2..=MAX_TERM_CHARS).contains(&chars) {
                continue;
            }
            match case {
                Case::Lower => found(found_word),
                Case::Ascii => {
                    word.clear();
                    word.push_str(found_word);
                    word.make_ascii_lowercase();
                    found(word);
                }
                Case::Other => {
                    word.clear();
                    word.extend(found_word.chars().flat_map(char::to_lowercase));
                    found(word);
                }
            }
        }
    }
}

/// What a word needs to be lowercase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    /// Nothing: it is lowercase ASCII already, as most words are.
    Lower,
    /// ASCII, with capitals.
    Ascii,
    /// Characters beyond ASCII.
    Other,
}

/// The word `text` starts with: its length in bytes and in characters,
/// and its case.
fn word_at(text: &str) -> (usize, usize, Case) {
    let bytes = text.as_bytes();
    let (mut len, mut chars, mut case) = (0, 0, Case::Lower);
    while let Some(&b) = bytes.get(len) {
        if b.is_ascii_alphanumeric() {
            if b.is_ascii_uppercase() && case == Case::Lower {
                case = Case::Ascii;
            }
            len += 1;
        } else if b.is_ascii() {
            break;
        } else {
            match text[len..].chars().next() {
                Some(c) if c.is_alphanumeric() => len += c.len_utf8(),
                _ => break,
            }
            case = Case::Other;
        }
        chars += 1;
    }
    (len, chars, case)
}

/// The text of HTML that mend rendered: tags left out, the entities
/// pulldown-cmark writes turned back into characters.
fn plain_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(['<', '&']) {
        text.push_str(&rest[..at]);
        rest = &rest[at..];
        if rest.starts_with('<') {
            text.push(' ');
            rest = rest.find('>').map_or("", |end| &rest[end + 1..]);
        } else {
            let (entity, len) = [
                ("&amp;", '&'),
                ("&lt;", '<'),
                ("&gt;", '>'),
                ("&quot;", '"'),
            ]
            .into_iter()
            .find(|(name, _)| rest.starts_with(name))
            .map_or(('&', 1), |(name, c)| (c, name.len()));
            text.push(entity);
            rest = &rest[len..];
        }
    }
    text.push_str(rest);
    text
}

/// A line of text for a result: the description, or else the start of
/// the summary, cut at a word.
fn snippet(page: &Page) -> String {
    let text = match &page.description {
        Some(description) => description.clone(),
        None => plain_text(&page.body.summary),
    };
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= SNIPPET_CHARS {
        return text;
    }
    let cut: String = text.chars().take(SNIPPET_CHARS).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_that_start_alike_share_a_shard() {
        // FNV-1a of "co", as the search page computes it.
        assert_eq!(shard_of("co", 1 << 32), 0x6229_a407);
        assert_eq!(shard_of("contact", 256), shard_of("cope", 256));
        assert_eq!(shard_of("été", 64), shard_of("ét", 64));
        assert!((0..16).contains(&shard_of("x", 16)));
    }

    fn words(text: &str, html: bool) -> Vec<String> {
        let mut found = Vec::new();
        for_each_word(text, html, &mut String::new(), |w| {
            found.push(w.to_string());
        });
        found
    }

    #[test]
    fn words_are_letters_and_digits_of_two_characters_or_more() {
        assert_eq!(
            words("No contact—day 2, it's 2024 a é CAFÉ", false),
            ["no", "contact", "day", "it", "2024", "café"]
        );
        assert!(words(&"x".repeat(41), false).is_empty());
        assert_eq!(words(&"x".repeat(40), false).len(), 1);
    }

    #[test]
    fn html_words_leave_out_tags_and_entities() {
        assert_eq!(
            words(
                "<p>Tom &amp; Jerry <a href=\"/secret\">said</a>&nbsp;hi</p>",
                true
            ),
            ["tom", "jerry", "said", "hi"]
        );
        assert_eq!(words("x&#39;s 5 &lt; 10 &; AT&T", true), ["10", "at"]);
        // Comments are Markdown as typed: nothing in them is a tag.
        assert_eq!(
            words("I <3 you <em>so</em>", false),
            ["you", "em", "so", "em"]
        );
    }

    #[test]
    fn plain_text_leaves_out_tags_and_reads_entities() {
        assert_eq!(
            plain_text("<p>Tom &amp; Jerry <a href=\"/x\">said</a> &lt;3</p>"),
            " Tom & Jerry  said  <3 "
        );
        assert_eq!(plain_text("a & b"), "a & b");
    }

    #[test]
    fn keys_give_back_their_terms() {
        for term in [
            "no",
            "contact",
            "sixteen-bytes-xx",
            "café",
            "a-term-longer-than-sixteen",
        ] {
            assert_eq!(Key::of(term).into_text(), term);
        }
        assert_eq!(Key::of("abc"), Key::of("abc"));
        assert_ne!(Key::of("abc"), Key::of("abcd"));
    }

    #[test]
    fn a_cache_reads_back_what_it_wrote_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(".public.mend-search");
        let mut cache = Cache::empty();
        let long = "a-term-longer-than-sixteen-bytes";
        let terms = [(Key::of("no"), 3), (Key::of(long), 40)];
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
            .windows(5)
            .position(|w| w == b"\x02no\x03\x00")
            .unwrap();
        let mut broken = bytes.clone();
        broken[at + 1] = 0xff;
        assert!(Cache::parse(&broken).is_none());
        let other = Cache::read(&dir.path().join("missing"));
        assert!(other.terms.is_empty() && other.changed);
    }

    #[test]
    fn scores_grow_slowly() {
        assert_eq!(score(1), 1);
        assert_eq!(score(2), 8);
        assert!(score(TITLE) > score(BODY * 10));
        assert!(score(u32::MAX) < 300);
    }
}
