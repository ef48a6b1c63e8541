//! Internal links: every link from an article or page to a path of this
//! site that the build does not produce, for `mend check`.
//!
//! Not for rewriting links (`markdown` puts `base_url`'s path in front).

use std::collections::HashSet;

use crate::error::Error;
use crate::site::Site;

/// Every output path of a site, to look site paths up in.
pub struct Served<'a> {
    files: HashSet<&'a str>,
}

impl<'a> Served<'a> {
    pub fn new(paths: impl Iterator<Item = &'a str>) -> Served<'a> {
        Served {
            files: paths.collect(),
        }
    }

    /// Whether a site path (`/posts/x/`, `/style.css`) is served.
    pub fn contains(&self, site_path: &str) -> bool {
        let path = site_path.trim_start_matches('/');
        if path.is_empty() || path.ends_with('/') {
            self.files.contains(format!("{path}index.html").as_str())
        } else {
            self.files.contains(path) || self.files.contains(format!("{path}/index.html").as_str())
        }
    }
}

/// Every link of an article or page that leads nowhere in `served`.
pub fn broken(site: &Site, served: &Served) -> Vec<Error> {
    let mut errors = Vec::new();
    for page in site.articles.iter().chain(&site.pages) {
        for link in &page.body.internal_links {
            let target = link.split(['#', '?']).next().unwrap_or_default();
            if !served.contains(target) {
                errors.push(Error::BrokenLink {
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
