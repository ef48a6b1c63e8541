//! The inbox: comments readers sent, each a TOML file in `inbox/` at the
//! site's root, waiting for the author to approve, reply to, mark as spam
//! or delete them. Spam waits in `inbox/spam/`. A submission is written
//! durably (`durable::create`) before anyone is told it was received, and
//! the inbox is never published.
//!
//! Not for checking what a reader sent (`intake`) nor for moving a comment
//! into its article's comment file (`moderate`).

use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::in_site;
use crate::durable;
use crate::error::{Error, Result, read_text, toml_problem};
use crate::layout::INBOX_DIR;

/// The folder of spam, inside the inbox.
const SPAM_DIR: &str = "spam";

/// A comment as a reader sent it, once checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Submission {
    /// Made by mend: letters, digits and `-` only.
    pub id: String,
    /// The article's source, from the site's root: `content/posts/x.md`.
    pub article: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub author: String,
    /// Never published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// When it was received, RFC 3339 in UTC.
    pub date: String,
    /// Markdown, as sent.
    pub body: String,
    /// The sender's address, for moderation; never published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

impl Submission {
    /// The first line of the body, for listings, at most `width` characters.
    pub(crate) fn first_line(&self, width: usize) -> String {
        let line = self
            .body
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        let line = crate::sanitize::clean_name(line);
        if line.chars().count() <= width {
            line
        } else {
            let cut: String = line.chars().take(width.saturating_sub(1)).collect();
            format!("{cut}…")
        }
    }
}

/// Whether `id` can name an inbox file: what mend makes, nothing else, so
/// an id from elsewhere (a pulled submission) cannot leave the folder.
pub(crate) fn is_valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !id.starts_with('-')
}

/// A fresh comment id: the time it was made and twelve random letters
/// (60 bits from the operating system's random source), such as
/// `20261123-221530-k3m9q2x7a1bc`.
pub(crate) fn new_id(now: jiff::Timestamp) -> String {
    const LETTERS: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).expect("the operating system's random source answers");
    let random: String = bytes
        .iter()
        .map(|b| LETTERS[usize::from(b % 32)] as char)
        .collect();
    format!("{}-{random}", now.strftime("%Y%m%d-%H%M%S"))
}

/// The inbox of one site.
#[derive(Debug, Clone)]
pub(crate) struct Inbox {
    dir: PathBuf,
}

impl Inbox {
    pub(crate) fn of_site(root: &Path) -> Inbox {
        Inbox {
            dir: in_site(root, INBOX_DIR),
        }
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    fn file_name(id: &str) -> String {
        format!("{id}.toml")
    }

    /// The file of a pending submission.
    pub(crate) fn path_of(&self, id: &str) -> PathBuf {
        self.dir.join(Self::file_name(id))
    }

    fn spam_path_of(&self, id: &str) -> PathBuf {
        self.dir.join(SPAM_DIR).join(Self::file_name(id))
    }

    /// Removes what writes cut short left behind (a crash, `kill -9`):
    /// temporary files of processes that are gone. How many were removed.
    pub(crate) fn remove_stale_temps(&self) -> usize {
        [self.dir.clone(), self.dir.join(SPAM_DIR)]
            .iter()
            .map(|dir| durable::remove_stale_temps(dir))
            .sum()
    }

    /// Stores a submission for good; `AlreadyExists` if its id is taken.
    pub(crate) fn store(&self, submission: &Submission) -> io::Result<()> {
        self.store_in(&self.dir, submission)
    }

    /// Stores a submission as spam.
    pub(crate) fn store_spam(&self, submission: &Submission) -> io::Result<()> {
        self.store_in(&self.dir.join(SPAM_DIR), submission)
    }

    fn store_in(&self, dir: &Path, submission: &Submission) -> io::Result<()> {
        let text = toml::to_string(submission).map_err(io::Error::other)?;
        durable::create(dir, &Self::file_name(&submission.id), text.as_bytes())
    }

    /// Every pending submission, oldest first. A file that cannot be read
    /// is an error naming it.
    pub(crate) fn list(&self) -> Result<Vec<Submission>> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(Error::ReadDir {
                    path: self.dir.clone(),
                    source,
                });
            }
        };
        let mut found = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_submission = name.strip_suffix(".toml").is_some_and(is_valid_id);
            if is_submission && entry.file_type().is_ok_and(|t| t.is_file()) {
                found.push(read_submission(&entry.path())?);
            }
        }
        found.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.id.cmp(&b.id)));
        Ok(found)
    }

    /// One pending submission.
    pub(crate) fn get(&self, id: &str) -> Result<Submission> {
        let path = self.path_of(id);
        if !is_valid_id(id) || !path.is_file() {
            return Err(Error::NotInInbox {
                id: id.to_string(),
                inbox: self.dir.clone(),
            });
        }
        read_submission(&path)
    }

    /// Removes a pending submission.
    pub(crate) fn remove(&self, id: &str) -> Result<()> {
        let path = self.path_of(id);
        durable::remove(&path).map_err(|source| Error::Write { path, source })
    }

    /// Moves a pending submission to the spam folder.
    pub(crate) fn mark_spam(&self, id: &str) -> Result<()> {
        let (from, to) = (self.path_of(id), self.spam_path_of(id));
        durable::rename(&from, &to).map_err(|source| Error::Write { path: to, source })
    }
}

