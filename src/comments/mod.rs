//! Comments: reading `<name>.comments.toml` (or `comments.toml` in a page
//! bundle), checking every comment, and the model the rest of mend uses.
//!
//! Comment text is untrusted. This module only reads and checks it (with
//! the cleaning of plain text and addresses from `sanitize`); `thread`
//! arranges it for pages, with bodies made safe by `sanitize`, and `export`
//! writes it out again.
//!
//! Not for rendering (`render`) nor for deciding what HTML is safe
//! (`sanitize`).

pub(crate) mod inbox;
pub(crate) mod moderate;
pub(crate) mod thread;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::date::{Date, RawDate};
use crate::error::{CommentAt, CommentProblem, Error, Warning, read_text, toml_problem};
use crate::sanitize::{is_web_url, strip_controls};

/// Whether a comment is shown. Only approved comments are rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Approved,
    Pending,
    Spam,
}

impl Status {
    fn parse(text: &str) -> Option<Status> {
        match text {
            "approved" => Some(Status::Approved),
            "pending" => Some(Status::Pending),
            "spam" => Some(Status::Spam),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Approved => "approved",
            Status::Pending => "pending",
            Status::Spam => "spam",
        }
    }
}

/// What a comment is: a reader's comment, or a notice that another site
/// linked here (shown apart from the thread, as a mention).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CommentKind {
    Comment,
    Pingback,
    Trackback,
}

impl CommentKind {
    fn parse(text: &str) -> Option<CommentKind> {
        match text {
            "comment" => Some(CommentKind::Comment),
            "pingback" => Some(CommentKind::Pingback),
            "trackback" => Some(CommentKind::Trackback),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CommentKind::Comment => "comment",
            CommentKind::Pingback => "pingback",
            CommentKind::Trackback => "trackback",
        }
    }
}

/// Whether a page takes new comments at `now`: its front matter did not
/// close them, and it is younger than `comments_close_after_days` (0: no
/// age limit), as WordPress closes comments on old posts.
pub(crate) fn is_open(
    page: &crate::content::Page,
    close_after_days: u32,
    now: jiff::Timestamp,
) -> bool {
    Openness::of(page, close_after_days).is_open_at(now)
}

/// When a page stops taking comments, known without the time of asking:
/// a server keeps it and asks at each comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Openness {
    /// Its front matter closed them.
    Closed,
    /// No age limit, or no date to count from.
    Open,
    /// Open before this second (Unix time), closed from it on.
    Until(i64),
}

impl Openness {
    pub(crate) fn of(page: &crate::content::Page, close_after_days: u32) -> Openness {
        if !page.allows_comments {
            return Openness::Closed;
        }
        match (close_after_days, page.date) {
            (0, _) | (_, None) => Openness::Open,
            (days, Some(date)) => Openness::Until(
                date.timestamp
                    .as_second()
                    .saturating_add(i64::from(days) * 86_400),
            ),
        }
    }

    pub(crate) fn is_open_at(self, now: jiff::Timestamp) -> bool {
        match self {
            Openness::Closed => false,
            Openness::Open => true,
            Openness::Until(second) => now.as_second() < second,
        }
    }
}

/// One checked comment, as written (its body is still Markdown).
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    pub id: String,
    pub author: String,
    pub date: Date,
    pub body: String,
    pub parent: Option<String>,
    pub email: Option<String>,
    /// Only ever an http(s) URL; anything else is dropped with a warning.
    pub url: Option<String>,
    pub status: Status,
    pub by_author: bool,
    pub kind: CommentKind,
}

/// A comment file as written, before any check.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    comment: Vec<RawComment>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawComment {
    id: Option<String>,
    author: Option<String>,
    date: Option<RawDate>,
    body: Option<String>,
    parent: Option<String>,
    email: Option<String>,
    url: Option<String>,
    status: Option<String>,
    by_author: Option<bool>,
    kind: Option<String>,
}

/// The comments of one file, and what was worth a warning.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    pub comments: Vec<Comment>,
    pub warnings: Vec<Warning>,
}

/// Reads and checks one comment file, reporting every mistake in it; a body
/// longer than `max_bytes` is one.
pub(crate) fn load(path: &Path, max_bytes: usize) -> Result<Loaded, Error> {
    let text = read_text(path)?;
    parse(&text, path, max_bytes)
}

