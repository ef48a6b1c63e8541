//! `mend import wordpress`: a WordPress export (WXR) becomes a mend site
//! that builds at once: Markdown articles and pages (page hierarchy kept),
//! comment files with their threads, pingbacks and author replies, authors
//! in `site.toml`, old permalinks as aliases, and `import-report.md`, which
//! says what came in, what was renamed, what was skipped and why, and what
//! to check by hand.
//!
//! Imported HTML is untrusted: `convert` cleans it through `sanitize`
//! before it becomes Markdown. Nothing is downloaded: images are copied
//! from a local copy of `wp-content/uploads` (`--uploads`), or listed in the
//! report.
//!
//! Not for reading a mend site (`site`) nor writing WXR (`export`).

mod convert;
mod record;
mod report;
mod threads;
mod wxr;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::config::CONFIG_FILE;
use crate::date::Date;
use crate::error::{Error, Result, read_text};
use crate::layout::{CONTENT_DIR, POSTS_DIR};
use crate::sanitize::{self, is_web_url, strip_controls};
use crate::scaffold::write_new;
use crate::slug::slugify;
use crate::urls;
use record::Imported;
pub(crate) use report::Report;
use wxr::{Channel, ExportedAuthor, Item};

/// What `mend import wordpress` was asked.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    /// Replace files that already exist.
    pub force: bool,
    /// A copy of the old site's `wp-content/uploads`.
    pub uploads: Option<PathBuf>,
    /// Set `base_url` of a new site: to this URL, or (`Some(None)`) to the
    /// export's own address.
    pub base_url: Option<Option<String>>,
}

/// The report's file name, written beside the imported site's `site.toml`.
pub(crate) const REPORT_FILE: &str = "import-report.md";
/// The `base_url` of a new site when the user did not ask for one.
const PLACEHOLDER_BASE_URL: &str = "https://example.com";
/// Top-level paths mend's own pages use: a page may not take them.
const RESERVED: [&str; 7] = [
    "tags", "page", "posts", "authors", "archive", "search", "uploads",
];

/// Imports the WXR file `export` into the site folder `into`.
pub(crate) fn wordpress(export: &Path, into: &Path, options: &Options) -> Result<Report> {
    let text = read_text(export)?;
    let not_wxr = |detail: String| Error::Import {
        path: export.to_path_buf(),
        message: format!("is not a WordPress export (WXR) file: {detail}"),
    };
    let parsing = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(&text, parsing)
        .map_err(|e| not_wxr(e.to_string()))?;
    let channel =
        wxr::read_channel(&doc).ok_or_else(|| not_wxr("it has no <rss><channel>".into()))?;
    let mut report = Report::new(export, into);
    let site = Plan::new(&channel, into, &mut report);
    if site.items.is_empty() {
        return Err(Error::Import {
            path: export.to_path_buf(),
            message: format!(
                "has no posts or pages ({} items of other kinds); export “All content” from Tools → Export in WordPress",
                channel.items.len()
            ),
        });
    }
    let mut files = Files::default();
    for planned in &site.items {
        convert_item(&site, planned, options, &mut files, &mut report);
    }
    let mut imported = Imported::read(into);
    refuse_existing(&files, into, &imported, options.force)?;
    let base_url = base_url_of(&channel, options);
    report.base_url = base_url.clone();
    report.authors_added = update_site_toml(into, &channel, &site.authors, &base_url)?;
    write_all(&files, options.force)?;
    for path in files.written.keys().chain(files.copies.keys()) {
        imported.add(into, path);
    }
    imported.write(into)?;
    let report_text = report.markdown();
    let path = into.join(REPORT_FILE);
    std::fs::write(&path, report_text).map_err(|source| Error::Write { path, source })?;
    Ok(report)
}

/// The `base_url` a new site gets.
fn base_url_of(channel: &Channel, options: &Options) -> String {
    match &options.base_url {
        Some(Some(url)) => url.clone(),
        Some(None) if is_web_url(&channel.link) => channel.link.trim().to_string(),
        _ => PLACEHOLDER_BASE_URL.to_string(),
    }
}

/// Whether an item is a post or a standalone page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ItemKind {
    Post,
    Page,
}

