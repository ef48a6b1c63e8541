//! The site `serve` keeps in memory, and rebuilding it after a change: a
//! body edit re-renders that page and the feeds; a comment edit that keeps
//! the count re-renders that page; a stylesheet edit renders nothing; a
//! template edit renders every page without loading the content again; any
//! other change rebuilds everything. Whatever the path, the result is what a
//! clean `mend build` would write, byte for byte.
//!
//! Not for watching files (`watch`) or answering requests (`http`).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use super::images;
use super::store::{Early, Packed, Store, render_all};
use crate::comments::{self, thread::approved_count};
use crate::config::{CONFIG_FILE, in_site};
use crate::content;
use crate::error::{Result, Warning};
use crate::intake::{Loaded, Shelf};
use crate::layout::{
    CONTENT_DIR, STATIC_DIR, TEMPLATES_DIR, THEMES_DIR, article_of, is_comments_file,
};
use crate::render::{self, PageRef, Views, render_pages};
use crate::site::{LoadOptions, Site};
use crate::theme::{self, Source};

/// What a rebuild did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Rebuilt {
    /// Store files whose bytes changed, appeared or went away...
    pub files_changed: usize,
    /// ...and how many of them are HTML pages.
    pub pages_changed: usize,
    /// Only stylesheets changed: browsers can swap them without reloading.
    pub css_only: bool,
    /// Whether the whole site was loaded and rendered again.
    pub full: bool,
}

/// The loaded site and its rendered output.
pub(super) struct Live {
    root: PathBuf,
    options: LoadOptions,
    /// Shared with the preview's comment desk (for its reply pages) through
    /// `shelf`; changed in place only once the shelf has let go of it.
    loaded: Option<Arc<Loaded>>,
    shelf: Arc<Shelf>,
    /// Set after a failed rebuild, when memory may no longer match the disk.
    needs_full: bool,
    /// Warnings already shown, so each is told once rather than per rebuild.
    warned: HashSet<Warning>,
    output: Arc<RwLock<Store>>,
    /// Makes the images of each reading aside.
    images: images::Maker,
}

/// How much a set of changed files asks for.
#[derive(Debug, PartialEq, Eq)]
enum Scope {
    Nothing,
    /// Static files changed in place: they are read from disk when served.
    Static {
        css_only: bool,
    },
    /// Articles, pages or comment files edited in place.
    Pages(Vec<PathBuf>),
    /// Templates added, edited or removed, and nothing else but static files.
    Templates,
    Full,
}

impl Live {
    /// An empty site that the first `rebuild` fills.
    pub(super) fn new(
        root: &Path,
        options: LoadOptions,
        output: Arc<RwLock<Store>>,
        shelf: Arc<Shelf>,
    ) -> Live {
        Live {
            root: root.to_path_buf(),
            options,
            loaded: None,
            shelf,
            needs_full: true,
            output,
            warned: HashSet::new(),
            images: images::Maker::new(|| {}),
        }
    }

    /// What to do once the images of a reading are made.
    pub(super) fn when_images_made(&mut self, then: impl Fn() + Send + Sync + 'static) {
        self.images = images::Maker::new(then);
    }

    /// Brings the output up to date with `changed` (paths relative to the
    /// site root). On error, the last good output stays.
    pub(super) fn rebuild(&mut self, changed: &[PathBuf]) -> Result<Rebuilt> {
        let plan = match &self.loaded {
            Some(loaded) if !self.needs_full => scope(&self.root, &loaded.site, changed),
            _ => Scope::Full,
        };
        let result = match plan {
            Scope::Nothing => Ok(unchanged(false)),
            Scope::Static { css_only } => Ok(Rebuilt {
                files_changed: changed.len(),
                pages_changed: 0,
                css_only,
                full: false,
            }),
            Scope::Pages(files) => {
                match self.in_place(|live, loaded| live.rebuild_pages(loaded, &files)) {
                    Some(Ok(Some(rebuilt))) => Ok(rebuilt),
                    Some(Ok(None)) | None => self.rebuild_all(),
                    Some(Err(e)) => Err(e),
                }
            }
            Scope::Templates => match self.in_place(Live::rebuild_templates) {
                Some(Ok(Some(rebuilt))) => Ok(rebuilt),
                Some(Ok(None)) | None => self.rebuild_all(),
                Some(Err(e)) => Err(e),
            },
            Scope::Full => self.rebuild_all(),
        };
        self.needs_full = result.is_err();
        result
    }

