//! `mend new`, `mend init` and `mend check`, run for real.

use crate::common::*;

#[test]
fn init_makes_a_site_that_builds_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("my-blog");
    mend().arg("init").arg(&site).assert().success();
    let public = build(&site, &[]);
    let index = html(public.join("index.html"));
    assert_eq!(texts(&index, ".site-title"), ["my blog"]);
    assert_eq!(texts(&index, ".card-title"), ["Welcome"]);
    assert!(public.join("about/index.html").is_file());
    // After two builds (so a spare tree and the record exist), git sees
    // only the writer's own files: what mend keeps is ignored.
    build(&site, &[]);
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(&site)
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    git(&["init", "--quiet"]);
    let mut seen: Vec<String> = git(&["status", "--porcelain", "--untracked-files=all"])
        .lines()
        .map(|l| l[3..].to_string())
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            ".gitignore",
            "content/about.md",
            "content/posts/welcome.md",
            "site.toml",
            "static/.gitkeep"
        ]
    );
    assert!(site.join(".mend/public.record").is_file());
    // A second init refuses to touch the site.
    let out = mend().arg("init").arg(&site).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
}

/// The ```toml block of the README's comment setup, as a writer copies it.
fn readme_comment_setup() -> String {
    let readme = read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"));
    let step = readme
        .find("1. Say where the form posts")
        .expect("the README's comment setup");
    let start = readme[step..].find("```toml\n").unwrap() + step + 8;
    let length = readme[start..].find("```").unwrap();
    readme[start..start + length]
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_readmes_comment_setup_works_on_a_site_made_by_init() {
    for how in ["uncommented", "appended"] {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("blog");
        mend().arg("init").arg(&site).assert().success();
        let config = site.join("site.toml");
        let text = read(&config);
        let text = match how {
            "uncommented" => text
                .replace("# [comments]", "[comments]")
                .replace("# endpoint", "endpoint"),
            _ => format!("{text}\n{}", readme_comment_setup()),
        };
        std::fs::write(&config, text).unwrap();
        let public = build(&site, &[]);
        let article = html(public.join("posts/welcome/index.html"));
        assert_eq!(
            attrs(&article, "form.comment-form", "method"),
            ["post"],
            "{how}"
        );
    }
}

#[test]
fn theme_eject_copies_a_template_the_site_then_uses() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("blog");
    mend().arg("init").arg(&site).assert().success();
    let out = mend()
        .args(["theme", "eject", "article.html", "--root"])
        .arg(&site)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "copied templates/article.html\nedit them there: the site's templates/ come before the theme's\n"
    );
    let template = site.join("templates/article.html");
    let mine = read(&template).replacen(
        "{% block content %}",
        "{% block content %}<p class=\"mine\">Mine.</p>",
        1,
    );
    std::fs::write(&template, mine).unwrap();
    let public = build(&site, &[]);
    let article = html(public.join("posts/welcome/index.html"));
    assert_eq!(texts(&article, "p.mine"), ["Mine."]);
    // Nothing of the writer's is replaced, and a typo names the templates.
    assert_eq!(
        failing(&site, &["theme", "eject", "index.html", "article.html"]),
        "error: ROOT/templates/article.html already exists; remove it first or choose another name\n"
    );
    assert!(!site.join("templates/index.html").exists());
    // Without names, every template is copied.
    let fresh = dir.path().join("fresh");
    mend().arg("init").arg(&fresh).assert().success();
    mend()
        .args(["theme", "eject", "--root"])
        .arg(&fresh)
        .assert()
        .success();
    let copied = std::fs::read_dir(fresh.join("templates")).unwrap().count();
    assert_eq!(copied, 13);
    assert_eq!(
        failing(&site, &["theme", "eject", "articel.html"]),
        "error: the built-in theme has no template `articel.html`; its templates are base.html, index.html, article.html, page.html, tags.html, tag.html, 404.html, components.html, comment-reply.html, comment-refused.html, archive.html, author.html, search.html\n"
    );
}

#[test]
fn a_site_setting_written_inside_a_table_says_where_it_belongs() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("blog");
    mend().arg("init").arg(&site).assert().success();
    let config = site.join("site.toml");
    std::fs::write(
        &config,
        format!("{}comments_close_after_days = 30\n", read(&config)),
    )
    .unwrap();
    assert_eq!(
        error_of("check", &site, &[]),
        "error: ROOT/site.toml:19: unknown field `comments_close_after_days`, expected `name` or `bio`; `comments_close_after_days` is a setting of the whole site, but here it is inside the table [authors.me] that starts on line 16: move it above the first [table] of site.toml\n"
    );
}

