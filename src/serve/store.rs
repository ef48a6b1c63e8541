//! The site `serve` holds in memory: every rendered file, LZ4-compressed,
//! and the files copied as they are, by output path. While `serve` starts,
//! before every file is rendered, it holds the loaded site instead and
//! renders a file when it is asked for.
//!
//! Not for rendering (`render`) nor answering requests (`http`).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::config::relative_path;
use crate::error::Result;
use crate::render::{Plan, Views};
use crate::site::Site;
use crate::theme::Source;

/// Every file of a built site, held in memory.
#[derive(Debug, Default)]
pub(super) struct Store {
    /// Rendered files by output path (`posts/x/index.html`).
    pub files: BTreeMap<String, Packed>,
    /// Files copied as they are, by output path.
    pub copies: BTreeMap<String, Source>,
    /// The source of each article and page (`content/posts/x.md`, from the
    /// site's root), by its path (`posts/x/`), for moderation.
    pub sources: BTreeMap<String, String>,
    /// While the first build renders: the loaded site, to render a file
    /// asked for before its turn.
    early: Option<Arc<Early>>,
}

/// A loaded site whose files are not all rendered yet.
pub(super) struct Early {
    pub site: Site,
    pub views: Views,
    plan: Plan,
}

impl Early {
    pub(super) fn new(site: Site, views: Views) -> Early {
        let plan = Plan::new(&site);
        Early { site, views, plan }
    }
}

impl std::fmt::Debug for Early {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Early({} files)", self.plan.len())
    }
}

impl Store {
    /// The store of `site` before any file is rendered: its copies and
    /// sources, and the site itself to render a file when asked.
    pub(super) fn early(early: &Arc<Early>) -> Store {
        Store {
            early: Some(Arc::clone(early)),
            ..Store::of(&early.site)
        }
    }

    fn of(site: &Site) -> Store {
        Store {
            files: BTreeMap::new(),
            copies: site.static_files.clone(),
            sources: site
                .articles
                .iter()
                .chain(&site.pages)
                .map(|p| (p.path.clone(), relative_path(&site.root, &p.source)))
                .collect(),
            early: None,
        }
    }

    /// The bytes of the rendered file at `path`: from memory, or, while
    /// the site is still being rendered, rendered now, exactly as the
    /// build will render it.
    pub(super) fn rendered(&self, path: &str) -> Option<Result<Vec<u8>>> {
        if let Some(packed) = self.files.get(path) {
            return Some(Ok(packed.unpack()));
        }
        let early = self.early.as_ref()?;
        early.plan.render_one(&early.site, &early.views, path)
    }

    /// Whether a file is rendered at `path`, or will be.
    pub(super) fn has_rendered(&self, path: &str) -> bool {
        self.files.contains_key(path) || self.early.as_ref().is_some_and(|e| e.plan.has(path))
    }
}

/// A rendered file kept in memory, LZ4-compressed: HTML shrinks about
/// fourfold, and on a large site the memory that holding every page takes
/// (and the kernel must hand over zeroed) costs more than compressing it.
/// Equal files pack to equal bytes, so packed files compare as their
/// contents do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Packed {
    size: usize,
    packed: Box<[u8]>,
}

impl Packed {
    pub(super) fn new(bytes: &[u8]) -> Packed {
        thread_local! {
            /// Room for the worst case, reused: only the packed bytes are kept.
            static ROOM: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        ROOM.with_borrow_mut(|room| {
            let worst = lz4_flex::block::get_maximum_output_size(bytes.len());
            if room.len() < worst {
                room.resize(worst, 0);
            }
            let used = lz4_flex::compress_into(bytes, room).expect("room for the worst case");
            Packed {
                size: bytes.len(),
                packed: room[..used].into(),
            }
        })
    }

    /// The file's bytes.
    pub(super) fn unpack(&self) -> Vec<u8> {
        lz4_flex::decompress(&self.packed, self.size).expect("packed by Packed::new")
    }
}

/// Renders every file of the site into a store, with values already built.
pub(super) fn render_all(site: &Site, views: &Views) -> Result<Store> {
    let plan = Plan::new(site);
    let files = std::sync::Mutex::new(Vec::with_capacity(plan.len()));
    plan.render(site, views, |path, bytes| {
        let file = (path.to_string(), Packed::new(bytes));
        files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(file);
        Ok(())
    })?;
    Ok(Store {
        files: files
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .into_iter()
            .collect(),
        ..Store::of(site)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_asked_for_early_is_the_file_rendered_later() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/blog");
        let site = Site::load(&root, &crate::site::LoadOptions::default()).unwrap();
        let views = Views::new(&site);
        let rendered = render_all(&site, &views).unwrap();
        let early = Store::early(&Arc::new(Early::new(site, views)));
        assert!(early.files.is_empty());
        assert_eq!(early.copies, rendered.copies);
        assert_eq!(early.sources, rendered.sources);
        assert!(rendered.files.len() > 10);
        for (path, packed) in &rendered.files {
            let bytes = early.rendered(path).unwrap().unwrap();
            assert_eq!(bytes, packed.unpack(), "{path}");
            assert!(early.has_rendered(path));
        }
        assert!(early.rendered("posts/nothing/index.html").is_none());
        assert!(!early.has_rendered("posts/nothing/index.html"));
        assert!(Store::default().rendered("index.html").is_none());
    }

    #[test]
    fn a_file_that_fails_to_render_early_gives_the_error_to_show() {
        let root = tempfile::tempdir().unwrap();
        for (path, text) in [
            (
                "site.toml",
                "title = \"T\"\nbase_url = \"https://example.com\"\n",
            ),
            ("content/about.md", "+++\ntitle = \"About\"\n+++\nHi.\n"),
            ("templates/page.html", "<p>{{ page.no_such_field }}</p>\n"),
        ] {
            let file = root.path().join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, text).unwrap();
        }
        let site = Site::load(root.path(), &crate::site::LoadOptions::default()).unwrap();
        let views = Views::new(&site);
        let early = Store::early(&Arc::new(Early::new(site, views)));
        let error = early.rendered("about/index.html").unwrap().unwrap_err();
        assert!(error.to_string().contains("no_such_field"), "{error}");
        assert!(early.rendered("index.html").unwrap().is_ok());
    }

    #[test]
    fn packed_files_unpack_and_compare_as_their_bytes() {
        let page = "<p>No contact is a boundary, not a punishment.</p>\n".repeat(50);
        let packed = Packed::new(page.as_bytes());
        assert!(packed.packed.len() < page.len() / 4);
        assert_eq!(packed.unpack(), page.as_bytes());
        assert_eq!(packed, Packed::new(page.as_bytes()));
        assert_ne!(
            packed,
            Packed::new(page.replace("boundary", "Boundary").as_bytes())
        );
        assert_eq!(Packed::new(b"").unpack(), b"");
    }
}
