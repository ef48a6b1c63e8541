//! `mend comments serve`: the small server readers' comments are sent to.
//! It checks each submission against the site (`check`), writes it to the
//! inbox durably before answering, and answers people (a redirect back to
//! the article, or a page that says what to fix) and scripts (JSON) alike.
//! Robots that fill the hidden field get the same answer, and their text
//! goes to spam; one address may send only so many comments a minute; an
//! exact repeat is refused. With a token it also hands pending comments to
//! `mend comments pull` and forgets them once told they are safe.
//!
//! It runs on the bounded `server` (size limits, timeouts, a cap on
//! connections, the Host check), like `mend serve`.
//!
//! Not for moderation (`comments::moderate`) nor the static pages.

mod answer;
pub(crate) mod check;
pub(crate) mod pull;
mod rate;
mod shelf;

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::comments::inbox::{Inbox, Submission, is_valid_id, new_id};
use crate::error::{Error, Result};
use crate::render::{PageRef, Sent, Views, render_refusal_page, render_reply_page};
use crate::server::{self, Request, Response};
use crate::site::{LoadOptions, Site};
use answer::{Reader, accepted, json, page, refused};
use check::{Bounds, refuse};
pub(crate) use check::{Form, Refusal};
use rate::RateLimit;
use shelf::{Directory, Entry};
pub(crate) use shelf::{Loaded, Shelf};

/// What `mend comments serve` was asked.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub root: PathBuf,
    pub bind: String,
    pub port: u16,
    /// Take the sender's address from `X-Forwarded-For` (behind a proxy).
    pub trust_proxy: bool,
    /// Submissions one address may send a minute; 0 for no limit.
    pub per_minute: u32,
    /// Links a comment may hold.
    pub max_links: usize,
    /// Origins besides the site's whose pages may send comments by script.
    pub allow_origins: Vec<String>,
    /// The token `mend comments pull` must show; none turns pulling off.
    pub token: Option<String>,
    /// A shell command run with each submission as JSON on its input.
    pub on_comment: Option<String>,
}

/// The most submissions handed to one pull.
const PULL_BATCH: usize = 500;

impl Loaded {
    fn load(root: &Path) -> Result<Loaded> {
        let site = Site::load(root, &LoadOptions::default())?;
        // Reply pages need no search index.
        let views = Views::with_index(&site, None);
        Ok(Loaded { site, views })
    }
}

/// Everything the request threads share.
struct Intake {
    root: PathBuf,
    options: Options,
    /// The site as last read.
    shelf: Arc<Shelf>,
    inbox: Inbox,
    /// Fingerprints of what was sent since the server started or waits in
    /// the inbox (the published ones are on the shelf), to refuse repeats.
    seen: Mutex<HashSet<u64>>,
    rates: RateLimit,
    at: Addresses,
    /// Mail, where `[notify]` is set (never in the preview).
    notifier: Option<crate::notify::Notifier>,
}

/// Where the preview (`mend serve`) takes comments: its pages' forms send
/// here instead of to the endpoint of `site.toml`.
pub(crate) const PREVIEW_PATH: &str = "/__mend/comments";

