//! The machine-read files of a site: the Atom feeds (the site's, one per tag
//! and per author, and the newest comments), `sitemap.xml` and
//! `robots.txt`, written with a real XML writer.
//!
//! Not for HTML pages (`render`).

use crate::comments::{Comment, thread};
use crate::content::Page;
use crate::date::Date;
use crate::sanitize;
use crate::site::Site;
use crate::taxonomy::Tag;
use crate::urls::{self, SITEMAP, TAGS_INDEX};
use crate::xml;

const ATOM_NS: &str = "http://www.w3.org/2005/Atom";
/// Atom threading extensions (RFC 4685), for comment counts.
const THREAD_NS: &str = "http://purl.org/syndication/thread/1.0";
const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

/// The Atom feed of the whole site.
pub(crate) fn site_feed(site: &Site) -> Vec<u8> {
    let title = &site.config.title;
    let feed = site.urls.permalink(&urls::feed_path(""));
    let home = site.urls.permalink("");
    atom(site, title, &feed, &home, site.articles.iter())
}

/// The Atom feed of one tag.
pub(crate) fn tag_feed(site: &Site, tag: &Tag) -> Vec<u8> {
    let title = format!("{} – {}", site.config.title, tag.name);
    atom(
        site,
        &title,
        &tag.feed_url,
        &tag.permalink,
        site.tag_articles(tag),
    )
}

/// The Atom feed of one author.
pub(crate) fn author_feed(site: &Site, author: &Tag) -> Vec<u8> {
    let title = format!("{} – by {}", site.config.title, author.name);
    atom(
        site,
        &title,
        &author.feed_url,
        &author.permalink,
        site.tag_articles(author),
    )
}

/// How many comments the comments feed carries.
pub(crate) const COMMENTS_FEED_LIMIT: usize = 50;

/// The Atom feed of the newest approved comments of the whole site (not
/// pingbacks or trackbacks), as WordPress has one.
pub(crate) fn comments_feed(site: &Site) -> Vec<u8> {
    let mut all: Vec<(&Page, &Comment)> = site
        .articles
        .iter()
        .chain(&site.pages)
        .flat_map(|page| {
            page.comments
                .iter()
                .filter(|c| thread::in_thread(c))
                .map(move |c| (page, c))
        })
        .collect();
    let newest_first = |a: &(&Page, &Comment), b: &(&Page, &Comment)| {
        b.1.date
            .cmp(&a.1.date)
            .then_with(|| a.0.permalink.cmp(&b.0.permalink))
            .then_with(|| a.1.id.cmp(&b.1.id))
    };
    if all.len() > COMMENTS_FEED_LIMIT {
        all.select_nth_unstable_by(COMMENTS_FEED_LIMIT, newest_first);
        all.truncate(COMMENTS_FEED_LIMIT);
    }
    all.sort_by(newest_first);
    let config = &site.config;
    let feed_url = site.urls.permalink(urls::COMMENTS_FEED);
    let home = site.urls.permalink("");
    let updated = all.first().map_or_else(
        || "1970-01-01T00:00:00Z".to_string(),
        |(_, c)| c.date.rfc3339(),
    );
    atom_document(site, |w| {
        xml::text(w, "title", &format!("Comments on {}", config.title));
        feed_links(w, &feed_url, &home);
        xml::text(w, "id", &feed_url);
        xml::text(w, "updated", &updated);
        xml::text(w, "generator", "mend");
        for (page, comment) in &all {
            comment_entry(w, page, comment, &config.base_url);
        }
    })
}

fn comment_entry(w: &mut xml::Xml, page: &Page, comment: &Comment, site_address: &str) {
    let link = format!("{}#comment-{}", page.permalink, comment.id);
    let date = comment.date.rfc3339();
    xml::parent(w, "entry", &[], |w| {
        let title = format!("{} on “{}”", comment.author, page.title);
        xml::text(w, "title", &title);
        html_link(w, &link);
        xml::text(w, "id", &link);
        xml::text(w, "published", &date);
        xml::text(w, "updated", &date);
        xml::parent(w, "author", &[], |w| {
            xml::text(w, "name", &comment.author);
            if let Some(url) = &comment.url {
                xml::text(w, "uri", url);
            }
        });
        let reply_to = [
            ("ref", page.permalink.as_str()),
            ("type", "text/html"),
            ("href", page.permalink.as_str()),
        ];
        xml::empty(w, "thr:in-reply-to", &reply_to);
        let body = sanitize::comment_body(&comment.body, site_address);
        xml::text_with(w, "content", &[("type", "html")], &body);
    });
}

/// `robots.txt`: everything allowed, and where the sitemap is.
pub(crate) fn robots(site: &Site) -> String {
    let sitemap = site.urls.permalink(SITEMAP);
    format!("User-agent: *\nAllow: /\n\nSitemap: {sitemap}\n")
}

/// The date a feed or sitemap entry last changed.
fn last_change(page: &Page) -> Option<Date> {
    page.updated.max(page.date)
}