/// Where an item goes and what becomes of it, decided for all items
/// before any is converted, so links between them can be rewritten.
struct Planned<'a> {
    item: &'a Item,
    kind: ItemKind,
    /// The Markdown file, relative to the site: `content/posts/x.md`.
    file: PathBuf,
    /// Whether it goes into a page bundle (`…/x/index.md`), for its images.
    bundle: bool,
    slug: String,
    /// Its new site path: `posts/x/`.
    path: String,
    /// Why it is a draft, when WordPress published it.
    hidden: Option<&'static str>,
    aliases: Vec<String>,
}

/// Every item's place, and what all items share.
struct Plan<'a> {
    items: Vec<Planned<'a>>,
    authors: HashMap<String, AuthorKey>,
    /// Attachment URLs by attachment id.
    attachments: HashMap<String, String>,
    /// Attachment URLs by the id of the post they belong to.
    attached_to: HashMap<String, Vec<String>>,
    /// New URL path (`/posts/x/`) by old path, `?p=ID` and `?page_id=ID`.
    links: Arc<HashMap<String, String>>,
    /// Hosts of the old site, whose links are rewritten.
    old_hosts: Arc<HashSet<String>>,
    /// Tag names by lower-case name: names differing in case are merged.
    tag_names: HashMap<String, String>,
}

impl<'a> Plan<'a> {
    fn new(channel: &'a Channel, into: &Path, report: &mut Report) -> Plan<'a> {
        let mut attachments = HashMap::new();
        let mut attached_to: HashMap<String, Vec<String>> = HashMap::new();
        let mut candidates = Vec::new();
        for item in &channel.items {
            match item_kind(item, report) {
                Some(kind) => candidates.push((item, kind)),
                None if item.post_type == "attachment" => {
                    report.skipped.attachments += 1;
                    if !item.attachment_url.is_empty() {
                        attachments.insert(item.post_id.clone(), item.attachment_url.clone());
                        attached_to
                            .entry(item.post_parent.clone())
                            .or_default()
                            .push(item.attachment_url.clone());
                    }
                }
                None => {}
            }
        }
        let authors = author_keys(&channel.authors, into, report);
        let tag_names = tag_names(&candidates, report);
        let items = place_items(&candidates, report);
        let mut links = HashMap::new();
        for planned in &items {
            let new = format!("/{}", planned.path);
            if let Some(old) = old_path(&planned.item.link) {
                links.insert(old, new.clone());
            }
            links.insert(format!("?p={}", planned.item.post_id), new.clone());
            links.insert(format!("?page_id={}", planned.item.post_id), new);
        }
        let old_hosts = [channel.link.as_str()]
            .iter()
            .filter_map(|link| url::Url::parse(link.trim()).ok())
            .filter_map(|u| u.host_str().map(str::to_string))
            .collect();
        Plan {
            items,
            authors,
            attachments,
            attached_to,
            links: Arc::new(links),
            old_hosts: Arc::new(old_hosts),
            tag_names,
        }
    }
}

/// What kind of item this is, or none (counted in the report) for the
/// kinds that are not imported.
fn item_kind(item: &Item, report: &mut Report) -> Option<ItemKind> {
    let kind = match item.post_type.as_str() {
        "post" => ItemKind::Post,
        "page" => ItemKind::Page,
        "attachment" => return None,
        "nav_menu_item" => {
            report.skipped.menu_items += 1;
            return None;
        }
        other => {
            *report
                .skipped
                .other_types
                .entry(other.to_string())
                .or_default() += 1;
            return None;
        }
    };
    if matches!(item.status.as_str(), "trash" | "auto-draft" | "inherit") {
        report.skipped.trashed_posts += 1;
        return None;
    }
    Some(kind)
}

/// Why a post WordPress shows is imported as a draft, if it is.
fn hidden_reason(item: &Item) -> Option<&'static str> {
    if !item.post_password.trim().is_empty() {
        Some("password-protected")
    } else if item.status == "private" {
        Some("private")
    } else if item.status == "future" {
        Some("scheduled")
    } else {
        None
    }
}

