//! The HTTP/1.1 server under `mend serve` and `mend comments serve`, made to
//! stay up when it is reachable from the internet. The protocol is hyper's
//! (framing, chunked bodies, conflicting `Content-Length`s, header limits),
//! on tokio, so an idle connection costs a few kilobytes, not a thread. On
//! top of it this module keeps every bound per client as well as in total:
//!
//! - connections per client address (an IPv6 /64 counts as one address),
//!   and in all; the one over the bound gets a short 503;
//! - time: the request head (and the wait for the next one on a kept-alive
//!   connection) within `read`, the body within `read` too, and a client
//!   that stops reading its answer is dropped after `write`;
//! - bytes: the request line (414), the head (431), the body (413, read to
//!   its end first within a bound, so the client sees the answer and not a
//!   reset), and the bodies held at once by all requests together;
//! - requests behind a trusted proxy: the forwarded address is the client,
//!   and its requests in flight are bounded as a peer's connections are.
//!
//! Answers are made by a synchronous handler on tokio's blocking pool, so a
//! request that reads a file never makes another wait. Only requests whose
//! `Host` names this server are answered (421 otherwise), so a page
//! elsewhere cannot reach it through DNS rebinding. Ambiguous framing is
//! refused: a `Transfer-Encoding` (411), a `Content-Length` that is not
//! plain digits (400).
//!
//! Not for what is answered: a handler given to `run` decides that.

use std::collections::HashMap;
use std::convert::Infallible;
use std::io;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::Frame;
use http_body_util::{BodyExt, Either, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::AsyncWriteExt;
use tokio::sync::{Semaphore, mpsc};

/// The bounds a server keeps to.
#[derive(Debug, Clone)]
pub(crate) struct Limits {
    /// The longest request target (path and query).
    pub request_line: usize,
    /// The longest request head: request line and headers.
    pub head: usize,
    /// The largest request body.
    pub body: usize,
    /// How long a client may take to send a request head (or, kept alive,
    /// to start its next one), and then its body.
    pub read: Duration,
    /// How long writing a response may be blocked by a client not reading.
    pub write: Duration,
    /// Connections open at once, in all.
    pub connections: usize,
    /// Connections open at once from one client address (an IPv6 /64); for
    /// clients behind a trusted proxy, their requests in flight.
    pub per_client: usize,
    /// Bytes of request bodies held at once, by all requests together.
    pub bodies: usize,
    /// Requests answered at once (threads of the blocking pool).
    pub workers: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            request_line: 8 * 1024,
            head: 32 * 1024,
            body: 64 * 1024,
            read: Duration::from_secs(10),
            write: Duration::from_secs(30),
            connections: 1024,
            per_client: 32,
            bodies: 32 * 1024 * 1024,
            workers: 64,
        }
    }
}

/// One request, read whole.
#[derive(Debug)]
pub(crate) struct Request {
    pub method: String,
    /// The request target as sent: `/posts/x/?q=1`.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The address the connection came from.
    pub peer: SocketAddr,
    /// The client: the peer, or behind a trusted proxy the address it
    /// forwarded (the last entry of `X-Forwarded-For`).
    pub client: IpAddr,
}

impl Request {
    /// The first header of that name (any case).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The target's path, without query or fragment.
    pub(crate) fn path(&self) -> &str {
        self.target.split(['?', '#']).next().unwrap_or("/")
    }

    /// Whether the connection comes from this machine (a loopback address).
    pub(crate) fn is_from_loopback(&self) -> bool {
        canonical(self.peer.ip()).is_loopback()
    }
}

/// What a handler answers.
pub(crate) struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

/// A response body: bytes, or a stream of chunks sent as they come (server-
/// sent events) until the sender is dropped or the client goes away.
pub(crate) enum Body {
    Bytes(Vec<u8>),
    Stream(mpsc::Receiver<Vec<u8>>),
}

impl Response {
    /// A response with these bytes.
    pub(crate) fn new(status: u16, content_type: &str, body: Vec<u8>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: Body::Bytes(body),
        }
    }

    /// A plain-text message for a person.
    pub(crate) fn text(status: u16, message: &str) -> Response {
        Response::new(
            status,
            "text/plain; charset=utf-8",
            format!("{message}\n").into_bytes(),
        )
    }

    /// Adds a header.
    pub(crate) fn with_header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// Decides what each request gets.