/// Runs the intake server until the process ends.
pub(crate) fn run(options: Options) -> Result<()> {
    let loaded = Arc::new(Loaded::load(&options.root)?);
    let config = &loaded.site.config;
    if config.comments.endpoint.is_none() {
        eprintln!(
            "warning: site.toml sets no comment endpoint, so no page of the site shows a comment form; add\n\n[comments]\nendpoint = \"https://blog.example/comments/\"\n\nwith the address this server is reached at, then build the site again"
        );
    }
    let endpoint = config.comments.endpoint.clone().unwrap_or_default();
    let endpoint_url = url::Url::parse(&endpoint).ok();
    let prefix = endpoint_url
        .as_ref()
        .map_or("", url::Url::path)
        .trim_end_matches('/')
        .to_string();
    let mut hosts = server::Hosts::new(&options.bind);
    let mut origins = options.allow_origins.clone();
    let site_addresses = [
        Some(config.base_url.clone()),
        endpoint_url.as_ref().map(url::Url::to_string),
    ];
    // A blog answers at www. and at the bare domain alike.
    let twins: Vec<String> = site_addresses
        .iter()
        .flatten()
        .filter_map(|a| www_twin(a))
        .collect();
    for address in site_addresses.into_iter().flatten().chain(twins) {
        if let Ok(parsed) = url::Url::parse(&address) {
            if let Some(host) = parsed.host_str() {
                hosts = hosts.also(host);
            }
            origins.push(parsed.origin().ascii_serialization());
        }
    }
    let limits = server::Limits {
        body: body_limit(config.comments_max_bytes),
        connections: 4096,
        // Each answer waits on the disk (fsync): many at once let the
        // disk commit them together.
        workers: 256,
        ..server::Limits::default()
    };
    let shelf = Arc::new(Shelf::default());
    shelf.put(&loaded);
    shelf.directory();
    drop(loaded);
    let own_origin = endpoint_url
        .as_ref()
        .map(|u| u.origin().ascii_serialization());
    let bind = options.bind.clone();
    let port = options.port;
    let trust_proxy = options.trust_proxy;
    let pending = pending_prints(&Inbox::of_site(&options.root))?;
    let addresses = Addresses {
        prefix,
        origins,
        own_origin,
        elsewhere: Elsewhere::AllowOrigin,
    };
    let notifier = crate::notify::Notifier::start(&options.root, &config_of(&shelf))?;
    let mut intake = Intake::new(options, shelf, addresses, pending);
    intake.notifier = notifier;
    let intake = Arc::new(intake);
    // Readers' forms send to this port: no other will do.
    let (listener, _) = server::listen(&bind, port, 1)?;
    release_freed_memory();
    let address = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let setup = server::Setup {
        limits,
        hosts,
        trust_proxy,
        log_requests: true,
    };
    let _watcher = keep_current(&intake)?;
    println!("taking comments at http://{address}/ (Ctrl-C to stop)");
    let handler: Arc<server::Handler> = Arc::new(move |request| intake.handle(request));
    server::run(listener, setup, handler).map_err(|e| Error::Serve {
        message: format!("the comment server could not start: {e}"),
    })
}

/// The most bytes a request sending a comment may carry, for comments of
/// at most `max_bytes`.
pub(crate) fn body_limit(max_bytes: usize) -> usize {
    // Form encoding may triple a body; the fields around it are small.
    max_bytes * 3 + 16 * 1024
}

/// Where a server taking comments is reached.
struct Addresses {
    /// The endpoint's path (`/comments`), which a proxy may pass on.
    prefix: String,
    /// The origins whose pages may send comments.
    origins: Vec<String>,
    /// The endpoint's own origin (its reply pages post from it).
    own_origin: Option<String>,
    /// What a page from another origin is told to do.
    elsewhere: Elsewhere,
}

/// What a page from an origin that may not send comments is told.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Elsewhere {
    /// The blog's owner may allow it (`comments serve --allow-origin`).
    AllowOrigin,
    /// Only the preview's own pages send to it: open them at this address.
    OpenPreview(String),
}

impl Elsewhere {
    fn refusal(&self, origin: &str) -> String {
        match self {
            Elsewhere::AllowOrigin => format!(
                "This page ({origin}) may not send comments to this server; the blog's owner can allow it by starting the server with --allow-origin {origin}."
            ),
            Elsewhere::OpenPreview(address) => format!(
                "This page ({origin}) may not send comments to the preview; only its own pages may: open it at {address}/."
            ),
        }
    }
}

/// The preview's own desk for comments: what `mend comments serve` does,
/// with the same checks and into the same inbox, answered by `mend serve`
/// at `PREVIEW_PATH` for its own pages (`origin`), so a writer tries the
/// whole conversation without a second server. It keeps no rate limit and
/// runs no hook: the one writing is the writer.
pub(crate) struct Preview(Intake);