/// Checks the text of a comment file; `path` is only used in messages.
pub(crate) fn parse(text: &str, path: &Path, max_bytes: usize) -> Result<Loaded, Error> {
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let (line, message) = toml_problem(&e, text);
        Error::CommentSyntax {
            path: path.to_path_buf(),
            line,
            message,
        }
    })?;
    let lines = header_lines(text);
    let line_at = |k: usize| lines.get(k).copied().unwrap_or(1);
    // Ids are checked over every comment, even one with other mistakes, so
    // that one run reports everything.
    let ids: Vec<(Option<String>, usize)> = raw
        .comment
        .iter()
        .enumerate()
        .map(|(k, c)| (c.id.clone(), line_at(k)))
        .collect();
    let mut errors = duplicate_ids(&ids, path);
    let mut loaded = Loaded::default();
    let mut line_of_comment = Vec::new();
    for (k, raw) in raw.comment.into_iter().enumerate() {
        let at = CommentAt::new(path, line_at(k), raw.id.as_deref(), k);
        match check_comment(raw, &at, max_bytes, &mut loaded.warnings) {
            Ok(comment) => {
                loaded.comments.push(comment);
                line_of_comment.push(line_at(k));
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    let known: HashSet<&str> = ids.iter().filter_map(|(id, _)| id.as_deref()).collect();
    errors.extend(check_parents(
        &loaded.comments,
        &line_of_comment,
        &known,
        path,
    ));
    match Error::from_list(errors) {
        Some(error) => Err(error),
        None => Ok(loaded),
    }
}

fn duplicate_ids(ids: &[(Option<String>, usize)], path: &Path) -> Vec<Error> {
    let mut first_line: HashMap<&str, usize> = HashMap::new();
    let mut errors = Vec::new();
    for (id, line) in ids {
        let Some(id) = id.as_deref() else { continue };
        match first_line.get(id) {
            Some(&first) => errors.push(Error::Comment {
                at: CommentAt::new(path, *line, Some(id), 0),
                problem: CommentProblem::SameIdAs { first_line: first },
            }),
            None => {
                first_line.insert(id, *line);
            }
        }
    }
    errors
}

/// The line of each `[[comment]]` header, in order: a line that starts
/// one outside any string (a comment's text may hold such a line in a
/// multi-line string), found in one pass.
fn header_lines(text: &str) -> Vec<usize> {
    let has = |quotes: &str| memchr::memmem::find(text.as_bytes(), quotes.as_bytes()).is_some();
    // Most files have no multi-line string at all.
    let multi_line = has("\"\"\"") || has("'''");
    let mut lines = Vec::new();
    let mut open: Option<&str> = None;
    for (i, line) in text.lines().enumerate() {
        if open.is_none() && line.trim_start().starts_with("[[comment]]") {
            lines.push(i + 1);
            continue;
        }
        if multi_line {
            open = still_open(line, open);
        }
    }
    lines
}

/// Which multi-line string (`"""` or `'''`) is open after `line`, given
/// the one open before it. Only a line with three quotes in a row can open
/// or close one, and few do: the others are passed over at memchr's speed
/// (every comment file of a site is read at each build).
fn still_open<'a>(line: &str, open: Option<&'a str>) -> Option<&'a str> {
    let has = |quotes: &str| memchr::memmem::find(line.as_bytes(), quotes.as_bytes()).is_some();
    let may_change = match open {
        Some(quotes) => has(quotes),
        None => has("\"\"\"") || has("'''"),
    };
    if may_change {
        scan_open(line, open)
    } else {
        open
    }
}

/// `still_open`, character by character.
fn scan_open<'a>(line: &str, mut open: Option<&'a str>) -> Option<&'a str> {
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &line[i..];
        match open {
            Some(quotes) if rest.starts_with(quotes) => {
                open = None;
                i += 3;
            }
            Some("\"\"\"") if bytes[i] == b'\\' => i += 2,
            Some(_) => i += 1,
            None if rest.starts_with("\"\"\"") => {
                open = Some("\"\"\"");
                i += 3;
            }
            None if rest.starts_with("'''") => {
                open = Some("'''");
                i += 3;
            }
            None if bytes[i] == b'#' => break,
            None if bytes[i] == b'"' || bytes[i] == b'\'' => i += skip_string(&bytes[i..]),
            None => i += 1,
        }
    }
    open
}

/// The length of a one-line string at the start of `bytes`, quotes included.
fn skip_string(bytes: &[u8]) -> usize {
    let quote = bytes[0];
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b if b == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

fn check_comment(
    raw: RawComment,
    at: &CommentAt,
    max_bytes: usize,
    warnings: &mut Vec<Warning>,
) -> Result<Comment, Vec<Error>> {
    let mut errors = Vec::new();
    let mut problem = |problem| {
        errors.push(Error::Comment {
            at: at.clone(),
            problem,
        });
    };
    let mut require = |value: Option<String>, field: &'static str| {
        let value = value.filter(|v| !crate::sanitize::is_blank(v));
        if value.is_none() {
            problem(CommentProblem::MissingField(field));
        }
        value.unwrap_or_default()
    };
    let id = require(raw.id, "id");
    let author = require(raw.author.map(strip_controls), "author");
    let body = require(raw.body.map(strip_controls), "body");
    let date_text = require(raw.date.map(|d| d.text()), "date");
    if body.len() > max_bytes {
        problem(CommentProblem::TooLong {
            size: body.len(),
            max: max_bytes,
        });
    }
    let date = Date::parse(&date_text);
    if date.is_none() && !date_text.is_empty() {
        problem(CommentProblem::InvalidDate(date_text));
    }
    let status = match raw.status.as_deref() {
        None => Some(Status::Approved),
        Some(text) => Status::parse(text),
    };
    if status.is_none() {
        problem(CommentProblem::UnknownStatus(
            raw.status.unwrap_or_default(),
        ));
    }
    let kind = match raw.kind.as_deref() {
        None => Some(CommentKind::Comment),
        Some(text) => CommentKind::parse(text),
    };
    if kind.is_none() {
        problem(CommentProblem::UnknownKind(raw.kind.unwrap_or_default()));
    }
    let url = raw.url.filter(|u| !u.trim().is_empty()).and_then(|u| {
        if is_web_url(&u) {
            Some(u.trim().to_string())
        } else {
            warnings.push(Warning::CommentUrlLeftOut {
                at: at.clone(),
                url: u.clone(),
            });
            None
        }
    });
    match (date, status, kind, errors.is_empty()) {
        (Some(date), Some(status), Some(kind), true) => Ok(Comment {
            id,
            author,
            date,
            body,
            parent: raw.parent.filter(|p| !p.trim().is_empty()),
            email: raw.email.filter(|e| !e.trim().is_empty()),
            url,
            status,
            by_author: raw.by_author.unwrap_or(false),
            kind,
        }),
        _ => Err(errors),
    }
}

