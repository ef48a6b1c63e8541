//! Checking what a reader sent, before it is stored: the article exists and
//! takes comments, the reply is to a comment shown on it, and every field
//! has a sane length and shape. Each refusal is a status and a sentence for
//! the reader.
//!
//! Not for storing (`comments::inbox`) nor for cleaning a body for display
//! (`sanitize`, when the page is built).

use serde::Deserialize;

use crate::sanitize::{clean_name, is_blank, is_web_url, strip_controls};

/// The fields of the comment form, as sent (form-encoded or JSON).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Form {
    /// The page's path: `posts/x/`.
    pub article: String,
    pub parent: String,
    pub author: String,
    pub email: String,
    pub url: String,
    pub body: String,
    /// The honeypot: hidden from people, filled by robots.
    pub fax: String,
    /// The box "Email me when someone replies": ticked when not empty.
    pub subscribe: String,
}

impl Form {
    /// Reads `application/x-www-form-urlencoded` bytes.
    pub(crate) fn from_urlencoded(bytes: &[u8]) -> Form {
        let mut form = Form::default();
        for (key, value) in url::form_urlencoded::parse(bytes) {
            let field = match key.as_ref() {
                "article" => &mut form.article,
                "parent" => &mut form.parent,
                "author" => &mut form.author,
                "email" => &mut form.email,
                "url" => &mut form.url,
                "body" => &mut form.body,
                "fax" => &mut form.fax,
                "subscribe" => &mut form.subscribe,
                _ => continue,
            };
            *field = value.into_owned();
        }
        form
    }

    /// Whether the reader ticked "Email me when someone replies".
    pub(crate) fn wants_replies(&self) -> bool {
        !self.subscribe.trim().is_empty()
    }

    /// Whether a robot filled the hidden field.
    pub(crate) fn is_robot(&self) -> bool {
        !self.fax.trim().is_empty()
    }
}

/// Why a submission is refused: the HTTP status and what the reader reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub status: u16,
    pub message: String,
}

pub(crate) fn refuse(status: u16, message: impl Into<String>) -> Refusal {
    Refusal {
        status,
        message: message.into(),
    }
}

/// The longest name accepted, in characters.
pub(crate) const MAX_NAME: usize = 100;
/// The longest email address, in bytes (RFC 5321).
pub(crate) const MAX_EMAIL: usize = 254;
/// The longest website address, in bytes.
pub(crate) const MAX_URL: usize = 2000;

/// Links a comment may hold unless `--max-links` says otherwise.
pub(crate) const MAX_LINKS: usize = 3;

/// The bounds a submission keeps to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bounds {
    pub max_bytes: usize,
    pub max_links: usize,
}

/// The checked fields of a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fields {
    pub parent: Option<String>,
    pub author: String,
    pub email: Option<String>,
    pub url: Option<String>,
    pub body: String,
}

/// Checks every field but the article, which the caller has found.
/// `shown` tells whether a comment id is approved on the article (a reply
/// must be to one).
pub(crate) fn fields(
    form: &Form,
    shown: impl Fn(&str) -> bool,
    bounds: Bounds,
) -> Result<Fields, Refusal> {
    let author = clean_name(&form.author);
    if is_blank(&author) || author.chars().count() > MAX_NAME {
        return Err(refuse(
            422,
            format!("Please give your name (at most {MAX_NAME} characters)."),
        ));
    }
    let body = strip_controls(form.body.as_str()).trim().to_string();
    if is_blank(&body) {
        return Err(refuse(422, "Your comment is empty."));
    }
    if body.len() > bounds.max_bytes {
        return Err(refuse(
            413,
            format!(
                "Your comment is {} bytes long; this blog takes comments of at most {} bytes. Please shorten it.",
                body.len(),
                bounds.max_bytes
            ),
        ));
    }
    let links = count_links(&body);
    if links > bounds.max_links {
        return Err(refuse(
            422,
            format!(
                "Your comment has {links} links; at most {} are allowed, to keep spam out.",
                bounds.max_links
            ),
        ));
    }
    Ok(Fields {
        parent: parent(form, shown)?,
        author,
        email: email(&form.email)?,
        url: website(&form.url)?,
        body,
    })
}

fn parent(form: &Form, shown: impl Fn(&str) -> bool) -> Result<Option<String>, Refusal> {
    let parent = form.parent.trim();
    if parent.is_empty() {
        return Ok(None);
    }
    if shown(parent) {
        Ok(Some(parent.to_string()))
    } else {
        Err(refuse(
            422,
            "The comment you are replying to is not on this article (it may have been removed).",
        ))
    }
}

fn email(text: &str) -> Result<Option<String>, Refusal> {
    let email = text.trim();
    if email.is_empty() {
        return Ok(None);
    }
    let shaped = email
        .split_once('@')
        .is_some_and(|(user, host)| !user.is_empty() && host.contains('.') && !host.contains('@'));
    if email.len() > MAX_EMAIL || !shaped || email.chars().any(char::is_whitespace) {
        return Err(refuse(
            422,
            "The email address does not look right; leave it empty if you prefer.",
        ));
    }
    Ok(Some(email.to_string()))
}

/// A website as given, with `https://` added to a bare `example.com`.
fn website(text: &str) -> Result<Option<String>, Refusal> {
    let url = text.trim();
    if url.is_empty() {
        return Ok(None);
    }
    let url = if url.contains("://") {
        url.to_string()
    } else {
        format!("https://{url}")
    };
    if url.len() > MAX_URL || !is_web_url(&url) {
        return Err(refuse(
            422,
            "The website must be an http:// or https:// address; leave it empty if you have none.",
        ));
    }
    Ok(Some(url))
}

