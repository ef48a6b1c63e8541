//! `mend import wordpress`: a WordPress export (WXR) becomes Markdown
//! articles and pages with TOML front matter, comment files beside them, and
//! author profiles in `site.toml`.
//!
//! Imported HTML is untrusted: it is cleaned by `sanitize` before it is
//! turned into Markdown. Nothing is downloaded: images keep their old URLs.
//!
//! Not for reading a mend site (`site`) nor writing WXR (`export`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::comments::Status;
use crate::config::CONFIG_FILE;
use crate::content::{CONTENT_DIR, POSTS_DIR};
use crate::date::Date;
use crate::error::{Error, Result, read_text};
use crate::export::MEND_ID_KEY;
use crate::markdown::MORE_MARKER;
use crate::sanitize::{self, is_web_url, strip_controls};
use crate::scaffold::write_new;
use crate::slug::slugify;
use crate::urls;

/// Namespaces of a WordPress export, told apart by their URIs (WordPress
/// has used `export/1.0/` to `export/1.2/`).
#[derive(Clone, Copy)]
enum Ns {
    None,
    Wp,
    Content,
    Excerpt,
    Dc,
}

impl Ns {
    fn matches(self, uri: Option<&str>) -> bool {
        match (self, uri) {
            (Ns::None, uri) => uri.is_none(),
            (_, None) => false,
            (Ns::Wp, Some(u)) => {
                u.starts_with("http://wordpress.org/export/") && !u.contains("/excerpt/")
            }
            (Ns::Excerpt, Some(u)) => {
                u.starts_with("http://wordpress.org/export/") && u.contains("/excerpt/")
            }
            (Ns::Content, Some(u)) => u == "http://purl.org/rss/1.0/modules/content/",
            (Ns::Dc, Some(u)) => u == "http://purl.org/dc/elements/1.1/",
        }
    }
}

type Node<'a, 'i> = roxmltree::Node<'a, 'i>;

fn children<'a, 'i>(
    node: Node<'a, 'i>,
    ns: Ns,
    name: &'static str,
) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(move |n| {
        n.is_element() && n.tag_name().name() == name && ns.matches(n.tag_name().namespace())
    })
}

/// The text of the first child element `name`, or empty.
fn text_of(node: Node, ns: Ns, name: &'static str) -> String {
    children(node, ns, name)
        .next()
        .map(|n| {
            n.descendants()
                .filter(roxmltree::Node::is_text)
                .map(|d| d.text().unwrap_or(""))
                .collect()
        })
        .unwrap_or_default()
}

struct Channel {
    title: String,
    link: String,
    description: String,
    language: String,
    authors: Vec<ExportedAuthor>,
    items: Vec<Item>,
}

struct ExportedAuthor {
    id: String,
    login: String,
    email: String,
    display_name: String,
}

struct Item {
    title: String,
    link: String,
    creator: String,
    content: String,
    excerpt: String,
    post_id: String,
    post_date: String,
    post_date_gmt: String,
    post_name: String,
    status: String,
    post_type: String,
    comment_status: String,
    categories: Vec<Category>,
    comments: Vec<WpComment>,
}

struct Category {
    domain: String,
    nicename: String,
    name: String,
}

struct WpComment {
    id: String,
    author: String,
    email: String,
    url: String,
    date: String,
    date_gmt: String,
    content: String,
    approved: String,
    kind: String,
    parent: String,
    user_id: String,
    /// `(key, value)` pairs of `wp:commentmeta`.
    meta: Vec<(String, String)>,
}

fn read_channel(doc: &roxmltree::Document) -> Option<Channel> {
    let rss = doc.root_element();
    let channel = children(rss, Ns::None, "channel").next()?;
    if rss.tag_name().name() != "rss" {
        return None;
    }
    Some(Channel {
        title: text_of(channel, Ns::None, "title"),
        link: text_of(channel, Ns::None, "link"),
        description: text_of(channel, Ns::None, "description"),
        language: text_of(channel, Ns::None, "language"),
        authors: children(channel, Ns::Wp, "author")
            .map(read_author)
            .collect(),
        items: children(channel, Ns::None, "item").map(read_item).collect(),
    })
}

