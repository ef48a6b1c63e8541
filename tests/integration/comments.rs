//! Comments: validation, threads, hostile input, and the exports, checked by
//! parsing what the real binary writes.

use std::collections::BTreeMap;

use crate::common::*;
use scraper::{ElementRef, Html, Selector};

fn select<'a>(doc: &'a Html, selector: &str) -> Vec<ElementRef<'a>> {
    doc.select(&Selector::parse(selector).unwrap()).collect()
}

/// The ids of the comments directly inside `element` (its replies).
fn reply_ids(element: ElementRef) -> Vec<String> {
    let nested = Selector::parse(":scope > ol > li > article").unwrap();
    element
        .select(&nested)
        .map(|e| e.value().id().unwrap().to_string())
        .collect()
}

#[test]
fn threads_nest_oldest_first_and_cap_depth() {
    let site = fixture("comments");
    let public = build(site.path(), &[]);
    let doc = html(public.join("posts/threads/index.html"));
    let top = Selector::parse("#comments > ol > li > article").unwrap();
    let top_ids: Vec<_> = doc.select(&top).map(|e| e.value().id().unwrap()).collect();
    // c8 replies to spam, so it hangs from the top; c0 is oldest.
    assert_eq!(
        top_ids,
        ["comment-c0", "comment-c1", "comment-c7", "comment-c8"]
    );
    let by_id = |id: &str| select(&doc, &format!("#comment-{id}"))[0];
    assert_eq!(reply_ids(by_id("c1")), ["comment-c2"]);
    // comments_max_depth = 3: c4 (depth 4) sits beside c3, inside c2.
    assert_eq!(reply_ids(by_id("c2")), ["comment-c3", "comment-c4"]);
    assert!(reply_ids(by_id("c3")).is_empty());
    assert!(by_id("c4").value().classes().any(|c| c == "depth-3"));
    // Each comment's element contains its replies' elements.
    assert_eq!(select(&doc, "#comment-c1 #comment-c4").len(), 1);
    // The author's reply carries a badge; a web URL links with the right rel.
    assert_eq!(texts(&doc, "#comment-c2 > header .badge"), ["author"]);
    assert_eq!(
        attrs(&doc, "#comment-c3 > header .comment-author a", "rel"),
        ["nofollow ugc noopener"]
    );
    assert_eq!(
        attrs(&doc, "#comment-c3 > header time", "datetime"),
        ["2024-02-27T10:00:00Z"]
    );
    assert_eq!(
        attrs(&doc, "#comment-c3 > header a.comment-permalink", "href"),
        ["#comment-c3"]
    );
    // A non-web URL is dropped: the name is plain text.
    assert!(select(&doc, "#comment-c7 > header .comment-author a").is_empty());
    assert_eq!(texts(&doc, "#comments-heading"), ["7 comments"]);
}

#[test]
fn non_web_url_is_dropped_with_a_warning() {
    let site = fixture("comments");
    let out = mend()
        .args(["build", "--root"])
        .arg(site.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("threads.comments.toml:56: comment `c7` has the url `javascript:alert(1)`"),
        "{stderr}"
    );
}

#[test]
fn urls_with_line_breaks_or_passwords_and_direction_marks_are_cleaned() {
    let comments = "[[comment]]\nid = \"nl\"\nauthor = \"evil\\u202Egnp.exe\"\ndate = 2024-01-01T00:00:00Z\nbody = \"a\\u2066b\"\nurl = \"https://a.example/\\n<script>\"\n\
                    [[comment]]\nid = \"pw\"\nauthor = \"B\"\ndate = 2024-01-01T00:00:00Z\nbody = \"x\"\nurl = \"https://user:pass@a.example/\"\n";
    let site = site_with(&[
        ("site.toml", SITE_TOML),
        ("content/posts/x.md", &article("X", "2024-01-01", &[])),
        ("content/posts/x.comments.toml", comments),
    ]);
    let out = mend()
        .args(["build", "--root"])
        .arg(site.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr)
        .unwrap()
        .replace(&site.path().display().to_string(), "ROOT");
    assert_eq!(
        stderr,
        "warning: ROOT/content/posts/x.comments.toml:1: comment `nl` has the url `https://a.example/\\n<script>`, which is not a plain http(s) address; it is left out\n\
         warning: ROOT/content/posts/x.comments.toml:7: comment `pw` has the url `https://user:pass@a.example/`, which is not a plain http(s) address; it is left out\n"
    );
    let doc = html(site.path().join("public/posts/x/index.html"));
    assert!(select(&doc, ".comment-author a").is_empty());
    assert_eq!(texts(&doc, "#comment-nl .comment-author"), ["evilgnp.exe"]);
    assert_eq!(texts(&doc, "#comment-nl .comment-body"), ["ab"]);
}

#[test]
fn pending_spam_and_emails_never_reach_the_output() {
    let site = fixture("comments");
    let public = build(site.path(), &[]);
    for (path, bytes) in snapshot(&public) {
        let text = String::from_utf8_lossy(&bytes);
        for secret in [
            "PENDING-BODY",
            "SPAM-BODY",
            "private.example",
            "spam.example",
        ] {
            assert!(!text.contains(secret), "{path} contains {secret}");
        }
    }
}

#[test]
fn counts_show_in_lists_and_feeds_and_bundles_have_comments() {
    let site = fixture("comments");
    let public = build(site.path(), &[]);
    let index = read(public.join("index.html"));
    assert!(
        index.contains("7 comments") && index.contains("1 comment<"),
        "counts missing from the index"
    );
    let tag = read(public.join("tags/threads/index.html"));
    assert!(tag.contains("7 comments"));
    let feed = read(public.join("atom.xml"));
    let doc = parse_xml(&feed);
    let thr = "http://purl.org/syndication/thread/1.0";
    let totals: Vec<&str> = doc
        .descendants()
        .filter(|n| n.tag_name().namespace() == Some(thr) && n.tag_name().name() == "total")
        .map(|n| n.text().unwrap())
        .collect();
    assert_eq!(totals, ["33", "7", "0", "1"]);
    let bundle = html(public.join("posts/bundle/index.html"));
    assert_eq!(
        texts(&bundle, "#comment-b1 .comment-body"),
        ["A comment inside a bundle."]
    );
    let closed = html(public.join("posts/closed/index.html"));
    assert_eq!(texts(&closed, ".comments-closed"), ["Comments are closed."]);
}

