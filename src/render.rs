//! Rendering a loaded `Site` into the bytes of every output file, in memory
//! and in parallel: Tera contexts, templates, alias pages, and the feeds and
//! sitemap from `feed`.
//!
//! Not for touching the disk: `output` writes what this returns.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Value};

use crate::comments::thread::{self, ThreadComment};
use crate::content::{Date, DateView, Kind, Page, alias_file};
use crate::error::{Error, Result};
use crate::feed;
use crate::markdown::{TocEntry, render_plain};
use crate::site::Site;
use crate::taxonomy::{TAGS_DIR, Tag, related_articles};
use crate::theme::{Source, template_error};

/// How many related articles an article shows.
const RELATED_COUNT: usize = 3;
/// Words read per minute, for the reading time.
const WORDS_PER_MINUTE: usize = 200;

/// Every file of a built site, held in memory (by `serve` and `check`).
#[derive(Debug, Default)]
pub struct Output {
    /// Rendered files by output path (`posts/x/index.html`).
    pub files: BTreeMap<String, Packed>,
    /// Files copied as they are, by output path.
    pub copies: BTreeMap<String, Source>,
}

impl Output {
    /// Whether a site path (`/posts/x/`, `/style.css`) is served by this output.
    pub fn serves(&self, site_path: &str) -> bool {
        let path = site_path.trim_start_matches('/');
        let has = |p: &str| self.files.contains_key(p) || self.copies.contains_key(p);
        if path.is_empty() || path.ends_with('/') {
            has(&format!("{path}index.html"))
        } else {
            has(path) || has(&format!("{path}/index.html"))
        }
    }
}

/// A rendered file kept in memory, LZ4-compressed: HTML shrinks about
/// fourfold, and on a large site the memory that holding every page takes
/// (and the kernel must hand over zeroed) costs more than compressing it.
/// Equal files pack to equal bytes, so packed files compare as their
/// contents do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packed {
    size: usize,
    packed: Box<[u8]>,
}

impl Packed {
    pub fn new(bytes: &[u8]) -> Packed {
        thread_local! {
            /// Room for the worst case, reused: only the packed bytes are kept.
            static ROOM: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        ROOM.with_borrow_mut(|room| {
            let worst = lz4_flex::block::get_maximum_output_size(bytes.len());
            if room.len() < worst {
                room.resize(worst, 0);
            }
            let used = lz4_flex::compress_into(bytes, room).expect("room for the worst case");
            Packed {
                size: bytes.len(),
                packed: room[..used].into(),
            }
        })
    }

    /// The file's bytes.
    pub fn unpack(&self) -> Vec<u8> {
        lz4_flex::decompress(&self.packed, self.size).expect("packed by Packed::new")
    }
}

/// One rendered file, for `serve`'s partial rebuilds.
pub struct Rendered {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Renders every page, feed and redirect of the site into memory.
pub fn render_site(site: &Site) -> Result<Output> {
    render_with(site, &Views::new(site))
}

/// An article or standalone page, by its index in the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageRef {
    Article(usize),
    Page(usize),
}

impl PageRef {
    pub fn page(self, site: &Site) -> &Page {
        match self {
            PageRef::Article(i) => &site.articles[i],
            PageRef::Page(i) => &site.pages[i],
        }
    }

