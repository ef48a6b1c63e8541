//! The values templates see: the site, each page's summary (what lists and
//! neighbours show) and body (what only its own page shows), tags and
//! pagers, built once per site and refreshed page by page by `serve`. Every
//! URL is borrowed from the model (`urls`), never made here.
//!
//! Not for rendering (`render`).

use std::borrow::Cow;
use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Value};

use super::plan::page_count;
use super::structured;
use super::{PageRef, root_prefix};
use crate::comments::thread::{self, ThreadComment};
use crate::content::{Kind, Page};
use crate::date::{Date, DateView};
use crate::images;
use crate::markdown::{TocEntry, render_plain};
use crate::search;
use crate::site::Site;
use crate::slug::slugify;
use crate::taxonomy::{Tag, related_articles};
use crate::theme::Source;
use crate::urls;

/// How many related articles an article shows.
const RELATED_COUNT: usize = 3;
/// The site icons a theme links when `static/` has one, best first.
const FAVICONS: [&str; 3] = ["favicon.svg", "favicon.png", "favicon.ico"];
/// The length of a description search engines show whole.
pub(crate) const META_DESCRIPTION_CHARS: usize = 155;
/// Words read per minute, for the reading time.
const WORDS_PER_MINUTE: usize = 200;

/// The template values shared by many pages, built once per site and
/// refreshed page by page by `serve`.
pub struct Views {
    config: Value,
    authors: BTreeMap<String, AuthorView>,
    /// The parts of summaries that many summaries share.
    shared: Shared,
    /// Summary values of the articles and pages, in site order.
    articles: Vec<Value>,
    pages: Vec<Value>,
    tags: Vec<Value>,
    related: Vec<Vec<usize>>,
    /// The items of the index: sticky articles first, then the others,
    /// each newest first.
    index_order: Vec<usize>,
    /// Pager links of the index, and of each tag.
    index_links: PagerLinks,
    tag_links: Vec<PagerLinks>,
    author_links: Vec<PagerLinks>,
    /// Every standalone page, for menus.
    site_pages: Value,
    /// The search index, when `search = true`.
    search: Option<search::Index>,
}

/// What many summaries show alike, made once: each tag's link and each
/// author of `[authors]`. tera's maps are reference-counted, and a value
/// inside a serialized struct is shared, not copied, so 100,000 summaries
/// hold one copy of each (about 190 MiB less at that size than a copy in
/// every summary).
struct Shared {
    tags: Vec<Value>,
    authors: BTreeMap<String, Value>,
}

impl Shared {
    fn new(site: &Site, authors: &BTreeMap<String, AuthorView>) -> Shared {
        Shared {
            tags: site
                .tags
                .iter()
                .map(|tag| Value::from_serializable(&link_view(tag)))
                .collect(),
            authors: authors
                .iter()
                .map(|(key, view)| (key.clone(), Value::from_serializable(view)))
                .collect(),
        }
    }

    /// The author value of `name`: one of `[authors]`, or a plain name.
    fn author(&self, name: &str) -> Value {
        self.authors.get(name).cloned().unwrap_or_else(|| {
            Value::from_serializable(&AuthorView {
                key: None,
                name: name.to_string(),
                bio: String::new(),
                path: None,
                feed_url: None,
            })
        })
    }
}

fn date_view(date: &Option<Date>) -> Option<DateView> {
    date.as_ref().map(Date::view)
}

#[derive(Serialize, Clone)]
struct AuthorView {
    /// The key under `[authors]`, or none for a plain name.
    key: Option<String>,
    name: String,
    /// The bio as HTML.
    bio: String,
    /// The author's page (`authors/<key>/`) and its feed, for an author of
    /// `[authors]` with articles; none otherwise.
    path: Option<String>,
    feed_url: Option<String>,
}

#[derive(Serialize)]
struct LinkView<'a> {
    name: &'a str,
    slug: &'a str,
    path: &'a str,
    url: &'a str,
    permalink: &'a str,
}