/// Every attribute value in `element` and its descendants, with its name.
fn all_attributes(element: ElementRef) -> Vec<(String, String)> {
    element
        .descendants()
        .filter_map(ElementRef::wrap)
        .flat_map(|e| {
            e.value()
                .attrs()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn assert_safe(doc: &Html, region: ElementRef) {
    // The only scripts are the page's structured data, which is JSON, and
    // the theme's own, outside every comment.
    let scripts: Vec<_> = select(doc, "script")
        .into_iter()
        .filter(|s| s.value().attr("type") != Some("application/ld+json"))
        .filter(|s| {
            !s.value()
                .attr("src")
                .is_some_and(|src| src.ends_with("times.js"))
        })
        .collect();
    assert!(scripts.is_empty(), "a script element on the page");
    assert!(
        region
            .select(&Selector::parse("script").unwrap())
            .next()
            .is_none(),
        "a script element in the comments"
    );
    for data in texts(doc, "script[type='application/ld+json']") {
        serde_json::from_str::<serde_json::Value>(&data).expect("the JSON-LD parses");
    }
    let forbidden = "img, iframe, style, svg, object, embed, form, input, button, meta, base, link, video, audio, source, math, noscript";
    let found: Vec<String> = region
        .select(&Selector::parse(forbidden).unwrap())
        .map(|e| e.html())
        .collect();
    assert!(
        found.is_empty(),
        "forbidden elements in comments: {found:?}"
    );
    for (name, value) in all_attributes(region) {
        assert!(!name.starts_with("on"), "event attribute {name}={value}");
        assert_ne!(name, "style", "style attribute {value}");
        assert_ne!(name, "srcset");
        let folded: String = value
            .chars()
            .filter(|c| !c.is_whitespace() && !c.is_control())
            .collect::<String>()
            .to_lowercase();
        for scheme in ["javascript:", "data:", "vbscript:"] {
            assert!(!folded.starts_with(scheme), "dangerous URL {name}={value}");
        }
    }
}

#[test]
fn hostile_comments_run_nothing_and_load_nothing() {
    let site = fixture("comments");
    let public = build(site.path(), &[]);
    let doc = html(public.join("posts/hostile/index.html"));
    let region = select(&doc, "#comments")[0];
    assert_eq!(
        select(&doc, "#comments article.comment").len(),
        33,
        "every hostile comment is still shown"
    );
    assert_safe(&doc, region);
    // Comment text is never evaluated as a template.
    let text: String = region.text().collect();
    assert!(
        text.contains("{{ config.title }}") && !text.contains("TEMPLATE-EVALUATED "),
        "{text}"
    );
    assert!(text.contains("{% if true %}TEMPLATE-EVALUATED{% endif %}"));
    // Control characters are gone from names.
    assert!(!text.contains('\u{7}') && !text.contains('\u{1b}'));
    // An allowed link keeps its URL but none of its bad attributes.
    let ok = select(
        &doc,
        "#comments .comment-body a[href=\"https://ok.example/\"]",
    );
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0].value().attr("rel"), Some("nofollow ugc noopener"));
    assert_eq!(ok[0].value().attr("target"), None);
}

#[test]
fn a_huge_body_and_control_characters_are_handled() {
    let huge = "Breaking no contact again. ".repeat(40_000); // over 1 MB
    let comments = format!(
        "[[comment]]\nid = \"big\"\nauthor = \"Nul\\u0000 Byte\"\ndate = 2024-01-01T00:00:00Z\nbody = \"{huge}<script>alert(1)</script>\\u0000\\u001b[2J\"\n"
    );
    let config = format!("{SITE_TOML}comments_max_bytes = 2_000_000\n");
    let site = site_with(&[
        ("site.toml", &config),
        ("content/posts/big.md", &article("Big", "2024-01-01", &[])),
        ("content/posts/big.comments.toml", &comments),
    ]);
    let public = build(site.path(), &[]);
    let doc = html(public.join("posts/big/index.html"));
    assert_safe(&doc, select(&doc, "#comments")[0]);
    let body: String = select(&doc, "#comment-big .comment-body")[0]
        .text()
        .collect();
    assert!(body.len() > 1_000_000);
    assert!(!body.contains('\u{0}') && !body.contains('\u{1b}'));
    assert_eq!(texts(&doc, "#comment-big .comment-author"), ["Nul Byte"]);
}

/// A comment file of one comment per body, each replying to `parent(i)`.
fn comment_file(bodies: &[String], parent: impl Fn(usize) -> Option<usize>) -> String {
    let mut text = String::new();
    for (i, body) in bodies.iter().enumerate() {
        text.push_str(&format!(
            "[[comment]]\nid = \"c{i}\"\nauthor = \"A\"\ndate = 2024-01-01T00:00:00Z\nbody = {body:?}\n"
        ));
        if let Some(p) = parent(i) {
            text.push_str(&format!("parent = \"c{p}\"\n"));
        }
    }
    text
}

/// Builds a one-article site with these comments and settings, giving up
/// after a minute (a guard against a hang, not a measure of speed:
/// `bench/linear.py` counts the steps); returns the built article.
fn build_bounded(config: &str, comments: &str, body: &str) -> Html {
    let site = site_with(&[
        ("site.toml", &format!("{SITE_TOML}{config}")),
        (
            "content/posts/x.md",
            &format!("+++\ntitle = \"X\"\ndate = 2024-01-01\n+++\n{body}"),
        ),
        ("content/posts/x.comments.toml", comments),
    ]);
    let binary = assert_cmd::cargo::cargo_bin("mend");
    let mut child = std::process::Command::new(binary)
        .args(["build", "--quiet", "--root"])
        .arg(site.path())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > std::time::Duration::from_secs(60) {
            let _ = child.kill();
            panic!("the build took over a minute");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert!(status.success());
    html(site.path().join("public/posts/x/index.html"))
}

#[test]
fn hostile_shapes_build_and_show_bounded() {
    // Quotes nested 19,000 deep, the most the default size allows.
    let quotes = vec![format!("{}deep", ">".repeat(19_000))];
    let doc = build_bounded("", &comment_file(&quotes, |_| None), "Body.\n");
    let body = select(&doc, "#comment-c0 .comment-body")[0];
    assert!(body.text().collect::<String>().contains("deep"));
    assert!(select(&doc, "#comment-c0 blockquote").len() <= 16);
    // Raw HTML nested as deep as the default size allows.
    let divs = vec![format!("{}x", "<div>".repeat(3_990))];
    build_bounded("", &comment_file(&divs, |_| None), "Body.\n");
    // 100,000 of them where the size allows it: shown as text.
    let flood = vec![format!("{}x", "<div>".repeat(100_000))];
    let doc = build_bounded(
        "comments_max_bytes = 1_000_000\n",
        &comment_file(&flood, |_| None),
        "Body.\n",
    );
    let text: String = select(&doc, "#comment-c0 .comment-body")[0]
        .text()
        .collect();
    assert!(text.starts_with("<div><div>"), "{}", &text[..20]);
    // A chain of 20,000 replies, each to the one before.
    let chain: Vec<String> = (0..20_000).map(|i| format!("reply {i}")).collect();
    let doc = build_bounded("", &comment_file(&chain, |i| i.checked_sub(1)), "Body.\n");
    assert_eq!(select(&doc, "#comments article.comment").len(), 20_000);
    assert_eq!(select(&doc, "#comments article.depth-5").len(), 19_996);
    // 20,000 headings of one title.
    let headings = "## Again\n\n".repeat(20_000);
    let doc = build_bounded("", &comment_file(&[], |_| None), &headings);
    assert_eq!(attrs(&doc, "h2#again-19999", "id"), ["again-19999"]);
}

#[test]
fn threads_deeper_than_twenty_render_nested() {
    let chain: Vec<String> = (0..40).map(|i| format!("reply {i}")).collect();
    let doc = build_bounded(
        "comments_max_depth = 30\n",
        &comment_file(&chain, |i| i.checked_sub(1)),
        "Body.\n",
    );
    // c29 is at depth 30, inside c28; the deeper replies sit beside it.
    assert_eq!(
        select(&doc, "#comment-c28 > ol > li > #comment-c29").len(),
        1
    );
    assert_eq!(
        select(&doc, "#comment-c28 > ol > li > #comment-c39").len(),
        1
    );
    assert_eq!(select(&doc, "#comment-c0 #comment-c39").len(), 1);
    assert_eq!(select(&doc, "article.depth-30").len(), 11);
}

#[test]
fn comments_max_depth_and_max_bytes_are_checked() {
    for (setting, message) in [
        (
            "comments_max_depth = 101",
            "comments_max_depth must be from 1 to 100",
        ),
        (
            "comments_max_depth = 0",
            "comments_max_depth must be from 1 to 100",
        ),
        (
            "comments_max_bytes = 0",
            "comments_max_bytes must be at least 1",
        ),
    ] {
        let site = site_with(&[("site.toml", &format!("{SITE_TOML}{setting}\n"))]);
        assert_eq!(
            error_of("build", site.path(), &[]),
            format!("error: ROOT/site.toml:4: {message}\n")
        );
    }
}

#[test]
fn a_comment_longer_than_comments_max_bytes_is_named() {
    let long = vec!["x".repeat(20_001), "fine".to_string()];
    let site = site_with(&[
        ("site.toml", SITE_TOML),
        ("content/posts/x.md", &article("X", "2024-01-01", &[])),
        (
            "content/posts/x.comments.toml",
            &comment_file(&long, |_| None),
        ),
    ]);
    assert_eq!(
        error_of("build", site.path(), &[]),
        "error: ROOT/content/posts/x.comments.toml:1: comment `c0` is 20001 bytes long, more than comments_max_bytes (20000); shorten it, or raise comments_max_bytes in site.toml\n"
    );
}

#[test]
fn a_template_error_names_the_article_it_was_rendering() {
    let site = site_with(&[
        ("site.toml", SITE_TOML),
        ("content/posts/x.md", &article("X", "2024-01-01", &[])),
        ("templates/article.html", "{{ page.nothing.here }}"),
    ]);
    assert_eq!(
        error_of("build", site.path(), &[]),
        "error: template `article.html` (templates/article.html), rendering ROOT/content/posts/x.md: error: Field `nothing` is not defined. Available fields: author, comment_count, comments, comments_open, content, cover, date, description, draft, embeds, extra, has_more, image, image_height, image_width, json_ld, kind, mentions, meta_description, next, path, permalink, previous, reading_time, related, slug, sticky, summary, tags, title, toc, updated, url, word_count
 --> article.html:1:9
  |
1 | {{ page.nothing.here }}
  |         ^^^^^^^
"
    );
}

/// A site with one article and the given comment file; returns stderr of
/// a failed build.
fn comment_error(comments: &str) -> String {
    let site = site_with(&[
        ("site.toml", SITE_TOML),
        ("content/posts/x.md", &article("X", "2024-01-01", &[])),
        ("content/posts/x.comments.toml", comments),
    ]);
    error_of("build", site.path(), &[])
}

const GOOD: &str =
    "[[comment]]\nid = \"c1\"\nauthor = \"A\"\ndate = 2024-01-01T00:00:00Z\nbody = \"Hello\"\n";

#[test]
fn missing_required_fields_are_named_with_the_comment() {
    for (field, line) in [
        ("id", "id = \"c1\"\n"),
        ("author", "author = \"A\"\n"),
        ("date", "date = 2024-01-01T00:00:00Z\n"),
        ("body", "body = \"Hello\"\n"),
    ] {
        let text = format!(
            "{GOOD}\n{}",
            GOOD.replace("c1", "c2")
                .replace(line.replace("c1", "c2").as_str(), "")
        );
        let err = comment_error(&text);
        let who = if field == "id" { "number 2" } else { "`c2`" };
        assert_eq!(
            err,
            format!(
                "error: ROOT/content/posts/x.comments.toml:7: comment {who} has no `{field}`; every comment needs id, author, date and body\n"
            )
        );
    }
}

#[test]
fn duplicate_ids_name_both_lines() {
    let err = comment_error(&format!("{GOOD}\n{GOOD}"));
    assert_eq!(
        err,
        "error: ROOT/content/posts/x.comments.toml:7: comment `c1` has the same id as the comment on line 1; ids must be unique within an article\n"
    );
}

#[test]
fn reply_to_unknown_parent_is_an_error() {
    let err = comment_error(&format!("{GOOD}parent = \"nobody\"\n"));
    assert_eq!(
        err,
        "error: ROOT/content/posts/x.comments.toml:1: comment `c1` replies to `nobody`, which is not a comment of this article\n"
    );
}

#[test]
fn reply_cycle_is_an_error() {
    let text = format!(
        "{}parent = \"c2\"\n\n{}parent = \"c1\"\n",
        GOOD,
        GOOD.replace("c1", "c2")
    );
    let err = comment_error(&text);
    assert_eq!(
        err,
        "error: ROOT/content/posts/x.comments.toml:1: comments `c1`, `c2` reply to each other in a circle; give one of them another `parent`\n"
    );
}

#[test]
fn bad_date_is_an_error() {
    let err = comment_error(&GOOD.replace("2024-01-01T00:00:00Z", "\"last week\""));
    assert_eq!(
        err,
        "error: ROOT/content/posts/x.comments.toml:1: comment `c1` has the date `last week`; write an RFC 3339 datetime like 2024-02-27T07:10:00Z\n"
    );
}

#[test]
fn unknown_kind_is_an_error() {
    let err = comment_error(&format!("{GOOD}kind = \"like\"\n"));
    assert_eq!(
        err,
        "error: ROOT/content/posts/x.comments.toml:1: comment `c1` has the kind `like`; use comment, pingback or trackback\n"
    );
}

#[test]
fn unknown_status_is_an_error() {
    let err = comment_error(&format!("{GOOD}status = \"hidden\"\n"));
    assert_eq!(
        err,
        "error: ROOT/content/posts/x.comments.toml:1: comment `c1` has the status `hidden`; use approved, pending or spam\n"
    );
}

#[test]
fn unknown_field_and_bad_toml_are_errors() {
    let err = comment_error(&format!("{GOOD}emial = \"typo\"\n"));
    assert_eq!(
        err,
        "error: ROOT/content/posts/x.comments.toml:6: bad comment file: unknown field `emial`, expected one of `id`, `author`, `date`, `body`, `parent`, `email`, `url`, `status`, `by_author`, `kind`\n"
    );
    let err = comment_error("[[comment]\nid = 1\n");
    assert_eq!(
        err,
        "error: ROOT/content/posts/x.comments.toml:1: bad comment file: unclosed array table, expected `]`\n"
    );
}

#[test]
fn a_comment_file_without_its_article_is_an_error() {
    let site = site_with(&[
        ("site.toml", SITE_TOML),
        ("content/posts/x.md", &article("X", "2024-01-01", &[])),
        ("content/posts/renamed.comments.toml", GOOD),
    ]);
    let err = error_of("build", site.path(), &[]);
    assert_eq!(
        err,
        "error: ROOT/content/posts/renamed.comments.toml: these comments belong to ROOT/content/posts/renamed.md, which does not exist; rename the file to match its article\n"
    );
}

#[test]
fn check_reports_every_comment_error_at_once() {
    let site = site_with(&[
        ("site.toml", SITE_TOML),
        ("content/posts/x.md", &article("X", "2024-01-01", &[])),
        (
            "content/posts/x.comments.toml",
            &format!("{GOOD}parent = \"ghost\"\n\n{GOOD}status = \"nope\"\n"),
        ),
        ("content/posts/orphan.comments.toml", GOOD),
    ]);
    let err = error_of("check", site.path(), &[]);
    assert_eq!(
        err,
        "error: ROOT/content/posts/orphan.comments.toml: these comments belong to ROOT/content/posts/orphan.md, which does not exist; rename the file to match its article\nerror: ROOT/content/posts/x.comments.toml:8: comment `c1` has the same id as the comment on line 1; ids must be unique within an article\nerror: ROOT/content/posts/x.comments.toml:8: comment `c1` has the status `nope`; use approved, pending or spam\nerror: ROOT/content/posts/x.comments.toml:1: comment `c1` replies to `ghost`, which is not a comment of this article\n4 errors\n"
    );
}

/// The comments of the fixture as written in its TOML files, by article slug.
fn source_comments() -> BTreeMap<String, Vec<toml::Table>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/comments/content/posts");
    let mut all = BTreeMap::new();
    for (slug, file) in [
        ("threads", "threads.comments.toml"),
        ("bundle", "bundle/comments.toml"),
        ("hostile", "hostile.comments.toml"),
    ] {
        let table: toml::Table = toml::from_str(&read(root.join(file))).unwrap();
        let comments = table["comment"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_table().unwrap().clone())
            .collect();
        all.insert(slug.to_string(), comments);
    }
    all
}

fn field(c: &toml::Table, key: &str) -> String {
    match c.get(key) {
        None => String::new(),
        Some(toml::Value::String(s)) => s.clone(),
        Some(toml::Value::Datetime(d)) => d.to_string(),
        Some(other) => other.to_string(),
    }
}

/// What a source comment's field becomes once loaded: names lose control
/// characters, non-web URLs are dropped.
fn expected(c: &toml::Table, key: &str) -> String {
    let value = field(c, key);
    match key {
        "author" | "body" => value
            .chars()
            .filter(|ch| !ch.is_control() || *ch == '\n' || *ch == '\t')
            .collect(),
        "url" if !value.starts_with("http") => String::new(),
        "status" if value.is_empty() => "approved".into(),
        "by_author" if value.is_empty() => "false".into(),
        _ => value,
    }
}

fn export(site: &std::path::Path, args: &[&str]) -> String {
    let out = mend()
        .args(["comments", "export", "--root"])
        .arg(site)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn json_export_holds_every_comment_and_field() {
    let site = fixture("comments");
    let json: serde_json::Value =
        serde_json::from_str(&export(site.path(), &["--format", "json"])).unwrap();
    let articles = json["articles"].as_array().unwrap();
    assert_eq!(articles.len(), 4, "every article, with or without comments");
    let source = source_comments();
    for article in articles {
        let slug = article["slug"].as_str().unwrap();
        assert_eq!(
            article["url"],
            format!("https://comments.example/posts/{slug}/")
        );
        let exported = article["comments"].as_array().unwrap();
        let written = source.get(slug).cloned().unwrap_or_default();
        assert_eq!(exported.len(), written.len(), "{slug}");
        for (e, w) in exported.iter().zip(&written) {
            for key in [
                "id", "parent", "author", "email", "url", "date", "status", "body",
            ] {
                let got = e[key].as_str().unwrap_or_default();
                assert_eq!(got, expected(w, key), "{slug} {key}");
            }
            assert_eq!(e["by_author"].to_string(), expected(w, "by_author"));
        }
    }
}

#[test]
fn csv_cells_that_would_run_as_formulas_are_defused_and_json_keeps_them() {
    let risky = [
        "=HYPERLINK(\"https://evil.example\")",
        "+1+1",
        "-2",
        "@SUM(A1)",
        "\tx",
    ];
    let mut comments = String::new();
    for (i, text) in risky.iter().enumerate() {
        comments.push_str(&format!(
            "[[comment]]\nid = \"c{i}\"\nauthor = {text:?}\ndate = 2024-01-01T00:00:00Z\nbody = {text:?}\n"
        ));
    }
    let site = site_with(&[
        ("site.toml", SITE_TOML),
        ("content/posts/x.md", &article("X", "2024-01-01", &[])),
        ("content/posts/x.comments.toml", &comments),
    ]);
    let text = export(site.path(), &["--format", "csv"]);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    for (row, original) in rows.iter().zip(risky) {
        // author and body
        assert_eq!(&row[4], format!("'{original}"));
        assert_eq!(&row[10], format!("'{original}"));
    }
    let json: serde_json::Value =
        serde_json::from_str(&export(site.path(), &["--format", "json"])).unwrap();
    let bodies: Vec<&str> = json["articles"][0]["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, risky);
}

#[test]
fn characters_xml_forbids_never_break_the_feeds_or_the_wxr_export() {
    let bad = "bad\\u0001\\uFFFE\\uFFFF"; // TOML escapes
    let comments = format!(
        "[[comment]]\nid = \"id{bad}\"\nauthor = \"A{bad}\"\nemail = \"a{bad}@example.com\"\ndate = 2024-01-01T00:00:00Z\nbody = \"body {bad}\"\n"
    );
    let site = site_with(&[
        ("site.toml", SITE_TOML),
        (
            "content/posts/x.md",
            &format!(
                "+++\ntitle = \"Title {bad}\"\ndate = 2024-01-01\ntags = [\"t\"]\ndescription = \"<img src=x onerror=alert(1)> {bad}\"\n+++\nBody {bad}\n"
            ),
        ),
        ("content/posts/x.comments.toml", &comments),
    ]);
    let public = build(site.path(), &["--quiet"]);
    for feed in ["atom.xml", "tags/t/atom.xml"] {
        let text = read(public.join(feed));
        let doc = parse_xml(&text);
        let summary = doc
            .descendants()
            .find(|n| n.has_tag_name("summary"))
            .unwrap();
        // The plain-text description reaches readers as text, not markup.
        assert_eq!(summary.attribute("type"), Some("text"), "{feed}");
        assert_eq!(
            summary.text(),
            Some("<img src=x onerror=alert(1)> bad"),
            "{feed}"
        );
        let title = doc
            .descendants()
            .filter(|n| n.has_tag_name("title"))
            .nth(1)
            .unwrap();
        assert_eq!(title.text(), Some("Title bad"));
    }
    parse_xml(&read(public.join("sitemap.xml")));
    let wxr = export(site.path(), &["--format", "wxr"]);
    let doc = parse_xml(&wxr);
    let meta_value = doc
        .descendants()
        .find(|n| n.tag_name().name() == "meta_value")
        .unwrap();
    assert_eq!(meta_value.text(), Some("idbad"));
    let email = doc
        .descendants()
        .find(|n| n.tag_name().name() == "comment_author_email")
        .unwrap();
    assert_eq!(email.text(), Some("abad@example.com"));
}

#[test]
fn csv_export_round_trips_through_a_csv_parser() {
    let site = fixture("comments");
    let text = export(site.path(), &["--format", "csv"]);
    assert!(text.contains("\r\n"), "RFC 4180 lines end in CRLF");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        header,
        [
            "article_slug",
            "article_url",
            "id",
            "parent",
            "author",
            "email",
            "url",
            "date",
            "status",
            "by_author",
            "body",
            "kind"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let source = source_comments();
    assert_eq!(rows.len(), source.values().map(Vec::len).sum::<usize>());
    for row in &rows {
        let written = source[&row[0]]
            .iter()
            .find(|c| field(c, "id") == row[2])
            .unwrap();
        for (i, key) in [
            "id",
            "parent",
            "author",
            "email",
            "url",
            "date",
            "status",
            "by_author",
            "body",
        ]
        .iter()
        .enumerate()
        {
            assert_eq!(row[i + 2], expected(written, key), "{} {key}", &row[2]);
        }
    }
    // The body with a comma, quotes and a blank line survived intact.
    assert!(
        rows.iter()
            .any(|r| r[10].contains("\"too late\", now") && r[10].contains("\n\n"))
    );
}

#[test]
fn status_approved_leaves_out_pending_and_spam() {
    let site = fixture("comments");
    let text = export(site.path(), &["--format", "csv", "--status", "approved"]);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let statuses: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[8].to_string())
        .collect();
    assert!(!statuses.is_empty() && statuses.iter().all(|s| s == "approved"));
}

#[test]
fn export_writes_to_a_file() {
    let site = fixture("comments");
    let file = site.path().join("comments.json");
    mend()
        .args(["comments", "export", "--format", "json", "--root"])
        .arg(site.path())
        .arg("--output")
        .arg(&file)
        .assert()
        .success()
        .stdout("");
    let _: serde_json::Value = serde_json::from_str(&read(&file)).unwrap();
}

const WP: &str = "http://wordpress.org/export/1.2/";

fn wp<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> &'a str {
    node.children()
        .find(|n| n.tag_name().namespace() == Some(WP) && n.tag_name().name() == name)
        .and_then(|n| n.text())
        .unwrap_or("")
}

#[test]
fn wxr_export_is_valid_wordpress_xml() {
    let site = fixture("comments");
    let text = export(site.path(), &["--format", "wxr"]);
    let doc = parse_xml(&text);
    let rss = doc.root_element();
    assert_eq!(rss.tag_name().name(), "rss");
    assert_eq!(rss.attribute("version"), Some("2.0"));
    let channel = rss.first_element_child().unwrap();
    assert_eq!(wp(channel, "wxr_version"), "1.2");
    let items: Vec<_> = channel
        .children()
        .filter(|n| n.has_tag_name("item"))
        .collect();
    assert_eq!(items.len(), 4);
    let source = source_comments();
    let mut seen_ids = std::collections::HashSet::new();
    for item in items {
        assert_eq!(wp(item, "post_type"), "post");
        let slug = wp(item, "post_name");
        let dsq = item
            .children()
            .find(|n| n.tag_name().name() == "thread_identifier")
            .unwrap();
        assert_eq!(dsq.tag_name().namespace(), Some("http://www.disqus.com/"));
        assert_eq!(dsq.text(), Some(format!("/posts/{slug}/").as_str()));
        let comments: Vec<_> = item
            .children()
            .filter(|n| n.tag_name().name() == "comment")
            .collect();
        let written = source.get(slug).cloned().unwrap_or_default();
        assert_eq!(comments.len(), written.len(), "{slug}");
        let number_of: BTreeMap<&str, &str> = comments
            .iter()
            .map(|c| {
                (
                    wp(*c, "comment_id"),
                    wp(
                        c.children()
                            .find(|n| n.tag_name().name() == "commentmeta")
                            .unwrap(),
                        "meta_value",
                    ),
                )
            })
            .collect();
        for (c, w) in comments.iter().zip(&written) {
            let id: u64 = wp(*c, "comment_id").parse().expect("numeric comment ids");
            assert!(
                seen_ids.insert(id),
                "comment ids are unique across the export"
            );
            assert_eq!(wp(*c, "comment_author"), expected(w, "author"));
            let date = expected(w, "date").replace('T', " ").replace('Z', "");
            assert_eq!(wp(*c, "comment_date_gmt"), date);
            assert_eq!(wp(*c, "comment_date"), date);
            let approved = match expected(w, "status").as_str() {
                "approved" => "1",
                "pending" => "0",
                _ => "spam",
            };
            assert_eq!(wp(*c, "comment_approved"), approved);
            let parent = wp(*c, "comment_parent");
            let parent_id = if parent == "0" { "" } else { number_of[parent] };
            assert_eq!(parent_id, expected(w, "parent"));
        }
    }
}

#[test]
fn an_article_closed_by_its_age_is_exported_as_closed() {
    let site = fixture("comments");
    let status_of = |root: &std::path::Path| -> Vec<String> {
        let text = export(root, &["--format", "wxr"]);
        let doc = parse_xml(&text);
        doc.descendants()
            .filter(|n| n.tag_name().name() == "comment_status")
            .map(|n| n.text().unwrap_or_default().to_string())
            .collect()
    };
    // Only the article whose front matter says `comments = false`.
    let mut statuses = status_of(site.path());
    statuses.sort();
    assert_eq!(statuses, ["closed", "open", "open", "open"]);
    let config = site.path().join("site.toml");
    let text = read(&config);
    std::fs::write(&config, format!("comments_close_after_days = 30\n{text}")).unwrap();
    // Every fixture article is years old: closed, as its page shows.
    let statuses = status_of(site.path());
    assert_eq!(statuses.len(), 4);
    assert!(statuses.iter().all(|s| s == "closed"), "{statuses:?}");
}

fn wxr_comments(text: &str) -> BTreeMap<String, Vec<BTreeMap<&'static str, String>>> {
    let doc = parse_xml(text);
    let mut by_title = BTreeMap::new();
    let items = doc.descendants().filter(|n| n.has_tag_name("item"));
    for item in items.filter(|i| matches!(wp(*i, "post_type"), "post" | "page")) {
        let title = item
            .children()
            .find(|n| n.has_tag_name("title"))
            .unwrap()
            .text()
            .unwrap_or("")
            .to_string();
        let all: Vec<_> = item
            .children()
            .filter(|n| n.tag_name().name() == "comment")
            .collect();
        let key_of: BTreeMap<&str, String> = all
            .iter()
            .map(|c| {
                let meta = c
                    .children()
                    .find(|n| n.tag_name().name() == "commentmeta")
                    .map(|m| wp(m, "meta_value"));
                (
                    wp(*c, "comment_id"),
                    meta.map_or_else(|| format!("c{}", wp(*c, "comment_id")), str::to_string),
                )
            })
            .collect();
        let comments = all
            .iter()
            .filter(|c| {
                matches!(
                    wp(**c, "comment_type"),
                    "" | "comment" | "pingback" | "trackback"
                )
            })
            .map(|c| {
                let parent = wp(*c, "comment_parent");
                let kind = match wp(*c, "comment_type") {
                    "" => "comment",
                    kind => kind,
                };
                BTreeMap::from([
                    ("kind", kind.to_string()),
                    ("id", key_of[wp(*c, "comment_id")].clone()),
                    ("author", wp(*c, "comment_author").to_string()),
                    ("date", wp(*c, "comment_date_gmt").to_string()),
                    (
                        "parent",
                        if parent == "0" {
                            String::new()
                        } else {
                            key_of[parent].clone()
                        },
                    ),
                    ("status", wp(*c, "comment_approved").to_string()),
                    ("body", words_of(wp(*c, "comment_content"))),
                ])
            })
            .collect();
        by_title.insert(title, comments);
    }
    by_title
}

/// The words a reader sees in a comment, whatever HTML carries them.
fn words_of(html: &str) -> String {
    let text: String = Html::parse_fragment(html).root_element().text().collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn import(
    export: &std::path::Path,
    into: &std::path::Path,
    extra: &[&str],
) -> std::process::Output {
    mend()
        .args(["import", "wordpress"])
        .arg(export)
        .arg("--into")
        .arg(into)
        .args(extra)
        .output()
        .unwrap()
}

fn wordpress_fixture() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/wordpress/export.xml")
}

#[test]
fn wordpress_import_builds_a_site_with_the_same_threads() {
    let dir = tempfile::tempdir().unwrap();
    // --base-url without a value takes the export's own address.
    let out = import(&wordpress_fixture(), dir.path(), &["--base-url"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("imported 3 articles and 1 pages (1 of them drafts) with 9 comments (1 of them pingbacks or trackbacks)"),
        "{stdout}"
    );
    let report = read(dir.path().join("import-report.md"));
    assert!(
        report.contains("javascript:alert(document.cookie)"),
        "{report}"
    );
    let config = read(dir.path().join("site.toml"));
    assert!(
        config.contains("[authors.zan]\nname = \"Zan Okafor\"")
            && config.contains("[authors.sabrina-h]"),
        "{config}"
    );
    let article = read(dir.path().join("content/posts/let-him-go.md"));
    assert!(
        article.contains("aliases = [\"/2020/02/let-him-go/\"]")
            && article.contains("tags = [\"Letting Go\", \"no contact\"]"),
        "{article}"
    );
    assert!(
        read(dir.path().join("content/posts/texting-after-no-contact.md")).contains("draft = true")
    );
    assert!(
        read(dir.path().join("content/posts/coffee-with-an-ex.md")).contains("comments = false")
    );

    let public = build(dir.path(), &[]);
    let doc = html(public.join("posts/let-him-go/index.html"));
    assert_safe(&doc, select(&doc, "#comments")[0]);
    // The post's own HTML was cleaned too: its image stays, its handlers go.
    let content = select(&doc, ".content")[0];
    assert!(
        all_attributes(content)
            .iter()
            .all(|(name, _)| !name.starts_with("on"))
    );
    assert_eq!(attrs(&doc, ".content img", "alt"), ["Sunrise"]);
    assert_eq!(
        select(
            &doc,
            "#comment-c101 #comment-c102 #comment-c103 #comment-c107"
        )
        .len(),
        1,
        "the thread keeps its nesting"
    );
    assert_eq!(texts(&doc, "#comment-c102 > header .badge"), ["author"]);
    assert!(select(&doc, "#comment-c104, #comment-c105, #comment-c106").is_empty());
    assert!(
        read(public.join("posts/let-him-go/index.html")).contains("<!-- more -->")
            || doc.html().contains("What letting go means")
    );
    let alias = html(public.join("2020/02/let-him-go/index.html"));
    assert_eq!(
        attrs(&alias, "link[rel=canonical]", "href"),
        ["https://old-hearts.example/posts/let-him-go/"]
    );
    let coffee = html(public.join("posts/coffee-with-an-ex/index.html"));
    assert_eq!(
        texts(&coffee, "#comment-c202 > header .badge"),
        ["author"],
        "matched by the author's email"
    );
}

#[test]
fn wordpress_import_never_overwrites_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    assert!(import(&wordpress_fixture(), root, &[]).status.success());
    let file = root.join("content/posts/let-him-go.md");
    std::fs::write(&file, "my edits").unwrap();
    let stderr = |out: std::process::Output| {
        assert!(!out.status.success());
        String::from_utf8(out.stderr)
            .unwrap()
            .replace(&root.display().to_string(), "ROOT")
    };
    assert_eq!(
        stderr(import(&wordpress_fixture(), root, &[])),
        "error: ROOT/content/about.md: already exists (6 of the files to import do); pass --force to replace the ones an earlier import wrote (a file you made or changed is never replaced)\n"
    );
    // With --force, a file changed since the import is still the writer's.
    let config_before = read(root.join("site.toml"));
    assert_eq!(
        stderr(import(&wordpress_fixture(), root, &["--force"])),
        "error: ROOT/content/posts/let-him-go.md: is yours: no earlier import wrote it, or it was changed since (1 such file); mend never replaces a file of yours, so nothing was imported: move it aside, or import into another folder with --into\n"
    );
    assert_eq!(read(&file), "my edits");
    // Moved aside, the import replaces what it wrote itself.
    std::fs::remove_file(&file).unwrap();
    assert!(
        import(&wordpress_fixture(), root, &["--force"])
            .status
            .success()
    );
    assert_ne!(read(&file), "my edits");
    assert_eq!(
        read(root.join("site.toml")),
        config_before,
        "authors are not added twice"
    );
}

#[test]
fn wordpress_import_into_a_blog_never_replaces_the_writers_own_pages() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("blog");
    mend().arg("init").arg(&root).assert().success();
    let about = root.join("content/about.md");
    let mine = read(&about);
    let out = import(&wordpress_fixture(), &root, &["--force"]);
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8(out.stderr)
            .unwrap()
            .replace(&root.display().to_string(), "ROOT"),
        "error: ROOT/content/about.md: is yours: no earlier import wrote it, or it was changed since (1 such file); mend never replaces a file of yours, so nothing was imported: move it aside, or import into another folder with --into\n"
    );
    assert_eq!(read(&about), mine);
    assert!(!root.join("content/posts/let-him-go.md").exists());
}

