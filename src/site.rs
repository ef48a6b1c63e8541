//! The `Site`: everything loaded once (configuration, theme, articles, pages,
//! tags, static files), ready to be rendered by pure functions in `render`.
//!
//! Not for writing files (`output`) or watching them (`serve`).

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use std::path::{Path, PathBuf};

use crate::comments;
use crate::config::{Config, in_site, relative_path};
use crate::content::{self, CONTENT_DIR, Kind, Page};
use crate::error::{Error, Result, Warning};
use crate::images::{self, Images};
use crate::layout::{STATE_DIR, STATIC_DIR};
use crate::markdown::Highlighter;
use crate::taxonomy::{self, Tag};
use crate::theme::{self, Source, Theme};
use crate::urls::Urls;

/// What a command asks of loading.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Include articles and pages marked `draft = true`.
    pub drafts: bool,
    /// Replaces `base_url` from `site.toml`.
    pub base_url: Option<String>,
    /// Include articles dated in the future.
    pub future: bool,
    /// Replaces the comment endpoint of `site.toml`, when it sets one: the
    /// preview takes comments itself.
    pub comments_endpoint: Option<String>,
}

/// A whole site in memory.
pub struct Site {
    pub root: PathBuf,
    pub config: Config,
    /// How paths become URLs for this build's `base_url`.
    pub urls: Urls,
    /// Dated articles, newest first.
    pub articles: Vec<Page>,
    /// Standalone pages, by path.
    pub pages: Vec<Page>,
    /// Tags by slug.
    pub tags: Vec<Tag>,
    /// Each tag's index in `tags`, by slug.
    pub tag_index: HashMap<String, usize>,
    /// The authors of `[authors]` with articles, each a list like a tag's.
    pub authors: Vec<Tag>,
    pub theme: Theme,
    /// Every file copied as it is, by output path: theme and site `static/`,
    /// bundle files, other files of `content/`; images as mend made them.
    pub static_files: BTreeMap<String, Source>,
    /// The site's images: their sizes, copies and the HTML that shows them.
    pub images: Images,
    /// Highlights code blocks; keeps what it made for the next build.
    pub code: Highlighter,
    /// Things worth telling the user that do not stop the build.
    pub warnings: Vec<Warning>,
    /// When the site was loaded: comments close by age, and articles dated
    /// later wait, as of then.
    pub now: jiff::Timestamp,
    /// Articles left out because their date has not come (without
    /// `--future`), soonest first.
    pub future: Vec<Page>,
    /// The sources of drafts left out (without `--drafts`), in path order.
    pub drafts: Vec<PathBuf>,
}

/// Where the site keeps its highlighted code blocks between builds.
fn highlight_cache(root: &Path) -> PathBuf {
    in_site(root, STATE_DIR).join("highlight")
}

impl Site {
    /// The page `target` names, if this site has it.
    pub fn page_at(&self, target: crate::render::PageRef) -> Option<&Page> {
        match target {
            crate::render::PageRef::Article(i) => self.articles.get(i),
            crate::render::PageRef::Page(i) => self.pages.get(i),
        }
    }

    /// Loads everything under `root`, reporting every error found, not just
    /// the first.
    pub fn load(root: &Path, options: &LoadOptions) -> Result<Site> {
        let mut config = Config::load(root)?;
        if let Some(url) = &options.base_url {
            config.set_base_url(url);
        }
        if let Some(endpoint) = &options.comments_endpoint
            && config.comments.endpoint.is_some()
        {
            config.comments.endpoint = Some(endpoint.clone());
        }
        let urls = Urls::new(&config);
        let mut errors = Vec::new();
        let theme = theme::load(root, &config).map_err(|e| errors.push(e)).ok();
        let files = content::find_files(root)?;
        let code = Highlighter::read(&highlight_cache(root));
        let (mut loaded, page_errors) = content::load_pages(root, &files.markdown, &urls, &code);
        errors.extend(page_errors);
        let mut warnings = attach_comments(
            &mut loaded,
            &files.comments,
            config.comments_max_bytes,
            &mut errors,
        );
        let now = jiff::Timestamp::now();
        let (loaded, drafts): (Vec<Page>, Vec<Page>) =
            loaded.into_iter().partition(|p| options.drafts || !p.draft);
        let mut drafts: Vec<PathBuf> = drafts.into_iter().map(|p| p.source).collect();
        drafts.sort();
        let (articles, pages) = split_and_sort(loaded);
        let (articles, mut future): (Vec<Page>, Vec<Page>) = articles
            .into_iter()
            .partition(|a| options.future || a.date.is_none_or(|d| d.timestamp <= now));
        future.reverse();
        let static_files = match &theme {
            Some(theme) => collect_static(root, theme, &files.assets, &articles, &pages),
            None => Ok(BTreeMap::new()),
        };
        let mut static_files = static_files.map_err(|e| errors.push(e)).unwrap_or_default();
        if let Some(error) = Error::from_list(errors) {
            return Err(error);
        }
        let shown = shown_images(articles.iter().chain(&pages));
        let images::Loaded {
            mut images,
            warnings: image_warnings,
        } = Images::load(root, &config.images, &static_files, &shown);
        images.make_room(|path| static_files.contains_key(path));
        static_files.extend(images.files());
        warnings.extend(image_warnings);
        let (tags, tag_warnings) = taxonomy::collect_tags(&articles, &urls);
        let authors = taxonomy::collect_authors(&articles, &config.authors, &urls);
        warnings.extend(tag_warnings);
        Ok(Site {
            root: root.to_path_buf(),
            config,
            urls,
            articles,
            pages,
            tag_index: taxonomy::index_by_slug(&tags),
            tags,
            authors,
            theme: theme.expect("no theme error was reported"),
            static_files,
            images,
            code,
            warnings,
            now,
            future,
            drafts,
        })
    }

