//! The one error type of mend: a variant per mistake a user can make, each
//! rendered as a sentence that names the file (and line) and what to do.
//!
//! `Warning` is the same for what does not stop a build: a variant per
//! thing worth telling, collected on the `Site`.
//!
//! Not for printing: `main` and `cli` decide where messages go.

use std::io;
use std::path::{Path, PathBuf};

/// Every way a command can fail.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: cannot read this file: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },

    #[error("{}: cannot list this folder: {source}", path.display())]
    ReadDir { path: PathBuf, source: io::Error },

    #[error("{}: is not UTF-8 text; save it with UTF-8 encoding", path.display())]
    NotUtf8 { path: PathBuf },

    #[error("{}: cannot write: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },

    #[error("{}: no site.toml here; run `mend init DIR` to start a site, or pass --root", path.display())]
    NoSite { path: PathBuf },

    #[error("{}:{line}: {message}", path.display())]
    Config {
        path: PathBuf,
        line: usize,
        message: String,
    },

    #[error("{}:{line}: bad front matter: {message}", path.display())]
    FrontMatter {
        path: PathBuf,
        line: usize,
        message: String,
    },

    #[error(
        "{}: front matter has no `{field}`; add it between the `+++` (or `---`) lines",
        path.display()
    )]
    MissingField { path: PathBuf, field: &'static str },

    #[error(
        "{}:{line}: `{value}` is not a valid {field}; write a date like 2024-02-27 or an RFC 3339 datetime like 2024-02-27T10:00:00Z",
        path.display()
    )]
    InvalidDate {
        path: PathBuf,
        line: usize,
        field: &'static str,
        value: String,
    },

    #[error("{}:{line}: {message}", path.display())]
    InvalidValue {
        path: PathBuf,
        line: usize,
        message: String,
    },

    #[error(
        "{first} and {second} both produce the URL {url}; change the `slug` or `aliases` of the article or page"
    )]
    DuplicateUrl {
        url: String,
        first: String,
        second: String,
    },

    #[error(
        "{file_origin} writes the file /{file}, but {folder_origin} needs a folder of that name; rename one of them"
    )]
    PathClash {
        file: String,
        file_origin: String,
        folder_origin: String,
    },

    #[error(
        "{}: theme `{name}` not found: there is no folder {}; use `default` or add the theme there",
        config.display(),
        folder.display()
    )]
    UnknownTheme {
        config: PathBuf,
        name: String,
        folder: PathBuf,
    },

    #[error(
        "template `{name}` ({origin}){}: {message}",
        rendering.as_ref().map(|what| format!(", rendering {what}")).unwrap_or_default()
    )]
    Template {
        name: String,
        origin: String,
        /// The page being rendered when it failed.
        rendering: Option<String>,
        message: String,
    },

    #[error(
        "{at}: links to `{link}`, which is not a page or file of this site; correct the address, or remove the link"
    )]
    BrokenLink { at: Location, link: String },

    #[error("refusing to write the site into {}: {reason}; pass another --output", path.display())]
    UnsafeOutput { path: PathBuf, reason: &'static str },

    #[error(
        "{}: holds files mend did not write ({examples}); mend never deletes them, so it does not build into this folder: empty it, choose another --output, or pass --force to build beside them (they are kept)",
        path.display()
    )]
    ForeignOutput { path: PathBuf, examples: String },

    #[error(
        "{}: another build of this site is running (it holds {}); wait for it to finish and build again",
        path.display(),
        lock.display()
    )]
    BuildRunning { path: PathBuf, lock: PathBuf },

    #[error(
        "{}: cannot write: {source}; {} was left as it was (a build needs free space for a second copy of the files it changes)",
        path.display(),
        output.display()
    )]
    OutputWrite {
        path: PathBuf,
        source: io::Error,
        output: PathBuf,
    },

    #[error(
        "{}: is a link to {}, outside the site; mend publishes only what is inside the site's folder: copy the file in, or remove the link",
        path.display(),
        target.display()
    )]
    LinkOutsideSite { path: PathBuf, target: PathBuf },

    #[error(
        "the title `{title}` has no letters or digits to make a file name from; give the article a title with words in it"
    )]
    UnusableTitle { title: String },

    #[error("{} already exists; remove it first or choose another name", path.display())]
    AlreadyExists { path: PathBuf },

    #[error("the built-in theme has no template `{name}`; its templates are {known}")]
    UnknownTemplate { name: String, known: String },

    #[error("{}:{line}: bad inbox file: {message}; fix it, or delete the file to drop that comment", path.display())]
    InboxFile {
        path: PathBuf,
        line: usize,
        message: String,
    },

    #[error("no pending comment `{id}` in {}; `mend comments inbox` lists them", inbox.display())]
    NotInInbox { id: String, inbox: PathBuf },

    #[error(
        "comment `{id}` replies to `{parent}`, which is still waiting in the inbox; approve `{parent}` first, or both together"
    )]
    ParentPending { id: String, parent: String },

    #[error(
        "comment `{id}` is for {article}, which is not an article of this site any more; delete it with `mend comments delete {id}`"
    )]
    ArticleGone { id: String, article: String },

    #[error(
        "--article {article} is not an article of this site; give its Markdown file from the site's root, such as --article content/posts/no-contact.md"
    )]
    NotAnArticle { article: String },

    #[error(
        "no comment `{id}` in the inbox or in any comment file; `mend comments inbox` lists pending ones, and ids are shown in a comment's link (#comment-ID)"
    )]
    CommentNotFound { id: String },

    #[error(
        "comment `{id}` is in several comment files ({files}); name its article with --article"
    )]
    CommentIdAmbiguous { id: String, files: String },

    #[error("the reply is empty; nothing was written")]
    EmptyReply,

    #[error("the site has several authors ({keys}); choose who replies with --as KEY")]
    ChooseReplyAuthor { keys: String },

    #[error("no author `{key}` under [authors] in site.toml (known: {keys})")]
    UnknownReplyAuthor { key: String, keys: String },

    #[error(
        "cannot run the editor `{command}`: {message}; set $EDITOR, or pass the reply with --body"
    )]
    Editor { command: String, message: String },

    #[error("cannot pull comments from {url}: {message}")]
    Pull { url: String, message: String },

    /// A mistake in one comment of a comment file.
    #[error("{at} {problem}")]
    Comment {
        at: CommentAt,
        problem: CommentProblem,
    },

    #[error("{}:{line}: bad comment file: {message}", path.display())]
    CommentSyntax {
        path: PathBuf,
        line: usize,
        message: String,
    },

    #[error(
        "{}:{line}: comments {ids} reply to each other in a circle; give one of them another `parent`",
        path.display()
    )]
    ReplyCycle {
        path: PathBuf,
        line: usize,
        ids: String,
    },

    #[error(
        "{}: these comments belong to {}, which does not exist; rename the file to match its article",
        path.display(),
        article.display()
    )]
    OrphanComments { path: PathBuf, article: PathBuf },

    #[error("{}: {message}", path.display())]
    Import { path: PathBuf, message: String },

    #[error("{message}")]
    Serve { message: String },

    #[error("{message}")]
    Mail { message: String },

    #[error("mend hit an internal error while {what} (a bug: please report it)")]
    Internal { what: &'static str },

    #[error("{}", list(.0))]
    Several(Vec<Error>),
}