/// An Atom 1.0 feed of the newest `feed_limit` of `articles`, at
/// `feed_url`, of the list at `html_url`.
fn atom<'a>(
    site: &Site,
    title: &str,
    feed_url: &str,
    html_url: &str,
    articles: impl Iterator<Item = &'a Page>,
) -> Vec<u8> {
    let config = &site.config;
    let entries: Vec<&Page> = articles.take(config.feed_limit).collect();
    let updated = entries
        .iter()
        .filter_map(|p| last_change(p))
        .max()
        .map_or_else(|| "1970-01-01T00:00:00Z".to_string(), |d| d.rfc3339());
    atom_document(site, |w| {
        xml::text(w, "title", title);
        if !config.description.is_empty() {
            xml::text(w, "subtitle", &config.description);
        }
        feed_links(w, feed_url, html_url);
        xml::text(w, "id", feed_url);
        xml::text(w, "updated", &updated);
        xml::parent(w, "author", &[], |w| xml::text(w, "name", &config.title));
        xml::text(w, "generator", "mend");
        for page in &entries {
            entry(w, site, page);
        }
    })
}

/// An Atom document whose `feed` element `fill` writes.
fn atom_document(site: &Site, fill: impl FnOnce(&mut xml::Xml)) -> Vec<u8> {
    let mut writer = xml::document("utf-8", b' ', 2);
    let namespaces = [
        ("xmlns", ATOM_NS),
        ("xmlns:thr", THREAD_NS),
        ("xml:lang", site.config.language.as_str()),
    ];
    xml::parent(&mut writer, "feed", &namespaces, fill);
    writer.into_inner()
}

/// A feed's links: to itself, and to the page it follows.
fn feed_links(w: &mut xml::Xml, feed_url: &str, html_url: &str) {
    let link = [
        ("rel", "self"),
        ("type", "application/atom+xml"),
        ("href", feed_url),
    ];
    xml::empty(w, "link", &link);
    html_link(w, html_url);
}

/// A link to the web page of a feed or an entry.
fn html_link(w: &mut xml::Xml, href: &str) {
    let link = [("rel", "alternate"), ("type", "text/html"), ("href", href)];
    xml::empty(w, "link", &link);
}

fn entry(w: &mut xml::Xml, site: &Site, page: &Page) {
    let config = &site.config;
    let permalink = &page.permalink;
    let published = page.date.map(|d| d.rfc3339()).unwrap_or_default();
    let updated = last_change(page).map(|d| d.rfc3339()).unwrap_or_default();
    xml::parent(w, "entry", &[], |w| {
        xml::text(w, "title", &page.title);
        html_link(w, permalink);
        let count = thread::approved_count(&page.comments).to_string();
        let replies = format!("{permalink}#comments");
        let replies_link = [
            ("rel", "replies"),
            ("type", "text/html"),
            ("href", replies.as_str()),
            ("thr:count", count.as_str()),
        ];
        xml::empty(w, "link", &replies_link);
        xml::text(w, "id", permalink);
        xml::text(w, "thr:total", &count);
        xml::text(w, "published", &published);
        xml::text(w, "updated", &updated);
        if let Some(author) = &page.author {
            let name = config
                .authors
                .get(author)
                .map_or(author.as_str(), |a| a.name.as_str());
            xml::parent(w, "author", &[], |w| xml::text(w, "name", name));
        }
        for (tag, slug) in page.tags.iter().zip(&page.tag_slugs) {
            let scheme = site.urls.permalink(&urls::tag_path(slug));
            let category = [("term", tag.as_str()), ("scheme", scheme.as_str())];
            xml::empty(w, "category", &category);
        }
        // The description is plain text; the summary is HTML. Links of the
        // body are made absolute: feed readers show them anywhere.
        let root = site.urls.permalink("");
        match page.description.as_deref() {
            Some(description) => xml::text_with(w, "summary", &[("type", "text")], description),
            None => xml::text_with(
                w,
                "summary",
                &[("type", "html")],
                &urls::fill_root(&page.body.summary, &root),
            ),
        }
        let content = [("type", "html"), ("xml:base", permalink.as_str())];
        xml::text_with(
            w,
            "content",
            &content,
            &urls::fill_root(&page.body.html, &root),
        );
    });
}

/// Every listed URL of the site, with the date it last changed.
pub(crate) fn sitemap(site: &Site) -> Vec<u8> {
    let newest = site.articles.iter().filter_map(last_change).max();
    let home = site.urls.permalink("");
    let tags = site.urls.permalink(TAGS_INDEX);
    let mut listed: Vec<(&str, Option<Date>)> = vec![(&home, newest), (&tags, newest)];
    let archive = site.urls.permalink(urls::ARCHIVE);
    listed.push((&archive, newest));
    for list in site.tags.iter().chain(&site.authors) {
        let changed = site.tag_articles(list).filter_map(last_change).max();
        listed.push((&list.permalink, changed));
    }
    for page in site.articles.iter().chain(&site.pages) {
        listed.push((&page.permalink, last_change(page)));
    }
    let mut writer = xml::document("utf-8", b' ', 2);
    xml::parent(&mut writer, "urlset", &[("xmlns", SITEMAP_NS)], |w| {
        for (loc, changed) in &listed {
            xml::parent(w, "url", &[], |w| {
                xml::text(w, "loc", loc);
                if let Some(date) = changed {
                    xml::text(w, "lastmod", &date.rfc3339());
                }
            });
        }
    });
    writer.into_inner()
}