#[test]
fn wordpress_import_rejects_what_is_not_wxr() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("export.xml");
    std::fs::write(&bad, "<html><body>not an export</body></html>").unwrap();
    let out = import(&bad, &dir.path().join("site"), &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a WordPress export (WXR) file"));
    std::fs::write(&bad, "<rss><channel><item>").unwrap();
    let out = import(&bad, &dir.path().join("site"), &[]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("export.xml"));
}

#[test]
fn wordpress_round_trip_keeps_every_comment() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        import(&wordpress_fixture(), dir.path(), &[])
            .status
            .success()
    );
    let exported = export(dir.path(), &["--format", "wxr"]);
    let original = wxr_comments(&read(wordpress_fixture()));
    let again = wxr_comments(&exported);
    assert_eq!(again.len(), 4, "every post and page comes back");
    for (title, comments) in &original {
        let mut expected = comments.clone();
        let mut got = again[title].clone();
        expected.sort_by(|a, b| a["id"].cmp(&b["id"]));
        got.sort_by(|a, b| a["id"].cmp(&b["id"]));
        assert_eq!(got, expected, "{title}");
    }
    // Importing the export again changes nothing: ids, threads and all.
    let second = tempfile::tempdir().unwrap();
    let file = second.path().join("again.xml");
    std::fs::write(&file, &exported).unwrap();
    assert!(
        import(&file, &second.path().join("site"), &[])
            .status
            .success()
    );
    assert_eq!(
        read(dir.path().join("content/posts/let-him-go.comments.toml")),
        read(
            second
                .path()
                .join("site/content/posts/let-him-go.comments.toml")
        )
    );
}

