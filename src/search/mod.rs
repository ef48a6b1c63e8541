//! Site search without a server: an index of every article and page (its
//! title, tags, description, text and approved comments), cut into small
//! files that the search page's script fetches as the reader types.
//!
//! The index has three kinds of files under `search/`:
//! - `meta.json`: how many documents there are, how many share a chunk,
//!   how many shards there are;
//! - `t/<n>.json` (`n` in hex), the shards: a term (a word's stem, see
//!   `search::stem`) goes to the shard its first two characters hash to
//!   (FNV-1a of their UTF-8), so all terms that start alike are in one
//!   file, and the number of shards depends on the number of documents
//!   only, never on their words. A shard maps each of its terms to its
//!   postings, a flat list of document number (as the gap from the one
//!   before) and mark (`Mark`: the score, and the comment the term is
//!   first found in when the article does not have it);
//! - `d/<n>.json`: document `n` (path, title, date, its text and its
//!   comments' for a snippet of what matched), fetched only for the
//!   results shown.
//!
//! A query fetches one shard per word and one document per result shown
//! (the search page carries what `meta.json` says): a few tens of kilobytes
//! where one JSON of the whole site would be megabytes.
//!
//! Here: which words a page has and what each weighs, and the index they
//! make; `search::stem`, words to stems; `search::files`, the JSON files
//! the page fetches; `search::cache`, what a build keeps for the next.
//!
//! Not for the search page (the theme's `search.html` and `search.js`)
//! nor for deciding where files go (`urls`).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use rayon::prelude::*;

use crate::comments::thread::in_thread;
use crate::content::Page;
use crate::render::PageRef;
use crate::site::Site;

mod cache;
mod files;
mod stem;

pub(crate) use cache::Cache;
use cache::{Packed, pack, unpack};
pub(crate) use files::{Meta, doc_json, document_count, document_of, meta_json, shard_count};
use files::{doc_number, documents, shard_of};
pub(crate) use stem::Stems;

/// Terms longer than this are not indexed (hashes, run-together URLs).
const MAX_TERM_CHARS: usize = 40;
/// Weights of where a term is found: a word of the title counts as much
/// as thirty-two of the comments.
const TITLE: u32 = 32;
const TAG: u32 = 12;
const DESCRIPTION: u32 = 4;
const BODY: u32 = 2;
const COMMENT: u32 = 1;

/// One document's mark for one term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Posting {
    doc: u32,
    mark: Mark,
}

/// Where in a document a term is first found: the article before its
/// comments, and comments in their order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Place {
    /// Its title, tags, description or body.
    Article,
    /// Only its comments: the `n`th comment shown (from 0), which the
    /// result links to.
    Comment(u32),
}

/// A term's score in a document and its `Place`, as one number, as the
/// shards and the cache carry it: the score (under `PLACES`) plus `PLACES`
/// times the place (0 for the article, 1 + n for comment n). Most terms
/// are in the article, and their mark is their score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Mark(u32);

/// What a mark's place is counted in.
const PLACES: u32 = 1024;

impl Mark {
    fn new(score: u16, place: Place) -> Mark {
        let place = match place {
            Place::Article => 0,
            Place::Comment(n) => n.saturating_add(1).min(u32::MAX / PLACES - 1),
        };
        Mark(place * PLACES + u32::from(score).min(PLACES - 1))
    }
}

/// The terms of one shard, each with its postings by document number.
type Shard = BTreeMap<String, Vec<Posting>>;

/// The whole index, kept between `serve`'s rebuilds so that an edit only
/// rewrites the shards it changed.
pub struct Index {
    shards: Vec<Shard>,
    /// For each document, with a cache, a key of what its file is made
    /// from (`Cache::made_from`); empty without.
    made_from: Vec<u64>,
    /// For each document `serve` took an edit of, the shards it changed.
    touched: HashMap<u32, Vec<usize>>,
}

impl Index {
    /// Indexes every article and page of `site`.
    pub fn new(site: &Site) -> Index {
        Index::build(site, None).0
    }

    /// The stemmer of `site`'s language.
    pub(crate) fn stems(site: &Site) -> Stems {
        Stems::for_language(&site.config.language)
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
        let stems = Index::stems(site);
        let mut all = docs
            .par_iter()
            .enumerate()
            .fold(Run::default, |mut run, (doc, page)| {
                run.add(doc as u32, page, &stems, cache);
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
        let mut made_from = vec![0; docs.len()];
        for &(doc, key) in &all.made_from {
            made_from[doc as usize] = key;
        }
        let index = Index {
            shards,
            made_from: if cache.is_some() {
                made_from
            } else {
                Vec::new()
            },
            touched: HashMap::new(),
        };
        (index, all)
    }

    /// A key of what the file of document `n` is made from, where this
    /// index was made with a cache: a file made from the same key holds the
    /// same bytes.
    pub(crate) fn made_from(&self, n: usize) -> Option<u64> {
        self.made_from.get(n).copied()
    }

    /// The shards that edits of `target` changed, to write again.
    pub fn shards_of(&self, site: &Site, target: PageRef) -> &[usize] {
        let doc = doc_number(site, target) as u32;
        self.touched.get(&doc).map_or(&[], Vec::as_slice)
    }

    /// Takes the new text of `target` into the index.
    pub fn refresh(&mut self, site: &Site, target: PageRef) {
        let doc = doc_number(site, target) as u32;
        // Its file is made anew from now on.
        self.made_from.clear();
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
        run.add(doc, target.page(site), &Index::stems(site), None);
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

    /// Shard `n`: `{"term":[gap,mark,gap,mark…],…}`.
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
                let _ = write!(out, "{sep}{},{}", p.doc - last, p.mark.0);
                last = p.doc;
            }
            out.push(']');
        }
        out.push('}');
        out
    }
}

