//! The author's notices of new comments: each comment the server takes is
//! noted in `notify/author/` (one file each, durable), and the sending
//! thread turns what is noted into one mail when `[notify]
//! author_every_minutes` have passed since the last (`notify/author/last`):
//! a notice per comment when they come one by one, a digest when many
//! come at once. Each names the article, quotes the comment and gives the
//! commands that approve it or answer it.
//!
//! Not for readers' mail (`notify::notices`).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::mails::{Block, Letter};
use crate::durable;
use crate::layout::NOTIFY_DIR;

/// A new comment, as noted for the author.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Note {
    pub id: String,
    pub author: String,
    pub body: String,
    /// The article's title and address.
    pub title: String,
    pub permalink: String,
}

/// The notes of one site.
#[derive(Debug, Clone)]
pub(crate) struct Notes {
    dir: PathBuf,
}

impl Notes {
    pub(crate) fn of_site(root: &Path) -> Notes {
        Notes {
            dir: crate::config::in_site(root, NOTIFY_DIR).join("author"),
        }
    }

    /// Notes a new comment, for good.
    pub(crate) fn note(&self, note: &Note) -> io::Result<()> {
        let text = toml::to_string(note).map_err(io::Error::other)?;
        match durable::create(&self.dir, &format!("{}.toml", note.id), text.as_bytes()) {
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
            other => other,
        }
    }

    /// When the last notice went.
    fn last(&self) -> Option<Timestamp> {
        fs::read_to_string(self.dir.join("last"))
            .ok()
            .and_then(|t| t.trim().parse().ok())
    }

    /// The notes waiting, if `every` has passed since the last notice, with
    /// their files; none otherwise.
    pub(crate) fn due(
        &self,
        now: Timestamp,
        every: SignedDuration,
    ) -> io::Result<Vec<(PathBuf, Note)>> {
        if self
            .last()
            .is_some_and(|last| now.duration_since(last) < every)
        {
            return Ok(Vec::new());
        }
        let files = super::toml_files(&self.dir)?;
        let mut due = Vec::new();
        for file in files {
            let note = toml::from_str(&fs::read_to_string(&file)?).map_err(io::Error::other)?;
            due.push((file, note));
        }
        Ok(due)
    }

    /// Marks `told` as told, at `now`.
    pub(crate) fn told(&self, told: &[(PathBuf, Note)], now: Timestamp) -> io::Result<()> {
        durable::replace(&self.dir.join("last"), now.to_string().as_bytes())?;
        for (file, _) in told {
            durable::remove(file)?;
        }
        Ok(())
    }
}

/// The mail that tells the author of new comments.
pub(crate) fn letter<'a>(from: &'a str, to: &'a str, site: &str, notes: &[Note]) -> Letter<'a> {
    let subject = match notes {
        [one] => format!("New comment by {} on “{}”", one.author, one.title),
        many => format!("{} new comments on {site}", many.len()),
    };
    let mut blocks = Vec::new();
    for note in notes {
        blocks.push(Block::Text(format!("{} on “{}”:", note.author, note.title)));
        let html = crate::sanitize::comment_body(&note.body, "");
        blocks.push(Block::Quote {
            plain: note.body.clone(),
            html,
        });
        blocks.push(Block::Text(format!(
            "It waits in the inbox. Publish it with `mend comments approve {0}`, answer it with `mend comments reply {0}`, or see it in the preview (`mend serve`).",
            note.id
        )));
        blocks.push(Block::Link(note.permalink.clone()));
    }
    Letter {
        from,
        to,
        subject,
        blocks,
        unsubscribe: None,
    }
}