impl Preview {
    pub(crate) fn new(root: &Path, origin: &str, shelf: Arc<Shelf>) -> Preview {
        let options = Options {
            root: root.to_path_buf(),
            bind: String::new(),
            port: 0,
            trust_proxy: false,
            per_minute: 0,
            max_links: check::MAX_LINKS,
            allow_origins: Vec::new(),
            token: None,
            on_comment: None,
        };
        let addresses = Addresses {
            prefix: PREVIEW_PATH.to_string(),
            origins: Vec::new(),
            own_origin: None,
            elsewhere: Elsewhere::OpenPreview(origin.to_string()),
        };
        let inbox = Inbox::of_site(&options.root);
        // The preview shows the site whatever the inbox holds.
        let pending = pending_prints(&inbox).unwrap_or_else(|e| {
            eprintln!("warning: {e}; the preview takes comments all the same");
            HashSet::new()
        });
        Preview(Intake::new(options, shelf, addresses, pending))
    }

    /// Answers a request under `PREVIEW_PATH`.
    pub(crate) fn handle(&self, request: Request) -> Response {
        self.0.handle(request)
    }
}

impl Intake {
    fn new(
        options: Options,
        shelf: Arc<Shelf>,
        addresses: Addresses,
        pending: HashSet<u64>,
    ) -> Intake {
        let inbox = Inbox::of_site(&options.root);
        let removed = inbox.remove_stale_temps();
        if removed > 0 {
            println!(
                "removed {removed} unfinished temporary files that an interrupted run left in the inbox"
            );
        }
        Intake {
            root: options.root.clone(),
            rates: RateLimit::new(options.per_minute),
            options,
            shelf,
            inbox,
            seen: Mutex::new(pending),
            at: addresses,
            notifier: None,
        }
    }
}

