//! `mend serve`, started for real on a free port and spoken to over HTTP.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::common::*;

/// Held by the test that measures timing and by the one that keeps both
/// cores busy with clean builds, so the first is not starved by the second.
static TIMING: Mutex<()> = Mutex::new(());

fn timing_lock() -> std::sync::MutexGuard<'static, ()> {
    TIMING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn serve(root: &Path) -> Server {
    serve_on(root, free_port())
}

fn serve_on(root: &Path, port: u16) -> Server {
    start_server(&["serve", "--port", &port.to_string()], root, "serving ")
}

/// Sends `path` exactly as given (no client-side clean-up of `..`).
fn request(server: &Server, method: &str, path: &str) -> Reply {
    http(server, method, path, &[], b"")
}

fn get(server: &Server, path: &str) -> Reply {
    request(server, "GET", path)
}

/// The JSON state the overlay follows.
fn status(server: &Server) -> serde_json::Value {
    serde_json::from_slice(&get(server, "/__mend/status").body).unwrap()
}

/// Waits until the server has finished a rebuild after `since` (a
/// generation), or reports an error; returns the new state.
fn wait_for_rebuild(server: &Server, since: u64) -> serde_json::Value {
    let started = Instant::now();
    loop {
        let state = status(server);
        if state["generation"].as_u64().unwrap() > since || !state["error"].is_null() {
            return state;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "no rebuild: {:?}",
            server.lines.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn generation(server: &Server) -> u64 {
    status(server)["generation"].as_u64().unwrap()
}

/// The served body without the live-reload script that `serve` adds.
fn without_script(body: &[u8]) -> Vec<u8> {
    let mut text = String::from_utf8_lossy(body).into_owned();
    for script in ["livereload.js", "moderation.js"] {
        let tag = format!("<script src=\"/__mend/{script}\"");
        let start = text
            .find(&tag)
            .unwrap_or_else(|| panic!("no {script} in {text}"));
        let end = text[start..].find("</script>").unwrap() + start + "</script>".len();
        text.replace_range(start..end, "");
    }
    text.into_bytes()
}

/// Asserts that the server serves exactly what a clean `mend build` writes.
fn assert_same_as_build(server: &Server, root: &Path, gone: &[String]) -> Vec<String> {
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    mend()
        .args(["build", "--quiet", "--root"])
        .arg(root)
        .args([
            "--base-url",
            &format!("http://{}", server.address),
            "--output",
        ])
        .arg(&public)
        .assert()
        .success();
    let mut files = snapshot(&public);
    // The list of what mend wrote is about the folder, not part of the site.
    files.remove(".mend-manifest");
    for (path, bytes) in &files {
        let url = format!("/{}", path.strip_suffix("index.html").unwrap_or(path));
        let reply = get(server, &url);
        assert_eq!(reply.status, 200, "{url}");
        let served = if path.ends_with(".html") {
            without_script(&reply.body)
        } else {
            reply.body
        };
        assert!(
            served == *bytes,
            "{url} differs from a clean build:\n{}",
            String::from_utf8_lossy(&served)
        );
    }
    for path in gone.iter().filter(|p| !files.contains_key(*p)) {
        let url = format!("/{}", path.strip_suffix("index.html").unwrap_or(path));
        assert_eq!(get(server, &url).status, 404, "{url} should be gone");
    }
    files.into_keys().collect()
}

/// mend turns transparent huge pages off for itself (see `small_pages` in
/// main.rs), as the kernel reports in the process's status (Linux 5.0 on).
#[test]
fn runs_without_transparent_huge_pages() {
    let site = fixture("blog");
    let server = serve(site.path());
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.child.0.id())).unwrap();
    let flag = status.lines().find_map(|l| l.strip_prefix("THP_enabled:"));
    assert_eq!(flag.map(str::trim), Some("0"), "{status}");
}

#[test]
fn serves_types_folders_404_and_head() {
    let site = fixture("blog");
    let server = serve(site.path());
    for (path, content_type) in [
        ("/", "text/html; charset=utf-8"),
        ("/style.css", "text/css; charset=utf-8"),
        ("/atom.xml", "application/atom+xml; charset=utf-8"),
        ("/sitemap.xml", "application/xml; charset=utf-8"),
        ("/robots.txt", "text/plain; charset=utf-8"),
        ("/posts/d-fourth/photo.png", "image/png"),
        ("/__mend/livereload.js", "text/javascript; charset=utf-8"),
        ("/__mend/status", "application/json"),
    ] {
        let reply = get(&server, path);
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("Content-Type"), Some(content_type), "{path}");
        assert_eq!(reply.header("Cache-Control"), Some("no-store"), "{path}");
    }
    let html = get(&server, "/posts/the-fifth/").text();
    assert!(
        html.contains("<script src=\"/__mend/livereload.js\""),
        "serve adds the live-reload script"
    );
    // Links point at the local server, not the real site.
    assert!(html.contains(&format!(
        "href=\"http://{}/posts/the-fifth/\"",
        server.address
    )));

    let redirect = get(&server, "/posts/the-fifth?x=1");
    assert_eq!(redirect.status, 301);
    assert_eq!(redirect.header("Location"), Some("/posts/the-fifth/?x=1"));

    let missing = get(&server, "/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(
        missing.text().contains("This page isn’t here"),
        "the site's own 404 page"
    );

    let head = request(&server, "HEAD", "/posts/the-fifth/");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(
        head.header("Content-Length").map(str::to_string),
        Some(get(&server, "/posts/the-fifth/").body.len().to_string())
    );
    // Requests are answered once the site is loaded, before all is rendered.
    let lines = server.lines.lock().unwrap().clone();
    let answering = format!("answering at http://{}/ after ", server.address);
    let at = |prefix: &str| lines.iter().position(|l| l.starts_with(prefix));
    assert!(at(&answering) < at("built "), "{lines:?}");
    assert!(at(&answering).is_some(), "{lines:?}");
}