/// How many links a body holds: each `http://`, `https://` or `www.`.
pub(crate) fn count_links(body: &str) -> usize {
    let lower = body.to_ascii_lowercase();
    lower.matches("http://").count()
        + lower.matches("https://").count()
        + lower
            .match_indices("www.")
            .filter(|(i, _)| !lower[..*i].ends_with("//"))
            .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOUNDS: Bounds = Bounds {
        max_bytes: 100,
        max_links: 2,
    };

    fn form(author: &str, body: &str) -> Form {
        Form {
            author: author.into(),
            body: body.into(),
            ..Form::default()
        }
    }

    #[test]
    fn links_are_counted_once_each() {
        assert_eq!(
            count_links("see https://www.a.example and www.b.example, HTTP://c"),
            3
        );
        assert_eq!(count_links("no links"), 0);
    }

    #[test]
    fn fields_are_checked() {
        let ok = fields(&form(" Ana ", "Hello\u{202e}"), |_| false, BOUNDS).unwrap();
        assert_eq!((ok.author.as_str(), ok.body.as_str()), ("Ana", "Hello"));
        let status = |f: Form| fields(&f, |_| false, BOUNDS).unwrap_err().status;
        assert_eq!(status(form("", "x")), 422);
        assert_eq!(status(form("A", "  ")), 422);
        // Cleaned first, then judged: nothing visible is nothing.
        for invisible in [
            "\u{1} \u{1}",
            "\u{200e} \u{200e}",
            "\u{200b}\u{feff}",
            "\u{202e}",
        ] {
            assert_eq!(status(form(invisible, "x")), 422, "{invisible:?}");
            assert_eq!(status(form("A", invisible)), 422, "{invisible:?}");
        }
        let forged = fields(&form("Ana\n2026 admin  approved", "x"), |_| false, BOUNDS).unwrap();
        assert_eq!(forged.author, "Ana 2026 admin approved");
        assert_eq!(status(form("A", &"x".repeat(101))), 413);
        assert_eq!(status(form("A", "http://a http://b http://c")), 422);
        let mut bad_url = form("A", "x");
        bad_url.url = "javascript:alert(1)".into();
        assert_eq!(status(bad_url), 422);
        let mut bare = form("A", "x");
        bare.url = "example.com/me".into();
        let checked = fields(&bare, |_| false, BOUNDS).unwrap();
        assert_eq!(checked.url.as_deref(), Some("https://example.com/me"));
        let mut parent = form("A", "x");
        parent.parent = "nope".into();
        assert_eq!(status(parent), 422);
    }

    #[test]
    fn each_bound_is_taken_up_to_its_limit_and_refused_past_it() {
        let status = |f: Form| {
            fields(&f, |_| false, BOUNDS)
                .map(|_| 200)
                .unwrap_or_else(|r| r.status)
        };
        let name = |n: usize| "é".repeat(n);
        assert_eq!(status(form(&name(MAX_NAME), "x")), 200);
        assert_eq!(status(form(&name(MAX_NAME + 1), "x")), 422);
        assert_eq!(status(form("A", &"x".repeat(100))), 200);
        assert_eq!(status(form("A", &"x".repeat(101))), 413);
        assert_eq!(status(form("A", "http://a http://b")), 200);
        assert_eq!(status(form("A", "http://a http://b http://c")), 422);
    }

    #[test]
    fn a_website_may_be_as_long_as_the_bound() {
        let site = |text: &str| {
            let mut f = form("A", "x");
            f.url = text.into();
            fields(&f, |_| false, BOUNDS).map(|f| f.url)
        };
        let longest = format!("https://a.example/{}", "p".repeat(MAX_URL - 18));
        assert_eq!(longest.len(), MAX_URL);
        assert_eq!(site(&longest).unwrap(), Some(longest.clone()));
        assert_eq!(site(&format!("{longest}p")).unwrap_err().status, 422);
    }

    #[test]
    fn an_email_must_look_like_one() {
        let email = |text: &str| {
            let mut f = form("A", "x");
            f.email = text.into();
            fields(&f, |_| false, BOUNDS).map(|f| f.email)
        };
        assert_eq!(email("  ").unwrap(), None);
        assert_eq!(
            email(" ana@mail.example ").unwrap().as_deref(),
            Some("ana@mail.example")
        );
        let longest = format!("{}@b.example", "a".repeat(MAX_EMAIL - 10));
        assert_eq!(longest.len(), MAX_EMAIL);
        assert!(email(&longest).is_ok());
        let too_long = format!("{}@b.example", "a".repeat(MAX_EMAIL - 9));
        for bad in [
            "ana",
            "@mail.example",
            "ana@localhost",
            "ana@mail@x.example",
            "an a@mail.example",
            "ana@mail.example\u{a0}x",
            too_long.as_str(),
        ] {
            assert_eq!(email(bad).unwrap_err().status, 422, "{bad}");
        }
    }

    #[test]
    fn form_encoding_is_read() {
        let form = Form::from_urlencoded(
            b"author=Ana+B&body=a%26b%0Ac&article=posts%2Fx%2F&other=1&parent=c7&email=a%40b.example&url=b.example&fax=",
        );
        assert_eq!(form.author, "Ana B");
        assert_eq!(form.parent, "c7");
        assert_eq!(form.email, "a@b.example");
        assert_eq!(form.url, "b.example");
        assert!(Form::from_urlencoded(b"fax=555").is_robot());
        assert_eq!(form.body, "a&b\nc");
        assert_eq!(form.article, "posts/x/");
        assert!(!form.is_robot());
    }
}
