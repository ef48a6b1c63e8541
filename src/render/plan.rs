//! The plan of a build: every file the site renders to, by output path,
//! worked out before anything is rendered, so a writer can prepare for them
//! and two sources of one URL (or a file where a folder must go) are found
//! without rendering either.
//!
//! Not for rendering (`render`) nor for deciding what a path is (`urls`).

use std::collections::HashMap;

use rayon::prelude::*;

use super::Views;
use super::{PageRef, render_job};
use crate::error::{Error, Result};
use crate::search;
use crate::site::Site;
use crate::theme::Source;
use crate::urls::{self, FEED, NOT_FOUND, ROBOTS, SITEMAP};

/// One file a site is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Job {
    Page(PageRef),
    /// Page `n` (from 0) of the index.
    Index(usize),
    TagIndex,
    /// Page `page` (from 0) of the list of tag `tag`.
    TagPage {
        tag: usize,
        page: usize,
    },
    NotFound,
    /// Every article by year and month.
    Archive,
    /// Page `page` (from 0) of the list of author `author`.
    AuthorPage {
        author: usize,
        page: usize,
    },
    SiteFeed,
    TagFeed(usize),
    AuthorFeed(usize),
    /// The newest approved comments of the site.
    CommentsFeed,
    Sitemap,
    Robots,
    /// Alias `n` of a page: a redirect to it.
    Alias(PageRef, usize),
    /// The search page, and the index it reads (see `search`).
    SearchPage,
    SearchMeta,
    SearchShard(usize),
    SearchDoc(usize),
}

impl Job {
    /// The output path, known before anything is rendered.
    pub(super) fn path(self, site: &Site) -> String {
        match self {
            Job::Page(target) => urls::file_of(&target.page(site).path),
            Job::Index(n) => urls::file_of(&urls::pager_path("", n)),
            Job::TagIndex => urls::file_of(urls::TAGS_INDEX),
            Job::TagPage { tag, page } => {
                urls::file_of(&urls::pager_path(&site.tags[tag].path, page))
            }
            Job::NotFound => NOT_FOUND.into(),
            Job::Archive => urls::file_of(urls::ARCHIVE),
            Job::AuthorPage { author, page } => {
                urls::file_of(&urls::pager_path(&site.authors[author].path, page))
            }
            Job::SiteFeed => FEED.into(),
            Job::TagFeed(t) => site.tags[t].feed_path.clone(),
            Job::AuthorFeed(a) => site.authors[a].feed_path.clone(),
            Job::CommentsFeed => urls::COMMENTS_FEED.into(),
            Job::Sitemap => SITEMAP.into(),
            Job::Robots => ROBOTS.into(),
            Job::Alias(target, n) => urls::alias_file(&target.page(site).aliases[n]),
            Job::SearchPage => urls::file_of(urls::SEARCH),
            Job::SearchMeta => urls::SEARCH_META.into(),
            Job::SearchShard(n) => urls::search_shard_file(n),
            Job::SearchDoc(n) => urls::search_doc_file(n),
        }
    }

    /// What produced the file, for messages.
    pub(super) fn origin(self, site: &Site) -> String {
        match self {
            Job::Page(target) => target.page(site).source.display().to_string(),
            Job::Index(n) => format!("the index, page {}", n + 1),
            Job::TagIndex => "the tag index".into(),
            Job::TagPage { tag, .. } => format!("tag `{}`", site.tags[tag].name),
            Job::NotFound => "the 404 page".into(),
            Job::Archive => "the archive".into(),
            Job::AuthorPage { author, .. } => {
                format!("the page of author `{}`", site.authors[author].name)
            }
            Job::SiteFeed => "the site feed".into(),
            Job::TagFeed(t) => format!("the feed of tag `{}`", site.tags[t].name),
            Job::AuthorFeed(a) => format!("the feed of author `{}`", site.authors[a].name),
            Job::CommentsFeed => "the comments feed".into(),
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
            Job::SearchPage => "the search page".into(),
            Job::SearchMeta | Job::SearchShard(_) | Job::SearchDoc(_) => "the search index".into(),
        }
    }

