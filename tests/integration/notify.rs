//! Mail with consent: a real mail server on loopback (aiosmtpd, keeping
//! what it receives in a maildir) takes what `mend comments serve` sends;
//! every mail is parsed.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::common::*;

/// A mail server on 127.0.0.1 that keeps every mail it takes, as a file.
struct Sink {
    _child: Killed,
    port: u16,
    maildir: tempfile::TempDir,
}

impl Sink {
    fn start() -> Sink {
        Sink::start_on(free_port(), tempfile::tempdir().unwrap())
    }

    /// A mail server on `port`, keeping mail in `maildir`.
    fn start_on(port: u16, maildir: tempfile::TempDir) -> Sink {
        let child = std::process::Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.path().join("mail"))
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "aiosmtpd did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Sink {
            _child: Killed(child),
            port,
            maildir,
        }
    }

    /// Stops the server; its maildir stays.
    fn stop(self) -> (u16, tempfile::TempDir) {
        (self.port, self.maildir)
    }

    /// The mails taken so far, as files.
    fn files(&self) -> Vec<PathBuf> {
        let new = self.maildir.path().join("mail/new");
        let mut files: Vec<PathBuf> = std::fs::read_dir(new)
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default();
        files.sort();
        files
    }

    /// Waits until `n` mails have come (60 s at most: an event, not a
    /// sleep), and returns them.
    fn wait_for(&self, n: usize) -> Vec<Mail> {
        let started = Instant::now();
        while self.files().len() < n {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "{} mails came, not {n}",
                self.files().len()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        self.files().iter().map(|f| Mail::read(f)).collect()
    }
}

/// One mail, parsed.
#[derive(Debug)]
struct Mail {
    headers: Vec<(String, String)>,
    plain: String,
    html: String,
}

impl Mail {
    fn read(file: &Path) -> Mail {
        let bytes = std::fs::read(file).unwrap();
        let parsed = mailparse::parse_mail(&bytes).unwrap();
        let part = |mime: &str| {
            parsed
                .subparts
                .iter()
                .find(|p| p.ctype.mimetype == mime)
                .map(|p| p.get_body().unwrap())
                .unwrap_or_default()
        };
        Mail {
            headers: parsed
                .headers
                .iter()
                .map(|h| (h.get_key(), h.get_value()))
                .collect(),
            plain: part("text/plain"),
            html: part("text/html"),
        }
    }

    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map_or("", |(_, value)| value.as_str())
    }

    /// The one line of the plain text that is a link.
    fn link(&self) -> &str {
        let links: Vec<&str> = self
            .plain
            .lines()
            .filter(|l| l.starts_with("https://"))
            .collect();
        assert_eq!(links.len(), 1, "{}", self.plain);
        links[0]
    }
}

/// Who `mails` went to, in order of the addresses (a mail server keeps no
/// order of its own).
fn recipients(mails: &[Mail]) -> Vec<&str> {
    let mut to: Vec<&str> = mails.iter().map(|m| m.header("To")).collect();
    to.sort_unstable();
    to
}

/// A mail server, the comment fixture mailing through it, and its comment
/// server (no per-minute limit).
fn mailing_server() -> (Sink, tempfile::TempDir, Server) {
    let sink = Sink::start();
    let site = mailing_site(&sink);
    let server = intake(site.path(), &["--per-minute", "0"]);
    (sink, site, server)
}

/// The comment fixture with its endpoint and mail through `sink`.
fn mailing_site(sink: &Sink) -> tempfile::TempDir {
    let site = open_site_with("");
    let config = site.path().join("site.toml");
    let text = format!(
        "{}\n[notify]\nsmtp = \"smtp://127.0.0.1:{}\"\nfrom = \"Comment Fixture <comments@comments.example>\"\n",
        read(&config),
        sink.port
    );
    std::fs::write(config, text).unwrap();
    site
}

fn comment(server: &Server, author: &str, email: &str, subscribe: bool) -> Reply {
    let body = format!("{author} here: day {} of no contact.", email.len());
    let mut fields = vec![
        ("article", "posts/threads/"),
        ("author", author),
        ("email", email),
        ("body", body.as_str()),
    ];
    if subscribe {
        fields.push(("subscribe", "on"));
    }
    let encoded = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&fields)
        .finish();
    http(
        server,
        "POST",
        "/comments/",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        encoded.as_bytes(),
    )
}

