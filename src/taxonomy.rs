//! Tags: grouping articles by tag, merging tags that slug the same.
//!
//! Not for rendering tag pages (`render`) or their feeds (`feed`).

use std::collections::{BTreeMap, HashMap};

use crate::content::Page;

/// The folder of the output that holds the tag pages.
pub const TAGS_DIR: &str = "tags";

/// One tag and the articles that carry it.
#[derive(Debug, Clone)]
pub struct Tag {
    /// The name as first written (in date order, newest first).
    pub name: String,
    pub slug: String,
    /// `tags/<slug>/`.
    pub path: String,
    /// Indices into the site's articles, newest first.
    pub articles: Vec<usize>,
}

/// The path of a tag page from a tag's name.
pub fn tag_path(slug: &str) -> String {
    format!("{TAGS_DIR}/{slug}/")
}

/// Each tag's index in `tags`, by slug.
pub fn index_by_slug(tags: &[Tag]) -> HashMap<String, usize> {
    tags.iter()
        .enumerate()
        .map(|(i, t)| (t.slug.clone(), i))
        .collect()
}

/// Groups `articles` (already newest first) by tag slug, sorted by slug.
/// Returns the tags and a warning for each pair of names that were merged.
pub fn collect_tags(articles: &[Page]) -> (Vec<Tag>, Vec<String>) {
    let mut by_slug: BTreeMap<String, Tag> = BTreeMap::new();
    let mut warnings = Vec::new();
    for (index, article) in articles.iter().enumerate() {
        for (name, slug) in article.tags.iter().zip(&article.tag_slugs) {
            let slug = slug.clone();
            if slug.is_empty() {
                warnings.push(format!(
                    "{}: tag `{name}` has no letters or digits to make a URL from; it is left out",
                    article.source.display()
                ));
                continue;
            }
            let tag = by_slug.entry(slug.clone()).or_insert_with(|| Tag {
                name: name.clone(),
                path: tag_path(&slug),
                slug: slug.clone(),
                articles: Vec::new(),
            });
            if tag.name != *name && !warnings_mention(&warnings, &tag.name, name) {
                warnings.push(format!(
                    "tags `{}` and `{name}` both become /{}; they are merged into one tag ({})",
                    tag.name,
                    tag.path,
                    article.source.display()
                ));
            }
            if tag.articles.last() != Some(&index) {
                tag.articles.push(index);
            }
        }
    }
    (by_slug.into_values().collect(), warnings)
}

fn warnings_mention(warnings: &[String], a: &str, b: &str) -> bool {
    let key = format!("tags `{a}` and `{b}`");
    warnings.iter().any(|w| w.starts_with(&key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Kind, Page};
    use crate::slug::slugify;

    fn article(tags: &[&str]) -> Page {
        Page {
            source: "content/posts/x.md".into(),
            kind: Kind::Article,
            slug: "x".into(),
            path: "posts/x/".into(),
            title: "X".into(),
            date: None,
            updated: None,
            tags: tags.iter().map(|t| t.to_string()).collect(),
            tag_slugs: tags.iter().map(|t| slugify(t)).collect(),
            author: None,
            description: None,
            draft: false,
            aliases: vec![],
            comments_open: true,
            body: Default::default(),
            assets: vec![],
            extra: serde_json::Value::Null,
            comments: vec![],
        }
    }

    #[test]
    fn tags_that_slug_the_same_merge_with_one_warning() {
        let articles = vec![
            article(&["No Contact", "healing"]),
            article(&["no contact", "No Contact!"]),
            article(&["no contact"]),
        ];
        let (tags, warnings) = collect_tags(&articles);
        assert_eq!(tags.len(), 2);
        assert_eq!(tags[1].slug, "no-contact");
        assert_eq!(tags[1].name, "No Contact");
        assert_eq!(tags[1].articles, vec![0, 1, 2]);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
    }
}