#[test]
fn comments_read_like_articles_with_times_links_and_curly_quotes() {
    let site = fixture("comments");
    write(
        site.path(),
        "content/posts/quiet.md",
        "+++\ntitle = \"Quiet\"\ndate = 2024-01-20\n+++\nNobody said anything yet.\n",
    );
    write(
        site.path(),
        "content/posts/quiet.comments.toml",
        "[[comment]]\nid = \"q1\"\nauthor = \"Ana\"\ndate = 2024-01-21\nbody = \"It's \\\"day one\\\" -- see https://help.example/no-contact.\"\nstatus = \"pending\"\n",
    );
    let public = build(site.path(), &[]);
    let doc = html(public.join("posts/threads/index.html"));
    assert_eq!(
        texts(&doc, "#comment-c1 > .comment-meta time"),
        ["February 27, 2024 at 07:10 UTC"]
    );
    // Approve the pending one: a bare address becomes a link, quotes curl.
    let file = site.path().join("content/posts/quiet.comments.toml");
    std::fs::write(&file, read(&file).replace("status = \"pending\"\n", "")).unwrap();
    let public = build(site.path(), &[]);
    let doc = html(public.join("posts/quiet/index.html"));
    assert_eq!(
        texts(&doc, "#comment-q1 .comment-body"),
        ["It’s “day one” – see https://help.example/no-contact."]
    );
    assert_eq!(
        attrs(&doc, "#comment-q1 .comment-body a", "rel"),
        ["nofollow ugc noopener"]
    );
    assert_eq!(
        texts(&doc, "#comment-q1 > .comment-meta time"),
        ["January 21, 2024"]
    );
    // Lists say when an open article has no comments yet; a closed one says nothing.
    std::fs::remove_file(&file).unwrap();
    let public = build(site.path(), &[]);
    let index = html(public.join("index.html"));
    let metas = texts(&index, ".card .meta");
    let quiet = metas.iter().find(|m| m.contains("January 20")).unwrap();
    assert!(quiet.contains("No comments yet"), "{metas:?}");
    let closed = metas.iter().find(|m| m.contains("January 15")).unwrap();
    assert!(!closed.contains("comment"), "{closed}");
}

