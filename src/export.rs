//! `mend comments export`: every comment of a site as JSON, CSV, or a
//! WordPress eXtended RSS (WXR 1.2) file that WordPress and Disqus import.
//!
//! Not for the site's pages: this writes data files, never HTML pages.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::comments::{Comment, CommentKind, Status};
use crate::content::{Kind, Page};
use crate::date::Date;
use crate::site::Site;
use crate::slug::slugify;
use crate::xml::{self, Xml, text};

/// The formats `--format` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Csv,
    Wxr,
}

/// Which comments `--status` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Selection {
    /// Only approved comments, as the site shows them.
    Approved,
    /// Every comment: approved, pending and spam.
    All,
}

impl Selection {
    fn keeps(self, comment: &Comment) -> bool {
        self == Selection::All || comment.status == Status::Approved
    }
}

/// The exported file; `private`, what `notify/` keeps of readers who asked
/// for mail, goes into the JSON as `subscribers` (`export --private`).
pub(crate) fn export(
    site: &Site,
    format: Format,
    selection: Selection,
    private: Option<serde_json::Value>,
) -> Vec<u8> {
    let articles = collect(site, selection);
    match format {
        Format::Json => json(site, &articles, private),
        Format::Csv => csv(&articles),
        Format::Wxr => wxr(site, &articles),
    }
}

/// An article (or page) and the comments to export with it.
struct Exported<'a> {
    page: &'a Page,
    /// The site's address, which links in comments to the site's paths
    /// are made absolute with.
    site_address: &'a str,
    permalink: String,
    /// The body, its links made absolute.
    html: String,
    comments: Vec<&'a Comment>,
    /// Whether it takes new comments now: its front matter and its age.
    open: bool,
}

fn collect(site: &Site, selection: Selection) -> Vec<Exported<'_>> {
    site.articles
        .iter()
        .chain(&site.pages)
        .map(|page| Exported {
            page,
            site_address: &site.config.base_url,
            permalink: page.permalink.clone(),
            html: crate::urls::fill_root(&page.body.html, &site.urls.permalink("")).into_owned(),
            comments: page
                .comments
                .iter()
                .filter(|c| selection.keeps(c))
                .collect(),
            open: site.comments_open(page),
        })
        .collect()
}

#[derive(Serialize)]
struct JsonDocument<'a> {
    site: JsonSite<'a>,
    articles: Vec<JsonArticle<'a>>,
    /// Only with `--private`.
    #[serde(skip_serializing_if = "Option::is_none")]
    subscribers: Option<serde_json::Value>,
}

#[derive(Serialize)]
struct JsonSite<'a> {
    title: &'a str,
    base_url: &'a str,
}

#[derive(Serialize)]
struct JsonArticle<'a> {
    kind: &'static str,
    slug: &'a str,
    title: &'a str,
    url: &'a str,
    source: String,
    comments: Vec<JsonComment<'a>>,
}

/// A comment with every field of its file, nothing added.
#[derive(Serialize)]
pub(crate) struct JsonComment<'a> {
    pub id: &'a str,
    pub parent: Option<&'a str>,
    pub author: &'a str,
    pub email: Option<&'a str>,
    pub url: Option<&'a str>,
    pub date: String,
    pub status: Status,
    pub by_author: bool,
    /// Markdown, as written.
    pub body: &'a str,
    /// `comment`, `pingback` or `trackback`.
    pub kind: CommentKind,
}

impl<'a> From<&'a Comment> for JsonComment<'a> {
    fn from(c: &'a Comment) -> Self {
        JsonComment {
            id: &c.id,
            parent: c.parent.as_deref(),
            author: &c.author,
            email: c.email.as_deref(),
            url: c.url.as_deref(),
            date: c.date.rfc3339(),
            status: c.status,
            by_author: c.by_author,
            body: &c.body,
            kind: c.kind,
        }
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Article => "article",
        Kind::Page => "page",
    }
}

fn json(site: &Site, articles: &[Exported], subscribers: Option<serde_json::Value>) -> Vec<u8> {
    let document = JsonDocument {
        site: JsonSite {
            title: &site.config.title,
            base_url: site.urls.base(),
        },
        articles: articles
            .iter()
            .map(|a| JsonArticle {
                kind: kind_name(a.page.kind),
                slug: &a.page.slug,
                title: &a.page.title,
                url: &a.permalink,
                source: a.page.source.display().to_string(),
                comments: a.comments.iter().map(|c| JsonComment::from(*c)).collect(),
            })
            .collect(),
        subscribers,
    };
    let mut bytes = serde_json::to_vec_pretty(&document).expect("plain data serializes");
    bytes.push(b'\n');
    bytes
}

