//! Helpers shared by the integration tests: fixture sites copied to a
//! temporary folder, the real `mend` binary, and parsed output.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use scraper::{Html, Selector};
use tempfile::TempDir;

/// The `mend` binary built by cargo for these tests.
pub(crate) fn mend() -> Command {
    Command::cargo_bin("mend").expect("the mend binary is built")
}

/// A copy of `tests/fixtures/<name>` in a fresh temporary folder.
pub(crate) fn fixture(name: &str) -> TempDir {
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&from, dir.path());
    dir
}

pub(crate) fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A site made of the given files (path → text) in a fresh temporary folder.
pub(crate) fn site_with(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        write(dir.path(), path, text);
    }
    dir
}

pub(crate) fn write(root: &Path, path: &str, text: &str) {
    let file = root.join(path);
    fs::create_dir_all(file.parent().unwrap()).unwrap();
    fs::write(file, text).unwrap();
}

/// A minimal valid `site.toml`.
pub(crate) const SITE_TOML: &str =
    "title = \"Test\"\nbase_url = \"https://test.example\"\npaginate = 10\n";

/// An article with the given title, date and tags.
pub(crate) fn article(title: &str, date: &str, tags: &[&str]) -> String {
    let tags: Vec<String> = tags.iter().map(|t| format!("{t:?}")).collect();
    format!(
        "+++\ntitle = {title:?}\ndate = {date}\ntags = [{}]\n+++\nBody of {title}.\n",
        tags.join(", ")
    )
}

/// Runs `mend build` in `root` with extra arguments and asserts success.
pub(crate) fn build(root: &Path, args: &[&str]) -> PathBuf {
    mend()
        .arg("build")
        .arg("--root")
        .arg(root)
        .args(args)
        .assert()
        .success();
    root.join("public")
}

/// Runs `mend COMMAND --root ROOT ARGS…`, expecting failure; returns
/// standard error without its warnings, with the site's folder written as
/// `ROOT`, for comparing whole.
pub(crate) fn error_of(command: &str, root: &Path, args: &[&str]) -> String {
    let output = mend()
        .arg(command)
        .arg("--root")
        .arg(root)
        .args(args)
        .output()
        .unwrap();
    assert!(
        !output.status.success(),
        "`mend {command}` should have failed"
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(!stderr.contains("panicked"), "mend panicked: {stderr}");
    without_warnings(&stderr).replace(&root.display().to_string(), "ROOT")
}

/// Standard error without its `warning:` lines.
pub(crate) fn without_warnings(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|l| !l.starts_with("warning: "))
        .map(|l| format!("{l}\n"))
        .collect()
}

pub(crate) fn read(path: impl AsRef<Path>) -> String {
    let path = path.as_ref();
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub(crate) fn html(path: impl AsRef<Path>) -> Html {
    Html::parse_document(&read(path))
}

/// The texts of the elements matching `selector`.
pub(crate) fn texts(doc: &Html, selector: &str) -> Vec<String> {
    let selector = Selector::parse(selector).unwrap();
    doc.select(&selector)
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect()
}

/// The values of `attribute` on the elements matching `selector`.
pub(crate) fn attrs(doc: &Html, selector: &str, attribute: &str) -> Vec<String> {
    let selector = Selector::parse(selector).unwrap();
    doc.select(&selector)
        .filter_map(|e| e.value().attr(attribute).map(str::to_string))
        .collect()
}

/// Every file under `dir`, by relative path, with its bytes.
pub(crate) fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, fs::read(e.path()).unwrap())
        })
        .collect()
}

/// Parses an XML file with a real parser, failing the test if it is invalid.
pub(crate) fn parse_xml(text: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("invalid XML: {e}\n{text}"))
}

/// A port nobody listens on right now.
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process that is killed when this goes out of scope.
pub(crate) struct Killed(pub std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
