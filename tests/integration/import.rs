//! `mend import wordpress` on real exports: the WordPress theme unit test
//! data and a file of the shapes that broke earlier imports. Each imported
//! site is built untouched and read back by parsing what mend writes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use scraper::{Html, Selector};

use crate::common::*;

fn wordpress(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/wordpress")
        .join(name)
}

/// Runs `mend import wordpress EXPORT --into DIR ARGS…`; returns stdout.
fn import_ok(export: &Path, into: &Path, args: &[&str]) -> String {
    let output = mend()
        .args(["import", "wordpress"])
        .arg(export)
        .arg("--into")
        .arg(into)
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    String::from_utf8(output.stdout).unwrap()
}

fn wp<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> &'a str {
    node.children()
        .find(|n| n.tag_name().name() == name)
        .and_then(|n| n.text())
        .unwrap_or("")
        .trim()
}

/// An item's title as mend shows it: on one line, `Untitled` if empty.
/// A title or a name as a reader sees it: WordPress keeps them as HTML
/// (`<em>`, `&#8217;`, `&laquo;`), read here by an HTML parser.
fn as_text(html: &str) -> String {
    let html = Html::parse_fragment(html);
    let text: String = html.root_element().text().collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn title_of(item: roxmltree::Node) -> String {
    let title = as_text(wp(item, "title"));
    if title.is_empty() {
        "Untitled".to_string()
    } else {
        title
    }
}

/// The posts and pages of an export that a reader may see.
fn published<'a>(doc: &'a roxmltree::Document<'a>) -> Vec<roxmltree::Node<'a, 'a>> {
    doc.descendants()
        .filter(|n| n.has_tag_name("item"))
        .filter(|i| matches!(wp(*i, "post_type"), "post" | "page"))
        .filter(|i| wp(*i, "status") == "publish" && wp(*i, "post_password").is_empty())
        .collect()
}

/// Every built HTML page, parsed, by its path in the output.
fn pages(public: &Path) -> BTreeMap<String, Html> {
    walkdir::WalkDir::new(public)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_name() == "index.html")
        .map(|e| {
            let relative = e.path().strip_prefix(public).unwrap().display().to_string();
            (relative, html(e.path()))
        })
        .collect()
}

/// The title of an article's or page's own page.
const TITLE: &str = "article.article > header > h1, article.article > h1";

fn count(doc: &Html, selector: &str) -> usize {
    doc.select(&Selector::parse(selector).unwrap()).count()
}