pub(crate) type Handler = dyn Fn(Request) -> Response + Send + Sync;

/// Which `Host` values a server answers: an IP address (a rebinding page
/// cannot send one), `localhost`, this machine's name (also with `.local`),
/// and the name it was bound to.
#[derive(Debug, Clone)]
pub(crate) struct Hosts {
    names: Vec<String>,
}

impl Hosts {
    pub(crate) fn new(bound: &str) -> Hosts {
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
    pub(crate) fn also(mut self, name: &str) -> Hosts {
        self.names
            .push(name.trim_matches(['[', ']']).to_lowercase());
        self
    }

    /// Whether a `Host` header value names this server.
    pub(crate) fn allows(&self, host: &str) -> bool {
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
pub(crate) fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    let mut difference = u8::from(given.len() != expected.len());
    for (i, &byte) in expected.iter().enumerate() {
        difference |= byte ^ given.get(i).copied().unwrap_or(!byte);
    }
    difference == 0
}

/// `n` random bytes from the operating system, as hexadecimal digits.
pub(crate) fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).expect("the operating system's random source answers");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh random token of 32 hexadecimal digits (128 bits from the
/// operating system's random source), for one run of a server.
pub(crate) fn random_token() -> String {
    random_hex(16)
}

/// Listens on `bind:port`, or on one of the `tries - 1` ports after it,
/// saying so when a port is taken; the listener and its port.
pub(crate) fn listen(
    bind: &str,
    port: u16,
    tries: u16,
) -> crate::error::Result<(TcpListener, u16)> {
    let mut last_error = String::new();
    for candidate in (0..tries.max(1)).filter_map(|i| port.checked_add(i)) {
        let address = if bind.contains(':') && !bind.starts_with('[') {
            format!("[{bind}]:{candidate}")
        } else {
            format!("{bind}:{candidate}")
        };
        match TcpListener::bind(&address) {
            Ok(listener) => return Ok((listener, candidate)),
            Err(e) if tries > 1 => {
                eprintln!("port {candidate} on {bind} is not available ({e}); trying the next one");
                last_error = e.to_string();
            }
            Err(e) => last_error = e.to_string(),
        }
    }
    let message = if tries > 1 {
        format!(
            "no free port from {port} to {} on {bind}: {last_error}; pass another --port",
            port.saturating_add(tries - 1)
        )
    } else {
        format!("cannot listen on {bind} port {port}: {last_error}; pass another --port or --bind")
    };
    Err(crate::error::Error::Serve { message })
}

/// Who the server is, as every connection needs it.
struct Server {
    limits: Limits,
    hosts: Hosts,
    handler: Arc<Handler>,
    /// Take the client from `X-Forwarded-For` (behind a trusted proxy).
    trust_proxy: bool,
    log_requests: bool,
    clients: Clients,
    bodies: Semaphore,
}

/// What a server is told besides its handler.
#[derive(Debug, Clone)]
pub(crate) struct Setup {
    pub limits: Limits,
    pub hosts: Hosts,
    /// Behind a proxy: the forwarded address is the client, and the peer
    /// (the proxy) is not bounded per address.
    pub trust_proxy: bool,
    /// Log each request's outcome at `info` (else at `debug`).
    pub log_requests: bool,
}

/// Serves connections from `listener` until the process ends, or returns
/// the error that kept it from starting.
pub(crate) fn run(listener: TcpListener, setup: Setup, handler: Arc<Handler>) -> io::Result<()> {
    raise_file_limit(setup.limits.connections);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(setup.limits.workers.max(1))
        .thread_name("mend-http")
        .enable_all()
        .build()?;
    listener.set_nonblocking(true)?;
    let server = Arc::new(Server {
        bodies: Semaphore::new(setup.limits.bodies.min(Semaphore::MAX_PERMITS)),
        limits: setup.limits,
        hosts: setup.hosts,
        trust_proxy: setup.trust_proxy,
        log_requests: setup.log_requests,
        handler,
        clients: Clients::default(),
    });
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        loop {
            let Ok((stream, peer)) = listener.accept().await else {
                // Out of file descriptors, or a connection reset before it
                // was taken: wait a moment rather than spin.
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            };
            let _ = stream.set_nodelay(true);
            let server = Arc::clone(&server);
            let admitted = if server.trust_proxy {
                server.clients.admit_total(server.limits.connections)
            } else {
                server
                    .clients
                    .admit(peer.ip(), &server.limits, server.limits.connections)
            };
            match admitted {
                Some(permit) => {
                    tokio::spawn(connection(stream, peer, permit, server));
                }
                None => {
                    tokio::spawn(refuse_busy(stream));
                }
            }
        }
    })
}

