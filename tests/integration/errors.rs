//! Every user mistake: a clear message naming the file (and line), a
//! non-zero exit, no panic, and no damage to the previous output.

use std::path::Path;

use crate::common::*;

/// A site whose only article is `text`, built; returns standard error
/// (with the site's folder as `ROOT`).
fn article_error(text: &str) -> String {
    let site = site_with(&[("site.toml", SITE_TOML), ("content/posts/bad.md", text)]);
    error_of("build", site.path(), &[])
}

#[test]
fn bad_toml_front_matter_names_file_and_line() {
    let err = article_error("+++\ntitle = \"Ok\"\ndate = 2024-01-01\ntags = [\"a\"\n+++\nBody.\n");
    assert_eq!(
        err,
        "error: ROOT/content/posts/bad.md:4: bad front matter: unclosed array, expected `]`\n"
    );
}

#[test]
fn bad_yaml_front_matter_names_file_and_line() {
    let err = article_error("---\ntitle: Ok\ndate: 2024-01-01\ntags: [a, b\n---\nBody.\n");
    assert_eq!(
        err,
        "error: ROOT/content/posts/bad.md:5: bad front matter: did not find expected ',' or ']' at line 4 column 1, while parsing a flow sequence at line 3 column 7\n"
    );
}

#[test]
fn common_toml_mistakes_say_what_to_write_instead() {
    for (front, expected) in [
        (
            "date = 2026/12/05",
            "3: bad front matter: string values must be quoted, expected literal string; write a date with dashes and no quotes: date = 2026-12-05 (or 2026-12-05T09:30:00Z)",
        ),
        (
            "tags = \"breakups\"",
            "3: bad front matter: invalid type: string \"breakups\", expected a sequence; write a list in brackets: tags = [\"breakups\"]",
        ),
        (
            "draft = \"yes\"",
            "3: bad front matter: invalid type: string \"yes\", expected a boolean; write true or false, without quotes: draft = true",
        ),
        (
            "description = Advice for the first week",
            "3: bad front matter: string values must be quoted, expected literal string; put the text in quotes: description = \"…\"",
        ),
        (
            "tags = [\"a\", \"b\"\ndate = 2024-01-01",
            "4: bad front matter: missing comma between array elements, expected `,`; the list `tags` above is not closed: end it with ]",
        ),
    ] {
        let err = article_error(&format!("+++\ntitle = \"T\"\n{front}\n+++\nBody.\n"));
        assert_eq!(
            err,
            format!("error: ROOT/content/posts/bad.md:{expected}\n")
        );
    }
    let site = site_with(&[(
        "site.toml",
        "title = \"T\"\nbase_url = \"https://a.example\"\npaginate = \"10\"\n",
    )]);
    assert_eq!(
        error_of("check", site.path(), &[]),
        "error: ROOT/site.toml:3: invalid type: string \"10\", expected usize; write the number without quotes: paginate = 10\n"
    );
}

#[test]
fn unknown_front_matter_key_is_an_error() {
    let err = article_error("+++\ntitle = \"Ok\"\ndate = 2024-01-01\ntitel = \"typo\"\n+++\n");
    assert_eq!(
        err,
        "error: ROOT/content/posts/bad.md:4: bad front matter: unknown field `titel`, expected one of `title`, `date`, `updated`, `tags`, `author`, `description`, `draft`, `slug`, `aliases`, `comments`, `image`, `sticky`, `extra`\n"
    );
}

#[test]
fn missing_front_matter_is_an_error() {
    let err = article_error("Just text, no front matter.\n");
    assert_eq!(
        err,
        "error: ROOT/content/posts/bad.md:1: bad front matter: the file must start with front matter between `+++` lines (TOML) or `---` lines (YAML)\n"
    );
}

#[test]
fn unclosed_front_matter_is_an_error() {
    let err = article_error("+++\ntitle = \"Ok\"\n");
    assert_eq!(
        err,
        "error: ROOT/content/posts/bad.md:1: bad front matter: the front matter opened here is never closed by a `+++` line\n"
    );
}

