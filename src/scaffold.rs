//! The files `mend new` and `mend init` write: a draft article, and a small
//! site that builds at once with the built-in theme.
//!
//! Not for anything a build reads back in a special way: these are ordinary
//! sources, written once.

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::config::CONFIG_FILE;
use crate::error::{Error, Result};

/// A TOML string literal, quoted and escaped.
fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// The text of a new draft article; `author` is a key of `[authors]`.
pub(crate) fn article(title: &str, date: &str, tags: &[String], author: Option<&str>) -> String {
    let tags: Vec<String> = tags
        .iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .map(toml_string)
        .collect();
    let author = author.map_or_else(String::new, |a| format!("author = {}\n", toml_string(a)));
    format!(
        "+++\ntitle = {}\ndate = {date}\n{author}tags = [{}]\ndescription = \"\"\ndraft = true\n+++\n\
         Start with the sentence your reader most needs to hear.\n\n<!-- more -->\n\n## A first heading\n\nWrite here.\n",
        toml_string(title),
        tags.join(", ")
    )
}

/// Writes a new file, creating its folder, never replacing an existing file.
pub(crate) fn write_new(path: &Path, text: &str) -> Result<()> {
    let write_error = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(write_error)?;
    }
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => Error::AlreadyExists {
                path: path.to_path_buf(),
            },
            _ => write_error(e),
        })?;
    file.write_all(text.as_bytes()).map_err(write_error)
}

/// Creates a new site in `dir`: configuration, a first article and an about page.
pub(crate) fn site(dir: &Path) -> Result<()> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().replace(['-', '_'], " "))
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "My Blog".into());
    let settings = Settings {
        title: &name,
        base_url: "https://example.com",
        description: "",
        language: "en",
    };
    let config = format!(
        "{}\n[authors.me]\nname = \"Me\"\nbio = \"Writes this blog.\"\n",
        site_config(&settings)
    );
    write_new(&dir.join(CONFIG_FILE), &config)?;
    let today = jiff::Zoned::now().date().to_string();
    let welcome = format!(
        "+++\ntitle = \"Welcome\"\ndate = {today}\ntags = [\"news\"]\nauthor = \"me\"\n+++\n\
         This is the first article of the blog. Edit it in `content/posts/welcome.md`.\n\n<!-- more -->\n\n\
         ## What next\n\nRun `mend new \"My first real article\"` to start another one.\n"
    );
    write_new(&dir.join("content/posts/welcome.md"), &welcome)?;
    write_new(
        &dir.join("content/about.md"),
        "+++\ntitle = \"About\"\n+++\nWho writes here, and why.\n",
    )?;
    write_new(&dir.join("static/.gitkeep"), "")?;
    gitignore(dir)
}

/// What a new site's `site.toml` says of the whole site.
pub(crate) struct Settings<'a> {
    pub title: &'a str,
    pub base_url: &'a str,
    pub description: &'a str,
    pub language: &'a str,
}

/// The settings of a new site's `site.toml`, every one written out, with
/// the comment endpoint commented, so that a setting added at the end of
/// the file lands in the last table; the `[authors.*]` tables follow.
pub(crate) fn site_config(settings: &Settings) -> String {
    format!(
        "title = {}\nbase_url = {}\ndescription = {}\nlanguage = {}\ntheme = \"default\"\npaginate = 10\ncomments_max_depth = 5\ncomments_close_after_days = 0  # close comments on articles older than this many days; 0: never\nsearch = true\n\n# Where the comment form sends comments (see Comments in mend's README);\n# remove the # of the next two lines to turn comments on.\n# [comments]\n# endpoint = {}\n",
        toml_string(settings.title),
        toml_string(settings.base_url),
        toml_string(settings.description),
        toml_string(settings.language),
        toml_string(&format!(
            "{}/comments/",
            settings.base_url.trim_end_matches('/')
        )),
    )
}

/// A new site's `.gitignore`: what mend writes and keeps, and the inbox,
/// which holds readers' email and network addresses: not for a public
/// repository. One already there is the writer's, and stays as it is.
pub(crate) fn gitignore(dir: &Path) -> Result<()> {
    if dir.join(".gitignore").exists() {
        return Ok(());
    }
    write_new(
        &dir.join(".gitignore"),
        "public/\n.public.mend-spare/\n.mend/\ninbox/\nnotify/\n",
    )
}
