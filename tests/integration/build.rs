//! `mend build` on fixture sites, checked by parsing what it writes.

use std::fs;

use crate::common::*;

#[test]
fn every_url_of_the_contract_exists() {
    let site = fixture("blog");
    let public = build(site.path(), &[]);
    for path in [
        "index.html",
        "page/2/index.html",
        "posts/a-first/index.html",
        "posts/b-second/index.html",
        "posts/c-third/index.html",
        "posts/d-fourth/index.html",
        "posts/the-fifth/index.html",
        "about/index.html",
        "guides/first-steps/index.html",
        "tags/index.html",
        "tags/no-contact/index.html",
        "tags/no-contact/atom.xml",
        "tags/healing/index.html",
        "tags/cafe-ete/index.html",
        "atom.xml",
        "sitemap.xml",
        "robots.txt",
        "404.html",
        "old/second/index.html",
        "2019/second.html",
        "favicon.txt",
        "css/extra.css",
        "style.css",
        "posts/d-fourth/photo.png",
    ] {
        assert!(public.join(path).is_file(), "missing {path}");
    }
}

#[test]
fn sources_are_never_copied() {
    let site = fixture("blog");
    let public = build(site.path(), &[]);
    for (path, _) in snapshot(&public) {
        assert!(!path.ends_with(".md"), "source copied: {path}");
        assert!(
            !path.ends_with(".comments.toml") && !path.ends_with("comments.toml"),
            "{path}"
        );
    }
}

#[test]
fn tag_pages_list_exactly_their_articles_newest_first() {
    let site = fixture("blog");
    let public = build(site.path(), &[]);
    let titles = |tag: &str| {
        texts(
            &html(public.join(format!("tags/{tag}/index.html"))),
            ".card-title",
        )
    };
    // "No Contact!" and "no contact" merge into one tag.
    assert_eq!(
        titles("no-contact"),
        ["Fifth Article", "Second Article", "First Article"]
    );
    // The draft carries `healing` too, and must not be listed.
    assert_eq!(
        titles("healing"),
        ["Fifth Article", "Fourth Article, a Bundle", "First Article"]
    );
    assert_eq!(titles("cafe-ete"), ["Third Article"]);
    let index = html(public.join("tags/index.html"));
    let listed = texts(&index, ".tag-cloud li");
    assert_eq!(listed.len(), 3, "{listed:?}");
    assert!(
        listed[0].starts_with("Café Été") && listed[0].contains("(1 article)"),
        "{listed:?}"
    );
    // A merged tag keeps the name its newest article gives it.
    assert!(
        listed[2].starts_with("no contact") && listed[2].contains("(3 articles)"),
        "{listed:?}"
    );
}

#[test]
fn merging_tags_warns() {
    let site = fixture("blog");
    let out = mend()
        .args(["build", "--root"])
        .arg(site.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: tags `no contact` and `No Contact!`"),
        "{stderr}"
    );
}

#[test]
fn tag_used_only_by_drafts_gets_no_page_unless_drafts_are_built() {
    let site = fixture("blog");
    let public = build(site.path(), &[]);
    assert!(!public.join("tags/draft-only").exists());
    assert!(!public.join("posts/draft").exists());
    let sitemap = read(public.join("sitemap.xml"));
    assert!(!sitemap.contains("draft"), "{sitemap}");
    let public = build(site.path(), &["--drafts"]);
    assert!(public.join("tags/draft-only/index.html").is_file());
    assert!(public.join("posts/draft/index.html").is_file());
}

#[test]
fn index_is_paginated_and_shows_summaries_only() {
    let site = fixture("blog");
    let public = build(site.path(), &[]);
    let first = html(public.join("index.html"));
    assert_eq!(
        texts(&first, ".card-title"),
        ["Fifth Article", "Fourth Article, a Bundle", "Third Article"]
    );
    assert_eq!(attrs(&first, "a[rel=next]", "href"), ["./page/2/"]);
    let second = html(public.join("page/2/index.html"));
    assert_eq!(
        texts(&second, ".card-title"),
        ["Second Article", "First Article"]
    );
    assert_eq!(attrs(&second, "a[rel=prev]", "href"), ["../../"]);
    assert!(attrs(&second, "a[rel=next]", "href").is_empty());
    let index_text = read(public.join("index.html"));
    assert!(index_text.contains("SUMMARY-TEXT"));
    assert!(
        !index_text.contains("FULL-ONLY-TEXT"),
        "a list page shows a whole article"
    );
    // The bundle's image in a summary points at the bundle, wherever it is
    // shown, relative to the page so that the site also works from disk.
    assert_eq!(
        attrs(&first, ".summary img", "src"),
        ["./posts/d-fourth/photo.png"]
    );
    let tag = html(public.join("tags/healing/index.html"));
    assert_eq!(
        attrs(&tag, ".summary img", "src"),
        ["../../posts/d-fourth/photo.png"]
    );
}

/// Builds a site of `n` articles with `paginate = 3` and returns the titles
/// on each index page.
fn index_pages(n: usize) -> Vec<Vec<String>> {
    let site = site_with(&[(
        "site.toml",
        "title = \"P\"\nbase_url = \"https://p.example\"\npaginate = 3\n",
    )]);
    for i in 0..n {
        let text = article(
            &format!("Article {i}"),
            &format!("2024-01-{:02}", i + 1),
            &["t"],
        );
        write(site.path(), &format!("content/posts/a{i}.md"), &text);
    }
    let public = build(site.path(), &[]);
    let mut pages = vec![texts(&html(public.join("index.html")), ".card-title")];
    let mut k = 2;
    while public.join(format!("page/{k}/index.html")).exists() {
        pages.push(texts(
            &html(public.join(format!("page/{k}/index.html"))),
            ".card-title",
        ));
        k += 1;
    }
    assert!(!public.join("page/1").exists() || k > 2);
    pages
}