#[test]
#[cfg_attr(not(has_aiosmtpd), ignore = "needs aiosmtpd (pip install aiosmtpd)")]
fn a_reader_who_asks_gets_one_mail_that_asks_and_is_confirmed_by_its_link_only() {
    let sink = Sink::start();
    let site = mailing_site(&sink);
    let root = site.path();
    // The form offers it.
    let public = build(root, &[]);
    let page = html(public.join("posts/threads/index.html"));
    assert_eq!(
        attrs(&page, "#comment-form input[type=checkbox]", "name"),
        ["subscribe"]
    );
    let server = intake(root, &["--per-minute", "0"]);

    assert_eq!(
        comment(&server, "Ana", "ana@reader.example", true).status,
        303
    );
    let mails = sink.wait_for(1);
    let asking = &mails[0];
    assert_eq!(asking.header("To"), "ana@reader.example");
    assert_eq!(
        asking.header("From"),
        "\"Comment Fixture\" <comments@comments.example>"
    );
    assert_eq!(
        asking.header("Subject"),
        "Confirm: replies to your comment on “Threads”"
    );
    assert_eq!(asking.header("Auto-Submitted"), "auto-generated");
    let link = asking.link().to_string();
    assert!(
        link.starts_with("https://comments.example/comments/confirm?link="),
        "{link}"
    );
    assert!(
        asking.html.contains(&format!("<a href=\"{link}\">")),
        "{}",
        asking.html
    );

    // Asked once a day, whatever is sent: Ana again, and Carol without the
    // box ticked, get nothing; Bob, sent last, is the mark that all came.
    comment(&server, "Ana", "ana@reader.example", true);
    comment(&server, "Carol", "carol@reader.example", false);
    comment(&server, "Bob", "bob@reader.example", true);
    let mails = sink.wait_for(2);
    assert_eq!(
        recipients(&mails),
        ["ana@reader.example", "bob@reader.example"]
    );

    // The link opens a page with one button; only the button confirms.
    let path = link.strip_prefix("https://comments.example").unwrap();
    let opened = http(&server, "GET", path, &[], b"");
    assert_eq!(opened.status, 200);
    let doc = scraper::Html::parse_document(&opened.text());
    assert_eq!(attrs(&doc, "form", "action"), ["/comments/confirm"]);
    let given = link.split_once("link=").unwrap().1;
    assert_eq!(attrs(&doc, "form input[name=link]", "value"), [given]);
    let confirm = |value: &str| {
        let body = format!("link={value}");
        http(
            &server,
            "POST",
            "/comments/confirm",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            body.as_bytes(),
        )
    };
    let (name, secret) = given.split_once('.').unwrap();
    let forged = format!("{name}.{}", "a".repeat(secret.len()));
    assert_eq!(confirm(&forged).status, 404);
    assert_eq!(confirm("").status, 404);
    let confirmed = confirm(given);
    assert_eq!(confirmed.status, 200);
    let doc = scraper::Html::parse_document(&confirmed.text());
    assert_eq!(texts(&doc, "h1"), ["Confirmed"]);

    // Confirmed: following another thread asks nothing. Dave is the mark.
    comment(&server, "Ana", "ANA@reader.example", true);
    comment(&server, "Dave", "dave@reader.example", true);
    let mails = sink.wait_for(3);
    assert_eq!(
        recipients(&mails),
        [
            "ana@reader.example",
            "bob@reader.example",
            "dave@reader.example"
        ]
    );

    // What readers gave stays in notify/, named by hashes, never published.
    let names: Vec<String> = std::fs::read_dir(root.join("notify/subscribers"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names.iter().all(|n| !n.contains('@')), "{names:?}");
    let public = build(root, &[]);
    for (path, bytes) in snapshot(&public) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("reader.example"),
            "{path}"
        );
    }
}

