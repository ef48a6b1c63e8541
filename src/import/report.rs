//! What an import did, for the terminal and for `import-report.md`: what
//! came in, what was renamed, what became a draft and why, what was
//! skipped and why, and what to check by hand.
//!
//! Not for deciding any of it (`import`).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use super::convert::Found;
use super::{ItemKind, Planned, REPORT_FILE};

/// What was not imported, by reason.
#[derive(Debug, Default)]
pub(crate) struct Skipped {
    pub attachments: usize,
    pub menu_items: usize,
    pub trashed_posts: usize,
    pub trashed_comments: usize,
    pub other_comments: usize,
    /// Items of other types (`revision`, `wp_block`…), by type.
    pub other_types: BTreeMap<String, usize>,
}

/// What an import did.
#[derive(Debug, Default)]
pub(crate) struct Report {
    pub export: PathBuf,
    pub into: PathBuf,
    pub articles: usize,
    pub pages: usize,
    pub drafts: usize,
    pub comments: usize,
    /// Pingbacks and trackbacks, among `comments`.
    pub pingbacks: usize,
    pub authors_added: usize,
    pub base_url: String,
    /// Published in WordPress, imported as drafts: (why, title).
    pub hidden: Vec<(&'static str, String)>,
    pub renamed: Vec<String>,
    pub skipped: Skipped,
    /// Shortcodes kept as code: (title, shortcode).
    pub shortcodes: Vec<(String, String)>,
    /// Images still on the old site: (title, URL).
    pub remote_images: Vec<(String, String)>,
    /// Images copied into page bundles.
    pub copied_images: usize,
    /// Anything else worth a look.
    pub check: Vec<String>,
}

impl Report {
    pub(super) fn new(export: &Path, into: &Path) -> Report {
        Report {
            export: export.to_path_buf(),
            into: into.to_path_buf(),
            ..Report::default()
        }
    }

    pub(super) fn add_item(
        &mut self,
        planned: &Planned,
        title: &str,
        draft: bool,
        found: &Found,
        images: &[(String, Option<String>)],
    ) {
        match planned.kind {
            ItemKind::Post => self.articles += 1,
            ItemKind::Page => self.pages += 1,
        }
        self.drafts += usize::from(draft);
        if let Some(why) = planned.hidden {
            self.hidden.push((why, title.to_string()));
        }
        for code in &found.unknown_shortcodes {
            self.shortcodes.push((title.to_string(), code.clone()));
        }
        for (url, copied) in images {
            match copied {
                Some(_) => self.copied_images += 1,
                None => self.remote_images.push((title.to_string(), url.clone())),
            }
        }
    }

    /// The closing lines on the terminal.
    pub(crate) fn summary(&self) -> String {
        let mut text = format!(
            "imported {} articles and {} pages ({} of them drafts) with {} comments ({} of them pingbacks or trackbacks) into {}; {} authors added to site.toml",
            self.articles,
            self.pages,
            self.drafts,
            self.comments,
            self.pingbacks,
            self.into.display(),
            self.authors_added,
        );
        let _ = write!(
            text,
            "\n{} renamed, {} made drafts (password-protected, private or scheduled), {} shortcodes kept as code, {} images still on the old site, {} copied",
            self.renamed.len(),
            self.hidden.len(),
            self.shortcodes.len(),
            self.remote_images.len(),
            self.copied_images
        );
        let _ = write!(
            text,
            "\nbase_url is {}; the full report is {}",
            self.base_url,
            self.into.join(REPORT_FILE).display()
        );
        text
    }

    /// `import-report.md`.
    pub(crate) fn markdown(&self) -> String {
        let mut md = String::from("# Import report\n\n");
        let _ = writeln!(
            md,
            "From `{}`. Read it once, fix what it asks below, then delete it: mend does not publish it.\n",
            self.export.display()
        );
        md.push_str("## What came in\n\n");
        let _ = writeln!(
            md,
            "- {} articles and {} pages, {} of them drafts",
            self.articles, self.pages, self.drafts
        );
        let _ = writeln!(
            md,
            "- {} comments, {} of them pingbacks or trackbacks (shown apart, under “Mentions”)",
            self.comments, self.pingbacks
        );
        let _ = writeln!(md, "- {} authors added to `site.toml`", self.authors_added);
        let _ = writeln!(
            md,
            "- {} images copied into page bundles",
            self.copied_images
        );
        let _ = writeln!(
            md,
            "- `base_url` is `{}`: set it to the address the site will have before you deploy",
            self.base_url
        );
        section(
            &mut md,
            "Made drafts: never published until you set `draft = false`",
            self.hidden
                .iter()
                .map(|(why, title)| format!("“{title}”: {why} in WordPress")),
        );
        section(&mut md, "Renamed", self.renamed.iter().cloned());
        let skipped = &self.skipped;
        let mut reasons = vec![
            format!(
                "{} attachments (their files are used by galleries, featured images and `--uploads`)",
                skipped.attachments
            ),
            format!(
                "{} menu items (mend's navigation lists the top-level pages)",
                skipped.menu_items
            ),
            format!("{} trashed or unfinished posts", skipped.trashed_posts),
            format!("{} trashed comments", skipped.trashed_comments),
            format!("{} comments of another type", skipped.other_comments),
        ];
        reasons.extend(
            skipped
                .other_types
                .iter()
                .map(|(kind, n)| format!("{n} items of the type `{kind}`")),
        );
        section(&mut md, "Skipped, and why", reasons.into_iter());
        section(
            &mut md,
            "Shortcodes mend does not know, kept as code: replace them by hand",
            self.shortcodes
                .iter()
                .map(|(title, code)| format!("“{title}”: `{code}`")),
        );
        section(
            &mut md,
            "Images still on the old site (import again with `--uploads` and a copy of wp-content/uploads)",
            self.remote_images
                .iter()
                .map(|(title, url)| format!("“{title}”: <{url}>")),
        );
        section(&mut md, "To check by hand", self.check.iter().cloned());
        md
    }
}

fn section(md: &mut String, heading: &str, lines: impl Iterator<Item = String>) {
    let lines: Vec<String> = lines.collect();
    let _ = write!(md, "\n## {heading}\n\n");
    if lines.is_empty() {
        md.push_str("None.\n");
    }
    for line in lines {
        let _ = writeln!(md, "- {line}");
    }
}