    pub fn page_mut(self, site: &mut Site) -> &mut Page {
        match self {
            PageRef::Article(i) => &mut site.articles[i],
            PageRef::Page(i) => &mut site.pages[i],
        }
    }
}

/// Renders the own pages of `targets` (not the lists that show them) and the
/// feeds that carry their bodies.
pub fn render_pages(site: &Site, views: &Views, targets: &[PageRef]) -> Result<Vec<Rendered>> {
    let mut jobs: Vec<Job> = targets.iter().map(|&target| Job::Page(target)).collect();
    for target in targets {
        if let PageRef::Article(i) = *target {
            for feed in feeds_carrying(site, i) {
                if !jobs.contains(&feed) {
                    jobs.push(feed);
                }
            }
        }
    }
    jobs.par_iter()
        .map(|&job| render_one(site, views, job))
        .collect()
}

/// The feeds that carry article `i` (they hold whole bodies, so they change
/// with it): the site's and its tags', where it is new enough.
fn feeds_carrying(site: &Site, i: usize) -> Vec<Job> {
    let limit = site.config.feed_limit;
    let in_site_feed = (i < limit).then_some(Job::SiteFeed);
    let tag_feeds = site
        .tag_ids(&site.articles[i])
        .into_iter()
        .filter(|&t| site.tags[t].articles.iter().take(limit).any(|&j| j == i))
        .map(Job::TagFeed);
    in_site_feed.into_iter().chain(tag_feeds).collect()
}

/// Renders every file of the site into memory, with values already built.
pub fn render_with(site: &Site, views: &Views) -> Result<Output> {
    let plan = Plan::new(site);
    let files = std::sync::Mutex::new(Vec::with_capacity(plan.jobs.len()));
    plan.render(site, views, |path, bytes| {
        let file = (path.to_string(), Packed::new(bytes));
        files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(file);
        Ok(())
    })?;
    Ok(Output {
        files: files
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .into_iter()
            .collect(),
        copies: site.static_files.clone(),
    })
}

/// One file a site is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Job {
    Page(PageRef),
    Index(usize),
    TagIndex,
    Tag(usize, usize),
    NotFound,
    SiteFeed,
    TagFeed(usize),
    Sitemap,
    Robots,
    /// Alias `n` of a page: a redirect to it.
    Alias(PageRef, usize),
}

impl Job {
    /// The output path, known before anything is rendered.
    fn path(self, site: &Site) -> String {
        match self {
            Job::Page(target) => format!("{}index.html", target.page(site).path),
            Job::Index(n) => format!("{}index.html", pager_path("", n)),
            Job::TagIndex => format!("{TAGS_DIR}/index.html"),
            Job::Tag(t, n) => format!("{}index.html", pager_path(&site.tags[t].path, n)),
            Job::NotFound => "404.html".into(),
            Job::SiteFeed => feed::SITE_FEED.into(),
            Job::TagFeed(t) => feed::tag_feed_path(&site.tags[t]),
            Job::Sitemap => feed::SITEMAP.into(),
            Job::Robots => feed::ROBOTS.into(),
            Job::Alias(target, n) => alias_file(&target.page(site).aliases[n]),
        }
    }

    /// What produced the file, for messages.
    fn origin(self, site: &Site) -> String {
        match self {
            Job::Page(target) => target.page(site).source.display().to_string(),
            Job::Index(n) => format!("the index, page {}", n + 1),
            Job::TagIndex => "the tag index".into(),
            Job::Tag(t, _) => format!("tag `{}`", site.tags[t].name),
            Job::NotFound => "the 404 page".into(),
            Job::SiteFeed => "the site feed".into(),
            Job::TagFeed(t) => format!("the feed of tag `{}`", site.tags[t].name),
            Job::Sitemap => "the sitemap".into(),
            Job::Robots => "robots.txt".into(),
            Job::Alias(target, n) => {
                let page = target.page(site);
                format!(
                    "the alias `{}` of {}",
                    page.aliases[n],
                    page.source.display()
                )
            }
        }
    }
}

/// Every file a site renders to, by output path, worked out before any
/// rendering: a writer can prepare for them, and two sources of one URL are
/// found without rendering either.
pub struct Plan {
    jobs: Vec<(Job, String)>,
    /// Duplicate URLs found while planning.
    errors: Vec<Error>,
}

impl Plan {
    pub fn new(site: &Site) -> Plan {
        let mut jobs = Vec::new();
        let mut errors = Vec::new();
        let mut taken: HashMap<String, Job> = HashMap::new();
        for job in all_jobs(site) {
            let path = job.path(site);
            let first = match site.static_files.get(&path) {
                // A file in `static/` deliberately replaces a generated one
                // (robots.txt); an alias onto one is a mistake.
                Some(_) if !matches!(job, Job::Alias(..)) => continue,
                Some(source) => Some(static_origin(&path, source)),
                None => taken.get(&path).map(|first| first.origin(site)),
            };
            if let Some(first) = first {
                errors.push(Error::DuplicateUrl {
                    url: format!("/{}", path.trim_end_matches("index.html")),
                    first,
                    second: job.origin(site),
                });
                continue;
            }
            taken.insert(path.clone(), job);
            jobs.push((job, path));
        }
        let mut plan = Plan { jobs, errors };
        plan.find_clashes(site);
        plan
    }

