//! Living comments: a real `mend comments serve` on loopback takes what
//! readers send, the author moderates from the command line or the preview,
//! and the next build shows the thread.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::common::*;

fn post_form(server: &Server, fields: &[(&str, &str)]) -> Reply {
    post_form_to(server, "/comments/", &[], fields)
}

/// Sends `fields` form-encoded to `path`, with more headers.
fn post_form_to(
    server: &Server,
    path: &str,
    headers: &[(&str, &str)],
    fields: &[(&str, &str)],
) -> Reply {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let mut all = vec![("Content-Type", "application/x-www-form-urlencoded")];
    all.extend_from_slice(headers);
    http(server, "POST", path, &all, body.as_bytes())
}

fn post_json(server: &Server, value: &serde_json::Value) -> Reply {
    http(
        server,
        "POST",
        "/comments/",
        &[("Content-Type", "application/json")],
        value.to_string().as_bytes(),
    )
}

/// The pending submissions, parsed, oldest first (by file name).
fn inbox(root: &Path, folder: &str) -> Vec<toml::Table> {
    let dir = root.join(folder);
    let Ok(entries) = fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| toml::from_str(&read(f)).unwrap())
        .collect()
}

fn field<'a>(table: &'a toml::Table, key: &str) -> &'a str {
    table[key].as_str().unwrap()
}

/// Writes a pending submission as the intake would.
fn pending(root: &Path, id: &str, parent: Option<&str>, body: &str) {
    let parent = parent.map_or(String::new(), |p| format!("parent = \"{p}\"\n"));
    write(
        root,
        &format!("inbox/{id}.toml"),
        &format!(
            "id = \"{id}\"\narticle = \"content/posts/threads.md\"\n{parent}author = \"Reader {id}\"\ndate = \"2026-01-02T03:04:05Z\"\nbody = \"{body}\"\naddress = \"192.0.2.1\"\n"
        ),
    );
}

fn comments_file(root: &Path) -> PathBuf {
    root.join("content/posts/threads.comments.toml")
}

