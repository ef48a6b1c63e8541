//! Who asked for mail, and whether they confirmed: one file per address in
//! the site's `notify/subscribers/`, named by a keyed hash of the address
//! (the key is `notify/key`, random), holding the address, the secret of
//! its links, when it was last asked to confirm, when it confirmed or left,
//! and the threads it follows.
//!
//! The rules of consent live here: nothing is mailed to an address that did
//! not confirm, except the one mail that asks; an address is asked at most
//! once a day, whatever is submitted; an address that left a thread is not
//! asked again by that thread.
//!
//! Not for sending (`notify::outbox`) nor for what a mail says
//! (`notify::mails`).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::durable;
use crate::layout::NOTIFY_DIR;
use crate::server::{random_hex, same_secret};

/// How long a link that asks to confirm works.
pub(crate) const CONFIRM_FOR: SignedDuration = SignedDuration::from_hours(7 * 24);
/// At most one mail asking to confirm per address in this time.
pub(crate) const ASK_EVERY: SignedDuration = SignedDuration::from_hours(24);

/// One address, as its file keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Subscriber {
    /// As the reader typed it.
    pub email: String,
    /// The secret of this address's links (32 hexadecimal digits).
    pub secret: String,
    /// When a mail last asked it to confirm.
    pub asked: Option<Timestamp>,
    /// When it confirmed; until then it gets nothing but the one mail that
    /// asks.
    pub confirmed: Option<Timestamp>,
    /// When it left every thread of the site.
    pub left: Option<Timestamp>,
    #[serde(default, rename = "thread")]
    pub threads: Vec<Thread>,
}

/// A thread an address follows: the replies to its comment on an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Thread {
    /// The article's source, from the site's root: `content/posts/x.md`.
    pub article: String,
    /// The reader's comment.
    pub comment: String,
    pub since: Timestamp,
    /// When the address left this thread.
    pub left: Option<Timestamp>,
}

/// What becomes of a request to follow a thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Consent {
    /// The address confirmed before: it follows the thread now.
    Following,
    /// Send the mail that asks to confirm, with this link key.
    Ask { link: String },
    /// A mail asked this address less than a day ago: nothing is sent.
    AskedToday,
    /// The address left this thread: it is not asked again by it.
    LeftThread,
}

impl Consent {
    /// What became of the request, for the log (never the link: it is a
    /// secret).
    pub(crate) fn what(&self) -> &'static str {
        match self {
            Consent::Following => "following (confirmed before)",
            Consent::Ask { .. } => "asked to confirm",
            Consent::AskedToday => "not asked again (asked less than a day ago)",
            Consent::LeftThread => "not asked (left this thread)",
        }
    }
}

/// What following a confirmation link did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Confirmed {
    /// The address, confirmed now (or before).
    Yes { email: String },
    /// The link is older than `CONFIRM_FOR`.
    Expired,
    /// No address has this link.
    Unknown,
}

/// What a click on a link to leave did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Left {
    /// The address left the thread of this article.
    Thread { article: String },
    /// The address left every thread of the site.
    Site,
    /// No address has this link.
    Unknown,
}

/// Which threads to leave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Leave<'a> {
    /// The thread of the article at this source.
    Thread(&'a str),
    /// Every thread of the site.
    Site,
}

/// The subscribers of one site.
#[derive(Debug, Clone)]
pub(crate) struct Subscribers {
    dir: PathBuf,
    key: u64,
}