/// Replies to unknown comments, and reply cycles.
fn check_parents(
    comments: &[Comment],
    lines: &[usize],
    known: &HashSet<&str>,
    path: &Path,
) -> Vec<Error> {
    let mut errors = Vec::new();
    for (comment, &line) in comments.iter().zip(lines) {
        if let Some(parent) = comment.parent.as_deref()
            && !known.contains(parent)
        {
            errors.push(Error::Comment {
                at: CommentAt::new(path, line, Some(&comment.id), 0),
                problem: CommentProblem::UnknownParent(parent.to_string()),
            });
        }
    }
    for cycle in reply_cycles(comments) {
        let first = cycle.iter().copied().min().unwrap_or_default();
        let mut ids: Vec<&str> = cycle.iter().map(|&i| comments[i].id.as_str()).collect();
        ids.sort_unstable();
        errors.push(Error::ReplyCycle {
            path: path.to_path_buf(),
            line: lines[first],
            ids: ids
                .iter()
                .map(|id| format!("`{id}`"))
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    errors
}

/// Every circle of replies, each as the positions of its comments, in the
/// order of their first comment; each comment is visited once.
fn reply_cycles(comments: &[Comment]) -> Vec<Vec<usize>> {
    let index: HashMap<&str, usize> = comments
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let parent = |i: usize| {
        comments[i]
            .parent
            .as_deref()
            .and_then(|p| index.get(p).copied())
    };
    // The walk that first reached each comment, from 1.
    let mut reached_by = vec![0usize; comments.len()];
    let mut cycles = Vec::new();
    for start in 0..comments.len() {
        if reached_by[start] != 0 {
            continue;
        }
        let walk = start + 1;
        let mut path = Vec::new();
        let mut current = Some(start);
        while let Some(i) = current {
            if reached_by[i] == walk {
                let from = path.iter().position(|&j| j == i).unwrap_or(0);
                cycles.push(path[from..].to_vec());
                break;
            }
            if reached_by[i] != 0 {
                break; // joins a chain already walked
            }
            reached_by[i] = walk;
            path.push(i);
            current = parent(i);
        }
    }
    cycles.sort_by_key(|c| c.iter().copied().min());
    cycles
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_inside_a_string_is_not_a_comment() {
        let text = r#"[[comment]]
id = "a"
body = """
quoted:
[[comment]]
still \""" inside
end"""

[[comment]]
id = "b" # [[comment]]
body = '''
[[comment]]'''
author = "it's \" x"
[[comment]]
"#;
        assert_eq!(header_lines(text), [1, 9, 14]);
    }

    fn errors_of(text: &str) -> Vec<String> {
        match parse(text, Path::new("x.comments.toml"), MAX) {
            Ok(_) => vec![],
            Err(Error::Several(errors)) => errors.iter().map(ToString::to_string).collect(),
            Err(error) => vec![error.to_string()],
        }
    }

    const MAX: usize = 20_000;

    const OK: &str =
        "[[comment]]\nid = \"c1\"\nauthor = \"A\"\ndate = 2024-02-27T07:10:00Z\nbody = \"Hi\"\n";

    #[test]
    fn a_valid_file_loads() {
        let loaded = parse(OK, Path::new("x"), MAX).unwrap();
        assert_eq!(loaded.comments[0].status, Status::Approved);
        assert!(!loaded.comments[0].by_author);
    }

    #[test]
    fn cycles_are_found_once() {
        let text = "[[comment]]\nid = \"a\"\nauthor = \"A\"\ndate = 2024-01-01T00:00:00Z\nbody = \"x\"\nparent = \"b\"\n\
                    [[comment]]\nid = \"b\"\nauthor = \"B\"\ndate = 2024-01-01T00:00:00Z\nbody = \"y\"\nparent = \"a\"\n\
                    [[comment]]\nid = \"c\"\nauthor = \"C\"\ndate = 2024-01-01T00:00:00Z\nbody = \"z\"\nparent = \"a\"\n";
        let errors = errors_of(text);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("`a`, `b`"), "{errors:?}");
    }
}