fn run_ok(root: &Path, args: &[&str]) -> String {
    let output = mend().args(args).arg("--root").arg(root).output().unwrap();
    assert!(
        output.status.success(),
        "mend {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn a_reader_comments_the_author_approves_and_the_build_shows_the_thread() {
    let site = open_site();
    let root = site.path();
    let server = intake(root, &[]);

    let reply = post_form(
        &server,
        &[
            ("article", "posts/threads/"),
            ("parent", ""),
            ("author", "Ana"),
            ("email", "ana@private.example"),
            ("url", "ana.example"),
            ("body", "I went **no contact** today.\n\nDay one."),
            ("fax", ""),
        ],
    );
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(
        reply.header("Location"),
        Some("https://comments.example/posts/threads/#comment-sent")
    );
    let reply = post_json(
        &server,
        &json!({"article": "/posts/threads/", "parent": "c1", "author": "Bo", "body": "Day 3 is the hardest."}),
    );
    assert_eq!(reply.status, 201, "{}", reply.text());
    let answer = reply.json();
    assert_eq!(answer["status"], "pending");
    let reply_id = answer["id"].as_str().unwrap().to_string();

    let waiting = inbox(root, "inbox");
    assert_eq!(waiting.len(), 2);
    let ana = waiting
        .iter()
        .find(|t| field(t, "author") == "Ana")
        .unwrap();
    let ana_id = field(ana, "id").to_string();
    assert_eq!(field(ana, "article"), "content/posts/threads.md");
    assert_eq!(field(ana, "url"), "https://ana.example");
    assert_eq!(field(ana, "email"), "ana@private.example");
    assert_eq!(field(ana, "address"), "127.0.0.1");
    assert!(!ana.contains_key("parent"));
    let bo = waiting.iter().find(|t| field(t, "author") == "Bo").unwrap();
    assert_eq!(field(bo, "id"), reply_id);
    assert_eq!(field(bo, "parent"), "c1");

    // Nothing pending is published.
    let public = build(root, &[]);
    let page = read(public.join("posts/threads/index.html"));
    assert!(!page.contains("no contact</strong> today"));

    let before = read(comments_file(root));
    let said = run_ok(root, &["comments", "approve", "--all"]);
    let mut expected = [&ana_id, &reply_id]
        .map(|id| format!("approved {id} into content/posts/threads.comments.toml\n"));
    expected.sort();
    let mut lines: Vec<String> = said.lines().map(|l| format!("{l}\n")).collect();
    lines.sort();
    assert_eq!(lines.concat(), expected.concat());
    let after = read(comments_file(root));
    assert!(
        after.starts_with(&before),
        "the comment file was rewritten, not appended to"
    );
    assert!(inbox(root, "inbox").is_empty());

    let public = build(root, &[]);
    let doc = html(public.join("posts/threads/index.html"));
    let ana_body = texts(&doc, &format!("#comment-{ana_id} .comment-body"));
    assert_eq!(ana_body, ["I went no contact today.\nDay one."]);
    let nested = texts(
        &doc,
        &format!("#comment-c1 #comment-{reply_id} > .comment-body"),
    );
    assert_eq!(nested, ["Day 3 is the hardest."]);
    assert_eq!(
        attrs(
            &doc,
            &format!("#comment-{ana_id} .comment-author a"),
            "href"
        ),
        ["https://ana.example"]
    );
    assert!(!read(public.join("posts/threads/index.html")).contains("ana@private.example"));
}

#[test]
fn every_refusal_has_a_status_and_a_sentence_for_the_reader() {
    let site = open_site_with("comments_max_bytes = 200\n");
    let root = site.path();
    let server = intake(root, &["--per-minute", "0"]);
    let ok = json!({"article": "posts/threads/", "author": "Ana", "body": "Hello."});
    let with = |key: &str, value: &str| {
        let mut v = ok.clone();
        v[key] = json!(value);
        v
    };
    let cases = [
        (
            with("article", "posts/nowhere/"),
            404,
            "There is no article at `posts/nowhere/` on this blog.",
        ),
        (
            with("article", "posts/closed/"),
            403,
            "Comments on this article are closed.",
        ),
        (
            with("author", " "),
            422,
            "Please give your name (at most 100 characters).",
        ),
        (with("body", ""), 422, "Your comment is empty."),
        (
            with("body", &"x".repeat(201)),
            413,
            "Your comment is 201 bytes long; this blog takes comments of at most 200 bytes. Please shorten it.",
        ),
        (
            with(
                "body",
                "a http://a.example b https://b.example c www.c.example d http://d.example",
            ),
            422,
            "Your comment has 4 links; at most 3 are allowed, to keep spam out.",
        ),
        (
            with("url", "javascript:alert(1)"),
            422,
            "The website must be an http:// or https:// address; leave it empty if you have none.",
        ),
        (
            with("email", "not an address"),
            422,
            "The email address does not look right; leave it empty if you prefer.",
        ),
        (
            with("parent", "c999"),
            422,
            "The comment you are replying to is not on this article (it may have been removed).",
        ),
    ];
    for (body, status, message) in cases {
        let reply = post_json(&server, &body);
        assert_eq!(reply.status, status, "{body}");
        assert_eq!(reply.json(), json!({ "error": message }), "{body}");
    }
    let reply = http(
        &server,
        "POST",
        "/comments/",
        &[("Content-Type", "application/json")],
        b"{not json",
    );
    assert_eq!(
        (reply.status, reply.json()),
        (400, json!({"error": "The comment was not valid JSON."}))
    );
    let reply = http(
        &server,
        "POST",
        "/comments/",
        &[("Content-Type", "text/plain")],
        b"hi",
    );
    assert_eq!(reply.status, 415);
    let reply = http(&server, "PUT", "/comments/", &[], b"");
    assert_eq!(
        (reply.status, reply.header("Allow")),
        (405, Some("GET, POST, OPTIONS"))
    );
    let reply = http(&server, "GET", "/comments/elsewhere", &[], b"");
    assert_eq!(reply.status, 404);
    let reply = http(
        &server,
        "POST",
        "/comments/",
        &[("Host", "evil.example")],
        b"",
    );
    assert_eq!(reply.status, 421);
    let huge = vec![b'x'; 16 * 1024 + 700];
    let reply = http(
        &server,
        "POST",
        "/comments/",
        &[("Content-Type", "application/json")],
        &huge,
    );
    assert_eq!(reply.status, 413);

    // A person sending the plain form reads why, in the site's look, and
    // gets the form back as they filled it in.
    let hostile = "Ana \"><script>alert(1)</script>";
    let too_many = "a http://a.example b http://b.example c http://c.example d http://d.example";
    let reply = post_form(
        &server,
        &[
            ("article", "posts/threads/"),
            ("parent", "c1"),
            ("author", hostile),
            ("email", "ana@private.example"),
            ("url", "https://ana.example"),
            ("body", too_many),
        ],
    );
    assert_eq!(reply.status, 422);
    assert_eq!(reply.header("Cache-Control"), Some("no-store"));
    let doc = scraper::Html::parse_document(&reply.text());
    assert_eq!(
        texts(&doc, "title"),
        ["Your comment was not sent · Threads · Comment Fixture"]
    );
    assert_eq!(
        texts(&doc, "#comments-heading"),
        ["Your comment was not sent"]
    );
    assert_eq!(
        texts(&doc, ".refusal"),
        ["Your comment has 4 links; at most 3 are allowed, to keep spam out."]
    );
    assert_eq!(
        attrs(&doc, "link[rel=stylesheet]", "href").len(),
        1,
        "the site's look"
    );
    assert_eq!(
        attrs(&doc, "#comment-form input[name=author]", "value"),
        [hostile]
    );
    assert!(
        doc.select(&scraper::Selector::parse("script:not([src])").unwrap())
            .all(|s| !s.inner_html().contains("alert"))
    );
    assert_eq!(
        attrs(&doc, "#comment-form input[name=email]", "value"),
        ["ana@private.example"]
    );
    assert_eq!(
        attrs(&doc, "#comment-form input[name=url]", "value"),
        ["https://ana.example"]
    );
    assert_eq!(texts(&doc, "#comment-form textarea[name=body]"), [too_many]);
    assert_eq!(
        attrs(&doc, "#comment-form input[name=parent]", "value"),
        ["c1"]
    );
    assert_eq!(texts(&doc, "#reply-title > span"), ["Reply to Alicia"]);
    assert_eq!(attrs(&doc, "#comment-form", "action"), [ENDPOINT]);
    assert_eq!(
        attrs(&doc, ".meta a", "href"),
        ["https://comments.example/posts/threads/#comments"]
    );
    // Where comments are closed, what the reader wrote is kept to copy.
    let reply = post_form(
        &server,
        &[
            ("article", "posts/closed/"),
            ("author", "Ana"),
            ("body", "Kept."),
        ],
    );
    assert_eq!(reply.status, 403);
    let doc = scraper::Html::parse_document(&reply.text());
    assert_eq!(
        texts(&doc, ".refusal"),
        ["Comments on this article are closed."]
    );
    assert!(attrs(&doc, "#comment-form", "action").is_empty());
    assert_eq!(texts(&doc, "textarea[readonly]"), ["Kept."]);
    // Where the article is unknown, a plain page says so.
    let reply = post_form(&server, &[("article", "posts/nowhere/"), ("body", "x")]);
    assert_eq!(reply.status, 404);
    let doc = scraper::Html::parse_document(&reply.text());
    assert_eq!(texts(&doc, "h1"), ["Your comment was not sent"]);
    assert_eq!(
        texts(&doc, "p"),
        ["There is no article at `posts/nowhere/` on this blog."]
    );

    // Only the site's own pages may send comments by script.
    let preflight = |origin: &str| {
        http(
            &server,
            "OPTIONS",
            "/comments/",
            &[
                ("Origin", origin),
                ("Access-Control-Request-Method", "POST"),
            ],
            b"",
        )
    };
    let allowed = preflight("https://comments.example");
    assert_eq!(allowed.status, 204);
    assert_eq!(
        allowed.header("Access-Control-Allow-Origin"),
        Some("https://comments.example")
    );
    // Another page may ask, and its post is refused in words its script
    // can show (a refused preflight looks like a server that is down).
    let other = preflight("https://evil.example");
    assert_eq!(
        (other.status, other.header("Access-Control-Allow-Origin")),
        (204, Some("https://evil.example"))
    );
    let foreign = http(
        &server,
        "POST",
        "/comments/",
        &[
            ("Content-Type", "application/json"),
            ("Origin", "https://evil.example"),
        ],
        ok.to_string().as_bytes(),
    );
    assert_eq!(
        (foreign.status, foreign.json()),
        (
            403,
            json!({"error": "This page (https://evil.example) may not send comments to this server; the blog's owner can allow it by starting the server with --allow-origin https://evil.example."})
        )
    );
    assert_eq!(
        foreign.header("Access-Control-Allow-Origin"),
        Some("https://evil.example")
    );
    // The www. address of the blog is the blog's own, and a person sent
    // from it goes back to it.
    let from_www = http(
        &server,
        "POST",
        "/comments/",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Origin", "https://www.comments.example"),
            // As a proxy at that address passes it on.
            ("Host", "www.comments.example"),
            (
                "Referer",
                "https://www.comments.example/posts/threads/#respond",
            ),
        ],
        b"article=posts%2Fthreads%2F&author=Ana&body=From+the+www+address",
    );
    assert_eq!(
        (from_www.status, from_www.header("Location")),
        (
            303,
            Some("https://www.comments.example/posts/threads/#comment-sent")
        )
    );

    // A repeat is refused; a robot is answered as a person, and its text
    // goes to spam.
    assert_eq!(post_json(&server, &ok).status, 201);
    let again = post_json(&server, &ok);
    assert_eq!(
        (again.status, again.json()),
        (
            409,
            json!({"error": "This comment was already received: it looks as though you have said that already."})
        )
    );
    let robot = post_form(
        &server,
        &[
            ("article", "posts/threads/"),
            ("author", "Bot"),
            ("body", "Buy now"),
            ("fax", "555"),
        ],
    );
    assert_eq!(robot.status, 303);
    assert_eq!(
        inbox(root, "inbox").len(),
        2,
        "only the first Hello and the one from www. are pending"
    );
    let spam = inbox(root, "inbox/spam");
    assert_eq!(spam.len(), 1);
    assert_eq!(field(&spam[0], "author"), "Bot");
}

