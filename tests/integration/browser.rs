//! Live reload in a real browser: headless Chromium, driven over WebDriver
//! by chromedriver, watches a page change after an edit with no action in
//! the browser. `.ci/run` installs Debian's `chromium` and `chromium-driver`;
//! where they are missing (as `build.rs` finds when the tests are compiled)
//! the test is reported as ignored, with the reason.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use serde_json::{Value, json};

/// One HTTP exchange with JSON, as WebDriver speaks it.
fn call(port: u16, method: &str, path: &str, body: Option<Value>) -> Value {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    // Read the head, then exactly Content-Length bytes: chromedriver may
    // keep the connection open whatever the request says.
    let mut reader = BufReader::new(stream);
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&body)))
}

struct Browser {
    port: u16,
    session: String,
    _driver: Killed,
}

impl Browser {
    fn start() -> Browser {
        Browser::start_with(&[])
    }

    /// A browser started with more command-line switches.
    fn start_with(extra: &[&str]) -> Browser {
        let port = free_port();
        let driver = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let driver = Killed(driver);
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let profile = tempfile::tempdir().unwrap().keep();
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=500,400",
            &format!("--user-data-dir={}", profile.display()),
        ];
        let args: Vec<&str> = args.iter().copied().chain(extra.iter().copied()).collect();
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args},
            "goog:loggingPrefs": {"performance": "ALL"}
        }}});
        let reply = call(port, "POST", "/session", Some(capabilities));
        let session = reply["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {reply}"))
            .to_string();
        Browser {
            port,
            session,
            _driver: driver,
        }
    }

    fn post(&self, what: &str, body: Value) -> Value {
        call(
            self.port,
            "POST",
            &format!("/session/{}/{what}", self.session),
            Some(body),
        )["value"]
            .clone()
    }

    /// Every address the page has asked for since the last call, from
    /// Chromium's network log (frames and scripts as well as fetches).
    fn requested(&self) -> Vec<String> {
        let log = self.post("se/log", json!({"type": "performance"}));
        let entries = log.as_array().cloned().unwrap_or_default();
        entries
            .iter()
            .filter_map(|entry| serde_json::from_str::<Value>(entry["message"].as_str()?).ok())
            .filter(|m| m["message"]["method"] == "Network.requestWillBeSent")
            .filter_map(|m| {
                Some(
                    m["message"]["params"]["request"]["url"]
                        .as_str()?
                        .to_string(),
                )
            })
            .collect()
    }

    fn open(&self, url: &str) {
        self.post("url", json!({ "url": url }));
    }

    /// Runs `script`, which calls its last argument with what it found.
    fn run_async(&self, script: &str) -> Value {
        self.post("execute/async", json!({ "script": script, "args": [] }))
    }

    /// Shows pages as a reader who prefers `scheme` (`light`, `dark`) sees them.
    fn prefer(&self, scheme: &str) {
        let features = [json!({"name": "prefers-color-scheme", "value": scheme})];
        self.post(
            "goog/cdp/execute",
            json!({"cmd": "Emulation.setEmulatedMedia", "params": {"features": features}}),
        );
    }

    fn run(&self, script: &str) -> Value {
        self.post("execute/sync", json!({ "script": script, "args": [] }))
    }

    /// Waits until `script` returns true in the current tab.
    fn wait_for(&self, script: &str, what: &str) {
        let started = Instant::now();
        while self.run(script) != json!(true) {
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "the browser never showed {what}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The WebDriver id of the first element matching `css`.
    fn find(&self, css: &str) -> String {
        let found = self.post("element", json!({"using": "css selector", "value": css}));
        found
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}: {found}"))
            .to_string()
    }

    /// Types into the element matching `css`, as a person would.
    fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css);
        self.post(&format!("element/{element}/value"), json!({ "text": text }));
    }

    fn click(&self, css: &str) {
        let element = self.find(css);
        self.post(&format!("element/{element}/click"), json!({}));
    }

    fn url(&self) -> String {
        call(
            self.port,
            "GET",
            &format!("/session/{}/url", self.session),
            None,
        )["value"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Waits until the tab's address passes `test`.
    fn wait_for_url(&self, test: impl Fn(&str) -> bool, what: &str) {
        let started = Instant::now();
        while !test(&self.url()) {
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "the browser never reached {what}: {}",
                self.url()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn is_displayed(&self, css: &str) -> bool {
        let element = self.find(css);
        call(
            self.port,
            "GET",
            &format!("/session/{}/element/{element}/displayed", self.session),
            None,
        )["value"]
            == json!(true)
    }

    fn new_tab(&self) -> String {
        self.post("window/new", json!({ "type": "tab" }))["handle"]
            .as_str()
            .unwrap()
            .to_string()
    }

    fn current_tab(&self) -> String {
        call(
            self.port,
            "GET",
            &format!("/session/{}/window", self.session),
            None,
        )["value"]
            .as_str()
            .unwrap()
            .to_string()
    }

    fn switch_to(&self, handle: &str) {
        self.post("window", json!({ "handle": handle }));
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        call(
            self.port,
            "DELETE",
            &format!("/session/{}", self.session),
            None,
        );
    }
}

fn start_serve(root: &Path) -> (Killed, String) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("mend"))
        .args(["serve", "--port", &free_port().to_string(), "--root"])
        .arg(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let url = loop {
        let line = lines.next().expect("serve printed its address").unwrap();
        if let Some(at) = line.find("http://") {
            break line[at..]
                .split(' ')
                .next()
                .unwrap()
                .trim_end_matches('/')
                .to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (Killed(child), url)
}

#[test]
#[cfg_attr(
    not(has_chromium),
    ignore = "needs /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium chromium-driver)"
)]
fn an_open_page_follows_edits_without_any_action_in_the_browser() {
    let browser = Browser::start();
    let site = fixture("blog");
    let long_body = "\n\nA paragraph to make the page long enough to scroll.".repeat(60);
    let file = site.path().join("content/posts/a-first.md");
    std::fs::write(&file, format!("{}{long_body}\n", read(&file))).unwrap();
    write(
        site.path(),
        "static/style.css",
        "body { background: rgb(1, 2, 3); }\n",
    );
    let (_serve, url) = start_serve(site.path());

    browser.open(&format!("{url}/posts/a-first/"));
    let first_tab = browser.current_tab();
    browser.wait_for(
        "return document.querySelector('.content') !== null",
        "the article",
    );
    let second_tab = browser.new_tab();
    browser.switch_to(&second_tab);
    browser.open(&format!("{url}/posts/a-first/"));
    browser.switch_to(&first_tab);
    browser.run("window.scrollTo(0, 300); window.mendMarker = 'before';");

    // An edit to the article: the page changes by itself, scrolled as it was.
    std::fs::write(
        &file,
        read(&file).replace("opening paragraph", "BROWSER-EDIT paragraph"),
    )
    .unwrap();
    browser.wait_for(
        "return document.body.innerText.includes('BROWSER-EDIT')",
        "the edited text",
    );
    browser.wait_for("return window.scrollY > 250", "the same scroll position");
    assert_eq!(
        browser.run("return window.mendMarker === undefined"),
        json!(true),
        "the page reloaded"
    );
    browser.switch_to(&second_tab);
    browser.wait_for(
        "return document.body.innerText.includes('BROWSER-EDIT')",
        "the edit in the second tab",
    );
    browser.switch_to(&first_tab);

    // A stylesheet edit is swapped in without a reload.
    browser.run("window.mendMarker = 'kept';");
    write(
        site.path(),
        "static/style.css",
        "body { background: rgb(4, 5, 6); }\n",
    );
    browser.wait_for(
        "return getComputedStyle(document.body).backgroundColor === 'rgb(4, 5, 6)'",
        "the new stylesheet",
    );
    assert_eq!(
        browser.run("return window.mendMarker"),
        json!("kept"),
        "a CSS change must not reload the page"
    );

    // A broken edit shows an overlay naming the file; a fix clears it.
    let good = read(&file);
    std::fs::write(
        &file,
        good.replace("title = \"First Article\"", "title = \"First Article"),
    )
    .unwrap();
    browser.wait_for(
        "const o = document.getElementById('mend-error-overlay'); return o !== null && o.textContent.includes('a-first.md:2')",
        "the error overlay",
    );
    assert_eq!(
        browser.run("return document.body.innerText.includes('BROWSER-EDIT')"),
        json!(true),
        "the last good page stays"
    );
    std::fs::write(&file, good.replace("BROWSER-EDIT", "FIXED")).unwrap();
    browser.wait_for(
        "return document.getElementById('mend-error-overlay') === null && document.body.innerText.includes('FIXED paragraph')",
        "the fixed page",
    );
}

/// The comment fixture served by `mend serve`, with `mend comments serve`
/// as its endpoint and replies by mail offered (the preview sends none);
/// both addresses are on loopback.
fn commenting_site() -> (tempfile::TempDir, Server) {
    let site = open_site();
    let config = site.path().join("site.toml");
    let text = format!(
        "{}\n[notify]\nsmtp = \"smtp://127.0.0.1:1\"\nfrom = \"Blog <b@comments.example>\"\n",
        read(&config)
    );
    std::fs::write(&config, text).unwrap();
    let serve = start_server(
        &["serve", "--port", &free_port().to_string()],
        site.path(),
        "serving ",
    );
    (site, serve)
}

/// The pending comments' authors and parents.
fn pending_replies(root: &Path) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = std::fs::read_dir(root.join("inbox"))
        .map(|entries| {
            entries
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .map(|p| {
                    let t: toml::Table = toml::from_str(&read(&p)).unwrap();
                    let get = |k: &str| t.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
                    (get("author"), get("parent"))
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

#[test]
#[cfg_attr(
    not(has_chromium),
    ignore = "needs /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium chromium-driver)"
)]
fn a_reader_replies_to_a_comment_with_javascript() {
    let (site, serve) = commenting_site();
    let browser = Browser::start();
    browser.open(&format!("http://{}/posts/threads/", serve.address));
    browser.wait_for(
        "return document.querySelector('#comment-form') !== null",
        "the form",
    );
    // "Email me when someone replies" shows once there is an address.
    assert!(!browser.is_displayed("#comment-subscribe"));
    browser.type_into("#comment-email", "ana@reader.example");
    assert!(browser.is_displayed("#comment-subscribe"));
    browser.run("document.getElementById('comment-email').value = ''; document.getElementById('comment-email').dispatchEvent(new Event('input'))");
    assert!(!browser.is_displayed("#comment-subscribe"));
    browser.click("#comment-c2 > .comment-actions a.comment-reply");
    browser.wait_for(
        "return document.querySelector('#comment-c2 > #respond #comment-form') !== null",
        "the form moved under the comment",
    );
    assert_eq!(
        browser.run("return document.querySelector('#comment-form [name=parent]').value"),
        json!("c2")
    );
    assert_eq!(
        browser.run("return document.querySelector('#reply-title span').textContent"),
        json!("Reply to Zan")
    );
    browser.type_into("#comment-author", "Ana");
    browser.type_into("#comment-body", "Sent with the script.");
    browser.click("#comment-form button[type=submit]");
    browser.wait_for(
        "const n = document.getElementById('comment-sent'); return getComputedStyle(n).display === 'block'",
        "the pending notice",
    );
    assert_eq!(
        pending_replies(site.path()),
        [("Ana".to_string(), "c2".to_string())]
    );
    assert_eq!(
        browser.run("return document.querySelector('#comments > #respond #comment-form') !== null"),
        json!(true),
        "the form went back under the thread"
    );

    // When the server is down, what was typed stays.
    drop(serve);
    browser.type_into("#comment-body", "Kept when sending fails.");
    browser.click("#comment-form button[type=submit]");
    browser.wait_for(
        "const e = document.querySelector('#comment-form .form-error'); return !e.hidden && e.textContent.includes('still here')",
        "the sending error",
    );
    assert_eq!(
        browser.run("return document.getElementById('comment-body').value"),
        json!("Kept when sending fails.")
    );
}

#[test]
#[cfg_attr(
    not(has_chromium),
    ignore = "needs /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium chromium-driver)"
)]
fn a_reader_comments_and_replies_with_javascript_off() {
    let (site, serve) = commenting_site();
    let browser = Browser::start_with(&["--blink-settings=scriptEnabled=false"]);
    let article = format!("http://{}/posts/threads/", serve.address);
    browser.open(&article);
    assert!(!browser.is_displayed("#comment-sent"));
    // Without script, the box is always there, and says it needs an address.
    assert!(browser.is_displayed("#comment-subscribe"));
    browser.type_into("#comment-author", "Noscript");
    browser.type_into("#comment-body", "A plain form post.");
    browser.click("#comment-form button[type=submit]");
    let sent = format!("{article}#comment-sent");
    browser.wait_for_url(|url| url == sent, "the article's notice");
    assert!(
        browser.is_displayed("#comment-sent"),
        "the notice shows by :target"
    );

    // Reply opens the reply page (of the preview's desk).
    browser.click("#comment-c1 > .comment-actions a.comment-reply");
    browser.wait_for_url(|url| url.contains("parent=c1"), "the reply page");
    browser.type_into("#comment-author", "Noscript");
    browser.type_into("#comment-body", "A reply without script.");
    browser.click("#comment-form button[type=submit]");
    let sent = format!("{article}#comment-sent");
    browser.wait_for_url(|url| url == sent, "the article's notice");
    assert_eq!(
        pending_replies(site.path()),
        [
            ("Noscript".to_string(), String::new()),
            ("Noscript".to_string(), "c1".to_string())
        ]
    );
}

/// Types `query` into the search page afresh and waits for `status`.
fn search_in_page(browser: &Browser, query: &str, status: &str) {
    browser.run("document.getElementById('search-query').value = ''");
    browser.type_into("#search-query", query);
    browser.wait_for(
        &format!("return document.querySelector('#search-status').textContent === {status:?}"),
        status,
    );
}

/// The shard of a term among the 16 of the search fixture, as the page's
/// script finds it (FNV-1a of its first two characters).
fn shard_of_word(term: &str) -> String {
    let first: String = term.chars().take(2).collect();
    let hash = first.bytes().fold(0x811c_9dc5_u32, |hash, b| {
        (hash ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    format!("{:02x}", hash % 16)
}

/// The texts of every element matching `css`, in the current tab.
fn texts_in(browser: &Browser, css: &str) -> Value {
    browser.run(&format!(
        "return Array.from(document.querySelectorAll({css:?}), e => e.textContent)"
    ))
}

#[test]
#[cfg_attr(
    not(has_chromium),
    ignore = "needs /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium chromium-driver)"
)]
fn a_reader_searches_from_the_header_and_as_they_type() {
    let site = fixture("search");
    let (_serve, url) = start_serve(site.path());
    let browser = Browser::start();
    browser.open(&format!("{url}/posts/relapse/"));
    browser.type_into(".site-search input[name=q]", "birthd");
    browser.click(".site-search button");
    browser.wait_for_url(|u| u.ends_with("/search/?q=birthd"), "the search page");
    browser.wait_for(
        "return document.querySelectorAll('.search-result').length === 2",
        "two results",
    );
    assert_eq!(
        texts_in(&browser, ".search-title"),
        json!(["Their Birthday, Day 40", "No Contact and a Shared Dog"])
    );
    assert_eq!(
        texts_in(&browser, ".search-title mark"),
        json!(["Birthday"]),
        "the matched word is marked"
    );
    assert_eq!(
        texts_in(&browser, "#search-status"),
        json!(["2 results for “birthd”."])
    );
    // Days written as the pages write them; the ISO date stays in the markup.
    assert_eq!(
        texts_in(&browser, ".search-result time"),
        json!(["February 1, 2024", "March 1, 2024"])
    );
    assert_eq!(
        browser.run("return document.querySelector('.search-result time').dateTime"),
        json!("2024-02-01")
    );
    // Links lead to the article, relative to the search page.
    browser.click(".search-title");
    browser.wait_for_url(|u| u.ends_with("/posts/birthday/"), "the article");

    // Typing on the search page: every word must match; comments count.
    browser.open(&format!("{url}/search/"));
    browser.type_into("#search-query", "no contact dog");
    browser.wait_for(
        "return document.querySelectorAll('.search-result').length === 1",
        "one result",
    );
    assert_eq!(
        texts_in(&browser, ".search-title"),
        json!(["No Contact and a Shared Dog"])
    );
    // A short word before the last is a whole word: "no" is not "not".
    assert_eq!(
        texts_in(&browser, ".search-result mark"),
        json!(["No", "Contact", "Dog", "dog", "no", "contact"])
    );
    assert!(browser.url().ends_with("/search/?q=no+contact+dog"));
    // A word found only in a comment: the result leads to the comment,
    // and its snippet is the comment's.
    search_in_page(&browser, "pyjamas", "1 result for “pyjamas”.");
    assert_eq!(
        texts_in(&browser, ".search-result p"),
        json!(["Mo, in a comment: I relapsed in my pyjamas at midnight. Day one again."])
    );
    let link = browser.run("return document.querySelector('.search-title').href");
    assert!(
        link.as_str()
            .unwrap()
            .ends_with("/posts/relapse/#comment-r1"),
        "{link}"
    );
    search_in_page(&browser, "platypus", "Nothing found for “platypus”.");
    assert_eq!(texts_in(&browser, ".search-result"), json!([]));

    // Stems: "calling" finds "calls", and the snippet is the text around it.
    search_in_page(&browser, "calling", "1 result for “calling”.");
    assert_eq!(texts_in(&browser, ".search-result mark"), json!(["calls"]));
    let snippet = texts_in(&browser, ".search-result p")[0]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        snippet.starts_with('…')
            && snippet.contains("If he calls back")
            && snippet.chars().count() < 200,
        "{snippet}"
    );
    // A typo in a word of five letters or more.
    search_in_page(
        &browser,
        "contcat",
        "Nothing found for “contcat” as typed; 2 results for words spelled like it.",
    );
    assert_eq!(
        texts_in(&browser, ".search-title"),
        json!(["No Contact and a Shared Dog", "Their Birthday, Day 40"])
    );
    // Only the shards of the words and the documents shown are fetched.
    browser.open(&format!("{url}/search/?q=relapsing+phon"));
    browser.wait_for(
        "return document.querySelector('#search-status').textContent === '1 result for “relapsing phon”.'",
        "a stemmed word and a prefix",
    );
    let fetched = browser.run(
        "return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname)\
         .filter(p => p.includes('/search/')).sort()",
    );
    let relapse = format!("/search/t/{}.json", shard_of_word("relaps"));
    let phone = format!("/search/t/{}.json", shard_of_word("phon"));
    let mut expected = vec!["/search/d/0.json".to_string(), relapse, phone];
    expected.sort();
    expected.dedup();
    assert_eq!(fetched, json!(expected));
}

#[test]
#[cfg_attr(
    not(has_chromium),
    ignore = "needs /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium chromium-driver)"
)]
fn without_javascript_the_search_page_offers_a_web_search_of_the_site() {
    let site = fixture("search");
    let (_serve, url) = start_serve(site.path());
    let browser = Browser::start_with(&["--blink-settings=scriptEnabled=false"]);
    browser.open(&format!("{url}/search/?q=birthday"));
    assert!(browser.is_displayed("form[action='https://duckduckgo.com/']"));
    browser.type_into(
        "form[action='https://duckduckgo.com/'] input[name=q]",
        "birthday",
    );
    // Sending it would leave the machine: what it would send is enough.
    let sites = browser.find("input[name=sites]");
    let value = call(
        browser.port,
        "GET",
        &format!(
            "/session/{}/element/{sites}/property/value",
            browser.session
        ),
        None,
    );
    assert_eq!(value["value"], json!("127.0.0.1"), "serve's host name");
}

