//! `mend comments notify`: tells each confirmed reader of the replies
//! published since they were last told, in the threads they follow. A
//! reply is due when it is approved, shown on the built page (its
//! `id="comment-ID"` is in the page's file under the output folder, so its
//! link works once that folder is deployed), answers the reader's comment,
//! or is the author's anywhere in the reader's thread, and was not told
//! before. All of a thread's due replies make one mail. What each reader
//! was told is kept in `notify/sent/` (one file per address, by the name of
//! its file in `notify/subscribers/`), written once the mail is in the
//! outbox: running it again sends nothing twice.
//!
//! Not for the rules of consent (`notify::subscribers`) nor for sending
//! (`notify::outbox`).

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::mails::{Notice, Reply};
use super::outbox::{Drained, Due, Outbox};
use super::smtp::Mailer;
use super::subscribers::{Subscriber, Subscribers, Thread};
use crate::comments::Comment;
use crate::comments::thread::in_thread;
use crate::content::Page;
use crate::durable;
use crate::error::{Error, Result};
use crate::layout::NOTIFY_DIR;
use crate::site::Site;

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Report {
    /// Notices put in the outbox.
    pub notices: usize,
    /// Replies they tell of.
    pub replies: usize,
    /// What sending the outbox did.
    pub drained: Drained,
}

/// What a reader was told, as `notify/sent/NAME.toml` keeps it.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Told {
    /// The ids of the comments told of.
    told: BTreeSet<String>,
}

/// Sends what is due for `site`, whose built pages are in `output`.
pub(crate) fn notify(site: &Site, output: &Path) -> Result<Report> {
    let root = &site.root;
    let site_toml = crate::config::in_site(root, crate::config::CONFIG_FILE);
    let config = site.config.notify.as_ref().ok_or_else(|| Error::Mail {
        message: format!(
            "{} has no [notify] table, so mend sends no mail; add one (see Mail in docs/reference.md):\n\n[notify]\nsmtp = \"smtp://me@mail.example.com:587\"\nfrom = \"Blog <comments@example.com>\"",
            site_toml.display()
        ),
    })?;
    let Some(endpoint) = &site.config.comments.endpoint else {
        return Err(Error::Mail {
            message: format!(
                "{} sets no [comments] endpoint, where the links in the mails would lead; set it to the address of mend comments serve, such as endpoint = \"https://blog.example/comments/\"",
                site_toml.display()
            ),
        });
    };
    let endpoint = format!("{}/", endpoint.trim_end_matches('/'));
    let mailer = Mailer::new(config, root).map_err(|message| Error::Mail { message })?;
    let notify_dir = crate::config::in_site(root, NOTIFY_DIR);
    let cannot = |e: io::Error| Error::Write {
        path: notify_dir.clone(),
        source: e,
    };
    let subscribers = Subscribers::of_site(root).map_err(cannot)?;
    let outbox = Outbox::of_site(root);
    let pages: HashMap<String, &Page> = site
        .articles
        .iter()
        .chain(&site.pages)
        .map(|p| (crate::config::relative_path(root, &p.source), p))
        .collect();
    let mut shown = Shown::new(output);
    let mut report = Report::default();
    let now = jiff::Timestamp::now();
    for (name, subscriber) in subscribers.all().map_err(cannot)? {
        if subscriber.confirmed.is_none() || subscriber.left.is_some() {
            continue;
        }
        let sent_file = notify_dir.join("sent").join(format!("{name}.toml"));
        let mut told = read_told(&sent_file).map_err(cannot)?;
        for thread in subscriber.threads.iter().filter(|t| t.left.is_none()) {
            let Some(page) = pages.get(&thread.article) else {
                continue;
            };
            let due: Vec<&Comment> = due(page, thread, &subscriber, &told.told)
                .into_iter()
                .filter(|c| shown.shows(page, &c.id))
                .collect();
            if due.is_empty() {
                continue;
            }
            let replies: Vec<Reply> = due
                .iter()
                .map(|c| Reply {
                    author: c.author.clone(),
                    html: crate::sanitize::comment_body(&c.body, site.urls.base()),
                    link: format!("{}#comment-{}", page.permalink, c.id),
                })
                .collect();
            let link = Subscribers::link_of(&name, &subscriber);
            let thread_query = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("link", &link)
                .append_pair("thread", &thread.article)
                .finish();
            let leave = format!("{endpoint}unsubscribe?{thread_query}");
            let notice = Notice {
                from: &config.from,
                to: &subscriber.email,
                site: &site.config.title,
                article: &page.title,
                replies: &replies,
                leave_thread: leave.clone(),
                leave_page: leave,
            };
            let message = notice
                .letter()
                .formatted()
                .map_err(|e| cannot(io::Error::other(e)))?;
            outbox
                .put(
                    &subscriber.email,
                    "a reply notice",
                    &message,
                    jiff::Timestamp::now(),
                )
                .map_err(cannot)?;
            told.told.extend(due.iter().map(|c| c.id.clone()));
            write_told(&sent_file, &told).map_err(cannot)?;
            report.notices += 1;
            report.replies += due.len();
        }
    }
    report.drained = outbox.drain(&mailer, now, Due::Now).map_err(cannot)?;
    Ok(report)
}

