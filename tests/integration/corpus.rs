//! A large generated blog (2,000 articles with their comments, from
//! `bench/gen_corpus.py`) builds and exports without error.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;

/// The corpus generator of the benchmarks.
fn generator() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/gen_corpus.py")
}

#[test]
#[cfg_attr(
    not(has_python3),
    ignore = "needs python3, which runs the corpus generator"
)]
fn a_two_thousand_article_blog_builds_and_exports() {
    let generator = generator();
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("blog");
    let status = Command::new("python3")
        .arg(generator)
        .args([
            "--articles",
            "2000",
            "--seed",
            "1",
            "--format",
            "mend",
            "--out",
        ])
        .arg(&site)
        .status()
        .expect("python3 runs the generator");
    assert!(status.success());

    let public = build(&site, &["--quiet"]);
    let articles = std::fs::read_dir(public.join("posts")).unwrap().count();
    let drafts = std::fs::read_dir(site.join("content/posts"))
        .unwrap()
        .filter(|e| read(e.as_ref().unwrap().path()).contains("\ndraft = true\n"))
        .count();
    assert_eq!(articles, 2000 - drafts);
    assert!(public.join("page/2/index.html").is_file());

    let written: usize = std::fs::read_dir(site.join("content/posts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".comments.toml"))
        .map(|p| read(p).matches("[[comment]]").count())
        .sum();
    assert!(written > 1000, "the corpus has comments: {written}");

    let json = export_to(&site, "json");
    let doc: serde_json::Value = serde_json::from_str(&read(&json)).unwrap();
    let exported: usize = doc["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["comments"].as_array().unwrap().len())
        .sum();
    assert_eq!(exported, written);

    let csv = export_to(&site, "csv");
    let rows = csv::Reader::from_path(&csv)
        .unwrap()
        .records()
        .map(Result::unwrap)
        .count();
    assert_eq!(rows, written);

    let wxr = export_to(&site, "wxr");
    let text = read(&wxr);
    let doc = parse_xml(&text);
    let comments = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "comment")
        .count();
    assert_eq!(comments, written);
}

fn export_to(site: &Path, format: &str) -> PathBuf {
    let file = site.join(format!("comments.{format}"));
    mend()
        .args(["comments", "export", "--format", format, "--root"])
        .arg(site)
        .arg("--output")
        .arg(&file)
        .assert()
        .success();
    file
}