/// Where `.ci/run` installs axe-core (`npm install --prefix target/axe axe-core@4`).
const AXE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/target/axe/node_modules/axe-core/axe.min.js"
);

#[test]
#[cfg_attr(
    not(all(has_chromium, has_axe)),
    ignore = "needs Chromium and axe-core (.ci/run installs them; axe-core with `npm install --prefix target/axe axe-core@4`)"
)]
fn axe_finds_nothing_serious_on_any_kind_of_page_light_or_dark() {
    let (_site, serve) = commenting_site();
    let axe = read(AXE);
    let pages = [
        "/",
        "/posts/threads/",
        "/tags/",
        "/tags/threads/",
        "/archive/",
        "/authors/zan/",
        "/search/?q=contact",
        "/no-such-page/",
    ];
    let mut found = Vec::new();
    for (scheme, width) in [
        ("light", 1280),
        ("dark", 1280),
        ("light", 390),
        ("dark", 390),
    ] {
        // Tall enough that every part of a page is on the screen, which
        // some of axe's checks look at only.
        let browser = Browser::start_with(&[&format!("--window-size={width},6000")]);
        browser.prefer(scheme);
        for page in pages {
            browser.open(&format!("http://{}{page}", serve.address));
            browser.wait_for("return document.readyState === 'complete'", page);
            if page.starts_with("/posts/") {
                // The form's error, as a refused comment shows it.
                browser.run(
                    "const e = document.querySelector('#comment-form .form-error'); e.hidden = false; e.textContent = 'Your comment could not be sent.';",
                );
            }
            browser.run(&axe);
            let violations = browser.run_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations
                   .filter(v => v.impact === 'serious' || v.impact === 'critical')
                   .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))));",
            );
            for violation in violations.as_array().unwrap() {
                let violation = violation.as_str().unwrap();
                found.push(format!("{page} ({scheme}, {width} px): {violation}"));
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
#[cfg_attr(
    not(has_chromium),
    ignore = "needs /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium chromium-driver)"
)]
fn comment_times_are_shown_in_the_readers_time_zone() {
    let (_site, serve) = commenting_site();
    let browser = Browser::start();
    browser.post(
        "goog/cdp/execute",
        json!({"cmd": "Emulation.setTimezoneOverride", "params": {"timezoneId": "America/New_York"}}),
    );
    browser.open(&format!("http://{}/posts/threads/", serve.address));
    // 07:10 UTC is 02:10 in New York; the UTC time stays in the title.
    browser.wait_for(
        "return document.querySelector('#comment-c1 time').textContent === 'February 27, 2024, 2:10 AM'",
        "the local time",
    );
    assert_eq!(
        browser.run("return document.querySelector('#comment-c1 time').title"),
        json!("February 27, 2024 at 07:10 UTC")
    );
}