/// The CSV columns, in order.
pub(crate) const CSV_HEADER: [&str; 12] = [
    "article_slug",
    "article_url",
    "id",
    "parent",
    "author",
    "email",
    "url",
    "date",
    "status",
    "by_author",
    "body",
    "kind",
];

fn csv(articles: &[Exported]) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer
        .write_record(CSV_HEADER)
        .expect("writing to memory cannot fail");
    for article in articles {
        for c in &article.comments {
            let date = c.date.rfc3339();
            let record = [
                article.page.slug.as_str(),
                &article.permalink,
                &c.id,
                c.parent.as_deref().unwrap_or(""),
                &c.author,
                c.email.as_deref().unwrap_or(""),
                c.url.as_deref().unwrap_or(""),
                &date,
                c.status.as_str(),
                if c.by_author { "true" } else { "false" },
                &c.body,
                c.kind.as_str(),
            ];
            writer
                .write_record(record.map(|cell| defuse(cell).into_owned()))
                .expect("writing to memory cannot fail");
        }
    }
    writer.into_inner().expect("writing to memory cannot fail")
}

/// A cell that a spreadsheet would run as a formula (starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return), made inert with a leading `'` as
/// OWASP advises; other cells are written as they are.
pub(crate) fn defuse(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// WordPress eXtended RSS namespaces, as WordPress's own exporter writes them.
pub(crate) const WXR_NAMESPACES: [(&str, &str); 6] = [
    ("xmlns:excerpt", "http://wordpress.org/export/1.2/excerpt/"),
    ("xmlns:content", "http://purl.org/rss/1.0/modules/content/"),
    ("xmlns:wfw", "http://wellformedweb.org/CommentAPI/"),
    ("xmlns:dc", "http://purl.org/dc/elements/1.1/"),
    ("xmlns:wp", "http://wordpress.org/export/1.2/"),
    ("xmlns:dsq", "http://www.disqus.com/"),
];

/// `2024-02-27 07:10:00`, WordPress's date format.
pub(crate) fn format_wp_date(date: &Date) -> String {
    date.timestamp.strftime("%Y-%m-%d %H:%M:%S").to_string()
}

/// `Tue, 27 Feb 2024 07:10:00 +0000`, RSS's date format.
fn rss_date(date: &Date) -> String {
    date.timestamp
        .strftime("%a, %d %b %Y %H:%M:%S +0000")
        .to_string()
}

/// A WordPress user for each author key or plain name, numbered from 1.
struct WxrUser {
    id: usize,
    login: String,
    display_name: String,
}

fn wxr_users(site: &Site) -> BTreeMap<String, WxrUser> {
    let mut names: Vec<(String, String)> = site
        .config
        .authors
        .iter()
        .map(|(key, a)| (key.clone(), a.name.clone()))
        .collect();
    for page in site.articles.iter().chain(&site.pages) {
        if let Some(author) = &page.author
            && !site.config.authors.contains_key(author)
            && !names.iter().any(|(key, _)| key == author)
        {
            names.push((author.clone(), author.clone()));
        }
    }
    names
        .into_iter()
        .enumerate()
        .map(|(i, (key, display_name))| {
            let login = if site.config.authors.contains_key(&key) {
                key.clone()
            } else {
                slugify(&key)
            };
            (
                key,
                WxrUser {
                    id: i + 1,
                    login,
                    display_name,
                },
            )
        })
        .collect()
}

fn wxr(site: &Site, articles: &[Exported]) -> Vec<u8> {
    let config = &site.config;
    let authors = wxr_users(site);
    let mut writer = xml::document("UTF-8", b'\t', 1);
    let mut attributes = vec![("version", "2.0")];
    attributes.extend(WXR_NAMESPACES);
    let mut next_comment_id = 1;
    xml::parent(&mut writer, "rss", &attributes, |w| {
        xml::parent(w, "channel", &[], |w| {
            text(w, "title", &config.title);
            text(w, "link", &site.urls.permalink(""));
            text(w, "description", &config.description);
            text(w, "language", &config.language);
            text(w, "wp:wxr_version", "1.2");
            text(w, "wp:base_site_url", &site.urls.permalink(""));
            text(w, "wp:base_blog_url", &site.urls.permalink(""));
            for author in authors.values() {
                xml::parent(w, "wp:author", &[], |w| {
                    text(w, "wp:author_id", &author.id.to_string());
                    text(w, "wp:author_login", &author.login);
                    text(w, "wp:author_email", "");
                    text(w, "wp:author_display_name", &author.display_name);
                    text(w, "wp:author_first_name", "");
                    text(w, "wp:author_last_name", "");
                });
            }
            text(w, "generator", "mend");
            for (index, article) in articles.iter().enumerate() {
                wxr_item(w, &authors, article, index + 1, &mut next_comment_id);
            }
        });
    });
    let mut bytes = writer.into_inner();
    bytes.push(b'\n');
    bytes
}

fn wxr_item(
    w: &mut Xml,
    authors: &BTreeMap<String, WxrUser>,
    article: &Exported,
    post_id: usize,
    next_comment_id: &mut usize,
) {
    let page = article.page;
    let date = page.date.or(page.comments.first().map(|c| c.date));
    let author = page.author.as_ref().and_then(|a| authors.get(a));
    let numbers: HashMap<&str, usize> = article
        .comments
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), *next_comment_id + i))
        .collect();
    *next_comment_id += article.comments.len();
    xml::parent(w, "item", &[], |w| {
        text(w, "title", &page.title);
        text(w, "link", &article.permalink);
        let pub_date = date.map(|d| rss_date(&d)).unwrap_or_default();
        text(w, "pubDate", &pub_date);
        text(w, "dc:creator", author.map_or("", |a| a.login.as_str()));
        xml::text_with(w, "guid", &[("isPermaLink", "false")], &article.permalink);
        text(w, "description", "");
        text(w, "content:encoded", &article.html);
        text(
            w,
            "excerpt:encoded",
            page.description.as_deref().unwrap_or(""),
        );
        text(w, "dsq:thread_identifier", &format!("/{}", page.path));
        text(w, "wp:post_id", &post_id.to_string());
        let wp_date_text = date.map(|d| format_wp_date(&d)).unwrap_or_default();
        text(w, "wp:post_date", &wp_date_text);
        text(w, "wp:post_date_gmt", &wp_date_text);
        let comment_status = if article.open { "open" } else { "closed" };
        text(w, "wp:comment_status", comment_status);
        text(w, "wp:ping_status", "closed");
        text(w, "wp:post_name", &page.slug);
        text(w, "wp:status", if page.draft { "draft" } else { "publish" });
        text(w, "wp:post_parent", "0");
        text(w, "wp:menu_order", "0");
        let post_type = if page.kind == Kind::Article {
            "post"
        } else {
            "page"
        };
        text(w, "wp:post_type", post_type);
        text(w, "wp:post_password", "");
        text(w, "wp:is_sticky", "0");
        for tag in &page.tags {
            let attributes = [("domain", "post_tag"), ("nicename", &slugify(tag))];
            xml::text_with(w, "category", &attributes, tag);
        }
        for comment in &article.comments {
            let author_id = author.map_or(0, |a| a.id);
            wxr_comment(w, comment, &numbers, author_id, article.site_address);
        }
    });
}