#[test]
fn pagination_boundaries() {
    assert_eq!(index_pages(0), vec![Vec::<String>::new()]);
    assert_eq!(index_pages(1), vec![vec!["Article 0"]]);
    assert_eq!(
        index_pages(3),
        vec![vec!["Article 2", "Article 1", "Article 0"]]
    );
    assert_eq!(
        index_pages(4),
        vec![
            vec!["Article 3", "Article 2", "Article 1"],
            vec!["Article 0"]
        ]
    );
}

#[test]
fn tag_pages_paginate_too() {
    let site = site_with(&[(
        "site.toml",
        "title = \"P\"\nbase_url = \"https://p.example\"\npaginate = 2\n",
    )]);
    for i in 0..5 {
        let text = article(
            &format!("Article {i}"),
            &format!("2024-01-{:02}", i + 1),
            &["same"],
        );
        write(site.path(), &format!("content/posts/a{i}.md"), &text);
    }
    let public = build(site.path(), &[]);
    assert_eq!(
        texts(&html(public.join("tags/same/index.html")), ".card-title"),
        ["Article 4", "Article 3"]
    );
    assert_eq!(
        texts(
            &html(public.join("tags/same/page/3/index.html")),
            ".card-title"
        ),
        ["Article 0"]
    );
    assert!(!public.join("tags/same/page/4").exists());
}

#[test]
fn feeds_and_sitemap_are_valid_xml_with_absolute_urls() {
    let site = fixture("blog");
    let public = build(site.path(), &[]);
    for feed in [
        "atom.xml",
        "tags/no-contact/atom.xml",
        "tags/healing/atom.xml",
    ] {
        let text = read(public.join(feed));
        let doc = parse_xml(&text);
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "feed");
        assert_eq!(
            root.tag_name().namespace(),
            Some("http://www.w3.org/2005/Atom")
        );
        for name in ["id", "title", "updated"] {
            assert!(
                root.children().any(|n| n.has_tag_name(name)),
                "{feed} lacks {name}"
            );
        }
        for entry in root.children().filter(|n| n.has_tag_name("entry")) {
            for name in ["id", "title", "updated", "link", "content"] {
                assert!(
                    entry.children().any(|n| n.has_tag_name(name)),
                    "{feed}: entry lacks {name}"
                );
            }
        }
        for node in doc.descendants().filter(|n| n.has_tag_name("link")) {
            let href = node.attribute("href").unwrap();
            assert!(
                href.starts_with("https://fixture.example/"),
                "{feed}: {href}"
            );
            assert!(!href["https://".len()..].contains("//"), "{feed}: {href}");
        }
    }
    let tag_feed = read(public.join("tags/no-contact/atom.xml"));
    let doc = parse_xml(&tag_feed);
    let titles: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("entry"))
        .map(|e| {
            e.children()
                .find(|n| n.has_tag_name("title"))
                .unwrap()
                .text()
                .unwrap()
        })
        .collect();
    assert_eq!(titles, ["Fifth Article", "Second Article", "First Article"]);

    let sitemap = read(public.join("sitemap.xml"));
    let doc = parse_xml(&sitemap);
    let locs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .map(|n| n.text().unwrap())
        .collect();
    for expected in [
        "https://fixture.example/",
        "https://fixture.example/tags/",
        "https://fixture.example/tags/no-contact/",
        "https://fixture.example/posts/the-fifth/",
        "https://fixture.example/about/",
        "https://fixture.example/guides/first-steps/",
    ] {
        assert!(
            locs.contains(&expected),
            "sitemap lacks {expected}: {locs:?}"
        );
    }
    assert!(
        !locs
            .iter()
            .any(|l| l.contains("/old/") || l.contains("draft")),
        "{locs:?}"
    );
    assert!(locs.iter().all(|l| !l["https://".len()..].contains("//")));
    assert!(
        read(public.join("robots.txt")).contains("Sitemap: https://fixture.example/sitemap.xml")
    );
}

#[test]
fn aliases_redirect_to_the_article() {
    let site = fixture("blog");
    let public = build(site.path(), &[]);
    for alias in ["old/second/index.html", "2019/second.html"] {
        let doc = html(public.join(alias));
        let refresh = attrs(&doc, "meta[http-equiv=refresh]", "content");
        assert_eq!(refresh, ["0; url=https://fixture.example/posts/b-second/"]);
        assert_eq!(
            attrs(&doc, "link[rel=canonical]", "href"),
            ["https://fixture.example/posts/b-second/"]
        );
    }
}

#[test]
fn base_url_override_and_no_double_slashes() {
    let site = fixture("blog");
    let public = build(site.path(), &["--base-url", "https://other.example/blog/"]);
    let feed = read(public.join("atom.xml"));
    assert!(
        feed.contains("https://other.example/blog/posts/the-fifth/"),
        "{feed}"
    );
    assert!(!feed.contains("fixture.example"));
    let article = html(public.join("posts/b-second/index.html"));
    // A root-relative link in Markdown is written relative to the page, so
    // it follows the site to its sub-path and works when opened from disk;
    // the feed, read away from the site, gets it absolute.
    assert!(attrs(&article, ".content a", "href").contains(&"../../posts/a-first/".to_string()));
    assert!(
        feed.contains("https://other.example/blog/posts/a-first/"),
        "{feed}"
    );
    assert_no_double_slash(&public);
    let public = build(site.path(), &[]);
    assert_no_double_slash(&public);
}