impl Error {
    /// One error, or all of them when there are several.
    pub fn from_list(mut errors: Vec<Error>) -> Option<Error> {
        match errors.len() {
            0 => None,
            1 => errors.pop(),
            _ => Some(Error::Several(errors)),
        }
    }

    /// The error, saying which file was being rendered when it happened.
    pub fn while_rendering(self, what: impl FnOnce() -> String) -> Error {
        match self {
            Error::Template {
                name,
                origin,
                rendering: None,
                message,
            } => Error::Template {
                name,
                origin,
                rendering: Some(what()),
                message,
            },
            other => other,
        }
    }

    /// How many distinct mistakes this error reports.
    pub fn count(&self) -> usize {
        match self {
            Error::Several(list) => list.iter().map(Error::count).sum(),
            _ => 1,
        }
    }
}

fn list(errors: &[Error]) -> String {
    let lines: Vec<String> = errors.iter().map(|e| format!("error: {e}")).collect();
    lines.join("\n").trim_start_matches("error: ").to_string()
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A place in a file: `FILE:LINE`, or `FILE` when the line is not known.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Location {
    pub path: PathBuf,
    pub line: Option<usize>,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.path.display()),
            None => write!(f, "{}", self.path.display()),
        }
    }
}

/// Where a mistake in a comment file is: the file, the line of the
/// comment's `[[comment]]` header, and the comment (its id, or its number in
/// the file when it has none). Written `FILE:LINE: comment ID`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CommentAt {
    pub path: PathBuf,
    pub line: usize,
    /// `` `c7` ``, or `number 3`.
    pub label: String,
}