#[test]
fn a_link_in_a_comment_to_a_page_of_the_site_leads_there_everywhere() {
    let site = site_with(&[
        ("site.toml", SITE_TOML),
        ("content/posts/one.md", &article("One", "2024-01-01", &[])),
        ("content/posts/two.md", &article("Two", "2024-01-02", &[])),
        (
            "content/posts/two.comments.toml",
            "[[comment]]\nid = \"c1\"\nauthor = \"Zan\"\ndate = 2024-01-03T00:00:00Z\nbody = \"Read [the first](/posts/one/#start) and [this](../x/).\"\n",
        ),
    ]);
    let public = build(site.path(), &["--quiet"]);
    let page = html(public.join("posts/two/index.html"));
    assert_eq!(
        attrs(&page, "#comment-c1 .comment-body a[href]", "href"),
        ["https://test.example/posts/one/#start"]
    );
    // A relative link with no base to read it against leads nowhere: dropped.
    assert_eq!(
        texts(&page, "#comment-c1 .comment-body a:not([href])"),
        ["this"]
    );
    let content = first_feed_content(public.join("comments.xml"));
    assert!(
        content.contains("href=\"https://test.example/posts/one/#start\""),
        "{content}"
    );
    let wxr = mend()
        .args(["comments", "export", "--format", "wxr", "--root"])
        .arg(site.path())
        .output()
        .unwrap();
    let wxr = String::from_utf8(wxr.stdout).unwrap();
    let doc = roxmltree::Document::parse(&wxr).unwrap();
    let exported = doc
        .descendants()
        .find(|n| n.tag_name().name() == "comment_content")
        .and_then(|n| n.text())
        .unwrap();
    assert!(
        exported.contains("href=\"https://test.example/posts/one/#start\""),
        "{exported}"
    );
}