/// Places every post and page: slugs unique in their folder, pages under
/// their parent pages, none on a path mend's own pages use, old
/// permalinks as aliases where they do not clash.
fn place_items<'a>(candidates: &[(&'a Item, ItemKind)], report: &mut Report) -> Vec<Planned<'a>> {
    let by_id: HashMap<&str, &Item> = candidates
        .iter()
        .filter(|(_, kind)| *kind == ItemKind::Page)
        .map(|(item, _)| (item.post_id.as_str(), *item))
        .collect();
    let has_children: HashSet<&str> = candidates
        .iter()
        .map(|(item, _)| item.post_parent.as_str())
        .collect();
    let mut used_paths: HashSet<String> = HashSet::new();
    let mut items = Vec::with_capacity(candidates.len());
    for &(item, kind) in candidates {
        let wanted = item_slug(item);
        let folder = match kind {
            ItemKind::Post => Path::new(CONTENT_DIR).join(POSTS_DIR),
            ItemKind::Page => Path::new(CONTENT_DIR).join(parent_folders(item, &by_id)),
        };
        let mut slug = wanted.clone();
        let top_level_page = kind == ItemKind::Page && folder == Path::new(CONTENT_DIR);
        if top_level_page && RESERVED.contains(&slug.as_str()) {
            slug = format!("{wanted}-page");
        }
        let mut n = 2;
        let base = slug.clone();
        while !used_paths.insert(folder.join(&slug).display().to_string()) {
            slug = format!("{base}-{n}");
            n += 1;
        }
        let relative = folder
            .strip_prefix(CONTENT_DIR)
            .unwrap_or(&folder)
            .join(format!("{slug}.md"));
        let path = urls::page_path(kind == ItemKind::Post, &relative, false, &slug);
        if slug != wanted {
            let wanted_file = relative.with_file_name(format!("{wanted}.md"));
            let wanted_path = urls::page_path(kind == ItemKind::Post, &wanted_file, false, &wanted);
            let reason = if top_level_page && RESERVED.contains(&wanted.as_str()) {
                "mend uses for its own pages"
            } else {
                "another post or page already has"
            };
            report.renamed.push(format!(
                "“{}” would have been at /{wanted_path}, which {reason}; it is at /{path}",
                plain_line(&item.title)
            ));
        }
        let bundle = kind == ItemKind::Post || !has_children.contains(item.post_id.as_str());
        items.push(Planned {
            item,
            kind,
            file: folder.join(format!("{slug}.md")),
            bundle,
            slug,
            path,
            hidden: hidden_reason(item),
            aliases: Vec::new(),
        });
    }
    add_aliases(&mut items, report);
    items
}

/// The slug WordPress gave an item, or one made from its title or id.
fn item_slug(item: &Item) -> String {
    let title = strip_controls(item.title.trim());
    [percent_decode(&item.post_name), title]
        .iter()
        .map(|s| slugify(s))
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| format!("post-{}", slugify(&item.post_id)))
}

/// The folders of a page's ancestors: `parent/child/`.
fn parent_folders(item: &Item, pages: &HashMap<&str, &Item>) -> PathBuf {
    let mut chain = Vec::new();
    let mut parent = item.post_parent.as_str();
    while let Some(page) = pages.get(parent) {
        if chain.len() > pages.len() || chain.contains(&item_slug(page)) {
            break; // a circle of parents
        }
        chain.push(item_slug(page));
        parent = page.post_parent.as_str();
    }
    chain.iter().rev().collect()
}

/// Each item's old permalink as an alias, unless it is its new path, is
/// not a path mend can serve, or another item or alias has it.
fn add_aliases(items: &mut [Planned], report: &mut Report) {
    let mut taken: HashSet<String> = items.iter().map(|p| format!("/{}", p.path)).collect();
    for planned in items.iter_mut() {
        let Some(old) = old_path(&planned.item.link) else {
            continue;
        };
        if taken.contains(&old) {
            if old != format!("/{}", planned.path) {
                report.check.push(format!(
                    "the old address {old} of “{}” is now another page's; no redirect was made",
                    planned.item.title.trim()
                ));
            }
            continue;
        }
        let first = old.trim_matches('/').split('/').next().unwrap_or_default();
        if RESERVED.contains(&first) {
            report.check.push(format!(
                "the old address {old} of “{}” is a path mend uses for its own pages; no redirect was made",
                planned.item.title.trim()
            ));
            continue;
        }
        taken.insert(old.clone());
        planned.aliases.push(old);
    }
}