#[test]
#[cfg_attr(
    not(has_chromium),
    ignore = "needs /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium chromium-driver)"
)]
fn a_video_loads_from_its_site_only_when_the_reader_presses_play() {
    // Every other host fails to resolve: nothing leaves this machine, and
    // the network log still shows what the page asked for.
    let browser =
        Browser::start_with(&["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]);
    let site = site_with(&[
        ("site.toml", SITE_TOML),
        (
            "content/posts/a.md",
            "+++\ntitle = \"A\"\ndate = 2026-05-01\n+++\nFirst.\n\n[Day one of no contact](https://www.youtube.com/watch?v=SQEQr7c0-dw)\n\nLast.\n",
        ),
    ]);
    let (_serve, url) = start_serve(site.path());
    browser.open(&format!("{url}/posts/a/"));
    browser.wait_for(
        "const s = document.querySelector('a.embed-link .embed-site'); \
         return s !== null && s.textContent === 'YouTube · plays here, from youtube-nocookie.com'",
        "the facade, ready to play",
    );
    let before = browser.requested();
    assert!(
        before.iter().any(|u| u.ends_with("/embeds.js")),
        "{before:?}"
    );
    let elsewhere: Vec<&String> = before
        .iter()
        .filter(|u| u.starts_with("http") && !u.starts_with("http://127.0.0.1:"))
        .collect();
    assert!(elsewhere.is_empty(), "asked before play: {elsewhere:?}");
    assert_eq!(
        browser.run("return document.querySelectorAll('iframe').length"),
        json!(0)
    );

    browser.click("a.embed-link");
    browser.wait_for(
        "return document.querySelector('.embed iframe') !== null",
        "the player",
    );
    assert_eq!(
        browser.run(
            "const f = document.querySelector('.embed iframe'); \
             return [f.src, f.title, document.activeElement === f, document.querySelectorAll('.embed a').length]"
        ),
        json!([
            "https://www.youtube-nocookie.com/embed/SQEQr7c0-dw?autoplay=1",
            "Day one of no contact",
            true,
            0
        ])
    );
    let after = browser.requested();
    assert!(
        after
            .iter()
            .any(|u| u == "https://www.youtube-nocookie.com/embed/SQEQr7c0-dw?autoplay=1"),
        "{after:?}"
    );
    assert!(
        !after.iter().any(|u| u.contains("://www.youtube.com/")),
        "{after:?}"
    );
}