#[test]
fn new_writes_a_draft_with_front_matter_and_refuses_to_overwrite() {
    let site = site_with(&[("site.toml", SITE_TOML)]);
    mend()
        .args([
            "new",
            "Will He Come Back?",
            "--tags",
            "no contact,letting go",
            "--root",
        ])
        .arg(site.path())
        .assert()
        .success();
    let file = site.path().join("content/posts/will-he-come-back.md");
    let text = read(&file);
    assert!(
        text.starts_with("+++\ntitle = \"Will He Come Back?\"\n"),
        "{text}"
    );
    assert!(
        text.contains("tags = [\"no contact\", \"letting go\"]"),
        "{text}"
    );
    assert!(text.contains("draft = true"));
    // It is a draft: built only with --drafts, and then it has its tags.
    let public = build(site.path(), &[]);
    assert!(!public.join("posts/will-he-come-back").exists());
    let public = build(site.path(), &["--drafts"]);
    assert!(public.join("posts/will-he-come-back/index.html").is_file());
    assert!(public.join("tags/letting-go/index.html").is_file());

    std::fs::write(&file, "my words").unwrap();
    let out = mend()
        .args(["new", "Will He Come Back?", "--root"])
        .arg(site.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    assert_eq!(read(&file), "my words");
}

#[test]
fn new_bundle_makes_a_folder() {
    let site = site_with(&[("site.toml", SITE_TOML)]);
    mend()
        .args(["new", "Café Été", "--bundle", "--root"])
        .arg(site.path())
        .assert()
        .success();
    assert!(
        site.path()
            .join("content/posts/cafe-ete/index.md")
            .is_file()
    );
    // The plain-file form of the same slug is refused now.
    mend()
        .args(["new", "Cafe ete", "--root"])
        .arg(site.path())
        .assert()
        .failure();
}

#[test]
fn check_passes_a_good_site_and_writes_nothing() {
    // The site in a folder of its own, so its parent can be compared too.
    let parent = tempfile::tempdir().unwrap();
    let root = parent.path().join("blog");
    copy_tree(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/blog"),
        &root,
    );
    let before = tree(parent.path());
    mend()
        .args(["check", "--root"])
        .arg(&root)
        .assert()
        .success();
    assert_eq!(tree(parent.path()), before);
}

#[test]
fn check_reports_every_error_and_broken_link() {
    let site = site_with(&[
        ("site.toml", SITE_TOML),
        (
            "content/posts/ok.md",
            "+++\ntitle = \"Ok\"\ndate = 2024-01-01\n+++\n[gone](/posts/nowhere/) [fine](/posts/ok/)\n\n![img](missing.png)\n",
        ),
    ]);
    assert_eq!(
        error_of("check", site.path(), &[]),
        "error: ROOT/content/posts/ok.md:5: links to `/posts/nowhere/`, which is not a page or file of this site; correct the address, or remove the link\n\
         error: ROOT/content/posts/ok.md:7: links to `/posts/ok/missing.png`, which is not a page or file of this site; correct the address, or remove the link\n\
         2 errors\n"
    );
    // A build warns about the same links, and still builds.
    assert_eq!(
        build_warnings(site.path(), &[]),
        "warning: ROOT/content/posts/ok.md:5: links to `/posts/nowhere/`, which is not a page or file of this site; correct the address, or remove the link\n\
         warning: ROOT/content/posts/ok.md:7: links to `/posts/ok/missing.png`, which is not a page or file of this site; correct the address, or remove the link\n"
    );
    std::fs::remove_dir_all(site.path().join("public")).unwrap();

    write(
        site.path(),
        "content/posts/bad.md",
        "+++\ntitle = \"Bad\"\n+++\n",
    );
    write(
        site.path(),
        "content/posts/worse.md",
        "+++\ndate = 2024-01-01\n+++\n",
    );
    assert_eq!(
        error_of("check", site.path(), &[]),
        "error: ROOT/content/posts/bad.md: front matter has no `date`; add it between the `+++` (or `---`) lines\n\
         error: ROOT/content/posts/worse.md: front matter has no `title`; add it between the `+++` (or `---`) lines\n\
         2 errors\n"
    );
    assert!(!site.path().join("public").exists());
}

#[test]
fn every_command_has_help() {
    for command in [
        &["--help"][..],
        &["build", "--help"],
        &["new", "--help"],
        &["init", "--help"],
        &["check", "--help"],
    ] {
        mend().args(command).assert().success();
    }
}

#[test]
fn new_refuses_a_title_without_words() {
    let site = site_with(&[("site.toml", SITE_TOML)]);
    let output = mend()
        .args(["new", "!!!", "--root"])
        .arg(site.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        "error: the title `!!!` has no letters or digits to make a file name from; give the article a title with words in it\n"
    );
}

#[test]
fn an_export_read_only_in_part_ends_quietly() {
    let comments: String = (0..3_000)
        .map(|i| format!("[[comment]]\nid = \"c{i}\"\nauthor = \"Reader {i}\"\ndate = 2024-01-01T00:00:00Z\nbody = \"A story long enough to fill the pipe quickly.\"\n"))
        .collect();
    let site = site_with(&[
        ("site.toml", SITE_TOML),
        ("content/posts/x.md", &article("X", "2024-01-01", &[])),
        ("content/posts/x.comments.toml", &comments),
    ]);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("mend"))
        .args(["comments", "export", "--format", "csv", "--root"])
        .arg(site.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Like `| head -1`: read a line, then stop reading.
    let mut first = [0u8; 16];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8(output.stderr).unwrap(), "");
    assert!(output.status.success());
}

