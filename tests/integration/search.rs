//! The search index and page: the index is read here as the page's script
//! reads it (meta, one shard per word, a chunk of documents), the page and
//! its fallback are parsed; `browser` types into the real page.

use std::path::Path;

use serde_json::Value;

use crate::common::*;

fn json(path: impl AsRef<Path>) -> Value {
    serde_json::from_str(&read(path)).unwrap()
}

/// A shard's key as the page's script makes it: the first two characters
/// of the word, as hex UTF-8.
fn key_of(word: &str) -> String {
    let first: String = word.chars().take(2).collect();
    first.bytes().map(|b| format!("{b:02x}")).collect()
}

/// The paths of the documents holding `word` exactly, best score first.
fn search_for(public: &Path, word: &str) -> Vec<String> {
    let meta = json(public.join("search/meta.json"));
    let key = key_of(word);
    if !meta["shards"]
        .as_array()
        .unwrap()
        .contains(&Value::from(key.as_str()))
    {
        return Vec::new();
    }
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
    let shards: Vec<String> = std::fs::read_dir(public.join("search/t"))
        .unwrap()
        .map(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .replace(".json", "")
        })
        .collect();
    let mut listed: Vec<String> = meta["shards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    listed.sort();
    let mut shards = shards;
    shards.sort();
    assert_eq!(listed, shards, "meta.json lists every shard file");
    for key in &shards {
        let shard = json(public.join(format!("search/t/{key}.json")));
        for term in shard.as_object().unwrap().keys() {
            assert_eq!(&key_of(term), key, "{term} is in the wrong shard");
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