impl CommentAt {
    /// The place of the comment at `index` (from 0) of a file, with its id.
    pub fn new(path: &Path, line: usize, id: Option<&str>, index: usize) -> CommentAt {
        CommentAt {
            path: path.to_path_buf(),
            line,
            label: match id {
                Some(id) => format!("`{id}`"),
                None => format!("number {}", index + 1),
            },
        }
    }
}

impl std::fmt::Display for CommentAt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: comment {}",
            self.path.display(),
            self.line,
            self.label
        )
    }
}

/// What is wrong with one comment, said after where it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommentProblem {
    #[error("has no `{0}`; every comment needs id, author, date and body")]
    MissingField(&'static str),

    #[error(
        "is {size} bytes long, more than comments_max_bytes ({max}); shorten it, or raise comments_max_bytes in site.toml"
    )]
    TooLong { size: usize, max: usize },

    #[error(
        "has the same id as the comment on line {first_line}; ids must be unique within an article"
    )]
    SameIdAs { first_line: usize },

    #[error("replies to `{0}`, which is not a comment of this article")]
    UnknownParent(String),

    #[error("has the date `{0}`; write an RFC 3339 datetime like 2024-02-27T07:10:00Z")]
    InvalidDate(String),

    #[error("has the status `{0}`; use approved, pending or spam")]
    UnknownStatus(String),

    #[error("has the kind `{0}`; use comment, pingback or trackback")]
    UnknownKind(String),
}

/// Everything worth telling the user that does not stop a build.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
pub enum Warning {
    #[error(
        "tags `{first}` and `{other}` both become /{path}; they are merged into one tag ({})",
        article.display()
    )]
    MergedTags {
        first: String,
        other: String,
        path: String,
        article: PathBuf,
    },

    #[error(
        "{}: tag `{name}` has no letters or digits to make a URL from; it is left out",
        article.display()
    )]
    EmptyTag { name: String, article: PathBuf },

    #[error(
        "{at} has the url `{}`, which is not a plain http(s) address; it is left out",
        url.escape_debug()
    )]
    CommentUrlLeftOut { at: CommentAt, url: String },

    #[error(
        "{at}: links to `{link}`, which is not a page or file of this site; correct the address, or remove the link"
    )]
    BrokenLink { at: Location, link: String },

    #[error(
        "{}: {message}; the search index of the next build reads every page again",
        path.display()
    )]
    SearchCacheNotKept { path: PathBuf, message: String },

    #[error(
        "{}: {reason}; it is published as it is, without smaller copies: open it in an image viewer, and save it again or replace it",
        path.display()
    )]
    ImageUnreadable { path: PathBuf, reason: String },

    #[error(
        "{}: {width} × {height} pixels is more than the {} megapixels mend resizes; it is published without smaller copies: save it at 8,000 pixels wide or less",
        path.display(),
        crate::images::MAX_PIXELS / 1_000_000
    )]
    ImageTooLarge {
        path: PathBuf,
        width: u32,
        height: u32,
    },

    #[error(
        "{}: holds the GPS position where it was taken, and images.keep_metadata in site.toml publishes it: take the image out of keep_metadata unless readers should know the place",
        path.display()
    )]
    ImageGpsPublished { path: PathBuf },

    #[error(
        "{}: holds the GPS position where it was taken; the published image leaves it out (with all its metadata)",
        path.display()
    )]
    ImageHasGps { path: PathBuf },

    #[error(
        "{}: {message}; the next build reads every image again",
        path.display()
    )]
    ImageCacheNotKept { path: PathBuf, message: String },

    #[error(
        "{}: {message}; the next build highlights every code block again",
        path.display()
    )]
    HighlightCacheNotKept { path: PathBuf, message: String },
}

