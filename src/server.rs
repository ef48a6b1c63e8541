//! The HTTP/1.1 server mend runs (`mend serve`), built to stay up when it
//! is reachable from more than this machine: requests are parsed by
//! `httparse` within size limits (414 for a long request line, 431 for long
//! headers, 413 for a long body), slow and idle connections time out, the
//! number of connections (and so of threads) is bounded, and only requests
//! whose `Host` names this server are answered (421 otherwise), so a page
//! elsewhere cannot reach it through DNS rebinding.
//!
//! Not for what is answered: a handler given to `run` decides that.

use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The bounds a server keeps to.
#[derive(Debug, Clone)]
pub struct Limits {
    /// The longest request line (method, target, version).
    pub request_line: usize,
    /// The longest request head: request line and headers.
    pub head: usize,
    /// The largest request body.
    pub body: usize,
    /// How long a client may take to send a request head, or its body.
    pub read: Duration,
    /// How long a kept-alive connection may wait for its next request.
    pub idle: Duration,
    /// How long writing a response may be blocked by a client not reading.
    pub write: Duration,
    /// Connections served at once; each has a thread.
    pub connections: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            request_line: 8 * 1024,
            head: 32 * 1024,
            body: 64 * 1024,
            read: Duration::from_secs(10),
            idle: Duration::from_secs(15),
            write: Duration::from_secs(30),
            connections: 64,
        }
    }
}

/// One request, read whole.
#[derive(Debug)]
pub struct Request {
    pub method: String,
    /// The request target as sent: `/posts/x/?q=1`.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub peer: SocketAddr,
}

impl Request {
    /// The first header of that name (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The target's path, without query or fragment.
    pub fn path(&self) -> &str {
        self.target.split(['?', '#']).next().unwrap_or("/")
    }
}

/// What a handler answers.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

/// Writes a streamed body for as long as it lasts.
pub type Streamer = Box<dyn FnOnce(&mut dyn Write) -> io::Result<()> + Send>;

/// A response body: bytes, or a stream written for as long as it lasts
/// (server-sent events), which ends the connection.
pub enum Body {
    Bytes(Vec<u8>),
    Stream(Streamer),
}

impl Response {
    /// A response with these bytes.
    pub fn new(status: u16, content_type: &str, body: Vec<u8>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: Body::Bytes(body),
        }
    }

    /// A plain-text message for a person.
    pub fn text(status: u16, message: &str) -> Response {
        Response::new(
            status,
            "text/plain; charset=utf-8",
            format!("{message}\n").into_bytes(),
        )
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// Decides what each request gets.
pub type Handler = dyn Fn(Request) -> Response + Send + Sync;

/// Which `Host` values a server answers: an IP address (a rebinding page
/// cannot send one), `localhost`, this machine's name (also with `.local`),
/// and the name it was bound to.
#[derive(Debug, Clone)]
pub struct Hosts {
    names: Vec<String>,
}

impl Hosts {
    pub fn new(bound: &str) -> Hosts {
        let mut names = vec!["localhost".to_string()];
        let machine = rustix::system::uname()
            .nodename()
            .to_string_lossy()
            .to_lowercase();
        if !machine.is_empty() {
            names.push(format!("{machine}.local"));
            names.push(machine);
        }
        names.push(bound.trim_matches(['[', ']']).to_lowercase());
        Hosts { names }
    }

    /// Also answers requests addressed to `name` (the public name a proxy
    /// in front forwards).
    pub fn also(mut self, name: &str) -> Hosts {
        self.names
            .push(name.trim_matches(['[', ']']).to_lowercase());
        self
    }

    /// Whether a `Host` header value names this server.
    pub fn allows(&self, host: &str) -> bool {
        let host = host.trim().to_lowercase();
        let name = match host.strip_prefix('[') {
            Some(rest) => rest.split(']').next().unwrap_or_default(),
            None => host
                .rsplit_once(':')
                .map_or(host.as_str(), |(name, _)| name),
        };
        let name = name.trim_end_matches('.');
        name.parse::<IpAddr>().is_ok() || self.names.iter().any(|n| n == name)
    }
}

/// Compares a secret (a token) in time that does not depend on where it
/// differs.
pub fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    let mut difference = u8::from(given.len() != expected.len());
    for (i, &byte) in expected.iter().enumerate() {
        difference |= byte ^ given.get(i).copied().unwrap_or(!byte);
    }
    difference == 0
}

