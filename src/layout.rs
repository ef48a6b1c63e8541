//! The folders a site is made of, and the one way to walk them: sorted,
//! editor leftovers skipped, and links followed only where they lead to
//! something inside the site's folder. A link that leads outside is an
//! error naming it, so nothing from elsewhere on the disk is published.
//!
//! Not for deciding what a file is (`content`, `theme`) or where it goes in
//! the output (`output`).

use std::path::{Path, PathBuf};

use walkdir::DirEntry;

use crate::error::{Error, Result, walk_error};

/// Markdown: articles, pages, their comments and files.
pub(crate) const CONTENT_DIR: &str = "content";
/// The folder of `content/` that holds the articles.
pub(crate) const POSTS_DIR: &str = "posts";
/// Files copied as they are to the output root.
pub(crate) const STATIC_DIR: &str = "static";
/// The site's own templates, overriding the theme's.
pub(crate) const TEMPLATES_DIR: &str = "templates";
/// Themes, one folder each.
pub(crate) const THEMES_DIR: &str = "themes";
/// Where `mend build` writes, unless told otherwise.
pub(crate) const OUTPUT_DIR: &str = "public";
/// Comments readers sent, waiting for the author (never published).
pub(crate) const INBOX_DIR: &str = "inbox";
/// Who asked for mail and the mail waiting to go (never published; see
/// `notify`).
pub(crate) const NOTIFY_DIR: &str = "notify";
/// What mend keeps for itself in a site: the record of what an import
/// wrote, and each output's record and search cache (a head start for the
/// next build). Never published, never needed: `mend init` ignores it in
/// `.gitignore`.
pub(crate) const STATE_DIR: &str = ".mend";
/// Every folder of a site that holds its sources.
pub(crate) const SOURCE_DIRS: [&str; 4] = [CONTENT_DIR, STATIC_DIR, TEMPLATES_DIR, THEMES_DIR];

/// Files that editors and systems leave behind, never part of a site.
pub(crate) fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name == "Thumbs.db"
}

type Filter = fn(&DirEntry) -> bool;

/// A walk of one folder of the site (see the module docs for its rules).
pub(crate) struct Walk {
    inner: walkdir::FilterEntry<walkdir::IntoIter, Filter>,
    dir: PathBuf,
    /// The site's folder with links resolved; links must stay inside it.
    site: Option<PathBuf>,
}

impl Walk {
    /// Walks `dir`, a folder inside the site at `root`. A missing `dir`
    /// yields nothing.
    pub(crate) fn new(root: &Path, dir: &Path) -> Walk {
        let filter: Filter =
            |e| e.depth() == 0 || !is_ignored_name(&e.file_name().to_string_lossy());
        Walk {
            inner: walkdir::WalkDir::new(dir)
                .follow_links(true)
                // By name, as `sort_by_file_name`; but siblings share their
                // folder's path, so comparing whole paths compares names
                // without splitting a path twice per comparison (seconds
                // at 100,000 articles, before anything runs in parallel).
                .sort_by(|a, b| a.path().as_os_str().cmp(b.path().as_os_str()))
                .into_iter()
                .filter_entry(filter),
            dir: dir.to_path_buf(),
            site: root.canonicalize().ok(),
        }
    }

    /// Does not descend into the folder just returned.
    pub(crate) fn skip_current_dir(&mut self) {
        self.inner.skip_current_dir();
    }

    /// Every file under the folder, in order.
    pub(crate) fn files(self) -> Result<Vec<PathBuf>> {
        let mut files = Vec::new();
        for entry in self {
            let entry = entry?;
            if entry.file_type().is_file() {
                files.push(entry.into_path());
            }
        }
        Ok(files)
    }

    fn check_link(&self, entry: &DirEntry) -> Result<()> {
        let target = entry.path().canonicalize().map_err(|source| Error::Read {
            path: entry.path().to_path_buf(),
            source,
        })?;
        match &self.site {
            Some(site) if target.starts_with(site) => Ok(()),
            _ => Err(Error::LinkOutsideSite {
                path: entry.path().to_path_buf(),
                target,
            }),
        }
    }
}

impl Iterator for Walk {
    type Item = Result<DirEntry>;