/// Raises the soft limit on open files towards the hard one, so the bound
/// on connections, not the system's default of 1,024, is what holds (Go
/// and nginx do the same).
fn raise_file_limit(connections: usize) {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut limit = getrlimit(Resource::Nofile);
    let wanted = (connections as u64).saturating_mul(2).saturating_add(256);
    let Some(current) = limit.current else { return };
    if current >= wanted {
        return;
    }
    limit.current = Some(limit.maximum.map_or(wanted, |max| max.min(wanted)));
    let _ = setrlimit(Resource::Nofile, limit);
}

/// What a client is told when the server has no room for it.
const BUSY: &str = "the server is busy; try again in a moment";

/// Too many connections: a short answer, then the connection is closed.
async fn refuse_busy(mut stream: tokio::net::TcpStream) {
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nRetry-After: 1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{BUSY}\n",
        BUSY.len() + 1
    );
    let _ = tokio::time::timeout(Duration::from_millis(500), async {
        stream.write_all(answer.as_bytes()).await?;
        stream.shutdown().await
    })
    .await;
}

async fn connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    _permit: Permit,
    server: Arc<Server>,
) {
    let mut timed = tokio_io_timeout::TimeoutStream::new(stream);
    timed.set_write_timeout(Some(server.limits.write));
    let io = TokioIo::new(Box::pin(timed));
    let (read, head) = (server.limits.read, server.limits.head);
    let service = service_fn(move |request| {
        let server = Arc::clone(&server);
        async move {
            let started = std::time::Instant::now();
            let method = request.method().clone();
            let path = request.uri().path().to_string();
            let client = client_of(request.headers(), peer, server.trust_proxy);
            let reply = answer(request, peer, client, &server).await;
            log_request(&server, client, &method, &path, reply.status(), started);
            Ok::<_, Infallible>(reply)
        }
    });
    let _ = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(read)
        .max_header_size(head)
        .max_buf_size(head.max(8192))
        .serve_connection(io, service)
        .await;
}

type Reply = hyper::Response<Either<Full<Bytes>, Events>>;

/// One line per request: who, what, the status and how long it took (the
/// path without its query, which may hold what a reader typed).
fn log_request(
    server: &Server,
    client: IpAddr,
    method: &hyper::Method,
    path: &str,
    status: hyper::StatusCode,
    started: std::time::Instant,
) {
    let ms = started.elapsed().as_millis();
    let status = status.as_u16();
    if server.log_requests {
        tracing::info!(%client, %method, path, status, ms, "request");
    } else {
        tracing::debug!(%client, %method, path, status, ms, "request");
    }
}

