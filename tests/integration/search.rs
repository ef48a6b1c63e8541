//! The search index and page: the index is read here as the page's script
//! reads it (meta, one shard per word, one file per document), the page and
//! its fallback are parsed, the page's stemmer is compared with the
//! build's; `browser` types into the real page.

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

/// What the index says of a word, as the page's script reads it: the
/// documents holding the word's stem, best score first, each with its path
/// and the comment the word is found in (when the article does not have it).
fn search_for(public: &Path, word: &str) -> Vec<(String, Option<String>)> {
    let meta = json(public.join("search/meta.json"));
    assert_eq!(meta["stem"], "english");
    let stemmer = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
    let term = stemmer.stem(word);
    let key = shard_of(&term, meta["shards"].as_u64().unwrap());
    let shard = json(public.join(format!("search/t/{key}.json")));
    let Some(postings) = shard[term.as_ref()].as_array() else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut doc = 0;
    for pair in postings.chunks(2) {
        doc += pair[0].as_u64().unwrap();
        let mark = pair[1].as_u64().unwrap();
        found.push((doc, mark % 1024, mark / 1024));
    }
    found.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
    found
        .into_iter()
        .map(|(doc, _, place)| {
            let doc = json(public.join(format!("search/d/{doc}.json")));
            let comment = (place > 0).then(|| {
                doc["c"][place as usize - 1][0]
                    .as_str()
                    .unwrap()
                    .to_string()
            });
            (doc["p"].as_str().unwrap().to_string(), comment)
        })
        .collect()
}

/// The paths of the documents holding `word`'s stem, best score first.
fn paths_for(public: &Path, word: &str) -> Vec<String> {
    search_for(public, word)
        .into_iter()
        .map(|(path, _)| path)
        .collect()
}

