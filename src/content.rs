//! Loading `content/`: finding articles, pages, page bundles and their files,
//! and reading front matter (TOML between `+++`, YAML between `---`).
//!
//! Not for turning Markdown into HTML (`markdown`) nor for anything that
//! depends on other pages (`site`, `taxonomy`).

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Deserialize;

use crate::config::{in_site, key_line};
use crate::date::{Date, RawDate};
use crate::error::{Error, Result, read_text, toml_problem};
use crate::layout::{Walk, is_comments_file};
use crate::markdown::{self, Body};
use crate::slug::slugify;
use crate::urls::{self, Urls};

pub(crate) use crate::layout::{CONTENT_DIR, POSTS_DIR};

/// Whether a Markdown file is a dated article or a standalone page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Article,
    Page,
}

/// One Markdown file of `content/`, loaded and rendered.
#[derive(Debug, Clone)]
pub struct Page {
    /// The source file, for messages: `content/posts/x.md`.
    pub source: PathBuf,
    pub kind: Kind,
    pub slug: String,
    /// Site path without leading slash: `posts/x/` (see `urls`).
    pub path: String,
    /// `path` from the host's root: `/blog/posts/x/`.
    pub url: String,
    /// `path` as an absolute URL.
    pub permalink: String,
    pub title: String,
    pub date: Option<Date>,
    pub updated: Option<Date>,
    pub tags: Vec<String>,
    /// The slug of each tag, in the same order.
    pub tag_slugs: Vec<String>,
    pub author: Option<String>,
    pub description: Option<String>,
    pub draft: bool,
    pub aliases: Vec<String>,
    /// The front matter's `comments` flag; whether the page takes comments
    /// now (its age counts too) is `Site::comments_open`.
    pub allows_comments: bool,
    /// The page's picture for lists and link previews: a URL, or a file of
    /// its bundle.
    pub image: Option<String>,
    /// Pinned at the top of the index.
    pub sticky: bool,
    pub body: Body,
    /// For a page bundle, the other files of its folder.
    pub assets: Vec<PathBuf>,
    /// Free-form front matter values under `extra`.
    pub extra: serde_json::Value,
    /// Every comment of its comment file, in file order (all statuses).
    pub comments: Vec<crate::comments::Comment>,
}

impl Page {
    /// The site path of the front matter's `image` (`/posts/x/cover.jpg`)
    /// when it is a file of the site, not an address elsewhere.
    pub(crate) fn image_site_path(&self) -> Option<String> {
        markdown::site_path_of(self.image.as_deref()?, &self.path)
    }

    /// What the page is about, in a line of plain text: its description,
    /// or else the start of its summary, cut at a word within `max_chars`
    /// (with `…` where it was cut). Search results and link previews show it.
    pub fn excerpt(&self, max_chars: usize) -> String {
        let text = match &self.description {
            Some(description) => description.clone(),
            None => crate::sanitize::rendered_text(&self.body.summary),
        };
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.chars().count() <= max_chars {
            return text;
        }
        let cut: String = text.chars().take(max_chars).collect();
        let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
        format!("{cut}…")
    }
}

/// Front matter as written; checked and turned into a `Page` by `load_page`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: Option<String>,
    date: Option<RawDate>,
    updated: Option<RawDate>,
    #[serde(default)]
    tags: Vec<String>,
    author: Option<String>,
    description: Option<String>,
    #[serde(default)]
    draft: bool,
    slug: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    comments: Option<bool>,
    image: Option<String>,
    #[serde(default)]
    sticky: bool,
    #[serde(default)]
    extra: serde_json::Value,
}

/// What a walk of `content/` finds.
#[derive(Debug, Default)]
pub(crate) struct ContentFiles {
    /// Markdown files with the folder of their bundle, if they are one.
    pub markdown: Vec<(PathBuf, Option<PathBuf>)>,
    /// Comment files (`x.comments.toml`, `comments.toml` in a bundle).
    pub comments: Vec<PathBuf>,
    /// Other files outside bundles, copied to the same place in the output.
    pub assets: Vec<PathBuf>,
}

