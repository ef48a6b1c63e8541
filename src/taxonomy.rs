//! Tags: grouping articles by tag, merging tags that slug the same, and
//! finding the articles that share the most tags.
//!
//! Not for rendering tag pages (`render`) or their feeds (`feed`).

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use crate::content::Page;
use crate::error::Warning;
use crate::slug::slugify;
use crate::urls::{self, Urls};

/// One tag and the articles that carry it.
#[derive(Debug, Clone)]
pub struct Tag {
    /// The name as first written (in date order, newest first).
    pub name: String,
    pub slug: String,
    /// `tags/<slug>/`, its URLs, and those of its feed (see `urls`).
    pub path: String,
    pub url: String,
    pub permalink: String,
    pub feed_path: String,
    pub feed_url: String,
    /// Indices into the site's articles, newest first.
    pub articles: Vec<usize>,
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
pub fn collect_tags(articles: &[Page], urls: &Urls) -> (Vec<Tag>, Vec<Warning>) {
    let mut by_slug: BTreeMap<String, Tag> = BTreeMap::new();
    let mut warnings = Vec::new();
    for (index, article) in articles.iter().enumerate() {
        for (name, slug) in article.tags.iter().zip(&article.tag_slugs) {
            let slug = slug.clone();
            if slug.is_empty() {
                warnings.push(Warning::EmptyTag {
                    name: name.clone(),
                    article: article.source.clone(),
                });
                continue;
            }
            let tag = by_slug
                .entry(slug.clone())
                .or_insert_with(|| new_tag(name, &slug, urls));
            let merged = |w: &Warning| matches!(w, Warning::MergedTags { first, other, .. } if *first == tag.name && other == name);
            if tag.name != *name && !warnings.iter().any(merged) {
                warnings.push(Warning::MergedTags {
                    first: tag.name.clone(),
                    other: name.clone(),
                    path: tag.path.clone(),
                    article: article.source.clone(),
                });
            }
            if tag.articles.last() != Some(&index) {
                tag.articles.push(index);
            }
        }
    }
    (by_slug.into_values().collect(), warnings)
}

/// The authors of `[authors]` who wrote at least one of `articles` (newest
/// first), each as a list with its own pages and feed, by key.
pub fn collect_authors(
    articles: &[Page],
    authors: &BTreeMap<String, crate::config::AuthorConfig>,
    urls: &Urls,
) -> Vec<Tag> {
    let mut written: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, article) in articles.iter().enumerate() {
        if let Some(key) = article.author.as_deref() {
            written.entry(key).or_default().push(i);
        }
    }
    let mut lists: Vec<Tag> = Vec::new();
    for (key, author) in authors {
        let slug = slugify(key);
        let Some(articles) = written.remove(key.as_str()) else {
            continue;
        };
        if slug.is_empty() {
            continue;
        }
        let mut list = new_list(&author.name, &slug, urls::author_path(&slug), urls);
        list.articles = articles;
        lists.push(list);
    }
    lists
}

fn new_tag(name: &str, slug: &str, urls: &Urls) -> Tag {
    new_list(name, slug, urls::tag_path(slug), urls)
}

/// A list of articles at `path`, empty for now.
fn new_list(name: &str, slug: &str, path: String, urls: &Urls) -> Tag {
    let feed_path = urls::feed_path(&path);
    Tag {
        name: name.to_string(),
        slug: slug.to_string(),
        url: urls.url(&path),
        permalink: urls.permalink(&path),
        feed_url: urls.permalink(&feed_path),
        feed_path,
        path,
        articles: Vec::new(),
    }
}

/// For each article, the `count` articles sharing the most tags with it,
/// newest first among equals.
///
/// Each tag is a bitset over the articles (bit `j`: article `j` has it), so
/// the tags two articles share are counted 64 articles at a time with a few
/// word operations. Tags on many articles keep a bitset for the whole run;
/// the others are spread into scratch sets article by article, which costs
/// no more than walking their lists.
pub fn related_articles(articles: usize, tags: &[Tag], count: usize) -> Vec<Vec<usize>> {
    let words = articles.div_ceil(64);
    let dense: Vec<Option<Vec<u64>>> = tags
        .iter()
        .map(|tag| (tag.articles.len() >= words).then(|| bitset(&tag.articles, words)))
        .collect();
    let mut tags_of: Vec<Vec<usize>> = vec![Vec::new(); articles];
    for (t, tag) in tags.iter().enumerate() {
        for &a in &tag.articles {
            tags_of[a].push(t);
        }
    }
    tags_of
        .par_iter()
        .enumerate()
        .map_init(Vec::new, |scratch: &mut Vec<Vec<u64>>, (i, mine)| {
            let sparse: Vec<&[usize]> = mine
                .iter()
                .filter(|&&t| dense[t].is_none())
                .map(|&t| tags[t].articles.as_slice())
                .collect();
            scratch.resize_with(scratch.len().max(sparse.len()), || vec![0; words]);
            for (set, members) in scratch.iter_mut().zip(&sparse) {
                fill(set, members, true);
            }
            let mut sets: Vec<&[u64]> = mine.iter().filter_map(|&t| dense[t].as_deref()).collect();
            sets.extend(scratch[..sparse.len()].iter().map(Vec::as_slice));
            let best = most_shared(&sets, i, count);
            for (set, members) in scratch.iter_mut().zip(&sparse) {
                fill(set, members, false);
            }
            best
        })
        .collect()
}