    /// A file at a path where another file needs a folder
    /// (`robots.txt` and an alias `/robots.txt/`).
    fn find_clashes(&mut self, site: &Site) {
        let rendered = self
            .jobs
            .iter()
            .map(|(job, path)| (path.as_str(), Some(*job)));
        let copied = site.static_files.keys().map(|path| (path.as_str(), None));
        let all: Vec<(&str, Option<Job>)> = rendered.chain(copied).collect();
        let origin = |path: &str, job: Option<Job>| match job {
            Some(job) => job.origin(site),
            None => static_origin(path, &site.static_files[path]),
        };
        let mut needs_folder: HashMap<&str, (&str, Option<Job>)> = HashMap::new();
        for &(path, job) in &all {
            for (i, _) in path.match_indices('/') {
                needs_folder.entry(&path[..i]).or_insert((path, job));
            }
        }
        for &(path, job) in &all {
            if let Some(&(inner, inner_job)) = needs_folder.get(path) {
                self.errors.push(Error::PathClash {
                    file: path.to_string(),
                    file_origin: origin(path, job),
                    folder_origin: origin(inner, inner_job),
                });
            }
        }
    }

    /// Whether no two files of the plan clash; a plan that is not sound is
    /// rendered only to report every mistake, never written.
    pub fn is_sound(&self) -> bool {
        self.errors.is_empty()
    }