#[test]
fn new_from_a_subfolder_finds_the_site_and_signs_with_its_only_author() {
    let site = site_with(&[
        (
            "site.toml",
            &format!("{SITE_TOML}\n[authors.zan]\nname = \"Zan\"\n"),
        ),
        ("content/posts/old.md", &article("Old", "2024-01-01", &[])),
    ]);
    let deep = site.path().join("content/posts");
    mend()
        .current_dir(&deep)
        .args(["new", "From Below"])
        .assert()
        .success();
    let text = read(site.path().join("content/posts/from-below.md"));
    assert!(text.contains("\nauthor = \"zan\"\n"), "{text}");
    // Every command finds the site from below: build writes the site's public/.
    mend().current_dir(&deep).arg("build").assert().success();
    assert!(site.path().join("public/posts/old/index.html").is_file());
    assert!(!deep.join("public").exists());

    // With several authors, the writer chooses.
    let two = site_with(&[(
        "site.toml",
        &format!("{SITE_TOML}\n[authors.a]\nname = \"A\"\n[authors.b]\nname = \"B\"\n"),
    )]);
    mend()
        .args(["new", "Two", "--root"])
        .arg(two.path())
        .assert()
        .success();
    assert!(!read(two.path().join("content/posts/two.md")).contains("author"));
}

#[test]
fn future_articles_wait_for_their_date_unless_asked() {
    let next_year = jiff::Zoned::now().year() + 1;
    let site = site_with(&[
        ("site.toml", SITE_TOML),
        (
            "content/posts/now.md",
            &article("Now", "2024-01-01", &["t"]),
        ),
        (
            "content/posts/later.md",
            &article("Later", &format!("{next_year}-01-01"), &["t"]),
        ),
        (
            "content/posts/draft.md",
            "+++\ntitle = \"Draft\"\ndate = 2024-01-02\ndraft = true\n+++\nNot yet.\n",
        ),
    ]);
    // The build says what it left out.
    let output = mend()
        .args(["build", "--root"])
        .arg(site.path())
        .output()
        .unwrap();
    let said = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = said.lines().collect();
    assert!(lines[0].starts_with("built 6 pages in "), "{said}");
    assert_eq!(
        lines[1..],
        ["1 draft and 1 article dated in the future were left out; `mend check` lists them"]
    );
    let public = site.path().join("public");
    assert!(!public.join("posts/later").exists());
    assert!(!read(public.join("atom.xml")).contains("Later"));
    assert!(!read(public.join("tags/t/index.html")).contains("Later"));
    let output = mend()
        .args(["check", "--root"])
        .arg(site.path())
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        format!(
            "a draft, left out: {root}/content/posts/draft.md (--drafts builds it)\nnot published until {next_year}-01-01: {root}/content/posts/later.md (--future builds it now)\nok: 1 article, 0 pages, 1 tag; 15 files would be written\n",
            root = site.path().display()
        )
    );
    let public = build(site.path(), &["--future"]);
    assert!(public.join("posts/later/index.html").is_file());
}

#[test]
fn a_build_names_twenty_broken_links_and_counts_the_rest() {
    let links: String = (0..23).map(|n| format!("[x](/gone-{n:02}/) ")).collect();
    let site = site_with(&[
        ("site.toml", SITE_TOML),
        (
            "content/posts/many.md",
            &format!("+++\ntitle = \"Many\"\ndate = 2024-01-01\n+++\n{links}\n"),
        ),
    ]);
    let stderr = build_warnings(site.path(), &[]);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 21, "{stderr}");
    assert!(lines[19].ends_with(
        "links to `/gone-19/`, which is not a page or file of this site; correct the address, or remove the link"
    ));
    assert_eq!(
        lines[20],
        "warning: and 3 more links that lead nowhere; `mend check` lists them all"
    );
}