#[test]
fn requests_outside_the_site_get_404() {
    let site = fixture("blog");
    let server = serve(site.path());
    for path in [
        "/../../../../etc/passwd",
        "/..%2f..%2f..%2fetc%2fpasswd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/posts/../../../etc/passwd",
        "/..\\..\\etc\\passwd",
        "/%2e%2e%5c%2e%2e%5cetc%5cpasswd",
        "//etc/passwd",
        "/etc/passwd",
        "/static/../../site.toml",
        "/site.toml",
        "/content/posts/a-first.md",
        "/passwd.txt",
        "/etc/hostname",
        "/%00/etc/passwd",
        "/posts/%252e%252e/%252e%252e/etc/passwd",
    ] {
        let reply = get(&server, path);
        assert_eq!(reply.status, 404, "{path}");
        assert!(!reply.text().contains("root:"), "{path} leaked a file");
    }
}

#[test]
fn an_alias_onto_a_generated_file_is_an_error_as_in_build() {
    let site = fixture("blog");
    write(
        site.path(),
        "content/posts/alias.md",
        "+++\ntitle = \"Alias\"\ndate = 2024-05-05\naliases = [\"/robots.txt/\"]\n+++\nBody.\n",
    );
    let server = serve(site.path());
    let error = status(&server)["error"].as_str().unwrap().to_string();
    assert_eq!(
        error.replace(&site.path().display().to_string(), "ROOT"),
        "robots.txt writes the file /robots.txt, but the alias `/robots.txt/` of ROOT/content/posts/alias.md needs a folder of that name; rename one of them"
    );
}

#[test]
fn a_link_out_of_the_site_is_an_error_as_in_build() {
    let site = fixture("blog");
    std::os::unix::fs::symlink("/etc", site.path().join("static/etc")).unwrap();
    let server = serve(site.path());
    let error = status(&server)["error"].as_str().unwrap().to_string();
    assert_eq!(
        error.replace(&site.path().display().to_string(), "ROOT"),
        "ROOT/static/etc: is a link to /etc, outside the site; mend publishes only what is inside the site's folder: copy the file in, or remove the link"
    );
    for path in ["/etc/passwd", "/etc/hostname"] {
        assert_eq!(get(&server, path).status, 404, "{path}");
    }
}

