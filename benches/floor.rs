//! The floor: the least any static-site generator must do with a corpus,
//! to measure mend against (`bench/run.py` runs it beside every build).
//! It reads every source file, turns every Markdown body into HTML with
//! pulldown-cmark (the same options as mend) and parses every comment file
//! as TOML, on every core, then writes as many files and bytes as mend's
//! output holds: no templates, no lists, no feeds, no comparison with what
//! is there.
//!
//!     cargo bench --bench floor -- SITE LISTING OUT
//!
//! LISTING has a line `SIZE PATH` per file of mend's output (made by
//! `bench/run.py` before the clock starts); OUT is where the files go.

use std::fs;
use std::path::{Path, PathBuf};

use mend::markdown;
use pulldown_cmark::{Parser, html};
use rayon::prelude::*;

fn main() {
    // `cargo bench` adds `--bench`.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let [site, listing, out] = &args[..] else {
        eprintln!("usage: floor SITE LISTING OUT");
        std::process::exit(2);
    };
    let sources: Vec<PathBuf> = walkdir::WalkDir::new(Path::new(site).join("content"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .collect();
    let html: Vec<String> = sources.par_iter().filter_map(|path| read(path)).collect();
    let files: Vec<(u64, String)> = fs::read_to_string(listing)
        .expect("the listing")
        .lines()
        .filter_map(|line| line.split_once(' '))
        .map(|(size, path)| (size.parse().expect("a size"), path.to_string()))
        .collect();
    let written = write_all(Path::new(out), &files, &html.concat());
    println!(
        "floor: {} sources read and parsed, {} files and {} bytes written",
        sources.len(),
        files.len(),
        written
    );
}

/// A source file, parsed: a Markdown body's HTML, or nothing for a comment
/// file (parsed all the same).
fn read(path: &Path) -> Option<String> {
    let text = fs::read_to_string(path).ok()?;
    if path.extension().is_some_and(|e| e == "toml") {
        let parsed: Result<toml::Table, _> = text.parse();
        return parsed.ok().map(|_| String::new());
    }
    let body = text.splitn(3, "+++").nth(2).unwrap_or(&text);
    let mut out = String::with_capacity(body.len() * 3 / 2);
    html::push_html(&mut out, Parser::new_ext(body, markdown::options()));
    Some(out)
}

/// Writes each file of `files` at its size, its bytes taken in turn from
/// `text`; returns the bytes written.
fn write_all(out: &Path, files: &[(u64, String)], text: &str) -> u64 {
    let text = if text.is_empty() { " " } else { text }.as_bytes();
    let mut folders: Vec<PathBuf> = files
        .iter()
        .filter_map(|(_, path)| out.join(path).parent().map(Path::to_path_buf))
        .collect();
    folders.sort_unstable();
    folders.dedup();
    for folder in &folders {
        fs::create_dir_all(folder).expect("a folder of the output");
    }
    files
        .par_iter()
        .enumerate()
        .map(|(i, (size, path))| {
            let size = *size as usize;
            let mut bytes = Vec::with_capacity(size);
            let mut at = (i * 4099) % text.len();
            while bytes.len() < size {
                let take = (size - bytes.len()).min(text.len() - at);
                bytes.extend_from_slice(&text[at..at + take]);
                at = 0;
            }
            fs::write(out.join(path), bytes).expect("a file of the output");
            size as u64
        })
        .sum()
}