    /// The output paths of the rendered files.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.jobs.iter().map(|(_, path)| path.as_str())
    }

    /// How many HTML pages the site has.
    pub fn page_count(&self) -> usize {
        self.paths().filter(|p| p.ends_with(".html")).count()
    }

    /// Renders every file in parallel, handing each to `emit` (from several
    /// threads) as soon as it is ready, so a build never holds the whole site
    /// in memory. Reports every mistake, duplicate URLs first.
    pub fn render(
        self,
        site: &Site,
        views: &Views,
        emit: impl Fn(&str, &[u8]) -> Result<()> + Sync,
    ) -> Result<()> {
        let failed: Vec<Error> = self
            .jobs
            .par_iter()
            // One buffer per worker, reused from page to page.
            .map_init(Vec::new, |buffer, (job, path)| {
                buffer.clear();
                render_job(site, views, *job, buffer)
                    .map_err(|e| e.while_rendering(|| job.origin(site)))
                    .and_then(|()| emit(path, buffer))
                    .err()
            })
            .flatten()
            .collect();
        let mut errors = self.errors;
        errors.extend(failed);
        match Error::from_list(errors) {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}

/// Where a copied file comes from, for messages.
fn static_origin(path: &str, source: &Source) -> String {
    match source {
        Source::File(file) => format!("the file {}", file.display()),
        Source::Embedded(_) => format!("the default theme's {path}"),
    }
}

/// The files of a site, in the order their mistakes are reported.
fn all_jobs(site: &Site) -> Vec<Job> {
    let per_page = site.config.paginate;
    let mut jobs: Vec<Job> = (0..site.articles.len())
        .map(|i| Job::Page(PageRef::Article(i)))
        .collect();
    jobs.extend((0..site.pages.len()).map(|i| Job::Page(PageRef::Page(i))));
    jobs.extend((0..page_count(site.articles.len(), per_page)).map(Job::Index));
    jobs.push(Job::TagIndex);
    for (t, tag) in site.tags.iter().enumerate() {
        jobs.extend((0..page_count(tag.articles.len(), per_page)).map(|n| Job::Tag(t, n)));
    }
    jobs.push(Job::NotFound);
    jobs.push(Job::SiteFeed);
    jobs.extend((0..site.tags.len()).map(Job::TagFeed));
    jobs.extend([Job::Sitemap, Job::Robots]);
    let articles = (0..site.articles.len()).map(PageRef::Article);
    for target in articles.chain((0..site.pages.len()).map(PageRef::Page)) {
        jobs.extend((0..target.page(site).aliases.len()).map(|n| Job::Alias(target, n)));
    }
    jobs
}

/// Pages needed to list `items`: at least one, so an empty list still renders.
fn page_count(items: usize, per_page: usize) -> usize {
    items.div_ceil(per_page).max(1)
}

/// The site path of page `n` (0-based) of a list starting at `base`.
fn pager_path(base: &str, n: usize) -> String {
    if n == 0 {
        base.to_string()
    } else {
        format!("{base}page/{}/", n + 1)
    }
}

/// Renders one file, appending its bytes to `out`.
fn render_job(site: &Site, views: &Views, job: Job, out: &mut Vec<u8>) -> Result<()> {
    match job {
        Job::Page(target) => render_page_to(site, views, target, out),
        Job::Index(n) => {
            let path = pager_path("", n);
            let mut context = views.context(&path);
            let paginator = views.paginator(site, &views.index_links, &views.all_articles, n);
            context.insert_value("paginator", paginator);
            render_template(site, "index.html", &context, out)
        }
        Job::TagIndex => {
            let mut context = views.context(&format!("{TAGS_DIR}/"));
            context.insert_value("tags", Value::from(views.tags.clone()));
            render_template(site, "tags.html", &context, out)
        }
        Job::Tag(t, n) => {
            let tag = &site.tags[t];
            let mut context = views.context(&pager_path(&tag.path, n));
            context.insert_value("tag", views.tags[t].clone());
            context.insert_value(
                "paginator",
                views.paginator(site, &views.tag_links[t], &tag.articles, n),
            );
            render_template(site, "tag.html", &context, out)
        }
        Job::NotFound => {
            let mut context = views.context("");
            // Served at any depth, so links must start from the host.
            context.insert("root", &format!("{}/", site.config.base_path()));
            context.insert("current_path", "404.html");
            render_template(site, "404.html", &context, out)
        }
        Job::SiteFeed => put(out, feed::site_feed(site)),
        Job::TagFeed(t) => put(out, feed::tag_feed(site, &site.tags[t])),
        Job::Sitemap => put(out, feed::sitemap(site)),
        Job::Robots => put(out, feed::robots(site)),
        Job::Alias(target, _) => {
            let to = site.config.permalink(&target.page(site).path);
            put(out, redirect_html(&to))
        }
    }
}

/// Appends a file made without a template.
fn put(out: &mut Vec<u8>, bytes: impl AsRef<[u8]>) -> Result<()> {
    out.extend_from_slice(bytes.as_ref());
    Ok(())
}

/// Renders one article's or page's own page.
pub fn render_page(site: &Site, views: &Views, target: PageRef) -> Result<Rendered> {
    render_one(site, views, Job::Page(target))
}

fn render_one(site: &Site, views: &Views, job: Job) -> Result<Rendered> {
    let mut bytes = Vec::new();
    render_job(site, views, job, &mut bytes).map_err(|e| e.while_rendering(|| job.origin(site)))?;
    Ok(Rendered {
        path: job.path(site),
        bytes,
    })
}

fn render_page_to(site: &Site, views: &Views, target: PageRef, out: &mut Vec<u8>) -> Result<()> {
    let template = match target {
        PageRef::Article(_) => "article.html",
        PageRef::Page(_) => "page.html",
    };
    let mut context = views.context(&target.page(site).path);
    context.insert_value("page", views.page_value(site, target));
    render_template(site, template, &context, out)
}

fn render_template(
    site: &Site,
    template: &str,
    context: &Context,
    out: &mut Vec<u8>,
) -> Result<()> {
    site.theme
        .tera
        .render_to(template, context, out)
        .map_err(|e| template_error(&e, |n| site.theme.origins.get(n).cloned()))
}

/// The relative way from a page at `path` back to the site root: `../../`.
pub fn root_prefix(path: &str) -> String {
    let depth = path.matches('/').count();
    if depth == 0 {
        "./".into()
    } else {
        "../".repeat(depth)
    }
}

/// The template values shared by many pages, built once per site and
/// refreshed page by page by `serve`.
pub struct Views {
    config: Value,
    authors: BTreeMap<String, AuthorView>,
    /// Summary values of the articles and pages, in site order.
    articles: Vec<Value>,
    pages: Vec<Value>,
    tags: Vec<Value>,
    related: Vec<Vec<usize>>,
    /// `0..articles`, the items of the index.
    all_articles: Vec<usize>,
    /// Pager links of the index, and of each tag.
    index_links: PagerLinks,
    tag_links: Vec<PagerLinks>,
    /// Every standalone page, for menus.
    site_pages: Value,
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
}

#[derive(Serialize)]
struct LinkView<'a> {
    name: &'a str,
    slug: &'a str,
    path: &'a str,
    url: String,
    permalink: String,
}