#[test]
fn the_port_in_use_is_skipped() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let site = fixture("blog");
    let server = serve_on(site.path(), port);
    assert_ne!(server.address, format!("127.0.0.1:{port}"));
    assert!(
        server
            .lines
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.contains(&format!("port {port}")) && l.contains("not available"))
    );
    assert_eq!(get(&server, "/").status, 200);
}

#[test]
fn no_free_port_in_the_range_is_an_error() {
    // Hold twenty ports in a row, starting from a free one.
    let held = (0..50)
        .find_map(|_| {
            let base = free_port().checked_sub(20)?;
            (0..20)
                .map(|i| std::net::TcpListener::bind(("127.0.0.1", base + i)).ok())
                .collect::<Option<Vec<_>>>()
                .map(|listeners| (base, listeners))
        })
        .expect("twenty free ports in a row");
    let base = held.0;
    let site = fixture("blog");
    let output = Command::new(assert_cmd::cargo::cargo_bin("mend"))
        .args(["serve", "--port", &base.to_string(), "--root"])
        .arg(site.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("no free port from {base} to {}", base + 19))
            && stderr.contains("--port"),
        "{stderr}"
    );
    drop(held);
}

#[test]
fn an_edit_is_served_within_a_bounded_wait() {
    let site = fixture("blog");
    let server = serve(site.path());
    let before = generation(&server);
    let file = site.path().join("content/posts/a-first.md");
    std::fs::write(
        &file,
        read(&file).replace("opening paragraph", "EDITED paragraph"),
    )
    .unwrap();
    wait_for_rebuild(&server, before);
    assert!(
        get(&server, "/posts/a-first/")
            .text()
            .contains("EDITED paragraph")
    );
    // The log line comes after the rebuild is served: wait for it too.
    wait_for_line(&server, |line| {
        line.contains("content/posts/a-first.md changed · ") && line.ends_with(" ms")
    });
}

/// Waits (within a generous bound) for a line of the server's output.
/// A named change to a site.
type Step<'a> = (&'static str, Box<dyn Fn() + 'a>);