#[test]
fn the_theme_unit_test_data_imports_and_builds_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let export = wordpress("themeunittestdata.xml");
    let stdout = import_ok(&export, dir.path(), &[]);
    assert_eq!(
        stdout
            .lines()
            .next()
            .unwrap()
            .replace(&dir.path().display().to_string(), "ROOT"),
        "imported 58 articles and 21 pages (3 of them drafts) with 33 comments (4 of them pingbacks or trackbacks) into ROOT; 2 authors added to site.toml"
    );
    // A new site gets what `mend init` gives one: every setting (search
    // on), and a .gitignore that keeps the inbox out of a repository.
    let made = tempfile::tempdir().unwrap();
    mend()
        .arg("init")
        .arg(made.path().join("blog"))
        .assert()
        .success();
    assert_eq!(
        read(dir.path().join(".gitignore")),
        read(made.path().join("blog/.gitignore"))
    );
    let settings: toml::Table = toml::from_str(&read(dir.path().join("site.toml"))).unwrap();
    assert_eq!(settings["search"], toml::Value::Boolean(true));
    // Clean Markdown: no white space at the end of a line, no line of it.
    for entry in walkdir::WalkDir::new(dir.path().join("content")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "md") {
            let text = read(entry.path());
            let bad = text.lines().find(|l| l.ends_with([' ', '\t']));
            assert!(bad.is_none(), "{}: {bad:?}", entry.path().display());
        }
    }
    // It builds as it is, with nothing to warn about (tags differing in
    // case were merged by the import, once).
    let built_out = mend()
        .args(["build", "--quiet", "--root"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(built_out.status.success());
    assert_eq!(String::from_utf8_lossy(&built_out.stderr), "");
    let public = dir.path().join("public");
    let built = pages(&public);
    let titles: BTreeSet<String> = built.values().flat_map(|doc| texts(doc, TITLE)).collect();
    let text = read(&export);
    let doc = parse_xml(&text);
    let mut approved = 0;
    let mut mentions = 0;
    for item in published(&doc) {
        let title = title_of(item);
        assert!(titles.contains(&title), "“{title}” was not built");
        for comment in item.children().filter(|n| n.tag_name().name() == "comment") {
            if wp(comment, "comment_approved") == "1" {
                match wp(comment, "comment_type") {
                    "" | "comment" => approved += 1,
                    _ => mentions += 1,
                }
            }
        }
    }
    let shown: usize = built
        .values()
        .map(|d| count(d, "#comments article.comment"))
        .sum();
    assert_eq!(shown, approved, "every approved comment is shown");
    let listed: usize = built.values().map(|d| count(d, ".mentions li")).sum();
    assert_eq!(listed, mentions, "every pingback and trackback is listed");
    // Comments on pages are shown like those on articles.
    let page = &built["about/page-with-comments/index.html"];
    assert!(count(page, "#comments article.comment") >= 3);
    // Its videos and posts of other sites, embed blocks and bare URLs
    // alike, are facades that play from the privacy domain.
    let players = |path: &str| -> Vec<String> {
        attrs(
            &built[path],
            ".content figure.embed a.embed-link",
            "data-player",
        )
    };
    assert_eq!(
        players("posts/blocks-embeds/index.html"),
        [
            "https://www.youtube-nocookie.com/embed/ex8fMxXJDJw?autoplay=1",
            "https://www.instagram.com/p/BpmueLLgEn_/embed/"
        ]
    );
    assert_eq!(
        texts(&built["posts/blocks-embeds/index.html"], ".embed-title"),
        ["YouTube", "A post on Instagram"]
    );
    assert_eq!(
        players("posts/post-format-video-youtube/index.html"),
        ["https://www.youtube-nocookie.com/embed/SQEQr7c0-dw?autoplay=1"]
    );
    // The password-protected post is never published.
    assert!(!titles.iter().any(|t| t.contains("Password Protected")));
    assert!(!public.join("posts/template-password-protected").exists());
    // No shortcode is left as text, and every <pre> is code.
    for (path, doc) in &built {
        let content: String = doc
            .select(&Selector::parse(".content").unwrap())
            .flat_map(|c| c.text())
            .collect();
        for shortcode in [
            "[caption",
            "[gallery",
            "[embed",
            "[youtube",
            "[audio",
            "[video",
            "[sourcecode",
        ] {
            assert!(!content.contains(shortcode), "{path}: {shortcode}");
        }
    }
    let by_title: BTreeMap<String, &Html> = built
        .values()
        .filter_map(|d| texts(d, TITLE).first().map(|t| (t.clone(), d)))
        .collect();
    let mut with_code = 0;
    for item in published(&doc) {
        let content = item
            .children()
            .find(|n| n.tag_name().name() == "encoded")
            .and_then(|n| n.text())
            .unwrap_or("");
        if content.contains("<pre") {
            let title = title_of(item);
            let page = by_title
                .get(&title)
                .unwrap_or_else(|| panic!("“{title}” has no page"));
            assert!(
                count(page, ".content pre > code") >= 1,
                "{title}: no code block"
            );
            with_code += 1;
        }
    }
    assert!(with_code >= 2, "{with_code}");
    // Every page has one <h1>, its title, whatever headings its body had.
    for (path, doc) in &built {
        assert!(count(doc, "h1") <= 1, "{path}: more than one <h1>");
    }
    let headings = &by_title["Markup: HTML Tags and Formatting"];
    assert!(count(headings, ".content h2") >= 1);
    // Galleries keep how many images a row holds.
    let gallery = &by_title["Post Format: Gallery"];
    let columns: Vec<String> = gallery
        .select(&Selector::parse(".content figure.gallery").unwrap())
        .skip(1) // the first, [gallery] alone, has the default three
        .map(|f| f.value().attr("class").unwrap().to_string())
        .collect();
    assert_eq!(
        columns,
        (1..=9)
            .map(|n| format!("gallery gallery-columns-{n}"))
            .collect::<Vec<_>>()
    );
    // The sticky post is pinned at the top of the index.
    let first = texts(&built["index.html"], ".card-title");
    assert_eq!(first[0], "Template: Sticky");
    // Child pages keep their parents in the URL; the menu lists top-level pages only.
    assert!(public.join("level-1/level-2/level-3/index.html").is_file());
    let menu = texts(&built["index.html"], "nav[aria-label=Main] li");
    assert!(
        menu.contains(&"About The Tests".to_string()) && !menu.contains(&"Level 2".to_string()),
        "{menu:?}"
    );
    let report = read(dir.path().join("import-report.md"));
    for heading in [
        "## What came in",
        "## Made drafts: never published until you set `draft = false`",
        "## Renamed",
        "## Skipped, and why",
        "## To check by hand",
    ] {
        assert!(report.contains(heading), "{heading}");
    }
    assert!(report.contains("- “Template: Password Protected (the password is \"enter\")”: password-protected in WordPress"));
    assert!(report.contains("- 70 menu items (mend's navigation lists the top-level pages)"));
}

/// Each imported post's comments, by title: id, parent, author, date,
/// status and kind, as WXR has them.
fn thread_facts(text: &str) -> BTreeMap<String, BTreeSet<Vec<String>>> {
    let doc = parse_xml(text);
    let mut by_title = BTreeMap::new();
    for item in published(&doc) {
        let title = title_of(item);
        let comments: Vec<_> = item
            .children()
            .filter(|n| n.tag_name().name() == "comment")
            .filter(|c| matches!(wp(*c, "comment_approved"), "1" | "0" | "spam"))
            .collect();
        let id_of = |number: &str| -> String {
            comments
                .iter()
                .find(|c| wp(**c, "comment_id") == number)
                .map(|c| {
                    c.children()
                        .find(|m| m.tag_name().name() == "commentmeta")
                        .map_or_else(|| format!("c{number}"), |m| wp(m, "meta_value").to_string())
                })
                .unwrap_or_default()
        };
        let facts = comments
            .iter()
            .map(|c| {
                let kind = match wp(*c, "comment_type") {
                    "" => "comment",
                    kind => kind,
                };
                vec![
                    id_of(wp(*c, "comment_id")),
                    id_of(wp(*c, "comment_parent")),
                    as_text(wp(*c, "comment_author")),
                    wp(*c, "comment_date_gmt").to_string(),
                    wp(*c, "comment_approved").to_string(),
                    kind.to_string(),
                ]
            })
            .collect();
        by_title.insert(title, facts);
    }
    by_title
}

#[test]
fn the_theme_unit_test_data_survives_a_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let export = wordpress("themeunittestdata.xml");
    import_ok(&export, dir.path(), &[]);
    let out = mend()
        .args(["comments", "export", "--format", "wxr", "--root"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let original = thread_facts(&read(&export));
    let again = thread_facts(&String::from_utf8(out.stdout).unwrap());
    let with_comments = original.values().filter(|c| !c.is_empty()).count();
    assert!(with_comments >= 5, "{with_comments}");
    for (title, facts) in &original {
        assert_eq!(again.get(title), Some(facts), "{title}");
    }
}

#[test]
fn hard_shapes_are_renamed_repaired_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "site.toml",
        "title = \"Mine\"\nbase_url = \"https://mine.example\"\n\n[authors.zan]\nname = \"Zan Okafor\"\n",
    );
    import_ok(&wordpress("hard.xml"), dir.path(), &[]);
    let public = build(dir.path(), &["--quiet"]);
    let post = read(dir.path().join("content/posts/line-one.md"));
    assert!(post.starts_with(
        "+++\ntitle = \"Line one +++ draft = false\"\ndate = 2020-01-01T10:00:00Z\nauthor = \"author-3\"\naliases = [\"/greek/επίπεδο-2/\"]\n+++\n"
    ), "{post}");
    assert!(public.join("greek/επίπεδο-2/index.html").is_file());
    // The page slugged `tags` moved; the tag index is mend's.
    assert!(public.join("tags-page/index.html").is_file());
    let page = html(public.join("tags-page/index.html"));
    assert_eq!(
        attrs(&page, ".content a", "href"),
        ["../posts/line-one/", "../posts/line-one/"]
    );
    assert!(read(dir.path().join("content/posts/secret.md")).contains("draft = true"));
    let config = read(dir.path().join("site.toml"));
    assert!(
        config.ends_with(
            "[authors.zan]\nname = \"Zan Okafor\"\n\n[authors.author-3]\nname = \"Symbols\"\nbio = \"\"\n\n[authors.zan-2]\nname = \"Zan From Import\"\nbio = \"\"\n\n[authors.zan-3]\nname = \"Another Zan\"\nbio = \"\"\n"
        ),
        "{config}"
    );
    let comments = read(dir.path().join("content/posts/line-one.comments.toml"));
    let table: toml::Table = toml::from_str(&comments).unwrap();
    let ids: Vec<(&str, Option<&str>)> = table["comment"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap(),
                c.get("parent").and_then(|p| p.as_str()),
            )
        })
        .collect();
    assert_eq!(
        ids,
        [
            ("c1", None),
            ("c2", Some("c1")),
            ("dup", None),
            ("dup-2", None)
        ]
    );
    let report = read(dir.path().join("import-report.md"));
    let renamed = report
        .split("## Renamed\n\n")
        .nth(1)
        .and_then(|r| r.split("\n\n##").next())
        .unwrap();
    assert_eq!(
        renamed,
        "- the author zan (Zan From Import) is `zan-2` under [authors] in site.toml\n\
         - the author Zan! (Another Zan) is `zan-3` under [authors] in site.toml\n\
         - the author !!! (Symbols) is `author-3` under [authors] in site.toml\n\
         - “Tags” would have been at /tags/, which mend uses for its own pages; it is at /tags-page/\n\
         - comment id `dup` on “Line one +++ draft = false” was used twice; the second is `dup-2`\n\
         - comments `c1`, `c2` on “Line one +++ draft = false” replied to each other in a circle; `c1` is now a top-level comment"
    );
    assert!(report.contains("- 1 trashed comments\n"));
    assert!(report.contains("- “Secret”: private in WordPress\n"));
}