#[test]
fn missing_title_is_an_error() {
    let err = article_error("+++\ndate = 2024-01-01\n+++\nBody.\n");
    assert_eq!(
        err,
        "error: ROOT/content/posts/bad.md: front matter has no `title`; add it between the `+++` (or `---`) lines\n"
    );
}

#[test]
fn missing_date_is_an_error_for_articles_only() {
    let err = article_error("+++\ntitle = \"No date\"\n+++\nBody.\n");
    assert_eq!(
        err,
        "error: ROOT/content/posts/bad.md: front matter has no `date`; add it between the `+++` (or `---`) lines\n"
    );
    let site = site_with(&[
        ("site.toml", SITE_TOML),
        ("content/about.md", "+++\ntitle = \"About\"\n+++\n"),
    ]);
    build(site.path(), &[]);
}

#[test]
fn invalid_date_names_file_line_and_value() {
    let err = article_error("+++\ntitle = \"Ok\"\ndate = \"2024-02-30\"\n+++\n");
    assert_eq!(
        err,
        "error: ROOT/content/posts/bad.md:3: `2024-02-30` is not a valid date; write a date like 2024-02-27 or an RFC 3339 datetime like 2024-02-27T10:00:00Z\n"
    );
    let err = article_error("---\ntitle: Ok\ntags: []\ndate: last tuesday\n---\n");
    assert_eq!(
        err,
        "error: ROOT/content/posts/bad.md:4: `last tuesday` is not a valid date; write a date like 2024-02-27 or an RFC 3339 datetime like 2024-02-27T10:00:00Z\n"
    );
}

#[test]
fn unknown_site_toml_key_names_the_key_and_line() {
    let site = site_with(&[(
        "site.toml",
        "title = \"T\"\nbase_url = \"https://t.example\"\npagniate = 3\n",
    )]);
    let err = error_of("build", site.path(), &[]);
    assert_eq!(
        err,
        "error: ROOT/site.toml:3: unknown field `pagniate`, expected one of `title`, `base_url`, `description`, `language`, `theme`, `paginate`, `comments_max_depth`, `comments_max_bytes`, `comments_close_after_days`, `comments`, `notify`, `search`, `feed_limit`, `authors`, `images`, `extra`\n"
    );
}

#[test]
fn image_settings_out_of_range_name_the_key_and_an_example() {
    let base = "title = \"T\"\nbase_url = \"https://t.example\"\n\n[images]\n";
    let site = site_with(&[("site.toml", &format!("{base}quality = 0\n"))]);
    assert_eq!(
        error_of("build", site.path(), &[]),
        "error: ROOT/site.toml:5: images.quality is 0, but it must be from 1 to 100, such as quality = 80\n"
    );
    let site = site_with(&[("site.toml", &format!("{base}widths = [480, 9000]\n"))]);
    assert_eq!(
        error_of("build", site.path(), &[]),
        "error: ROOT/site.toml:5: images.widths holds 9000, but each width must be from 16 to 8192 pixels, such as widths = [480, 800, 1200, 1600]\n"
    );
}

#[test]
fn missing_site_toml_says_how_to_start() {
    let site = site_with(&[("content/posts/x.md", "+++\n+++\n")]);
    let before = tree(site.path());
    let err = error_of("build", site.path(), &[]);
    assert_eq!(
        err,
        "error: ROOT/site.toml: no site.toml here; run `mend init DIR` to start a site, or pass --root\n"
    );
    // Nothing was made: no output, no lock beside it.
    assert_eq!(tree(site.path()), before);
}

#[test]
fn duplicate_urls_name_both_files() {
    let site = site_with(&[
        ("site.toml", SITE_TOML),
        ("content/posts/one.md", &article("One", "2024-01-01", &[])),
        (
            "content/posts/two.md",
            "+++\ntitle = \"Two\"\ndate = 2024-01-02\nslug = \"one\"\n+++\n",
        ),
    ]);
    let err = error_of("build", site.path(), &[]);
    assert_eq!(
        err,
        "error: ROOT/content/posts/two.md and ROOT/content/posts/one.md both produce the URL /posts/one/; change the `slug` or `aliases` of the article or page\n"
    );
}

