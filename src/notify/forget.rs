//! `mend comments forget EMAIL`: the right to erasure. An address is
//! removed from everywhere mend keeps it: its subscriptions and what it was
//! told (`notify/`), mail to it still waiting, the pending comments that
//! gave it (`inbox/`, spam included), and the comment files that keep it
//! (the `email` line of each comment is taken out, every other byte kept).
//! The comments themselves stay: the reader's words are published already,
//! and removing them is the author's call (`mend comments delete`, or an
//! edit of the comment file).
//!
//! Also the private export: what `notify/` keeps, for `mend comments
//! export --private`.
//!
//! Not for the rules of consent (`notify::subscribers`).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::outbox::Outbox;
use super::subscribers::Subscribers;
use crate::durable;
use crate::error::{Error, Result};
use crate::layout::{INBOX_DIR, NOTIFY_DIR};
use crate::site::Site;

/// What forgetting an address removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Forgotten {
    /// Threads the address followed.
    pub threads: usize,
    /// Mails to it that were waiting.
    pub mails: usize,
    /// Pending comments that gave it.
    pub pending: usize,
    /// Comment files it was taken out of, from the root, and how many
    /// comments in each.
    pub files: Vec<(String, usize)>,
}

/// Removes `email` from every place mend keeps it, in the site read as
/// `site` (read with its drafts and future articles, so that their comment
/// files are reached too).
pub(crate) fn forget(site: &Site, email: &str) -> Result<Forgotten> {
    let root = &site.root;
    let wanted = email.trim().to_lowercase();
    let same = |given: &str| given.trim().to_lowercase() == wanted;
    let notify_dir = crate::config::in_site(root, NOTIFY_DIR);
    let cannot = |path: &Path| {
        let path = path.to_path_buf();
        move |source: io::Error| Error::Write { path, source }
    };
    let mut forgotten = Forgotten::default();
    if notify_dir.is_dir() {
        let subscribers = Subscribers::of_site(root).map_err(cannot(&notify_dir))?;
        if let Some((name, subscriber)) = subscribers.remove(email).map_err(cannot(&notify_dir))? {
            forgotten.threads = subscriber.threads.len();
            let sent = notify_dir.join("sent").join(format!("{name}.toml"));
            remove_if_there(&sent).map_err(cannot(&sent))?;
        }
        let outbox = Outbox::of_site(root);
        for (file, queued) in outbox.waiting().map_err(cannot(&notify_dir))? {
            if same(&queued.to) {
                durable::remove(&file).map_err(cannot(&file))?;
                forgotten.mails += 1;
            }
        }
    }
    let inbox = crate::config::in_site(root, INBOX_DIR);
    for dir in [inbox.clone(), inbox.join("spam")] {
        for file in super::toml_files(&dir).map_err(cannot(&dir))? {
            if take_emails_out(&file, &same).map_err(cannot(&file))? > 0 {
                forgotten.pending += 1;
            }
        }
    }
    let mut files: Vec<PathBuf> = site
        .articles
        .iter()
        .chain(&site.pages)
        .map(|page| crate::layout::comments_file_of(&page.source))
        .filter(|file| file.is_file())
        .collect();
    files.sort();
    files.dedup();
    for file in files {
        let taken = take_emails_out(&file, &same).map_err(cannot(&file))?;
        if taken > 0 {
            forgotten
                .files
                .push((crate::config::relative_path(root, &file), taken));
        }
    }
    Ok(forgotten)
}

fn remove_if_there(file: &Path) -> io::Result<()> {
    match durable::remove(file) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// Takes the `email` key out of each table of `file` (its top level, or
/// each `[[comment]]`) whose address is `same`, keeping every other byte;
/// how many were taken out.
fn take_emails_out(file: &Path, same: &impl Fn(&str) -> bool) -> io::Result<usize> {
    let text = fs::read_to_string(file)?;
    let mut document: toml_edit::DocumentMut = text.parse().map_err(io::Error::other)?;
    let mut taken = 0;
    let mut take = |table: &mut toml_edit::Table| {
        if table
            .get("email")
            .and_then(|v| v.as_str())
            .is_some_and(same)
        {
            table.remove("email");
            taken += 1;
        }
    };
    take(document.as_table_mut());
    if let Some(comments) = document
        .get_mut("comment")
        .and_then(toml_edit::Item::as_array_of_tables_mut)
    {
        for table in comments.iter_mut() {
            take(table);
        }
    }
    if taken > 0 {
        durable::replace(file, document.to_string().as_bytes())?;
    }
    Ok(taken)
}

/// What `notify/` keeps of each address (never the secret of its links),
/// for `mend comments export --private`.
pub(crate) fn private_export(root: &Path) -> Result<serde_json::Value> {
    let notify_dir = crate::config::in_site(root, NOTIFY_DIR);
    if !notify_dir.is_dir() {
        return Ok(serde_json::Value::Array(Vec::new()));
    }
    let cannot = |source| Error::Read {
        path: notify_dir.clone(),
        source,
    };
    let subscribers = Subscribers::of_site(root).map_err(cannot)?;
    let all = subscribers.all().map_err(cannot)?;
    let list = all
        .into_iter()
        .map(|(_, s)| {
            serde_json::json!({
                "email": s.email,
                "asked": s.asked.map(|t| t.to_string()),
                "confirmed": s.confirmed.map(|t| t.to_string()),
                "left": s.left.map(|t| t.to_string()),
                "threads": s.threads.iter().map(|t| serde_json::json!({
                    "article": t.article,
                    "comment": t.comment,
                    "since": t.since.to_string(),
                    "left": t.left.map(|l| l.to_string()),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(serde_json::Value::Array(list))
}