fn read_author(node: Node) -> ExportedAuthor {
    ExportedAuthor {
        id: text_of(node, Ns::Wp, "author_id"),
        login: text_of(node, Ns::Wp, "author_login"),
        email: text_of(node, Ns::Wp, "author_email"),
        display_name: text_of(node, Ns::Wp, "author_display_name"),
    }
}

fn read_item(node: Node) -> Item {
    let wp = |name| text_of(node, Ns::Wp, name);
    Item {
        title: text_of(node, Ns::None, "title"),
        link: text_of(node, Ns::None, "link"),
        creator: text_of(node, Ns::Dc, "creator"),
        content: text_of(node, Ns::Content, "encoded"),
        excerpt: text_of(node, Ns::Excerpt, "encoded"),
        post_id: wp("post_id"),
        post_date: wp("post_date"),
        post_date_gmt: wp("post_date_gmt"),
        post_name: wp("post_name"),
        status: wp("status"),
        post_type: wp("post_type"),
        comment_status: wp("comment_status"),
        categories: children(node, Ns::None, "category")
            .map(|c| Category {
                domain: c.attribute("domain").unwrap_or_default().to_string(),
                nicename: c.attribute("nicename").unwrap_or_default().to_string(),
                name: c.text().unwrap_or_default().to_string(),
            })
            .collect(),
        comments: children(node, Ns::Wp, "comment")
            .map(read_comment)
            .collect(),
    }
}

fn read_comment(node: Node) -> WpComment {
    let wp = |name| text_of(node, Ns::Wp, name);
    WpComment {
        id: wp("comment_id"),
        author: wp("comment_author"),
        email: wp("comment_author_email"),
        url: wp("comment_author_url"),
        date: wp("comment_date"),
        date_gmt: wp("comment_date_gmt"),
        content: wp("comment_content"),
        approved: wp("comment_approved"),
        kind: wp("comment_type"),
        parent: wp("comment_parent"),
        user_id: wp("comment_user_id"),
        meta: children(node, Ns::Wp, "commentmeta")
            .map(|m| {
                (
                    text_of(m, Ns::Wp, "meta_key"),
                    text_of(m, Ns::Wp, "meta_value"),
                )
            })
            .collect(),
    }
}

/// What an import did, for the closing message.
#[derive(Debug, Default)]
pub struct Report {
    pub articles: usize,
    pub pages: usize,
    pub drafts: usize,
    pub comments: usize,
    pub authors_added: usize,
    pub skipped_items: usize,
    pub warnings: Vec<String>,
}

impl Report {
    pub fn summary(&self, into: &Path) -> String {
        format!(
            "imported {} articles and {} pages ({} of them drafts) with {} comments into {}; {} authors added to site.toml; {} other items (attachments, menus, revisions, trash) skipped",
            self.articles,
            self.pages,
            self.drafts,
            self.comments,
            into.display(),
            self.authors_added,
            self.skipped_items
        )
    }
}