/// What lists, neighbours and related links show of a page: everything but
/// its body, so an edit to the body alone changes no other page.
#[derive(Serialize)]
struct SummaryView<'a> {
    kind: &'static str,
    title: &'a str,
    slug: &'a str,
    path: &'a str,
    url: &'a str,
    permalink: &'a str,
    date: Option<DateView>,
    updated: Option<DateView>,
    tags: Vec<Value>,
    author: Option<Value>,
    description: Option<&'a str>,
    /// For search engines and link previews: the description, or else
    /// the start of the summary in plain text.
    meta_description: String,
    /// Its images in their sizes, each lazy.
    summary: Cow<'a, str>,
    has_more: bool,
    reading_time: usize,
    draft: bool,
    comments_open: bool,
    /// An absolute URL, or none: for the site's own image, its copy about
    /// 1,200 pixels wide.
    image: Option<String>,
    /// The size of `image`, when it is the site's.
    image_width: Option<u32>,
    image_height: Option<u32>,
    /// The front matter's `image` in its sizes, when it is the site's.
    cover: Option<CoverView>,
    sticky: bool,
    /// Approved comments only.
    comment_count: usize,
    extra: &'a serde_json::Value,
}

/// An image of the site in its sizes, for a theme's `<picture>`: each URL
/// a link from the page (filled like a body's).
#[derive(Serialize)]
struct CoverView {
    src: String,
    /// `url 480w, url 800w, …` in the original's format.
    srcset: String,
    /// The same in WebP; empty when the original is WebP.
    webp_srcset: String,
    sizes: String,
    width: u32,
    height: u32,
}

/// What only the page itself shows.
#[derive(Serialize)]
struct BodyView<'a> {
    /// Its images in their sizes; the first eager unless a cover comes
    /// before it.
    content: Cow<'a, str>,
    toc: &'a [TocEntry],
    word_count: usize,
    /// The approved comments, in reading order.
    comments: Vec<ThreadComment>,
    /// Approved pingbacks and trackbacks.
    mentions: Vec<thread::Mention>,
    /// Structured data (JSON-LD), safe inside a `<script>` element.
    json_ld: String,
    /// Whether it shows videos or posts of other sites (facades), which
    /// `embeds.js` plays.
    embeds: bool,
}

#[derive(Serialize)]
struct TagView<'a> {
    name: &'a str,
    slug: &'a str,
    path: &'a str,
    url: &'a str,
    permalink: &'a str,
    count: usize,
    feed_path: &'a str,
    feed_url: &'a str,
}

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    base_url: &'a str,
    language: &'a str,
    paginate: usize,
    authors: &'a BTreeMap<String, AuthorView>,
    extra: &'a toml::Table,
    comments: CommentsView<'a>,
    /// The site's icon in `static/` (`favicon.svg`, `.png` or `.ico`), if any.
    favicon: Option<&'a str>,
    /// Whether the site has a search page.
    search: bool,
}

/// A year of the archive.
#[derive(Serialize)]
struct ArchiveYear {
    year: i16,
    /// Articles in the year.
    count: usize,
    months: Vec<ArchiveMonth>,
}

/// A month of the archive.
#[derive(Serialize)]
struct ArchiveMonth {
    /// 1 to 12.
    number: i8,
    /// `February`.
    name: String,
    articles: Vec<Value>,
}

/// How readers send comments, for the comment form.
#[derive(Serialize)]
struct CommentsView<'a> {
    /// Where the form posts; none shows no form.
    endpoint: Option<&'a str>,
    /// The longest comment accepted, in bytes.
    max_bytes: usize,
    /// Whether readers may ask to be mailed replies (`[notify]` is set).
    replies_by_mail: bool,
}

#[derive(Serialize)]
struct PagerLink {
    number: usize,
    path: String,
    url: String,
    permalink: String,
}