#[test]
fn an_alias_over_an_article_is_a_duplicate_url() {
    let site = site_with(&[
        ("site.toml", SITE_TOML),
        ("content/posts/one.md", &article("One", "2024-01-01", &[])),
        (
            "content/posts/two.md",
            "+++\ntitle = \"Two\"\ndate = 2024-01-02\naliases = [\"/posts/one/\"]\n+++\n",
        ),
    ]);
    assert_eq!(
        error_of("build", site.path(), &[]),
        "error: ROOT/content/posts/one.md and the alias `/posts/one/` of ROOT/content/posts/two.md both produce the URL /posts/one/; change the `slug` or `aliases` of the article or page\n"
    );
}

#[test]
fn unknown_theme_names_site_toml_and_folder() {
    let site = site_with(&[(
        "site.toml",
        "title = \"T\"\nbase_url = \"https://t.example\"\ntheme = \"nope\"\n",
    )]);
    let err = error_of("build", site.path(), &[]);
    assert_eq!(
        err,
        "error: ROOT/site.toml: theme `nope` not found: there is no folder ROOT/themes/nope; use `default` or add the theme there\n"
    );
}

#[test]
fn template_syntax_error_names_template_and_file() {
    let site = site_with(&[
        ("site.toml", SITE_TOML),
        ("templates/page.html", "<p>{{ page.title </p>\n"),
        ("content/about.md", "+++\ntitle = \"About\"\n+++\n"),
    ]);
    let err = error_of("build", site.path(), &[]);
    assert_eq!(
        err,
        "error: template `page.html` (templates/page.html): error: Found `</` but expected }}.\n --> page.html:1:18\n  |\n1 | <p>{{ page.title </p>\n  |                  ^^\n"
    );
}

#[test]
fn template_rendering_error_names_template() {
    let site = site_with(&[
        ("site.toml", SITE_TOML),
        ("templates/page.html", "<p>{{ page.no_such_field }}</p>\n"),
        ("content/about.md", "+++\ntitle = \"About\"\n+++\n"),
    ]);
    let err = error_of("build", site.path(), &[]);
    assert_eq!(
        err,
        "error: template `page.html` (templates/page.html), rendering ROOT/content/about.md: error: Field `no_such_field` is not defined. Available fields: author, comment_count, comments, comments_open, content, cover, date, description, draft, embeds, extra, has_more, image, image_height, image_width, json_ld, kind, mentions, meta_description, path, permalink, reading_time, slug, sticky, summary, tags, title, toc, updated, url, word_count\n --> page.html:1:12\n  |\n1 | <p>{{ page.no_such_field }}</p>\n  |            ^^^^^^^^^^^^^\n"
    );
}

#[test]
fn non_utf8_file_is_named() {
    let site = site_with(&[("site.toml", SITE_TOML)]);
    let file = site.path().join("content/posts/latin1.md");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, b"+++\ntitle = \"caf\xe9\"\n+++\n").unwrap();
    let err = error_of("build", site.path(), &[]);
    assert_eq!(
        err,
        "error: ROOT/content/posts/latin1.md: is not UTF-8 text; save it with UTF-8 encoding\n"
    );
}

#[test]
fn unreadable_folder_is_named() {
    let site = site_with(&[
        ("site.toml", SITE_TOML),
        ("content/posts/ok.md", &article("Ok", "2024-01-01", &[])),
    ]);
    // A link that leads nowhere cannot be listed, even by root.
    std::os::unix::fs::symlink(
        "/nonexistent/mend-test",
        site.path().join("content/posts/gone"),
    )
    .unwrap();
    let err = error_of("build", site.path(), &[]);
    assert_eq!(
        err,
        "error: ROOT/content/posts/gone: cannot list this folder: No such file or directory (os error 2)\n"
    );
}