#[test]
fn a_mail_setting_that_is_wrong_says_what_to_write() {
    let site = open_site_with("");
    assert_eq!(
        failing(site.path(), &["comments", "notify"]),
        "error: ROOT/site.toml has no [notify] table, so mend sends no mail; add one (see Mail in docs/reference.md):\n\n[notify]\nsmtp = \"smtp://me@mail.example.com:587\"\nfrom = \"Blog <comments@example.com>\"\n"
    );
    let config = site.path().join("site.toml");
    let text = format!(
        "{}\n[notify]\nsmtp = \"smtp://me:hunter2@mail.example.com\"\nfrom = \"Blog <b@example.com>\"\n",
        read(&config)
    );
    std::fs::write(&config, &text).unwrap();
    let line = text.lines().position(|l| l.starts_with("smtp =")).unwrap() + 1;
    assert_eq!(
        failing(site.path(), &["build"]),
        format!(
            "error: ROOT/site.toml:{line}: [notify] smtp `smtp://me:hunter2@mail.example.com` holds a password, which site.toml must not: put it in the MEND_SMTP_PASSWORD environment variable or in a file named by smtp_password_file\n"
        )
    );
    std::fs::write(
        &config,
        text.replace("smtp://me:hunter2@", "smtp://me@")
            .replace("Blog <b@example.com>", "Blog"),
    )
    .unwrap();
    let line = text.lines().position(|l| l.starts_with("from =")).unwrap() + 1;
    assert_eq!(
        failing(site.path(), &["build"]),
        format!(
            "error: ROOT/site.toml:{line}: [notify] from `Blog` is not a mail address, such as \"Mending Hearts <comments@example.com>\"\n"
        )
    );
    // A user without a password: the comment server says where to put it.
    std::fs::write(&config, text.replace("smtp://me:hunter2@", "smtp://me@")).unwrap();
    let out = mend()
        .args([
            "comments",
            "serve",
            "--port",
            &free_port().to_string(),
            "--root",
        ])
        .arg(site.path())
        .env_remove("MEND_SMTP_PASSWORD")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let line = text.lines().position(|l| l.starts_with("smtp =")).unwrap() + 1;
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).replace(&site.path().display().to_string(), "ROOT"),
        format!(
            "error: ROOT/site.toml:{line}: [notify] smtp names a user but no password is given: set the MEND_SMTP_PASSWORD environment variable, or smtp_password_file = \"secrets/smtp\" in [notify]\n"
        )
    );
}