#[test]
fn incremental_rebuilds_equal_a_clean_build_at_every_step() {
    let _alone = timing_lock();
    let site = fixture("comments");
    let root = site.path().to_path_buf();
    let server = serve(&root);
    let mut known = assert_same_as_build(&server, &root, &[]);
    let posts = root.join("content/posts");
    let edit = |name: &str, from: &str, to: &str| {
        let file = posts.join(name);
        let text = read(&file);
        assert!(text.contains(from), "{name} lacks {from}");
        std::fs::write(&file, text.replace(from, to)).unwrap();
    };
    let steps: Vec<Step> = vec![
        (
            "edit an article's body",
            Box::new(|| {
                edit(
                    "threads.md",
                    "only the article itself",
                    "only the article page",
                );
            }),
        ),
        (
            "add an image",
            Box::new(|| {
                let mut png = Vec::new();
                image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
                    600,
                    300,
                    image::Rgb([40, 90, 160]),
                ))
                .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
                .unwrap();
                std::fs::create_dir_all(root.join("static")).unwrap();
                std::fs::write(root.join("static/photo.png"), &png).unwrap();
                std::fs::write(root.join("static/other.png"), &png).unwrap();
            }),
        ),
        (
            "show the image in an article's body",
            Box::new(|| {
                edit(
                    "threads.md",
                    "only the article page",
                    "only the article page ![A photo](/photo.png)",
                );
            }),
        ),
        (
            "show a second image in the body, which only its page shows",
            Box::new(|| {
                edit(
                    "threads.md",
                    "![A photo](/photo.png)",
                    "![A photo](/photo.png) ![Another](/other.png)",
                );
            }),
        ),
        (
            "edit a summary",
            Box::new(|| {
                edit(
                    "threads.md",
                    "threaded discussion",
                    "threaded, lively discussion",
                );
            }),
        ),
        (
            "edit a title",
            Box::new(|| {
                edit(
                    "threads.md",
                    "title = \"Threads\"",
                    "title = \"Threads, Renamed\"",
                );
            }),
        ),
        (
            "add a tag",
            Box::new(|| {
                edit(
                    "closed.md",
                    "comments = false",
                    "comments = false\ntags = [\"threads\", \"new tag\"]",
                );
            }),
        ),
        (
            "add an article",
            Box::new(|| {
                write(
                    &posts,
                    "fresh.md",
                    &article("Fresh", "2024-04-01", &["new tag"]),
                );
            }),
        ),
        (
            "rename an article",
            Box::new(|| std::fs::rename(posts.join("fresh.md"), posts.join("renamed.md")).unwrap()),
        ),
        (
            "edit a comment, same count",
            Box::new(|| {
                edit(
                    "threads.comments.toml",
                    "Same here, day 12 now.",
                    "Same here, day 13 now.",
                );
            }),
        ),
        (
            "approve a pending comment",
            Box::new(|| edit("threads.comments.toml", "status = \"pending\"\n", "")),
        ),
        (
            "edit a bundle's comments",
            Box::new(|| {
                edit(
                    "bundle/comments.toml",
                    "inside a bundle",
                    "inside a page bundle",
                );
            }),
        ),
        (
            "delete a comment file",
            Box::new(|| std::fs::remove_file(posts.join("hostile.comments.toml")).unwrap()),
        ),
        (
            "delete an article",
            Box::new(|| std::fs::remove_file(posts.join("hostile.md")).unwrap()),
        ),
        (
            "add a template",
            Box::new(|| {
                write(
                    &root,
                    "templates/tags.html",
                    "<!DOCTYPE html><html><body><h1>{{ tags | length }} tags</h1></body></html>",
                );
            }),
        ),
        (
            "edit a template",
            Box::new(|| {
                write(
                    &root,
                    "templates/tags.html",
                    "<!DOCTYPE html><html><body><h1>{{ tags | length }} tags!</h1></body></html>",
                );
            }),
        ),
        (
            "delete a template",
            Box::new(|| std::fs::remove_file(root.join("templates/tags.html")).unwrap()),
        ),
        (
            "add a static file",
            Box::new(|| write(&root, "static/extra.css", "p { color: teal; }")),
        ),
        (
            "edit site.toml",
            Box::new(|| edit("../../site.toml", "paginate = 10", "paginate = 2")),
        ),
    ];
    for (what, step) in steps {
        let before = generation(&server);
        step();
        let state = wait_for_rebuild(&server, before);
        assert!(state["error"].is_null(), "{what}: {state}");
        known = assert_same_as_build(&server, &root, &known);
        eprintln!("ok: {what}");
    }
    let log = server.lines.lock().unwrap().join("\n");
    assert!(
        log.contains("threads.md changed · 1 page and 6 other files in "),
        "a body edit re-renders its page, its feeds (the site's, its tag's and its author's), \
         the two shards of the search index with the words it lost and gained, and its search \
         document:\n{log}"
    );
}