impl Views {
    pub fn new(site: &Site) -> Views {
        Views::with_index(site, site.config.search.then(|| search::Index::new(site)))
    }

    /// The values of `site`, with its search index made already (from a
    /// cache, by `build`).
    pub fn with_index(site: &Site, search: Option<search::Index>) -> Views {
        let config = &site.config;
        let authors: BTreeMap<String, AuthorView> = config
            .authors
            .iter()
            .map(|(key, a)| {
                let list = site.authors.iter().find(|l| l.slug == slugify(key));
                let view = AuthorView {
                    key: Some(key.clone()),
                    name: a.name.clone(),
                    bio: render_plain(&a.bio),
                    path: list.map(|l| l.path.clone()),
                    feed_url: list.map(|l| l.feed_url.clone()),
                };
                (key.clone(), view)
            })
            .collect();
        let site_view = SiteView {
            title: &config.title,
            description: &config.description,
            base_url: site.urls.base(),
            language: &config.language,
            paginate: config.paginate,
            authors: &authors,
            extra: &config.extra,
            comments: CommentsView {
                endpoint: config.comments.endpoint.as_deref(),
                max_bytes: config.comments_max_bytes,
                replies_by_mail: config.notify.is_some(),
            },
            // The site's own icon, of whichever kind, before the theme's.
            favicon: FAVICONS
                .into_iter()
                .find(|name| matches!(site.static_files.get(*name), Some(Source::File(_))))
                .or_else(|| {
                    FAVICONS
                        .into_iter()
                        .find(|name| site.static_files.contains_key(*name))
                }),
            search: config.search,
        };
        let shared = Shared::new(site, &authors);
        let summary = |page: &Page| summary_value(site, &shared, page);
        let tags = site
            .tags
            .iter()
            .map(|tag| Value::from_serializable(&tag_view(tag)))
            .collect();
        let pages: Vec<Value> = site.pages.par_iter().map(summary).collect();
        let articles = site.articles.par_iter().map(summary).collect();
        Views {
            config: Value::from_serializable(&site_view),
            articles,
            site_pages: Value::from(top_level(&site.pages, &pages)),
            pages,
            tags,
            related: related_articles(site.articles.len(), &site.tags, RELATED_COUNT),
            index_order: index_order(&site.articles),
            index_links: PagerLinks::new(site, "", site.articles.len()),
            tag_links: site
                .tags
                .iter()
                .map(|t| PagerLinks::new(site, &t.path, t.articles.len()))
                .collect(),
            author_links: site
                .authors
                .iter()
                .map(|a| PagerLinks::new(site, &a.path, a.articles.len()))
                .collect(),
            authors,
            shared,
            search,
        }
    }

    /// The search index, if the site has one.
    pub fn search(&self) -> Option<&search::Index> {
        self.search.as_ref()
    }

    /// The search index, for the files only planned when there is one.
    pub(super) fn search_index(&self) -> &search::Index {
        self.search
            .as_ref()
            .expect("search files are planned only with an index")
    }

    /// What lists and other pages show of `page`; two pages whose summaries
    /// are equal look the same everywhere but on their own page.
    pub fn summary(&self, site: &Site, page: &Page) -> Value {
        summary_value(site, &self.shared, page)
    }

    /// Takes a new summary and search terms for article or page `target`,
    /// after its body or comments changed.
    pub fn refresh(&mut self, site: &Site, target: PageRef) {
        match target {
            PageRef::Article(i) => self.articles[i] = self.summary(site, &site.articles[i]),
            PageRef::Page(i) => self.pages[i] = self.summary(site, &site.pages[i]),
        }
        if let Some(index) = &mut self.search {
            index.refresh(site, target);
        }
    }

    /// The full value of a page: its summary plus its body.
    fn page_value(&self, site: &Site, target: PageRef) -> Value {
        match target {
            PageRef::Article(i) => self.article_with_neighbours(site, i),
            PageRef::Page(i) => {
                let body = Value::from_serializable(&body_view(site, &site.pages[i]));
                Value::from(merged(&self.pages[i], body))
            }
        }
    }