    /// A key of everything the file is made from, where one is known
    /// without rendering it: a file that still holds what the same key
    /// made need not be rendered again (`render_keeping`).
    fn made_from(self, views: &Views) -> Option<u64> {
        match self {
            Job::SearchDoc(n) => views.search().and_then(|index| index.made_from(n)),
            _ => None,
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

    /// How many files the site renders to.
    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    /// Whether the site renders to no file (never: it has an index).
    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }

    /// How many HTML pages the site has.
    pub fn page_count(&self) -> usize {
        self.paths().filter(|p| p.ends_with(".html")).count()
    }

    /// Whether the plan renders a file at `path`.
    pub fn has(&self, path: &str) -> bool {
        self.paths().any(|p| p == path)
    }

    /// Renders the one file at `path`, as `render` would (for `serve`,
    /// which answers a request before the whole site is rendered).
    pub fn render_one(&self, site: &Site, views: &Views, path: &str) -> Option<Result<Vec<u8>>> {
        let (job, _) = self.jobs.iter().find(|(_, p)| p == path)?;
        let mut bytes = Vec::new();
        Some(
            render_job(site, views, *job, &mut bytes)
                .map_err(|e| e.while_rendering(|| job.origin(site)))
                .map(|()| bytes),
        )
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
        self.render_keeping(
            site,
            views,
            |_, _| false,
            |path, bytes, _| emit(path, bytes),
        )
    }

    /// Renders every file as `render` does, but one whose `Job::made_from`
    /// key `kept` says its output still holds is not rendered at all;
    /// `emit` gets the key of each file that has one.
    pub fn render_keeping(
        self,
        site: &Site,
        views: &Views,
        kept: impl Fn(&str, u64) -> bool + Sync,
        emit: impl Fn(&str, &[u8], Option<u64>) -> Result<()> + Sync,
    ) -> Result<()> {
        let failed: Vec<Error> = self
            .jobs
            .par_iter()
            // Small pieces, so that no core waits out the last long run of
            // files another is still rendering.
            .with_max_len(16)
            // One buffer per worker, reused from page to page.
            .map_init(Vec::new, |buffer, (job, path)| {
                let made_from = job.made_from(views);
                if made_from.is_some_and(|key| kept(path, key)) {
                    return None;
                }
                buffer.clear();
                render_job(site, views, *job, buffer)
                    .map_err(|e| e.while_rendering(|| job.origin(site)))
                    .and_then(|()| emit(path, buffer, made_from))
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
        Source::Made { source, .. } => format!("the image {}", source.display()),
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
        jobs.extend(
            (0..page_count(tag.articles.len(), per_page)).map(|page| Job::TagPage { tag: t, page }),
        );
    }
    for (a, author) in site.authors.iter().enumerate() {
        jobs.extend(
            (0..page_count(author.articles.len(), per_page))
                .map(|page| Job::AuthorPage { author: a, page }),
        );
    }
    jobs.extend([Job::NotFound, Job::Archive, Job::SiteFeed]);
    jobs.extend((0..site.tags.len()).map(Job::TagFeed));
    jobs.extend((0..site.authors.len()).map(Job::AuthorFeed));
    jobs.push(Job::CommentsFeed);
    jobs.extend([Job::Sitemap, Job::Robots]);
    if site.config.search {
        jobs.extend([Job::SearchPage, Job::SearchMeta]);
        jobs.extend((0..search::shard_count(site)).map(Job::SearchShard));
        jobs.extend((0..search::document_count(site)).map(Job::SearchDoc));
    }
    let articles = (0..site.articles.len()).map(PageRef::Article);
    for target in articles.chain((0..site.pages.len()).map(PageRef::Page)) {
        jobs.extend((0..target.page(site).aliases.len()).map(|n| Job::Alias(target, n)));
    }
    jobs
}

/// Pages needed to list `items`: at least one, so an empty list still renders.
pub(super) fn page_count(items: usize, per_page: usize) -> usize {
    items.div_ceil(per_page).max(1)
}

/// The feeds that carry article `i` (they hold whole bodies, so they change
/// with it): the site's, its tags' and its author's, where it is new enough.
pub(super) fn feeds_carrying(site: &Site, i: usize) -> Vec<Job> {
    let limit = site.config.feed_limit;
    let carries = |list: &crate::taxonomy::Tag| list.articles.iter().take(limit).any(|&j| j == i);
    let in_site_feed = (i < limit).then_some(Job::SiteFeed);
    let tag_feeds = site
        .tag_ids(&site.articles[i])
        .into_iter()
        .filter(|&t| carries(&site.tags[t]))
        .map(Job::TagFeed);
    let author_feeds = (0..site.authors.len())
        .filter(|&a| carries(&site.authors[a]))
        .map(Job::AuthorFeed);
    in_site_feed
        .into_iter()
        .chain(tag_feeds)
        .chain(author_feeds)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_have_at_least_one_page() {
        assert_eq!(page_count(0, 10), 1);
        assert_eq!(page_count(10, 10), 1);
        assert_eq!(page_count(11, 10), 2);
    }
}
