//! Answering browsers: the rendered site from memory (static files from
//! disk), with correct types, folder URLs, the site's 404 page, and the
//! live-reload script and event stream. Nothing outside the site is ever
//! read, whatever the request path.
//!
//! Not for rendering (`live`) or deciding when to reload (`reload`).

use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use super::moderation;
use super::reload::{self, EVENTS_PATH, Hub, SCRIPT_PATH, STATUS_PATH};
use super::store::Store;
use crate::intake::PREVIEW_PATH;
use crate::server::{Body, Request, Response};
use crate::theme::Source;

/// What the request threads share.
pub(super) struct Shared {
    pub output: Arc<RwLock<Store>>,
    pub hub: Hub,
    /// Takes the comments the preview's pages send.
    pub comments: crate::intake::Preview,
    /// The site folder, resolved: static files must stay inside it.
    pub root: std::path::PathBuf,
    /// This run's moderation token, given only to the pages served.
    pub token: String,
    /// The preview's address, the site's `base_url` while previewing.
    pub base_url: String,
}

impl Shared {
    /// The source of the page at `path` (`posts/x/`), from the site's root.
    pub(super) fn source_of(&self, path: &str) -> Option<String> {
        let output = self
            .output
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        output.sources.get(path.trim_start_matches('/')).cloned()
    }

    /// Adds the scripts of `serve` to a page: live reload, and for a
    /// browser on this machine only, moderation with this run's token.
    fn inject(&self, html: &[u8], generation: u64, loopback: bool) -> Vec<u8> {
        let mut tags = reload::script_tag(generation);
        if loopback {
            tags.push_str(&moderation::script_tag(&self.token));
        }
        reload::inject(html, &tags)
    }
}

/// What a page of a site that has not built yet shows, under the error.
const NOT_YET: &str = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"mend-not-built\" content=\"\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Not built yet</title>\n</head>\n<body>\n<noscript><p>This page is not there, or the site has not built yet: the error is printed where mend serve runs. Fix it, save, and reload.</p></noscript>\n</body>\n</html>\n";

/// How often an idle event stream sends a comment, to notice closed tabs.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Answers one request.
pub(super) fn handle(request: Request, shared: &Arc<Shared>) -> Response {
    let path = request.path().to_string();
    let moderating = [
        moderation::ACTION_PATH,
        moderation::PENDING_PATH,
        moderation::SCRIPT_PATH,
    ];
    if moderating.contains(&path.as_str()) && !request.is_from_loopback() {
        return Response::text(
            403,
            "moderation in the preview answers only browsers on this machine",
        );
    }
    if path == PREVIEW_PATH || path.starts_with(&format!("{PREVIEW_PATH}/")) {
        return shared.comments.handle(request);
    }
    if request.method == "POST" && path == moderation::ACTION_PATH {
        return moderation::act(&request, shared);
    }
    if !matches!(request.method.as_str(), "GET" | "HEAD") {
        return Response::text(405, "only GET and HEAD").with_header("Allow", "GET, HEAD");
    }
    match path.as_str() {
        moderation::SCRIPT_PATH => respond(
            200,
            "text/javascript; charset=utf-8",
            moderation::SCRIPT.as_bytes().to_vec(),
        ),
        moderation::PENDING_PATH => moderation::pending(&request, shared),
        EVENTS_PATH => Response {
            status: 200,
            headers: vec![
                ("Content-Type".into(), "text/event-stream".into()),
                ("Cache-Control".into(), "no-store".into()),
            ],
            body: events(shared),
        },
        SCRIPT_PATH => respond(
            200,
            "text/javascript; charset=utf-8",
            reload::SCRIPT.as_bytes().to_vec(),
        ),
        STATUS_PATH => {
            let body = serde_json::to_vec(&shared.hub.state()).expect("plain data serializes");
            respond(200, "application/json", body)
        }
        _ => serve_site(&path, &request.target, request.is_from_loopback(), shared),
    }
}

fn serve_site(path: &str, raw: &str, loopback: bool, shared: &Shared) -> Response {
    let generation = shared.hub.state().generation;
    let output = shared
        .output
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let found = match site_key(path) {
        Some(key) => lookup(&output, &key, &shared.root),
        None => Lookup::Missing,
    };
    match found {
        Lookup::File(key, bytes) => {
            drop(output);
            let body = if key.ends_with(".html") {
                shared.inject(&bytes, generation, loopback)
            } else {
                bytes
            };
            respond(200, content_type(&key), body)
        }
        Lookup::Folder => {
            drop(output);
            let query = raw.find('?').map_or("", |i| &raw[i..]);
            let location = format!("{}/{query}", path.trim_end_matches('/'));
            Response::new(301, "text/plain; charset=utf-8", Vec::new())
                .with_header("Location", &location)
                .with_header("Cache-Control", "no-store")
        }
        Lookup::Failed(message) => {
            drop(output);
            respond(500, "text/plain; charset=utf-8", message.into_bytes())
        }
        Lookup::Missing => {
            let page = output.rendered("404.html").and_then(Result::ok);
            drop(output);
            // Without a 404 page (the site has not built yet) a page of
            // its own, so live reload shows the error and reloads the tab
            // once the site builds.
            let page = page.unwrap_or_else(|| NOT_YET.as_bytes().to_vec());
            respond(
                404,
                "text/html; charset=utf-8",
                shared.inject(&page, generation, loopback),
            )
        }
    }
}