    /// What the page of an article or a standalone page gets.
    pub(super) fn page_context(&self, site: &Site, target: PageRef) -> Context {
        let mut context = self.context(&target.page(site).path);
        context.insert_value("page", self.page_value(site, target));
        context
    }

    /// What the no-script reply form for comment `parent` of a page gets:
    /// the page, and the comment as the thread shows it.
    pub(super) fn reply_context(
        &self,
        site: &Site,
        target: PageRef,
        parent: &str,
    ) -> Option<Context> {
        let page = target.page(site);
        let shown = thread_with_replies(site, page);
        let comment = shown.into_iter().find(|c| c.id == parent)?;
        let mut context = self.page_context(site, target);
        context.insert("parent", &comment);
        context.insert("root", &site.urls.permalink(""));
        Some(context)
    }

    /// What the page that says why a comment was not taken gets: the page,
    /// the comment replied to (if the thread shows it), what the reader
    /// sent and the sentence that says what to do.
    pub(super) fn refusal_context(
        &self,
        site: &Site,
        target: PageRef,
        parent: &str,
        sent: &super::Sent,
        refusal: &str,
    ) -> Context {
        let mut context = self.reply_context(site, target, parent).unwrap_or_else(|| {
            let mut context = self.page_context(site, target);
            context.insert("root", &site.urls.permalink(""));
            context
        });
        context.insert("sent", sent);
        context.insert("refusal", refusal);
        context
    }

    /// What page `n` (from 0) of the index gets.
    pub(super) fn index_context(&self, site: &Site, n: usize) -> Context {
        let mut context = self.context(&urls::pager_path("", n));
        let paginator = self.paginator(site, &self.index_links, &self.index_order, n);
        context.insert_value("paginator", paginator);
        context
    }

    /// What the tag index gets.
    pub(super) fn tags_context(&self) -> Context {
        let mut context = self.context(urls::TAGS_INDEX);
        context.insert_value("tags", Value::from(self.tags.clone()));
        context
    }

    /// What page `page` (from 0) of tag `tag`'s list gets.
    pub(super) fn tag_context(&self, site: &Site, tag: usize, page: usize) -> Context {
        let listed = &site.tags[tag];
        let mut context = self.context(&urls::pager_path(&listed.path, page));
        context.insert_value("tag", self.tags[tag].clone());
        let paginator = self.paginator(site, &self.tag_links[tag], &listed.articles, page);
        context.insert_value("paginator", paginator);
        context
    }

    /// What page `page` (from 0) of an author's list gets: the author
    /// (with the bio), the list (as a tag: name, path, feed…), the page.
    pub(super) fn author_context(&self, site: &Site, author: usize, page: usize) -> Context {
        let listed = &site.authors[author];
        let mut context = self.context(&urls::pager_path(&listed.path, page));
        let profile = self
            .authors
            .values()
            .find(|a| a.path.as_deref() == Some(listed.path.as_str()));
        context.insert("author", &profile);
        context.insert("list", &tag_view(listed));
        let paginator = self.paginator(site, &self.author_links[author], &listed.articles, page);
        context.insert_value("paginator", paginator);
        context
    }

    /// What the archive gets: `years`, newest first, each with its
    /// `months`, each with its `articles` (summaries, newest first).
    pub(super) fn archive_context(&self, site: &Site) -> Context {
        let mut context = self.context(urls::ARCHIVE);
        let mut years: Vec<ArchiveYear> = Vec::new();
        for (i, article) in site.articles.iter().enumerate() {
            let Some(date) = article.date else { continue };
            let civil = date.timestamp.to_zoned(jiff::tz::TimeZone::UTC);
            let (year, month) = (civil.year(), civil.month());
            if years.last().is_none_or(|y| y.year != year) {
                years.push(ArchiveYear {
                    year,
                    count: 0,
                    months: Vec::new(),
                });
            }
            let current = years.last_mut().expect("a year was just added");
            current.count += 1;
            if current.months.last().is_none_or(|m| m.number != month) {
                current.months.push(ArchiveMonth {
                    number: month,
                    name: civil.strftime("%B").to_string(),
                    articles: Vec::new(),
                });
            }
            let months = &mut current.months;
            months
                .last_mut()
                .expect("a month was just added")
                .articles
                .push(self.articles[i].clone());
        }
        context.insert("years", &years);
        context.insert("article_count", &site.articles.len());
        context
    }