#[test]
fn an_export_without_posts_or_pages_fails_loudly() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("menus.xml");
    std::fs::write(
        &export,
        "<rss xmlns:wp=\"https://wordpress.org/export/1.2/\"><channel><title>T</title>\
         <item><wp:post_type>nav_menu_item</wp:post_type><wp:status>publish</wp:status></item></channel></rss>",
    )
    .unwrap();
    let output = mend()
        .args(["import", "wordpress"])
        .arg(&export)
        .arg("--into")
        .arg(dir.path().join("site"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert_eq!(
        String::from_utf8(output.stderr)
            .unwrap()
            .replace(&dir.path().display().to_string(), "ROOT"),
        "error: ROOT/menus.xml: has no posts or pages (1 items of other kinds); export “All content” from Tools → Export in WordPress\n"
    );
    assert!(!dir.path().join("site").exists());
}

/// An export in `dir` of a site at `site` with one published post, `slug`,
/// titled after it, its HTML `content`.
fn one_post_export(dir: &Path, site: &str, slug: &str, content: &str) -> PathBuf {
    let export = dir.join("export.xml");
    std::fs::write(
        &export,
        format!(
            "<rss xmlns:wp=\"https://wordpress.org/export/1.2/\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>T</title><link>{site}</link>\
             <item><title>{slug}</title><link>{site}/{slug}/</link>\
             <content:encoded><![CDATA[{content}]]></content:encoded>\
             <wp:post_id>1</wp:post_id><wp:post_date_gmt>2020-01-01 00:00:00</wp:post_date_gmt><wp:post_name>{slug}</wp:post_name>\
             <wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item></channel></rss>"
        ),
    )
    .unwrap();
    export
}

#[test]
fn uploads_are_copied_into_page_bundles_or_listed() {
    let dir = tempfile::tempdir().unwrap();
    let export = one_post_export(
        dir.path(),
        "https://up.example",
        "pictured",
        "Look: <img src=\"https://up.example/wp-content/uploads/2020/01/a.jpg\" alt=\"A\">",
    );
    let uploads = dir.path().join("uploads");
    write(&uploads, "2020/01/a.jpg", "JPEG");
    let site = dir.path().join("site");
    import_ok(
        &export,
        &site,
        &["--uploads", &uploads.display().to_string()],
    );
    let post = read(site.join("content/posts/pictured/index.md"));
    assert!(post.ends_with("+++\nLook: ![A](a.jpg)\n"), "{post}");
    let public = build(&site, &["--quiet"]);
    assert_eq!(read(public.join("posts/pictured/a.jpg")), "JPEG");

    let remote = dir.path().join("remote");
    let stdout = import_ok(&export, &remote, &["--base-url", "https://new.example"]);
    assert!(
        stdout.contains("\nbase_url is https://new.example;"),
        "{stdout}"
    );
    assert!(read(remote.join("site.toml")).contains("base_url = \"https://new.example\"\n"));
    assert!(
        read(remote.join("content/posts/pictured.md"))
            .ends_with("Look: ![A](https://up.example/wp-content/uploads/2020/01/a.jpg)\n")
    );
    assert!(
        read(remote.join("import-report.md"))
            .contains("- “pictured”: <https://up.example/wp-content/uploads/2020/01/a.jpg>\n")
    );
}

#[test]
fn imported_code_keeps_its_language_and_is_highlighted() {
    let dir = tempfile::tempdir().unwrap();
    let export = one_post_export(
        dir.path(),
        "https://code.example",
        "coded",
        "PHP:\n\n[sourcecode language=\"php\"]\nfunction hi($name) { echo \"Hi $name\"; }\n[/sourcecode]\n\nShell:\n\n<pre class=\"brush: bash; gutter: false\">ls -la &amp;&amp; echo done</pre>\n\nSQL:\n\n[code lang=\"sql\"]SELECT 1;[/code]",
    );
    let site = dir.path().join("site");
    import_ok(&export, &site, &[]);
    let post = read(site.join("content/posts/coded.md"));
    assert!(
        post.ends_with("PHP:\n\n```php\nfunction hi($name) { echo \"Hi $name\"; }\n```\n\nShell:\n\n```bash\nls -la && echo done\n```\n\nSQL:\n\n```sql\nSELECT 1;\n```\n"),
        "{post}"
    );
    let public = build(&site, &["--quiet"]);
    let page = Html::parse_document(&read(public.join("posts/coded/index.html")));
    assert_eq!(
        attrs(&page, ".content pre > code", "class"),
        ["language-php", "language-bash", "language-sql"]
    );
    assert_eq!(
        texts(&page, ".language-php .hl-variable"),
        ["$name", "$name"]
    );
    assert_eq!(texts(&page, ".language-bash .hl-function"), ["ls", "echo"]);
    assert_eq!(texts(&page, ".language-sql .hl-keyword"), ["SELECT"]);
}
