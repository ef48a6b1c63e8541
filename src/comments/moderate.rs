//! Moderation: what the author does with the inbox. Approving moves a
//! submission into its article's comment file; a reply is written there
//! directly as the author's; spam and deleted submissions leave the inbox.
//!
//! A comment file is only ever appended to: its text stays byte for byte
//! as it was, the new `[[comment]]` tables (made by `toml_edit`) follow,
//! and the whole is checked as a build would check it before it replaces
//! the file in one step. Submissions leave the inbox only after that, so a
//! crash in between leaves a comment in both, which approving again mends.
//! One moderation at a time per site (a lock in the inbox).
//!
//! Not for reading what readers send (`intake`) nor for the inbox files
//! themselves (`inbox`).

use std::collections::{BTreeMap, HashSet};
use std::path::{Component, Path, PathBuf};

use super::inbox::{Inbox, Submission, new_id};
use crate::config::{Config, in_site};
use crate::content::{self, CONTENT_DIR};
use crate::durable;
use crate::error::{Error, Result, read_text};
use crate::layout::comments_file_of;

/// The lock file that keeps two moderations of a site apart.
const LOCK_FILE: &str = ".moderation-lock";

/// A comment as it is added to a comment file.
#[derive(Debug, Clone)]
pub(crate) struct NewComment {
    pub id: String,
    pub author: String,
    pub date: String,
    pub body: String,
    pub parent: Option<String>,
    pub email: Option<String>,
    pub url: Option<String>,
    pub by_author: bool,
}

impl From<&Submission> for NewComment {
    fn from(s: &Submission) -> NewComment {
        NewComment {
            id: s.id.clone(),
            author: s.author.clone(),
            date: s.date.clone(),
            body: s.body.clone(),
            parent: s.parent.clone(),
            email: s.email.clone(),
            url: s.url.clone(),
            by_author: false,
        }
    }
}

/// What a moderation did to one comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Done {
    pub id: String,
    /// The comment file written, from the site's root.
    pub file: PathBuf,
}

/// Whether a submission's article names a Markdown file inside `content/`
/// (a pulled submission is checked before it is trusted with a path).
pub(crate) fn is_article_path(article: &str) -> bool {
    let path = Path::new(article);
    path.starts_with(CONTENT_DIR)
        && article.ends_with(".md")
        && path.components().all(|c| matches!(c, Component::Normal(_)))
}

fn lock(root: &Path) -> Result<durable::Lock> {
    let inbox = Inbox::of_site(root);
    let path = inbox.dir().join(LOCK_FILE);
    durable::Lock::wait(&path).map_err(|source| Error::Write { path, source })
}

/// Approves pending submissions: each goes into its article's comment file.
/// Nothing is written if any of them cannot be approved.
pub(crate) fn approve(root: &Path, ids: &[String]) -> Result<Vec<Done>> {
    let config = Config::load(root)?;
    let _lock = lock(root)?;
    let inbox = Inbox::of_site(root);
    let mut chosen = ids
        .iter()
        .map(|id| inbox.get(id))
        .collect::<Result<Vec<_>>>()?;
    chosen.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.id.cmp(&b.id)));
    chosen.dedup_by(|a, b| a.id == b.id);
    let approving: HashSet<&str> = chosen.iter().map(|s| s.id.as_str()).collect();
    for s in &chosen {
        if let Some(parent) = &s.parent
            && !approving.contains(parent.as_str())
            && inbox.path_of(parent).is_file()
        {
            return Err(Error::ParentPending {
                id: s.id.clone(),
                parent: parent.clone(),
            });
        }
    }
    let mut by_article: BTreeMap<&str, Vec<NewComment>> = BTreeMap::new();
    for s in &chosen {
        check_article(root, s)?;
        by_article.entry(&s.article).or_default().push(s.into());
    }
    let mut done = Vec::new();
    for (article, comments) in by_article {
        let file = append(root, Path::new(article), &comments, &config)?;
        for c in comments {
            inbox.remove(&c.id)?;
            done.push(Done {
                id: c.id,
                file: file.clone(),
            });
        }
    }
    Ok(done)
}

/// What `approve --all` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ApprovedAll {
    pub done: Vec<Done>,
    /// Submissions left in the inbox, and why.
    pub skipped: Vec<Skipped>,
}

/// A submission `approve --all` left pending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Skipped {
    pub id: String,
    /// A sentence: what is wrong with it, and what to do.
    pub reason: String,
}