    /// Runs `change` on the loaded site, once the shelf and every request
    /// have let go of it, and puts it back; `None` with no site loaded.
    fn in_place<T>(&mut self, change: impl FnOnce(&mut Live, &mut Loaded) -> T) -> Option<T> {
        let shared = self.loaded.take()?;
        self.shelf.withdraw();
        let mut loaded = reclaim(shared);
        let result = change(self, &mut loaded);
        let loaded = Arc::new(loaded);
        self.shelf.put(&loaded);
        self.loaded = Some(loaded);
        Some(result)
    }

    /// The first build, which answers requests as soon as the site is
    /// loaded: `answer` is called then (or once the load has failed), and
    /// until every file is rendered, a file asked for is rendered at once.
    pub(super) fn start(&mut self, answer: impl FnOnce()) -> Result<Rebuilt> {
        let mut answer = Some(answer);
        let mut answered = || answer.take().map(|answer| answer());
        let result = self.load().and_then(|(site, views)| {
            let early = Arc::new(Early::new(site, views));
            *self.store() = Store::early(&early);
            answered();
            let fresh = render_all(&early.site, &early.views)?;
            // Every file is new, whatever was answered early.
            let rebuilt = changes(&changed_paths(&Store::default(), &fresh), true);
            *self.store() = fresh;
            let Early { site, views, .. } = reclaim(early);
            self.keep(Loaded { site, views });
            Ok(rebuilt)
        });
        if result.is_err() {
            *self.store() = Store::default();
        }
        answered();
        self.needs_full = result.is_err();
        result
    }

    fn rebuild_all(&mut self) -> Result<Rebuilt> {
        let (site, views) = self.load()?;
        let fresh = render_all(&site, &views)?;
        self.keep(Loaded { site, views });
        Ok(self.publish(fresh))
    }

    /// Keeps a fresh reading of the site, and shares it.
    fn keep(&mut self, loaded: Loaded) {
        let loaded = Arc::new(loaded);
        self.shelf.put(&loaded);
        self.loaded = Some(loaded);
    }

    /// Loads the site and makes the values its templates see.
    fn load(&mut self) -> Result<(Site, Views)> {
        let site = Site::load(&self.root, &self.options)?;
        self.warn(&site.warnings);
        // Highlighted code is kept for the next load, as a build keeps it.
        if let Some(warning) = site.keep_highlighted() {
            self.warn(&[warning]);
        }
        self.images.make(&site.images, site.config.images.quality);
        let views = Views::new(&site);
        Ok((site, views))
    }

    fn store(&self) -> std::sync::RwLockWriteGuard<'_, Store> {
        self.output
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Reads the templates again and renders every page with them; the
    /// content, unchanged, is not loaded again. `None` when the theme's
    /// static files changed too, which needs all.
    fn rebuild_templates(&mut self, loaded: &mut Loaded) -> Result<Option<Rebuilt>> {
        let Loaded { site, views } = loaded;
        let theme = theme::load(&self.root, &site.config)?;
        let templates_only = theme.static_files == site.theme.static_files;
        site.theme = theme;
        if !templates_only {
            return Ok(None);
        }
        let fresh = render_all(site, views)?;
        Ok(Some(self.publish(fresh)))
    }

    /// Replaces the whole output with `fresh`.
    fn publish(&self, fresh: Store) -> Rebuilt {
        let mut output = self.store();
        let changed = changed_paths(&output, &fresh);
        *output = fresh;
        changes(&changed, true)
    }

