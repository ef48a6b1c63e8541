//! `mend serve`: a local preview that watches the site, rebuilds what
//! changed in memory, and tells open browsers to reload. A broken edit keeps
//! the last good site up and shows the error; nothing is written to disk.
//!
//! The parts: `http` answers requests (over the bounded `server`), `watch`
//! notices edits, `live` holds the site and rebuilds it, `store` keeps the
//! rendered pages, `reload` tells browsers.
//!
//! Not for writing a site to disk (`build`, `output`).

mod http;
mod images;
mod live;
mod moderation;
mod reload;
mod store;
pub(crate) mod watch;

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use crate::config::{self, Config};
use crate::error::{Error, Result};
use crate::site::LoadOptions;
use crate::{intake, server};
use live::{Live, Rebuilt};

/// What `mend serve` was asked.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub root: PathBuf,
    pub bind: String,
    pub port: u16,
    pub drafts: bool,
    pub future: bool,
}

/// How many ports after the asked one are tried when it is taken.
const PORT_TRIES: u16 = 20;

/// Serves the site until the process is stopped.
pub(crate) fn run(options: &Options) -> Result<()> {
    let (listener, port) = server::listen(&options.bind, options.port, PORT_TRIES)?;
    let host = match options.bind.as_str() {
        "0.0.0.0" | "::" | "[::]" => "127.0.0.1".to_string(),
        bind if bind.contains(':') => format!("[{bind}]"),
        bind => bind.to_string(),
    };
    let base_url = format!("http://{host}:{port}");
    let output = Arc::new(RwLock::new(store::Store::default()));
    let load = LoadOptions {
        drafts: options.drafts,
        base_url: Some(base_url.clone()),
        future: options.future,
        // From the root, not the address: a page opened at localhost or at
        // this machine's address on the network sends to where it came from.
        comments_endpoint: Some(format!("{}/", intake::PREVIEW_PATH)),
    };
    let shelf = Arc::new(intake::Shelf::default());
    let mut live = Live::new(&options.root, load, Arc::clone(&output), Arc::clone(&shelf));
    let root = options
        .root
        .canonicalize()
        .map_err(|source| Error::ReadDir {
            path: options.root.clone(),
            source,
        })?;
    let shared = Arc::new(http::Shared {
        output,
        hub: reload::Hub::default(),
        comments: intake::Preview::new(&root, &base_url, shelf),
        root,
        token: server::random_token(),
        base_url: base_url.clone(),
    });

    let reloading = Arc::clone(&shared);
    live.when_images_made(move || reloading.hub.reload());
    let started = Instant::now();
    let mut listener = Some(listener);
    let mut server = None;
    let first = guarded(|| {
        live.start(|| {
            server = listener
                .take()
                .map(|l| spawn_server(l, &options.bind, &shared));
            println!(
                "answering at {base_url}/ after {} ms",
                started.elapsed().as_millis()
            );
        })
    });
    match first {
        // Pages answered so far are the ones just built: no reload.
        Ok(done) => {
            println!(
                "built {} in {} ms",
                counted(&done),
                started.elapsed().as_millis()
            );
        }
        Err(message) => {
            eprintln!("error: {message}");
            shared.hub.failed(message);
        }
    }
    stop_on_ctrl_c();
    // A panic before the site was loaded left the server to start here.
    let server = server.or_else(|| listener.map(|l| spawn_server(l, &options.bind, &shared)));
    // Watching starts once requests are answered: on a large site, setting
    // up the watches takes a moment that no one should wait for.
    let hub = Arc::clone(&shared);
    let _watcher = watch::start(&options.root, move |changed| {
        let started = Instant::now();
        let what = describe(&changed);
        match guarded(|| live.rebuild(&changed)) {
            Ok(done) if done.files_changed == 0 => {
                hub.hub.unchanged();
                println!(
                    "{what} · no page changed ({} ms)",
                    started.elapsed().as_millis()
                );
            }
            Ok(done) => {
                hub.hub.changed(done.css_only);
                let scope = if done.full { "full rebuild, " } else { "" };
                println!(
                    "{what} · {scope}{} in {} ms",
                    counted(&done),
                    started.elapsed().as_millis()
                );
            }
            Err(message) => {
                eprintln!("{what} · error: {message}");
                hub.hub.failed(message);
            }
        }
    })?;
    println!(
        "serving {} at {base_url}/ (Ctrl-C to stop)",
        options.root.display()
    );
    if let Some(address) = network_address(&options.bind) {
        println!("on your network (a phone, say): http://{address}:{port}/");
    }
    if let Some(server) = server {
        let _ = server.join();
    }
    Ok(())
}

/// This machine's address on its network, when `bind` answers there too
/// (`0.0.0.0`, `::`): the one its traffic to the internet would leave
/// from. Asking sends nothing: a UDP socket only looks the route up.
fn network_address(bind: &str) -> Option<std::net::IpAddr> {
    if !matches!(bind, "0.0.0.0" | "::" | "[::]") {
        return None;
    }
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    // TEST-NET-1 (RFC 5737): never reached, only routed to.
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

/// The thread that answers requests until the server stops.
fn spawn_server(
    listener: TcpListener,
    bind: &str,
    shared: &Arc<http::Shared>,
) -> std::thread::JoinHandle<()> {
    let shared = Arc::clone(shared);
    // Comments sent to the preview are as long as the site allows.
    let max_bytes = Config::load(&shared.root)
        .map_or_else(|_| config::default_max_bytes(), |c| c.comments_max_bytes);
    let setup = server::Setup {
        limits: server::Limits {
            body: intake::body_limit(max_bytes).max(server::Limits::default().body),
            ..server::Limits::default()
        },
        hosts: server::Hosts::new(bind),
        trust_proxy: false,
        log_requests: false,
    };
    let handler: Arc<server::Handler> = Arc::new(move |request| http::handle(request, &shared));
    std::thread::spawn(move || {
        if let Err(e) = server::run(listener, setup, handler) {
            eprintln!("error: the preview server could not start: {e}");
        }
    })
}

/// Runs a build of `serve`, turning errors and even panics into a message
/// to show, so a bad edit never takes the server down.
fn guarded(build: impl FnOnce() -> Result<Rebuilt>) -> Result<Rebuilt, String> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(build)) {
        Ok(Ok(done)) => Ok(done),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err("mend hit an internal error while rebuilding (a bug: please report it); still serving the last good site".into()),
    }
}

/// `3 pages`, `1 page and 2 other files`, `1 file`.
fn counted(done: &Rebuilt) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let others = done.files_changed - done.pages_changed;
    match (done.pages_changed, others) {
        (0, n) => plural(n, "file", "files"),
        (pages, 0) => plural(pages, "page", "pages"),
        (pages, n) => format!(
            "{} and {}",
            plural(pages, "page", "pages"),
            plural(n, "other file", "other files")
        ),
    }
}

/// `content/posts/x.md changed`, or `content/posts/x.md and 2 more changed`.
fn describe(changed: &[PathBuf]) -> String {
    let first = changed
        .first()
        .map_or_else(String::new, |p| p.display().to_string());
    match changed.len() {
        0 | 1 => format!("{first} changed"),
        n => format!("{first} and {} more changed", n - 1),
    }
}

/// Ctrl-C ends the server cleanly: nothing was written, so nothing is left.
fn stop_on_ctrl_c() {
    let _ = ctrlc::set_handler(|| {
        println!("\nstopped");
        std::process::exit(0);
    });
}
