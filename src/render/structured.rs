//! Structured data for search engines: the JSON-LD of an article
//! (`BlogPosting`, with its approved comments as `Comment` items, replies
//! pointing at their parent) or a standalone page (`WebPage`).
//!
//! Not for the Open Graph tags, which templates write from the page value.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::comments::{Comment, CommentKind, Status};
use crate::content::{Kind, Page};
use crate::markdown::text_of;
use crate::site::Site;

/// The JSON-LD of a page, ready to sit inside `<script type="application/ld+json">`.
pub(super) fn json_ld(site: &Site, page: &Page, image: Option<&str>) -> String {
    let shown: Vec<&Comment> = page
        .comments
        .iter()
        .filter(|c| c.status == Status::Approved && c.kind == CommentKind::Comment)
        .collect();
    let ids: HashSet<&str> = shown.iter().map(|c| c.id.as_str()).collect();
    let anchor = |id: &str| format!("{}#comment-{id}", page.permalink);
    let comments: Vec<Value> = shown
        .iter()
        .map(|c| {
            let mut item = json!({
                "@type": "Comment",
                "@id": anchor(&c.id),
                "url": anchor(&c.id),
                "author": person(&c.author, c.url.as_deref()),
                "datePublished": c.date.rfc3339(),
                "text": text_of(&c.body),
            });
            if let Some(parent) = c.parent.as_deref().filter(|p| ids.contains(p)) {
                item["parentItem"] = json!({ "@id": anchor(parent) });
            }
            item
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
    let mut data = json!({
        "@context": "https://schema.org",
        "@type": if page.kind == Kind::Article { "BlogPosting" } else { "WebPage" },
        "@id": page.permalink,
        "url": page.permalink,
        "mainEntityOfPage": page.permalink,
        "headline": page.title,
        "inLanguage": site.config.language,
        "isPartOf": { "@type": "Blog", "name": site.config.title, "url": site.urls.permalink("") },
        "commentCount": comments.len(),
    });
    let fields = [
        ("description", page.description.as_deref().map(Value::from)),
        ("datePublished", page.date.map(|d| d.rfc3339().into())),
        (
            "dateModified",
            page.updated.or(page.date).map(|d| d.rfc3339().into()),
        ),
        ("author", author),
        ("image", image.map(Value::from)),
        (
            "keywords",
            (!page.tags.is_empty()).then(|| page.tags.join(", ").into()),
        ),
        ("comment", (!comments.is_empty()).then(|| comments.into())),
    ];
    for (key, value) in fields {
        if let Some(value) = value {
            data[key] = value;
        }
    }
    script_safe(&data.to_string())
}

fn person(name: &str, url: Option<&str>) -> Value {
    match url {
        Some(url) => json!({ "@type": "Person", "name": name, "url": url }),
        None => json!({ "@type": "Person", "name": name }),
    }
}

/// JSON that cannot end its `<script>` element early: `<`, `>` and `&` are
/// written as `\u` escapes, which JSON allows in strings (the only place
/// they can be).
fn script_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
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
        let back: Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back["text"], "</script><script>alert(1)</script> & <!--");
    }
}