/// The answer to one request, from the checks here or from the handler.
async fn answer(
    request: hyper::Request<Incoming>,
    peer: SocketAddr,
    client: IpAddr,
    server: &Server,
) -> Reply {
    let (parts, body) = request.into_parts();
    let _in_flight = if server.trust_proxy {
        match server.clients.admit(client, &server.limits, usize::MAX) {
            Some(permit) => Some(permit),
            None => {
                return refusal(
                    429,
                    "too many requests from your address at once; try again in a moment",
                );
            }
        }
    } else {
        None
    };
    if let Some(refused) = refuse_framing(&parts, &server.limits) {
        return refused;
    }
    let declared = declared_length(&parts.headers).unwrap_or(0);
    let body = match read_body(body, declared, server).await {
        Ok(bytes) => bytes,
        Err(refused) => return refused,
    };
    let request = Request {
        method: parts.method.as_str().to_string(),
        target: parts
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_string(),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_string(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
        peer,
        client,
    };
    let response = match request.header("Host") {
        None => Response::text(400, "a Host header is required"),
        Some(host) if !server.hosts.allows(host) => Response::text(
            421,
            "this server answers only requests addressed to it by IP address, localhost or its own name",
        ),
        Some(_) => {
            let handler = Arc::clone(&server.handler);
            tokio::task::spawn_blocking(move || handler(request))
                .await
                .unwrap_or_else(|_| {
                    Response::text(500, "mend hit an internal error (a bug: please report it)")
                })
        }
    };
    to_hyper(response)
}

/// A request whose framing or size is refused before its body is read.
fn refuse_framing(parts: &hyper::http::request::Parts, limits: &Limits) -> Option<Reply> {
    let target = parts.uri.path_and_query().map_or(0, |p| p.as_str().len());
    if target > limits.request_line {
        return Some(refusal(414, "the request line is too long"));
    }
    if parts.headers.contains_key(hyper::header::TRANSFER_ENCODING) {
        return Some(refusal(411, "send the body with a Content-Length"));
    }
    let lengths = parts.headers.get_all(hyper::header::CONTENT_LENGTH);
    if lengths.iter().any(|value| !plain_length(value.as_bytes())) {
        return Some(refusal(
            400,
            "the Content-Length must be one number in plain digits",
        ));
    }
    None
}

/// `0`, or digits without a leading zero, and not longer than any body.
fn plain_length(value: &[u8]) -> bool {
    match value {
        [b'0'] => true,
        [b'1'..=b'9', rest @ ..] => rest.len() < 18 && rest.iter().all(u8::is_ascii_digit),
        _ => false,
    }
}

fn declared_length(headers: &hyper::HeaderMap) -> Option<usize> {
    headers
        .get(hyper::header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// The most of a refused body read and dropped, so the client, still
/// sending, reads the refusal instead of a reset.
const DRAIN: usize = 1024 * 1024;

/// The body, within the size and time limits and the bytes all requests
/// may hold at once.
async fn read_body(body: Incoming, declared: usize, server: &Server) -> Result<Vec<u8>, Reply> {
    let limits = &server.limits;
    if declared > limits.body {
        drain(body, limits.read).await;
        return Err(refusal(413, "the request body is too large"));
    }
    if declared == 0 {
        return Ok(Vec::new());
    }
    let permits = u32::try_from(declared).unwrap_or(u32::MAX);
    let held = tokio::time::timeout(limits.read, server.bodies.acquire_many(permits)).await;
    let Ok(Ok(_held)) = held else {
        return Err(refusal(503, BUSY));
    };
    match tokio::time::timeout(limits.read, Limited::new(body, limits.body).collect()).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes().to_vec()),
        Ok(Err(_)) => Err(refusal(400, "the request body did not arrive whole")),
        Err(_) => Err(refusal(408, "the request body took too long to arrive")),
    }
}

/// Reads and drops up to `DRAIN` bytes of a body, for at most `wait`.
async fn drain(mut body: Incoming, wait: Duration) {
    let _ = tokio::time::timeout(wait.min(Duration::from_secs(2)), async {
        let mut dropped = 0;
        while dropped < DRAIN {
            match body.frame().await {
                Some(Ok(frame)) => dropped += frame.data_ref().map_or(0, Bytes::len),
                _ => break,
            }
        }
    })
    .await;
}

/// A refusal that ends the connection.
fn refusal(status: u16, message: &str) -> Reply {
    to_hyper(Response::text(status, message).with_header("Connection", "close"))
}

fn to_hyper(response: Response) -> Reply {
    let mut builder = hyper::Response::builder().status(response.status);
    for (name, value) in &response.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let body = match response.body {
        Body::Bytes(bytes) => Either::Left(Full::new(Bytes::from(bytes))),
        Body::Stream(receiver) => Either::Right(Events { receiver }),
    };
    builder.body(body).unwrap_or_else(|_| {
        let mut fallback = hyper::Response::new(Either::Left(Full::new(Bytes::from_static(
            b"mend made an invalid response (a bug: please report it)\n",
        ))));
        *fallback.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
        fallback
    })
}

/// A streamed body: each chunk as it is sent.
pub(crate) struct Events {
    receiver: mpsc::Receiver<Vec<u8>>,
}

impl http_body::Body for Events {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.receiver
            .poll_recv(cx)
            .map(|chunk| chunk.map(|bytes| Ok(Frame::data(Bytes::from(bytes)))))
    }
}

/// The client of a request: the peer, or the address a trusted proxy
/// forwarded (the last `X-Forwarded-For` entry, the one it saw).
fn client_of(headers: &hyper::HeaderMap, peer: SocketAddr, trust_proxy: bool) -> IpAddr {
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .next_back()
        .filter(|_| trust_proxy)
        .and_then(|value| value.to_str().ok())
        .and_then(|list| list.rsplit(',').next())
        .and_then(|address| address.trim().parse().ok());
    canonical(forwarded.unwrap_or(peer.ip()))
}

