//! The files of the index that the search page fetches: `meta.json`, one
//! file per document (`d/<n>.json`, with its text for a snippet of what
//! matched), and which shard a term goes to.
//!
//! Not for weighing words (`search`) nor for the cache kept between builds
//! (`search::cache`).

use serde::Serialize;

use super::Stems;
use crate::comments::thread::in_thread;
use crate::content::Page;
use crate::date::Date;
use crate::render::PageRef;
use crate::site::Site;

/// The fewest and most shards: a small site gets few files, a large one
/// small files.
pub(super) const SHARDS: std::ops::RangeInclusive<usize> = 16..=256;

/// The most characters of a document's text (description and body) its
/// file keeps for snippets, and of each comment's: a result costs the
/// reader at most this much, however long the article. A word found only
/// further on gets a snippet from the start.
pub(super) const TEXT_CHARS: usize = 20_000;
pub(super) const COMMENT_CHARS: usize = 1_000;

/// A document as a result shows it.
#[derive(Serialize)]
struct DocView<'a> {
    /// The site path, without a leading slash.
    p: &'a str,
    t: &'a str,
    /// `2024-02-27`, or empty for an undated page.
    d: String,
    /// The description (if any) and the body, as text on one line (the
    /// first `TEXT_CHARS`).
    x: String,
    /// The comments shown, in the order of their places in the shards'
    /// marks: id, name and text as written (Markdown), on one line (the
    /// first `COMMENT_CHARS`).
    c: Vec<[String; 3]>,
}

/// `meta.json`: how many documents and shards there are, and the stemmer
/// the terms were made with (empty where none). The search page carries
/// the same values (`Meta::of`), to save the reader a request.
pub(crate) fn meta_json(site: &Site) -> String {
    serde_json::to_string(&Meta::of(site)).unwrap_or_default()
}

/// What the search page must know of the index.
#[derive(Serialize)]
pub(crate) struct Meta {
    pub docs: usize,
    pub shards: usize,
    pub stem: &'static str,
}

impl Meta {
    pub(crate) fn of(site: &Site) -> Meta {
        Meta {
            docs: document_count(site),
            shards: shard_count(site),
            stem: Stems::for_language(&site.config.language).name(),
        }
    }
}

/// How many shards the index has: one for about eight documents, a power
/// of two within `SHARDS`.
pub(crate) fn shard_count(site: &Site) -> usize {
    let (fewest, most) = (*SHARDS.start(), *SHARDS.end());
    (document_count(site) / 8)
        .next_power_of_two()
        .clamp(fewest, most)
}

/// The number of `target`'s document file.
pub(crate) fn document_of(site: &Site, target: PageRef) -> usize {
    doc_number(site, target)
}

/// Document `n`: its path, title, date, text and comments.
pub(crate) fn doc_json(site: &Site, n: usize) -> String {
    let Some(page) = documents(site).nth(n) else {
        return String::new();
    };
    let comments = page.comments.iter().filter(|c| in_thread(c));
    let view = DocView {
        p: &page.path,
        t: &page.title,
        d: page.date.as_ref().map(Date::ymd).unwrap_or_default(),
        x: text_of(page),
        c: comments
            .map(|c| {
                let text = one_line([c.body.as_str()], COMMENT_CHARS);
                [c.id.clone(), c.author.clone(), text]
            })
            .collect(),
    };
    serde_json::to_string(&view).unwrap_or_default()
}

/// The description and the body of a page, as text on one line.
fn text_of(page: &Page) -> String {
    let body = crate::sanitize::rendered_text(&page.body.html);
    let description = page.description.as_deref().unwrap_or("");
    one_line([description, &body], TEXT_CHARS)
}

/// Texts joined on one line (every run of spaces, tabs and line breaks
/// made one space), their first `max_chars` characters.
pub(super) fn one_line<'a>(texts: impl IntoIterator<Item = &'a str>, max_chars: usize) -> String {
    let mut out = String::new();
    let mut chars = 0;
    for word in texts.into_iter().flat_map(str::split_ascii_whitespace) {
        let room = max_chars.saturating_sub(chars + usize::from(!out.is_empty()));
        if room == 0 {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
            chars += 1;
        }
        let cut = word
            .char_indices()
            .nth(room)
            .map_or(word.len(), |(at, _)| at);
        out.push_str(&word[..cut]);
        chars += word[..cut].chars().count();
    }
    out
}

/// Articles (oldest first, so that a new article takes a new number and
/// leaves the others' alone), then pages: a document's number is its place.
pub(super) fn documents(site: &Site) -> impl Iterator<Item = &Page> {
    site.articles.iter().rev().chain(&site.pages)
}

pub(crate) fn document_count(site: &Site) -> usize {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_of_text_has_single_spaces_and_a_bound() {
        assert_eq!(one_line(["  a  b\n\t c "], 100), "a b c");
        assert_eq!(one_line(["a b", "c"], 100), "a b c");
        assert_eq!(one_line(["a b c"], 4), "a b");
        assert_eq!(one_line(["a b c"], 5), "a b c");
        assert_eq!(one_line(["abcdef"], 3), "abc");
        assert_eq!(one_line(["été là"], 5), "été l");
        assert_eq!(one_line(["x"], 0), "");
    }
}