#[test]
fn past_the_depth_limit_a_reply_names_whom_it_answers() {
    let site = site_with(&[
        ("site.toml", &format!("comments_max_depth = 2\n{SITE_TOML}")),
        ("content/posts/x.md", &article("X", "2024-01-01", &[])),
        (
            "content/posts/x.comments.toml",
            "[[comment]]\nid = \"c1\"\nauthor = \"Ana\"\ndate = 2024-01-02T00:00:00Z\nbody = \"One.\"\n\n\
             [[comment]]\nid = \"c2\"\nauthor = \"Ben\"\ndate = 2024-01-03T00:00:00Z\nbody = \"Two.\"\nparent = \"c1\"\n\n\
             [[comment]]\nid = \"c3\"\nauthor = \"Cy\"\ndate = 2024-01-04T00:00:00Z\nbody = \"Three.\"\nparent = \"c2\"\n\n\
             [[comment]]\nid = \"d1\"\nauthor = \"Dee\"\ndate = 2024-01-05T00:00:00Z\nbody = \"Another thread.\"\n",
        ),
    ]);
    let public = build(site.path(), &["--quiet"]);
    let doc = html(public.join("posts/x/index.html"));
    // c3 sits beside c2 (depth 2 at most) and says it answers Ben.
    assert_eq!(texts(&doc, "#comment-c3 .in-reply-to"), ["in reply to Ben"]);
    assert_eq!(
        attrs(&doc, "#comment-c3 .in-reply-to", "href"),
        ["#comment-c2"]
    );
    assert!(select(&doc, "#comment-c2 .in-reply-to").is_empty());
    // Each top-level conversation is an item of the thread, apart.
    assert_eq!(select(&doc, "ol.thread > li").len(), 2);
}