    /// What the 404 page gets: it is served at any depth, so its links
    /// start from the host.
    pub(super) fn not_found_context(&self, site: &Site) -> Context {
        let mut context = self.context("");
        context.insert("root", &site.urls.url(""));
        context.insert("current_path", urls::NOT_FOUND);
        context
    }

    /// What the search page gets: `search_host`, the site's host name for
    /// a web search restricted to it when the page's script cannot run.
    pub(super) fn search_context(&self, site: &Site) -> Context {
        let mut context = self.context(urls::SEARCH);
        let host = url::Url::parse(site.urls.base())
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default();
        context.insert("search_host", &host);
        context.insert("search_index", &search::Meta::of(site));
        context
    }

    /// A context with what every template gets.
    fn context(&self, path: &str) -> Context {
        let mut context = Context::new();
        context.insert_value("config", self.config.clone());
        context.insert_value("site_pages", self.site_pages.clone());
        context.insert("root", &root_prefix(path));
        context.insert("current_path", path);
        context
    }

    /// An article's value with `previous` (older), `next` (newer) and `related`.
    fn article_with_neighbours(&self, site: &Site, i: usize) -> Value {
        let body = Value::from_serializable(&body_view(site, &site.articles[i]));
        let mut map = merged(&self.articles[i], body);
        let neighbour = |j: Option<usize>| j.map(|j| self.articles[j].clone()).into();
        let older = (i + 1 < site.articles.len()).then_some(i + 1);
        map.insert("previous".into(), neighbour(older));
        map.insert("next".into(), neighbour(i.checked_sub(1)));
        let related: Vec<Value> = self.related[i]
            .iter()
            .map(|&j| self.articles[j].clone())
            .collect();
        map.insert("related".into(), Value::from(related));
        Value::from(map)
    }

    /// Page `n` of a list of articles whose first page is at `base`.
    fn paginator(&self, site: &Site, list: &PagerLinks, items: &[usize], n: usize) -> Value {
        let per_page = site.config.paginate;
        let total = list.links.len();
        let on_page: Vec<Value> = items
            .iter()
            .skip(n * per_page)
            .take(per_page)
            .map(|&i| self.articles[i].clone())
            .collect();
        let link = |k: usize| list.links[k].clone();
        let mut map = tera::Map::new();
        map.insert("current".into(), Value::from(n + 1));
        map.insert("total_pages".into(), Value::from(total));
        map.insert("total_items".into(), Value::from(items.len()));
        map.insert("items".into(), Value::from(on_page));
        map.insert("first".into(), link(0));
        map.insert("last".into(), link(total - 1));
        map.insert("previous".into(), n.checked_sub(1).map(link).into());
        map.insert("next".into(), (n + 1 < total).then(|| link(n + 1)).into());
        map.insert("pages".into(), list.all.clone());
        Value::from(map)
    }
}

/// The links to every page of one paginated list, built once per list
/// rather than once per page of it.
struct PagerLinks {
    links: Vec<Value>,
    /// `links` as one array value.
    all: Value,
}

impl PagerLinks {
    fn new(site: &Site, base: &str, items: usize) -> PagerLinks {
        let links: Vec<Value> = (0..page_count(items, site.config.paginate))
            .map(|k| {
                let path = urls::pager_path(base, k);
                Value::from_serializable(&PagerLink {
                    number: k + 1,
                    url: site.urls.url(&path),
                    permalink: site.urls.permalink(&path),
                    path,
                })
            })
            .collect();
        PagerLinks {
            all: Value::from(links.clone()),
            links,
        }
    }
}

