//! What a server taking comments knows of the site: for checking a
//! comment, a small directory of the pages by path (address, source,
//! approved comment ids, until when they are open); for the no-script
//! reply page, the loaded site itself. Whoever reads the site (the watcher
//! of `comments serve`, the rebuilds of `mend serve`) puts each new reading
//! here whole; a request only ever clones a pointer.
//!
//! Not for reading the site (`site`) nor for checking a comment (`check`).

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use crate::comments::{self, Openness};
use crate::render::{PageRef, Views};
use crate::site::Site;

/// A loaded site with the values its templates see: what a reply page is
/// rendered with.
pub(crate) struct Loaded {
    pub site: Site,
    pub views: Views,
}

/// A page comments may be sent to.
pub(super) struct Entry {
    pub target: PageRef,
    /// Its absolute address.
    pub permalink: String,
    /// Its source from the site's root, with `/`: `content/posts/x.md`.
    pub source: String,
    /// Its title, for mail about it.
    pub title: String,
    /// The ids of its approved comments: a reply's parent is looked up,
    /// not searched for, however long the thread.
    pub approved: HashSet<String>,
    pub openness: Openness,
}

/// Everything checking a comment needs to know of the site.
#[derive(Default)]
pub(super) struct Directory {
    /// The pages, by path (`posts/x/`).
    pub pages: HashMap<String, Entry>,
    /// `comments_max_bytes` of `site.toml`.
    pub max_bytes: usize,
    /// Fingerprints of every published comment, to refuse repeats.
    pub published: HashSet<u64>,
}

impl Directory {
    fn of(site: &Site) -> Directory {
        let days = site.config.comments_close_after_days;
        let mut published = HashSet::new();
        let pages = (0..site.articles.len())
            .map(PageRef::Article)
            .chain((0..site.pages.len()).map(PageRef::Page))
            .map(|target| {
                let page = target.page(site);
                let source = relative_source(&site.root, &page.source);
                let mut approved = HashSet::new();
                for c in &page.comments {
                    published.insert(super::fingerprint(&source, &c.author, &c.body));
                    if c.status == comments::Status::Approved {
                        approved.insert(c.id.clone());
                    }
                }
                let entry = Entry {
                    target,
                    permalink: page.permalink.clone(),
                    source,
                    title: page.title.clone(),
                    approved,
                    openness: Openness::of(page, days),
                };
                (page.path.clone(), entry)
            })
            .collect();
        Directory {
            pages,
            max_bytes: site.config.comments_max_bytes,
            published,
        }
    }
}

/// A page's source from the site's root, with `/`: `content/posts/x.md`.
fn relative_source(root: &Path, source: &Path) -> String {
    crate::config::relative_path(root, source)
}

/// The latest reading of the site, shared by the requests.
#[derive(Default)]
pub(crate) struct Shelf {
    /// `None` before the site is read, and while a rebuild changes it in
    /// place.
    reading: RwLock<Option<Arc<Reading>>>,
    /// The directory of the last reading that was asked for one: what a
    /// request sees while the site is off the shelf.
    last: RwLock<Arc<Directory>>,
}

/// One reading of the site, and its directory, made when first asked for:
/// a rebuild of the preview costs nothing more until a comment comes.
struct Reading {
    loaded: Arc<Loaded>,
    directory: OnceLock<Arc<Directory>>,
}

impl Shelf {
    /// Puts a new reading of the site on the shelf.
    pub(crate) fn put(&self, loaded: &Arc<Loaded>) {
        let reading = Reading {
            loaded: Arc::clone(loaded),
            directory: OnceLock::new(),
        };
        *self.reading.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(reading));
    }

    /// Takes the site off the shelf, so that its owner can change it in
    /// place once no request holds it.
    pub(crate) fn withdraw(&self) {
        *self.reading.write().unwrap_or_else(PoisonError::into_inner) = None;
    }

    fn reading(&self) -> Option<Arc<Reading>> {
        self.reading
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The directory of the site on the shelf (made now if it was not
    /// yet), or of the last one while none is there.
    pub(super) fn directory(&self) -> Arc<Directory> {
        let Some(reading) = self.reading() else {
            return Arc::clone(&self.last.read().unwrap_or_else(PoisonError::into_inner));
        };
        let directory = reading.directory.get_or_init(|| {
            let made = Arc::new(Directory::of(&reading.loaded.site));
            *self.last.write().unwrap_or_else(PoisonError::into_inner) = Arc::clone(&made);
            made
        });
        Arc::clone(directory)
    }

    pub(super) fn loaded(&self) -> Option<Arc<Loaded>> {
        self.reading().map(|r| Arc::clone(&r.loaded))
    }
}