/// Runs `mend ARGS --root ROOT`, which must succeed; what it printed on
/// its standard output.
fn run(root: &Path, args: &[&str]) -> String {
    let out = mend().args(args).arg("--root").arg(root).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The ids of the comments waiting in the inbox, by author.
fn pending(root: &Path) -> std::collections::HashMap<String, String> {
    std::fs::read_dir(root.join("inbox"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            let table: toml::Table = toml::from_str(&read(&p)).unwrap();
            (
                table["author"].as_str().unwrap().to_string(),
                table["id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Confirms the address a confirmation mail went to, as its reader would.
fn confirm_from(server: &Server, mail: &Mail) {
    let link = mail.link();
    let value = link.split_once("link=").unwrap().1;
    let body = format!("link={value}");
    let reply = http(
        server,
        "POST",
        "/comments/confirm",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        body.as_bytes(),
    );
    assert_eq!(reply.status, 200);
}

#[test]
#[cfg_attr(not(has_aiosmtpd), ignore = "needs aiosmtpd (pip install aiosmtpd)")]
fn a_confirmed_reader_is_mailed_each_published_reply_once_and_leaves_with_one_click() {
    let (sink, site, server) = mailing_server();
    let root = site.path();
    comment(&server, "Ana", "ana@reader.example", true);
    comment(&server, "Carol", "carol@reader.example", true);
    let mails = sink.wait_for(2);
    let to_ana = mails
        .iter()
        .find(|m| m.header("To") == "ana@reader.example")
        .unwrap();
    confirm_from(&server, to_ana);
    let ids = pending(root);
    let (ana, carol) = (ids["Ana"].clone(), ids["Carol"].clone());
    run(root, &["comments", "approve", "--all"]);
    // Bob answers Ana, the author answers both: Carol never confirmed.
    let bob = format!("Bob here: hold on, {ana} is right.");
    let form = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("article", "posts/threads/"),
            ("parent", ana.as_str()),
            ("author", "Bob"),
            ("body", bob.as_str()),
        ])
        .finish();
    // The server reads the approved comment a moment after the command.
    let started = Instant::now();
    loop {
        let sent = http(
            &server,
            "POST",
            "/comments/",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            form.as_bytes(),
        );
        if sent.status == 303 {
            break;
        }
        assert_eq!(sent.status, 422, "{}", sent.text());
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{}",
            sent.text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    run(root, &["comments", "approve", "--all"]);
    run(
        root,
        &[
            "comments",
            "reply",
            &ana,
            "--body",
            "Give it **one** more week.",
        ],
    );
    run(
        root,
        &[
            "comments",
            "reply",
            &carol,
            "--body",
            "Carol, you can do it.",
        ],
    );

    // Not built yet: the replies' links would lead nowhere, so nothing goes.
    let said = run(root, &["comments", "notify"]);
    assert_eq!(
        said,
        "0 notices of 0 replies put in the outbox; 0 mails sent\n"
    );
    build(root, &[]);
    let said = run(root, &["comments", "notify"]);
    assert_eq!(
        said,
        "1 notice of 2 replies put in the outbox; 1 mail sent\n"
    );
    let mails = sink.wait_for(3);
    assert_eq!(mails.len(), 3, "one notice, to Ana only");
    let notice = mails
        .iter()
        .find(|m| m.header("Subject").contains("new replies"))
        .unwrap();
    assert_eq!(notice.header("To"), "ana@reader.example");
    assert_eq!(notice.header("Subject"), "2 new replies on “Threads”");
    assert_eq!(
        notice.header("List-Unsubscribe-Post"),
        "List-Unsubscribe=One-Click"
    );
    let leave = notice.header("List-Unsubscribe");
    let leave = leave
        .strip_prefix('<')
        .and_then(|l| l.strip_suffix('>'))
        .unwrap()
        .to_string();
    assert!(
        leave.starts_with("https://comments.example/comments/unsubscribe?link="),
        "{leave}"
    );
    let plain = notice.plain.replace("\r\n", "\n");
    assert!(
        plain.contains(&format!("Bob wrote:\n\n> {bob}\n")),
        "{plain}"
    );
    assert!(plain.contains("> Give it one more week."), "{plain}");
    let replies: Vec<&str> = plain
        .lines()
        .filter(|l| l.starts_with("https://comments.example/posts/threads/#comment-"))
        .collect();
    assert_eq!(replies.len(), 2, "{plain}");
    assert!(
        notice.html.contains("<strong>one</strong>"),
        "{}",
        notice.html
    );

    // Again: nothing twice.
    let said = run(root, &["comments", "notify"]);
    assert_eq!(
        said,
        "0 notices of 0 replies put in the outbox; 0 mails sent\n"
    );

    // One click (RFC 8058) ends it for this thread.
    let path = leave.strip_prefix("https://comments.example").unwrap();
    let clicked = http(
        &server,
        "POST",
        path,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        b"List-Unsubscribe=One-Click",
    );
    assert_eq!(clicked.status, 200);
    run(
        root,
        &["comments", "reply", &ana, "--body", "One more thing."],
    );
    build(root, &[]);
    let said = run(root, &["comments", "notify"]);
    assert_eq!(
        said,
        "0 notices of 0 replies put in the outbox; 0 mails sent\n"
    );
    assert_eq!(sink.files().len(), 3);
}

#[test]
#[cfg_attr(not(has_aiosmtpd), ignore = "needs aiosmtpd (pip install aiosmtpd)")]
fn a_notice_waits_while_the_mail_server_is_down_and_arrives_once() {
    let (sink, site, server) = mailing_server();
    let root = site.path();
    comment(&server, "Ana", "ana@reader.example", true);
    let mails = sink.wait_for(1);
    confirm_from(&server, &mails[0]);
    drop(server);
    let ana = pending(root)["Ana"].clone();
    run(root, &["comments", "approve", &ana]);
    run(root, &["comments", "reply", &ana, "--body", "Hold on."]);
    build(root, &[]);
    let (port, maildir) = sink.stop();
    let out = mend()
        .args(["comments", "notify", "--root"])
        .arg(root)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "1 notice of 1 reply put in the outbox; 0 mails sent\n"
    );
    let warned = String::from_utf8_lossy(&out.stderr);
    assert!(
        warned.ends_with("warning: 1 mail waits in notify/outbox/: the mail server did not take it (the log above says why); `mend comments notify` again later sends it, as does `mend comments serve` while it runs\n"),
        "{warned}"
    );
    let sink = Sink::start_on(port, maildir);
    let said = run(root, &["comments", "notify"]);
    assert_eq!(
        said,
        "0 notices of 0 replies put in the outbox; 1 mail sent\n"
    );
    let mails = sink.wait_for(2);
    let subjects: Vec<&str> = mails.iter().map(|m| m.header("Subject")).collect();
    assert!(
        subjects.contains(&"Zan replied on “Threads”"),
        "{subjects:?}"
    );
    let said = run(root, &["comments", "notify"]);
    assert_eq!(
        said,
        "0 notices of 0 replies put in the outbox; 0 mails sent\n"
    );
    assert_eq!(sink.files().len(), 2);
}

#[test]
#[cfg_attr(not(has_aiosmtpd), ignore = "needs aiosmtpd (pip install aiosmtpd)")]
fn the_author_hears_of_new_comments_one_by_one_then_in_a_digest() {
    let sink = Sink::start();
    let site = mailing_site(&sink);
    let root = site.path();
    let config = root.join("site.toml");
    std::fs::write(
        &config,
        format!(
            "{}author = \"zan@blog.example\"\nauthor_every_minutes = 60\n",
            read(&config)
        ),
    )
    .unwrap();
    let server = intake(root, &["--per-minute", "0"]);
    comment(&server, "Ana", "ana@reader.example", false);
    let mails = sink.wait_for(1);
    let first = &mails[0];
    assert_eq!(first.header("To"), "zan@blog.example");
    assert_eq!(first.header("Subject"), "New comment by Ana on “Threads”");
    let ana = pending(root)["Ana"].clone();
    let plain = first.plain.replace("\r\n", "\n");
    assert!(
        plain.contains("> Ana here: day 18 of no contact.\n"),
        "{plain}"
    );
    assert!(
        plain.contains(&format!("`mend comments approve {ana}`")),
        "{plain}"
    );
    assert!(
        plain.contains("https://comments.example/posts/threads/#comments"),
        "{plain}"
    );
    assert!(
        !plain.contains("ana@reader.example"),
        "the reader's address is not told"
    );

    // Within the hour, more comments wait for the next notice. Eve, who
    // asks for replies, is the mark that the sender has looked since.
    comment(&server, "Bob", "bob@reader.example", false);
    comment(&server, "Carol", "", false);
    comment(&server, "Eve", "eve@reader.example", true);
    let mails = sink.wait_for(2);
    assert_eq!(
        recipients(&mails),
        ["eve@reader.example", "zan@blog.example"],
        "no second notice within the hour"
    );
    // An hour later (the last notice's time moved back), one notice of
    // the three.
    drop(server);
    let last = root.join("notify/author/last");
    let earlier = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(61);
    std::fs::write(&last, earlier.to_string()).unwrap();
    let _server = intake(root, &["--per-minute", "0"]);
    let mails = sink.wait_for(3);
    let digest = mails
        .iter()
        .find(|m| m.header("Subject") == "3 new comments on Comment Fixture")
        .unwrap_or_else(|| panic!("{mails:?}"));
    let plain = digest.plain.replace("\r\n", "\n");
    for who in [
        "Bob on “Threads”:",
        "Carol on “Threads”:",
        "Eve on “Threads”:",
    ] {
        assert!(plain.contains(who), "{plain}");
    }
}

#[test]
#[cfg_attr(not(has_aiosmtpd), ignore = "needs aiosmtpd (pip install aiosmtpd)")]
fn an_address_is_exported_only_when_asked_and_forgotten_everywhere() {
    let (sink, site, server) = mailing_server();
    let root = site.path();
    comment(&server, "Ana", "ana@reader.example", true);
    let mails = sink.wait_for(1);
    confirm_from(&server, &mails[0]);
    run(root, &["comments", "approve", "--all"]);
    comment(&server, "Ana B.", "Ana@Reader.example", false);
    drop(server);

    // Only --private adds who asked for mail, and never their links' secret.
    let plain: serde_json::Value =
        serde_json::from_str(&run(root, &["comments", "export"])).unwrap();
    assert!(plain.get("subscribers").is_none());
    let private: serde_json::Value =
        serde_json::from_str(&run(root, &["comments", "export", "--private"])).unwrap();
    let subscribers = private["subscribers"].as_array().unwrap();
    assert_eq!(subscribers.len(), 1);
    assert_eq!(subscribers[0]["email"], "ana@reader.example");
    assert!(subscribers[0]["confirmed"].is_string());
    assert_eq!(
        subscribers[0]["threads"][0]["article"],
        "content/posts/threads.md"
    );
    let secret = read(
        std::fs::read_dir(root.join("notify/subscribers"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path(),
    );
    let secret = secret
        .lines()
        .find(|l| l.starts_with("secret"))
        .unwrap()
        .split('"')
        .nth(1)
        .unwrap()
        .to_string();
    assert!(!private.to_string().contains(&secret));
    assert_eq!(
        failing(
            root,
            &["comments", "export", "--private", "--format", "csv"]
        ),
        "error: --private adds readers' subscriptions to the JSON export only; pass --format json\n"
    );

    let said = run(root, &["comments", "forget", "ANA@reader.example"]);
    assert_eq!(
        said,
        "forgot ANA@reader.example: 1 thread followed, 0 mails waiting, 1 comment pending, and its comments' address in content/posts/threads.comments.toml (1 comment)\n"
    );
    // Nowhere in the site any more; the comments stay.
    for (path, bytes) in snapshot(root) {
        let text = String::from_utf8_lossy(&bytes).to_lowercase();
        assert!(!text.contains("ana@reader.example"), "{path}");
    }
    assert!(read(root.join("content/posts/threads.comments.toml")).contains("Ana here"));
    let private: serde_json::Value =
        serde_json::from_str(&run(root, &["comments", "export", "--private"])).unwrap();
    assert_eq!(private["subscribers"], serde_json::json!([]));
}