/// Approves every pending submission that can be: one that could not be
/// published (its article is gone, a field is blank or too long), and a
/// reply to one of those, is left in the inbox and named, and the rest are
/// approved all the same.
pub(crate) fn approve_all(root: &Path) -> Result<ApprovedAll> {
    let config = Config::load(root)?;
    let pending = Inbox::of_site(root).list()?;
    let mut skipped = Vec::new();
    let mut valid: HashSet<&str> = HashSet::new();
    for s in &pending {
        match check_alone(root, s, &config) {
            Ok(()) => {
                valid.insert(&s.id);
            }
            // That error says what to do already.
            Err(e @ Error::ArticleGone { .. }) => skipped.push(Skipped {
                id: s.id.clone(),
                reason: e.to_string(),
            }),
            Err(e) => skipped.push(Skipped {
                id: s.id.clone(),
                reason: format!(
                    "{e} (fix it, or delete it with `mend comments delete {}`)",
                    s.id
                ),
            }),
        }
    }
    let waiting: HashSet<&str> = pending.iter().map(|s| s.id.as_str()).collect();
    // A reply waits for its parent; oldest first, so a parent is decided
    // before its replies.
    for s in &pending {
        let parent_left = s
            .parent
            .as_deref()
            .is_some_and(|p| waiting.contains(p) && !valid.contains(p));
        if parent_left && valid.remove(s.id.as_str()) {
            skipped.push(Skipped {
                id: s.id.clone(),
                reason: format!(
                    "it replies to {parent}, which is still waiting; approve it with {parent} once that one is fixed, or delete it with `mend comments delete {}`",
                    s.id,
                    parent = s.parent.as_deref().unwrap_or_default()
                ),
            });
        }
    }
    let ids: Vec<String> = pending
        .iter()
        .filter(|s| valid.contains(s.id.as_str()))
        .map(|s| s.id.clone())
        .collect();
    let done = if ids.is_empty() {
        Vec::new()
    } else {
        approve(root, &ids)?
    };
    Ok(ApprovedAll { done, skipped })
}

/// Whether a submission, alone, would make a valid comment of its article.
fn check_alone(root: &Path, s: &Submission, config: &Config) -> Result<()> {
    check_article(root, s)?;
    let mut comment = NewComment::from(s);
    // Its parent is checked against the file when it is appended.
    comment.parent = None;
    let file = Inbox::of_site(root).path_of(&s.id);
    super::parse(&table_text(&comment), &file, config.comments_max_bytes).map(|_| ())
}

/// Moves pending submissions to the spam folder.
pub(crate) fn spam(root: &Path, ids: &[String]) -> Result<()> {
    each_pending(root, ids, Inbox::mark_spam)
}

/// Deletes pending submissions.
pub(crate) fn delete(root: &Path, ids: &[String]) -> Result<()> {
    each_pending(root, ids, Inbox::remove)
}

fn each_pending(root: &Path, ids: &[String], act: fn(&Inbox, &str) -> Result<()>) -> Result<()> {
    let _lock = lock(root)?;
    let inbox = Inbox::of_site(root);
    for id in ids {
        inbox.get(id)?;
    }
    for id in ids {
        act(&inbox, id)?;
    }
    Ok(())
}

/// What the author replies.
#[derive(Debug, Clone)]
pub(crate) struct Reply<'a> {
    /// The comment replied to: pending (it is approved first) or approved.
    pub to: &'a str,
    /// The article's source, when the same id is in several comment files.
    pub article: Option<&'a Path>,
    /// Markdown.
    pub body: &'a str,
    /// Who replies, as a key of `[authors]`; none for the site's only author.
    pub author: Option<&'a str>,
}

/// What a reply did: the pending comment it approved first, if any, and
/// the new comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Replied {
    pub approved: Option<Done>,
    pub reply: Done,
}

/// Writes the author's reply under a comment.
pub(crate) fn reply(root: &Path, reply: &Reply) -> Result<Replied> {
    let config = Config::load(root)?;
    let body = reply.body.trim();
    if body.is_empty() {
        return Err(Error::EmptyReply);
    }
    let author = reply_author(&config, reply.author)?;
    if let Some(article) = reply.article {
        let text = article.to_string_lossy();
        if !is_article_path(&text) {
            return Err(Error::NotAnArticle {
                article: text.into_owned(),
            });
        }
    }
    let inbox = Inbox::of_site(root);
    let (article, approved) = match inbox.get(reply.to) {
        Ok(pending) => {
            let done = approve(root, std::slice::from_ref(&pending.id))?;
            (PathBuf::from(pending.article), done.into_iter().next())
        }
        Err(Error::NotInInbox { .. }) => (find_comment(root, reply.to, reply.article)?, None),
        Err(e) => return Err(e),
    };
    let _lock = lock(root)?;
    let now = jiff::Timestamp::now();
    let comment = NewComment {
        id: new_id(now),
        author,
        date: now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        body: body.to_string(),
        parent: Some(reply.to.to_string()),
        email: None,
        url: None,
        by_author: true,
    };
    let file = append(root, &article, std::slice::from_ref(&comment), &config)?;
    Ok(Replied {
        approved,
        reply: Done {
            id: comment.id,
            file,
        },
    })
}