fn summary_value(site: &Site, shared: &Shared, page: &Page) -> Value {
    Value::from_serializable(&summary_view(site, shared, page))
}

fn summary_view<'a>(site: &'a Site, shared: &Shared, page: &'a Page) -> SummaryView<'a> {
    let tags = site
        .tag_ids(page)
        .into_iter()
        .map(|t| shared.tags[t].clone())
        .collect();
    let author = page.author.as_deref().map(|name| shared.author(name));
    let preview = preview_image(site, page);
    SummaryView {
        kind: match page.kind {
            Kind::Article => "article",
            Kind::Page => "page",
        },
        title: &page.title,
        slug: &page.slug,
        path: &page.path,
        url: &page.url,
        permalink: &page.permalink,
        date: date_view(&page.date),
        updated: date_view(&page.updated),
        tags,
        author,
        description: page.description.as_deref(),
        meta_description: page.excerpt(META_DESCRIPTION_CHARS),
        summary: site
            .images
            .fill(&page.body.summary, &page.body.summary_images, false),
        has_more: page.body.has_more,
        reading_time: page.body.words.div_ceil(WORDS_PER_MINUTE).max(1),
        draft: page.draft,
        comments_open: site.comments_open(page),
        image: preview.as_ref().map(|p| p.url.clone()),
        image_width: preview.as_ref().and_then(|p| p.size).map(|(w, _)| w),
        image_height: preview.as_ref().and_then(|p| p.size).map(|(_, h)| h),
        cover: cover(site, page),
        sticky: page.sticky,
        comment_count: thread::approved_count(&page.comments),
        extra: &page.extra,
    }
}

/// The summaries of the pages that are not inside another page's folder,
/// for menus.
fn top_level(pages: &[Page], summaries: &[Value]) -> Vec<Value> {
    pages
        .iter()
        .zip(summaries)
        .filter(|(page, _)| !page.path.trim_end_matches('/').contains('/'))
        .map(|(_, summary)| summary.clone())
        .collect()
}

/// Sticky articles first, then the others, each in site order.
fn index_order(articles: &[Page]) -> Vec<usize> {
    let (mut order, others): (Vec<usize>, Vec<usize>) =
        (0..articles.len()).partition(|&i| articles[i].sticky);
    order.extend(others);
    order
}

/// A page's image as an absolute URL: a file of its bundle is beside it.
fn image_url(site: &Site, page: &Page, image: &str) -> String {
    if image.contains("://") {
        image.to_string()
    } else if image.starts_with('/') {
        site.urls.permalink(image)
    } else {
        format!("{}{image}", page.permalink)
    }
}

fn body_view<'a>(site: &Site, page: &'a Page) -> BodyView<'a> {
    let first_is_seen = cover(site, page).is_none();
    BodyView {
        content: site
            .images
            .fill(&page.body.html, &page.body.images, first_is_seen),
        toc: &page.body.toc,
        word_count: page.body.words,
        comments: thread_with_replies(site, page),
        mentions: thread::mentions(&page.comments),
        json_ld: structured::json_ld(
            site,
            page,
            preview_image(site, page).map(|p| p.url).as_deref(),
        ),
        embeds: page.body.embeds > 0,
    }
}

/// The image a link preview shows, as an absolute URL, with its size when
/// it is the site's.
struct Preview {
    url: String,
    size: Option<(u32, u32)>,
}

