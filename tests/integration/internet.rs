//! `mend comments serve` as bots on the internet meet it: a real server on
//! loopback, spoken to over TCP from several loopback addresses (127.0.0.2,
//! 127.0.0.3, … stand for other readers), with requests a proxy could be
//! fooled by, clients that hold connections, and posts that race.

use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::*;

/// What the server sent back on one connection, all of it, as text.
fn exchange(server: &Server, source: &str, bytes: &[u8]) -> String {
    let mut stream = connect_from(server, source);
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let _ = stream.write_all(bytes);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    String::from_utf8_lossy(&raw).into_owned()
}

/// A comment as JSON, posted from `source`.
fn post_from(server: &Server, source: &str, value: &serde_json::Value) -> Reply {
    let body = value.to_string();
    let head = format!(
        "POST /comments/ HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        server.address,
        body.len()
    );
    send_from(server, source, head.as_bytes())
}

fn pending_count(root: &Path) -> usize {
    fs::read_dir(root.join("inbox")).map_or(0, |entries| {
        entries
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".toml")
            })
            .count()
    })
}

#[test]
fn framing_a_proxy_could_read_otherwise_is_refused() {
    let site = open_site();
    let server = intake(site.path(), &[]);
    let host = &server.address;
    let tucked = format!("GET /comments/ HTTP/1.1\r\nHost: {host}\r\n\r\n");
    let comment = r#"{"article":"posts/threads/","author":"A","body":"hi"}"#;
    // Two lengths: which one ends the body decides where a tucked-in
    // request starts. Refused, and nothing after it is answered.
    let two_lengths = format!(
        "POST /comments/ HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nContent-Length: {}\r\n\r\n{comment}{tucked}",
        comment.len(),
        comment.len() + tucked.len()
    );
    let chunked = format!(
        "POST /comments/ HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n{:x}\r\n{comment}\r\n0\r\n\r\n{tucked}",
        comment.len()
    );
    let with_length = |length: &str| {
        format!(
            "POST /comments/ HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n{comment}{tucked}"
        )
    };
    for (name, request, status) in [
        ("two lengths", two_lengths, 400),
        ("chunked and a length", chunked, 411),
        ("a signed length", with_length("+53"), 400),
        ("a zero-padded length", with_length("0053"), 400),
    ] {
        let answer = exchange(&server, "127.0.0.2", request.as_bytes());
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status} ")),
            "{name}: {answer}"
        );
        assert_eq!(answer.matches("HTTP/1.1 ").count(), 1, "{name}: {answer}");
    }
    assert_eq!(pending_count(site.path()), 0);
    // The refusal a person reads says what is wrong.
    let reply =
        parse_reply(exchange(&server, "127.0.0.2", with_length("0053").as_bytes()).as_bytes());
    assert_eq!(
        reply.text(),
        "the Content-Length must be one number in plain digits\n"
    );
}