/// A fresh random token of 32 hexadecimal digits, for one run of a server.
pub fn random_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    (0..2)
        .map(|k: u64| {
            // Each RandomState is seeded afresh by the standard library.
            let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
            hasher.write_u64(k);
            format!("{:016x}", hasher.finish())
        })
        .collect()
}

/// Serves connections from `listener` until the process ends.
pub fn run(listener: TcpListener, limits: Limits, hosts: Hosts, handler: Arc<Handler>) {
    let open = Arc::new(AtomicUsize::new(0));
    let shared = Arc::new((limits, hosts, handler));
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        if open.fetch_add(1, Ordering::AcqRel) >= shared.0.connections {
            open.fetch_sub(1, Ordering::AcqRel);
            refuse_busy(stream, &shared.0);
            continue;
        }
        let open = Arc::clone(&open);
        let shared = Arc::clone(&shared);
        let spawned = std::thread::Builder::new()
            .name("mend-http".into())
            .spawn(move || {
                let (limits, hosts, handler) = &*shared;
                serve_connection(stream, limits, hosts, handler.as_ref());
                open.fetch_sub(1, Ordering::AcqRel);
            });
        if spawned.is_err() {
            // No thread could be made: the connection is dropped, and
            // `open` stays one too high, which only lowers the bound.
            continue;
        }
    }
}

/// Too many connections: a short answer, without a thread of its own.
fn refuse_busy(mut stream: TcpStream, limits: &Limits) {
    let _ = stream.set_write_timeout(Some(Duration::from_millis(200).min(limits.write)));
    let response = Response::text(503, "the server is busy; try again in a moment")
        .with_header("Retry-After", "1");
    let _ = write_response(&mut stream, response, false, false);
}

/// Why a request could not be read.
enum Failure {
    /// The client went away, or sent nothing in time: close quietly.
    Gone,
    /// The client's mistake: answer it, then close.
    Refuse(u16, &'static str),
}

fn serve_connection(mut stream: TcpStream, limits: &Limits, hosts: &Hosts, handler: &Handler) {
    let Ok(peer) = stream.peer_addr() else { return };
    let _ = stream.set_write_timeout(Some(limits.write));
    let _ = stream.set_nodelay(true);
    let mut buffer = Vec::new();
    let mut first = true;
    loop {
        let wait = if first { limits.read } else { limits.idle };
        first = false;
        let request = match read_request(&mut stream, &mut buffer, limits, wait, peer) {
            Ok(request) => request,
            Err(Failure::Gone) => return,
            Err(Failure::Refuse(status, message)) => {
                let _ = write_response(&mut stream, Response::text(status, message), false, false);
                return;
            }
        };
        let head_only = request.method == "HEAD";
        let keep_alive = wants_keep_alive(&request);
        let response = match request.header("Host") {
            None => Response::text(400, "a Host header is required"),
            Some(host) if !hosts.allows(host) => Response::text(
                421,
                "this server answers only requests addressed to it by IP address, localhost or its own name",
            ),
            Some(_) => answer(handler, request),
        };
        match write_response(&mut stream, response, head_only, keep_alive) {
            Ok(true) => continue,
            _ => return,
        }
    }
}

/// The handler's answer; a panic in it is a 500, not a lost thread.
fn answer(handler: &Handler, request: Request) -> Response {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler(request))).unwrap_or_else(
        |_| Response::text(500, "mend hit an internal error (a bug: please report it)"),
    )
}

fn wants_keep_alive(request: &Request) -> bool {
    !request
        .header("Connection")
        .is_some_and(|c| c.eq_ignore_ascii_case("close"))
}

/// Reads one request: the head within `wait` of starting, then the body.
fn read_request(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
    limits: &Limits,
    wait: Duration,
    peer: SocketAddr,
) -> Result<Request, Failure> {
    let deadline = Instant::now() + wait;
    let head_end = loop {
        if let Some(end) = find_head_end(buffer) {
            break end;
        }
        let line_done = buffer.windows(2).any(|w| w == b"\r\n");
        if !line_done && buffer.len() > limits.request_line {
            return Err(Failure::Refuse(414, "the request line is too long"));
        }
        if buffer.len() > limits.head {
            return Err(Failure::Refuse(431, "the request headers are too long"));
        }
        fill(stream, buffer, deadline)?;
    };
    if head_end > limits.head {
        return Err(Failure::Refuse(431, "the request headers are too long"));
    }
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut parsed = httparse::Request::new(&mut headers);
    match parsed.parse(&buffer[..head_end]) {
        Ok(httparse::Status::Complete(_)) => {}
        Err(httparse::Error::TooManyHeaders) => {
            return Err(Failure::Refuse(431, "the request has too many headers"));
        }
        _ => return Err(Failure::Refuse(400, "the request is not valid HTTP/1.1")),
    }
    let mut request = Request {
        method: parsed.method.unwrap_or_default().to_string(),
        target: parsed.path.unwrap_or("/").to_string(),
        headers: parsed
            .headers
            .iter()
            .map(|h| {
                (
                    h.name.to_string(),
                    String::from_utf8_lossy(h.value).into_owned(),
                )
            })
            .collect(),
        body: Vec::new(),
        peer,
    };
    buffer.drain(..head_end);
    read_body(stream, buffer, &mut request, limits)?;
    Ok(request)
}

