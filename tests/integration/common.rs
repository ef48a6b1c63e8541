//! Helpers shared by the integration tests: fixture sites copied to a
//! temporary folder, the real `mend` binary, and parsed output.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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

/// Runs `mend build --quiet --root ROOT ARGS…`, expecting success; returns
/// what it printed on standard error (its warnings), with the site's
/// folder written as `ROOT`.
pub(crate) fn build_warnings(root: &Path, args: &[&str]) -> String {
    let output = mend()
        .args(["build", "--quiet", "--root"])
        .arg(root)
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "the build failed: {stderr}");
    stderr.replace(&root.display().to_string(), "ROOT")
}

/// Runs `mend ARGS --root ROOT`, expecting failure: its standard error
/// without its warnings, with the site's folder written as `ROOT`.
pub(crate) fn failing(root: &Path, args: &[&str]) -> String {
    let output = mend().args(args).arg("--root").arg(root).output().unwrap();
    assert!(!output.status.success(), "mend {args:?} should have failed");
    let stderr = String::from_utf8(output.stderr).unwrap();
    without_warnings(&stderr).replace(&root.display().to_string(), "ROOT")
}

/// Runs `mend COMMAND --root ROOT ARGS…`, expecting failure and no panic;
/// returns standard error without its warnings, with the site's folder
/// written as `ROOT`, for comparing whole.
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

/// Everything under `dir`, folders and links too: each path, with the
/// bytes of a file, `dir/` for a folder, or where a link points.
pub(crate) fn tree(dir: &Path) -> BTreeMap<String, String> {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .map(Result::unwrap)
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
            let kind = e.file_type();
            let what = if kind.is_symlink() {
                format!("link to {}", fs::read_link(e.path()).unwrap().display())
            } else if kind.is_dir() {
                "folder".to_string()
            } else {
                String::from_utf8_lossy(&fs::read(e.path()).unwrap()).into_owned()
            };
            (rel, what)
        })
        .collect()
}

/// Every link (`href`, `src`) in every HTML file of a built site, and
/// every address in its XML files (`href`, `<loc>`, `<id>`, `<uri>`), with
/// the file it is in.
pub(crate) fn every_link(public: &Path) -> Vec<(String, String)> {
    let mut links = Vec::new();
    let any = Selector::parse("[href], [src]").unwrap();
    for (path, bytes) in snapshot(public) {
        let text = String::from_utf8_lossy(&bytes);
        if path.ends_with(".html") {
            let doc = Html::parse_document(&text);
            for element in doc.select(&any) {
                for name in ["href", "src"] {
                    if let Some(value) = element.value().attr(name) {
                        links.push((path.clone(), value.to_string()));
                    }
                }
            }
        } else if path.ends_with(".xml") {
            let doc = parse_xml(&text);
            for node in doc.descendants().filter(roxmltree::Node::is_element) {
                if let Some(href) = node.attribute("href") {
                    links.push((path.clone(), href.to_string()));
                }
                if matches!(node.tag_name().name(), "loc" | "id" | "uri") {
                    links.push((path.clone(), node.text().unwrap_or_default().to_string()));
                }
            }
        }
    }
    links
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

/// A running `mend` server (`serve`, `comments serve`), stopped when dropped.
pub(crate) struct Server {
    pub(crate) child: Killed,
    /// `127.0.0.1:PORT`
    pub(crate) address: String,
    /// What it printed so far, both streams.
    pub(crate) lines: Arc<Mutex<Vec<String>>>,
}

/// Starts `mend ARGS --root ROOT` and waits for the line starting with
/// `ready` that gives its `http://` address.
pub(crate) fn start_server(args: &[&str], root: &Path, ready: &str) -> Server {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("mend"));
    command.args(args).arg("--root").arg(root);
    start_command(command, ready)
}

/// Starts a command that runs a `mend` server (`ip netns exec … mend …`)
/// and waits for its line starting with `ready`.
pub(crate) fn start_command(mut command: std::process::Command, ready: &str) -> Server {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = Arc::new(Mutex::new(Vec::new()));
    for stream in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let lines = Arc::clone(&lines);
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                lines.lock().unwrap().push(line);
            }
        });
    }
    let mut server = Server {
        child: Killed(child),
        address: String::new(),
        lines,
    };
    let started = Instant::now();
    loop {
        let serving = server.lines.lock().unwrap().iter().find_map(|l| {
            l.strip_prefix(ready)
                .and_then(|rest| rest.split("http://").nth(1))
                .map(|a| a.split('/').next().unwrap().to_string())
        });
        if let Some(address) = serving {
            server.address = address;
            return server;
        }
        // Generous: a loaded machine runs other tests' browsers meanwhile.
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server did not start: {:?}",
            server.lines.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A raw HTTP response.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: not JSON: {}", self.text()))
    }
}