/// No link of any built file has `//` in its path (after the scheme).
fn assert_no_double_slash(public: &std::path::Path) {
    let links = every_link(public);
    assert!(links.len() > 100, "{} links", links.len());
    for (file, link) in links {
        if link.starts_with("urn:") || link.starts_with("tag:") {
            continue;
        }
        let path = match url::Url::parse(&link) {
            Ok(url) => url.path().to_string(),
            Err(_) => link
                .split(['?', '#'])
                .next()
                .unwrap_or_default()
                .to_string(),
        };
        assert!(!path.contains("//"), "{file}: {link}");
    }
}

#[test]
fn articles_show_their_parts() {
    let site = fixture("blog");
    let public = build(site.path(), &[]);
    let doc = html(public.join("posts/the-fifth/index.html"));
    assert_eq!(texts(&doc, "article h1"), ["Fifth Article"]);
    assert_eq!(
        attrs(&doc, ".content h2", "id"),
        ["a-heading", "a-heading-1"]
    );
    assert_eq!(
        attrs(&doc, "article header time", "datetime")[0],
        "2024-01-05T00:00:00Z"
    );
    assert!(texts(&doc, ".meta").iter().any(|m| m.contains("Updated")));
    // Previous is older, next would be newer: the fifth is the newest.
    assert_eq!(
        texts(&doc, ".prev-next a[rel=prev]"),
        ["← Fourth Article, a Bundle"]
    );
    assert!(texts(&doc, ".prev-next a[rel=next]").is_empty());
    // Related: most shared tags first (the first shares both), then newest.
    assert_eq!(
        texts(&doc, ".related li"),
        [
            "First Article",
            "Fourth Article, a Bundle",
            "Second Article"
        ]
    );
    let first = html(public.join("posts/a-first/index.html"));
    assert_eq!(texts(&first, ".author-name"), ["Written by Zan"]);
    assert_eq!(texts(&first, ".author-bio em"), ["tests"]);
    let second = html(public.join("posts/b-second/index.html"));
    assert_eq!(
        texts(&second, ".author-name"),
        ["Written by A Guest Writer"]
    );
}

#[test]
fn yaml_and_toml_front_matter_give_the_same_site() {
    let toml = fixture("front-matter-toml");
    let yaml = fixture("front-matter-yaml");
    let a = snapshot(&build(toml.path(), &[]));
    let b = snapshot(&build(yaml.path(), &[]));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{path} differs between TOML and YAML");
    }
    assert!(a.contains_key("old/twin/index.html"));
}

#[test]
fn templates_are_looked_up_site_then_theme_then_default() {
    let site = fixture("themed");
    let public = build(site.path(), &[]);
    assert_eq!(
        texts(&html(public.join("about/index.html")), "#from"),
        ["site page override"]
    );
    assert_eq!(
        texts(&html(public.join("posts/hello/index.html")), "#from"),
        ["calm theme article"]
    );
    // Not overridden anywhere: the built-in default theme renders it.
    assert_eq!(
        texts(&html(public.join("index.html")), ".card-title"),
        ["Themed Article"]
    );
    assert_eq!(read(public.join("style.css")), "site static css\n");
    assert_eq!(read(public.join("theme-only.txt")), "calm theme only\n");
}

#[test]
fn output_is_deterministic() {
    let site = fixture("blog");
    let first = snapshot(&build(site.path(), &[]));
    let second = snapshot(&build(site.path(), &[]));
    assert_eq!(first, second);
    let elsewhere = fixture("blog");
    let third = snapshot(&build(elsewhere.path(), &[]));
    assert_eq!(first, third, "output depends on where the site is");
}

