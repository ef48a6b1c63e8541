//! Structured data for search engines: the JSON-LD of an article
//! (`BlogPosting`, with its approved comments as `Comment` items, replies
//! pointing at their parent) or a standalone page (`WebPage`).
//!
//! Not for the Open Graph tags, which templates write from the page value.

use std::collections::HashMap;

use serde::Serialize;

use crate::comments::Comment;
use crate::comments::thread::in_thread;
use crate::content::{Kind, Page};
use crate::markdown::text_of;
use crate::site::Site;

/// A page's JSON-LD. Fields are in the order of their names, as a JSON
/// object's keys are written everywhere else in mend (serde_json's map).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Data<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@id")]
    id: &'a str,
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<Person<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    comment: Vec<CommentItem<'a>>,
    comment_count: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_modified: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_published: Option<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    description: String,
    headline: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a str>,
    in_language: &'a str,
    is_part_of: Blog<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    keywords: Option<String>,
    main_entity_of_page: &'a str,
    publisher: Blog<'a>,
    url: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CommentItem<'a> {
    #[serde(rename = "@id")]
    id: &'a str,
    #[serde(rename = "@type")]
    kind: &'static str,
    author: Person<'a>,
    date_published: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent_item: Option<Reference<'a>>,
    text: String,
    url: &'a str,
}

#[derive(Serialize)]
struct Reference<'a> {
    #[serde(rename = "@id")]
    id: &'a str,
}

#[derive(Serialize)]
struct Person<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

#[derive(Serialize)]
struct Blog<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    url: String,
}

/// The JSON-LD of a page, ready to sit inside `<script type="application/ld+json">`.
pub(super) fn json_ld(site: &Site, page: &Page, image: Option<&str>) -> String {
    let shown: Vec<&Comment> = page.comments.iter().filter(|c| in_thread(c)).collect();
    let anchors: Vec<String> = shown
        .iter()
        .map(|c| format!("{}#comment-{}", page.permalink, c.id))
        .collect();
    let anchor_of: HashMap<&str, &str> = shown
        .iter()
        .zip(&anchors)
        .map(|(c, anchor)| (c.id.as_str(), anchor.as_str()))
        .collect();
    let comment: Vec<CommentItem> = shown
        .iter()
        .zip(&anchors)
        .map(|(c, anchor)| CommentItem {
            id: anchor,
            kind: "Comment",
            author: person(&c.author, c.url.as_deref()),
            date_published: c.date.rfc3339(),
            parent_item: c
                .parent
                .as_deref()
                .and_then(|p| anchor_of.get(p))
                .map(|id| Reference { id }),
            text: text_of(&c.body),
            url: anchor,
        })
        .collect();
    let author = page.author.as_deref().map(|key| {
        let name = site
            .config
            .authors
            .get(key)
            .map_or(key, |a| a.name.as_str());
        person(name, None)
    });
    let data = Data {
        context: "https://schema.org",
        id: &page.permalink,
        kind: if page.kind == Kind::Article {
            "BlogPosting"
        } else {
            "WebPage"
        },
        author,
        comment_count: comment.len(),
        comment,
        date_modified: page.updated.or(page.date).map(|d| d.rfc3339()),
        date_published: page.date.map(|d| d.rfc3339()),
        description: page.excerpt(super::views::META_DESCRIPTION_CHARS),
        headline: &page.title,
        image,
        in_language: &site.config.language,
        is_part_of: Blog {
            kind: "Blog",
            name: &site.config.title,
            url: site.urls.permalink(""),
        },
        keywords: (!page.tags.is_empty()).then(|| page.tags.join(", ")),
        main_entity_of_page: &page.permalink,
        // The blog publishes what it holds.
        publisher: Blog {
            kind: "Organization",
            name: &site.config.title,
            url: site.urls.permalink(""),
        },
        url: &page.permalink,
    };
    // Strings and numbers only: serializing cannot fail.
    let json = serde_json::to_string(&data).unwrap_or_default();
    script_safe(&json)
}

fn person<'a>(name: &'a str, url: Option<&'a str>) -> Person<'a> {
    Person {
        kind: "Person",
        name,
        url,
    }
}

/// JSON that cannot end its `<script>` element early: `<`, `>` and `&` are
/// written as `\u` escapes, which JSON allows in strings (the only place
/// they can be).
fn script_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let mut from = 0;
    for at in memchr::memchr3_iter(b'<', b'>', b'&', json.as_bytes()) {
        out.push_str(&json[from..at]);
        out.push_str(match json.as_bytes()[at] {
            b'<' => "\\u003c",
            b'>' => "\\u003e",
            _ => "\\u0026",
        });
        from = at + 1;
    }
    out.push_str(&json[from..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_ends_cannot_escape() {
        let json =
            serde_json::json!({"text": "</script><script>alert(1)</script> & <!--"}).to_string();
        let safe = script_safe(&json);
        assert!(!safe.contains('<') && !safe.contains('>'));
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back["text"], "</script><script>alert(1)</script> & <!--");
    }
}