#[test]
fn the_index_finds_titles_tags_text_and_approved_comments_only() {
    let site = fixture("search");
    let public = build(site.path(), &[]);
    // A word of the title outranks the same word in a body.
    assert_eq!(
        paths_for(&public, "birthday"),
        ["posts/birthday/", "posts/dog/"]
    );
    assert_eq!(paths_for(&public, "leash"), ["posts/dog/"]);
    assert_eq!(paths_for(&public, "milestones"), ["posts/birthday/"]);
    assert_eq!(paths_for(&public, "lover"), ["about/"]);
    // Words are found by their stems: "calling" finds "calls".
    assert_eq!(paths_for(&public, "calling"), ["posts/relapse/"]);
    assert_eq!(paths_for(&public, "relapses"), ["posts/relapse/"]);
    // A word only in a comment leads to the comment; one in the article
    // (as well) to the article.
    assert_eq!(
        search_for(&public, "pyjamas"),
        [("posts/relapse/".to_string(), Some("r1".to_string()))]
    );
    assert_eq!(
        search_for(&public, "relapsed"),
        [("posts/relapse/".to_string(), None)]
    );
    assert!(
        paths_for(&public, "platypus").is_empty(),
        "a pending comment"
    );
    assert!(paths_for(&public, "secretword").is_empty(), "a draft");
    assert!(paths_for(&public, "a").is_empty(), "one letter");

    let meta = json(public.join("search/meta.json"));
    assert_eq!(
        meta,
        serde_json::json!({"docs": 4, "shards": 16, "stem": "english"}),
        "the fewest shards, for a small site"
    );
    let page = html(public.join("search/index.html"));
    for (attr, value) in [
        ("data-docs", "4"),
        ("data-shards", "16"),
        ("data-stem", "english"),
    ] {
        assert_eq!(attrs(&page, "form[data-mend-search]", attr), [value]);
    }
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
    let docs: Vec<Value> = (0..4)
        .map(|n| json(public.join(format!("search/d/{n}.json"))))
        .collect();
    assert_eq!(docs[0]["p"], "posts/relapse/");
    assert!(
        docs[0]["x"]
            .as_str()
            .unwrap()
            .ends_with("If he calls back, you do not owe him an answer tonight.")
    );
    assert_eq!(
        docs[0]["c"],
        serde_json::json!([[
            "r1",
            "Mo",
            "I relapsed in my pyjamas at midnight. Day one again."
        ]]),
        "approved comments only"
    );
    assert_eq!(
        docs[1..],
        [
            serde_json::json!({"p": "posts/birthday/", "t": "Their Birthday, Day 40", "d": "2024-02-01",
             "x": "A day in the middle of no contact is a test. Do not text. Write the card you will never send.", "c": []}),
            serde_json::json!({"p": "posts/dog/", "t": "No Contact and a Shared Dog", "d": "2024-03-01",
             "x": "Who keeps the dog when you go no contact? Walk schedules, handovers and the awkward leash, even on his birthday.", "c": []}),
            serde_json::json!({"p": "about/", "t": "About", "d": "", "x": "Written by a dog lover.", "c": []})
        ]
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

/// How many documents a search cache file holds: the count after its
/// first line and its seed.
fn cached_documents(cache: &Path) -> u32 {
    let bytes = std::fs::read(cache).unwrap();
    let start = bytes.iter().position(|&b| b == b'\n').unwrap() + 1 + 8;
    u32::from_le_bytes(bytes[start..start + 4].try_into().unwrap())
}

#[test]
fn a_larger_site_has_more_shards() {
    let site = fixture("search");
    for n in 0..300 {
        std::fs::write(
            site.path().join(format!("content/posts/n{n}.md")),
            format!("+++\ntitle = \"Note {n}\"\ndate = 2023-01-01\n+++\nDay {n}.\n"),
        )
        .unwrap();
    }
    let public = build(site.path(), &[]);
    let meta = json(public.join("search/meta.json"));
    // 304 documents, about eight a shard, a power of two: 64.
    assert_eq!(
        (meta["docs"].as_u64(), meta["shards"].as_u64()),
        (Some(304), Some(64))
    );
    assert_eq!(
        std::fs::read_dir(public.join("search/t")).unwrap().count(),
        64
    );
}

#[test]
fn the_next_build_reads_only_what_changed_and_never_serves_stale_words() {
    let site = fixture("search");
    let public = build(site.path(), &[]);
    let cache = site.path().join(".mend/public.search");
    assert!(cache.is_file(), "kept in the site's .mend/");
    assert!(!public.join(".mend").exists());
    assert_eq!(cached_documents(&cache), 4, "one entry per document");
    assert_eq!(paths_for(&public, "leash"), ["posts/dog/"]);

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
    assert_eq!(cached_documents(&cache), 4, "the old text's entry goes");
    assert!(paths_for(&public, "leash").is_empty());
    assert_eq!(paths_for(&public, "harness"), ["posts/dog/"]);
    assert_eq!(paths_for(&public, "platypus"), ["posts/relapse/"]);
    let relapse = json(public.join("search/d/0.json"));
    assert_eq!(relapse["c"][1][2], "Buy platypus pills.");
    // A name changed, and nothing else: names are not searched, but the
    // result shows the new one. (Built twice before, so that both trees of
    // the output hold the text as it is.)
    build(site.path(), &[]);
    std::fs::write(
        &comments,
        read(&comments).replace("author = \"Mo\"", "author = \"Moira\""),
    )
    .unwrap();
    let public = build(site.path(), &[]);
    let relapse = json(public.join("search/d/0.json"));
    assert_eq!(relapse["c"][0][1], "Moira");
    // A new article, and nothing gone: its entry is kept too.
    std::fs::write(
        site.path().join("content/posts/new.md"),
        "+++\ntitle = \"Anew\"\ndate = 2024-04-01\n+++\nStarting over.\n",
    )
    .unwrap();
    build(site.path(), &[]);
    assert_eq!(cached_documents(&cache), 5);
    std::fs::remove_file(site.path().join("content/posts/new.md")).unwrap();
    assert_eq!(
        paths_for(&public, "birthday"),
        ["posts/birthday/", "posts/dog/"]
    );

    // A cache that cannot be read is an empty one.
    std::fs::write(&cache, "not a cache").unwrap();
    let public = build(site.path(), &[]);
    assert_eq!(paths_for(&public, "harness"), ["posts/dog/"]);
    let first = std::fs::read(&cache).unwrap();
    assert!(first.starts_with(b"mend search cache 3\n"));
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

    // Another language, another stemmer: no term of the last is kept.
    for site in [site.path(), clean.path()] {
        let config = site.join("site.toml");
        std::fs::write(&config, format!("language = \"de\"\n{}", read(&config))).unwrap();
    }
    let (public, fresh) = (build(site.path(), &[]), build(clean.path(), &[]));
    assert_eq!(json(public.join("search/meta.json"))["stem"], "german");
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
        paths_for(&site.path().join("public"), "leash"),
        ["posts/dog/"]
    );
    assert!(
        !site.path().join(".public.tmp").exists()
            && !site.path().join(".mend/public.search.tmp").exists()
    );
}

/// Words that take each rule of the English stemmer, and its exceptions.
const TRICKY: &[&str] = &[
    "caresses",
    "ponies",
    "ties",
    "cries",
    "caress",
    "cats",
    "gas",
    "this",
    "kiwis",
    "us",
    "feed",
    "agreed",
    "agreedly",
    "plastered",
    "bled",
    "motoring",
    "sing",
    "conflated",
    "troubled",
    "sized",
    "hopping",
    "tanned",
    "falling",
    "hissing",
    "fizzed",
    "failing",
    "filing",
    "hoping",
    "eyed",
    "seeing",
    "cry",
    "by",
    "say",
    "happy",
    "sky",
    "skies",
    "dying",
    "lying",
    "tying",
    "idly",
    "gently",
    "ugly",
    "early",
    "only",
    "singly",
    "news",
    "howe",
    "atlas",
    "cosmos",
    "bias",
    "andes",
    "inning",
    "innings",
    "outing",
    "canning",
    "herring",
    "earring",
    "proceed",
    "exceed",
    "succeed",
    "relational",
    "conditional",
    "rational",
    "valenci",
    "hesitanci",
    "digitizer",
    "conformabli",
    "radicalli",
    "differentli",
    "vileli",
    "analogousli",
    "vietnamization",
    "predication",
    "operator",
    "feudalism",
    "decisiveness",
    "hopefulness",
    "callousness",
    "formaliti",
    "sensitiviti",
    "sensibiliti",
    "triplicate",
    "formative",
    "formalize",
    "electriciti",
    "electrical",
    "hopeful",
    "goodness",
    "revival",
    "allowance",
    "inference",
    "airliner",
    "gyroscopic",
    "adjustable",
    "defensible",
    "irritant",
    "replacement",
    "adjustment",
    "dependent",
    "adoption",
    "homologou",
    "communism",
    "activate",
    "angulariti",
    "homologous",
    "effective",
    "bowdlerize",
    "probate",
    "rate",
    "cease",
    "controll",
    "roll",
    "generous",
    "generously",
    "community",
    "communities",
    "arsenal",
    "arsenals",
    "yellow",
    "yelling",
    "player",
    "enjoying",
    "archaeology",
    "ecology",
    "luckily",
    "fluently",
    "lessly",
    "carelessly",
    "fruitfully",
    "ogi",
    "y",
    "ya",
    "yay",
    "ayy",
    "aying",
    "calling",
    "relapse",
    "relapsing",
    "relationship",
    "loneliness",
    "texting",
    "exes",
    "ghosted",
];

/// The stems the search page's script gives `words` (its English stemmer,
/// run in node with no page around it), in order.
fn stems_in_the_page(words: &[String]) -> Vec<String> {
    let script = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/static/search.js"),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("search.js"), script).unwrap();
    std::fs::write(dir.path().join("words.txt"), words.join("\n")).unwrap();
    let program = "globalThis.window = {}; globalThis.document = { querySelector: () => null };\
        require('./search.js');\
        const words = require('fs').readFileSync('words.txt', 'utf8').split('\\n');\
        process.stdout.write(words.map(window.mendStem.english).join('\\n'));";
    let out = std::process::Command::new("node")
        .current_dir(dir.path())
        .args(["-e", program])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .split('\n')
        .map(str::to_string)
        .collect()
}

#[test]
#[cfg_attr(not(has_node), ignore = "needs node (apt-get install nodejs)")]
fn the_search_page_stems_english_as_the_build_does() {
    // Every word of this repository's prose and sample site, and words
    // that take each rule.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut words: std::collections::BTreeSet<String> =
        TRICKY.iter().map(ToString::to_string).collect();
    for entry in walkdir::WalkDir::new(root.join("content"))
        .into_iter()
        .chain(walkdir::WalkDir::new(root.join("docs")))
        .chain(walkdir::WalkDir::new(root.join("tests/fixtures")))
    {
        let entry = entry.unwrap();
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        words.extend(
            text.split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| w.len() >= 2)
                .map(str::to_ascii_lowercase),
        );
    }
    let words: Vec<String> = words.into_iter().collect();
    assert!(words.len() > 3000, "{} words", words.len());
    let stemmer = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
    let differ: Vec<String> = words
        .iter()
        .zip(stems_in_the_page(&words))
        .filter(|(word, page)| stemmer.stem(word) != page.as_str())
        .map(|(word, page)| format!("{word}: {} in mend, {page} in the page", stemmer.stem(word)))
        .collect();
    assert!(differ.is_empty(), "{differ:#?}");
}