#[test]
fn senders_are_limited_per_address_and_a_proxy_is_trusted_only_when_told() {
    let site = open_site();
    let root = site.path();
    let server = intake(root, &["--per-minute", "2", "--trust-proxy"]);
    let from = |address: &str, n: usize| {
        let body = json!({"article": "posts/threads/", "author": "Ana", "body": format!("comment {n} from {address}")});
        http(
            &server,
            "POST",
            "/comments/",
            &[
                ("Content-Type", "application/json"),
                ("X-Forwarded-For", &format!("203.0.113.9, {address}")),
            ],
            body.to_string().as_bytes(),
        )
    };
    assert_eq!(from("198.51.100.1", 1).status, 201);
    assert_eq!(from("198.51.100.1", 2).status, 201);
    let third = from("198.51.100.1", 3);
    assert_eq!(third.status, 429);
    assert_eq!(third.header("Retry-After"), Some("60"));
    assert_eq!(from("198.51.100.2", 4).status, 201);
    let addresses: Vec<String> = inbox(root, "inbox")
        .iter()
        .map(|t| field(t, "address").to_string())
        .collect();
    assert_eq!(addresses.iter().filter(|a| *a == "198.51.100.1").count(), 2);
    assert_eq!(addresses.iter().filter(|a| *a == "198.51.100.2").count(), 1);

    // Without --trust-proxy the header is ignored.
    let other = open_site();
    let server = intake(other.path(), &[]);
    let body = json!({"article": "posts/threads/", "author": "Ana", "body": "Hi"});
    let reply = http(
        &server,
        "POST",
        "/comments/",
        &[
            ("Content-Type", "application/json"),
            ("X-Forwarded-For", "198.51.100.7"),
        ],
        body.to_string().as_bytes(),
    );
    assert_eq!(reply.status, 201);
    assert_eq!(
        field(&inbox(other.path(), "inbox")[0], "address"),
        "127.0.0.1"
    );
}