fn wxr_comment(
    w: &mut Xml,
    comment: &Comment,
    numbers: &HashMap<&str, usize>,
    author_id: usize,
    site_address: &str,
) {
    let approved = match comment.status {
        Status::Approved => "1",
        Status::Pending => "0",
        Status::Spam => "spam",
    };
    // A reply to a comment left out of the export (`--status approved`)
    // becomes a top-level comment rather than pointing nowhere.
    let parent = comment
        .parent
        .as_deref()
        .and_then(|p| numbers.get(p))
        .map_or(0, |n| *n);
    let user_id = if comment.by_author { author_id } else { 0 };
    let date = format_wp_date(&comment.date);
    xml::parent(w, "wp:comment", &[], |w| {
        text(
            w,
            "wp:comment_id",
            &numbers[comment.id.as_str()].to_string(),
        );
        text(w, "wp:comment_author", &comment.author);
        text(
            w,
            "wp:comment_author_email",
            comment.email.as_deref().unwrap_or(""),
        );
        text(
            w,
            "wp:comment_author_url",
            comment.url.as_deref().unwrap_or(""),
        );
        text(w, "wp:comment_author_IP", "");
        text(w, "wp:comment_date", &date);
        text(w, "wp:comment_date_gmt", &date);
        text(
            w,
            "wp:comment_content",
            &crate::sanitize::comment_body_as_typed(&comment.body, site_address),
        );
        text(w, "wp:comment_approved", approved);
        text(w, "wp:comment_type", comment.kind.as_str());
        text(w, "wp:comment_parent", &parent.to_string());
        text(w, "wp:comment_user_id", &user_id.to_string());
        xml::parent(w, "wp:commentmeta", &[], |w| {
            text(w, "wp:meta_key", MEND_ID_KEY);
            text(w, "wp:meta_value", &comment.id);
        });
    });
}

/// The comment meta key that carries mend's own comment id through WordPress.
pub(crate) const MEND_ID_KEY: &str = "mend_id";