/// Tag and category names by their lower-case form; names that differ
/// only in case are merged into the first, with one report line.
fn tag_names(candidates: &[(&Item, ItemKind)], report: &mut Report) -> HashMap<String, String> {
    let mut names: HashMap<String, String> = HashMap::new();
    for (item, _) in candidates {
        for category in &item.categories {
            let name = one_line(&category.name);
            if name.is_empty() {
                continue;
            }
            let first = names
                .entry(name.to_lowercase())
                .or_insert_with(|| name.clone());
            if *first != name {
                let line = format!(
                    "tags “{first}” and “{name}” differ only in case; they are one tag, “{first}”"
                );
                if !report.renamed.contains(&line) {
                    report.renamed.push(line);
                }
            }
        }
    }
    names
}

/// The files to write, by path, and the images to copy, by target.
#[derive(Default)]
struct Files {
    written: BTreeMap<PathBuf, String>,
    copies: BTreeMap<PathBuf, PathBuf>,
}

/// Files of the import that are there already: without `--force` any of
/// them stops the import; with it, only those an earlier import wrote and
/// nobody changed since are replaced, and any other stops it, named.
fn refuse_existing(files: &Files, into: &Path, imported: &Imported, force: bool) -> Result<()> {
    let existing: Vec<&PathBuf> = files
        .written
        .keys()
        .chain(files.copies.keys())
        .filter(|p| p.exists())
        .collect();
    let Some(first) = existing.first() else {
        return Ok(());
    };
    if !force {
        return Err(Error::Import {
            path: (*first).clone(),
            message: format!(
                "already exists ({} of the files to import do); pass --force to replace the ones an earlier import wrote (a file you made or changed is never replaced)",
                existing.len()
            ),
        });
    }
    let yours: Vec<&&PathBuf> = existing
        .iter()
        .filter(|p| !imported.left_as_written(into, p))
        .collect();
    match yours.first() {
        None => Ok(()),
        Some(first) => Err(Error::Import {
            path: (**first).clone(),
            message: format!(
                "is yours: no earlier import wrote it, or it was changed since ({} such {}); mend never replaces a file of yours, so nothing was imported: move it aside, or import into another folder with --into",
                yours.len(),
                if yours.len() == 1 { "file" } else { "files" }
            ),
        }),
    }
}

