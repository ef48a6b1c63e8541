//! What the comment server answers a reader: a redirect back to the
//! article or a page that says what to fix, for a person sending the plain
//! form; JSON for the theme's script. Where the article is known, the page
//! is the theme's (`comment-refused.html`, rendered by `Intake::refused_to`);
//! `page` here is the plain one for the rest, written in English, as every
//! sentence the server says is, so it says `lang="en"`.
//!
//! Not for deciding whether a comment is taken (`check`, `super`).

use serde::Serialize;

use super::check::Refusal;
use crate::server::Response;
use crate::xml::escape;

/// How a request wants its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reader {
    /// A browser sending the plain form: redirects and pages.
    Person,
    /// A script: JSON.
    Script,
}

#[derive(Serialize)]
struct Accepted<'a> {
    id: &'a str,
    status: &'static str,
    message: &'static str,
}

/// What a reader is told once their comment is safe.
pub(super) const THANKS: &str = "Thank you! Your comment is awaiting moderation.";

pub(super) fn json(status: u16, value: &impl Serialize) -> Response {
    let body = serde_json::to_vec(value).expect("plain data serializes");
    Response::new(status, "application/json", body).with_header("Cache-Control", "no-store")
}

pub(super) fn accepted(reader: Reader, id: &str, permalink: &str) -> Response {
    match reader {
        Reader::Script => json(
            201,
            &Accepted {
                id,
                status: "pending",
                message: THANKS,
            },
        ),
        Reader::Person => {
            Response::new(303, "text/plain; charset=utf-8", THANKS.as_bytes().to_vec())
                .with_header("Location", &format!("{permalink}#comment-sent"))
                .with_header("Cache-Control", "no-store")
        }
    }
}

pub(super) fn refused(reader: Reader, refusal: &Refusal, back: Option<&str>) -> Response {
    match reader {
        Reader::Script => json(
            refusal.status,
            &serde_json::json!({ "error": refusal.message }),
        ),
        Reader::Person => page(refusal.status, refusal, back),
    }
}

/// A small plain page that tells a person why their comment was not
/// taken, where no article gives the site's look.
pub(super) fn page(status: u16, refusal: &Refusal, back: Option<&str>) -> Response {
    let link = back.map_or_else(String::new, |url| {
        format!(
            "<p><a href=\"{}#respond\">← Back to the article</a> (your browser's Back button keeps what you typed)</p>\n",
            escape(url)
        )
    });
    plain(
        status,
        "Your comment was not sent",
        &format!("<p>{}</p>\n{link}", escape(&refusal.message)),
    )
}

/// A form of one button, posting hidden fields.
pub(super) struct Button<'a> {
    pub action: &'a str,
    pub fields: &'a [(&'a str, &'a str)],
    pub label: &'a str,
}

/// A small plain page: a heading, sentences, and buttons (every value
/// escaped).
pub(super) fn plain_page(
    status: u16,
    heading: &str,
    sentences: &[&str],
    buttons: &[&Button],
) -> Response {
    let mut body: String = sentences
        .iter()
        .map(|s| format!("<p>{}</p>\n", escape(s)))
        .collect();
    for button in buttons {
        body.push_str(&format!(
            "<form method=\"post\" action=\"{}\">\n",
            escape(button.action)
        ));
        for (name, value) in button.fields {
            body.push_str(&format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
                escape(name),
                escape(value)
            ));
        }
        body.push_str(&format!(
            "<button type=\"submit\">{}</button>\n</form>\n",
            escape(button.label)
        ));
    }
    plain(status, heading, &body)
}

/// The page around `body` (HTML), titled `heading`.
fn plain(status: u16, heading: &str, body: &str) -> Response {
    let heading = escape(heading);
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"robots\" content=\"noindex\">\n<title>{heading}</title>\n</head>\n<body>\n\
         <h1>{heading}</h1>\n{body}</body>\n</html>\n"
    );
    Response::new(status, "text/html; charset=utf-8", html.into_bytes())
        .with_header("Cache-Control", "no-store")
}
