//! The search index and page: the index is read here as the page's script
//! reads it (meta, one shard per word, a chunk of documents), the page and
//! its fallback are parsed; `browser` types into the real page.

use std::path::Path;

use serde_json::Value;

use crate::common::*;

fn json(path: impl AsRef<Path>) -> Value {
    serde_json::from_str(&read(path)).unwrap()
}

/// A word's shard as the page's script finds it: FNV-1a of the UTF-8 of its
/// first two characters, modulo the number of shards, in hex.
fn shard_of(word: &str, shards: u64) -> String {
    let first: String = word.chars().take(2).collect();
    let hash = first.bytes().fold(0x811c_9dc5_u32, |hash, b| {
        (hash ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    format!("{:02x}", u64::from(hash) % shards)
}

/// The paths of the documents holding `word` exactly, best score first.
fn search_for(public: &Path, word: &str) -> Vec<String> {
    let meta = json(public.join("search/meta.json"));
    let key = shard_of(word, meta["shards"].as_u64().unwrap());
    let shard = json(public.join(format!("search/t/{key}.json")));
    let Some(postings) = shard[word].as_array() else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut doc = 0;
    for pair in postings.chunks(2) {
        doc += pair[0].as_u64().unwrap();
        found.push((doc, pair[1].as_u64().unwrap()));
    }
    found.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
    let chunk = meta["chunk"].as_u64().unwrap();
    found
        .into_iter()
        .map(|(doc, _)| {
            let docs = json(public.join(format!("search/d/{}.json", doc / chunk)));
            docs[(doc % chunk) as usize]["p"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn the_index_finds_titles_tags_text_and_approved_comments_only() {
    let site = fixture("search");
    let public = build(site.path(), &[]);
    // A word of the title outranks the same word in a body.
    assert_eq!(
        search_for(&public, "birthday"),
        ["posts/birthday/", "posts/dog/"]
    );
    assert_eq!(search_for(&public, "leash"), ["posts/dog/"]);
    assert_eq!(search_for(&public, "milestones"), ["posts/birthday/"]);
    assert_eq!(search_for(&public, "pyjamas"), ["posts/relapse/"]);
    assert_eq!(search_for(&public, "lover"), ["about/"]);
    assert!(
        search_for(&public, "platypus").is_empty(),
        "a pending comment"
    );
    assert!(search_for(&public, "secretword").is_empty(), "a draft");
    assert!(search_for(&public, "a").is_empty(), "one letter");

    let meta = json(public.join("search/meta.json"));
    assert_eq!(meta["docs"], 4);
    assert_eq!(meta["shards"], 16, "the fewest shards, for a small site");
    let mut shards: Vec<String> = std::fs::read_dir(public.join("search/t"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    shards.sort();
    let expected: Vec<String> = (0..16).map(|n| format!("{n:02x}.json")).collect();
    assert_eq!(shards, expected);
    for name in &shards {
        let shard = json(public.join("search/t").join(name));
        for term in shard.as_object().unwrap().keys() {
            assert_eq!(format!("{}.json", shard_of(term, 16)), *name, "{term}");
        }
    }
    // Articles oldest first, then pages: a new article takes a new number.
    let docs = json(public.join("search/d/0.json"));
    assert_eq!(
        docs,
        serde_json::json!([
            {"p": "posts/relapse/", "t": "After a Relapse", "d": "2024-01-01",
             "x": "You texted at 2 a.m. It happens. What to do the next morning."},
            {"p": "posts/birthday/", "t": "Their Birthday, Day 40", "d": "2024-02-01",
             "x": "A day in the middle of no contact is a test. Do not text. Write the card you will never send."},
            {"p": "posts/dog/", "t": "No Contact and a Shared Dog", "d": "2024-03-01",
             "x": "Who keeps the dog when you go no contact? Walk schedules, handovers and the awkward leash, even on his birthday."},
            {"p": "about/", "t": "About", "d": "", "x": "Written by a dog lover."}
        ])
    );
}

#[test]
fn every_page_has_a_search_box_and_the_page_falls_back_to_a_web_search() {
    let site = fixture("search");
    let public = build(site.path(), &[]);
    let home = html(public.join("index.html"));
    assert_eq!(attrs(&home, "form.site-search", "action"), ["./search/"]);
    let article = html(public.join("posts/dog/index.html"));
    assert_eq!(
        attrs(&article, "form.site-search", "action"),
        ["../../search/"]
    );
    let page = read(public.join("search/index.html"));
    let doc = scraper::Html::parse_document(&page);
    assert!(attrs(&doc, "form.site-search", "action").is_empty());
    assert_eq!(attrs(&doc, "form[data-mend-search]", "data-root"), ["../"]);
    assert_eq!(
        attrs(&doc, "script[src$='search.js']", "src"),
        ["../search.js"]
    );
    assert_eq!(attrs(&doc, "meta[name=robots]", "content"), ["noindex"]);
    // Without the script: a web search of this site (the parser here runs
    // no scripts, so it reads `noscript` as text; parse that too).
    let fallback = texts(&doc, "noscript").concat();
    let fallback = scraper::Html::parse_fragment(&fallback);
    assert_eq!(
        attrs(&fallback, "form", "action"),
        ["https://duckduckgo.com/"]
    );
    assert_eq!(
        attrs(&fallback, "input[name=sites]", "value"),
        ["search.example"]
    );
    assert!(public.join("search.js").is_file());

    // Off (the default for sites made before search): no page, box or script.
    let off = fixture("search");
    write(
        off.path(),
        "site.toml",
        "title = \"S\"\nbase_url = \"https://search.example\"\n",
    );
    let public = build(off.path(), &[]);
    assert!(!public.join("search").exists());
    assert!(!public.join("search.js").exists());
    assert!(
        attrs(
            &html(public.join("index.html")),
            "form.site-search",
            "action"
        )
        .is_empty()
    );
}

#[test]
fn new_sites_have_search() {
    let dir = tempfile::tempdir().unwrap();
    mend()
        .args(["init"])
        .arg(dir.path().join("blog"))
        .assert()
        .success();
    let public = build(&dir.path().join("blog"), &[]);
    assert_eq!(json(public.join("search/meta.json"))["docs"], 2);
    assert_eq!(search_for(&public, "welcome").len(), 1);
}

#[test]
fn the_next_build_reads_only_what_changed_and_never_serves_stale_words() {
    let site = fixture("search");
    let public = build(site.path(), &[]);
    let cache = site.path().join(".mend/public.search");
    assert!(cache.is_file(), "kept in the site's .mend/");
    assert!(!public.join(".mend").exists());
    assert_eq!(search_for(&public, "leash"), ["posts/dog/"]);

    // A body edit: the new word is found, the old one is gone.
    let dog = site.path().join("content/posts/dog.md");
    std::fs::write(&dog, read(&dog).replace("leash", "harness")).unwrap();
    // A comment approved: its words come in.
    let comments = site.path().join("content/posts/relapse.comments.toml");
    std::fs::write(
        &comments,
        read(&comments).replace("status = \"pending\"\n", ""),
    )
    .unwrap();
    let public = build(site.path(), &[]);
    assert!(search_for(&public, "leash").is_empty());
    assert_eq!(search_for(&public, "harness"), ["posts/dog/"]);
    assert_eq!(search_for(&public, "platypus"), ["posts/relapse/"]);
    assert_eq!(
        search_for(&public, "birthday"),
        ["posts/birthday/", "posts/dog/"]
    );

    // A cache that cannot be read is an empty one.
    std::fs::write(&cache, "not a cache").unwrap();
    let public = build(site.path(), &[]);
    assert_eq!(search_for(&public, "harness"), ["posts/dog/"]);
    let first = std::fs::read(&cache).unwrap();
    assert!(first.starts_with(b"mend search cache 2\n"));
    // What a clean build writes, bytes for bytes.
    let clean = fixture("search");
    std::fs::copy(&dog, clean.path().join("content/posts/dog.md")).unwrap();
    std::fs::copy(
        &comments,
        clean.path().join("content/posts/relapse.comments.toml"),
    )
    .unwrap();
    let fresh = build(clean.path(), &[]);
    let index = |public: &Path| {
        snapshot(public)
            .into_iter()
            .filter(|(path, _)| path.starts_with("search/"))
            .collect::<Vec<_>>()
    };
    assert_eq!(index(&public), index(&fresh));
}

#[test]
fn a_cache_that_cannot_be_kept_is_a_warning_not_a_failure() {
    let site = fixture("search");
    let cache = site.path().join(".mend/public.search");
    std::fs::create_dir_all(&cache).unwrap();
    assert_eq!(
        build_warnings(site.path(), &[]),
        "warning: ROOT/.mend/public.search: Is a directory (os error 21); \
         the search index of the next build reads every page again\n"
    );
    assert_eq!(
        search_for(&site.path().join("public"), "leash"),
        ["posts/dog/"]
    );
    assert!(
        !site.path().join(".public.tmp").exists()
            && !site.path().join(".mend/public.search.tmp").exists()
    );
}