#[test]
fn a_failed_build_keeps_the_previous_output() {
    let site = fixture("blog");
    let public = build(site.path(), &[]);
    let before = snapshot(&public);
    write(
        site.path(),
        "content/posts/broken.md",
        "+++\ntitle = \n+++\n",
    );
    error_of("build", site.path(), &[]);
    assert_eq!(snapshot(&public), before);
    let leftovers: Vec<_> = fs::read_dir(site.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("mend-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_build_replaces_stale_files() {
    let site = fixture("blog");
    let public = build(site.path(), &[]);
    fs::remove_file(site.path().join("content/posts/c-third.md")).unwrap();
    build(site.path(), &[]);
    assert!(!public.join("posts/c-third").exists());
    assert!(!public.join("tags/cafe-ete").exists());
}

#[test]
fn output_folder_can_be_chosen() {
    let site = fixture("blog");
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("site-out");
    mend()
        .args(["build", "--quiet", "--root"])
        .arg(site.path())
        .arg("--output")
        .arg(&target)
        .assert()
        .success()
        .stdout("");
    assert!(target.join("index.html").is_file());
    assert!(!site.path().join("public").exists());
}

#[test]
fn build_prints_a_summary_line() {
    let site = fixture("blog");
    let out = mend()
        .args(["build", "--root"])
        .arg(site.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("built 18 pages in ") && lines[0].ends_with(" s"),
        "{stdout}"
    );
    // The fixture's one draft.
    assert_eq!(lines[1..], ["1 draft was left out; `mend check` lists it"]);
}

#[test]
fn the_sample_site_of_this_repository_builds() {
    let out = tempfile::tempdir().unwrap();
    mend()
        .args([
            "build",
            "--quiet",
            "--root",
            env!("CARGO_MANIFEST_DIR"),
            "--output",
        ])
        .arg(out.path().join("public"))
        .assert()
        .success();
    let index = html(out.path().join("public/index.html"));
    assert!(!texts(&index, ".card-title").is_empty());
}

#[test]
fn repeated_builds_update_in_place_and_equal_a_fresh_build() {
    let site = fixture("blog");
    let public = build(site.path(), &[]);
    build(site.path(), &[]);
    // Between builds: an edit, a deletion, a new article, a static file
    // that becomes a folder.
    let first = site.path().join("content/posts/a-first.md");
    fs::write(
        &first,
        read(&first).replace("opening paragraph", "changed paragraph"),
    )
    .unwrap();
    fs::remove_file(site.path().join("content/posts/c-third.md")).unwrap();
    write(
        site.path(),
        "content/posts/f-new.md",
        &article("New", "2024-02-01", &["fresh"]),
    );
    fs::remove_file(site.path().join("static/favicon.txt")).unwrap();
    write(site.path(), "static/favicon.txt/inside.txt", "now a folder");
    for _ in 0..3 {
        build(site.path(), &[]);
        let fresh = tempfile::tempdir().unwrap();
        let copy = fresh.path().join("site");
        copy_tree(site.path(), &copy);
        fs::remove_dir_all(copy.join("public")).unwrap();
        let _ = fs::remove_dir_all(copy.join(".public.mend-spare"));
        let clean = build(&copy, &[]);
        assert_eq!(snapshot(&public), snapshot(&clean));
    }
    assert!(read(public.join("posts/a-first/index.html")).contains("changed paragraph"));
    assert!(!public.join("posts/c-third").exists());
    // The spare tree is kept beside the output, hidden, for the next build.
    assert!(site.path().join(".public.mend-spare/index.html").is_file());
}

#[test]
fn image_and_sticky_reach_templates_as_absolute_urls_and_flags() {
    let site = site_with(&[
        (
            "site.toml",
            "title = \"T\"\nbase_url = \"https://t.example/blog/\"\n",
        ),
        (
            "content/posts/bundle/index.md",
            "+++\ntitle = \"B\"\ndate = 2024-01-01\nimage = \"cover.jpg\"\nsticky = true\n+++\nB.\n",
        ),
        ("content/posts/bundle/cover.jpg", "JPEG"),
        (
            "content/posts/site.md",
            "+++\ntitle = \"S\"\ndate = 2024-01-02\nimage = \"/img/s.png\"\n+++\nS.\n",
        ),
        (
            "content/posts/remote.md",
            "+++\ntitle = \"R\"\ndate = 2024-01-03\nimage = \"https://cdn.example/r.png\"\n+++\nR.\n",
        ),
        (
            "templates/article.html",
            "{{ page.image }} {{ page.sticky }}",
        ),
        (
            "templates/index.html",
            "{% for item in paginator.items %}{{ item.title }}{% endfor %}",
        ),
    ]);
    let public = build(site.path(), &["--quiet"]);
    assert_eq!(
        read(public.join("posts/bundle/index.html")),
        "https://t.example/blog/posts/bundle/cover.jpg true"
    );
    assert_eq!(
        read(public.join("posts/site/index.html")),
        "https://t.example/blog/img/s.png false"
    );
    assert_eq!(
        read(public.join("posts/remote/index.html")),
        "https://cdn.example/r.png false"
    );
    // The sticky article leads the index, before newer ones.
    assert_eq!(read(public.join("index.html")), "BRS");
}

/// The JSON-LD of a page, parsed.
fn json_ld(doc: &scraper::Html) -> serde_json::Value {
    let scripts = texts(doc, "script[type='application/ld+json']");
    assert_eq!(scripts.len(), 1);
    serde_json::from_str(&scripts[0]).unwrap()
}

#[test]
fn articles_carry_link_previews_and_structured_data_with_their_comments() {
    let site = fixture("comments");
    write(
        site.path(),
        "content/posts/pictured.md",
        "+++\ntitle = \"Pictured\"\ndate = 2024-01-10\ndescription = \"A walk & a <view>\"\n+++\nText ![a view](view.jpg) more.\n",
    );
    write(
        site.path(),
        "content/posts/pictured.comments.toml",
        "[[comment]]\nid = \"p1\"\nauthor = \"Ana\"\ndate = 2024-01-11T10:00:00Z\nbody = \"</script><script>alert(1)</script> **Lovely**\"\n",
    );
    write(
        site.path(),
        "static/favicon.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    let public = build(site.path(), &[]);

    let doc = html(public.join("posts/threads/index.html"));
    let meta = |property: &str| {
        attrs(
            &doc,
            &format!("meta[property='{property}'], meta[name='{property}']"),
            "content",
        )
    };
    assert_eq!(meta("og:type"), ["article"]);
    assert_eq!(meta("og:title"), ["Threads"]);
    assert_eq!(meta("og:url"), ["https://comments.example/posts/threads/"]);
    assert_eq!(meta("article:published_time"), ["2024-02-01T00:00:00Z"]);
    assert_eq!(meta("twitter:card"), ["summary"]);
    assert_eq!(attrs(&doc, "link[rel=icon]", "href"), ["../../favicon.svg"]);
    let data = json_ld(&doc);
    assert_eq!(data["@type"], "BlogPosting");
    assert_eq!(data["headline"], "Threads");
    assert_eq!(data["author"]["name"], "Zan");
    assert_eq!(data["datePublished"], "2024-02-01T00:00:00Z");
    assert_eq!(data["commentCount"], 7);
    let comments = data["comment"].as_array().unwrap();
    assert_eq!(comments.len(), 7);
    let c2 = comments
        .iter()
        .find(|c| c["@id"].as_str().unwrap().ends_with("#comment-c2"))
        .unwrap();
    assert_eq!(c2["@type"], "Comment");
    assert_eq!(c2["author"]["name"], "Zan");
    assert_eq!(c2["text"], "Never too late. Start again tomorrow.");
    assert_eq!(
        c2["parentItem"]["@id"],
        "https://comments.example/posts/threads/#comment-c1"
    );
    assert!(
        data.to_string().find("alicia@private.example").is_none(),
        "emails stay private"
    );

    let doc = html(public.join("posts/pictured/index.html"));
    let meta = |property: &str| {
        attrs(
            &doc,
            &format!("meta[property='{property}'], meta[name='{property}']"),
            "content",
        )
    };
    assert_eq!(
        meta("og:image"),
        ["https://comments.example/posts/pictured/view.jpg"]
    );
    assert_eq!(meta("twitter:card"), ["summary_large_image"]);
    assert_eq!(meta("og:description"), ["A walk & a <view>"]);
    let data = json_ld(&doc);
    assert_eq!(
        data["image"],
        "https://comments.example/posts/pictured/view.jpg"
    );
    // The comment's markup is gone (HTML dropped, Markdown read).
    assert_eq!(data["comment"][0]["text"], "alert(1) Lovely");
    let raw = read(public.join("posts/pictured/index.html"));
    // The JSON-LD and the theme's times.js, nothing a comment opened.
    assert_eq!(
        raw.matches("<script").count(),
        2,
        "a comment cannot open a script element"
    );
}

#[test]
fn paginated_lists_link_their_neighbours() {
    let mut files = vec![(
        "site.toml".to_string(),
        SITE_TOML.replace("paginate = 10", "paginate = 2"),
    )];
    for n in 1..=5 {
        files.push((
            format!("content/posts/p{n}.md"),
            article(&format!("P{n}"), &format!("2024-01-0{n}"), &["t"]),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let site = site_with(&refs);
    let public = build(site.path(), &[]);
    let first = html(public.join("index.html"));
    assert!(attrs(&first, "link[rel=prev]", "href").is_empty());
    assert_eq!(
        attrs(&first, "link[rel=next]", "href"),
        ["https://test.example/page/2/"]
    );
    let middle = html(public.join("page/2/index.html"));
    assert_eq!(
        attrs(&middle, "link[rel=prev]", "href"),
        ["https://test.example/"]
    );
    assert_eq!(
        attrs(&middle, "link[rel=next]", "href"),
        ["https://test.example/page/3/"]
    );
    let tag = html(public.join("tags/t/page/2/index.html"));
    assert_eq!(
        attrs(&tag, "link[rel=prev]", "href"),
        ["https://test.example/tags/t/"]
    );
    assert_eq!(attrs(&first, "html", "lang"), ["en"]);
    // The default theme's icon, unless the site has one (see below).
    assert_eq!(attrs(&first, "link[rel=icon]", "href"), ["./favicon.svg"]);
}

#[test]
fn the_archive_author_pages_and_the_comments_feed() {
    let site = fixture("comments");
    write(
        site.path(),
        "content/posts/older.md",
        "+++\ntitle = \"Older\"\ndate = 2023-11-05\nauthor = \"zan\"\n+++\nFrom last year.\n",
    );
    let public = build(site.path(), &[]);

    let archive = html(public.join("archive/index.html"));
    assert_eq!(
        texts(&archive, ".archive-year > h2"),
        ["2024 (4)", "2023 (1)"]
    );
    assert_eq!(
        texts(&archive, ".archive-year h3"),
        ["March", "February", "January", "November"]
    );
    let entries = texts(&archive, ".archive-list li");
    assert!(
        entries.contains(&"February 1, 2024 · Threads 7 comments".to_string()),
        "{entries:?}"
    );
    assert!(
        entries.contains(&"November 5, 2023 · Older".to_string()),
        "{entries:?}"
    );
    let nav = attrs(
        &html(public.join("index.html")),
        "nav[aria-label=Main] a",
        "href",
    );
    assert!(nav.contains(&"./archive/".to_string()), "{nav:?}");

    // Zan wrote two articles: a page with the bio, and a feed.
    let author = html(public.join("authors/zan/index.html"));
    assert_eq!(texts(&author, "h1"), ["Zan"]);
    assert_eq!(texts(&author, ".author-bio"), ["The author."]);
    assert_eq!(texts(&author, ".card-title"), ["Threads", "Older"]);
    let article = html(public.join("posts/threads/index.html"));
    assert_eq!(
        attrs(&article, ".article .meta a[href$='authors/zan/']", "href"),
        ["../../authors/zan/"]
    );
    let feed = read(public.join("authors/zan/atom.xml"));
    let feed = parse_xml(&feed);
    let titles: Vec<&str> = feed
        .descendants()
        .filter(|n| n.has_tag_name("entry"))
        .map(|e| {
            e.children()
                .find(|c| c.has_tag_name("title"))
                .unwrap()
                .text()
                .unwrap()
        })
        .collect();
    assert_eq!(titles, ["Threads", "Older"]);

    // The newest approved comments, newest first, with their threads.
    let text = read(public.join("comments.xml"));
    let comments = parse_xml(&text);
    let entries: Vec<_> = comments
        .descendants()
        .filter(|n| n.has_tag_name("entry"))
        .collect();
    let child = |e: &roxmltree::Node, name: &str| {
        e.children()
            .find(|c| c.has_tag_name(name))
            .map(|c| c.text().unwrap_or("").to_string())
    };
    let ids: Vec<String> = entries.iter().map(|e| child(e, "id").unwrap()).collect();
    let c8 = entries
        .iter()
        .find(|e| {
            child(e, "id")
                .unwrap()
                .ends_with("/posts/threads/#comment-c8")
        })
        .unwrap();
    assert_eq!(child(c8, "title").unwrap(), "Reply To Spam on “Threads”");
    assert!(
        !ids.iter()
            .any(|id| id.ends_with("#comment-c5") || id.ends_with("#comment-c6")),
        "pending and spam stay out: {ids:?}"
    );
    assert!(!text.contains("private.example"), "no email in the feed");
    let dates: Vec<String> = entries
        .iter()
        .map(|e| child(e, "updated").unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);
    let sitemap = read(public.join("sitemap.xml"));
    assert!(sitemap.contains("<loc>https://comments.example/archive/</loc>"));
    assert!(sitemap.contains("<loc>https://comments.example/authors/zan/</loc>"));
}

#[test]
fn the_comments_feed_keeps_the_newest_fifty() {
    let mut comments = String::new();
    for n in 0..120 {
        comments.push_str(&format!(
            "[[comment]]\nid = \"n{n}\"\nauthor = \"A\"\ndate = 2024-01-01T{:02}:{:02}:00Z\nbody = \"Comment {n}\"\n\n",
            n / 60,
            n % 60
        ));
    }
    let site = site_with(&[
        ("site.toml", SITE_TOML),
        ("content/posts/busy.md", &article("Busy", "2024-01-01", &[])),
        ("content/posts/busy.comments.toml", &comments),
    ]);
    let public = build(site.path(), &[]);
    let text = read(public.join("comments.xml"));
    let doc = parse_xml(&text);
    let ids: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("entry"))
        .map(|e| {
            e.children()
                .find(|c| c.has_tag_name("id"))
                .unwrap()
                .text()
                .unwrap()
        })
        .collect();
    let expected: Vec<String> = (70..120)
        .rev()
        .map(|n| format!("https://test.example/posts/busy/#comment-n{n}"))
        .collect();
    assert_eq!(ids, expected);
}

#[test]
fn footnotes_are_superscript_links_gathered_at_the_end_with_back_links() {
    let site = site_with(&[
        (
            "site.toml",
            "title = \"F\"\nbase_url = \"https://f.example\"\n",
        ),
        (
            "content/posts/notes.md",
            "+++\ntitle = \"Notes\"\ndate = 2024-01-01\n+++\n\nHe wrote[^late] once.\n\n[^late]: Three weeks later.\n\nThe end.\n",
        ),
    ]);
    let public = build(site.path(), &[]);
    let doc = html(public.join("posts/notes/index.html"));
    assert_eq!(
        attrs(&doc, ".content sup.footnote-ref a", "href"),
        ["#fn-late"]
    );
    assert_eq!(
        attrs(&doc, ".content sup.footnote-ref", "id"),
        ["fnref-late"]
    );
    // The notes follow the text, not the place they were written.
    assert_eq!(
        texts(&doc, ".content > *:last-child li"),
        ["Three weeks later. ↩"]
    );
    assert_eq!(attrs(&doc, ".footnotes li", "id"), ["fn-late"]);
    assert_eq!(
        attrs(&doc, ".footnotes a.footnote-backref", "href"),
        ["#fnref-late"]
    );
}

#[test]
fn a_page_edited_by_hand_in_the_output_is_written_again() {
    let site = fixture("blog");
    build(site.path(), &[]);
    let public = build(site.path(), &[]);
    assert!(site.path().join(".mend/public.record").is_file());
    let fresh = snapshot(&public);
    // Same size, other bytes, in the live output and then in the spare.
    for _ in 0..2 {
        let page = public.join("posts/a-first/index.html");
        fs::write(&page, read(&page).replacen("First", "Forst", 1)).unwrap();
        build(site.path(), &[]);
        assert_eq!(snapshot(&public), fresh);
    }
    build(site.path(), &[]);
    assert_eq!(snapshot(&public), fresh);
    // A damaged record only costs reading the files back.
    fs::write(
        site.path().join(".mend/public.record"),
        "mend record 1\ntree x",
    )
    .unwrap();
    let page = public.join("posts/a-first/index.html");
    fs::write(&page, read(&page).replacen("First", "Forst", 1)).unwrap();
    build(site.path(), &[]);
    build(site.path(), &[]);
    assert_eq!(snapshot(&public), fresh);
}

#[test]
fn every_page_says_what_it_is_to_search_engines_and_link_previews() {
    let site = fixture("blog");
    let public = build(site.path(), &[]);
    let meta = |doc: &scraper::Html, name: &str| attrs(doc, &format!("meta[{name}]"), "content");
    let mut descriptions = std::collections::BTreeMap::new();
    for path in [
        "index.html",
        "tags/index.html",
        "archive/index.html",
        "posts/a-first/index.html",
    ]
    .into_iter()
    .chain(
        fs::read_dir(public.join("tags"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !n.ends_with(".xml") && n != "index.html")
            .map(|n| Box::leak(format!("tags/{n}/index.html").into_boxed_str()) as &str),
    ) {
        let doc = html(public.join(path));
        let canonical = attrs(&doc, "link[rel=canonical]", "href");
        let url = meta(&doc, "property='og:url'");
        assert_eq!(canonical.len(), 1, "{path}");
        assert_eq!(url, canonical, "{path}");
        assert!(
            canonical[0].starts_with("https://fixture.example/"),
            "{path}"
        );
        assert_eq!(meta(&doc, "property='og:title'").len(), 1, "{path}");
        let description = meta(&doc, "name='description'");
        assert!(!description[0].is_empty(), "{path}: an empty description");
        assert_eq!(
            meta(&doc, "property='og:description'"),
            description,
            "{path}"
        );
        descriptions.insert(path, description[0].clone());
        assert_eq!(attrs(&doc, "link[rel=icon]", "href").len(), 1, "{path}");
    }
    // Each page says something of its own.
    let distinct: std::collections::BTreeSet<&String> = descriptions.values().collect();
    assert_eq!(distinct.len(), descriptions.len(), "{descriptions:#?}");
    // An article without a description: the start of its text, on a word.
    let article = html(public.join("posts/a-first/index.html"));
    let description = &meta(&article, "name='description'")[0];
    assert!(description.chars().count() <= 156, "{description}");
    assert!(!description.contains('<'), "{description}");
    let ld: serde_json::Value =
        serde_json::from_str(&texts(&article, "script[type='application/ld+json']")[0]).unwrap();
    assert_eq!(ld["description"].as_str(), Some(description.as_str()));
    assert_eq!(ld["publisher"]["@type"], "Organization");
    assert_eq!(ld["publisher"]["url"], "https://fixture.example/");
    // The default theme's icon is there, and a site's own replaces it.
    assert!(public.join("favicon.svg").is_file());
    write(site.path(), "static/favicon.ico", "an icon");
    let public = build(site.path(), &[]);
    let doc = html(public.join("index.html"));
    assert_eq!(attrs(&doc, "link[rel=icon]", "href"), ["./favicon.ico"]);
}

#[test]
fn a_callout_is_a_titled_box_on_the_page_and_plain_in_the_feed() {
    let site = site_with(&[
        ("site.toml", SITE_TOML),
        (
            "content/posts/a.md",
            "+++\ntitle = \"A\"\ndate = 2026-05-01\n+++\nFirst.\n\n> [!TIP]\n> Key takeaway: do not text him first.\n\n> Just a quote.\n",
        ),
    ]);
    let public = build(site.path(), &["--quiet"]);
    let page = html(public.join("posts/a/index.html"));
    let select = |s: &str| scraper::Selector::parse(s).unwrap();
    let callouts: Vec<_> = page.select(&select(".content .callout")).collect();
    assert_eq!(callouts.len(), 1);
    let callout = callouts[0].value();
    assert_eq!(callout.attr("class"), Some("callout callout-tip"));
    assert_eq!(callout.attr("role"), Some("note"));
    assert_eq!(callout.attr("aria-label"), Some("Tip"));
    assert_eq!(texts(&page, ".callout .callout-title"), ["Tip"]);
    assert_eq!(
        texts(&page, ".callout p:not(.callout-title)"),
        ["Key takeaway: do not text him first."]
    );
    assert_eq!(texts(&page, ".content blockquote"), ["Just a quote."]);
    // The feed carries it as text a reader shows plainly: a bold title.
    let content = first_feed_content(public.join("atom.xml"));
    assert!(
        content.contains("<p class=\"callout-title\"><strong>Tip</strong></p>\n<p>Key takeaway: do not text him first.</p>"),
        "{content}"
    );
}

#[test]
fn a_video_link_alone_on_a_line_is_a_facade_that_loads_nothing_of_the_video_site() {
    let site = site_with(&[
        ("site.toml", SITE_TOML),
        (
            "content/posts/a.md",
            "+++\ntitle = \"A\"\ndate = 2026-05-01\n+++\nFirst.\n\n[Day one of no contact](https://youtu.be/SQEQr7c0-dw?si=shared&t=1m5s)\n\nhttps://www.tiktok.com/@coach.m/video/7106594312292453675\n\nWatch <https://youtu.be/SQEQr7c0-dw> in a sentence.\n",
        ),
        (
            "content/posts/b.md",
            "+++\ntitle = \"B\"\ndate = 2026-04-02\n+++\nNo video: <https://example.com/watch?v=SQEQr7c0-dw>\n",
        ),
    ]);
    let public = build(site.path(), &["--quiet"]);
    let page = html(public.join("posts/a/index.html"));
    let select = |s: &str| scraper::Selector::parse(s).unwrap();
    let links: Vec<_> = page
        .select(&select(".content figure.embed a.embed-link"))
        .collect();
    let seen: Vec<[Option<&str>; 3]> = links
        .iter()
        .map(|a| {
            let a = a.value();
            [a.attr("href"), a.attr("data-player"), a.attr("data-from")]
        })
        .collect();
    assert_eq!(
        seen,
        [
            [
                Some("https://www.youtube.com/watch?v=SQEQr7c0-dw&t=65s"),
                Some("https://www.youtube-nocookie.com/embed/SQEQr7c0-dw?autoplay=1&start=65"),
                Some("youtube-nocookie.com")
            ],
            [
                Some("https://www.tiktok.com/@coach.m/video/7106594312292453675"),
                Some("https://www.tiktok.com/player/v1/7106594312292453675?autoplay=1"),
                Some("tiktok.com")
            ],
        ]
    );
    assert_eq!(
        texts(&page, ".embed .embed-title"),
        ["Day one of no contact", "A video on TikTok"]
    );
    assert_eq!(texts(&page, ".embed .embed-site"), ["YouTube", "TikTok"]);
    assert_eq!(
        attrs(&page, "figure.embed", "class"),
        [
            "embed embed-youtube embed-wide",
            "embed embed-tiktok embed-tall"
        ]
    );
    // Nothing on the page loads from another site: no frame, no image,
    // no script; the player's script is the site's own.
    assert!(page.select(&select("iframe, img, video")).next().is_none());
    assert_eq!(attrs(&page, "script[src]", "src"), ["../../embeds.js"]);
    assert!(public.join("embeds.js").is_file());
    // A link in a sentence stays a link; a page without facades has no
    // player script.
    assert_eq!(
        attrs(&page, ".content p a", "href"),
        ["https://youtu.be/SQEQr7c0-dw"]
    );
    let other = html(public.join("posts/b/index.html"));
    assert!(
        other
            .select(&select("script[src], figure.embed"))
            .next()
            .is_none()
    );
    // A feed carries the link and its title.
    let content = first_feed_content(public.join("atom.xml"));
    let feed_page = scraper::Html::parse_fragment(&content);
    assert_eq!(
        attrs(&feed_page, "a.embed-link", "href"),
        [
            "https://www.youtube.com/watch?v=SQEQr7c0-dw&t=65s",
            "https://www.tiktok.com/@coach.m/video/7106594312292453675"
        ]
    );
}

#[test]
fn code_is_highlighted_with_classes_the_theme_colours_and_kept_for_the_next_build() {
    let site = site_with(&[
        ("site.toml", SITE_TOML),
        (
            "content/posts/a.md",
            "+++\ntitle = \"A\"\ndate = 2026-05-01\n+++\nBack up first:\n\n```sh\n# every post\ncp -r content \"$HOME/backup\"\n```\n\n```toml\nplain = \"as written\"\n```\n\n```\nno language\n```\n\n    indented <b>code</b>\n\n```rust\nfn main() {}\n```\n",
        ),
    ]);
    let public = build(site.path(), &["--quiet"]);
    let page = html(public.join("posts/a/index.html"));
    let select = |s: &str| scraper::Selector::parse(s).unwrap();
    let blocks: Vec<_> = page.select(&select(".content pre > code")).collect();
    assert_eq!(
        blocks
            .iter()
            .map(|b| b.value().attr("class").unwrap_or(""))
            .collect::<Vec<_>>(),
        ["language-sh", "language-toml", "", "", "language-rust"]
    );
    let text = |b: &scraper::ElementRef| b.text().collect::<String>();
    assert_eq!(
        blocks.iter().map(text).collect::<Vec<_>>(),
        [
            "# every post\ncp -r content \"$HOME/backup\"\n",
            "plain = \"as written\"\n",
            "no language\n",
            "indented <b>code</b>\n",
            "fn main() {}\n"
        ]
    );
    let spans = |b: &scraper::ElementRef| -> Vec<(String, String)> {
        b.select(&select("span"))
            .map(|s| (s.value().attr("class").unwrap().to_string(), text(&s)))
            .collect()
    };
    assert_eq!(
        spans(&blocks[0]),
        [
            ("hl-comment".to_string(), "# every post\n".to_string()),
            ("hl-function".to_string(), "cp".to_string()),
            ("hl-variable".to_string(), " -r".to_string()),
            ("hl-string".to_string(), "\"".to_string()),
            ("hl-variable".to_string(), "$HOME".to_string()),
            ("hl-string".to_string(), "/backup\"\n".to_string()),
        ]
    );
    for plain in &blocks[1..4] {
        assert!(spans(plain).is_empty());
    }
    assert_eq!(
        spans(&blocks[4])[..2],
        [
            ("hl-keyword".to_string(), "fn ".to_string()),
            ("hl-function".to_string(), "main".to_string())
        ]
    );
    // Colours come from the theme's classes, never from the page.
    assert!(page.select(&select(".content [style]")).next().is_none());
    let css = read(public.join("style.css"));
    for class in [
        "hl-comment",
        "hl-string",
        "hl-keyword",
        "hl-function",
        "hl-variable",
    ] {
        assert!(css.contains(&format!(".{class}")), "{class}");
    }
    // The next build reuses the blocks, to the same page.
    let kept = site.path().join(".mend/highlight");
    assert!(kept.is_file());
    let first = read(public.join("posts/a/index.html"));
    let public = build(site.path(), &["--quiet"]);
    assert_eq!(read(public.join("posts/a/index.html")), first);
}

#[test]
fn a_highlight_cache_that_cannot_be_kept_is_a_warning_not_a_failure() {
    let site = site_with(&[
        ("site.toml", SITE_TOML),
        (
            "content/posts/a.md",
            "+++\ntitle = \"A\"\ndate = 2026-05-01\n+++\n```rust\nfn main() {}\n```\n",
        ),
    ]);
    fs::create_dir_all(site.path().join(".mend/highlight")).unwrap();
    assert_eq!(
        build_warnings(site.path(), &[]),
        "warning: ROOT/.mend/highlight: Is a directory (os error 21); \
         the next build highlights every code block again\n"
    );
    let page = html(site.path().join("public/posts/a/index.html"));
    assert_eq!(texts(&page, ".language-rust .hl-function"), ["main"]);
}