    fn warn(&mut self, warnings: &[Warning]) {
        for warning in warnings {
            if self.warned.insert(warning.clone()) {
                eprintln!("warning: {warning}");
            }
        }
    }

    /// Re-renders edited pages; `None` when an edit shows beyond its own
    /// page (a new title, date, summary, comment count…), which needs all.
    fn rebuild_pages(&mut self, loaded: &mut Loaded, files: &[PathBuf]) -> Result<Option<Rebuilt>> {
        let Loaded { site, views } = loaded;
        let mut targets = Vec::new();
        let mut warnings = Vec::new();
        for file in files {
            let Some(target) = reload_one(&self.root, site, views, file, &mut warnings)? else {
                return Ok(None);
            };
            views.refresh(site, target);
            targets.push(target);
        }
        let rendered = render_pages(site, views, &targets)?;
        let mut output = self
            .output
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let changed = apply(&mut output, rendered);
        drop(output);
        self.warn(&warnings);
        Ok(Some(changes(&changed, false)))
    }
}

/// The site back from the requests that render with it: once the store
/// (or the shelf) no longer holds it, only a request still rendering its
/// one file can, and not for long.
fn reclaim<T>(mut shared: Arc<T>) -> T {
    loop {
        match Arc::try_unwrap(shared) {
            Ok(value) => return value,
            Err(still) => {
                shared = still;
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        }
    }
}

/// A rebuild (`full` or not) that changed the files at `changed`.
fn changes(changed: &[String], full: bool) -> Rebuilt {
    Rebuilt {
        files_changed: changed.len(),
        pages_changed: changed.iter().filter(|p| p.ends_with(".html")).count(),
        css_only: false,
        full,
    }
}

fn unchanged(css_only: bool) -> Rebuilt {
    Rebuilt {
        files_changed: 0,
        pages_changed: 0,
        css_only,
        full: false,
    }
}

/// Reads one edited Markdown or comment file into `site`. `None` when the
/// edit shows on other pages too.
fn reload_one(
    root: &Path,
    site: &mut Site,
    views: &Views,
    file: &Path,
    warnings: &mut Vec<Warning>,
) -> Result<Option<PageRef>> {
    let source = in_site(root, file);
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    if is_comments_file(&name) {
        let Some(target) = find(site, &article_of(&source)) else {
            return Ok(None);
        };
        let loaded = comments::load(&source, site.config.comments_max_bytes)?;
        warnings.extend(loaded.warnings);
        let page = target.page_mut(site);
        if approved_count(&loaded.comments) != approved_count(&page.comments) {
            return Ok(None);
        }
        page.comments = loaded.comments;
        return Ok(Some(target));
    }
    let Some(target) = find(site, &source) else {
        return Ok(None);
    };
    let bundle = content::bundle_of(root, &source);
    let mut fresh = content::load_page(root, &source, bundle.as_deref(), &site.urls, &site.code)?;
    let old = target.page(site);
    fresh.comments = old.comments.clone();
    // Which images a page shows decides which copies the site makes.
    let shown = |page: &content::Page| -> Vec<Option<String>> {
        let mut paths: Vec<Option<String>> = page
            .body
            .images
            .iter()
            .map(|i| Some(i.site_path.clone()))
            .collect();
        paths.push(page.image_site_path());
        paths
    };
    let same_elsewhere = fresh.aliases == old.aliases
        && fresh.assets == old.assets
        && fresh.draft == old.draft
        && shown(&fresh) == shown(old);
    if !same_elsewhere || views.summary(site, old) != views.summary(site, &fresh) {
        return Ok(None);
    }
    *target.page_mut(site) = fresh;
    Ok(Some(target))
}

fn find(site: &Site, source: &Path) -> Option<PageRef> {
    let article = site.articles.iter().position(|p| p.source == source);
    let page = || site.pages.iter().position(|p| p.source == source);
    article
        .map(PageRef::Article)
        .or_else(|| page().map(PageRef::Page))
}

/// Decides how much to rebuild for files changed (relative to `root`).
fn scope(root: &Path, site: &Site, changed: &[PathBuf]) -> Scope {
    let mut pages = Vec::new();
    let mut statics = 0;
    let mut templates = false;
    let mut css_only = true;
    for file in changed {
        let exists = in_site(root, file).is_file();
        let first = file
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned());
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // `templates/…` or `themes/<name>/templates/…`
        let in_templates = |at: usize| {
            file.components()
                .nth(at)
                .is_some_and(|c| c.as_os_str() == TEMPLATES_DIR)
        };
        match first.as_deref() {
            Some(CONFIG_FILE) => return Scope::Full,
            Some(TEMPLATES_DIR) => templates = true,
            Some(THEMES_DIR) if in_templates(2) => templates = true,
            Some(THEMES_DIR) if !file.components().any(|c| c.as_os_str() == STATIC_DIR) => {
                return Scope::Full;
            }
            Some(CONTENT_DIR) if name.ends_with(".md") || is_comments_file(&name) => {
                if !exists {
                    return Scope::Full; // deleted or renamed away
                }
                pages.push(file.clone());
            }
            Some(CONTENT_DIR | STATIC_DIR | THEMES_DIR) => {
                if !exists || !is_served_copy(site, &in_site(root, file)) {
                    return Scope::Full; // a new or removed file
                }
                statics += 1;
                css_only &= name.ends_with(".css");
            }
            _ => {}
        }
    }
    match (pages.is_empty(), statics) {
        (false, _) if templates => Scope::Full,
        _ if templates => Scope::Templates,
        (false, _) => Scope::Pages(pages),
        (true, 0) => Scope::Nothing,
        (true, _) => Scope::Static { css_only },
    }
}