fn write_all(files: &Files, force: bool) -> Result<()> {
    for (path, text) in &files.written {
        if force && path.exists() {
            std::fs::remove_file(path).map_err(|source| Error::Write {
                path: path.clone(),
                source,
            })?;
        }
        write_new(path, text)?;
    }
    for (target, source) in &files.copies {
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|source| Error::Write {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        std::fs::copy(source, target).map_err(|e| Error::Write {
            path: target.clone(),
            source: e,
        })?;
    }
    Ok(())
}

/// A WordPress author as a key of `[authors]`.
pub(super) struct AuthorKey {
    key: String,
    pub(super) id: String,
    pub(super) email: String,
    name: String,
}

/// A key of `[authors]` for every author: the login as a slug, made
/// unique, never one that `site.toml` already gives someone else.
fn author_keys(
    authors: &[ExportedAuthor],
    into: &Path,
    report: &mut Report,
) -> HashMap<String, AuthorKey> {
    let existing = existing_authors(into);
    let mut used: HashSet<String> = HashSet::new();
    let mut keys = HashMap::new();
    for (n, author) in authors.iter().enumerate() {
        let login = author.login.trim();
        if login.is_empty() {
            continue;
        }
        let name = one_line(if author.display_name.trim().is_empty() {
            login
        } else {
            &author.display_name
        });
        let wanted = match slugify(login) {
            slug if slug.is_empty() => format!("author-{}", n + 1),
            slug => slug,
        };
        let mut key = wanted.clone();
        let mut k = 2;
        while used.contains(&key) || existing.get(&key).is_some_and(|other| *other != name) {
            key = format!("{wanted}-{k}");
            k += 1;
        }
        used.insert(key.clone());
        if key != slugify(login) {
            report.renamed.push(format!(
                "the author {login} ({name}) is `{key}` under [authors] in site.toml"
            ));
        }
        keys.insert(
            author.login.clone(),
            AuthorKey {
                key,
                id: author.id.trim().to_string(),
                email: author.email.trim().to_lowercase(),
                name,
            },
        );
    }
    keys
}

/// The names of the authors `site.toml` already has, by key.
fn existing_authors(into: &Path) -> HashMap<String, String> {
    let text = std::fs::read_to_string(into.join(CONFIG_FILE)).unwrap_or_default();
    let table: toml::Table = toml::from_str(&text).unwrap_or_default();
    table
        .get("authors")
        .and_then(|a| a.as_table())
        .map(|t| {
            t.iter()
                .map(|(k, v)| {
                    let name = v.get("name").and_then(|n| n.as_str()).unwrap_or_default();
                    (k.clone(), name.to_string())
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Text for one line of front matter: control characters and line breaks
/// gone, so nothing in it can end the front matter.
fn one_line(text: &str) -> String {
    strip_controls(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A title or a name as WordPress keeps it (HTML: `<em>`, `&#8217;`,
/// `&laquo;`) as the plain line a reader sees.
pub(super) fn plain_line(html: &str) -> String {
    one_line(&sanitize::plain_text(html))
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
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    sticky: bool,
}

/// How links and images of one item are rewritten, and what was found.
struct Rewriter {
    links: Arc<HashMap<String, String>>,
    old_hosts: Arc<HashSet<String>>,
    /// Files of `--uploads` to copy into the item's bundle, when it may
    /// be one (a page with child pages may not).
    uploads: Option<PathBuf>,
    /// Images this item uses: (URL, file name in the bundle if copied).
    images: Mutex<Vec<(String, Option<String>)>>,
}

impl Rewriter {
    /// The new address of a link or image, if it gets one.
    fn rewrite(&self, value: &str) -> Option<String> {
        let url = url::Url::parse(value.trim()).ok();
        let on_old_site = match &url {
            Some(u) => u.host_str().is_some_and(|h| self.old_hosts.contains(h)),
            None => value.starts_with('/') || value.starts_with('?'),
        };
        if !on_old_site && url.as_ref().is_some_and(|u| is_image(u.path())) {
            self.note_image(value, None);
            return None;
        }
        if !on_old_site {
            return None;
        }
        let (path, query) = match &url {
            Some(u) => (u.path().to_string(), u.query().map(str::to_string)),
            None => {
                let (path, query) = value
                    .split_once('?')
                    .map_or((value, None), |(p, q)| (p, Some(q)));
                (path.to_string(), query.map(str::to_string))
            }
        };
        if let Some(query) = &query
            && let Some(new) = query
                .split('&')
                .find_map(|pair| self.links.get(&format!("?{pair}")))
        {
            return Some(new.clone());
        }
        let normal = normalize_path(&percent_decode(&path));
        if let Some(new) = self.links.get(&normal) {
            return Some(new.clone());
        }
        if is_image(&path) {
            return self.image(value, &path);
        }
        None
    }

    /// An image of the old site: copied into the bundle where `--uploads`
    /// has it.
    fn image(&self, value: &str, path: &str) -> Option<String> {
        let relative = path.split_once("/wp-content/uploads/").map(|(_, r)| r);
        let source = relative
            .zip(self.uploads.as_ref())
            .map(|(relative, uploads)| uploads.join(percent_decode(relative)));
        let Some(source) = source.filter(|s| s.is_file()) else {
            self.note_image(value, None);
            return None;
        };
        let name = source.file_name()?.to_string_lossy().into_owned();
        self.note_image(value, Some(name.clone()));
        Some(name)
    }

    fn note_image(&self, url: &str, copied: Option<String>) {
        let mut images = self
            .images
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !images.iter().any(|(u, _)| u == url) {
            images.push((url.to_string(), copied));
        }
    }
}

fn is_image(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".avif"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// A path with one slash between parts and one at the end: `//a//b` → `/a/b/`.
fn normalize_path(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    if parts.is_empty() {
        return "/".into();
    }
    let joined = parts.join("/");
    let file = parts.last().is_some_and(|p| p.contains('.'));
    if file {
        format!("/{joined}")
    } else {
        format!("/{joined}/")
    }
}

fn convert_item(
    site: &Plan,
    planned: &Planned,
    options: &Options,
    files: &mut Files,
    report: &mut Report,
) {
    let item = planned.item;
    let title = plain_line(&item.title);
    let title = if title.is_empty() {
        "Untitled".to_string()
    } else {
        title
    };
    let rewriter = Arc::new(Rewriter {
        links: Arc::clone(&site.links),
        old_hosts: Arc::clone(&site.old_hosts),
        uploads: options.uploads.clone().filter(|_| planned.bundle),
        images: Mutex::new(Vec::new()),
    });
    let mut found = convert::Found::default();
    let body = convert_body(site, item, &rewriter, &mut found);
    let author = site.authors.get(&item.creator);
    let comments = threads::convert(item, author, report);
    let front = front_matter(site, planned, &title, author, &rewriter);
    let draft = front.draft;
    let images = rewriter
        .images
        .lock()
        .map(|i| i.clone())
        .unwrap_or_default();
    let markdown_file = place(planned, options, &images, files, report);
    let text = format!(
        "+++\n{}+++\n{}",
        toml::to_string(&front).expect("plain data serializes"),
        body
    );
    files.written.insert(report.into.join(&markdown_file), text);
    if !comments.comment.is_empty() {
        let text = toml::to_string(&comments).expect("plain data serializes");
        let comments_file = crate::layout::comments_file_of(&markdown_file);
        files.written.insert(report.into.join(&comments_file), text);
    }
    report.add_item(planned, &title, draft, &found, &images);
}

/// An item's body as Markdown, its links and images given their new
/// addresses by `rewriter`.
fn convert_body(
    site: &Plan,
    item: &Item,
    rewriter: &Arc<Rewriter>,
    found: &mut convert::Found,
) -> String {
    let context = convert::Context {
        attachments: &site.attachments,
        own_attachments: site
            .attached_to
            .get(&item.post_id)
            .cloned()
            .unwrap_or_default(),
    };
    let for_body = Arc::clone(rewriter);
    convert::to_markdown(
        &item.content,
        convert::Kind::Post,
        &context,
        move |url| for_body.rewrite(url),
        found,
    )
}

/// An item's front matter: WordPress's fields as mend's.
fn front_matter(
    site: &Plan,
    planned: &Planned,
    title: &str,
    author: Option<&AuthorKey>,
    rewriter: &Rewriter,
) -> FrontMatterOut {
    let item = planned.item;
    let featured = item
        .meta("_thumbnail_id")
        .and_then(|id| site.attachments.get(id))
        .map(|url| rewriter.rewrite(url).unwrap_or_else(|| url.clone()));
    let date = parse_wp_date(&item.post_date_gmt)
        .or_else(|| parse_wp_date(&item.post_date))
        .unwrap_or_else(|| {
            Date::parse(&jiff::Zoned::now().date().to_string()).expect("today is a date")
        });
    let description = sanitize::plain_text(&item.excerpt);
    FrontMatterOut {
        title: title.to_string(),
        date: toml_datetime(&date),
        tags: tags_of(item, &site.tag_names),
        author: author.map(|a| a.key.clone()).or_else(|| {
            let creator = one_line(&item.creator);
            (!creator.is_empty()).then_some(creator)
        }),
        description: (!description.is_empty()).then_some(description),
        draft: item.status != "publish" || planned.hidden.is_some(),
        slug: None,
        aliases: planned.aliases.clone(),
        comments: (item.comment_status == "closed").then_some(false),
        image: featured,
        sticky: item.is_sticky,
    }
}

/// Where an item's Markdown goes: its own file, or `index.md` of a page
/// bundle when images of `--uploads` are copied beside it (noted in
/// `files`).
fn place(
    planned: &Planned,
    options: &Options,
    images: &[(String, Option<String>)],
    files: &mut Files,
    report: &Report,
) -> PathBuf {
    let copied: Vec<&(String, Option<String>)> =
        images.iter().filter(|(_, c)| c.is_some()).collect();
    if !planned.bundle || copied.is_empty() {
        return planned.file.clone();
    }
    let folder = planned.file.parent().unwrap_or(Path::new(CONTENT_DIR));
    if let Some(uploads) = &options.uploads {
        for (url, name) in &copied {
            let name = name.as_deref().unwrap_or_default();
            let relative = url
                .split_once("/wp-content/uploads/")
                .map_or("", |(_, r)| r);
            let source = uploads.join(percent_decode(relative.split('?').next().unwrap_or("")));
            files.copies.insert(
                report.into.join(folder.join(&planned.slug).join(name)),
                source,
            );
        }
    }
    folder.join(&planned.slug).join("index.md")
}

fn tags_of(item: &Item, names: &HashMap<String, String>) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for category in &item.categories {
        let name = one_line(&category.name);
        let wanted = matches!(category.domain.as_str(), "post_tag" | "category")
            && category.nicename != "uncategorized"
            && !name.is_empty();
        let name = names.get(&name.to_lowercase()).cloned().unwrap_or(name);
        if wanted && !tags.contains(&name) {
            tags.push(name);
        }
    }
    tags
}

/// WordPress's `2024-02-27 07:10:00`, or none for its `0000-00-00 00:00:00`.
pub(super) fn parse_wp_date(text: &str) -> Option<Date> {
    let text = text.trim();
    if text.is_empty() || text.starts_with("0000") {
        return None;
    }
    Date::parse(text)
}

pub(super) fn toml_datetime(date: &Date) -> toml::value::Datetime {
    date.rfc3339().parse().expect("RFC 3339 is a TOML datetime")
}

/// The path of an old permalink, to redirect from: `/2020/02/let-him-go/`,
/// with repeated slashes made one; none for `?p=123` links, the home page,
/// or a path mend cannot serve.
fn old_path(link: &str) -> Option<String> {
    let url = url::Url::parse(link.trim()).ok()?;
    if url.query().is_some() {
        return None; // `?p=123` links cannot be served by a static page
    }
    let path = normalize_path(&percent_decode(url.path()));
    let valid = path != "/" && path.split('/').all(|part| part != ".." && part != ".");
    valid.then_some(path)
}

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Writes `site.toml` when there is none, or adds the authors it lacks.
/// Returns how many authors were added.
fn update_site_toml(
    into: &Path,
    channel: &Channel,
    authors: &HashMap<String, AuthorKey>,
    base_url: &str,
) -> Result<usize> {
    let path = into.join(CONFIG_FILE);
    let mut sorted: Vec<&AuthorKey> = authors.values().collect();
    sorted.sort_by(|a, b| a.key.cmp(&b.key));
    let known = existing_authors(into);
    let mut text = if path.exists() {
        read_text(&path)?
    } else {
        new_config(channel, base_url)
    };
    let mut added = 0;
    for author in sorted.into_iter().filter(|a| !known.contains_key(&a.key)) {
        let name = toml::Value::String(author.name.clone());
        // Keys are slugs: letters, digits and `-`, a bare TOML key.
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
        crate::scaffold::gitignore(into)?;
    }
    Ok(added)
}

fn new_config(channel: &Channel, base_url: &str) -> String {
    let title = if channel.title.trim().is_empty() {
        "Imported Blog".to_string()
    } else {
        one_line(&channel.title)
    };
    let language = channel
        .language
        .split(['-', '_'])
        .next()
        .filter(|l| !l.trim().is_empty())
        .unwrap_or("en");
    crate::scaffold::site_config(&crate::scaffold::Settings {
        title: &title,
        base_url,
        description: &one_line(&channel.description),
        language,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_paths() {
        assert_eq!(
            old_path("https://old.example/2020/02/let-go/").as_deref(),
            Some("/2020/02/let-go/")
        );
        assert_eq!(old_path("https://old.example/?p=12"), None);
        assert_eq!(old_path("https://old.example/"), None);
        assert_eq!(
            old_path("https://old.example/caf%C3%A9/").as_deref(),
            Some("/café/")
        );
        assert_eq!(
            old_path("https://old.example//greek/%CE%B5%CF%80%CE%AF%CF%80%CE%B5%CE%B4%CE%BF-2/")
                .as_deref(),
            Some("/greek/επίπεδο-2/")
        );
    }

    #[test]
    fn one_line_never_ends_front_matter() {
        assert_eq!(one_line("A title\n+++\nmore"), "A title +++ more");
    }

    #[test]
    fn titles_and_names_are_the_text_a_reader_sees() {
        assert_eq!(
            plain_line("Ping 1 &laquo; What&#8217;s next &raquo; Blog"),
            "Ping 1 « What’s next » Blog"
        );
        assert_eq!(
            plain_line("Why <em>no</em> contact &amp; why now"),
            "Why no contact & why now"
        );
        assert_eq!(plain_line("3 < 5 &lt;b&gt;"), "3 < 5 <b>");
    }
}