#[test]
fn the_form_and_reply_links_show_only_where_comments_are_open() {
    // No endpoint: threads are shown, and no form invites what cannot come.
    let site = fixture("comments");
    let public = build(site.path(), &[]);
    let doc = html(public.join("posts/threads/index.html"));
    assert!(texts(&doc, "#comment-form").is_empty());
    assert!(texts(&doc, ".comment-reply").is_empty());
    // Nor the script that sends the form.
    assert!(!public.join("comments.js").exists());

    let site = open_site_with("comments_close_after_days = 30\n");
    let root = site.path();
    let today = jiff::Timestamp::now().strftime("%Y-%m-%d").to_string();
    write(
        root,
        "content/posts/fresh.md",
        &format!("+++\ntitle = \"Fresh\"\ndate = {today}\n+++\nNew.\n"),
    );
    let public = build(root, &[]);
    let doc = html(public.join("posts/fresh/index.html"));
    assert_eq!(attrs(&doc, "form#comment-form", "action"), [ENDPOINT]);
    assert_eq!(
        attrs(&doc, "form input[name=article]", "value"),
        ["posts/fresh/"]
    );
    assert_eq!(
        attrs(&doc, "script[src$='comments.js']", "src"),
        ["../../comments.js"]
    );
    assert!(public.join("comments.js").is_file());
    // An old article is closed by age; one closed in its front matter too.
    for old in ["threads", "closed"] {
        let doc = html(public.join(format!("posts/{old}/index.html")));
        assert!(texts(&doc, "#comment-form").is_empty(), "{old}");
        assert!(texts(&doc, ".comment-reply").is_empty(), "{old}");
        assert_eq!(
            texts(&doc, ".comments-closed"),
            ["Comments are closed."],
            "{old}"
        );
    }
    let server = intake(root, &[]);
    let reply = post_json(
        &server,
        &json!({"article": "posts/threads/", "author": "A", "body": "x"}),
    );
    assert_eq!(reply.status, 403);
    let reply = post_json(
        &server,
        &json!({"article": "posts/fresh/", "author": "A", "body": "x"}),
    );
    assert_eq!(reply.status, 201);
}

#[test]
fn readers_without_javascript_reply_through_a_reply_page() {
    let site = open_site();
    let root = site.path();
    let public = build(root, &[]);
    let doc = html(public.join("posts/threads/index.html"));
    let links = attrs(
        &doc,
        "#comment-c1 > .comment-actions a.comment-reply",
        "href",
    );
    assert_eq!(
        links,
        ["https://comments.example/comments/?article=posts%2Fthreads%2F&parent=c1"]
    );
    let server = intake(root, &[]);
    let page = http(
        &server,
        "GET",
        "/comments/?article=posts%2Fthreads%2F&parent=c1",
        &[],
        b"",
    );
    assert_eq!(page.status, 200);
    let doc = scraper::Html::parse_document(&page.text());
    assert_eq!(texts(&doc, "#reply-title span"), ["Reply to Alicia"]);
    assert_eq!(attrs(&doc, "form input[name=parent]", "value"), ["c1"]);
    assert_eq!(
        attrs(&doc, "form input[name=article]", "value"),
        ["posts/threads/"]
    );
    assert_eq!(
        attrs(&doc, "link[rel=stylesheet]", "href"),
        ["https://comments.example/style.css"]
    );
    let missing = http(
        &server,
        "GET",
        "/comments/?article=posts%2Fthreads%2F&parent=nope",
        &[],
        b"",
    );
    assert_eq!(missing.status, 404);
}