fn bitset(members: &[usize], words: usize) -> Vec<u64> {
    let mut set = vec![0; words];
    fill(&mut set, members, true);
    set
}

/// Sets or clears the bits of `members`.
fn fill(set: &mut [u64], members: &[usize], on: bool) {
    for &j in members {
        let bit = 1 << (j % 64);
        if on {
            set[j / 64] |= bit;
        } else {
            set[j / 64] &= !bit;
        }
    }
}

/// The `count` articles (other than `me`) in the most of `sets`, lowest
/// index first among equals.
fn most_shared(sets: &[&[u64]], me: usize, count: usize) -> Vec<usize> {
    let k = sets.len();
    // found[c]: the first articles in exactly c of the sets.
    let mut found: Vec<Vec<usize>> = vec![Vec::new(); k + 1];
    // at_least[c]: bits of the articles in c or more of the sets.
    let mut at_least = vec![0u64; k + 2];
    let words = sets.first().map_or(0, |s| s.len());
    for w in 0..words {
        at_least.fill(0);
        at_least[0] = !0;
        for set in sets {
            let mut bits = set[w];
            if w == me / 64 {
                bits &= !(1 << (me % 64));
            }
            for c in (1..=k).rev() {
                at_least[c] |= at_least[c - 1] & bits;
            }
        }
        for c in 1..=k {
            let mut exactly = at_least[c] & !at_least[c + 1];
            while exactly != 0 && found[c].len() < count {
                found[c].push(w * 64 + exactly.trailing_zeros() as usize);
                exactly &= exactly - 1;
            }
        }
        if found[k].len() >= count {
            break; // no later article can share more, or be newer
        }
    }
    found.into_iter().rev().flatten().take(count).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bitset search for related articles agrees with counting every pair.
    #[test]
    fn related_articles_match_a_brute_force_count() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("site.toml"),
            "title = \"t\"\nbase_url = \"https://t.example\"\n",
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("content/posts")).unwrap();
        let mut seed: u64 = 7;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        for i in 0..400 {
            // Skewed tags: tag 0 on most articles, higher tags ever rarer,
            // and some on a handful of articles only (kept as lists).
            let tags: Vec<String> = (0..1 + next() % 6)
                .map(|_| match next() % 4 {
                    0 => format!("\"rare{}\"", next() % 150),
                    _ => format!("\"t{}\"", (next() % 8) * (next() % 3)),
                })
                .collect();
            let text = format!(
                "+++\ntitle = \"A{i}\"\ndate = 2024-01-01T{:02}:{:02}:00Z\ntags = [{}]\n+++\nBody.\n",
                i / 60 % 24,
                i % 60,
                tags.join(", ")
            );
            std::fs::write(dir.path().join(format!("content/posts/a{i}.md")), text).unwrap();
        }
        let site = crate::site::Site::load(dir.path(), &Default::default()).unwrap();
        let fast = related_articles(site.articles.len(), &site.tags, 3);
        for (i, article) in site.articles.iter().enumerate() {
            let mine = site.tag_ids(article);
            let mut all: Vec<(usize, usize)> = (0..site.articles.len())
                .filter(|&j| j != i)
                .map(|j| {
                    (
                        site.tag_ids(&site.articles[j])
                            .iter()
                            .filter(|t| mine.contains(t))
                            .count(),
                        j,
                    )
                })
                .filter(|(shared, _)| *shared > 0)
                .collect();
            all.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            let slow: Vec<usize> = all.into_iter().take(3).map(|(_, j)| j).collect();
            assert_eq!(fast[i], slow, "article {i}");
        }
    }
    use crate::content::{Kind, Page};
    use crate::slug::slugify;

    fn article(tags: &[&str]) -> Page {
        Page {
            source: "content/posts/x.md".into(),
            kind: Kind::Article,
            slug: "x".into(),
            path: "posts/x/".into(),
            url: "/posts/x/".into(),
            permalink: "https://t.example/posts/x/".into(),
            title: "X".into(),
            date: None,
            updated: None,
            tags: tags.iter().map(ToString::to_string).collect(),
            tag_slugs: tags.iter().map(|t| slugify(t)).collect(),
            author: None,
            description: None,
            draft: false,
            aliases: vec![],
            allows_comments: true,
            image: None,
            sticky: false,
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
        let config = "title = \"t\"\nbase_url = \"https://t.example\"";
        let urls = Urls::new(&crate::config::Config::parse(config, "site.toml".as_ref()).unwrap());
        let (tags, warnings) = collect_tags(&articles, &urls);
        assert_eq!(tags.len(), 2);
        assert_eq!(tags[1].slug, "no-contact");
        assert_eq!(tags[1].name, "No Contact");
        assert_eq!(tags[1].articles, vec![0, 1, 2]);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
    }
}