/// Lists the files of `content/` in a stable order.
pub(crate) fn find_files(root: &Path) -> Result<ContentFiles> {
    let dir = in_site(root, CONTENT_DIR);
    let mut found = ContentFiles::default();
    if !dir.is_dir() {
        return Ok(found);
    }
    let mut walk = Walk::new(root, &dir);
    while let Some(entry) = walk.next() {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy();
        if entry.file_type().is_dir() {
            let index = path.join("index.md");
            if entry.depth() > 0 && index.is_file() {
                walk.skip_current_dir();
                found.markdown.push((index, Some(path.to_path_buf())));
                note_bundle_comments(path, &mut found);
            }
        } else if is_comments_file(&name) {
            found.comments.push(path.to_path_buf());
        } else if name.ends_with(".md") {
            found.markdown.push((path.to_path_buf(), None));
        } else {
            found.assets.push(path.to_path_buf());
        }
    }
    Ok(found)
}

/// The folder of the page bundle whose `index.md` is `file`, if it is one.
pub(crate) fn bundle_of(root: &Path, file: &Path) -> Option<PathBuf> {
    let dir = file.parent()?;
    let is_index = file.file_name().is_some_and(|n| n == "index.md");
    (is_index && dir != in_site(root, CONTENT_DIR)).then(|| dir.to_path_buf())
}

/// A bundle's comment file is noted here; its other files travel with the
/// page (see `bundle_assets`).
fn note_bundle_comments(dir: &Path, found: &mut ContentFiles) {
    let comments = dir.join("comments.toml");
    if comments.is_file() {
        found.comments.push(comments);
    }
}

/// The files of a bundle folder other than its sources, sorted.
fn bundle_assets(root: &Path, dir: &Path) -> Result<Vec<PathBuf>> {
    let files = Walk::new(root, dir).files()?;
    Ok(files
        .into_iter()
        .filter(|file| {
            let name = file.file_name().unwrap_or_default().to_string_lossy();
            !name.ends_with(".md") && !is_comments_file(&name)
        })
        .collect())
}

/// Loads every Markdown file in parallel; returns the pages and every error.
pub(crate) fn load_pages(
    root: &Path,
    files: &[(PathBuf, Option<PathBuf>)],
    urls: &Urls,
    code: &markdown::Highlighter,
) -> (Vec<Page>, Vec<Error>) {
    let results: Vec<Result<Page>> = files
        .par_iter()
        .map(|(file, bundle)| load_page(root, file, bundle.as_deref(), urls, code))
        .collect();
    let mut pages = Vec::with_capacity(results.len());
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(page) => pages.push(page),
            Err(e) => errors.push(e),
        }
    }
    (pages, errors)
}

/// Reads one Markdown file (`bundle` is its folder when it is an `index.md`).
pub(crate) fn load_page(
    root: &Path,
    file: &Path,
    bundle: Option<&Path>,
    urls: &Urls,
    code: &markdown::Highlighter,
) -> Result<Page> {
    let text = read_text(file)?;
    let split = split_front_matter(&text, file)?;
    let front = parse_front_matter(&split, file)?;
    let content_dir = in_site(root, CONTENT_DIR);
    let relative = file.strip_prefix(&content_dir).unwrap_or(file);
    let kind = if relative.starts_with(POSTS_DIR) {
        Kind::Article
    } else {
        Kind::Page
    };
    let front_line = |key: &str| key_line(split.front, key) + 1;
    let date = parse_date(front.date.as_ref(), file, "date", front_line("date"))?;
    let updated = parse_date(
        front.updated.as_ref(),
        file,
        "updated",
        front_line("updated"),
    )?;
    let title = front.title.ok_or_else(|| Error::MissingField {
        path: file.to_path_buf(),
        field: "title",
    })?;
    if kind == Kind::Article && date.is_none() {
        return Err(Error::MissingField {
            path: file.to_path_buf(),
            field: "date",
        });
    }
    let slug = page_slug(front.slug.as_deref(), relative, bundle.is_some());
    if slug.is_empty() {
        return Err(Error::InvalidValue {
            path: file.to_path_buf(),
            line: front_line("slug"),
            message: "the slug is empty once reduced to letters and digits; set `slug`".into(),
        });
    }
    let path = urls::page_path(kind == Kind::Article, relative, bundle.is_some(), &slug);
    for alias in &front.aliases {
        check_alias(alias).map_err(|message| Error::InvalidValue {
            path: file.to_path_buf(),
            line: front_line("aliases"),
            message,
        })?;
    }
    let assets = match bundle {
        Some(dir) => bundle_assets(root, dir)?,
        None => Vec::new(),
    };
    let body = markdown::render(split.body, &path, code);
    let tags: Vec<String> = front
        .tags
        .into_iter()
        .filter(|t| !t.trim().is_empty())
        .collect();
    Ok(Page {
        source: file.to_path_buf(),
        kind,
        slug,
        url: urls.url(&path),
        permalink: urls.permalink(&path),
        path,
        title,
        date,
        updated,
        tag_slugs: tags.iter().map(|t| slugify(t)).collect(),
        tags,
        author: front.author.filter(|a| !a.trim().is_empty()),
        description: front.description,
        draft: front.draft,
        aliases: front.aliases,
        allows_comments: front.comments.unwrap_or(true),
        image: front.image.filter(|i| !i.trim().is_empty()),
        sticky: front.sticky,
        body,
        assets,
        extra: front.extra,
        comments: Vec::new(),
    })
}