    /// Keeps the code blocks highlighted in this reading for the next
    /// one; a warning if it cannot, which is no reason to stop.
    pub(crate) fn keep_highlighted(&self) -> Option<Warning> {
        let file = highlight_cache(&self.root);
        let kept = self.code.write(&file);
        kept.err().map(|e| Warning::HighlightCacheNotKept {
            path: file,
            message: e.to_string(),
        })
    }

    /// Makes the files of the site's images that the cache does not hold
    /// yet; an image whose copies could not be made is shown without them,
    /// and told of.
    pub(crate) fn make_images(&mut self) -> Vec<Warning> {
        let failed = images::process::make(&self.images, self.config.images.quality);
        failed
            .into_iter()
            .map(|failed| {
                for copy in self.images.drop_copies(&failed.path) {
                    self.static_files.remove(&copy.path);
                }
                failed.warning
            })
            .collect()
    }

    /// The indices in `tags` of a page's tags, each once.
    pub fn tag_ids(&self, page: &Page) -> Vec<usize> {
        let mut ids: Vec<usize> = Vec::with_capacity(page.tag_slugs.len());
        for slug in &page.tag_slugs {
            if let Some(&t) = self.tag_index.get(slug)
                && !ids.contains(&t)
            {
                ids.push(t);
            }
        }
        ids
    }

    /// Whether a page takes new comments as of this build.
    pub fn comments_open(&self, page: &Page) -> bool {
        comments::is_open(page, self.config.comments_close_after_days, self.now)
    }

    /// The articles of a tag, newest first.
    pub fn tag_articles<'a>(&'a self, tag: &'a Tag) -> impl Iterator<Item = &'a Page> + 'a {
        tag.articles.iter().map(|&i| &self.articles[i])
    }
}

/// Loads every comment file in parallel and gives each page its comments.
/// A file whose article is missing is an error, even when the article failed
/// to load for another reason: that reason is reported separately.
fn attach_comments(
    pages: &mut [Page],
    files: &[PathBuf],
    max_bytes: usize,
    errors: &mut Vec<Error>,
) -> Vec<Warning> {
    let results: Vec<_> = files
        .par_iter()
        .map(|f| (f, comments::load(f, max_bytes)))
        .collect();
    let mut by_source: HashMap<PathBuf, usize> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.source.clone(), i))
        .collect();
    let mut warnings = Vec::new();
    for (file, result) in results {
        let article = crate::layout::article_of(file);
        let page = by_source.remove(&article);
        match (result, page) {
            (Ok(loaded), Some(i)) => {
                pages[i].comments = loaded.comments;
                warnings.extend(loaded.warnings);
            }
            (Ok(_), None) if !article.exists() => errors.push(Error::OrphanComments {
                path: file.clone(),
                article,
            }),
            (Ok(_), None) => {}
            (Err(error), _) => errors.push(error),
        }
    }
    warnings
}

/// Sorts articles newest first and pages by path, so that output never
/// depends on the order of the disk.
fn split_and_sort(loaded: Vec<Page>) -> (Vec<Page>, Vec<Page>) {
    let (articles, pages): (Vec<Page>, Vec<Page>) =
        loaded.into_iter().partition(|p| p.kind == Kind::Article);
    let articles = sorted_by(articles, |a, b| {
        b.date
            .cmp(&a.date)
            .then_with(|| a.title.cmp(&b.title))
            .then_with(|| a.source.cmp(&b.source))
    });
    let pages = sorted_by(pages, |a, b| {
        a.path.cmp(&b.path).then_with(|| a.source.cmp(&b.source))
    });
    (articles, pages)
}

/// `pages` sorted as `sort_by` would, but each page moved once: their
/// places are sorted, not the pages (a page is large, and this runs before
/// anything else can).
fn sorted_by(pages: Vec<Page>, order: impl Fn(&Page, &Page) -> std::cmp::Ordering) -> Vec<Page> {
    let mut places: Vec<usize> = (0..pages.len()).collect();
    places.sort_by(|&a, &b| order(&pages[a], &pages[b]));
    let mut pages: Vec<Option<Page>> = pages.into_iter().map(Some).collect();
    places
        .into_iter()
        .map(|i| pages[i].take().expect("each place is sorted once"))
        .collect()
}

/// The output paths of the images pages show: in their bodies, and the
/// front matter's `image`.
fn shown_images<'a>(pages: impl Iterator<Item = &'a Page>) -> std::collections::HashSet<String> {
    let mut shown = std::collections::HashSet::new();
    for page in pages {
        shown.extend(images::shown_paths(page.body.images.iter()));
        if let Some(path) = page.image_site_path() {
            shown.extend(images::output_path(&path));
        }
    }
    shown
}

fn collect_static(
    root: &Path,
    theme: &Theme,
    content_assets: &[PathBuf],
    articles: &[Page],
    pages: &[Page],
) -> Result<BTreeMap<String, Source>> {
    let mut files = theme.static_files.clone();
    theme::read_static(root, &in_site(root, STATIC_DIR), &mut files)?;
    let content_dir = in_site(root, CONTENT_DIR);
    for asset in content_assets {
        files.insert(
            relative_path(&content_dir, asset),
            Source::File(asset.clone()),
        );
    }
    for page in articles.iter().chain(pages) {
        let Some(dir) = page.source.parent() else {
            continue;
        };
        for asset in &page.assets {
            let output_path = format!("{}{}", page.path, relative_path(dir, asset));
            files.insert(output_path, Source::File(asset.clone()));
        }
    }
    Ok(files)
}
