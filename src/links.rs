//! Internal links: every link from an article or page to a path of this
//! site that the build does not produce: errors for `mend check`, warnings
//! for `mend build`.
//!
//! Not for rewriting links (`markdown` puts `base_url`'s path in front).

use std::collections::HashSet;

use crate::error::{Error, Location, Warning};
use crate::site::Site;

/// Every output path of a site, to look site paths up in.
pub(crate) struct Served<'a> {
    files: HashSet<&'a str>,
}

impl<'a> Served<'a> {
    pub(crate) fn new(paths: impl Iterator<Item = &'a str>) -> Served<'a> {
        Served {
            files: paths.collect(),
        }
    }

    /// Whether a site path (`/posts/x/`, `/style.css`) is served.
    pub(crate) fn contains(&self, site_path: &str) -> bool {
        let path = site_path.trim_start_matches('/');
        if path.is_empty() || path.ends_with('/') {
            self.files.contains(format!("{path}index.html").as_str())
        } else {
            self.files.contains(path) || self.files.contains(format!("{path}/index.html").as_str())
        }
    }
}

/// A link that leads nowhere, and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Broken {
    pub at: Location,
    /// Where it leads, as a site path: `/posts/x/`.
    pub link: String,
}

impl Broken {
    /// As `check` reports it.
    pub(crate) fn error(self) -> Error {
        Error::BrokenLink {
            at: self.at,
            link: self.link,
        }
    }

    /// As `build` reports it.
    pub(crate) fn warning(self) -> Warning {
        Warning::BrokenLink {
            at: self.at,
            link: self.link,
        }
    }
}

/// Every link of an article or page that leads nowhere in `served`.
pub(crate) fn broken(site: &Site, served: &Served) -> Vec<Broken> {
    let mut errors = Vec::new();
    for page in site.articles.iter().chain(&site.pages) {
        let mut source = None;
        for link in &page.body.internal_links {
            let target = link.site_path.split(['#', '?']).next().unwrap_or_default();
            if !served.contains(target) {
                // Read only for a page with a broken link, and once.
                let text = source.get_or_insert_with(|| {
                    std::fs::read_to_string(&page.source).unwrap_or_default()
                });
                errors.push(Broken {
                    at: Location {
                        path: page.source.clone(),
                        line: line_of(text, &link.written),
                    },
                    link: link.site_path.clone(),
                });
            }
        }
    }
    errors
}

/// The line (from 1) where `written` first appears as a link target in
/// `text`, or as text at all.
fn line_of(text: &str, written: &str) -> Option<usize> {
    let offset = text
        .find(&format!("]({written}"))
        .or_else(|| text.find(&format!("\"{written}\"")))
        .or_else(|| text.find(written))?;
    Some(text[..offset].matches('\n').count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_is_found_on_the_line_it_is_written() {
        let text = "+++\ntitle = \"x\"\n+++\nSee x.\n\n[x](x/) and <a href=\"y/\">y</a>\n";
        assert_eq!(line_of(text, "x/"), Some(6));
        assert_eq!(line_of(text, "y/"), Some(6));
        assert_eq!(line_of(text, "z/"), None);
    }

    #[test]
    fn site_paths_are_looked_up_as_folders_and_files() {
        let served = Served::new(["index.html", "posts/x/index.html", "style.css"].into_iter());
        for found in ["/", "/posts/x/", "/posts/x", "/style.css"] {
            assert!(served.contains(found), "{found}");
        }
        for missing in ["/posts/y/", "/style.css/", "/posts"] {
            assert!(!served.contains(missing), "{missing}");
        }
    }
}