/// Front matter and body of a Markdown file.
struct Split<'a> {
    yaml: bool,
    front: &'a str,
    body: &'a str,
}

fn split_front_matter<'a>(text: &'a str, file: &Path) -> Result<Split<'a>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let fence = if text.starts_with("+++") {
        "+++"
    } else if text.starts_with("---") {
        "---"
    } else {
        return Err(Error::FrontMatter {
            path: file.to_path_buf(),
            line: 1,
            message: "the file must start with front matter between `+++` lines (TOML) or `---` lines (YAML)".into(),
        });
    };
    let after_open = text.find('\n').map_or(text.len(), |i| i + 1);
    let mut offset = after_open;
    for line in text[after_open..].split_inclusive('\n') {
        if line.trim_end() == fence {
            return Ok(Split {
                yaml: fence == "---",
                front: &text[after_open..offset],
                body: &text[offset + line.len()..],
            });
        }
        offset += line.len();
    }
    Err(Error::FrontMatter {
        path: file.to_path_buf(),
        line: 1,
        message: format!("the front matter opened here is never closed by a `{fence}` line"),
    })
}

fn parse_front_matter(split: &Split, file: &Path) -> Result<FrontMatter> {
    let error = |line: usize, message: String| Error::FrontMatter {
        path: file.to_path_buf(),
        line: line + 1, // the opening fence is line 1
        message,
    };
    if split.yaml {
        serde_yaml_ng::from_str(split.front).map_err(|e| {
            let line = e.location().map_or(1, |l| l.line());
            error(line, e.to_string())
        })
    } else {
        toml::from_str(split.front).map_err(|e| {
            let (line, message) = toml_problem(&e, split.front);
            error(line, message)
        })
    }
}

fn parse_date(
    raw: Option<&RawDate>,
    file: &Path,
    field: &'static str,
    line: usize,
) -> Result<Option<Date>> {
    let Some(raw) = raw else { return Ok(None) };
    let text = raw.text();
    Date::parse(&text).map(Some).ok_or(Error::InvalidDate {
        path: file.to_path_buf(),
        line,
        field,
        value: text,
    })
}

fn page_slug(given: Option<&str>, relative: &Path, is_bundle: bool) -> String {
    if let Some(slug) = given {
        return slugify(slug);
    }
    let name = if is_bundle {
        relative.parent().and_then(Path::file_name)
    } else {
        relative.file_stem()
    };
    slugify(&name.map(|n| n.to_string_lossy()).unwrap_or_default())
}

/// An alias is a site path: no `..`, no scheme, no host.
fn check_alias(alias: &str) -> std::result::Result<(), String> {
    let trimmed = alias.trim_matches('/');
    if trimmed.is_empty() || alias.contains("://") || alias.starts_with("//") {
        return Err(format!(
            "alias `{alias}` must be a path on this site, like /2020/02/old-name/"
        ));
    }
    if trimmed
        .split('/')
        .any(|part| part == ".." || part == "." || part.is_empty())
    {
        return Err(format!(
            "alias `{alias}` must not contain `.`, `..` or `//` parts"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_from_names() {
        let p = Path::new;
        assert_eq!(page_slug(None, p("posts/Été Déjà.md"), false), "ete-deja");
        assert_eq!(page_slug(None, p("posts/bundle/index.md"), true), "bundle");
    }

    #[test]
    fn aliases_stay_on_the_site() {
        assert!(check_alias("/2020/02/x/").is_ok());
        assert!(check_alias("/../etc/").is_err());
        assert!(check_alias("https://evil.example/").is_err());
    }
}