    fn next(&mut self) -> Option<Result<DirEntry>> {
        let entry = match self.inner.next()? {
            Ok(entry) => entry,
            // A missing folder (or one removed while walked) has nothing
            // more; asked only then, not at every entry.
            Err(_) if !self.dir.exists() => return None,
            Err(e) => return Some(Err(walk_error(e, &self.dir))),
        };
        if entry.path_is_symlink()
            && let Err(e) = self.check_link(&entry)
        {
            if entry.file_type().is_dir() {
                self.inner.skip_current_dir();
            }
            return Some(Err(e));
        }
        Some(Ok(entry))
    }
}

/// The comment file of a bundle, beside its `index.md`.
const BUNDLE_COMMENTS: &str = "comments.toml";
/// What a comment file beside `x.md` is named after its stem.
const SIDECAR_SUFFIX: &str = ".comments.toml";

/// Whether a file name is a comment file.
pub(crate) fn is_comments_file(name: &str) -> bool {
    name == BUNDLE_COMMENTS || name.ends_with(SIDECAR_SUFFIX)
}

/// The comment file of an article: `x.md` → `x.comments.toml`, a bundle's
/// `index.md` → `comments.toml` beside it. The one place of this rule,
/// with `article_of` its inverse.
pub(crate) fn comments_file_of(article: &Path) -> PathBuf {
    let stem = article
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if stem == "index" {
        article.with_file_name(BUNDLE_COMMENTS)
    } else {
        article.with_file_name(format!("{stem}{SIDECAR_SUFFIX}"))
    }
}

/// The article a comment file belongs to: `x.comments.toml` → `x.md`,
/// `bundle/comments.toml` → `bundle/index.md`.
pub(crate) fn article_of(comments_file: &Path) -> PathBuf {
    let name = comments_file
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    match name.strip_suffix(SIDECAR_SUFFIX) {
        Some(stem) => comments_file.with_file_name(format!("{stem}.md")),
        None => comments_file.with_file_name("index.md"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_article_and_its_comment_file_name_each_other() {
        for (article, comments) in [
            ("content/posts/x.md", "content/posts/x.comments.toml"),
            ("content/posts/a.b.md", "content/posts/a.b.comments.toml"),
            (
                "content/posts/bundle/index.md",
                "content/posts/bundle/comments.toml",
            ),
            ("content/about.md", "content/about.comments.toml"),
        ] {
            assert_eq!(comments_file_of(Path::new(article)), Path::new(comments));
            assert_eq!(article_of(Path::new(comments)), Path::new(article));
            let name = Path::new(comments).file_name().unwrap().to_str().unwrap();
            assert!(is_comments_file(name), "{name}");
        }
        for name in [
            "x.md",
            "comments.tom",
            "x.comments.toml.bak",
            "comments.toml~",
        ] {
            assert!(!is_comments_file(name), "{name}");
        }
    }

    #[test]
    fn editor_leftovers_are_ignored() {
        for name in [".hidden", "#x#", "x~", "a.swp", "a.tmp", "Thumbs.db"] {
            assert!(is_ignored_name(name), "{name}");
        }
        assert!(!is_ignored_name("cover.jpg"));
    }

    #[test]
    fn a_missing_folder_has_no_files() {
        let site = tempfile::tempdir().unwrap();
        let files = Walk::new(site.path(), &site.path().join("static")).files();
        assert_eq!(files.unwrap(), Vec::<PathBuf>::new());
    }

    #[test]
    fn links_inside_the_site_are_followed_and_others_refused() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), "no").unwrap();
        let site = tempfile::tempdir().unwrap();
        let dir = site.path().join("static");
        std::fs::create_dir_all(dir.join("real")).unwrap();
        std::fs::write(dir.join("real/a.txt"), "a").unwrap();
        std::os::unix::fs::symlink(dir.join("real"), dir.join("inside")).unwrap();
        let files = Walk::new(site.path(), &dir).files().unwrap();
        let names: Vec<String> = files
            .iter()
            .map(|f| crate::config::relative_path(&dir, f))
            .collect();
        assert_eq!(names, ["inside/a.txt", "real/a.txt"]);
        std::os::unix::fs::symlink(outside.path(), dir.join("out")).unwrap();
        let error = Walk::new(site.path(), &dir).files().unwrap_err();
        assert!(matches!(error, Error::LinkOutsideSite { .. }), "{error}");
    }
}