#[test]
#[cfg_attr(running_as_root, ignore = "root can read a folder without permissions")]
fn folder_without_permission_is_named() {
    use std::os::unix::fs::PermissionsExt;
    let site = site_with(&[("site.toml", SITE_TOML), ("content/posts/secret/x.md", "")]);
    let dir = site.path().join("content/posts/secret");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o000)).unwrap();
    let err = error_of("build", site.path(), &[]);
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(
        err,
        "error: ROOT/content/posts/secret: cannot list this folder: Permission denied (os error 13)\n"
    );
}

#[test]
fn refuses_to_write_over_the_site_or_its_sources() {
    let site = fixture("blog");
    for output in [".", "content", "content/public", ".."] {
        let out = mend()
            .args(["build", "--root"])
            .arg(site.path())
            .arg("--output")
            .arg(site.path().join(output))
            .output()
            .unwrap();
        assert!(!out.status.success(), "--output {output} was accepted");
        let err = without_warnings(&String::from_utf8_lossy(&out.stderr));
        let root = site.path().display().to_string();
        let reason = match output {
            "." => "it is the site's own folder",
            ".." => "it contains the site",
            _ => "it is one of the site's source folders",
        };
        assert_eq!(
            err.replace(&root, "ROOT"),
            format!(
                "error: refusing to write the site into ROOT/{output}: {reason}; pass another --output\n"
            )
        );
    }
    assert!(site.path().join("content/posts/a-first.md").is_file());
}

#[test]
fn invalid_alias_is_an_error() {
    let err =
        article_error("+++\ntitle = \"Ok\"\ndate = 2024-01-01\naliases = [\"/../../etc/\"]\n+++\n");
    assert_eq!(
        err,
        "error: ROOT/content/posts/bad.md:4: alias `/../../etc/` must not contain `.`, `..` or `//` parts\n"
    );
}

#[test]
fn every_error_is_reported_at_once() {
    let site = site_with(&[
        ("site.toml", SITE_TOML),
        ("content/posts/one.md", "+++\ntitle = \"One\"\n+++\n"),
        ("content/posts/two.md", "+++\ndate = 2024-01-01\n+++\n"),
    ]);
    let err = error_of("build", site.path(), &[]);
    assert_eq!(
        err,
        "error: ROOT/content/posts/one.md: front matter has no `date`; add it between the `+++` (or `---`) lines\nerror: ROOT/content/posts/two.md: front matter has no `title`; add it between the `+++` (or `---`) lines\n2 errors\n"
    );
}

#[test]
fn errors_leave_previous_output_untouched() {
    let site = fixture("blog");
    let public = build(site.path(), &[]);
    let before = snapshot(&public);
    write(site.path(), "templates/article.html", "{% if %}");
    error_of("build", site.path(), &[]);
    assert_eq!(snapshot(&public), before);
}

/// The blog fixture with `link` (inside the site) pointing at `target`.
fn site_with_link(link: &str, target: &Path) -> tempfile::TempDir {
    let site = fixture("blog");
    let link = site.path().join(link);
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, link).unwrap();
    site
}

#[test]
fn links_out_of_the_site_are_refused_in_every_source_folder() {
    let outside = tempfile::tempdir().unwrap();
    write(
        outside.path(),
        "secret.md",
        &article("Secret", "2024-01-01", &[]),
    );
    write(outside.path(), "keys/id_rsa", "PRIVATE KEY");
    let secret = outside.path().join("secret.md");
    let keys = outside.path().join("keys");
    for (link, target) in [
        ("content/posts/secret.md", &secret),
        ("content/keys", &keys),
        ("static/keys", &keys),
        (
            "static/passwd.txt",
            &std::path::PathBuf::from("/etc/passwd"),
        ),
        ("content/posts/d-fourth/keys", &keys),
        ("templates/page.html", &secret),
    ] {
        let site = site_with_link(link, target);
        let target = target.canonicalize().unwrap();
        let expected = format!(
            "error: ROOT/{link}: is a link to {}, outside the site; mend publishes only what is inside the site's folder: copy the file in, or remove the link\n",
            target.display()
        );
        assert_eq!(error_of("build", site.path(), &[]), expected, "{link}");
        assert_eq!(error_of("check", site.path(), &[]), expected, "{link}");
        assert!(!site.path().join("public").exists());
    }
}