/// The name an author's reply is signed with.
fn reply_author(config: &Config, key: Option<&str>) -> Result<String> {
    let keys = || {
        config
            .authors
            .keys()
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    };
    match key {
        Some(key) => config
            .authors
            .get(key)
            .map(|a| a.name.clone())
            .ok_or_else(|| Error::UnknownReplyAuthor {
                key: key.to_string(),
                keys: keys(),
            }),
        None if config.authors.len() > 1 => Err(Error::ChooseReplyAuthor { keys: keys() }),
        None => Ok(config
            .authors
            .values()
            .next()
            .map_or_else(|| config.title.clone(), |a| a.name.clone())),
    }
}

/// The article (its source, from the root) whose comment file holds `id`.
fn find_comment(root: &Path, id: &str, article: Option<&Path>) -> Result<PathBuf> {
    let files = match article {
        Some(article) => vec![in_site(root, comments_file_of(article))],
        None => content::find_files(root)?.comments,
    };
    let mut found = Vec::new();
    for file in files.iter().filter(|f| f.is_file()) {
        let text = read_text(file)?;
        let holds = toml::from_str::<toml::Table>(&text).is_ok_and(|t| {
            t.get("comment")
                .and_then(toml::Value::as_array)
                .is_some_and(|list| {
                    list.iter()
                        .any(|c| c.get("id").and_then(toml::Value::as_str) == Some(id))
                })
        });
        if holds {
            found.push(file.clone());
        }
    }
    let relative = |f: &PathBuf| f.strip_prefix(root).unwrap_or(f).to_path_buf();
    match found.as_slice() {
        [one] => Ok(crate::layout::article_of(&relative(one))),
        [] => Err(Error::CommentNotFound { id: id.to_string() }),
        several => Err(Error::CommentIdAmbiguous {
            id: id.to_string(),
            files: several
                .iter()
                .map(|f| relative(f).display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

fn check_article(root: &Path, s: &Submission) -> Result<()> {
    if is_article_path(&s.article) && in_site(root, &s.article).is_file() {
        Ok(())
    } else {
        Err(Error::ArticleGone {
            id: s.id.clone(),
            article: s.article.clone(),
        })
    }
}

/// Appends comments to an article's comment file (made if missing), leaving
/// every byte already there as it is; comments already in it (an earlier
/// approval cut short) are not added twice. Returns the file, from the root.
fn append(
    root: &Path,
    article: &Path,
    comments: &[NewComment],
    config: &Config,
) -> Result<PathBuf> {
    let relative = comments_file_of(article);
    let path = in_site(root, &relative);
    let old = if path.exists() {
        read_text(&path)?
    } else {
        String::new()
    };
    let present: HashSet<String> = if old.trim().is_empty() {
        HashSet::new()
    } else {
        super::parse(&old, &path, usize::MAX)?
            .comments
            .into_iter()
            .map(|c| c.id)
            .collect()
    };
    let mut text = old;
    for comment in comments.iter().filter(|c| !present.contains(&c.id)) {
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&table_text(comment));
    }
    super::parse(&text, &path, config.comments_max_bytes)?;
    durable::replace(&path, text.as_bytes()).map_err(|source| Error::Write {
        path: path.clone(),
        source,
    })?;
    Ok(relative)
}

/// One `[[comment]]` table, as `toml_edit` writes it.
fn table_text(c: &NewComment) -> String {
    use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};
    let mut table = Table::new();
    table.insert("id", value(&c.id));
    table.insert("author", value(&c.author));
    match c.date.parse::<toml_edit::Datetime>() {
        Ok(date) => table.insert("date", value(date)),
        Err(_) => table.insert("date", value(&c.date)),
    };
    if let Some(parent) = &c.parent {
        table.insert("parent", value(parent));
    }
    for (key, field) in [("email", &c.email), ("url", &c.url)] {
        if let Some(text) = field {
            table.insert(key, value(text));
        }
    }
    if c.by_author {
        table.insert("by_author", value(true));
    }
    table.insert("body", value(&c.body));
    let mut list = ArrayOfTables::new();
    list.push(table);
    let mut doc = DocumentMut::new();
    doc.insert("comment", Item::ArrayOfTables(list));
    doc.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_files_of_articles() {
        assert_eq!(
            comments_file_of(Path::new("content/posts/x.md")),
            Path::new("content/posts/x.comments.toml")
        );
        assert_eq!(
            comments_file_of(Path::new("content/posts/b/index.md")),
            Path::new("content/posts/b/comments.toml")
        );
    }

    #[test]
    fn only_markdown_inside_content_is_an_article() {
        assert!(is_article_path("content/posts/x.md"));
        for bad in [
            "content/../site.toml",
            "/etc/x.md",
            "posts/x.md",
            "content/posts/x.toml",
        ] {
            assert!(!is_article_path(bad), "{bad}");
        }
    }
}