enum Lookup {
    File(String, Vec<u8>),
    /// `/posts/x` where `/posts/x/` exists.
    Folder,
    /// A file that failed to render while `serve` started (the build
    /// reports it too).
    Failed(String),
    Missing,
}

/// The output path a request path asks for, or `None` for one that tries
/// to leave the site (`..`, encoded or not, backslashes, NUL bytes).
pub(super) fn site_key(path: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    if !decoded.starts_with('/') || decoded.contains(['\\', '\0']) {
        return None;
    }
    let segments: Vec<&str> = decoded.split('/').skip(1).collect();
    if segments.iter().any(|s| *s == ".." || *s == ".") {
        return None;
    }
    let key = segments.join("/");
    Some(if key.is_empty() || key.ends_with('/') {
        format!("{key}index.html")
    } else {
        key
    })
}

fn lookup(output: &Store, key: &str, root: &Path) -> Lookup {
    match output.rendered(key) {
        Some(Ok(bytes)) => return Lookup::File(key.to_string(), bytes),
        Some(Err(error)) => return Lookup::Failed(error.to_string()),
        None => {}
    }
    if let Some(source) = output.copies.get(key) {
        return match read_copy(source, root) {
            Some(bytes) => Lookup::File(key.to_string(), bytes),
            None => Lookup::Missing,
        };
    }
    let folder = format!("{key}/index.html");
    if !key.ends_with("index.html") && output.has_rendered(&folder) {
        return Lookup::Folder;
    }
    Lookup::Missing
}

/// A static file's bytes, only if it really lies inside the site (a link
/// pointing elsewhere is not followed).
fn read_copy(source: &Source, root: &Path) -> Option<Vec<u8>> {
    match source {
        Source::Embedded(bytes) => Some(bytes.to_vec()),
        Source::File(path) => read_inside(path, root),
        // Until the image is made, the preview shows the image itself.
        Source::Made { cache, source, .. } => {
            read_inside(cache, root).or_else(|| read_inside(source, root))
        }
    }
}

fn read_inside(path: &Path, root: &Path) -> Option<Vec<u8>> {
    let real = path.canonicalize().ok()?;
    real.starts_with(root).then(|| std::fs::read(real).ok())?
}

/// The `Content-Type` of an output path.
pub(super) fn content_type(path: &str) -> &'static str {
    let extension = path
        .rsplit_once('.')
        .map_or("", |(_, e)| e)
        .to_ascii_lowercase();
    if path.ends_with("atom.xml") {
        return "application/atom+xml; charset=utf-8";
    }
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "json" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "pdf" => "application/pdf",
        "mp4" => "video/mp4",
        "mp3" => "audio/mpeg",
        _ => "application/octet-stream",
    }
}

fn respond(status: u16, content_type: &str, body: Vec<u8>) -> Response {
    Response::new(status, content_type, body).with_header("Cache-Control", "no-store")
}

/// A Server-Sent Events stream: the current state at once, then each new
/// one, with a comment when idle to notice closed tabs, until the browser
/// goes away. It runs as a task, not a thread: an open tab costs little.
fn events(shared: &Shared) -> Body {
    let (sender, receiver) = tokio::sync::mpsc::channel(4);
    let mut states = shared.hub.follow();
    tokio::runtime::Handle::current().spawn(async move {
        loop {
            let state = states.borrow_and_update().clone();
            let event = format!(
                "event: state\ndata: {}\n\n",
                serde_json::to_string(&state).expect("plain data serializes")
            );
            if sender.send(event.into_bytes()).await.is_err() {
                return;
            }
            loop {
                match tokio::time::timeout(KEEP_ALIVE, states.changed()).await {
                    Ok(Ok(())) => break,
                    Ok(Err(_)) => return,
                    Err(_) => {
                        if sender.send(b": still here\n\n".to_vec()).await.is_err() {
                            return;
                        }
                    }
                }
            }
        }
    });
    Body::Stream(receiver)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_leave_the_site_are_refused() {
        assert_eq!(site_key("/").as_deref(), Some("index.html"));
        assert_eq!(site_key("/posts/x/").as_deref(), Some("posts/x/index.html"));
        assert_eq!(site_key("/caf%C3%A9.css").as_deref(), Some("café.css"));
        for bad in [
            "/../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/posts/%2E%2E/%2e%2e/x",
            "/a/./b",
            "/x%00.html",
            "/..%5c..%5cwin.ini",
            "%2e%2e%2fetc",
            "/%ff",
        ] {
            assert_eq!(site_key(bad), None, "{bad}");
        }
    }

    #[test]
    fn types() {
        assert_eq!(
            content_type("posts/x/index.html"),
            "text/html; charset=utf-8"
        );
        assert_eq!(
            content_type("atom.xml"),
            "application/atom+xml; charset=utf-8"
        );
        assert_eq!(
            content_type("sitemap.xml"),
            "application/xml; charset=utf-8"
        );
        assert_eq!(content_type("fonts/a.WOFF2"), "font/woff2");
    }
}
