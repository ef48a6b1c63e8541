//! Mail waiting to go: one file per mail in the site's `notify/outbox/`,
//! written to the disk before anything counts it as sent, removed once the
//! mail server took it. A server that is down, busy or says "later" is tried
//! again later, with longer and longer waits; after `GIVE_UP` of trying, or
//! when the server refuses a mail for good, the mail moves to
//! `notify/failed/` and the log says why. One drain at a time holds
//! `notify/outbox.lock`, so the comment server and `mend comments notify`
//! on one machine never send one mail twice.
//!
//! Not for what goes into a mail (`notify::mails`) nor for speaking SMTP
//! (`notify::smtp`).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::smtp::{Failure, Mailer};
use crate::durable;
use crate::layout::NOTIFY_DIR;
use crate::server::random_hex;

/// How long a mail is tried before it is given up.
const GIVE_UP: SignedDuration = SignedDuration::from_hours(72);
/// The longest wait between two tries.
const LONGEST_WAIT: SignedDuration = SignedDuration::from_hours(2);

/// One mail waiting, as its file keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Queued {
    /// The one address it goes to.
    pub to: String,
    /// What it is, for the log: `a confirmation`, `a reply notice`.
    pub about: String,
    /// When it was put in the outbox.
    pub queued: Timestamp,
    /// How many tries failed.
    pub attempts: u32,
    /// Not before then.
    pub next: Timestamp,
    /// The whole mail: headers and body.
    pub message: String,
}

/// What one drain of the outbox did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Drained {
    pub sent: usize,
    /// Tried and kept for later, or not due yet.
    pub waiting: usize,
    /// Moved to `notify/failed/`.
    pub failed: usize,
}

/// Which mails a drain sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Due {
    /// Those whose time has come: the comment server's steady sending.
    AsScheduled,
    /// Every one, now: a person ran `mend comments notify`.
    Now,
}

/// The outbox of one site.
#[derive(Debug, Clone)]
pub(crate) struct Outbox {
    dir: PathBuf,
}

impl Outbox {
    pub(crate) fn of_site(root: &Path) -> Outbox {
        Outbox {
            dir: crate::config::in_site(root, NOTIFY_DIR),
        }
    }

    fn queue(&self) -> PathBuf {
        self.dir.join("outbox")
    }

    /// Puts a mail in the outbox, for good, to go at the next drain.
    pub(crate) fn put(
        &self,
        to: &str,
        about: &str,
        message: &[u8],
        now: Timestamp,
    ) -> io::Result<()> {
        let queued = Queued {
            to: to.to_string(),
            about: about.to_string(),
            queued: now,
            attempts: 0,
            next: now,
            message: String::from_utf8_lossy(message).into_owned(),
        };
        let text = toml::to_string(&queued).map_err(io::Error::other)?;
        // Named by the time it came to the nanosecond, then at random: the
        // outbox is sent in the order mail was put in it.
        let name = format!("{:020}-{}.toml", now.as_nanosecond(), random_hex(4));
        durable::create(&self.queue(), &name, text.as_bytes())
    }

    /// The mails waiting, by file, oldest first.
    pub(crate) fn waiting(&self) -> io::Result<Vec<(PathBuf, Queued)>> {
        let files = super::toml_files(&self.queue())?;
        let mut waiting = Vec::new();
        for file in files {
            let text = fs::read_to_string(&file)?;
            match toml::from_str::<Queued>(&text) {
                Ok(queued) => waiting.push((file, queued)),
                Err(e) => tracing::error!(
                    "{}: not a queued mail ({e}); it is left as it is",
                    file.display()
                ),
            }
        }
        Ok(waiting)
    }

    /// Sends every mail that is `due` through `mailer`.
    pub(crate) fn drain(&self, mailer: &Mailer, now: Timestamp, due: Due) -> io::Result<Drained> {
        let _lock = durable::Lock::wait(&self.dir.join("outbox.lock"))?;
        let mut drained = Drained::default();
        for (file, mut queued) in self.waiting()? {
            if due == Due::AsScheduled && queued.next > now {
                drained.waiting += 1;
                continue;
            }
            match mailer.send(&queued.to, queued.message.as_bytes()) {
                Ok(()) => {
                    durable::remove(&file)?;
                    tracing::info!(about = %queued.about, "mail sent");
                    drained.sent += 1;
                }
                Err(Failure::Later(why)) if now.duration_since(queued.queued) < GIVE_UP => {
                    queued.attempts += 1;
                    queued.next = now + wait_after(queued.attempts);
                    let text = toml::to_string(&queued).map_err(io::Error::other)?;
                    durable::replace(&file, text.as_bytes())?;
                    tracing::warn!(about = %queued.about, attempts = queued.attempts, "mail not sent yet: {why}; it will be tried again");
                    drained.waiting += 1;
                }
                Err(Failure::Later(why) | Failure::Never(why)) => {
                    let name = file.file_name().unwrap_or_default();
                    durable::rename(&file, &self.dir.join("failed").join(name))?;
                    tracing::error!(about = %queued.about, "mail given up, kept in {}/failed/: {why}", self.dir.display());
                    drained.failed += 1;
                }
            }
        }
        Ok(drained)
    }
}

/// The wait after `attempts` failed tries: a minute, then twice as long
/// each time, at most `LONGEST_WAIT`.
fn wait_after(attempts: u32) -> SignedDuration {
    let minutes = 1_i64 << attempts.saturating_sub(1).min(16);
    SignedDuration::from_mins(minutes).min(LONGEST_WAIT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_to_a_bound() {
        assert_eq!(wait_after(1), SignedDuration::from_mins(1));
        assert_eq!(wait_after(2), SignedDuration::from_mins(2));
        assert_eq!(wait_after(5), SignedDuration::from_mins(16));
        assert_eq!(wait_after(8), LONGEST_WAIT);
        assert_eq!(wait_after(u32::MAX), LONGEST_WAIT);
    }

    #[test]
    fn a_queued_mail_is_kept_whole() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::of_site(dir.path());
        let now: Timestamp = "2026-12-07T10:00:00Z".parse().unwrap();
        let message = "Subject: =?utf-8?b?w6k=?=\r\nTo: a@b.example\r\n\r\nBody \"quoted\" '''\r\n";
        outbox
            .put("a@b.example", "a test", message.as_bytes(), now)
            .unwrap();
        let waiting = outbox.waiting().unwrap();
        assert_eq!(waiting.len(), 1);
        let queued = &waiting[0].1;
        assert_eq!(
            (
                queued.to.as_str(),
                queued.message.as_str(),
                queued.attempts,
                queued.next
            ),
            ("a@b.example", message, 0, now)
        );
    }
}