#[test]
fn a_broken_edit_keeps_the_last_good_site_and_reports_the_error() {
    let site = fixture("blog");
    let server = serve(site.path());
    let good = get(&server, "/posts/a-first/").text();
    let file = site.path().join("content/posts/a-first.md");
    let before = generation(&server);
    let text = read(&file);
    std::fs::write(
        &file,
        text.replace("title = \"First Article\"", "title = \"First Article"),
    )
    .unwrap();
    let state = wait_for_rebuild(&server, before);
    let error = state["error"]
        .as_str()
        .expect("the error is available to the overlay");
    assert!(error.contains("content/posts/a-first.md:2"), "{error}");
    assert_eq!(
        get(&server, "/posts/a-first/").text(),
        good,
        "the last good page is still served"
    );
    assert!(
        get(&server, "/__mend/livereload.js")
            .text()
            .contains("mend-error-overlay")
    );

    std::fs::write(&file, text.replace("opening paragraph", "FIXED paragraph")).unwrap();
    let state = wait_for_rebuild(&server, before);
    let started = Instant::now();
    let mut state = state;
    while !state["error"].is_null() && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
        state = status(&server);
    }
    assert!(state["error"].is_null(), "{state}");
    assert!(
        get(&server, "/posts/a-first/")
            .text()
            .contains("FIXED paragraph")
    );
    // A broken template is reported the same way, and the server lives on.
    let before = generation(&server);
    write(site.path(), "templates/article.html", "{% if %}");
    let state = wait_for_rebuild(&server, before);
    assert!(
        state["error"].as_str().unwrap().contains("article.html"),
        "{state}"
    );
    assert_eq!(get(&server, "/").status, 200);
}

#[test]
fn a_burst_of_saves_gives_one_or_two_rebuilds() {
    let _alone = timing_lock();
    let site = fixture("blog");
    let server = serve(site.path());
    let file = site.path().join("content/posts/a-first.md");
    let text = read(&file);
    let before = generation(&server);
    let started = Instant::now();
    let mut last_save = started;
    let mut stalls = 0; // pauses the watcher may rightly take for the end
    for i in 0..100 {
        std::fs::write(
            &file,
            text.replace("opening paragraph", &format!("opening paragraph {i}")),
        )
        .unwrap();
        if last_save.elapsed() >= Duration::from_millis(150) {
            stalls += 1;
        }
        last_save = Instant::now();
        // One save every 10 ms on a fixed schedule, so a late wake-up does
        // not stretch the burst.
        let next = started + Duration::from_millis(10 * (i + 1));
        std::thread::sleep(next.saturating_duration_since(Instant::now()));
    }
    wait_for_rebuild(&server, before);
    // Anything still queued shows up before the rebuild of a later edit.
    mark_and_wait(&server, site.path());
    let rebuilds = server
        .lines
        .lock()
        .unwrap()
        .iter()
        .filter(|l| {
            l.contains("a-first.md changed") || l.starts_with("content/about.md and 1 more changed")
        })
        .count();
    // A disk or scheduler stall of 150 ms or more between two saves of
    // this busy test machine looks like the end of a burst, and may cost
    // one rebuild each; a writer's real burst has none.
    assert!(
        (1..=2 + stalls).contains(&rebuilds),
        "{rebuilds} rebuilds for one burst of 100 saves in {:?} ({stalls} stalls)",
        last_save - started
    );
    assert!(
        get(&server, "/posts/a-first/")
            .text()
            .contains("opening paragraph 99")
    );
}

#[test]
fn editor_leftovers_do_not_trigger_rebuilds() {
    let site = fixture("blog");
    let server = serve(site.path());
    let posts = site.path().join("content/posts");
    for name in [
        ".a-first.md.swp",
        "a-first.md~",
        "4913",
        ".DS_Store",
        "#a-first.md#",
    ] {
        std::fs::write(posts.join(name), "junk").unwrap();
    }
    // A real edit after them: had they been taken for sources, they would
    // show before it, or in its batch ("and 5 more").
    mark_and_wait(&server, site.path());
    let changed: Vec<String> = server
        .lines
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.contains(" changed"))
        .cloned()
        .collect();
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert!(
        changed[0].starts_with("content/about.md changed · "),
        "{changed:?}"
    );
}

/// Edits `content/about.md` and waits for its rebuild to be logged: the
/// watcher handles batches in order, so whatever it had queued before is
/// logged by then.
fn mark_and_wait(server: &Server, root: &Path) {
    let about = root.join("content/about.md");
    let text = read(&about);
    std::fs::write(&about, format!("{text}\nA marker edit.\n")).unwrap();
    // It may share its batch with what was queued: "content/about.md and 1
    // more changed".
    wait_for_line(server, |l| l.starts_with("content/about.md "));
}

