//! The files of the index that the search page fetches: `meta.json`, the
//! documents in chunks (`d/<n>.json`, each with a line of text), and which
//! shard a term goes to.
//!
//! Not for weighing words (`search`) nor for the cache kept between builds
//! (`search::cache`).

use serde::Serialize;

use crate::content::Page;
use crate::date::Date;
use crate::render::PageRef;
use crate::site::Site;

/// Documents per chunk of `d/`: few, as the results of a query are spread
/// over the whole site and each one shown costs the reader its chunk.
pub(crate) const DOCS_PER_CHUNK: usize = 10;
/// The fewest and most shards: a small site gets few files, a large one
/// small files.
pub(super) const SHARDS: std::ops::RangeInclusive<usize> = 16..=256;
/// Characters of text shown under a result.
pub(super) const SNIPPET_CHARS: usize = 180;

/// A document as the results show it.
#[derive(Serialize)]
pub(super) struct DocView<'a> {
    /// The site path, without a leading slash.
    p: &'a str,
    t: &'a str,
    /// `2024-02-27`, or empty for an undated page.
    d: String,
    /// The description, or else the start of the text.
    x: String,
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
pub(super) fn documents(site: &Site) -> impl Iterator<Item = &Page> {
    site.articles.iter().rev().chain(&site.pages)
}

pub(super) fn document_count(site: &Site) -> usize {
    site.articles.len() + site.pages.len()
}

pub(super) fn doc_number(site: &Site, target: PageRef) -> usize {
    match target {
        PageRef::Article(i) => site.articles.len() - 1 - i,
        PageRef::Page(i) => site.articles.len() + i,
    }
}

/// The shard of a term among `count`: the FNV-1a hash of the UTF-8 of its
/// first two characters (the search page's script hashes a typed word the
/// same way, to fetch the one shard with every term that starts like it).
pub(super) fn shard_of(term: &str, count: usize) -> usize {
    let end = term.char_indices().nth(2).map_or(term.len(), |(i, _)| i);
    let hash = term[..end].bytes().fold(0x811c_9dc5_u32, |hash, b| {
        (hash ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    hash as usize % count
}

/// A line of text for a result.
pub(super) fn snippet(page: &Page) -> String {
    page.excerpt(SNIPPET_CHARS)
}
