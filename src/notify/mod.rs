//! Mail, with consent: a reader who ticks "Email me when someone replies"
//! gets one mail that asks them to confirm, and nothing else until they
//! do. What mend keeps for it lives in the site's `notify/` folder, beside
//! `inbox/`, never published: `subscribers/` (who asked, who confirmed,
//! which threads), `outbox/` (mail waiting to go, kept until the mail
//! server took it), `failed/` (mail given up), and `key` (what names the
//! subscribers' files).
//!
//! `notify::subscribers` holds the rules of consent; `notify::notices`
//! which replies each reader is told of (`mend comments notify`);
//! `notify::mails` what each mail says; `notify::outbox` when it goes and
//! how it is tried again; `notify::smtp` how it reaches the mail server.
//!
//! Not for taking the reader's request (`intake`), which calls here.

mod author;
mod forget;
mod mails;
mod notices;
mod outbox;
mod smtp;
mod subscribers;

pub(crate) use author::Note;
pub(crate) use forget::{forget, private_export};
use mails::confirmation;
pub(crate) use notices::notify;
use outbox::Outbox;
use smtp::Mailer;
use subscribers::Subscribers;
pub(crate) use subscribers::{Confirmed, Consent, Leave, Left};

use std::path::{Path, PathBuf};

use crate::config::{Config, NotifyConfig};
use crate::error::{Error, Result};
use crate::layout::NOTIFY_DIR;

/// The TOML files a folder of `notify/` (or the inbox) holds, by name,
/// leaving out the temporary files of writes under way (named `.…`); none
/// where the folder is not there yet.
fn toml_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Checks `[notify]` as `site.toml` is read: the key that is wrong and a
/// sentence saying what to write.
pub(crate) fn check_config(
    config: &NotifyConfig,
) -> std::result::Result<(), (&'static str, String)> {
    smtp::Server::parse(&config.smtp).map_err(|message| ("smtp", message))?;
    let example = "such as \"Mending Hearts <comments@example.com>\"";
    if config.from.parse::<lettre::message::Mailbox>().is_err() {
        return Err((
            "from",
            format!(
                "[notify] from `{}` is not a mail address, {example}",
                config.from
            ),
        ));
    }
    if let Some(author) = &config.author
        && author.parse::<lettre::message::Mailbox>().is_err()
    {
        return Err((
            "author",
            format!("[notify] author `{author}` is not a mail address, such as \"me@example.com\""),
        ));
    }
    Ok(())
}

/// What the comment server needs for mail: readers' requests to follow a
/// thread, their confirmations, and a thread that sends the outbox.
pub(crate) struct Notifier {
    subscribers: Subscribers,
    outbox: Outbox,
    from: String,
    /// The site's title, for the mail.
    site: String,
    /// The comment server's public address (`[comments] endpoint`), with a
    /// slash at the end, where the links in mails lead.
    endpoint: String,
    /// Where the author's notices of new comments are noted, if
    /// `[notify] author` is set.
    notes: Option<author::Notes>,
    /// Held while an address's file is read and written again, so that
    /// two requests about one address never lose one another's change.
    writing: std::sync::Mutex<()>,
    /// Wakes the sending thread.
    wake: std::sync::Mutex<std::sync::mpsc::Sender<()>>,
}

/// What the sending thread needs.
struct Sending {
    outbox: Outbox,
    mailer: Mailer,
    /// The author's notices: the notes, and who gets them how often.
    author: Option<AuthorMail>,
}

/// The author's notices of new comments, as `[notify]` says.
struct AuthorMail {
    notes: author::Notes,
    from: String,
    to: String,
    site: String,
    every: jiff::SignedDuration,
}

/// How long the sending thread waits between two looks at the outbox
/// when nothing wakes it (mail kept for later is due then).
const LOOK_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