#[test]
fn long_lines_and_large_bodies_get_an_answer_the_client_can_read() {
    let site = open_site();
    let server = intake(site.path(), &[]);
    let host = &server.address;
    // Just over the 8 KiB bound, in one write.
    let long = format!(
        "GET /comments/?{} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n",
        "a".repeat(9 * 1024)
    );
    let reply = parse_reply(exchange(&server, "127.0.0.2", long.as_bytes()).as_bytes());
    assert_eq!(
        (reply.status, reply.text().as_str()),
        (414, "the request line is too long\n")
    );
    // A body over the bound, sent whole: the 413 is read, not reset away.
    let body = "x".repeat(600 * 1024);
    let large = format!(
        "POST /comments/ HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let reply = parse_reply(exchange(&server, "127.0.0.2", large.as_bytes()).as_bytes());
    assert_eq!(
        (reply.status, reply.text().as_str()),
        (413, "the request body is too large\n")
    );
}

#[test]
fn one_address_holding_a_thousand_connections_keeps_no_one_else_from_commenting() {
    let site = open_site();
    let server = intake(site.path(), &["--per-minute", "0"]);
    let held: Vec<TcpStream> = (0..1000)
        .map(|_| connect_from(&server, "127.0.0.1"))
        .collect();
    // Some of them send a byte now and then.
    for stream in held.iter().take(20) {
        let _ = (&*stream).write_all(b"P");
    }
    for (n, source) in ["127.0.0.2", "127.0.0.3", "127.0.0.4"].iter().enumerate() {
        let reply = post_from(
            &server,
            source,
            &json!({"article": "posts/threads/", "author": "Ana", "body": format!("story {n}")}),
        );
        assert_eq!(reply.status, 201, "{source}: {}", reply.text());
    }
    assert_eq!(pending_count(site.path()), 3);
    let status = fs::read_to_string(format!("/proc/{}/status", server.child.0.id())).unwrap();
    let threads: usize = status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap();
    assert!(threads < 100, "{threads} threads");
    drop(held);
}

#[test]
fn identical_posts_sent_at_once_are_stored_once() {
    let site = open_site();
    let server = Arc::new(intake(site.path(), &["--per-minute", "0"]));
    let start = Arc::new(Barrier::new(20));
    let posters: Vec<_> = (0..20)
        .map(|i| {
            let (server, start) = (Arc::clone(&server), Arc::clone(&start));
            std::thread::spawn(move || {
                let source = format!("127.0.0.{}", 2 + i);
                start.wait();
                post_from(
                    &server,
                    &source,
                    &json!({"article": "posts/threads/", "author": "Ana", "body": "the same words"}),
                )
                .status
            })
        })
        .collect();
    let mut statuses: Vec<u16> = posters.into_iter().map(|p| p.join().unwrap()).collect();
    statuses.sort_unstable();
    let mut expected = vec![409; 19];
    expected.insert(0, 201);
    assert_eq!(statuses, expected);
    assert_eq!(pending_count(site.path()), 1);
}

#[test]
fn unknown_articles_and_parents_are_refused_at_once_and_new_articles_are_found() {
    let site = open_site();
    let root = site.path();
    let server = intake(root, &["--per-minute", "0"]);
    let started = Instant::now();
    for _ in 0..40 {
        let reply = post_from(
            &server,
            "127.0.0.2",
            &json!({"article": "posts/threads/", "parent": "no-such-comment", "author": "A", "body": "re"}),
        );
        assert_eq!(reply.status, 422);
        let reply = post_from(
            &server,
            "127.0.0.3",
            &json!({"article": "posts/not-yet/", "author": "A", "body": "hi"}),
        );
        assert_eq!(reply.status, 404);
    }
    // Generous: 80 refusals read no file, so they take far less.
    assert!(started.elapsed() < Duration::from_secs(30));
    let empty = post_from(&server, "127.0.0.2", &json!({}));
    assert_eq!(
        (empty.status, empty.json()["error"].as_str().unwrap()),
        (
            400,
            "The comment arrived without its article: send it from the form under an article."
        )
    );
    // An article published while the server runs is found once the
    // watcher has read it.
    write(
        root,
        "content/posts/not-yet.md",
        "+++\ntitle = \"Not yet\"\ndate = 2024-03-01\n+++\nNew.\n",
    );
    let waited = Instant::now();
    loop {
        let reply = post_from(
            &server,
            "127.0.0.3",
            &json!({"article": "posts/not-yet/", "author": "A", "body": "hi"}),
        );
        if reply.status == 201 {
            break;
        }
        assert_eq!(reply.status, 404);
        assert!(
            waited.elapsed() < Duration::from_secs(30),
            "{:?}",
            server.lines.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn stale_temporary_files_are_removed_at_start_and_by_the_inbox() {
    let site = open_site();
    let root = site.path();
    // What a `kill -9` during a write leaves: a process that is gone.
    let stale = ".20260101-000000-abcdefghijkm.toml.4194305.3.tmp";
    write(
        root,
        &format!("inbox/{stale}"),
        "author = \"Ana\"\nemail = \"a@b.example\"\n",
    );
    let server = intake(root, &[]);
    assert!(!root.join("inbox").join(stale).exists());
    assert!(
        server.lines.lock().unwrap().iter().any(|l| l
            == "removed 1 unfinished temporary files that an interrupted run left in the inbox")
    );
    drop(server);
    write(root, &format!("inbox/spam/{stale}"), "x");
    let output = mend()
        .args(["comments", "inbox", "--root"])
        .arg(root)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "removed 1 unfinished temporary files that an interrupted server left in the inbox\nno comments waiting\n"
    );
    assert!(!root.join("inbox/spam").join(stale).exists());
}

/// A pending submission written as an older server (or a hand) left it.
fn pending(root: &Path, id: &str, author: &str, body: &str) {
    pending_reply(root, id, None, author, body);
}

/// The same, replying to `parent`.
fn pending_reply(root: &Path, id: &str, parent: Option<&str>, author: &str, body: &str) {
    pending_on(root, id, parent, "content/posts/threads.md", author, body);
}

/// The same, on the article whose source is `article`.
fn pending_on(
    root: &Path,
    id: &str,
    parent: Option<&str>,
    article: &str,
    author: &str,
    body: &str,
) {
    let mut table = json!({
        "id": id, "article": article, "author": author,
        "date": "2026-01-02T03:04:05Z", "body": body,
    });
    if let Some(parent) = parent {
        table["parent"] = json!(parent);
    }
    let text = toml::to_string(&table).unwrap();
    write(root, &format!("inbox/{id}.toml"), &text);
}

#[test]
fn approve_all_approves_every_valid_comment_and_names_the_rest() {
    let site = open_site();
    let root = site.path();
    pending(
        root,
        "20260102-030405-aaaaaaaaaaaa",
        "\u{200e} \u{200e}",
        "hidden name",
    );
    pending(root, "20260102-030406-bbbbbbbbbbbb", "Ana", "a real story");
    pending(root, "20260102-030407-cccccccccccc", "Bo", "\u{1} \u{1}");
    // Replies to a pending comment go with it, or wait with it.
    pending_reply(
        root,
        "20260102-030408-dddddddddddd",
        Some("20260102-030406-bbbbbbbbbbbb"),
        "Cy",
        "same here",
    );
    pending_reply(
        root,
        "20260102-030409-eeeeeeeeeeee",
        Some("20260102-030407-cccccccccccc"),
        "Di",
        "what did you mean?",
    );
    // An article deleted since, and a file that is no article.
    let gone = "content/posts/gone.md";
    pending_on(
        root,
        "20260102-030410-ffffffffffff",
        None,
        gone,
        "Ed",
        "hello",
    );
    pending_on(
        root,
        "20260102-030411-gggggggggggg",
        None,
        "site.toml",
        "Fa",
        "hi",
    );
    let output = mend()
        .args(["comments", "approve", "--all", "--root"])
        .arg(root)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "approved 20260102-030406-bbbbbbbbbbbb into content/posts/threads.comments.toml\n\
         approved 20260102-030408-dddddddddddd into content/posts/threads.comments.toml\n"
    );
    let root_text = root.display().to_string();
    assert_eq!(
        String::from_utf8(output.stderr)
            .unwrap()
            .replace(&root_text, "ROOT"),
        "warning: left 20260102-030405-aaaaaaaaaaaa in the inbox: ROOT/inbox/20260102-030405-aaaaaaaaaaaa.toml:1: comment `20260102-030405-aaaaaaaaaaaa` has no `author`; every comment needs id, author, date and body (fix it, or delete it with `mend comments delete 20260102-030405-aaaaaaaaaaaa`)\n\
         warning: left 20260102-030407-cccccccccccc in the inbox: ROOT/inbox/20260102-030407-cccccccccccc.toml:1: comment `20260102-030407-cccccccccccc` has no `body`; every comment needs id, author, date and body (fix it, or delete it with `mend comments delete 20260102-030407-cccccccccccc`)\n\
         warning: left 20260102-030410-ffffffffffff in the inbox: comment `20260102-030410-ffffffffffff` is for content/posts/gone.md, which is not an article of this site any more; delete it with `mend comments delete 20260102-030410-ffffffffffff`\n\
         warning: left 20260102-030411-gggggggggggg in the inbox: comment `20260102-030411-gggggggggggg` is for site.toml, which is not an article of this site any more; delete it with `mend comments delete 20260102-030411-gggggggggggg`\n\
         warning: left 20260102-030409-eeeeeeeeeeee in the inbox: it replies to 20260102-030407-cccccccccccc, which is still waiting; approve it with 20260102-030407-cccccccccccc once that one is fixed, or delete it with `mend comments delete 20260102-030409-eeeeeeeeeeee`\n"
    );
    assert_eq!(pending_count(root), 5);
}

#[test]
fn a_name_cannot_forge_a_line_of_the_inbox() {
    let site = open_site();
    let root = site.path();
    pending(
        root,
        "20260102-030405-aaaaaaaaaaaa",
        "Ana\n20260102-030406-zzzzzzzzzzzz  content/posts/x.md  Admin",
        "hi\rthere",
    );
    let output = mend()
        .args(["comments", "inbox", "--root"])
        .arg(root)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(
        lines[1].starts_with("20260102-030405-aaaaaaaaaaaa  content/posts/threads.md  Ana 20260102-030406-zzzzzzzzzzzz content/posts/x.md Admin  "),
        "{stdout}"
    );
    assert_eq!(lines[2], "    hi there");
}

#[test]
fn a_reply_is_written_only_inside_the_site() {
    let site = open_site();
    let root = site.path();
    assert_eq!(
        failing(
            root,
            &[
                "comments",
                "reply",
                "c1",
                "--article",
                "../elsewhere.md",
                "--body",
                "hi"
            ]
        ),
        "error: --article ../elsewhere.md is not an article of this site; give its Markdown file from the site's root, such as --article content/posts/no-contact.md\n"
    );
    assert!(
        !root
            .parent()
            .unwrap()
            .join("elsewhere.comments.toml")
            .exists()
    );
}

#[test]
fn after_kill_9_every_acknowledged_comment_is_there_and_repeats_are_still_known() {
    let site = open_site();
    let root = site.path();
    let server = intake(root, &["--per-minute", "0"]);
    let mut acknowledged = Vec::new();
    for n in 0..20 {
        let reply = post_from(
            &server,
            &format!("127.0.0.{}", 2 + n),
            &json!({"article": "posts/threads/", "author": "Ana", "body": format!("day {n}")}),
        );
        assert_eq!(reply.status, 201);
        acknowledged.push(reply.json()["id"].as_str().unwrap().to_string());
    }
    let pid = server.child.0.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-9", &pid])
            .status()
            .unwrap()
            .success()
    );
    drop(server);
    let server = intake(root, &["--per-minute", "0"]);
    for id in &acknowledged {
        assert!(
            root.join("inbox").join(format!("{id}.toml")).is_file(),
            "{id}"
        );
    }
    let again = post_from(
        &server,
        "127.0.0.2",
        &json!({"article": "posts/threads/", "author": "Ana", "body": "day 3"}),
    );
    assert_eq!(again.status, 409);
    let new = post_from(
        &server,
        "127.0.0.2",
        &json!({"article": "posts/threads/", "author": "Ana", "body": "day 21"}),
    );
    assert_eq!(new.status, 201);
    assert_eq!(pending_count(root), 21);
}

#[test]
fn a_comment_server_whose_port_is_taken_says_so_and_stops() {
    let site = open_site();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    assert_eq!(
        failing(site.path(), &["comments", "serve", "--port", &port]),
        format!(
            "error: cannot listen on 127.0.0.1 port {port}: Address already in use (os error 98); pass another --port or --bind\n"
        )
    );
}

#[test]
fn the_operator_reads_one_line_per_request_and_per_comment() {
    let site = open_site();
    let server = intake(site.path(), &[]);
    let reply = post_from(
        &server,
        "127.0.0.2",
        &json!({"article": "posts/threads/", "author": "Ana", "body": "my story"}),
    );
    assert_eq!(reply.status, 201);
    let id = reply.json()["id"].as_str().unwrap().to_string();
    let refused = post_from(&server, "127.0.0.3", &json!({"article": "posts/nowhere/"}));
    assert_eq!(refused.status, 404);
    let wanted = [
        format!(" INFO mend::intake: comment stored id={id} article=content/posts/threads.md"),
        " INFO mend::server: request client=127.0.0.2 method=POST path=\"/comments/\" status=201 ms="
            .to_string(),
        " INFO mend::server: request client=127.0.0.3 method=POST path=\"/comments/\" status=404 ms="
            .to_string(),
    ];
    let started = Instant::now();
    loop {
        let lines = server.lines.lock().unwrap().clone();
        // Each line: an RFC 3339 time in UTC, then the level and the event.
        let found = wanted.iter().all(|w| {
            lines.iter().any(|l| {
                l.split_once(' ').is_some_and(|(time, rest)| {
                    time.parse::<jiff::Timestamp>().is_ok() && rest.starts_with(w.as_str())
                })
            })
        });
        if found {
            // What a reader typed is not in the log.
            assert!(
                !lines
                    .iter()
                    .any(|l| l.contains("my story") || l.contains("Ana")),
                "{lines:?}"
            );
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{lines:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn approve_without_ids_names_both_ways_to_call_it() {
    let site = open_site();
    assert_eq!(
        failing(site.path(), &["comments", "approve"]),
        "error: the following required arguments were not provided:\n  <ID|--all>\n\nUsage: mend comments approve --root <DIR> <ID|--all>\n\nFor more information, try '--help'.\n"
    );
}

#[test]
fn a_comment_server_for_a_site_without_an_endpoint_says_so() {
    let site = fixture("comments");
    let server = intake(site.path(), &[]);
    let warning = "warning: site.toml sets no comment endpoint, so no page of the site shows a comment form; add";
    wait_for_line(&server, |l| l == warning);
    // Standard output and error are read apart: each line on its own.
    let lines = server.lines.lock().unwrap().clone();
    for line in [
        "[comments]",
        "endpoint = \"https://blog.example/comments/\"",
        "with the address this server is reached at, then build the site again",
    ] {
        assert!(lines.iter().any(|l| l == line), "{line}: {lines:?}");
    }
}

#[test]
fn a_body_that_dawdles_is_answered_408_when_its_time_is_up() {
    let site = open_site();
    let server = intake(site.path(), &[]);
    let mut stream = connect_from(&server, "127.0.0.2");
    stream
        .set_read_timeout(Some(Duration::from_secs(40)))
        .unwrap();
    write!(
        stream,
        "POST /comments/ HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"article\"",
        server.address
    )
    .unwrap();
    let started = Instant::now();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let reply = parse_reply(&raw);
    assert_eq!(
        (reply.status, reply.text().as_str()),
        (408, "the request body took too long to arrive\n")
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(pending_count(site.path()), 0);
}

#[test]
fn mend_log_keeps_only_what_is_asked_for() {
    let site = open_site();
    let port = free_port().to_string();
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("mend"));
    command
        .args(["comments", "serve", "--port", &port, "--root"])
        .arg(site.path())
        .env("MEND_LOG", "warn");
    let server = start_command(command, "taking comments at ");
    let reply = post_from(
        &server,
        "127.0.0.2",
        &json!({"article": "posts/threads/", "author": "Ana", "body": "quietly"}),
    );
    assert_eq!(reply.status, 201);
    // A refusal from another origin is a warning, and still shows.
    let body =
        json!({"article": "posts/threads/", "author": "Ana", "body": "elsewhere"}).to_string();
    let foreign = format!(
        "POST /comments/ HTTP/1.1\r\nHost: {}\r\nOrigin: https://evil.example\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        server.address,
        body.len()
    );
    assert_eq!(
        send_from(&server, "127.0.0.3", foreign.as_bytes()).status,
        403
    );
    wait_for_line(&server, |l| l.contains(" WARN mend::intake: "));
    let lines = server.lines.lock().unwrap().clone();
    assert!(!lines.iter().any(|l| l.contains(" INFO ")), "{lines:?}");
}

#[test]
fn a_first_approval_starts_the_comment_file_with_its_comment() {
    let site = site_with(&[
        ("site.toml", SITE_TOML),
        ("content/posts/x.md", &article("X", "2024-01-01", &[])),
    ]);
    let root = site.path();
    pending_on(
        root,
        "20260102-030405-aaaaaaaaaaaa",
        None,
        "content/posts/x.md",
        "Ana",
        "First!",
    );
    mend()
        .args(["comments", "approve", "--all", "--root"])
        .arg(root)
        .assert()
        .success();
    let file = read(root.join("content/posts/x.comments.toml"));
    assert!(file.starts_with("[[comment]]\n"), "{file:?}");
    // The next one follows after one blank line, the file otherwise as it was.
    pending_on(
        root,
        "20260102-030406-bbbbbbbbbbbb",
        None,
        "content/posts/x.md",
        "Bo",
        "Second.",
    );
    mend()
        .args(["comments", "approve", "--all", "--root"])
        .arg(root)
        .assert()
        .success();
    let after = read(root.join("content/posts/x.comments.toml"));
    let added = after.strip_prefix(&file).expect("the file kept every byte");
    assert!(added.starts_with("\n[[comment]]\n"), "{added:?}");
}
