//! A build, as one library call: a site loaded while its output folder is
//! opened, then planned, rendered and written to that folder, all or
//! nothing (`build`); or everything but the writing, with the internal
//! links checked (`check`). The `build` and `check` commands call these.
//!
//! Not for loading (`site`), rendering (`render`) or the rules of the
//! output folder (`output`).

use std::path::Path;

use crate::error::{Error, Result, Warning};
use crate::links::{self, Broken, Served};
use crate::output::{Opened, Spare};
use crate::render::{Plan, Views};
use crate::search::{self, Cache};
use crate::site::{LoadOptions, Site};

/// What a build wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Built {
    /// HTML pages.
    pub pages: usize,
    /// Internal links that lead nowhere (what `check` calls errors).
    pub broken_links: Vec<Warning>,
    /// Anything else worth telling.
    pub warnings: Vec<Warning>,
    /// Drafts left out.
    pub drafts_left_out: usize,
    /// Articles left out because their date has not come.
    pub future_left_out: usize,
}

/// Loads the site at `root` and renders it into the output folder `out`.
/// Nothing is written unless every file renders; `force` builds beside
/// files mend did not write. `loaded` sees the site before it renders.
///
/// The output folder is opened (locked, its spare tree listed: mostly
/// waiting on the disk) while the site loads; a mistake in the site is
/// reported before any about the folder.
pub(crate) fn build(
    root: &Path,
    options: &LoadOptions,
    out: &Path,
    force: bool,
    loaded: impl FnOnce(&Site),
) -> Result<Built> {
    let (site, opened) = std::thread::scope(|scope| {
        let opening = scope.spawn(|| Opened::open(root, out));
        let site = Site::load(root, options);
        (site, joined(opening))
    });
    let mut site = site?;
    loaded(&site);
    let image_warnings = site.make_images();
    let mut built = render_into(&site, opened?, force);
    if let Ok(built) = &mut built {
        built.warnings.extend(image_warnings);
        if let Err(e) = site.images.keep_index() {
            built.warnings.push(Warning::ImageCacheNotKept {
                path: site.images.dir().to_path_buf(),
                message: e.to_string(),
            });
        }
        built.warnings.extend(site.keep_highlighted());
    }
    drop_aside(site);
    built
}

/// Frees a large value on a thread of its own, so the caller need not wait:
/// freeing a site of 100,000 pages one allocation at a time takes over half
/// a second, and a command that ends right after need not wait for it.
fn drop_aside<T: Send + 'static>(value: T) {
    std::thread::spawn(move || drop(value));
}

/// What a scoped thread returned, its panic carried on.
fn joined<T>(thread: std::thread::ScopedJoinHandle<T>) -> T {
    thread
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

fn render_into(site: &Site, opened: Opened, force: bool) -> Result<Built> {
    let plan = Plan::new(site);
    if !plan.is_sound() {
        // Files that clash: report them with every other mistake, write nothing.
        return plan
            .render(site, &Views::new(site), |_, _| Ok(()))
            .map(|()| Built {
                pages: 0,
                broken_links: Vec::new(),
                warnings: Vec::new(),
                drafts_left_out: site.drafts.len(),
                future_left_out: site.future.len(),
            });
    }
    let copies = &site.static_files;
    let served = Served::new(plan.paths().chain(copies.keys().map(String::as_str)));
    let mut built = Built {
        pages: plan.page_count(),
        broken_links: links::broken(site, &served)
            .into_iter()
            .map(Broken::warning)
            .collect(),
        warnings: Vec::new(),
        drafts_left_out: site.drafts.len(),
        future_left_out: site.future.len(),
    };
    let paths = plan.paths().chain(copies.keys().map(String::as_str));
    // The values templates see (the search index, above all) are made while
    // the output folder is readied, which mostly waits on the disk.
    let cache_file = opened.search_cache().to_path_buf();
    let (views, cache, spare) = std::thread::scope(|scope| {
        let readying = scope.spawn(|| Spare::prepare(opened, paths, force));
        let (index, cache) = if site.config.search {
            let (index, cache) = search::Index::with_cache(site, Cache::read(&cache_file));
            (Some(index), Some(cache))
        } else {
            (None, None)
        };
        let views = Views::with_index(site, index);
        (views, cache, joined(readying))
    });
    let spare = spare?;
    // Each page goes to disk as soon as it is rendered.
    plan.render_keeping(
        site,
        &views,
        |path, key| spare.holds(path, key),
        |path, bytes, key| spare.write_made(path, bytes, key),
    )?;
    spare.copy_all(copies)?;
    // Only ever a head start for the next build: failing to keep it is no
    // reason to fail this one.
    let kept = cache.map_or(Ok(()), |cache| cache.write(&cache_file));
    if let Err(e) = kept {
        built.warnings.push(Warning::SearchCacheNotKept {
            path: cache_file,
            message: e.to_string(),
        });
    }
    // The values of a big site take a while to free; the build need not wait.
    drop_aside(views);
    spare.finish()?;
    Ok(built)
}

/// What a check found would be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Checked {
    pub files: usize,
}

/// Renders every file of `site` without writing any, and checks every
/// internal link; reports every mistake.
pub(crate) fn check(site: &Site) -> Result<Checked> {
    let plan = Plan::new(site);
    let paths: Vec<String> = plan.paths().map(str::to_string).collect();
    let served = Served::new(
        paths
            .iter()
            .chain(site.static_files.keys())
            .map(String::as_str),
    );
    let checked = Checked {
        files: paths.len() + site.static_files.len(),
    };
    plan.render(site, &Views::new(site), |_, _| Ok(()))?;
    let broken = links::broken(site, &served).into_iter().map(Broken::error);
    match Error::from_list(broken.collect()) {
        Some(error) => Err(error),
        None => Ok(checked),
    }
}