#[test]
fn links_that_stay_inside_the_site_are_followed() {
    let site = fixture("blog");
    write(site.path(), "shared/kept.txt", "shared file");
    write(
        site.path(),
        "drafts/linked.md",
        &article("Linked", "2024-03-03", &[]),
    );
    std::os::unix::fs::symlink(
        site.path().join("shared"),
        site.path().join("static/shared"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        "../../drafts/linked.md",
        site.path().join("content/posts/linked.md"),
    )
    .unwrap();
    let public = build(site.path(), &["--quiet"]);
    assert_eq!(read(public.join("shared/kept.txt")), "shared file");
    assert!(public.join("posts/linked/index.html").is_file());
}

#[test]
fn aliases_onto_generated_or_static_files_are_named_in_build_and_check() {
    for (alias, expected) in [
        (
            "/atom.xml",
            "error: the site feed writes the file /atom.xml, but the alias `/atom.xml` of ROOT/content/posts/alias.md needs a folder of that name; rename one of them\n",
        ),
        (
            "/sitemap.xml",
            "error: the sitemap writes the file /sitemap.xml, but the alias `/sitemap.xml` of ROOT/content/posts/alias.md needs a folder of that name; rename one of them\n",
        ),
        (
            "/style.css",
            "error: the default theme's style.css writes the file /style.css, but the alias `/style.css` of ROOT/content/posts/alias.md needs a folder of that name; rename one of them\n",
        ),
        (
            "/favicon.txt.html",
            "error: the file ROOT/static/favicon.txt.html and the alias `/favicon.txt.html` of ROOT/content/posts/alias.md both produce the URL /favicon.txt.html; change the `slug` or `aliases` of the article or page\n",
        ),
        (
            "/404.html",
            "error: the 404 page and the alias `/404.html` of ROOT/content/posts/alias.md both produce the URL /404.html; change the `slug` or `aliases` of the article or page\n",
        ),
        (
            "/robots.txt/",
            "error: robots.txt writes the file /robots.txt, but the alias `/robots.txt/` of ROOT/content/posts/alias.md needs a folder of that name; rename one of them\n",
        ),
        (
            "/favicon.txt/old/",
            "error: the file ROOT/static/favicon.txt writes the file /favicon.txt, but the alias `/favicon.txt/old/` of ROOT/content/posts/alias.md needs a folder of that name; rename one of them\n",
        ),
    ] {
        let site = fixture("blog");
        write(site.path(), "static/favicon.txt.html", "an old page");
        write(
            site.path(),
            "content/posts/alias.md",
            &format!(
                "+++\ntitle = \"Alias\"\ndate = 2024-05-05\naliases = [\"{alias}\"]\n+++\nBody.\n"
            ),
        );
        assert_eq!(error_of("build", site.path(), &[]), expected, "{alias}");
        assert_eq!(error_of("check", site.path(), &[]), expected, "{alias}");
        assert!(!site.path().join("public").exists());
        assert!(!site.path().join(".public.mend-spare").exists());
    }
}

#[test]
fn an_unknown_filter_names_its_template() {
    let site = site_with(&[
        ("site.toml", SITE_TOML),
        ("content/posts/x.md", &article("X", "2024-01-01", &[])),
        ("templates/article.html", "{{ page.title | nofilter }}\n"),
    ]);
    assert_eq!(
        error_of("build", site.path(), &[]),
        "error: template `article.html` (templates/article.html): error: Unknown filter `nofilter`
 --> article.html:1:17
  |
1 | {{ page.title | nofilter }}
  |                 ^^^^^^^^
"
    );
}