#[test]
fn idle_clients_do_not_block_others() {
    let site = fixture("blog");
    let server = serve(site.path());
    // Clients that never finish their request (a slow phone, a stalled
    // tab) hold no worker hostage.
    let mut idle = Vec::new();
    for _ in 0..4 {
        let mut stream = TcpStream::connect(&server.address).unwrap();
        write!(stream, "GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
        idle.push(stream);
        std::thread::sleep(Duration::from_millis(50));
    }
    let started = Instant::now();
    assert_eq!(get(&server, "/").status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    drop(idle);
}

#[test]
fn ctrl_c_stops_the_server_cleanly() {
    let site = fixture("blog");
    let mut server = serve(site.path());
    let pid = server.child.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let started = Instant::now();
    let status = loop {
        if let Some(status) = server.child.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "still running after Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
    wait_for_line(&server, |l| l == "stopped");
    // Nothing was written beside the site but the image cache it shares
    // with builds.
    let names: Vec<String> = std::fs::read_dir(site.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names
            .iter()
            .any(|n| (n.contains("mend") && n != ".mend") || n == "public"),
        "{names:?}"
    );
    if let Ok(kept) = std::fs::read_dir(site.path().join(".mend")) {
        let kept: Vec<String> = kept
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(kept, ["images"]);
    }
}

/// A line of `/proc/PID/status`, as a number (`VmRSS` in KiB, `Threads`).
fn process_status(server: &Server, key: &str) -> usize {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.child.0.id())).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap()
}

#[test]
fn only_requests_addressed_to_this_server_are_answered() {
    let site = fixture("blog");
    let server = serve(site.path());
    let port = server.address.rsplit(':').next().unwrap().to_string();
    for (host, status) in [
        (format!("localhost:{port}"), 200),
        (format!("127.0.0.1:{port}"), 200),
        (format!("[::1]:{port}"), 200),
        (format!("evil.example:{port}"), 421),
        ("rebind.attacker.example".to_string(), 421),
    ] {
        let head = format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        assert_eq!(send(&server, head.as_bytes()).status, status, "{host}");
    }
    let reply = send(&server, b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert_eq!(reply.status, 400);
    assert_eq!(reply.text(), "a Host header is required\n");
}

#[test]
fn huge_request_lines_and_headers_are_refused_without_growing() {
    let site = fixture("blog");
    let server = serve(site.path());
    let before = process_status(&server, "VmRSS");
    // Over the 8 KiB bound, sent in one write or several: refused whole.
    for length in [9 * 1024, 20 * 1024] {
        let long_url = format!(
            "GET /{} HTTP/1.1\r\nHost: localhost\r\n\r\n",
            "a".repeat(length)
        );
        let reply = send(&server, long_url.as_bytes());
        assert_eq!(
            (reply.status, reply.text().as_str()),
            (414, "the request line is too long\n"),
            "{length}"
        );
    }
    // Longer than any head may be: refused before it is all read.
    let huge_url = format!(
        "GET /{} HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "a".repeat(64 << 20)
    );
    assert_eq!(send(&server, huge_url.as_bytes()).status, 431);
    let long_header = format!(
        "GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: {}\r\n\r\n",
        "b".repeat(64 << 20)
    );
    assert_eq!(send(&server, long_header.as_bytes()).status, 431);
    let many: String = (0..100).map(|i| format!("X-{i}: y\r\n")).collect();
    let reply = send(
        &server,
        format!("GET / HTTP/1.1\r\nHost: localhost\r\n{many}\r\n").as_bytes(),
    );
    assert_eq!(reply.status, 431);
    let after = process_status(&server, "VmRSS");
    assert!(
        after < before + 32 * 1024,
        "memory grew from {before} KiB to {after} KiB"
    );
    assert_eq!(get(&server, "/").status, 200);
}

#[test]
fn one_client_cannot_hold_every_connection() {
    let site = fixture("blog");
    let server = serve(site.path());
    // One address opens 1,000 connections and sends nothing.
    let silent: Vec<TcpStream> = (0..1000)
        .map(|_| connect_from(&server, "127.0.0.1"))
        .collect();
    let threads = process_status(&server, "Threads");
    assert!(threads < 100, "{threads} threads for 1,000 connections");
    // Past its bound (32), that address is told the server is busy, at once.
    let mut busy = 0;
    for mut stream in silent.into_iter().skip(32).take(50) {
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw);
        assert!(
            raw.starts_with(b"HTTP/1.1 503 "),
            "{:?}",
            String::from_utf8_lossy(&raw)
        );
        busy += 1;
    }
    assert_eq!(busy, 50);
    // Every other reader is answered meanwhile.
    for source in ["127.0.0.2", "127.0.0.3"] {
        let head = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
        assert_eq!(
            send_from(&server, source, head.as_bytes()).status,
            200,
            "{source}"
        );
    }
}

#[test]
fn silent_and_dawdling_connections_are_closed_when_their_time_is_up() {
    let site = fixture("blog");
    let server = serve(site.path());
    // Nothing sent: closed once the read time (10 s) is up.
    let mut silent = connect_from(&server, "127.0.0.2");
    // A byte now and then: the head must still be whole within that time.
    let mut dawdling = connect_from(&server, "127.0.0.3");
    // Kept alive after an answer, then nothing: closed the same way.
    let mut kept = connect_from(&server, "127.0.0.4");
    write!(kept, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let started = Instant::now();
    let mut closed = [None, None, None];
    let mut sent = 0;
    for stream in [&silent, &dawdling, &kept] {
        stream.set_nonblocking(true).unwrap();
    }
    while closed.iter().any(Option::is_none) && started.elapsed() < Duration::from_secs(60) {
        if sent < 40
            && dawdling
                .write_all(&b"GET / HTTP/1.1\r\nHost: localhost\r\nX: y"[sent..=sent])
                .is_ok()
        {
            sent += 1;
        }
        for (i, stream) in [&mut silent, &mut dawdling, &mut kept]
            .into_iter()
            .enumerate()
        {
            if closed[i].is_none() && is_closed(stream) {
                closed[i] = Some(started.elapsed());
            }
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    for (name, at) in ["silent", "dawdling", "kept alive"].iter().zip(closed) {
        let at = at.unwrap_or_else(|| panic!("the {name} connection was never closed"));
        assert!(
            at > Duration::from_secs(5) && at < Duration::from_secs(30),
            "{name}: {at:?}"
        );
    }
}

/// Reads what a non-blocking stream has; whether the server closed it.
fn is_closed(stream: &mut TcpStream) -> bool {
    let mut chunk = [0u8; 65536];
    match stream.read(&mut chunk) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
    }
}

/// A network namespace of this test's own, joined to this one by a pair of
/// virtual interfaces: a second host whose address is not loopback, for
/// what a server does for peers elsewhere. Removed when dropped.
struct TestHost {
    name: String,
    /// The address inside the namespace, and this side's.
    inside: String,
    outside: String,
}

impl TestHost {
    fn new() -> TestHost {
        let id = std::process::id() % 10_000;
        let name = format!("mend-test-{id}");
        // 198.18.0.0/15 is for tests; one /30 per process.
        let (a, b) = (((id * 4) >> 8) % 256, (id * 4) % 256);
        let outside = format!("198.18.{a}.{}", b + 1);
        let inside = format!("198.18.{a}.{}", b + 2);
        let host = TestHost {
            name: name.clone(),
            inside: inside.clone(),
            outside: outside.clone(),
        };
        let (here, there) = (format!("mh{id}"), format!("mn{id}"));
        for args in [
            vec!["netns", "add", &name],
            vec![
                "link", "add", &here, "type", "veth", "peer", "name", &there, "netns", &name,
            ],
            vec!["addr", "add", &format!("{outside}/30"), "dev", &here],
            vec!["link", "set", &here, "up"],
            vec![
                "-n",
                &name,
                "addr",
                "add",
                &format!("{inside}/30"),
                "dev",
                &there,
            ],
            vec!["-n", &name, "link", "set", &there, "up"],
            vec!["-n", &name, "link", "set", "lo", "up"],
            // Its way out is this side, as a LAN's is its router.
            vec!["-n", &name, "route", "add", "default", "via", &outside],
        ] {
            let status = Command::new("ip").args(&args).status().unwrap();
            assert!(status.success(), "ip {args:?}");
        }
        host
    }
}

impl Drop for TestHost {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
    }
}

#[test]
#[cfg_attr(
    not(running_as_root),
    ignore = "makes a network namespace, which needs root (CI runs as root)"
)]
fn moderation_answers_this_machine_only_whatever_the_bind() {
    let site = fixture("blog");
    let host = TestHost::new();
    let port = free_port().to_string();
    let mut command = Command::new("ip");
    command
        .args(["netns", "exec", &host.name])
        .arg(assert_cmd::cargo::cargo_bin("mend"))
        .args(["serve", "--bind", "0.0.0.0", "--port", &port, "--root"])
        .arg(site.path());
    let server = start_command(command, "serving ");
    // The address to open on a phone is said, not only 127.0.0.1.
    let network = format!(
        "on your network (a phone, say): http://{}:{port}/",
        host.inside
    );
    wait_for_line(&server, |l| l == network);
    let ask = |path: &str, method: &str| {
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}:{port}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}",
            host.inside
        );
        let address: std::net::SocketAddr = format!("{}:{port}", host.inside).parse().unwrap();
        let socket =
            socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        socket
            .bind(&std::net::SocketAddr::new(host.outside.parse().unwrap(), 0).into())
            .unwrap();
        socket
            .connect_timeout(&address.into(), Duration::from_secs(10))
            .unwrap();
        let mut stream: TcpStream = socket.into();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw);
        parse_reply(&raw)
    };
    // A page sent to a peer elsewhere carries live reload, and no token.
    let page = ask("/", "GET");
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("/__mend/livereload.js"), "{html}");
    assert!(!html.contains("data-token"), "{html}");
    assert!(!html.contains("moderation.js"), "{html}");
    // And moderation refuses it, token or not.
    for (path, method) in [
        ("/__mend/moderate", "POST"),
        ("/__mend/pending?page=posts/a-first/", "GET"),
        ("/__mend/moderation.js", "GET"),
    ] {
        let reply = ask(path, method);
        assert_eq!(
            (reply.status, reply.text().as_str()),
            (
                403,
                "moderation in the preview answers only browsers on this machine\n"
            ),
            "{path}"
        );
    }
    drop(server);
}