/// One request to `server`, with a `Host` of its address unless `headers`
/// give one; the path is sent exactly as given.
pub(crate) fn http(
    server: &Server,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut head = format!("{method} {path} HTTP/1.1\r\n");
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        head.push_str(&format!("Host: {}\r\n", server.address));
    }
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("Connection: close\r\n\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    send(server, &bytes)
}

/// Sends these bytes as they are and reads the whole reply.
pub(crate) fn send(server: &Server, bytes: &[u8]) -> Reply {
    send_from(server, "127.0.0.1", bytes)
}

/// Connects to `server` from `source`, another loopback address
/// (`127.0.0.2`, …), as a second client of the internet would.
pub(crate) fn connect_from(server: &Server, source: &str) -> TcpStream {
    connect_to(&server.address, source)
}

/// Connects to `address` (a loopback one) from `source`.
pub(crate) fn connect_to(address: &str, source: &str) -> TcpStream {
    let address: std::net::SocketAddr = address.parse().unwrap();
    assert!(address.ip().is_loopback(), "tests send to loopback only");
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(address),
        socket2::Type::STREAM,
        None,
    )
    .unwrap();
    let source: std::net::IpAddr = source.parse().unwrap();
    assert!(source.is_loopback(), "tests send to loopback only");
    socket
        .bind(&std::net::SocketAddr::new(source, 0).into())
        .unwrap();
    socket.connect(&address.into()).unwrap();
    socket.into()
}

/// Sends these bytes from `source` and reads the whole reply.
pub(crate) fn send_from(server: &Server, source: &str, bytes: &[u8]) -> Reply {
    send_to(&server.address, source, bytes)
}

/// Sends these bytes to `address` from `source` and reads the whole reply.
pub(crate) fn send_to(address: &str, source: &str, bytes: &[u8]) -> Reply {
    let mut stream = connect_to(address, source);
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    // The server may answer and close before reading all of a huge request.
    let _ = stream.write_all(bytes);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    parse_reply(&raw)
}

/// A raw HTTP response, parsed.
pub(crate) fn parse_reply(raw: &[u8]) -> Reply {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| {
            panic!(
                "not a complete response: {:?}",
                String::from_utf8_lossy(raw)
            )
        });
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

/// Where the comment fixture's form posts.
pub(crate) const ENDPOINT: &str = "https://comments.example/comments/";

/// The comment fixture with a comment endpoint.
pub(crate) fn open_site() -> TempDir {
    open_site_with("")
}

/// The same, with more top-level settings in `site.toml`.
pub(crate) fn open_site_with(settings: &str) -> TempDir {
    let site = fixture("comments");
    let config = site.path().join("site.toml");
    let text = format!(
        "{settings}{}\n[comments]\nendpoint = \"{ENDPOINT}\"\n",
        read(&config)
    );
    fs::write(config, text).unwrap();
    site
}

pub(crate) fn intake(root: &Path, args: &[&str]) -> Server {
    let port = free_port().to_string();
    let mut all = vec!["comments", "serve", "--port", &port];
    all.extend_from_slice(args);
    start_server(&all, root, "taking comments at ")
}

/// Waits until the server has printed a line that passes `wanted` (30 s
/// at most: an event, not a sleep).
pub(crate) fn wait_for_line(server: &Server, wanted: impl Fn(&str) -> bool) {
    wait_for_line_within(server, Duration::from_secs(30), wanted);
}

/// `wait_for_line`, for something that takes longer (images made by a
/// test build, on a busy machine).
pub(crate) fn wait_for_line_within(
    server: &Server,
    bound: Duration,
    wanted: impl Fn(&str) -> bool,
) {
    let started = Instant::now();
    while !server.lines.lock().unwrap().iter().any(|l| wanted(l)) {
        assert!(
            started.elapsed() < bound,
            "no such line in {:?}",
            server.lines.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The modification time of every file under `public` (an output, a
/// cache) but the manifest (which each build writes).
pub(crate) fn times(public: &Path) -> Vec<(String, std::time::SystemTime)> {
    let mut times: Vec<(String, std::time::SystemTime)> = walkdir::WalkDir::new(public)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file() && e.file_name() != ".mend-manifest")
        .map(|e| {
            let path = e.path().strip_prefix(public).unwrap().display().to_string();
            (path, e.metadata().unwrap().modified().unwrap())
        })
        .collect();
    times.sort();
    times
}

/// The text of the first `<content>` of the feed at `file`: the HTML of its
/// newest entry.
pub(crate) fn first_feed_content(file: impl AsRef<Path>) -> String {
    let feed = read(file);
    let doc = parse_xml(&feed);
    doc.descendants()
        .find(|n| n.has_tag_name("content"))
        .and_then(|n| n.text())
        .expect("an entry with content")
        .to_string()
}