/// Imports the WXR file `export` into the site folder `into`.
pub fn wordpress(export: &Path, into: &Path, force: bool) -> Result<Report> {
    let text = read_text(export)?;
    let not_wxr = |detail: String| Error::Import {
        path: export.to_path_buf(),
        message: format!("is not a WordPress export (WXR) file: {detail}"),
    };
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(&text, options)
        .map_err(|e| not_wxr(e.to_string()))?;
    let channel = read_channel(&doc).ok_or_else(|| not_wxr("it has no <rss><channel>".into()))?;
    let mut report = Report::default();
    let authors = author_keys(&channel.authors);
    let mut files: BTreeMap<PathBuf, String> = BTreeMap::new();
    let mut used_paths = HashSet::new();
    let today = jiff::Zoned::now().date().to_string();
    for item in &channel.items {
        let Some(kind) = item_kind(item) else {
            report.skipped_items += 1;
            continue;
        };
        let converted = convert_item(item, kind, &authors, &today, &mut report);
        let folder = match kind {
            ItemKind::Post => Path::new(CONTENT_DIR).join(POSTS_DIR),
            ItemKind::Page => PathBuf::from(CONTENT_DIR),
        };
        let slug = unique_slug(&converted.slug, &folder, &mut used_paths);
        let front = FrontMatterOut {
            slug: (slug != converted.slug || !converted.slug_from_name).then_some(slug.clone()),
            ..converted.front
        };
        let mut article = format!(
            "+++\n{}+++\n",
            toml::to_string(&front).expect("plain data serializes")
        );
        article.push_str(&converted.body);
        files.insert(into.join(&folder).join(format!("{slug}.md")), article);
        if !converted.comments.comment.is_empty() {
            let text = toml::to_string(&converted.comments).expect("plain data serializes");
            files.insert(
                into.join(&folder).join(format!("{slug}.comments.toml")),
                text,
            );
        }
    }
    let existing: Vec<&PathBuf> = files.keys().filter(|p| p.exists()).collect();
    if let (false, Some(first)) = (force, existing.first()) {
        return Err(Error::Import {
            path: (*first).clone(),
            message: format!(
                "already exists ({} of the files to import do); pass --force to replace them",
                existing.len()
            ),
        });
    }
    report.authors_added = update_site_toml(into, &channel, &authors)?;
    for (path, text) in &files {
        if force && path.exists() {
            std::fs::remove_file(path).map_err(|source| Error::Write {
                path: path.clone(),
                source,
            })?;
        }
        write_new(path, text)?;
    }
    Ok(report)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ItemKind {
    Post,
    Page,
}

fn item_kind(item: &Item) -> Option<ItemKind> {
    if matches!(item.status.as_str(), "trash" | "auto-draft" | "inherit") {
        return None;
    }
    match item.post_type.as_str() {
        "post" => Some(ItemKind::Post),
        "page" => Some(ItemKind::Page),
        _ => None,
    }
}

/// A WordPress author as a key of `[authors]`.
struct AuthorKey {
    key: String,
    id: String,
    email: String,
    name: String,
}

fn author_keys(authors: &[ExportedAuthor]) -> HashMap<String, AuthorKey> {
    authors
        .iter()
        .filter(|a| !a.login.trim().is_empty())
        .map(|a| {
            let key = slugify(&a.login);
            let name = if a.display_name.trim().is_empty() {
                &a.login
            } else {
                &a.display_name
            };
            let author = AuthorKey {
                key,
                id: a.id.trim().to_string(),
                email: a.email.trim().to_lowercase(),
                name: strip_controls(name.trim()),
            };
            (a.login.clone(), author)
        })
        .collect()
}

#[derive(Debug, Serialize)]
struct FrontMatterOut {
    title: String,
    date: toml::value::Datetime,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    draft: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    slug: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    aliases: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comments: Option<bool>,
}

#[derive(Debug, Serialize)]
struct CommentsOut {
    comment: Vec<CommentOut>,
}

#[derive(Debug, Serialize)]
struct CommentOut {
    id: String,
    author: String,
    date: toml::value::Datetime,
    body: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    by_author: bool,
}

struct Converted {
    slug: String,
    /// Whether the slug is what the file name gives, so front matter needs none.
    slug_from_name: bool,
    front: FrontMatterOut,
    body: String,
    comments: CommentsOut,
}

fn convert_item(
    item: &Item,
    kind: ItemKind,
    authors: &HashMap<String, AuthorKey>,
    today: &str,
    report: &mut Report,
) -> Converted {
    let title = strip_controls(item.title.trim());
    let decoded_name = percent_decode(&item.post_name);
    let slug = [decoded_name.as_str(), title.as_str()]
        .iter()
        .map(|s| slugify(s))
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| format!("post-{}", slugify(&item.post_id)));
    let draft = item.status != "publish";
    let date = parse_wp_date(&item.post_date_gmt)
        .or_else(|| parse_wp_date(&item.post_date))
        .unwrap_or_else(|| Date::parse(today).expect("today is a date"));
    let author = authors.get(&item.creator);
    let is_article = kind == ItemKind::Post;
    let file = Path::new(&slug).with_extension("md");
    let new_path = format!("/{}", urls::page_path(is_article, &file, false, &slug));
    let aliases = old_path(&item.link)
        .filter(|old| *old != new_path)
        .into_iter()
        .collect();
    let comments = convert_comments(item, author, report);
    match kind {
        ItemKind::Post => report.articles += 1,
        ItemKind::Page => report.pages += 1,
    }
    report.drafts += usize::from(draft);
    let description = html_to_markdown(&sanitize::post_html(&item.excerpt));
    Converted {
        slug_from_name: !decoded_name.is_empty() && slugify(&decoded_name) == slug,
        slug,
        front: FrontMatterOut {
            title: if title.is_empty() {
                "Untitled".into()
            } else {
                title
            },
            date: toml_datetime(&date),
            tags: tags_of(item),
            author: author.map(|a| a.key.clone()).or_else(|| {
                let creator = item.creator.trim();
                (!creator.is_empty()).then(|| creator.to_string())
            }),
            description: (!description.is_empty()).then(|| description.replace('\n', " ")),
            draft,
            slug: None,
            aliases,
            comments: (item.comment_status == "closed").then_some(false),
        },
        body: post_body(&item.content),
        comments,
    }
}