/// The value of `key` in form-encoded `bytes`, or empty.
fn form_value(bytes: &[u8], key: &str) -> String {
    url::form_urlencoded::parse(bytes)
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// The settings of the site on `shelf`.
fn config_of(shelf: &Shelf) -> crate::config::Config {
    shelf
        .loaded()
        .map(|loaded| loaded.site.config.clone())
        .expect("the site is on the shelf before the server starts")
}

/// The fingerprints of the comments waiting in the inbox.
fn pending_prints(inbox: &Inbox) -> Result<HashSet<u64>> {
    Ok(inbox
        .list()?
        .iter()
        .map(|s| fingerprint(&s.article, &s.author, &s.body))
        .collect())
}

/// Hands memory freed after reading the site back to the system: the
/// server runs for days, and reading takes far more than the site it keeps.
fn release_freed_memory() {
    // SAFETY: asks the allocator to return what is free; no memory changes hands.
    unsafe { libmimalloc_sys::mi_collect(true) };
}

/// Watches the site's files and reads the site again after each batch of
/// edits (an article published, a comment approved), on the watcher's one
/// thread: one reading at a time, and edits made meanwhile are gathered
/// into the next. Requests never read the site themselves.
fn keep_current(intake: &Arc<Intake>) -> Result<crate::serve::watch::Watcher> {
    let intake = Arc::clone(intake);
    let root = intake.root.clone();
    crate::serve::watch::start(&root, move |_changed| match Loaded::load(&intake.root) {
        Ok(fresh) => {
            intake.shelf.put(&Arc::new(fresh));
            // Made here, on the watcher's thread, not by the next comment.
            intake.shelf.directory();
            release_freed_memory();
        }
        Err(e) => {
            tracing::error!("cannot read the site again (still using the last good one): {e}");
        }
    })
}

/// `address` with `www.` added to its host, or taken away.
fn www_twin(address: &str) -> Option<String> {
    let mut url = url::Url::parse(address).ok()?;
    let host = url.host_str()?.to_string();
    let other = match host.strip_prefix("www.") {
        Some(bare) => bare.to_string(),
        None if host.parse::<IpAddr>().is_err() && host.contains('.') => {
            format!("www.{host}")
        }
        None => return None,
    };
    url.set_host(Some(&other)).ok()?;
    Some(url.to_string())
}

/// What makes two comments the same: article, author and text.
fn fingerprint(article: &str, author: &str, body: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    (article, author.trim().to_lowercase(), body.trim()).hash(&mut hasher);
    hasher.finish()
}

/// A page comments are sent to, as the site was last read.
struct Found {
    directory: Arc<Directory>,
    /// Its path, as the form names it: `posts/x/`.
    path: String,
}

impl Found {
    fn entry(&self) -> &Entry {
        &self.directory.pages[&self.path]
    }
}

impl Intake {
    fn handle(&self, request: Request) -> Response {
        let path = request.path().to_string();
        let rest = path.strip_prefix(&self.at.prefix).unwrap_or(&path);
        let rest = rest.trim_end_matches('/');
        let response = match (request.method.as_str(), rest) {
            ("OPTIONS", _) => self.preflight(&request),
            ("POST", "") => self.submit(&request),
            ("GET" | "HEAD", "") => self.reply_page(&request),
            ("GET" | "HEAD", "/confirm") => self.confirm_page(&request),
            ("POST", "/confirm") => self.confirm(&request),
            ("GET" | "HEAD", "/unsubscribe") => self.leave_page(&request),
            ("POST", "/unsubscribe") => self.leave(&request),
            ("GET", "/inbox") => self.with_token(&request, |_| self.pending()),
            ("POST", "/inbox/ack") => self.with_token(&request, |r| self.acknowledge(r)),
            (_, "" | "/inbox" | "/inbox/ack") => {
                Response::text(405, "this address takes comments sent with POST")
                    .with_header("Allow", "GET, POST, OPTIONS")
            }
            _ => Response::text(
                404,
                "nothing here; comments are sent to the endpoint itself",
            ),
        };
        self.with_cors(&request, response)
    }

    fn allowed_origin<'a>(&self, request: &'a Request) -> Option<&'a str> {
        let listed = |o: &&str| self.at.origins.iter().any(|allowed| allowed == o);
        // The preview is opened at whatever name reaches it (the server's
        // Host check has vetted it): its pages send from that one.
        let own = |o: &&str| {
            matches!(self.at.elsewhere, Elsewhere::OpenPreview(_))
                && request
                    .header("Host")
                    .is_some_and(|host| o.strip_prefix("http://") == Some(host))
        };
        request.header("Origin").filter(|o| listed(o) || own(o))
    }

    fn with_cors(&self, request: &Request, response: Response) -> Response {
        match self.allowed_origin(request) {
            Some(origin) => response
                .with_header("Access-Control-Allow-Origin", origin)
                .with_header("Vary", "Origin"),
            None => response,
        }
    }

    /// Every origin may ask: one that may not send comments is told so by
    /// the refusal of its post, in words its page can show.
    fn preflight(&self, request: &Request) -> Response {
        let response = Response::new(204, "text/plain", Vec::new())
            .with_header("Access-Control-Allow-Methods", "POST")
            .with_header("Access-Control-Allow-Headers", "Content-Type")
            .with_header("Access-Control-Max-Age", "600");
        match request.header("Origin") {
            Some(origin) if self.allowed_origin(request).is_none() => response
                .with_header("Access-Control-Allow-Origin", origin)
                .with_header("Vary", "Origin"),
            _ => response,
        }
    }

    /// A page from an origin that may not send comments (a browser always
    /// says where a post comes from): refused, with what its owner can do,
    /// readable by that page's script.
    fn foreign_origin(&self, request: &Request, reader: Reader) -> Option<Response> {
        let origin = request.header("Origin")?;
        if self.allowed_origin(request).is_some() || origin == "null" {
            return None;
        }
        let refusal = refuse(403, self.at.elsewhere.refusal(origin));
        tracing::warn!(%origin, "a comment from an origin not allowed was refused");
        Some(
            refused(reader, &refusal, None)
                .with_header("Access-Control-Allow-Origin", origin)
                .with_header("Vary", "Origin"),
        )
    }

    /// Where a person goes back to: the article at the allowed origin
    /// their browser sent from (the preview, the www. address), or else at
    /// `permalink`. The origin, not the referrer: a browser sends only the
    /// origin of a page to another one.
    fn way_back(&self, request: &Request, permalink: &str) -> String {
        let page_origin = self
            .allowed_origin(request)
            .filter(|o| self.at.own_origin.as_deref() != Some(*o));
        let Some(origin) = page_origin else {
            return permalink.to_string();
        };
        let Ok(mut back) = url::Url::parse(permalink) else {
            return permalink.to_string();
        };
        let Ok(from) = url::Url::parse(origin) else {
            return permalink.to_string();
        };
        let moved = back.set_scheme(from.scheme()).is_ok()
            && back.set_host(from.host_str()).is_ok()
            && back.set_port(from.port()).is_ok();
        if moved {
            back.to_string()
        } else {
            permalink.to_string()
        }
    }

    fn submit(&self, request: &Request) -> Response {
        let content_type = request
            .header("Content-Type")
            .unwrap_or_default()
            .to_ascii_lowercase();
        let (reader, form) = if content_type.starts_with("application/json") {
            match serde_json::from_slice::<Form>(&request.body) {
                Ok(form) => (Reader::Script, form),
                Err(_) => {
                    let refusal = refuse(400, "The comment was not valid JSON.");
                    return refused(Reader::Script, &refusal, None);
                }
            }
        } else if content_type.starts_with("application/x-www-form-urlencoded") {
            (Reader::Person, Form::from_urlencoded(&request.body))
        } else {
            let refusal = refuse(
                415,
                "Send comments as a form (application/x-www-form-urlencoded) or as JSON.",
            );
            return refused(Reader::Person, &refusal, None);
        };
        if let Some(refusal) = self.foreign_origin(request, reader) {
            return refusal;
        }
        let address = request.client;
        if !self.rates.allows(address, std::time::Instant::now()) {
            let refusal = refuse(
                429,
                "You have sent several comments in a short time; please wait a minute and send it again.",
            );
            return self
                .refused_to(reader, &form, &refusal, None)
                .with_header("Retry-After", "60");
        }
        match self.accept(&form, address) {
            Ok((id, permalink)) => accepted(reader, &id, &self.way_back(request, &permalink)),
            Err((refusal, back)) => {
                let back = back.map(|permalink| self.way_back(request, &permalink));
                self.refused_to(reader, &form, &refusal, back.as_deref())
            }
        }
    }

    /// Checks and stores a submission: its id and the article's address,
    /// or the refusal and the article's address when known.
    fn accept(
        &self,
        form: &Form,
        address: IpAddr,
    ) -> std::result::Result<(String, String), (Refusal, Option<String>)> {
        if form.article.trim().is_empty() {
            let refusal = refuse(
                400,
                "The comment arrived without its article: send it from the form under an article.",
            );
            return Err((refusal, None));
        }
        let found = self.find(&form.article).ok_or_else(|| {
            (
                refuse(
                    404,
                    format!("There is no article at `{}` on this blog.", form.article),
                ),
                None,
            )
        })?;
        let page = found.entry();
        let back = Some(page.permalink.clone());
        if !page.openness.is_open_at(jiff::Timestamp::now()) {
            return Err((refuse(403, "Comments on this article are closed."), back));
        }
        let bounds = Bounds {
            max_bytes: found.directory.max_bytes,
            max_links: self.options.max_links,
        };
        let fields = check::fields(form, |id| page.approved.contains(id), bounds)
            .map_err(|r| (r, back.clone()))?;
        let print = fingerprint(&page.source, &fields.author, &fields.body);
        // Checked and claimed in one step: of identical posts sent at once,
        // one is stored and the others are told it was received.
        // A robot's text claims nothing: it is stored as spam whatever it says.
        let repeat = !form.is_robot()
            && (found.directory.published.contains(&print) || !self.seen_lock().insert(print));
        if repeat {
            let refusal = refuse(
                409,
                "This comment was already received: it looks as though you have said that already.",
            );
            return Err((refusal, back));
        }
        let (article, permalink) = (page.source.clone(), page.permalink.clone());
        let now = jiff::Timestamp::now();
        let mut submission = Submission {
            id: new_id(now),
            article,
            parent: fields.parent,
            author: fields.author,
            email: fields.email,
            url: fields.url,
            date: now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
            body: fields.body,
            address: Some(address.to_string()),
        };
        self.store(&mut submission, form.is_robot()).map_err(|e| {
            if !form.is_robot() {
                self.seen_lock().remove(&print);
            }
            tracing::error!(article = %submission.article, "a comment could not be saved: {e}");
            let refusal = refuse(
                503,
                "Your comment could not be saved just now; nothing was kept. Please try again in a moment.",
            );
            (refusal, back.clone())
        })?;
        if form.is_robot() {
            tracing::info!(id = %submission.id, article = %submission.article, "spam stored (the hidden field was filled)");
        } else {
            tracing::info!(id = %submission.id, article = %submission.article, "comment stored");
            self.notify(&submission);
            self.follow(form, &submission, &page.title);
            self.tell_author(&submission, &page.title, &permalink);
        }
        Ok((submission.id, permalink))
    }

    /// Notes a new comment for the author's next notice by mail; a
    /// failure is logged, and the comment stays taken.
    fn tell_author(&self, submission: &Submission, title: &str, permalink: &str) {
        let Some(notifier) = &self.notifier else {
            return;
        };
        let note = crate::notify::Note {
            id: submission.id.clone(),
            author: submission.author.clone(),
            body: submission.body.clone(),
            title: title.to_string(),
            permalink: format!("{permalink}#comments"),
        };
        if let Err(e) = notifier.note_comment(&note) {
            tracing::error!(id = %submission.id, "the author's notice of this comment could not be kept: {e}");
        }
    }

    /// Takes a reader's request to be mailed replies to their comment,
    /// once the comment is safe: a failure here is logged, and the comment
    /// stays taken.
    fn follow(&self, form: &Form, submission: &Submission, title: &str) {
        if !form.wants_replies() || submission.email.is_none() {
            return;
        }
        let (Some(notifier), Some(email)) = (&self.notifier, &submission.email) else {
            tracing::info!(id = %submission.id, "replies by mail asked for; none is sent from here (the preview, or a site without [notify])");
            return;
        };
        let id = &submission.id;
        match notifier.follow(email, &submission.article, title, id) {
            Ok(consent) => tracing::info!(%id, "replies by mail asked for: {}", consent.what()),
            Err(e) => {
                tracing::error!(%id, "the request for replies by mail could not be kept: {e}");
            }
        }
    }

    fn seen_lock(&self) -> std::sync::MutexGuard<'_, HashSet<u64>> {
        self.seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Writes a submission for good, under a fresh id if one is taken.
    fn store(&self, submission: &mut Submission, spam: bool) -> std::io::Result<()> {
        loop {
            let stored = if spam {
                self.inbox.store_spam(submission)
            } else {
                self.inbox.store(submission)
            };
            match stored {
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    submission.id = new_id(jiff::Timestamp::now());
                }
                other => return other,
            }
        }
    }

    /// The page at `path`, as the site was last read: an article
    /// published since is found once the watcher has read it.
    fn find(&self, path: &str) -> Option<Found> {
        let path = path.trim().trim_start_matches('/');
        let directory = self.shelf.directory();
        directory.pages.contains_key(path).then(|| Found {
            directory,
            path: path.to_string(),
        })
    }

    /// Runs `--on-comment` with the submission on its input, apart from
    /// the answer: its failure is told, and changes nothing.
    fn notify(&self, submission: &Submission) {
        let Some(command) = self.options.on_comment.clone() else {
            return;
        };
        let json = serde_json::to_vec(submission).expect("plain data serializes");
        let id = submission.id.clone();
        std::thread::spawn(move || {
            let outcome = run_hook(&command, &json);
            if let Err(message) = outcome {
                tracing::warn!(
                    "--on-comment for comment {id} failed: {message}; the comment is kept in the inbox"
                );
            }
        });
    }

    /// The no-script reply form: `?article=posts/x/&parent=ID`.
    fn reply_page(&self, request: &Request) -> Response {
        let query = request.target.split_once('?').map_or("", |(_, q)| q);
        let mut article = String::new();
        let mut parent = String::new();
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            match key.as_ref() {
                "article" => article = value.into_owned(),
                "parent" => parent = value.into_owned(),
                _ => {}
            }
        }
        if article.is_empty() {
            return Response::text(200, "mend takes comments here: send them with POST");
        }
        let Some(found) = self.find(&article) else {
            return page(
                404,
                &refuse(404, "There is no such article on this blog."),
                None,
            );
        };
        let Some((loaded, target)) = self.loaded_page(&found) else {
            return Response::text(503, "the site is being read again; reload in a moment")
                .with_header("Retry-After", "1");
        };
        match render_reply_page(&loaded.site, &loaded.views, target, &parent) {
            Ok(Some(html)) => Response::new(200, "text/html; charset=utf-8", html),
            Ok(None) => {
                let back = target.page(&loaded.site).permalink.clone();
                let refusal = refuse(
                    404,
                    "That comment is not on this article, or comments are closed.",
                );
                page(404, &refusal, Some(&back))
            }
            Err(e) => {
                tracing::error!("the reply form could not be shown: {e}");
                Response::text(500, "the reply form could not be shown")
            }
        }
    }

    /// The page a confirmation link opens: one button, so that a program
    /// that opens every link of a mail confirms nothing.
    fn confirm_page(&self, request: &Request) -> Response {
        let query = request.target.split_once('?').map_or("", |(_, q)| q);
        let link = form_value(query.as_bytes(), "link");
        let action = format!("{}/confirm", self.at.prefix);
        answer::plain_page(
            200,
            "Email me when someone replies",
            &[
                "Press the button to be sent an email when someone replies to your comment. Each email has a link to stop them.",
            ],
            &[&answer::Button {
                action: &action,
                fields: &[("link", &link)],
                label: "Yes, email me replies",
            }],
        )
    }

    /// Confirms an address (`link=NAME.SECRET`, sent by `confirm_page`).
    fn confirm(&self, request: &Request) -> Response {
        let link = form_value(&request.body, "link");
        let Some(notifier) = &self.notifier else {
            return answer::plain_page(
                404,
                "Nothing to confirm",
                &["This blog sends no email."],
                &[],
            );
        };
        match notifier.confirm(&link) {
            Ok(crate::notify::Confirmed::Yes { .. }) => answer::plain_page(
                200,
                "Confirmed",
                &[
                    "Thank you: you will get an email when someone replies to your comment, once the reply is published.",
                ],
                &[],
            ),
            Ok(crate::notify::Confirmed::Expired) => answer::plain_page(
                410,
                "This link has expired",
                &[
                    "Links to confirm work for 7 days. Tick “Email me when someone replies” with your next comment to get a new one.",
                ],
                &[],
            ),
            Ok(crate::notify::Confirmed::Unknown) => answer::plain_page(
                404,
                "Nothing to confirm",
                &[
                    "This link is not one this blog sent, or it was cut short: open it again from the email, whole.",
                ],
                &[],
            ),
            Err(e) => {
                tracing::error!("a confirmation could not be kept: {e}");
                answer::plain_page(
                    503,
                    "Not confirmed yet",
                    &[
                        "Your confirmation could not be saved just now. Please open the link again in a moment.",
                    ],
                    &[],
                )
            }
        }
    }

    /// The page a link to leave opens: leave this thread, or every one.
    fn leave_page(&self, request: &Request) -> Response {
        let query = request.target.split_once('?').map_or("", |(_, q)| q);
        let link = form_value(query.as_bytes(), "link");
        let thread = form_value(query.as_bytes(), "thread");
        let action = format!("{}/unsubscribe", self.at.prefix);
        let this = answer::Button {
            action: &action,
            fields: &[("link", &link), ("thread", &thread), ("what", "thread")],
            label: "Stop emails about this article",
        };
        let every = answer::Button {
            action: &action,
            fields: &[("link", &link), ("what", "site")],
            label: "Stop every email from this blog",
        };
        answer::plain_page(
            200,
            "Stop emails about replies",
            &[
                "Choose what to stop: the emails about replies on this article, or every email from this blog.",
            ],
            &[&this, &every],
        )
    }

    /// Leaves a thread, or every thread: the page's buttons, or a mail
    /// program's one click (RFC 8058: `POST` to the link of the
    /// `List-Unsubscribe` header, with `List-Unsubscribe=One-Click`).
    fn leave(&self, request: &Request) -> Response {
        let query = request.target.split_once('?').map_or("", |(_, q)| q);
        let given = |key: &str| {
            let sent = form_value(&request.body, key);
            if sent.is_empty() {
                form_value(query.as_bytes(), key)
            } else {
                sent
            }
        };
        let (link, thread) = (given("link"), given("thread"));
        let what = if given("what") == "site" {
            crate::notify::Leave::Site
        } else {
            crate::notify::Leave::Thread(&thread)
        };
        let Some(notifier) = &self.notifier else {
            return answer::plain_page(404, "Nothing to stop", &["This blog sends no email."], &[]);
        };
        match notifier.leave(&link, what) {
            Ok(crate::notify::Left::Thread { .. }) => answer::plain_page(
                200,
                "Stopped",
                &["You will get no more emails about replies on this article."],
                &[],
            ),
            Ok(crate::notify::Left::Site) => answer::plain_page(
                200,
                "Stopped",
                &["You will get no more emails from this blog."],
                &[],
            ),
            Ok(crate::notify::Left::Unknown) => answer::plain_page(
                404,
                "Nothing to stop",
                &[
                    "This link is not one this blog sent, or it was cut short: open it again from the email, whole.",
                ],
                &[],
            ),
            Err(e) => {
                tracing::error!("leaving could not be kept: {e}");
                answer::plain_page(
                    503,
                    "Not stopped yet",
                    &["This could not be saved just now. Please try again in a moment."],
                    &[],
                )
            }
        }
    }

    /// The site as last read, and the page `found` names in it; `None`
    /// while the site is read again (the directory and the site are put on
    /// the shelf one after the other: a request between the two sees the
    /// site before).
    fn loaded_page(&self, found: &Found) -> Option<(Arc<Loaded>, PageRef)> {
        let loaded = self.shelf.loaded()?;
        let target = found.entry().target;
        let same =
            loaded.site.page_at(target).map(|p| p.path.as_str()) == Some(found.path.as_str());
        same.then_some((loaded, target))
    }

    /// What a reader is told when their comment was not taken: JSON for a
    /// script; for a person, the page that says so in the site's look, with
    /// the form filled in as they sent it where the article is known, and
    /// else a plain page.
    fn refused_to(
        &self,
        reader: Reader,
        form: &Form,
        refusal: &Refusal,
        back: Option<&str>,
    ) -> Response {
        if reader == Reader::Script {
            return refused(reader, refusal, None);
        }
        let shown = self
            .find(&form.article)
            .and_then(|found| self.loaded_page(&found))
            .and_then(|(loaded, target)| {
                let sent = Sent {
                    author: &form.author,
                    email: &form.email,
                    url: &form.url,
                    body: &form.body,
                    subscribe: form.wants_replies(),
                };
                let (site, views) = (&loaded.site, &loaded.views);
                render_refusal_page(site, views, target, &form.parent, &sent, &refusal.message)
                    .inspect_err(|e| {
                        tracing::error!("the page for a refused comment could not be shown: {e}");
                    })
                    .ok()
            });
        match shown {
            Some(html) => Response::new(refusal.status, "text/html; charset=utf-8", html)
                .with_header("Cache-Control", "no-store"),
            None => page(refusal.status, refusal, back),
        }
    }

    /// Runs `then` if the request carries the pull token.
    fn with_token(&self, request: &Request, then: impl FnOnce(&Request) -> Response) -> Response {
        let Some(token) = &self.options.token else {
            return Response::text(404, "pulling is not turned on: start with a token");
        };
        let given = request
            .header("Authorization")
            .and_then(|h| h.strip_prefix("Bearer "))
            .unwrap_or_default();
        if server::same_secret(given.trim().as_bytes(), token.as_bytes()) {
            then(request)
        } else {
            Response::text(401, "a valid token is needed").with_header("WWW-Authenticate", "Bearer")
        }
    }

    fn pending(&self) -> Response {
        match self.inbox.list() {
            Ok(mut list) => {
                list.truncate(PULL_BATCH);
                json(200, &Batch { submissions: list })
            }
            Err(e) => Response::text(500, &e.to_string()),
        }
    }

    fn acknowledge(&self, request: &Request) -> Response {
        let Ok(ack) = serde_json::from_slice::<Ack>(&request.body) else {
            return Response::text(400, "send {\"ids\": [...]} as JSON");
        };
        let mut removed = 0;
        for id in ack.ids.iter().filter(|id| is_valid_id(id)) {
            if self.inbox.path_of(id).is_file() && self.inbox.remove(id).is_ok() {
                removed += 1;
            }
        }
        json(200, &serde_json::json!({ "removed": removed }))
    }
}

/// What a pull receives.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Batch {
    pub submissions: Vec<Submission>,
}

/// What a pull acknowledges.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Ack {
    pub ids: Vec<String>,
}

fn run_hook(command: &str, input: &[u8]) -> std::result::Result<(), String> {
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(input);
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("it ended with {status}"))
    }
}