/// The image a link preview shows: the front matter's, or else the first
/// of the body; for an image of the site, its copy about 1,200 pixels wide.
fn preview_image(site: &Site, page: &Page) -> Option<Preview> {
    let written = page.image.as_deref().or(page.body.first_image.as_deref())?;
    let site_path = if page.image.is_some() {
        page.image_site_path()
    } else {
        page.body.images.first().map(|i| i.site_path.clone())
    };
    let shown = site_path
        .as_deref()
        .and_then(images::output_path)
        .and_then(|path| site.images.shown(&path));
    Some(match shown {
        Some(shown) => {
            let src = shown.src();
            Preview {
                url: site.urls.permalink(&src.path),
                size: Some((src.width, shown.height_at(src.width))),
            }
        }
        None => Preview {
            url: image_url(site, page, written),
            size: None,
        },
    })
}

/// The front matter's image in its sizes, when it is one of the site's.
fn cover(site: &Site, page: &Page) -> Option<CoverView> {
    let path = images::output_path(&page.image_site_path()?)?;
    let shown = site.images.shown(&path)?;
    Some(CoverView {
        src: images::url_of(&shown.src().path),
        srcset: images::srcset(&shown.fallback),
        webp_srcset: images::srcset(&shown.webp),
        sizes: site.config.images.sizes.clone(),
        width: shown.width,
        height: shown.height,
    })
}

/// The thread of a page, each comment with the address of its no-script
/// reply form when the page takes comments.
fn thread_with_replies(site: &Site, page: &Page) -> Vec<ThreadComment> {
    let mut comments = thread::build(
        &page.comments,
        site.config.comments_max_depth,
        &site.config.base_url,
    );
    if let Some(endpoint) = &site.config.comments.endpoint
        && site.comments_open(page)
    {
        for c in &mut comments {
            c.reply_url = Some(urls::reply_url(endpoint, &page.path, &c.id));
        }
    }
    comments
}

/// Adds the fields of `more` (a serialized struct) to the map of `base`.
fn merged(base: &Value, more: Value) -> tera::Map {
    let mut map = base.as_map().cloned().unwrap_or_default();
    if let Some(extra) = more.into_map() {
        map.extend(extra);
    }
    map
}

fn link_view(tag: &Tag) -> LinkView<'_> {
    LinkView {
        name: &tag.name,
        slug: &tag.slug,
        path: &tag.path,
        url: &tag.url,
        permalink: &tag.permalink,
    }
}

fn tag_view(tag: &Tag) -> TagView<'_> {
    TagView {
        name: &tag.name,
        slug: &tag.slug,
        path: &tag.path,
        url: &tag.url,
        permalink: &tag.permalink,
        count: tag.articles.len(),
        feed_path: &tag.feed_path,
        feed_url: &tag.feed_url,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use tera::value::{Key, Map};

    use super::*;
    use crate::site::LoadOptions;

    fn field<'v>(summary: &'v Value, key: &'static str) -> &'v Value {
        summary.as_map().unwrap().get(&Key::Str(key)).unwrap()
    }

    fn tag_maps(summary: &Value) -> Vec<&Map> {
        let tags = field(summary, "tags").as_array().unwrap();
        tags.iter().map(|t| t.as_map().unwrap()).collect()
    }

    #[test]
    fn summaries_share_one_value_per_tag_and_author() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/blog");
        let site = Site::load(&root, &LoadOptions::default()).unwrap();
        let views = Views::new(&site);
        let summary_of = |slug: &str| {
            let i = site.articles.iter().position(|a| a.slug == slug).unwrap();
            &views.articles[i]
        };
        let (first, fifth) = (summary_of("a-first"), summary_of("the-fifth"));
        let shared_tags = tag_maps(first)
            .into_iter()
            .filter(|mine| {
                tag_maps(fifth)
                    .iter()
                    .any(|theirs| std::ptr::eq(*mine, *theirs))
            })
            .count();
        assert_eq!(shared_tags, 2, "`no contact` and `healing`, one map each");
        let author = field(first, "author").as_map().unwrap();
        assert!(std::ptr::eq(
            author,
            views.shared.authors["zan"].as_map().unwrap()
        ));
        assert_eq!(field(field(first, "author"), "name").as_str(), Some("Zan"));
    }
}