fn tags_of(item: &Item) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for category in &item.categories {
        let name = strip_controls(category.name.trim());
        let wanted = matches!(category.domain.as_str(), "post_tag" | "category")
            && category.nicename != "uncategorized"
            && !name.is_empty();
        if wanted && !tags.contains(&name) {
            tags.push(name);
        }
    }
    tags
}

fn convert_comments(item: &Item, author: Option<&AuthorKey>, report: &mut Report) -> CommentsOut {
    let kept: Vec<&WpComment> = item
        .comments
        .iter()
        .filter(|c| matches!(c.kind.as_str(), "" | "comment"))
        .filter(|c| matches!(c.approved.as_str(), "1" | "0" | "spam"))
        .collect();
    let id_of: HashMap<&str, String> = kept.iter().map(|c| (c.id.trim(), comment_id(c))).collect();
    let wp_parent: HashMap<&str, &str> = item
        .comments
        .iter()
        .map(|c| (c.id.trim(), c.parent.trim()))
        .collect();
    let mut out = Vec::with_capacity(kept.len());
    for c in &kept {
        let Some(date) = parse_wp_date(&c.date_gmt).or_else(|| parse_wp_date(&c.date)) else {
            report.warnings.push(format!(
                "comment {} on “{}” has no date; it is left out",
                c.id, item.title
            ));
            continue;
        };
        let url = c.url.trim();
        if !url.is_empty() && !is_web_url(url) {
            report.warnings.push(format!(
                "comment {} on “{}” has the url `{}`, which is not http(s); it is left out",
                c.id.trim(),
                item.title.trim(),
                url.escape_debug()
            ));
        }
        let email = c.email.trim();
        let is_author = author.is_some_and(|a| {
            (c.user_id.trim() != "0" && !c.user_id.trim().is_empty() && c.user_id.trim() == a.id)
                || (!email.is_empty() && email.eq_ignore_ascii_case(&a.email))
        });
        let body = html_to_markdown(&sanitize::comment_html(&autop(&c.content)));
        let author_name = strip_controls(c.author.trim());
        out.push(CommentOut {
            id: id_of[c.id.trim()].clone(),
            author: if author_name.is_empty() {
                "Anonymous".into()
            } else {
                author_name
            },
            date: toml_datetime(&date),
            body: if body.is_empty() {
                "(empty)".into()
            } else {
                body
            },
            parent: kept_ancestor(c.parent.trim(), &wp_parent, &id_of),
            email: (!email.is_empty()).then(|| email.to_string()),
            url: is_web_url(url).then(|| url.to_string()),
            status: match c.approved.as_str() {
                "1" => None,
                "0" => Some(Status::Pending.as_str()),
                _ => Some(Status::Spam.as_str()),
            },
            by_author: is_author,
        });
    }
    report.comments += out.len();
    CommentsOut { comment: out }
}