/// The replies due to `subscriber` in `thread` on `page`: approved, not
/// told before, not theirs, answering their comment or the author's in
/// their thread since their comment; oldest first.
fn due<'a>(
    page: &'a Page,
    thread: &Thread,
    subscriber: &Subscriber,
    told: &BTreeSet<String>,
) -> Vec<&'a Comment> {
    let shown: Vec<&Comment> = page.comments.iter().filter(|c| in_thread(c)).collect();
    let by_id: HashMap<&str, &Comment> = shown.iter().map(|c| (c.id.as_str(), *c)).collect();
    if !by_id.contains_key(thread.comment.as_str()) {
        return Vec::new();
    }
    let root = |mut id: &'a str| {
        // Up to the top of the thread; a circle of parents ends.
        for _ in 0..shown.len() {
            match by_id.get(id).and_then(|c| c.parent.as_deref()) {
                Some(parent) if by_id.contains_key(parent) => id = parent,
                _ => break,
            }
        }
        id
    };
    let own = by_id[thread.comment.as_str()];
    let theirs = root(own.id.as_str());
    let email = subscriber.email.trim().to_lowercase();
    let mut due: Vec<&Comment> = shown
        .iter()
        .copied()
        .filter(|c| c.id != thread.comment && !told.contains(&c.id))
        .filter(|c| c.email.as_deref().map(|e| e.trim().to_lowercase()) != Some(email.clone()))
        .filter(|c| {
            let answers = c.parent.as_deref() == Some(thread.comment.as_str());
            // The author's words in the thread since the reader's comment.
            let authors =
                c.by_author && c.id != theirs && c.date >= own.date && root(&c.id) == theirs;
            answers || authors
        })
        .collect();
    due.sort_by_key(|c| c.date);
    due
}

/// Which comments the built pages show, read once per page.
struct Shown {
    output: PathBuf,
    pages: HashMap<String, String>,
}

impl Shown {
    fn new(output: &Path) -> Shown {
        Shown {
            output: output.to_path_buf(),
            pages: HashMap::new(),
        }
    }

    /// Whether the built page of `page` shows comment `id`.
    fn shows(&mut self, page: &Page, id: &str) -> bool {
        let output = &self.output;
        let html = self.pages.entry(page.path.clone()).or_insert_with(|| {
            fs::read_to_string(output.join(crate::urls::file_of(&page.path))).unwrap_or_default()
        });
        html.contains(&format!("id=\"comment-{id}\""))
    }
}

fn read_told(file: &Path) -> io::Result<Told> {
    match fs::read_to_string(file) {
        Ok(text) => toml::from_str(&text).map_err(io::Error::other),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Told::default()),
        Err(e) => Err(e),
    }
}

fn write_told(file: &Path, told: &Told) -> io::Result<()> {
    let text = toml::to_string(told).map_err(io::Error::other)?;
    if let Some(dir) = file.parent() {
        fs::create_dir_all(dir)?;
    }
    durable::replace(file, text.as_bytes())
}
