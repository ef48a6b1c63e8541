//! Site search without a server: an index of every article and page (its
//! title, tags, description, text and approved comments), cut into small
//! files that the search page's script fetches as the reader types.
//!
//! The index has three kinds of files under `search/`:
//! - `meta.json`: how many documents there are, how many share a chunk,
//!   and the shards that exist;
//! - `t/<key>.json`, one shard per first two characters of a term (the key
//!   is their UTF-8 in hex): each term of the shard with its postings, a
//!   flat list of document number (as the gap from the one before) and
//!   score;
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

use rayon::prelude::*;
use serde::Serialize;

use crate::comments::thread::in_thread;
use crate::content::Page;
use crate::date::Date;
use crate::render::PageRef;
use crate::site::Site;

/// Documents per chunk of `d/`.
pub const DOCS_PER_CHUNK: usize = 500;
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
/// rewrites the shards its page is in.
pub struct Index {
    /// Shards by key, in key order (a shard's number is its place here).
    shards: Vec<(String, Shard)>,
    /// For each document, the shards that hold its terms (and, after an
    /// edit, the ones that held them before).
    doc_shards: Vec<Vec<usize>>,
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
        let terms: Vec<Vec<(String, u16)>> = documents(site)
            .collect::<Vec<_>>()
            .par_iter()
            .map(|page| terms_of(page))
            .collect();
        let mut by_key: BTreeMap<String, Shard> = BTreeMap::new();
        for (doc, list) in terms.iter().enumerate() {
            for (term, score) in list {
                let shard = by_key.entry(shard_key(term)).or_default();
                let posting = Posting {
                    doc: doc as u32,
                    score: *score,
                };
                match shard.get_mut(term.as_str()) {
                    Some(postings) => postings.push(posting),
                    None => {
                        shard.insert(term.clone(), vec![posting]);
                    }
                }
            }
        }
        let shards: Vec<(String, Shard)> = by_key.into_iter().collect();
        let doc_shards = terms
            .iter()
            .map(|list| shards_of(&shards, list).unwrap_or_default())
            .collect();
        Index { shards, doc_shards }
    }

    /// How many shard files there are.
    pub fn shard_count(&self) -> usize {
        self.shards.len()
    }

    /// The key of shard `n`, which names its file.
    pub fn shard_key(&self, n: usize) -> &str {
        &self.shards[n].0
    }

    /// The shards to write again after document `target` changed.
    pub fn shards_of(&self, site: &Site, target: PageRef) -> &[usize] {
        &self.doc_shards[doc_number(site, target)]
    }

    /// Takes the new text of `target` into the index. `false` when the
    /// edit adds a shard or empties one, which changes the set of files.
    pub fn refresh(&mut self, site: &Site, target: PageRef) -> bool {
        let doc = doc_number(site, target);
        let fresh = terms_of(target.page(site));
        let Some(new_shards) = shards_of(&self.shards, &fresh) else {
            return false;
        };
        let old_shards = std::mem::take(&mut self.doc_shards[doc]);
        for &n in &old_shards {
            for postings in self.shards[n].1.values_mut() {
                if let Ok(at) = postings.binary_search_by_key(&(doc as u32), |p| p.doc) {
                    postings.remove(at);
                }
            }
            self.shards[n].1.retain(|_, postings| !postings.is_empty());
        }
        for (term, score) in fresh {
            let n = self.shard_number(&shard_key(&term)).unwrap_or_default();
            let postings = self.shards[n].1.entry(term).or_default();
            let posting = Posting {
                doc: doc as u32,
                score,
            };
            let at = postings.partition_point(|p| p.doc < posting.doc);
            postings.insert(at, posting);
        }
        let emptied = self.shards.iter().any(|(_, shard)| shard.is_empty());
        let mut touched = old_shards;
        touched.extend(new_shards);
        touched.sort_unstable();
        touched.dedup();
        self.doc_shards[doc] = touched;
        !emptied
    }

    fn shard_number(&self, key: &str) -> Option<usize> {
        self.shards
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
    }

    /// `meta.json`.
    pub fn meta_json(&self, site: &Site) -> String {
        let keys: Vec<&str> = self.shards.iter().map(|(k, _)| k.as_str()).collect();
        serde_json::json!({
            "docs": document_count(site),
            "chunk": DOCS_PER_CHUNK,
            "shards": keys,
        })
        .to_string()
    }

    /// Shard `n`: `{"term":[gap,score,gap,score…],…}`.
    pub fn shard_json(&self, n: usize) -> String {
        let mut out = String::from("{");
        for (i, (term, postings)) in self.shards[n].1.iter().enumerate() {
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

/// How many chunk files the documents take.
pub fn chunk_count(site: &Site) -> usize {
    document_count(site).div_ceil(DOCS_PER_CHUNK).max(1)
}

/// The chunk that holds `target`.
pub fn chunk_of(site: &Site, target: PageRef) -> usize {
    doc_number(site, target) / DOCS_PER_CHUNK
}

/// Chunk `n` of the documents: a JSON list of path, title, date and text.
pub fn docs_json(site: &Site, n: usize) -> String {
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

/// The shards a document's terms are in, or `None` if one does not exist.
fn shards_of(shards: &[(String, Shard)], terms: &[(String, u16)]) -> Option<Vec<usize>> {
    let mut found: Vec<usize> = Vec::new();
    for (term, _) in terms {
        let key = shard_key(term);
        let n = shards
            .binary_search_by(|(k, _)| k.as_str().cmp(&key))
            .ok()?;
        found.push(n);
    }
    found.sort_unstable();
    found.dedup();
    Some(found)
}

/// A shard's key: the first two characters of the term, as hex UTF-8.
fn shard_key(term: &str) -> String {
    let end = term.char_indices().nth(2).map_or(term.len(), |(i, _)| i);
    term[..end].bytes().fold(String::new(), |mut key, b| {
        let _ = write!(key, "{b:02x}");
        key
    })
}

/// A page's terms with their scores: each place a term occurs adds its
/// weight, and the score grows with the logarithm of the sum, so a word
/// said a hundred times does not drown one said in the title.
fn terms_of(page: &Page) -> Vec<(String, u16)> {
    let title = page.title.to_lowercase();
    let tags = page.tags.join(" ").to_lowercase();
    let description = page.description.as_deref().unwrap_or("").to_lowercase();
    let body = plain_text(&page.body.html).to_lowercase();
    let comments: Vec<String> = page
        .comments
        .iter()
        .filter(|c| in_thread(c))
        .map(|c| c.body.to_lowercase())
        .collect();
    let mut weights: HashMap<&str, u32> = HashMap::new();
    let fields = [
        (&title, TITLE),
        (&tags, TAG),
        (&description, DESCRIPTION),
        (&body, BODY),
    ];
    let comments = comments.iter().map(|c| (c, COMMENT));
    for (text, weight) in fields.into_iter().chain(comments) {
        for word in words(text) {
            *weights.entry(word).or_default() += weight;
        }
    }
    let mut terms: Vec<(String, u16)> = weights
        .into_iter()
        .map(|(word, weight)| (word.to_string(), score(weight)))
        .collect();
    terms.sort_unstable();
    terms
}

/// A summed weight as a score from 1 up.
fn score(weight: u32) -> u16 {
    1 + (10.0 * f64::from(weight).ln()).round() as u16
}

/// The words of lowercased text worth indexing: runs of letters and
/// digits, two to forty characters long. The search page splits a query
/// the same way (`/[\p{Alphabetic}\p{N}]+/u`).
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().nth(1).is_some())
        .filter(|w| w.chars().nth(MAX_TERM_CHARS).is_none())
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
    fn shard_keys_are_the_first_two_characters_in_hex() {
        assert_eq!(shard_key("contact"), "636f");
        assert_eq!(shard_key("ex"), "6578");
        assert_eq!(shard_key("éte"), "c3a974");
    }

    #[test]
    fn words_are_letters_and_digits_of_two_characters_or_more() {
        let found: Vec<&str> = words("no contact—day 2, it's 2024 a é café").collect();
        assert_eq!(found, ["no", "contact", "day", "it", "2024", "café"]);
        let long = "x".repeat(41);
        assert_eq!(words(&long).count(), 0);
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
    fn scores_grow_slowly() {
        assert_eq!(score(1), 1);
        assert_eq!(score(2), 8);
        assert!(score(TITLE) > score(BODY * 10));
        assert!(score(u32::MAX) < 300);
    }
}