impl Subscribers {
    /// The subscribers of the site at `root`, making its key on first use.
    pub(crate) fn of_site(root: &Path) -> io::Result<Subscribers> {
        let notify = crate::config::in_site(root, NOTIFY_DIR);
        let key_file = notify.join("key");
        let key = match fs::read_to_string(&key_file) {
            Ok(text) => u64::from_str_radix(text.trim(), 16).map_err(io::Error::other)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let made = random_hex(8);
                match durable::create(&notify, "key", made.as_bytes()) {
                    Ok(()) => u64::from_str_radix(&made, 16).map_err(io::Error::other)?,
                    // Another process made it first: its key is the key.
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                        let text = fs::read_to_string(&key_file)?;
                        u64::from_str_radix(text.trim(), 16).map_err(io::Error::other)?
                    }
                    Err(e) => return Err(e),
                }
            }
            Err(e) => return Err(e),
        };
        Ok(Subscribers {
            dir: notify.join("subscribers"),
            key,
        })
    }

    /// The name of an address's file (and the first part of its links): a
    /// keyed hash of the address in lower case.
    fn name_of(&self, email: &str) -> String {
        use std::hash::BuildHasher;
        let state = foldhash::quality::FixedState::with_seed(self.key);
        format!("{:016x}", state.hash_one(email.trim().to_lowercase()))
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.toml"))
    }

    fn read(&self, name: &str) -> io::Result<Option<Subscriber>> {
        match fs::read_to_string(self.file(name)) {
            Ok(text) => toml::from_str(&text).map(Some).map_err(io::Error::other),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn write(&self, subscriber: &Subscriber) -> io::Result<()> {
        let text = toml::to_string(subscriber).map_err(io::Error::other)?;
        fs::create_dir_all(&self.dir)?;
        durable::replace(
            &self.file(&self.name_of(&subscriber.email)),
            text.as_bytes(),
        )
    }

    /// The address `email`, if it ever asked for anything.
    #[cfg(test)]
    pub(crate) fn get(&self, email: &str) -> io::Result<Option<Subscriber>> {
        self.read(&self.name_of(email))
    }

    /// `email` asks to follow the replies to `comment` on `article`: what
    /// becomes of it (see `Consent`), kept for good before this returns.
    pub(crate) fn follow(
        &self,
        email: &str,
        article: &str,
        comment: &str,
        now: Timestamp,
    ) -> io::Result<Consent> {
        let name = self.name_of(email);
        let mut subscriber = self.read(&name)?.unwrap_or_else(|| Subscriber {
            email: email.trim().to_string(),
            secret: random_hex(16),
            asked: None,
            confirmed: None,
            left: None,
            threads: Vec::new(),
        });
        if subscriber
            .threads
            .iter()
            .any(|t| t.article == article && t.left.is_some())
        {
            return Ok(Consent::LeftThread);
        }
        subscriber.threads.push(Thread {
            article: article.to_string(),
            comment: comment.to_string(),
            since: now,
            left: None,
        });
        let consent = if subscriber.confirmed.is_some() && subscriber.left.is_none() {
            Consent::Following
        } else if subscriber
            .asked
            .is_some_and(|asked| now.duration_since(asked) < ASK_EVERY)
        {
            Consent::AskedToday
        } else {
            // Asking again after leaving the site: a new consent is needed.
            subscriber.confirmed = None;
            subscriber.left = None;
            subscriber.asked = Some(now);
            Consent::Ask {
                link: format!("{name}.{}", subscriber.secret),
            }
        };
        self.write(&subscriber)?;
        Ok(consent)
    }

    /// The subscriber a link names (`NAME.SECRET`), if its secret is right.
    fn by_link(&self, link: &str) -> io::Result<Option<Subscriber>> {
        let Some((name, secret)) = link.split_once('.') else {
            return Ok(None);
        };
        if name.len() != 16 || !name.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        Ok(self
            .read(name)?
            .filter(|s| same_secret(secret.as_bytes(), s.secret.as_bytes())))
    }

    /// Every address, with the name of its file, in the order of the names.
    pub(crate) fn all(&self) -> io::Result<Vec<(String, Subscriber)>> {
        let names = super::toml_files(&self.dir)?
            .into_iter()
            .filter_map(|file| {
                let stem = file.file_stem()?.to_string_lossy().into_owned();
                (stem.len() == 16 && stem.bytes().all(|b| b.is_ascii_hexdigit())).then_some(stem)
            });
        let mut all = Vec::new();
        for name in names {
            if let Some(subscriber) = self.read(&name)? {
                all.push((name, subscriber));
            }
        }
        Ok(all)
    }

    /// Removes the address `email` for good: its file, and the name it had.
    pub(crate) fn remove(&self, email: &str) -> io::Result<Option<(String, Subscriber)>> {
        let name = self.name_of(email);
        let Some(subscriber) = self.read(&name)? else {
            return Ok(None);
        };
        durable::remove(&self.file(&name))?;
        Ok(Some((name, subscriber)))
    }

    /// The link of an address (`NAME.SECRET`), for its mails.
    pub(crate) fn link_of(name: &str, subscriber: &Subscriber) -> String {
        format!("{name}.{}", subscriber.secret)
    }

    /// Follows a link to leave a thread or the whole site; kept for good
    /// before this returns.
    pub(crate) fn leave(&self, link: &str, what: Leave, now: Timestamp) -> io::Result<Left> {
        let Some(mut subscriber) = self.by_link(link)? else {
            return Ok(Left::Unknown);
        };
        let left = match what {
            Leave::Site => {
                subscriber.left.get_or_insert(now);
                Left::Site
            }
            Leave::Thread(article) => {
                let mut found = false;
                for thread in subscriber
                    .threads
                    .iter_mut()
                    .filter(|t| t.article == article)
                {
                    thread.left.get_or_insert(now);
                    found = true;
                }
                if !found {
                    return Ok(Left::Unknown);
                }
                Left::Thread {
                    article: article.to_string(),
                }
            }
        };
        self.write(&subscriber)?;
        Ok(left)
    }

    /// Follows a link that asks to confirm.
    pub(crate) fn confirm(&self, link: &str, now: Timestamp) -> io::Result<Confirmed> {
        let Some(mut subscriber) = self.by_link(link)? else {
            return Ok(Confirmed::Unknown);
        };
        if subscriber.confirmed.is_none() {
            let asked = subscriber.asked.unwrap_or(now);
            if now.duration_since(asked) > CONFIRM_FOR {
                return Ok(Confirmed::Expired);
            }
            subscriber.confirmed = Some(now);
            self.write(&subscriber)?;
        }
        Ok(Confirmed::Yes {
            email: subscriber.email,
        })
    }

    /// Whether `email` may be mailed about anything but its confirmation.
    #[cfg(test)]
    pub(crate) fn is_confirmed(&self, email: &str) -> io::Result<bool> {
        Ok(self
            .get(email)?
            .is_some_and(|s| s.confirmed.is_some() && s.left.is_none()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn link_of(consent: &Consent) -> &str {
        match consent {
            Consent::Ask { link } => link,
            other => panic!("not asked: {other:?}"),
        }
    }

    #[test]
    fn an_address_is_asked_once_a_day_and_confirmed_by_its_link_only() {
        let dir = tempfile::tempdir().unwrap();
        let subscribers = Subscribers::of_site(dir.path()).unwrap();
        let t0 = at("2026-12-07T10:00:00Z");
        let first = subscribers
            .follow("Ana@Example.com", "content/posts/a.md", "c1", t0)
            .unwrap();
        let link = link_of(&first).to_string();
        assert!(!subscribers.is_confirmed("ana@example.com").unwrap());
        // Again the same day, on another thread, another spelling: not asked.
        let later = t0 + SignedDuration::from_hours(23);
        assert_eq!(
            subscribers
                .follow("ana@example.com", "content/posts/b.md", "c2", later)
                .unwrap(),
            Consent::AskedToday
        );
        // A link with a wrong secret, or none, does nothing.
        let (name, secret) = link.split_once('.').unwrap();
        let wrong = format!("{name}.{}", "0".repeat(secret.len()));
        for bad in [wrong.as_str(), name, "", "../../x.y"] {
            assert_eq!(subscribers.confirm(bad, later).unwrap(), Confirmed::Unknown);
        }
        assert!(!subscribers.is_confirmed("ana@example.com").unwrap());
        assert_eq!(
            subscribers.confirm(&link, later).unwrap(),
            Confirmed::Yes {
                email: "Ana@Example.com".into()
            }
        );
        assert!(subscribers.is_confirmed("ANA@example.com").unwrap());
        // Confirmed: a new thread is followed at once.
        assert_eq!(
            subscribers
                .follow("ana@example.com", "content/posts/c.md", "c3", later)
                .unwrap(),
            Consent::Following
        );
        let kept = subscribers.get("ana@example.com").unwrap().unwrap();
        assert_eq!(kept.threads.len(), 3);
        // The file is named by a hash, never by the address.
        let names: Vec<String> = fs::read_dir(dir.path().join("notify/subscribers"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, [format!("{name}.toml")]);
    }

    #[test]
    fn a_confirmation_link_expires_and_the_next_day_asks_again() {
        let dir = tempfile::tempdir().unwrap();
        let subscribers = Subscribers::of_site(dir.path()).unwrap();
        let t0 = at("2026-12-07T10:00:00Z");
        let first = subscribers
            .follow("b@example.com", "a.md", "c1", t0)
            .unwrap();
        let late = t0 + CONFIRM_FOR + SignedDuration::from_secs(1);
        assert_eq!(
            subscribers.confirm(link_of(&first), late).unwrap(),
            Confirmed::Expired
        );
        let again = subscribers
            .follow("b@example.com", "a.md", "c2", t0 + ASK_EVERY)
            .unwrap();
        assert_eq!(link_of(&again), link_of(&first), "one secret per address");
        assert!(matches!(
            subscribers
                .confirm(link_of(&again), t0 + ASK_EVERY)
                .unwrap(),
            Confirmed::Yes { .. }
        ));
    }

    #[test]
    fn a_thread_left_does_not_ask_again() {
        let dir = tempfile::tempdir().unwrap();
        let subscribers = Subscribers::of_site(dir.path()).unwrap();
        let t0 = at("2026-12-07T10:00:00Z");
        subscribers
            .follow("c@example.com", "a.md", "c1", t0)
            .unwrap();
        let mut kept = subscribers.get("c@example.com").unwrap().unwrap();
        kept.threads[0].left = Some(t0);
        subscribers.write(&kept).unwrap();
        let next_week = t0 + SignedDuration::from_hours(24 * 7);
        assert_eq!(
            subscribers
                .follow("c@example.com", "a.md", "c9", next_week)
                .unwrap(),
            Consent::LeftThread
        );
        assert!(matches!(
            subscribers
                .follow("c@example.com", "b.md", "c9", next_week)
                .unwrap(),
            Consent::Ask { .. }
        ));
    }
}