#[test]
fn moderation_from_the_command_line() {
    let site = open_site();
    let root = site.path();
    pending(
        root,
        "20260102-030405-aaaa",
        None,
        "First line of a long story\\nand more",
    );
    pending(
        root,
        "20260102-030405-bbbb",
        Some("20260102-030405-aaaa"),
        "A reply to a pending one",
    );
    pending(root, "20260102-030405-cccc", None, "Spam spam");
    pending(root, "20260102-030405-dddd", None, "Mistake");
    let listed = run_ok(root, &["comments", "inbox"]);
    let days = listed
        .lines()
        .nth(1)
        .unwrap()
        .rsplit("  ")
        .next()
        .unwrap()
        .to_string();
    assert!(days.ends_with("days ago"), "{listed}");
    assert_eq!(
        listed.replace(&days, "AGE"),
        "4 comments waiting:\n\
         20260102-030405-aaaa  content/posts/threads.md  Reader 20260102-030405-aaaa  AGE\n    First line of a long story\n\
         20260102-030405-bbbb  content/posts/threads.md  Reader 20260102-030405-bbbb  AGE (reply to 20260102-030405-aaaa)\n    A reply to a pending one\n\
         20260102-030405-cccc  content/posts/threads.md  Reader 20260102-030405-cccc  AGE\n    Spam spam\n\
         20260102-030405-dddd  content/posts/threads.md  Reader 20260102-030405-dddd  AGE\n    Mistake\n"
    );

    // A reply waits for its parent; unknown ids are named.
    assert_eq!(
        failing(root, &["comments", "approve", "20260102-030405-bbbb"]),
        "error: comment `20260102-030405-bbbb` replies to `20260102-030405-aaaa`, which is still waiting in the inbox; approve `20260102-030405-aaaa` first, or both together\n"
    );
    assert_eq!(
        failing(root, &["comments", "approve", "nope"]),
        "error: no pending comment `nope` in ROOT/inbox; `mend comments inbox` lists them\n"
    );
    assert_eq!(
        failing(root, &["comments", "reply", "c1", "--body", "  "]),
        "error: the reply is empty; nothing was written\n"
    );
    assert_eq!(
        failing(root, &["comments", "reply", "c404", "--body", "Hi"]),
        "error: no comment `c404` in the inbox or in any comment file; `mend comments inbox` lists pending ones, and ids are shown in a comment's link (#comment-ID)\n"
    );
    assert_eq!(
        failing(
            root,
            &["comments", "reply", "c1", "--body", "Hi", "--as", "ben"]
        ),
        "error: no author `ben` under [authors] in site.toml (known: zan)\n"
    );
    // With several authors, the reply says who writes it.
    let config = root.join("site.toml");
    let one_author = read(&config);
    let two = one_author.replace(
        "[authors.zan]",
        "[authors.ben]\nname = \"Ben\"\nbio = \"\"\n\n[authors.zan]",
    );
    fs::write(&config, two).unwrap();
    assert_eq!(
        failing(root, &["comments", "reply", "c1", "--body", "Hi"]),
        "error: the site has several authors (ben, zan); choose who replies with --as KEY\n"
    );
    fs::write(&config, one_author).unwrap();

    run_ok(root, &["comments", "spam", "20260102-030405-cccc"]);
    assert!(root.join("inbox/spam/20260102-030405-cccc.toml").is_file());
    assert_eq!(
        run_ok(root, &["comments", "delete", "20260102-030405-dddd"]),
        "deleted 1 comment\n"
    );
    let before = read(comments_file(root));
    // Replying to a pending comment approves it first.
    let said = run_ok(
        root,
        &[
            "comments",
            "reply",
            "20260102-030405-aaaa",
            "--body",
            "Welcome, *reader*.",
        ],
    );
    assert!(
        said.starts_with(
            "approved 20260102-030405-aaaa into content/posts/threads.comments.toml\nreplied as "
        ),
        "{said}"
    );
    // A reply in the editor: what is above the scissors line.
    let editor = root.join("editor.sh");
    fs::write(
        &editor,
        "#!/bin/sh\nprintf 'From the editor.\\n\\n%s\\n' \"$(cat \"$1\")\" > \"$1\"\n",
    )
    .unwrap();
    let output = mend()
        .args(["comments", "reply", "c3", "--build", "--root"])
        .arg(root)
        .env("EDITOR", format!("sh {}", editor.display()))
        // An empty VISUAL is as good as none: EDITOR is used.
        .env("VISUAL", "")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    run_ok(root, &["comments", "approve", "20260102-030405-bbbb"]);
    let after = read(comments_file(root));
    assert!(after.starts_with(&before));
    let added: toml::Table = toml::from_str(&after[before.len()..]).unwrap();
    let added = added["comment"].as_array().unwrap();
    let summary: Vec<(String, Option<&str>, bool, &str)> = added
        .iter()
        .map(|c| {
            (
                c["author"].as_str().unwrap().to_string(),
                c.get("parent").and_then(toml::Value::as_str),
                c.get("by_author")
                    .and_then(toml::Value::as_bool)
                    .unwrap_or(false),
                c["body"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "Reader 20260102-030405-aaaa".into(),
                None,
                false,
                "First line of a long story\nand more"
            ),
            (
                "Zan".into(),
                Some("20260102-030405-aaaa"),
                true,
                "Welcome, *reader*."
            ),
            ("Zan".into(), Some("c3"), true, "From the editor."),
            (
                "Reader 20260102-030405-bbbb".into(),
                Some("20260102-030405-aaaa"),
                false,
                "A reply to a pending one"
            ),
        ]
    );
    assert_eq!(
        run_ok(root, &["comments", "inbox"]),
        "no comments waiting\n"
    );
    // --build rebuilt the site with the editor's reply, marked the author's.
    let doc = html(root.join("public/posts/threads/index.html"));
    let by_author = texts(&doc, ".by-author > .comment-body");
    assert!(
        by_author.iter().any(|t| t == "From the editor."),
        "{by_author:?}"
    );
}

#[test]
fn pull_brings_pending_comments_home_and_the_server_forgets_them() {
    let remote = open_site();
    let token_file = remote.path().join("token");
    fs::write(&token_file, "s3cret-token\n").unwrap();
    let token = token_file.to_str().unwrap();
    let server = intake(remote.path(), &["--token-file", token]);
    for n in 0..3 {
        let body =
            json!({"article": "posts/threads/", "author": "Ana", "body": format!("Comment {n}")});
        assert_eq!(post_json(&server, &body).status, 201);
    }
    let sent = inbox(remote.path(), "inbox");
    let home = open_site();
    let url = format!("http://{}/comments/", server.address);

    let wrong = home.path().join("wrong");
    fs::write(&wrong, "guess").unwrap();
    assert_eq!(
        failing(
            home.path(),
            &[
                "comments",
                "pull",
                &url,
                "--token-file",
                wrong.to_str().unwrap()
            ]
        ),
        format!(
            "error: cannot pull comments from {url}: the server answered 401: a valid token is needed\n"
        )
    );
    assert_eq!(
        failing(
            home.path(),
            &[
                "comments",
                "pull",
                "http://comments.example/comments/",
                "--token-file",
                token
            ]
        ),
        "error: cannot pull comments from http://comments.example/comments/: the token would travel in the clear; use an https:// address (http:// only to this machine)\n"
    );
    let output = mend()
        .args(["comments", "pull", &url, "--root"])
        .arg(home.path())
        .env("MEND_COMMENTS_TOKEN", "s3cret-token")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "pulled 3 comments into the inbox\n"
    );
    assert_eq!(inbox(home.path(), "inbox"), sent);
    assert!(inbox(remote.path(), "inbox").is_empty());
    assert_eq!(
        run_ok(
            home.path(),
            &["comments", "pull", &url, "--token-file", token]
        ),
        "pulled 0 comments into the inbox\n"
    );
    // Without a token, the server hands nothing out.
    let closed = intake(open_site().path(), &[]);
    assert_eq!(
        http(
            &closed,
            "GET",
            "/comments/inbox",
            &[("Authorization", "Bearer x")],
            b""
        )
        .status,
        404
    );
}