/// mend's own id when the comment went out through `mend comments export`,
/// or one made from WordPress's number.
fn comment_id(comment: &WpComment) -> String {
    comment
        .meta
        .iter()
        .find(|(key, value)| key == MEND_ID_KEY && !value.trim().is_empty())
        .map(|(_, value)| value.trim().to_string())
        .unwrap_or_else(|| format!("c{}", comment.id.trim()))
}

/// The nearest ancestor that was kept (pingbacks and trash are not).
fn kept_ancestor<'a>(
    mut parent: &'a str,
    wp_parent: &HashMap<&'a str, &'a str>,
    id_of: &HashMap<&str, String>,
) -> Option<String> {
    let mut steps = 0;
    while !parent.is_empty() && parent != "0" && steps <= wp_parent.len() {
        if let Some(id) = id_of.get(parent) {
            return Some(id.clone());
        }
        parent = wp_parent.get(parent).copied().unwrap_or("");
        steps += 1;
    }
    None
}

/// WordPress's `2024-02-27 07:10:00`, or none for its `0000-00-00 00:00:00`.
fn parse_wp_date(text: &str) -> Option<Date> {
    let text = text.trim();
    if text.is_empty() || text.starts_with("0000") {
        return None;
    }
    Date::parse(text)
}

fn toml_datetime(date: &Date) -> toml::value::Datetime {
    date.rfc3339().parse().expect("RFC 3339 is a TOML datetime")
}

/// The path of an old permalink, to redirect from: `/2020/02/let-him-go/`.
fn old_path(link: &str) -> Option<String> {
    let url = url::Url::parse(link.trim()).ok()?;
    if url.query().is_some() || url.path() == "/" {
        return None; // `?p=123` links cannot be served by a static page
    }
    let path = percent_decode(url.path());
    path.split('/')
        .all(|part| part != ".." && part != ".")
        .then_some(path)
}

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn unique_slug(slug: &str, folder: &Path, used: &mut HashSet<PathBuf>) -> String {
    let mut candidate = slug.to_string();
    let mut n = 2;
    while !used.insert(folder.join(&candidate)) {
        candidate = format!("{slug}-{n}");
        n += 1;
    }
    candidate
}

/// A placeholder that survives cleaning and conversion where WordPress's
/// `<!--more-->` comment would not.
const MORE_PLACEHOLDER: &str = "MENDMOREMARKER";

fn post_body(html: &str) -> String {
    let marked = html.replace("<!--more-->", &format!("\n\n{MORE_PLACEHOLDER}\n\n"));
    let markdown = html_to_markdown(&sanitize::post_html(&autop(&marked)));
    let body = markdown.replace(MORE_PLACEHOLDER, MORE_MARKER);
    format!("{}\n", body.trim_end())
}

/// Cleaned HTML as Markdown.
fn html_to_markdown(clean: &str) -> String {
    htmd::convert(clean).unwrap_or_default().trim().to_string()
}

/// WordPress stores text with blank lines where it shows paragraphs (its
/// `wpautop`): wrap such runs in `<p>` and single line breaks in `<br>`.
fn autop(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let mut out = String::with_capacity(text.len() + 64);
    for block in text.split("\n\n").map(str::trim).filter(|b| !b.is_empty()) {
        if starts_with_block_tag(block) {
            out.push_str(block);
        } else {
            out.push_str("<p>");
            out.push_str(&block.replace('\n', "<br>\n"));
            out.push_str("</p>");
        }
        out.push('\n');
    }
    out
}

