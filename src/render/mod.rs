//! Rendering a loaded `Site` into the bytes of every output file: `plan`
//! lists the files and where each goes, `views` builds the values templates
//! see, and this module renders one file of the plan at a time, in memory.
//! Rendering is pure: it reads the site and returns bytes.
//!
//! Not for touching the disk (`output` writes what this returns) nor for
//! keeping pages in memory (`serve`).

mod plan;
mod structured;
mod views;

use rayon::prelude::*;
use tera::Context;

use crate::content::Page;
use crate::error::Result;
use crate::feed;
use crate::search;
use crate::site::Site;
use crate::theme::template_error;
use crate::urls;
pub use plan::Plan;
use plan::{Job, feeds_carrying};
pub use views::Views;

/// One rendered file, for `serve`'s partial rebuilds.
pub struct File {
    pub path: String,
    pub bytes: Vec<u8>,
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

/// Renders the own pages of `targets` (not the lists that show them), the
/// feeds that carry their bodies, and the comments feed (which may carry
/// their comments).
pub fn render_pages(site: &Site, views: &Views, targets: &[PageRef]) -> Result<Vec<File>> {
    let mut jobs: Vec<Job> = targets.iter().map(|&target| Job::Page(target)).collect();
    jobs.push(Job::CommentsFeed);
    for &target in targets {
        if let Some(index) = views.search() {
            jobs.extend(
                index
                    .shards_of(site, target)
                    .iter()
                    .map(|&n| Job::SearchShard(n)),
            );
            jobs.push(Job::SearchDoc(search::document_of(site, target)));
        }
        if let PageRef::Article(i) = target {
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

/// Renders one file, appending its bytes to `out` (which starts empty).
fn render_job(site: &Site, views: &Views, job: Job, out: &mut Vec<u8>) -> Result<()> {
    render_any(site, views, job, out)?;
    // Links of article bodies, from where this file is.
    let root = match job {
        Job::NotFound => site.urls.url(""),
        job => root_prefix(&job.path(site)),
    };
    urls::fill_root_bytes(out, &root);
    Ok(())
}

fn render_any(site: &Site, views: &Views, job: Job, out: &mut Vec<u8>) -> Result<()> {
    match job {
        Job::Page(target) => {
            let template = match target {
                PageRef::Article(_) => "article.html",
                PageRef::Page(_) => "page.html",
            };
            render_template(site, template, &views.page_context(site, target), out)
        }
        Job::Index(n) => render_template(site, "index.html", &views.index_context(site, n), out),
        Job::TagIndex => render_template(site, "tags.html", &views.tags_context(), out),
        Job::TagPage { tag, page } => {
            render_template(site, "tag.html", &views.tag_context(site, tag, page), out)
        }
        Job::NotFound => render_template(site, "404.html", &views.not_found_context(site), out),
        Job::Archive => render_template(site, "archive.html", &views.archive_context(site), out),
        Job::AuthorPage { author, page } => render_template(
            site,
            "author.html",
            &views.author_context(site, author, page),
            out,
        ),
        Job::SiteFeed => put(out, feed::site_feed(site)),
        Job::TagFeed(t) => put(out, feed::tag_feed(site, &site.tags[t])),
        Job::AuthorFeed(a) => put(out, feed::author_feed(site, &site.authors[a])),
        Job::CommentsFeed => put(out, feed::comments_feed(site)),
        Job::Sitemap => put(out, feed::sitemap(site)),
        Job::Robots => put(out, feed::robots(site)),
        Job::Alias(target, _) => put(out, redirect_html(&target.page(site).permalink)),
        Job::SearchPage => render_template(site, "search.html", &views.search_context(site), out),
        Job::SearchMeta => put(out, search::meta_json(site)),
        Job::SearchShard(n) => put(out, views.search_index().shard_json(n)),
        Job::SearchDoc(n) => put(out, search::doc_json(site, n)),
    }
}

/// Appends a file made without a template.
fn put(out: &mut Vec<u8>, bytes: impl AsRef<[u8]>) -> Result<()> {
    out.extend_from_slice(bytes.as_ref());
    Ok(())
}

/// Renders one article's or page's own page.
pub fn render_page(site: &Site, views: &Views, target: PageRef) -> Result<File> {
    render_one(site, views, Job::Page(target))
}

/// The template of the reply form for readers without JavaScript.
pub const REPLY_TEMPLATE: &str = "comment-reply.html";

/// The no-script reply page for comment `parent` of a page, or `None` if
/// the page shows no such comment. Served by `mend comments serve`, on
/// another address than the site, so its links are absolute.
pub fn render_reply_page(
    site: &Site,
    views: &Views,
    target: PageRef,
    parent: &str,
) -> Result<Option<Vec<u8>>> {
    let Some(context) = views.reply_context(site, target, parent) else {
        return Ok(None);
    };
    let mut out = Vec::new();
    render_template(site, REPLY_TEMPLATE, &context, &mut out)
        .map_err(|e| e.while_rendering(|| Job::Page(target).origin(site)))?;
    urls::fill_root_bytes(&mut out, &site.urls.permalink(""));
    Ok(Some(out))
}

/// The template of the page that tells a reader without JavaScript why
/// their comment was not taken.
pub const REFUSED_TEMPLATE: &str = "comment-refused.html";

/// What a reader sent with the comment form, to fill it in again.
#[derive(Debug, serde::Serialize)]
pub struct Sent<'a> {
    pub author: &'a str,
    pub email: &'a str,
    pub url: &'a str,
    pub body: &'a str,
    /// Whether "Email me when someone replies" was ticked.
    pub subscribe: bool,
}

/// The page that tells a reader without JavaScript why their comment on a
/// page was not taken (`refusal`), with the form filled in as they sent it
/// (`sent`, in reply to comment `parent` if the page shows it). Served by
/// the comment server, so its links are absolute.
pub fn render_refusal_page(
    site: &Site,
    views: &Views,
    target: PageRef,
    parent: &str,
    sent: &Sent,
    refusal: &str,
) -> Result<Vec<u8>> {
    let context = views.refusal_context(site, target, parent, sent, refusal);
    let mut out = Vec::new();
    render_template(site, REFUSED_TEMPLATE, &context, &mut out)
        .map_err(|e| e.while_rendering(|| Job::Page(target).origin(site)))?;
    urls::fill_root_bytes(&mut out, &site.urls.permalink(""));
    Ok(out)
}

fn render_one(site: &Site, views: &Views, job: Job) -> Result<File> {
    let mut bytes = Vec::new();
    render_job(site, views, job, &mut bytes).map_err(|e| e.while_rendering(|| job.origin(site)))?;
    Ok(File {
        path: job.path(site),
        bytes,
    })
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

/// A page that sends browsers and search engines to `target`.
pub fn redirect_html(target: &str) -> String {
    let url = crate::xml::escape(target);
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
    fn root_prefix_walks_back_up() {
        assert_eq!(root_prefix(""), "./");
        assert_eq!(root_prefix("tags/"), "../");
        assert_eq!(root_prefix("tags/x/page/2/"), "../../../../");
    }
}