#[test]
fn the_comment_hook_gets_each_comment_and_its_failure_loses_nothing() {
    let site = open_site();
    let root = site.path();
    let out = root.join("hook.json");
    let hook = format!("cat > '{}'", out.display());
    let server = intake(root, &["--on-comment", &hook]);
    let reply = post_json(
        &server,
        &json!({"article": "posts/threads/", "author": "Ana", "body": "Hello"}),
    );
    let id = reply.json()["id"].as_str().unwrap().to_string();
    let started = std::time::Instant::now();
    while !out.is_file() || read(&out).is_empty() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "the hook never ran"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(50));
    let told: serde_json::Value = serde_json::from_str(&read(&out)).unwrap();
    assert_eq!(
        (told["id"].as_str(), told["author"].as_str()),
        (Some(id.as_str()), Some("Ana"))
    );

    let failing_site = open_site();
    let server = intake(failing_site.path(), &["--on-comment", "exit 3"]);
    let reply = post_json(
        &server,
        &json!({"article": "posts/threads/", "author": "Ana", "body": "Hello"}),
    );
    assert_eq!(reply.status, 201);
    assert_eq!(inbox(failing_site.path(), "inbox").len(), 1);
    let id = reply.json()["id"].as_str().unwrap().to_string();
    // A log line: a timestamp, the level, where, and the sentence.
    let expected = format!(
        " WARN mend::intake: --on-comment for comment {id} failed: it ended with exit status: 3; the comment is kept in the inbox"
    );
    let started = std::time::Instant::now();
    while !server.lines.lock().unwrap().iter().any(|l| {
        l.ends_with(&expected)
            && l.split_once(' ')
                .is_some_and(|(time, _)| time.parse::<jiff::Timestamp>().is_ok())
    }) {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{:?}",
            server.lines.lock().unwrap()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn the_preview_shows_pending_comments_and_moderates_them_with_its_token() {
    let site = open_site();
    let root = site.path();
    pending(
        root,
        "20260102-030405-aaaa",
        Some("c1"),
        "Pending <script>alert(1)</script> **hi**",
    );
    pending(root, "20260102-030405-bbbb", None, "To delete");
    let server = start_server(
        &["serve", "--port", &free_port().to_string()],
        root,
        "serving ",
    );
    let page = http(&server, "GET", "/posts/threads/", &[], b"").text();
    let doc = scraper::Html::parse_document(&page);
    let token = attrs(&doc, "script[src='/__mend/moderation.js']", "data-token");
    assert_eq!(token.len(), 1, "{page}");
    let token = token[0].clone();
    assert!(
        !page.contains("Pending"),
        "pending comments are not in the page itself"
    );

    let list = http(
        &server,
        "GET",
        "/__mend/pending?page=posts%2Fthreads%2F",
        &[],
        b"",
    )
    .json();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["id"], "20260102-030405-aaaa");
    assert_eq!(list[0]["parent"], "c1");
    assert_eq!(list[0]["body"], "<p>Pending  <strong>hi</strong></p>\n");
    let other = http(
        &server,
        "GET",
        "/__mend/pending?page=posts%2Fhostile%2F",
        &[],
        b"",
    )
    .json();
    assert_eq!(other, json!([]));

    let act = |headers: &[(&str, &str)], body: serde_json::Value| {
        http(
            &server,
            "POST",
            "/__mend/moderate",
            headers,
            body.to_string().as_bytes(),
        )
    };
    let approve =
        json!({"action": "approve", "id": "20260102-030405-aaaa", "page": "posts/threads/"});
    let json_type = ("Content-Type", "application/json");
    assert_eq!(act(&[json_type], approve.clone()).status, 403);
    assert_eq!(
        act(&[json_type, ("X-Mend-Token", "wrong")], approve.clone()).status,
        403
    );
    let origin = ("Origin", "http://evil.example");
    assert_eq!(
        act(
            &[json_type, ("X-Mend-Token", &token), origin],
            approve.clone()
        )
        .status,
        403
    );
    assert_eq!(
        act(&[("X-Mend-Token", &token)], approve.clone()).status,
        400
    );
    let done = act(&[json_type, ("X-Mend-Token", &token)], approve);
    assert_eq!(
        (done.status, done.json()),
        (200, json!({"done": "approved"}))
    );
    let reply = json!({"action": "reply", "id": "20260102-030405-aaaa", "page": "posts/threads/", "body": "Thanks for writing."});
    assert_eq!(
        act(&[json_type, ("X-Mend-Token", &token)], reply).status,
        200
    );
    let delete =
        json!({"action": "delete", "id": "20260102-030405-bbbb", "page": "posts/threads/"});
    assert_eq!(
        act(&[json_type, ("X-Mend-Token", &token)], delete).status,
        200
    );
    let unknown =
        json!({"action": "publish", "id": "20260102-030405-bbbb", "page": "posts/threads/"});
    let refused = act(&[json_type, ("X-Mend-Token", &token)], unknown);
    assert_eq!(
        (refused.status, refused.json()),
        (
            400,
            json!({"error": "send the action as JSON: {\"action\": \"approve\", \"spam\", \"delete\" or \"reply\", \"id\": …}"})
        )
    );
    let again = json!({"action": "delete", "id": "20260102-030405-bbbb", "page": "posts/threads/"});
    let refused = act(&[json_type, ("X-Mend-Token", &token)], again);
    assert_eq!(refused.status, 422);
    assert!(inbox(root, "inbox").is_empty());
    let file = read(comments_file(root));
    assert!(file.contains("id = \"20260102-030405-aaaa\""));
    assert!(file.contains("body = \"Thanks for writing.\""));
    // The preview rebuilds with the approved comment and the reply.
    let started = std::time::Instant::now();
    loop {
        let page = http(&server, "GET", "/posts/threads/", &[], b"").text();
        if page.contains("comment-20260102-030405-aaaa") && page.contains("Thanks for writing.") {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(15),
            "the preview never showed the approval"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Sends a form to the preview's own desk, as its page's form does.
fn post_preview(server: &Server, origin: &str, fields: &[(&str, &str)]) -> Reply {
    post_form_to(server, "/__mend/comments/", &[("Origin", origin)], fields)
}

#[test]
fn the_preview_takes_comments_itself_and_shows_the_whole_conversation() {
    let site = open_site();
    let root = site.path();
    let server = start_server(
        &["serve", "--port", &free_port().to_string()],
        root,
        "serving ",
    );
    let own = format!("http://{}", server.address);
    // From the root: a page opened at another name of this machine
    // sends to where it came from.
    let desk = "/__mend/comments/";
    let page = http(&server, "GET", "/posts/threads/", &[], b"").text();
    let doc = scraper::Html::parse_document(&page);
    assert_eq!(attrs(&doc, "form#comment-form", "action"), [desk]);
    let reply_link = "/__mend/comments/?article=posts%2Fthreads%2F&parent=c1";
    assert_eq!(
        attrs(
            &doc,
            "#comment-c1 > .comment-actions a.comment-reply",
            "href"
        ),
        [reply_link]
    );
    let token = attrs(&doc, "script[src='/__mend/moderation.js']", "data-token")[0].clone();

    // A reader's comment, without script: stored, and back to the page.
    let fields = [
        ("article", "posts/threads/"),
        ("author", "Dana"),
        ("email", "dana@example.com"),
        ("body", "It has been **three weeks** of no contact."),
    ];
    let sent = post_preview(&server, &own, &fields);
    assert_eq!(sent.status, 303, "{}", sent.text());
    assert_eq!(
        sent.header("location"),
        Some(format!("{own}/posts/threads/#comment-sent").as_str())
    );
    let stored = inbox(root, "inbox");
    assert_eq!(stored.len(), 1);
    assert_eq!(field(&stored[0], "author"), "Dana");
    assert_eq!(field(&stored[0], "article"), "content/posts/threads.md");
    assert_eq!(field(&stored[0], "email"), "dana@example.com");
    let id = field(&stored[0], "id").to_string();
    // The same checks as the comment server: a repeat of a pending
    // comment or of a published one, a page elsewhere.
    let again = post_preview(&server, &own, &fields);
    assert_eq!(again.status, 409);
    let published = [
        ("article", "posts/threads/"),
        ("author", "Zan"),
        ("body", "Never too late. Start again *tomorrow*."),
    ];
    assert_eq!(post_preview(&server, &own, &published).status, 409);
    // What a robot sent (the hidden field filled) keeps no one from saying it.
    let robot = [
        ("article", "posts/threads/"),
        ("author", "Eli"),
        ("body", "Said by a robot first."),
        ("fax", "x"),
    ];
    assert_eq!(post_preview(&server, &own, &robot).status, 303);
    assert_eq!(post_preview(&server, &own, &robot[..3]).status, 303);
    let human = inbox(root, "inbox");
    assert_eq!(human.len(), 2);
    let eli = human.iter().find(|t| field(t, "author") == "Eli").unwrap();
    fs::remove_file(root.join(format!("inbox/{}.toml", field(eli, "id")))).unwrap();
    let elsewhere = http(
        &server,
        "POST",
        "/__mend/comments/",
        &[
            ("Content-Type", "application/json"),
            ("Origin", "http://evil.example"),
        ],
        json!({"article": "posts/threads/", "author": "Eve", "body": "Hi"})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(
        (elsewhere.status, elsewhere.json()),
        (
            403,
            json!({"error": format!("This page (http://evil.example) may not send comments to the preview; only its own pages may: open it at {own}/.")})
        )
    );
    assert_eq!(inbox(root, "inbox").len(), 1);

    // The writer approves it in the preview; the page shows it.
    let approve = json!({"action": "approve", "id": id, "page": "posts/threads/"});
    let done = http(
        &server,
        "POST",
        "/__mend/moderate",
        &[
            ("Content-Type", "application/json"),
            ("X-Mend-Token", &token),
        ],
        approve.to_string().as_bytes(),
    );
    assert_eq!(done.status, 200);
    let anchor = format!("comment-{id}");
    wait_for_page(&server, "/posts/threads/", |page| page.contains(&anchor));

    // A reply to it through the no-script reply page, sent by script.
    let path = format!("/__mend/comments/?article=posts%2Fthreads%2F&parent={id}");
    let reply_page = http(&server, "GET", &path, &[], b"");
    assert_eq!(reply_page.status, 200, "{}", reply_page.text());
    let doc = scraper::Html::parse_document(&reply_page.text());
    assert_eq!(texts(&doc, "#reply-title span"), ["Reply to Dana"]);
    assert_eq!(attrs(&doc, "form#comment-form", "action"), [desk]);
    let answer = http(
        &server,
        "POST",
        "/__mend/comments/",
        &[("Content-Type", "application/json"), ("Origin", &own)],
        json!({"article": "posts/threads/", "parent": id, "author": "Sam", "body": "Same here."})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(answer.status, 201, "{}", answer.text());
    assert_eq!(answer.json()["status"], "pending");
    let stored = inbox(root, "inbox");
    assert_eq!(stored.len(), 1);
    assert_eq!(field(&stored[0], "parent"), id);

    // The preview opened at another name of this machine takes comments
    // from its pages too, and sends the reader back there.
    let port = server.address.rsplit(':').next().unwrap();
    let local = format!("localhost:{port}");
    let body = "article=posts%2Fthreads%2F&author=Lee&body=From+localhost";
    let sent = http(
        &server,
        "POST",
        "/__mend/comments/",
        &[
            ("Host", &local),
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Origin", &format!("http://{local}")),
        ],
        body.as_bytes(),
    );
    assert_eq!(sent.status, 303, "{}", sent.text());
    assert_eq!(
        sent.header("location"),
        Some(format!("http://{local}/posts/threads/#comment-sent").as_str())
    );
    assert_eq!(inbox(root, "inbox").len(), 2);
}

/// Waits until the page at `path` satisfies `wanted` (the preview rebuilt).
fn wait_for_page(server: &Server, path: &str, wanted: impl Fn(&str) -> bool) {
    let started = std::time::Instant::now();
    loop {
        let page = http(server, "GET", path, &[], b"").text();
        if wanted(&page) {
            return;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(15),
            "the preview never showed it: {page}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