fn starts_with_block_tag(block: &str) -> bool {
    const BLOCKS: [&str; 18] = [
        "<p",
        "<div",
        "<h1",
        "<h2",
        "<h3",
        "<h4",
        "<h5",
        "<h6",
        "<ul",
        "<ol",
        "<li",
        "<blockquote",
        "<pre",
        "<table",
        "<figure",
        "<hr",
        "<!--",
        "<dl",
    ];
    let lower = block.get(..12).unwrap_or(block).to_ascii_lowercase();
    BLOCKS.iter().any(|tag| lower.starts_with(tag))
}

/// Writes `site.toml` when there is none, or adds the authors it lacks.
/// Returns how many authors were added.
fn update_site_toml(
    into: &Path,
    channel: &Channel,
    authors: &HashMap<String, AuthorKey>,
) -> Result<usize> {
    let path = into.join(CONFIG_FILE);
    let mut sorted: Vec<&AuthorKey> = authors.values().collect();
    sorted.sort_by(|a, b| a.key.cmp(&b.key));
    let (mut text, known): (String, HashSet<String>) = if path.exists() {
        let text = read_text(&path)?;
        let table: toml::Table = toml::from_str(&text).unwrap_or_default();
        let known = table
            .get("authors")
            .and_then(|a| a.as_table())
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default();
        (text, known)
    } else {
        (new_config(channel), HashSet::new())
    };
    let mut added = 0;
    for author in sorted.into_iter().filter(|a| !known.contains(&a.key)) {
        let name = toml::Value::String(author.name.clone());
        text.push_str(&format!(
            "\n[authors.{}]\nname = {name}\nbio = \"\"\n",
            author.key
        ));
        added += 1;
    }
    if path.exists() && added > 0 {
        std::fs::write(&path, text).map_err(|source| Error::Write { path, source })?;
    } else if !path.exists() {
        write_new(&path, &text)?;
    }
    Ok(added)
}

fn new_config(channel: &Channel) -> String {
    let quote = |s: &str| toml::Value::String(strip_controls(s.trim())).to_string();
    let base_url = if is_web_url(&channel.link) {
        channel.link.trim()
    } else {
        "https://example.com"
    };
    let title = if channel.title.trim().is_empty() {
        "Imported Blog"
    } else {
        channel.title.as_str()
    };
    let language = channel
        .language
        .split(['-', '_'])
        .next()
        .filter(|l| !l.trim().is_empty())
        .unwrap_or("en");
    format!(
        "title = {}\nbase_url = {}\ndescription = {}\nlanguage = {}\n",
        quote(title),
        quote(base_url),
        quote(&channel.description),
        quote(language)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn autop_makes_paragraphs() {
        assert_eq!(
            autop("One\nline two\n\nThree"),
            "<p>One<br>\nline two</p>\n<p>Three</p>\n"
        );
        assert_eq!(
            autop("<ul><li>x</li></ul>\n\nText"),
            "<ul><li>x</li></ul>\n<p>Text</p>\n"
        );
    }

    #[test]
    fn old_paths() {
        assert_eq!(
            old_path("https://old.example/2020/02/let-go/").as_deref(),
            Some("/2020/02/let-go/")
        );
        assert_eq!(old_path("https://old.example/?p=12"), None);
        assert_eq!(
            old_path("https://old.example/caf%C3%A9/").as_deref(),
            Some("/café/")
        );
    }

    #[test]
    fn post_body_keeps_the_more_marker_and_drops_scripts() {
        let body = post_body(
            "Intro <em>here</em>.\n\n<!--more-->\n\nRest<script>alert(1)</script> <img src=\"https://old.example/a.jpg\" onerror=\"x\" alt=\"A\">",
        );
        assert!(body.contains("Intro *here*."), "{body}");
        assert!(body.contains("\n<!-- more -->\n"), "{body}");
        assert!(
            !body.contains("alert") && !body.contains("onerror"),
            "{body}"
        );
        assert!(body.contains("![A](https://old.example/a.jpg)"), "{body}");
    }
}