fn read_submission(path: &Path) -> Result<Submission> {
    let text = read_text(path)?;
    let submission: Submission = toml::from_str(&text).map_err(|e| {
        let (line, message) = toml_problem(&e, &text);
        Error::InboxFile {
            path: path.to_path_buf(),
            line,
            message,
        }
    })?;
    let expected = Inbox::file_name(&submission.id);
    if path
        .file_name()
        .is_none_or(|n| n.to_string_lossy() != expected)
    {
        return Err(Error::InboxFile {
            path: path.to_path_buf(),
            line: 1,
            message: format!("its id `{}` does not match its file name", submission.id),
        });
    }
    Ok(submission)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_fresh_and_safe_as_file_names() {
        let now = jiff::Timestamp::from_second(1_700_000_000).unwrap();
        let ids: std::collections::HashSet<String> = (0..1000).map(|_| new_id(now)).collect();
        assert_eq!(ids.len(), 1000);
        assert!(ids.iter().all(|id| is_valid_id(id)), "{ids:?}");
        for bad in ["", "../x", "a/b", "-x", "a.b", &"x".repeat(65)] {
            assert!(!is_valid_id(bad), "{bad}");
        }
        // Every one of the 32 letters is drawn (12,000 draws): five bits a
        // letter, not fewer.
        let letters: std::collections::HashSet<char> =
            ids.iter().flat_map(|id| id[16..].chars()).collect();
        assert_eq!(letters.len(), 32, "{letters:?}");
    }

    #[test]
    fn stale_temporary_files_go_and_a_broken_inbox_is_an_error() {
        let site = tempfile::tempdir().unwrap();
        let inbox = Inbox::of_site(site.path());
        assert!(inbox.list().unwrap().is_empty(), "no inbox yet: empty");
        std::fs::create_dir_all(inbox.dir().join(SPAM_DIR)).unwrap();
        // Left by a process that is gone (pid 4194305 is above Linux's limit).
        for dir in [inbox.dir().to_path_buf(), inbox.dir().join(SPAM_DIR)] {
            std::fs::write(dir.join(".x.toml.4194305.1.tmp"), "half").unwrap();
        }
        let mine = inbox
            .dir()
            .join(format!(".y.toml.{}.1.tmp", std::process::id()));
        std::fs::write(&mine, "in use").unwrap();
        assert_eq!(inbox.remove_stale_temps(), 2);
        assert!(mine.exists(), "a running process's file is kept");
        assert!(!inbox.dir().join(".x.toml.4194305.1.tmp").exists());
        // An inbox that is not a folder is said, not taken as empty.
        let other = tempfile::tempdir().unwrap();
        std::fs::write(other.path().join(INBOX_DIR), "a file").unwrap();
        assert!(Inbox::of_site(other.path()).list().is_err());
    }

    #[test]
    fn first_lines_are_cut_on_characters() {
        let mut s = Submission {
            id: "a".into(),
            article: "content/posts/x.md".into(),
            parent: None,
            author: "A".into(),
            email: None,
            url: None,
            date: "2026-01-01T00:00:00Z".into(),
            body: "\n\nÉté déjà passé, et puis encore\nsecond".into(),
            address: None,
        };
        assert_eq!(s.first_line(10), "Été déjà …");
        s.body = "short".into();
        assert_eq!(s.first_line(10), "short");
    }
}
