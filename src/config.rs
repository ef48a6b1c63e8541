//! `site.toml`: the site's settings, read strictly so that a typo in a key is
//! an error rather than a silently ignored line.
//!
//! Not for front matter (see `content`) nor theme settings.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result, read_text, toml_problem};

/// The settings of one site, as written in `site.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub title: String,
    pub base_url: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default = "default_theme")]
    pub theme: String,
    #[serde(default = "default_paginate")]
    pub paginate: usize,
    #[serde(default = "default_max_depth")]
    pub comments_max_depth: usize,
    /// The longest comment body accepted, in bytes.
    #[serde(default = "default_max_bytes")]
    pub comments_max_bytes: usize,
    /// Comments close this many days after an article's date; 0 never.
    #[serde(default)]
    pub comments_close_after_days: u32,
    /// Where readers send comments (`[comments]`).
    #[serde(default)]
    pub comments: CommentsConfig,
    /// Mail to readers who asked for it and to the author (`[notify]`);
    /// none sends no mail.
    #[serde(default)]
    pub notify: Option<NotifyConfig>,
    /// Build a search index and page (`search/`).
    #[serde(default)]
    pub search: bool,
    /// How many of the newest articles each Atom feed carries.
    #[serde(default = "default_feed_limit")]
    pub feed_limit: usize,
    #[serde(default)]
    pub authors: BTreeMap<String, AuthorConfig>,
    /// How images are published (`[images]`).
    #[serde(default)]
    pub images: ImagesConfig,
    /// Free-form values for themes, passed to templates as `config.extra`.
    #[serde(default)]
    pub extra: toml::Table,
}

/// The `[comments]` table: how readers send comments.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentsConfig {
    /// The URL of `mend comments serve` that the comment form posts to; with
    /// none, the theme shows no form.
    pub endpoint: Option<String>,
}

/// The `[notify]` table: how mend sends mail (see `notify`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    /// The mail server: `smtp://user@host:587` (STARTTLS) or
    /// `smtps://user@host:465` (TLS from the start); a server on this
    /// machine (`smtp://localhost:25`) may be spoken to without TLS.
    pub smtp: String,
    /// Who the mail is from: `Mending Hearts <comments@example.com>`.
    pub from: String,
    /// Where notices of new comments go; none sends the author nothing.
    pub author: Option<String>,
    /// A file holding the SMTP password, relative to the site (else the
    /// `MEND_SMTP_PASSWORD` environment variable).
    pub smtp_password_file: Option<PathBuf>,
    /// At most one notice to the author in this many minutes: comments
    /// that arrive in between come together in the next.
    #[serde(default = "default_author_every")]
    pub author_every_minutes: u32,
}

/// The `[images]` table: the smaller copies of each image an article
/// shows, and what is kept of a photo's metadata (see `images`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImagesConfig {
    /// The widths, in pixels, of the copies made of each image a page
    /// shows (none wider than the image); empty makes none.
    #[serde(default = "default_image_widths")]
    pub widths: Vec<u32>,
    /// The quality of the WebP and JPEG copies, from 1 to 100.
    #[serde(default = "default_image_quality")]
    pub quality: u8,
    /// How wide an image shows, for the browser to pick a copy before it
    /// lays out the page (the `sizes` attribute).
    #[serde(default = "default_image_sizes")]
    pub sizes: String,
    /// Publish images with their metadata (EXIF with GPS, XMP, IPTC):
    /// `true` for every image, or a list of the images to keep it in
    /// (`["content/posts/trip/map.jpg"]`).
    #[serde(default)]
    pub keep_metadata: KeepMetadata,
}

impl Default for ImagesConfig {
    fn default() -> ImagesConfig {
        ImagesConfig {
            widths: default_image_widths(),
            quality: default_image_quality(),
            sizes: default_image_sizes(),
            keep_metadata: KeepMetadata::default(),
        }
    }
}

/// `images.keep_metadata`: for every image, or for some.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum KeepMetadata {
    All(bool),
    Only(Vec<PathBuf>),
}

impl Default for KeepMetadata {
    fn default() -> KeepMetadata {
        KeepMetadata::All(false)
    }
}

/// An author profile under `[authors.<key>]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthorConfig {
    pub name: String,
    /// Markdown.
    #[serde(default)]
    pub bio: String,
}

fn default_language() -> String {
    "en".into()
}
fn default_theme() -> String {
    "default".into()
}
fn default_paginate() -> usize {
    10
}
fn default_max_depth() -> usize {
    5
}
pub(crate) fn default_max_bytes() -> usize {
    20_000
}
fn default_feed_limit() -> usize {
    20
}
fn default_author_every() -> u32 {
    10
}
fn default_image_widths() -> Vec<u32> {
    vec![480, 800, 1200, 1600]
}
fn default_image_quality() -> u8 {
    80
}
fn default_image_sizes() -> String {
    "(max-width: 42rem) 100vw, 42rem".into()
}

/// The widest copy of an image mend makes.
pub(crate) const MAX_IMAGE_WIDTH: u32 = 8192;

/// The deepest `comments_max_depth` allowed: deeper threads are not
/// readable on any screen.
pub(crate) const MAX_THREAD_DEPTH: usize = 100;

/// The name of the configuration file at the root of every site.
pub(crate) const CONFIG_FILE: &str = "site.toml";

