//! Internal links: every link from an article or page to a path of this
//! site that the build does not produce: errors for `mend check`, warnings
//! for `mend build`.
//!
//! Not for rewriting links (`markdown` puts `base_url`'s path in front).

use std::collections::HashSet;

use std::path::PathBuf;

use crate::error::{Error, Warning};
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

/// A link that leads nowhere, and the page it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Broken {
    pub path: PathBuf,
    pub link: String,
}

impl Broken {
    /// As `check` reports it.
    pub(crate) fn error(self) -> Error {
        Error::BrokenLink {
            path: self.path,
            link: self.link,
        }
    }

    /// As `build` reports it.
    pub(crate) fn warning(self) -> Warning {
        Warning::BrokenLink {
            path: self.path,
            link: self.link,
        }
    }
}

/// Every link of an article or page that leads nowhere in `served`.
pub(crate) fn broken(site: &Site, served: &Served) -> Vec<Broken> {
    let mut errors = Vec::new();
    for page in site.articles.iter().chain(&site.pages) {
        for link in &page.body.internal_links {
            let target = link.split(['#', '?']).next().unwrap_or_default();
            if !served.contains(target) {
                errors.push(Broken {
                    path: page.source.clone(),
                    link: link.clone(),
                });
            }
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

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