/// An IPv4 address sent as IPv6 (`::ffff:1.2.3.4`) is that IPv4 address.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// What one client is counted as: its IPv4 address, or its IPv6 /64 (one
/// subscriber's network, which it may fill with addresses at will).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum ClientKey {
    V4(u32),
    V6Net(u64),
}

impl ClientKey {
    fn of(address: IpAddr) -> ClientKey {
        match canonical(address) {
            IpAddr::V4(v4) => ClientKey::V4(v4.to_bits()),
            IpAddr::V6(v6) => ClientKey::V6Net((v6.to_bits() >> 64) as u64),
        }
    }
}

/// Connections (or requests) open now, per client and in all.
#[derive(Default)]
struct Clients {
    counts: Arc<Mutex<Counts>>,
}

#[derive(Default)]
struct Counts {
    total: usize,
    per_client: HashMap<ClientKey, usize>,
}

/// One admitted connection or request; counted until dropped.
struct Permit {
    counts: Arc<Mutex<Counts>>,
    key: Option<ClientKey>,
}

impl Clients {
    /// Admits one more from `address` if it and the total are within bounds.
    fn admit(&self, address: IpAddr, limits: &Limits, total: usize) -> Option<Permit> {
        let key = ClientKey::of(address);
        let mut counts = self.lock();
        let mine = counts.per_client.get(&key).copied().unwrap_or(0);
        if mine >= limits.per_client || counts.total >= total {
            return None;
        }
        counts.total += 1;
        counts.per_client.insert(key, mine + 1);
        Some(Permit {
            counts: Arc::clone(&self.counts),
            key: Some(key),
        })
    }

    /// Admits one more if the total is within bounds.
    fn admit_total(&self, total: usize) -> Option<Permit> {
        let mut counts = self.lock();
        if counts.total >= total {
            return None;
        }
        counts.total += 1;
        Some(Permit {
            counts: Arc::clone(&self.counts),
            key: None,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Counts> {
        self.counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut counts = self
            .counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        counts.total = counts.total.saturating_sub(1);
        if let Some(key) = self.key {
            let left = counts
                .per_client
                .get(&key)
                .map_or(0, |n| n.saturating_sub(1));
            if left == 0 {
                counts.per_client.remove(&key);
            } else {
                counts.per_client.insert(key, left);
            }
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
        assert!(random_token().bytes().all(|b| b.is_ascii_hexdigit()));
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

    #[test]
    fn only_plain_digits_are_a_length() {
        for good in ["0", "5", "65536", "123456789012345678"] {
            assert!(plain_length(good.as_bytes()), "{good}");
        }
        for bad in [
            "+5",
            "0005",
            "00",
            " 5",
            "5 ",
            "-1",
            "",
            "5,5",
            "0x10",
            "1234567890123456789",
        ] {
            assert!(!plain_length(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn an_ipv6_network_is_one_client_and_mapped_ipv4_is_ipv4() {
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(ClientKey::of(a), ClientKey::of(b));
        assert_ne!(ClientKey::of(a), ClientKey::of(c));
        let mapped: IpAddr = "::ffff:127.0.0.2".parse().unwrap();
        let plain: IpAddr = "127.0.0.2".parse().unwrap();
        assert_eq!(ClientKey::of(mapped), ClientKey::of(plain));
    }

    #[test]
    fn clients_are_bounded_each_and_in_all() {
        let limits = Limits {
            per_client: 2,
            ..Limits::default()
        };
        let clients = Clients::default();
        let one: IpAddr = "127.0.0.2".parse().unwrap();
        let two: IpAddr = "127.0.0.3".parse().unwrap();
        let first = clients.admit(one, &limits, 3).unwrap();
        let _second = clients.admit(one, &limits, 3).unwrap();
        assert!(clients.admit(one, &limits, 3).is_none(), "a third from one");
        let _other = clients.admit(two, &limits, 3).unwrap();
        assert!(clients.admit(two, &limits, 3).is_none(), "over the total");
        drop(first);
        let _again = clients.admit(one, &limits, 3).expect("a place came free");
        assert!(clients.admit_total(3).is_none());
    }
}