/// What lists, neighbours and related links show of a page: everything but
/// its body, so an edit to the body alone changes no other page.
#[derive(Serialize)]
struct SummaryView<'a> {
    kind: &'static str,
    title: &'a str,
    slug: &'a str,
    path: &'a str,
    url: String,
    permalink: String,
    date: Option<DateView>,
    updated: Option<DateView>,
    tags: Vec<LinkView<'a>>,
    author: Option<AuthorView>,
    description: Option<&'a str>,
    summary: &'a str,
    has_more: bool,
    reading_time: usize,
    draft: bool,
    comments_open: bool,
    /// Approved comments only.
    comment_count: usize,
    extra: &'a serde_json::Value,
}

/// What only the page itself shows.
#[derive(Serialize)]
struct BodyView<'a> {
    content: &'a str,
    toc: &'a [TocEntry],
    word_count: usize,
    /// The approved comments as a tree.
    comments: Vec<ThreadComment>,
}

#[derive(Serialize)]
struct TagView<'a> {
    name: &'a str,
    slug: &'a str,
    path: &'a str,
    url: String,
    permalink: String,
    count: usize,
    feed_path: String,
    feed_url: String,
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
}

#[derive(Serialize)]
struct PagerLink {
    number: usize,
    path: String,
    url: String,
}

impl Views {
    pub fn new(site: &Site) -> Views {
        let config = &site.config;
        let authors: BTreeMap<String, AuthorView> = config
            .authors
            .iter()
            .map(|(key, a)| {
                let view = AuthorView {
                    key: Some(key.clone()),
                    name: a.name.clone(),
                    bio: render_plain(&a.bio),
                };
                (key.clone(), view)
            })
            .collect();
        let site_view = SiteView {
            title: &config.title,
            description: &config.description,
            base_url: config.base(),
            language: &config.language,
            paginate: config.paginate,
            authors: &authors,
            extra: &config.extra,
        };
        let summary = |page: &Page| summary_value(site, &authors, page);
        let tags = site
            .tags
            .iter()
            .map(|tag| Value::from_serializable(&tag_view(site, tag)))
            .collect();
        let pages: Vec<Value> = site.pages.par_iter().map(summary).collect();
        let articles = site.articles.par_iter().map(summary).collect();
        Views {
            config: Value::from_serializable(&site_view),
            articles,
            site_pages: Value::from(pages.clone()),
            pages,
            tags,
            related: related_articles(site, RELATED_COUNT),
            all_articles: (0..site.articles.len()).collect(),
            index_links: PagerLinks::new(site, "", site.articles.len()),
            tag_links: site
                .tags
                .iter()
                .map(|t| PagerLinks::new(site, &t.path, t.articles.len()))
                .collect(),
            authors,
        }
    }

    /// What lists and other pages show of `page`; two pages whose summaries
    /// are equal look the same everywhere but on their own page.
    pub fn summary(&self, site: &Site, page: &Page) -> Value {
        summary_value(site, &self.authors, page)
    }

