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
    // A second init refuses to touch the site.
    let out = mend().arg("init").arg(&site).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
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
    let site = fixture("blog");
    mend()
        .args(["check", "--root"])
        .arg(site.path())
        .assert()
        .success();
    assert!(!site.path().join("public").exists());
}

#[test]
fn check_reports_every_error_and_broken_link() {
    let site = site_with(&[
        ("site.toml", SITE_TOML),
        (
            "content/posts/ok.md",
            "+++\ntitle = \"Ok\"\ndate = 2024-01-01\n+++\n[gone](/posts/nowhere/) [fine](/posts/ok/) [img](missing.png)\n",
        ),
    ]);
    assert_eq!(
        error_of("check", site.path(), &[]),
        "error: ROOT/content/posts/ok.md: links to `/posts/nowhere/`, which is not a page or file of this site\n\
         error: ROOT/content/posts/ok.md: links to `/posts/ok/missing.png`, which is not a page or file of this site\n\
         2 errors\n"
    );

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