/// Turns a byte offset into a 1-based line number.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Where a TOML text went wrong: the 1-based line within `text`, and the
/// parser's message.
pub(crate) fn toml_problem(error: &toml::de::Error, text: &str) -> (usize, String) {
    let line = error.span().map_or(1, |s| line_of(text, s.start));
    let message = error.message().trim();
    let remedy = toml_remedy(message, text, line).unwrap_or_default();
    (line, format!("{message}{remedy}"))
}

/// What to write instead, with an example, for the TOML mistakes a writer
/// makes most: a list written as one text, a number or a yes/no in quotes,
/// a date or a text without them, a list left open.
fn toml_remedy(message: &str, text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let key_on = |n: usize| -> Option<&str> {
        let (key, _) = lines.get(n.checked_sub(1)?)?.split_once('=')?;
        Some(key.trim()).filter(|k| !k.is_empty())
    };
    if let Some(rest) = message.strip_prefix("invalid type: string ") {
        let (value, expected) = rest.split_once(", expected ")?;
        let value = value.trim_matches('"');
        let key = key_on(line)?;
        return match expected {
            "a sequence" => Some(format!("; write a list in brackets: {key} = [\"{value}\"]")),
            "a boolean" => Some(format!(
                "; write true or false, without quotes: {key} = true"
            )),
            e if e.starts_with('u') || e.starts_with('i') || e.contains("integer") => Some(
                format!("; write the number without quotes: {key} = {value}"),
            ),
            _ => None,
        };
    }
    if message.starts_with("string values must be quoted") {
        let key = key_on(line)?;
        return Some(if matches!(key, "date" | "updated") {
            format!(
                "; write a date with dashes and no quotes: {key} = 2026-12-05 (or 2026-12-05T09:30:00Z)"
            )
        } else {
            format!("; put the text in quotes: {key} = \"…\"")
        });
    }
    let unclosed = message.contains("expected `,`") || message.contains("expected `]`");
    let opened = (1..line).rev().find(|&n| {
        let l = lines.get(n - 1).copied().unwrap_or_default();
        l.contains('[') && !l.contains(']')
    });
    // The line number is the caller's to place (front matter starts below
    // its fence), so the list is named by its key.
    match (unclosed, opened.and_then(key_on)) {
        (true, Some(key)) => Some(format!(
            "; the list `{key}` above is not closed: end it with ]"
        )),
        _ => None,
    }
}

/// A folder walk that failed, as the user's mistake: the path it stopped at.
pub(crate) fn walk_error(error: walkdir::Error, walked: &Path) -> Error {
    Error::ReadDir {
        path: error.path().unwrap_or(walked).to_path_buf(),
        source: error
            .into_io_error()
            .unwrap_or_else(|| io::Error::other("a loop of links")),
    }
}

/// Reads a UTF-8 text file, with the errors a user can act on.
pub(crate) fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    String::from_utf8(bytes).map_err(|_| Error::NotUtf8 {
        path: path.to_path_buf(),
    })
}