impl Notifier {
    /// The notifier of the site at `root`, with its sending thread running,
    /// where `[notify]` and `[comments] endpoint` are set; `None` where not.
    pub(crate) fn start(root: &Path, config: &Config) -> Result<Option<Notifier>> {
        let (Some(notify), Some(endpoint)) = (&config.notify, &config.comments.endpoint) else {
            return Ok(None);
        };
        let site_toml = crate::config::in_site(root, crate::config::CONFIG_FILE);
        let mailer = Mailer::new(notify, root).map_err(|message| Error::Config {
            line: crate::error::read_text(&site_toml)
                .map_or(1, |text| crate::config::key_line(&text, "smtp")),
            path: site_toml.clone(),
            message,
        })?;
        let cannot = |e: std::io::Error| Error::Write {
            path: crate::config::in_site(root, NOTIFY_DIR),
            source: e,
        };
        let subscribers = Subscribers::of_site(root).map_err(cannot)?;
        let outbox = Outbox::of_site(root);
        let (wake, woken) = std::sync::mpsc::channel();
        let notes = notify.author.as_ref().map(|_| author::Notes::of_site(root));
        let sending = Sending {
            outbox: outbox.clone(),
            mailer,
            author: notify.author.clone().map(|to| AuthorMail {
                notes: author::Notes::of_site(root),
                from: notify.from.clone(),
                to,
                site: config.title.clone(),
                every: jiff::SignedDuration::from_mins(i64::from(notify.author_every_minutes)),
            }),
        };
        std::thread::Builder::new()
            .name("mend-mail".into())
            .spawn(move || sending.until_closed(&woken))
            .map_err(cannot)?;
        Ok(Some(Notifier {
            subscribers,
            outbox,
            from: notify.from.clone(),
            site: config.title.clone(),
            endpoint: format!("{}/", endpoint.trim_end_matches('/')),
            notes,
            writing: std::sync::Mutex::new(()),
            wake: std::sync::Mutex::new(wake),
        }))
    }

    /// `email` asks to follow the replies to its comment `comment` on the
    /// article at `source` (titled `title`): kept, and the mail that asks
    /// to confirm put in the outbox where one is due.
    pub(crate) fn follow(
        &self,
        email: &str,
        source: &str,
        title: &str,
        comment: &str,
    ) -> std::io::Result<Consent> {
        let now = jiff::Timestamp::now();
        let consent = {
            let _writing = self.writing();
            self.subscribers.follow(email, source, comment, now)?
        };
        if let Consent::Ask { link } = &consent {
            let link = format!("{}confirm?link={link}", self.endpoint);
            let letter = confirmation(&self.from, email, &self.site, title, &link);
            let message = letter.formatted().map_err(std::io::Error::other)?;
            self.outbox.put(email, "a confirmation", &message, now)?;
            self.wake();
        }
        Ok(consent)
    }

    /// Notes a comment just taken for the author's next notice, if the
    /// author gets them.
    pub(crate) fn note_comment(&self, note: &Note) -> std::io::Result<()> {
        let Some(notes) = &self.notes else {
            return Ok(());
        };
        notes.note(note)?;
        self.wake();
        Ok(())
    }

    /// Follows a link to leave a thread or every thread.
    pub(crate) fn leave(&self, link: &str, what: Leave) -> std::io::Result<Left> {
        let _writing = self.writing();
        self.subscribers.leave(link, what, jiff::Timestamp::now())
    }

    /// Follows a link that asks to confirm.
    pub(crate) fn confirm(&self, link: &str) -> std::io::Result<Confirmed> {
        let _writing = self.writing();
        self.subscribers.confirm(link, jiff::Timestamp::now())
    }

    fn writing(&self) -> std::sync::MutexGuard<'_, ()> {
        self.writing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn wake(&self) {
        let wake = self
            .wake
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let _ = wake.send(());
    }
}

impl Sending {
    /// Sends the outbox (and the author's notice, when one is due) now and
    /// each time it is woken or `LOOK_EVERY` passes, until the notifier is
    /// gone.
    fn until_closed(&self, woken: &std::sync::mpsc::Receiver<()>) {
        loop {
            let now = jiff::Timestamp::now();
            if let Some(author) = &self.author
                && let Err(e) = author.put_due(&self.outbox, now)
            {
                tracing::error!(
                    "the author's notice could not be made: {e}; it is tried again soon"
                );
            }
            if let Err(e) = self
                .outbox
                .drain(&self.mailer, now, outbox::Due::AsScheduled)
            {
                tracing::error!("the outbox could not be sent: {e}; it is tried again soon");
            }
            match woken.recv_timeout(LOOK_EVERY) {
                Ok(()) | Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
            }
        }
    }
}

impl AuthorMail {
    /// Puts the author's notice of what was noted in the outbox, if one
    /// is due.
    fn put_due(&self, outbox: &Outbox, now: jiff::Timestamp) -> std::io::Result<()> {
        let due = self.notes.due(now, self.every)?;
        if due.is_empty() {
            return Ok(());
        }
        let notes: Vec<Note> = due.iter().map(|(_, note)| note.clone()).collect();
        let message = author::letter(&self.from, &self.to, &self.site, &notes)
            .formatted()
            .map_err(std::io::Error::other)?;
        outbox.put(&self.to, "a notice to the author", &message, now)?;
        self.notes.told(&due, now)
    }
}