/// The postings of a run of documents, and room to weigh one document,
/// reused from document to document.
#[derive(Default)]
struct Run {
    postings: Terms,
    weights: Weights<(u32, Place)>,
    /// The same by stem.
    terms: Weights<(u32, Place)>,
    /// The stems of the words met so far: a run meets each word thousands
    /// of times and stems it once.
    stems: Weights<Key>,
    word: String,
    /// The documents weighed: the hash of their text and their terms.
    weighed: Vec<(u64, Packed)>,
    /// The hashes of the documents found in the cache.
    found: Vec<u64>,
    /// For each document, a key of what its file is made from.
    made_from: Vec<(u32, u64)>,
}

impl Run {
    /// Adds document `doc`, with its terms from `cache` if it has them.
    fn add(&mut self, doc: u32, page: &Page, stems: &Stems, cache: Option<&Cache>) {
        let Some(cache) = cache else {
            let terms = self.weigh(page, stems);
            return self.post(doc, terms.into_iter());
        };
        let hash = cache.hash_of(page, stems.name());
        self.made_from.push((doc, cache.made_from(page, hash)));
        match cache.terms.get(&hash) {
            Some(packed) => {
                self.post(doc, unpack(packed));
                self.found.push(hash);
            }
            None => {
                let terms = self.weigh(page, stems);
                self.post(doc, terms.iter().cloned());
                self.weighed.push((hash, pack(&terms)));
            }
        }
    }

    /// The terms of a page and their marks: each place a term occurs adds
    /// its weight, and the score grows with the logarithm of the sum, so a
    /// word said a hundred times does not drown one said in the title.
    fn weigh(&mut self, page: &Page, stemmer: &Stems) -> Vec<(Key, Mark)> {
        let Run {
            weights,
            terms,
            stems,
            word,
            ..
        } = self;
        // Words first (most are said several times), then their stems.
        let mut add = |text: &str, weight: u32, html: bool, place: Place| {
            for_each_word(text, html, word, |w| {
                weights.entry(Key::of(w)).or_insert((0, place)).0 += weight;
            });
        };
        add(&page.title, TITLE, false, Place::Article);
        for tag in &page.tags {
            add(tag, TAG, false, Place::Article);
        }
        let description = page.description.as_deref().unwrap_or("");
        add(description, DESCRIPTION, false, Place::Article);
        add(&page.body.html, BODY, true, Place::Article);
        let comments = page.comments.iter().filter(|c| in_thread(c));
        for (n, comment) in comments.enumerate() {
            add(&comment.body, COMMENT, false, Place::Comment(n as u32));
        }
        for (word, (weight, place)) in weights.drain() {
            let term = stems.entry(word).or_insert_with_key(|word| {
                let word = word.clone().into_text();
                Key::of(&stemmer.stem(&word))
            });
            let (sum, first) = terms.entry(term.clone()).or_insert((0, place));
            *sum += weight;
            *first = (*first).min(place);
        }
        terms
            .drain()
            .map(|(term, (weight, place))| (term, Mark::new(score(weight), place)))
            .collect()
    }

    fn post(&mut self, doc: u32, terms: impl Iterator<Item = (Key, Mark)>) {
        for (term, mark) in terms {
            self.postings
                .entry(term)
                .or_default()
                .push(Posting { doc, mark });
        }
    }

    /// Two runs as one, `self` first.
    fn join(mut self, other: Run) -> Run {
        for (term, postings) in other.postings {
            self.postings.entry(term).or_default().extend(postings);
        }
        self.weighed.extend(other.weighed);
        self.found.extend(other.found);
        self.made_from.extend(other.made_from);
        self
    }
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
    fn rendered_text_leaves_out_tags_and_reads_entities() {
        assert_eq!(
            crate::sanitize::rendered_text("<p>Tom &amp; Jerry <a href=\"/x\">said</a> &lt;3</p>"),
            " Tom & Jerry  said  <3 "
        );
        assert_eq!(crate::sanitize::rendered_text("a & b"), "a & b");
        // As highlighted code and facades' titles are escaped.
        assert_eq!(
            crate::sanitize::rendered_text("<span>&#39;a&#39; &quot;b&quot;</span>"),
            " 'a' \"b\" "
        );
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
    fn scores_grow_slowly() {
        assert_eq!(score(1), 1);
        assert_eq!(score(2), 8);
        assert!(score(TITLE) > score(BODY * 10));
        assert!(score(u32::MAX) < 300);
    }
}