    /// Takes a new summary for article or page `target`, after its body changed.
    pub fn refresh(&mut self, site: &Site, target: PageRef) {
        match target {
            PageRef::Article(i) => self.articles[i] = self.summary(site, &site.articles[i]),
            PageRef::Page(i) => self.pages[i] = self.summary(site, &site.pages[i]),
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
                let path = pager_path(base, k);
                Value::from_serializable(&PagerLink {
                    number: k + 1,
                    url: format!("{}/{path}", site.config.base_path()),
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

fn summary_value(site: &Site, authors: &BTreeMap<String, AuthorView>, page: &Page) -> Value {
    Value::from_serializable(&summary_view(site, authors, page))
}

fn summary_view<'a>(
    site: &'a Site,
    authors: &BTreeMap<String, AuthorView>,
    page: &'a Page,
) -> SummaryView<'a> {
    let config = &site.config;
    let author = page.author.as_ref().map(|name| {
        authors.get(name).cloned().unwrap_or_else(|| AuthorView {
            key: None,
            name: name.clone(),
            bio: String::new(),
        })
    });
    let tags = site
        .tag_ids(page)
        .into_iter()
        .map(|t| {
            let tag = &site.tags[t];
            link_view(site, &tag.name, &tag.slug, &tag.path)
        })
        .collect();
    SummaryView {
        kind: match page.kind {
            Kind::Article => "article",
            Kind::Page => "page",
        },
        title: &page.title,
        slug: &page.slug,
        path: &page.path,
        url: format!("{}/{}", config.base_path(), page.path),
        permalink: config.permalink(&page.path),
        date: date_view(&page.date),
        updated: date_view(&page.updated),
        tags,
        author,
        description: page.description.as_deref(),
        summary: &page.body.summary,
        has_more: page.body.has_more,
        reading_time: page.body.words.div_ceil(WORDS_PER_MINUTE).max(1),
        draft: page.draft,
        comments_open: page.comments_open,
        comment_count: thread::approved_count(&page.comments),
        extra: &page.extra,
    }
}

fn body_view<'a>(site: &Site, page: &'a Page) -> BodyView<'a> {
    BodyView {
        content: &page.body.html,
        toc: &page.body.toc,
        word_count: page.body.words,
        comments: thread::build(&page.comments, site.config.comments_max_depth),
    }
}

/// Adds the fields of `more` (a serialized struct) to the map of `base`.
fn merged(base: &Value, more: Value) -> tera::Map {
    let mut map = base.as_map().cloned().unwrap_or_default();
    if let Some(extra) = more.into_map() {
        map.extend(extra);
    }
    map
}

fn link_view<'a>(site: &Site, name: &'a str, slug: &'a str, path: &'a str) -> LinkView<'a> {
    LinkView {
        name,
        slug,
        path,
        url: format!("{}/{path}", site.config.base_path()),
        permalink: site.config.permalink(path),
    }
}

fn tag_view<'a>(site: &Site, tag: &'a Tag) -> TagView<'a> {
    let feed_path = format!("{}atom.xml", tag.path);
    TagView {
        name: &tag.name,
        slug: &tag.slug,
        path: &tag.path,
        url: format!("{}/{}", site.config.base_path(), tag.path),
        permalink: site.config.permalink(&tag.path),
        count: tag.articles.len(),
        feed_url: site.config.permalink(&feed_path),
        feed_path,
    }
}

/// A page that sends browsers and search engines to `target`.
pub fn redirect_html(target: &str) -> String {
    let url = quick_xml::escape::escape(target);
    format!(
        "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>Redirecting to {url}</title>\n\
         <link rel=\"canonical\" href=\"{url}\">\n<meta name=\"robots\" content=\"noindex\">\n\
         <meta http-equiv=\"refresh\" content=\"0; url={url}\">\n</head>\n<body>\n\
         <p>This page has moved to <a href=\"{url}\">{url}</a>.</p>\n</body>\n</html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_files_unpack_and_compare_as_their_bytes() {
        let page = "<p>No contact is a boundary, not a punishment.</p>\n".repeat(50);
        let packed = Packed::new(page.as_bytes());
        assert!(packed.packed.len() < page.len() / 4);
        assert_eq!(packed.unpack(), page.as_bytes());
        assert_eq!(packed, Packed::new(page.as_bytes()));
        assert_ne!(
            packed,
            Packed::new(page.replace("boundary", "Boundary").as_bytes())
        );
        assert_eq!(Packed::new(b"").unpack(), b"");
    }

    #[test]
    fn root_prefix_walks_back_up() {
        assert_eq!(root_prefix(""), "./");
        assert_eq!(root_prefix("tags/"), "../");
        assert_eq!(root_prefix("tags/x/page/2/"), "../../../../");
    }

    #[test]
    fn pagination_paths() {
        assert_eq!(pager_path("", 0), "");
        assert_eq!(pager_path("", 1), "page/2/");
        assert_eq!(pager_path("tags/x/", 2), "tags/x/page/3/");
        assert_eq!(page_count(0, 10), 1);
        assert_eq!(page_count(10, 10), 1);
        assert_eq!(page_count(11, 10), 2);
    }
}