fn is_served_copy(site: &Site, path: &Path) -> bool {
    site.static_files
        .values()
        .any(|s| matches!(s, Source::File(f) if f == path))
}

/// Puts freshly rendered files into `output` (a static file of the same path
/// still wins, as in a build); returns the paths that changed.
fn apply(output: &mut Store, rendered: Vec<render::File>) -> Vec<String> {
    let mut changed = Vec::new();
    for file in rendered {
        let packed = Packed::new(&file.bytes);
        if output.copies.contains_key(&file.path) || output.files.get(&file.path) == Some(&packed) {
            continue;
        }
        changed.push(file.path.clone());
        output.files.insert(file.path, packed);
    }
    changed
}

/// The output paths whose content differs between two builds.
fn changed_paths(old: &Store, new: &Store) -> Vec<String> {
    let mut changed = differing(&old.files, &new.files);
    changed.extend(differing(&old.copies, &new.copies));
    changed
}

fn differing<V: PartialEq>(old: &BTreeMap<String, V>, new: &BTreeMap<String, V>) -> Vec<String> {
    let changed = new
        .iter()
        .filter(|(p, v)| old.get(*p) != Some(*v))
        .map(|(p, _)| p);
    let gone = old.keys().filter(|p| !new.contains_key(*p));
    changed.chain(gone).cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_change_gets_its_own_plan() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/blog");
        let site = Site::load(&root, &LoadOptions::default()).unwrap();
        let scope_for = |files: &[&str]| {
            let files: Vec<PathBuf> = files.iter().map(PathBuf::from).collect();
            scope(&root, &site, &files)
        };
        let article = "content/posts/a-first.md";
        assert_eq!(scope_for(&[article]), Scope::Pages(vec![article.into()]));
        assert_eq!(scope_for(&["templates/article.html"]), Scope::Templates);
        assert_eq!(
            scope_for(&["themes/plain/templates/base.html", "templates/tag.html"]),
            Scope::Templates
        );
        for full in [
            &["site.toml"][..],
            &["themes/plain/theme.toml"],
            &["templates/article.html", article],
            &["templates/article.html", "site.toml"],
            &["content/posts/gone.md"],
        ] {
            assert_eq!(scope_for(full), Scope::Full, "{full:?}");
        }
        assert_eq!(scope_for(&["notes.txt"]), Scope::Nothing);
    }
}