#[test]
fn a_site_that_cannot_build_yet_is_served_with_its_error_and_recovers_by_itself() {
    let site = fixture("blog");
    let file = site.path().join("content/posts/a-first.md");
    let good = read(&file);
    std::fs::write(&file, "+++\ntitle = \"Broken\ndate = 2024-01-01\n+++\nx\n").unwrap();
    let server = serve(site.path());
    assert!(!status(&server)["error"].is_null());
    // Every page is a page with the live-reload script, which shows the
    // error over it, not a bare text.
    let page = get(&server, "/");
    assert_eq!(page.status, 404);
    let doc = scraper::Html::parse_document(&page.text());
    assert_eq!(
        attrs(&doc, "script[src='/__mend/livereload.js']", "src").len(),
        1,
        "{}",
        page.text()
    );
    assert_eq!(texts(&doc, "title"), ["Not built yet"]);
    // Fixed: the next state asks the tab to reload, and the site is there.
    let before = status(&server);
    std::fs::write(&file, good).unwrap();
    let started = Instant::now();
    let after = loop {
        let state = status(&server);
        if state["error"].is_null() {
            break state;
        }
        assert!(started.elapsed() < Duration::from_secs(15), "{state}");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(
        after["reload_generation"].as_u64().unwrap()
            > before["reload_generation"].as_u64().unwrap()
    );
    assert_eq!(get(&server, "/").status, 200);
}