/// The end of a request head (after the blank line), if it has arrived.
fn find_head_end(buffer: &[u8]) -> Option<usize> {
    buffer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4)
}

/// Reads what the client has sent so far, waiting at most until `deadline`.
fn fill(stream: &mut TcpStream, buffer: &mut Vec<u8>, deadline: Instant) -> Result<(), Failure> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(Failure::Gone);
    }
    stream
        .set_read_timeout(Some(left))
        .map_err(|_| Failure::Gone)?;
    let mut chunk = [0u8; 8192];
    match stream.read(&mut chunk) {
        Ok(0) | Err(_) => Err(Failure::Gone),
        Ok(n) => {
            buffer.extend_from_slice(&chunk[..n]);
            Ok(())
        }
    }
}

/// A body of `Content-Length` bytes, at most `limits.body`.
fn read_body(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
    request: &mut Request,
    limits: &Limits,
) -> Result<(), Failure> {
    if request.header("Transfer-Encoding").is_some() {
        return Err(Failure::Refuse(411, "send the body with a Content-Length"));
    }
    let length = match request.header("Content-Length") {
        None => 0,
        Some(text) => text
            .trim()
            .parse::<usize>()
            .map_err(|_| Failure::Refuse(400, "the Content-Length is not a number"))?,
    };
    if length > limits.body {
        return Err(Failure::Refuse(413, "the request body is too large"));
    }
    let deadline = Instant::now() + limits.read;
    while buffer.len() < length {
        fill(stream, buffer, deadline)?;
    }
    request.body = buffer.drain(..length).collect();
    Ok(())
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        303 => "See Other",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        401 => "Unauthorized",
        421 => "Misdirected Request",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// Writes a response; whether the connection may carry another request.
fn write_response(
    stream: &mut TcpStream,
    response: Response,
    head_only: bool,
    keep_alive: bool,
) -> io::Result<bool> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        response.status,
        reason(response.status)
    );
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    match response.body {
        Body::Bytes(bytes) => {
            let keep = keep_alive;
            head.push_str(&format!("Content-Length: {}\r\n", bytes.len()));
            head.push_str(if keep {
                "Connection: keep-alive\r\n\r\n"
            } else {
                "Connection: close\r\n\r\n"
            });
            stream.write_all(head.as_bytes())?;
            if !head_only {
                stream.write_all(&bytes)?;
            }
            stream.flush()?;
            Ok(keep)
        }
        Body::Stream(write) => {
            head.push_str("Connection: close\r\n\r\n");
            stream.write_all(head.as_bytes())?;
            stream.flush()?;
            if !head_only {
                // A stream runs until the client goes away; it needs no
                // write timeout, as it writes little and often.
                let _ = stream.set_write_timeout(None);
                write(stream)?;
            }
            Ok(false)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abd", b"abc"));
        assert!(!same_secret(b"ab", b"abc"));
        assert!(!same_secret(b"abcd", b"abc"));
        assert!(!same_secret(b"", b"abc"));
        assert_ne!(random_token(), random_token());
        assert_eq!(random_token().len(), 32);
    }

    #[test]
    fn hosts_that_name_this_server_are_allowed() {
        let hosts = Hosts::new("127.0.0.1");
        for host in [
            "127.0.0.1:1111",
            "localhost:1111",
            "LOCALHOST",
            "[::1]:1111",
            "192.168.1.20:1111",
            "localhost.",
        ] {
            assert!(hosts.allows(host), "{host}");
        }
        for host in [
            "evil.example:1111",
            "evil.example",
            "127.0.0.1.evil.example",
            "",
        ] {
            assert!(!hosts.allows(host), "{host}");
        }
        assert!(Hosts::new("blog.test").allows("blog.test:1111"));
    }
}
