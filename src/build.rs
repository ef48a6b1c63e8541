//! A build, as one library call: a loaded site planned, rendered and
//! written to its output folder, all or nothing (`build`); or everything
//! but the writing, with the internal links checked (`check`). The `build`
//! and `check` commands and the tests call these.
//!
//! Not for loading (`site`), rendering (`render`) or the rules of the
//! output folder (`output`).

use std::path::Path;

use crate::error::{Error, Result, Warning};
use crate::links::{self, Broken, Served};
use crate::output::Spare;
use crate::render::{Plan, Views};
use crate::site::Site;

/// What a build wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    /// HTML pages.
    pub pages: usize,
    /// Internal links that lead nowhere (what `check` calls errors).
    pub broken_links: Vec<Warning>,
}

/// Renders `site` into the output folder `out`. Nothing is written unless
/// every file renders; `force` builds beside files mend did not write.
pub fn build(site: &Site, out: &Path, force: bool) -> Result<Built> {
    let views = Views::new(site);
    let plan = Plan::new(site, &views);
    if !plan.is_sound() {
        // Files that clash: report them with every other mistake, write nothing.
        return plan.render(site, &views, |_, _| Ok(())).map(|()| Built {
            pages: 0,
            broken_links: Vec::new(),
        });
    }
    let copies = &site.static_files;
    let served = Served::new(plan.paths().chain(copies.keys().map(String::as_str)));
    let built = Built {
        pages: plan.page_count(),
        broken_links: links::broken(site, &served)
            .into_iter()
            .map(Broken::warning)
            .collect(),
    };
    let paths = plan.paths().chain(copies.keys().map(String::as_str));
    let spare = Spare::prepare(out, paths, force)?;
    // Each page goes to disk as soon as it is rendered.
    plan.render(site, &views, |path, bytes| spare.write(path, bytes))?;
    spare.copy_all(copies)?;
    spare.finish()?;
    Ok(built)
}

/// What a check found would be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checked {
    pub files: usize,
}

/// Renders every file of `site` without writing any, and checks every
/// internal link; reports every mistake.
pub fn check(site: &Site) -> Result<Checked> {
    let views = Views::new(site);
    let plan = Plan::new(site, &views);
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
    plan.render(site, &views, |_, _| Ok(()))?;
    let broken = links::broken(site, &served).into_iter().map(Broken::error);
    match Error::from_list(broken.collect()) {
        Some(error) => Err(error),
        None => Ok(checked),
    }
}