/// Joins a path inside the site to its root, leaving out a `./` root so
/// messages read `content/posts/x.md` rather than `./content/posts/x.md`.
pub(crate) fn in_site(root: &Path, relative: impl AsRef<Path>) -> PathBuf {
    if root == Path::new(".") || root.as_os_str().is_empty() {
        relative.as_ref().to_path_buf()
    } else {
        root.join(relative)
    }
}

/// `file` relative to `dir`, with `/` between parts on every platform:
/// `static/css/a.css` under `static` is `css/a.css`.
pub(crate) fn relative_path(dir: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(dir).unwrap_or(file);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

impl Config {
    /// Reads and checks `site.toml` under `root`.
    pub fn load(root: &Path) -> Result<Config> {
        let path = in_site(root, CONFIG_FILE);
        if !path.is_file() {
            return Err(Error::NoSite { path });
        }
        let text = read_text(&path)?;
        Config::parse(&text, &path)
    }

    /// For an unknown key inside a table that is a setting of the whole site
    /// (a setting appended below `[authors.me]`), where it belongs.
    fn misplaced_setting(message: &str, text: &str, line: usize) -> Option<String> {
        let key = message.strip_prefix("unknown field `")?.split('`').next()?;
        if !Config::is_site_setting(key) {
            return None;
        }
        let (table_line, table) = text
            .lines()
            .take(line.saturating_sub(1))
            .enumerate()
            .filter(|(_, l)| l.trim_start().starts_with('['))
            .last()?;
        Some(format!(
            "; `{key}` is a setting of the whole site, but here it is inside the table {} that starts on line {}: move it above the first [table] of site.toml",
            table.trim(),
            table_line + 1
        ))
    }

    /// Parses the text of a `site.toml`; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let (line, message) = toml_problem(&e, text);
            let hint = Self::misplaced_setting(&message, text, line).unwrap_or_default();
            Error::Config {
                path: path.to_path_buf(),
                line,
                message: format!("{message}{hint}"),
            }
        })?;
        config.validate(text, path)?;
        Ok(config)
    }

    /// Whether `key` is a setting of the whole site (outside any table).
    fn is_site_setting(key: &str) -> bool {
        let alone = format!("title = \"t\"\nbase_url = \"https://a.example\"\n{key} = 0\n");
        match toml::from_str::<Config>(&alone) {
            Ok(_) => true,
            Err(e) => !e.message().starts_with("unknown field"),
        }
    }

    fn validate(&self, text: &str, path: &Path) -> Result<()> {
        let invalid = |key: &str, message: String| Error::Config {
            path: path.to_path_buf(),
            line: key_line(text, key),
            message,
        };
        if !(self.base_url.starts_with("http://") || self.base_url.starts_with("https://")) {
            return Err(invalid(
                "base_url",
                format!(
                    "base_url `{}` must be an absolute http(s) URL such as https://example.com",
                    self.base_url
                ),
            ));
        }
        if self.paginate == 0 {
            return Err(invalid("paginate", "paginate must be at least 1".into()));
        }
        if !(1..=MAX_THREAD_DEPTH).contains(&self.comments_max_depth) {
            return Err(invalid(
                "comments_max_depth",
                format!("comments_max_depth must be from 1 to {MAX_THREAD_DEPTH}"),
            ));
        }
        if let Some(endpoint) = &self.comments.endpoint
            && !crate::sanitize::is_web_url(endpoint)
        {
            return Err(invalid(
                "endpoint",
                format!(
                    "comments.endpoint `{endpoint}` must be an absolute http(s) URL such as https://example.com/comments/"
                ),
            ));
        }
        if let Some(notify) = &self.notify {
            crate::notify::check_config(notify).map_err(|(key, message)| invalid(key, message))?;
        }
        if !(1..=100).contains(&self.images.quality) {
            return Err(invalid(
                "quality",
                format!(
                    "images.quality is {}, but it must be from 1 to 100, such as quality = 80",
                    self.images.quality
                ),
            ));
        }
        if let Some(width) = self
            .images
            .widths
            .iter()
            .find(|w| !(16..=MAX_IMAGE_WIDTH).contains(*w))
        {
            return Err(invalid(
                "widths",
                format!(
                    "images.widths holds {width}, but each width must be from 16 to {MAX_IMAGE_WIDTH} pixels, such as widths = [480, 800, 1200, 1600]"
                ),
            ));
        }
        if self.comments_max_bytes == 0 {
            return Err(invalid(
                "comments_max_bytes",
                "comments_max_bytes must be at least 1".into(),
            ));
        }
        Ok(())
    }

    /// Replaces `base_url`, as `--base-url` and `serve` do.
    pub fn set_base_url(&mut self, url: &str) {
        self.base_url = url.to_string();
    }
}

/// The 1-based line on which `key` is set in a TOML or YAML text, or 1.
pub(crate) fn key_line(text: &str, key: &str) -> usize {
    text.lines()
        .position(|line| {
            line.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(['=', ':']))
        })
        .map_or(1, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config> {
        Config::parse(text, Path::new("site.toml"))
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let err = parse("title = \"t\"\nbase_url = \"https://a.example\"\ntitel = \"x\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("site.toml:3"), "{err}");
        assert!(err.contains("titel"), "{err}");
    }

    #[test]
    fn relative_base_url_is_refused() {
        let err = parse("title = \"t\"\nbase_url = \"example.com\"").unwrap_err();
        assert!(err.to_string().contains("site.toml:2"), "{err}");
    }
}
