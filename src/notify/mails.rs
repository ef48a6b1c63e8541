//! What mend's mails say: each one as plain text and as simple HTML (every
//! value escaped; a comment's HTML sanitized as on the page), from the
//! site's `[notify] from`, marked as sent by a program (`Auto-Submitted`)
//! so that mail servers send no vacation replies back. A mail to a reader
//! who follows a thread carries the link to leave it, in its text and in
//! the `List-Unsubscribe` and `List-Unsubscribe-Post` headers (RFC 8058:
//! one click, by the reader's mail program).
//!
//! Not for sending (`notify::outbox`) nor for who may be mailed
//! (`notify::subscribers`).

use lettre::Message;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};

use crate::xml::escape;

/// A piece of a mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Block {
    /// A paragraph of text.
    Text(String),
    /// A web address alone on its line; a link in the HTML.
    Link(String),
    /// Someone's words, quoted: as plain text, and as sanitized HTML.
    Quote { plain: String, html: String },
}

/// A whole mail, before it is written out.
pub(crate) struct Letter<'a> {
    /// `[notify] from`.
    pub from: &'a str,
    pub to: &'a str,
    pub subject: String,
    pub blocks: Vec<Block>,
    /// Where one click leaves what this mail is about (RFC 8058).
    pub unsubscribe: Option<String>,
}

impl Letter<'_> {
    /// The whole mail, ready for the outbox; a sentence if an address
    /// cannot be written in a mail.
    pub(crate) fn formatted(&self) -> Result<Vec<u8>, String> {
        let from: Mailbox = self
            .from
            .parse()
            .map_err(|_| format!("[notify] from `{}` is not a mail address", self.from))?;
        let to: Mailbox = self
            .to
            .parse()
            .map_err(|_| format!("`{}` is not a mail address", self.to))?;
        let mut builder = Message::builder()
            .from(from)
            .to(to)
            .subject(&self.subject)
            .raw_header(header("Auto-Submitted", "auto-generated"));
        if let Some(url) = &self.unsubscribe {
            builder = builder
                .raw_header(header("List-Unsubscribe", &format!("<{url}>")))
                .raw_header(header(
                    "List-Unsubscribe-Post",
                    "List-Unsubscribe=One-Click",
                ));
        }
        let message = builder
            .multipart(MultiPart::alternative_plain_html(self.plain(), self.html()))
            .map_err(|e| e.to_string())?;
        Ok(message.formatted())
    }

    fn plain(&self) -> String {
        let blocks: Vec<String> = self
            .blocks
            .iter()
            .map(|block| match block {
                Block::Text(text) | Block::Link(text) => text.clone(),
                Block::Quote { plain, .. } => plain
                    .lines()
                    .map(|line| format!("> {line}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            })
            .collect();
        blocks.join("\n\n") + "\n"
    }

    fn html(&self) -> String {
        let blocks: Vec<String> = self
            .blocks
            .iter()
            .map(|block| match block {
                Block::Text(text) => format!("<p>{}</p>", escape(text)),
                Block::Link(url) => format!("<p><a href=\"{0}\">{0}</a></p>", escape(url)),
                Block::Quote { html, .. } => format!(
                    "<blockquote style=\"margin:0 0 0 0.5em;padding-left:0.8em;border-left:3px solid #ccc\">{html}</blockquote>"
                ),
            })
            .collect();
        format!(
            "<!DOCTYPE html>\n<html><body>\n{}\n</body></html>\n",
            blocks.join("\n")
        )
    }
}

fn header(name: &'static str, value: &str) -> HeaderValue {
    HeaderValue::new(HeaderName::new_from_ascii_str(name), value.to_string())
}

/// The one mail that asks an address to confirm it wants replies by mail.
pub(crate) fn confirmation<'a>(
    from: &'a str,
    to: &'a str,
    site: &str,
    article: &str,
    link: &str,
) -> Letter<'a> {
    Letter {
        from,
        to,
        subject: format!("Confirm: replies to your comment on “{article}”"),
        blocks: vec![
            Block::Text(format!(
                "You asked {site} to email you when someone replies to your comment on “{article}”. To say yes, open this link within 7 days:"
            )),
            Block::Link(link.to_string()),
            Block::Text(format!(
                "If you did not ask, do nothing: this address will get no other mail from {site}."
            )),
        ],
        unsubscribe: None,
    }
}

/// A reply, as a notice shows it.
pub(crate) struct Reply {
    pub author: String,
    /// The comment as sanitized HTML, as on the page.
    pub html: String,
    /// Its address: `…/posts/x/#comment-ID`.
    pub link: String,
}

/// The mail that tells a reader of the replies published in a thread they
/// follow: all of them in one mail.
pub(crate) struct Notice<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub site: &'a str,
    pub article: &'a str,
    pub replies: &'a [Reply],
    /// Leaves this thread, in one click.
    pub leave_thread: String,
    /// The page that also offers to leave every thread of the site.
    pub leave_page: String,
}

impl Notice<'_> {
    pub(crate) fn letter(&self) -> Letter<'_> {
        let article = self.article;
        let subject = match self.replies {
            [one] => format!("{} replied on “{article}”", one.author),
            many => format!("{} new replies on “{article}”", many.len()),
        };
        let mut blocks = Vec::new();
        for reply in self.replies {
            blocks.push(Block::Text(format!("{} wrote:", reply.author)));
            blocks.push(Block::Quote {
                plain: crate::sanitize::plain_text(&reply.html),
                html: reply.html.clone(),
            });
            blocks.push(Block::Text("Read it and answer on the blog:".into()));
            blocks.push(Block::Link(reply.link.clone()));
        }
        blocks.push(Block::Text(format!(
            "You get this because you asked {} to email you replies to your comment on “{article}”. To stop them for this article, or for all of {}, open:",
            self.site, self.site
        )));
        blocks.push(Block::Link(self.leave_page.clone()));
        Letter {
            from: self.from,
            to: self.to,
            subject,
            blocks,
            unsubscribe: Some(self.leave_thread.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(letter: &Letter) -> (Vec<(String, String)>, String, String) {
        let mail = letter.formatted().unwrap();
        let parsed = mailparse::parse_mail(&mail).unwrap();
        let headers = parsed
            .headers
            .iter()
            .map(|h| (h.get_key(), h.get_value()))
            .collect();
        let body = |n: usize| parsed.subparts[n].get_body().unwrap().replace("\r\n", "\n");
        (headers, body(0), body(1))
    }

    fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn a_confirmation_is_plain_text_and_escaped_html() {
        let letter = confirmation(
            "Mending Hearts <comments@example.com>",
            "ana@example.com",
            "Mending Hearts",
            "Day 40 <b>",
            "https://example.com/comments/confirm?link=ab.cd",
        );
        let (headers, plain, html) = parsed(&letter);
        assert_eq!(header(&headers, "To"), Some("ana@example.com"));
        assert_eq!(header(&headers, "Auto-Submitted"), Some("auto-generated"));
        assert_eq!(
            header(&headers, "List-Unsubscribe"),
            None,
            "nothing to leave yet"
        );
        assert_eq!(
            header(&headers, "Subject"),
            Some("Confirm: replies to your comment on “Day 40 <b>”")
        );
        assert!(
            plain.contains("\n\nhttps://example.com/comments/confirm?link=ab.cd\n\n"),
            "{plain}"
        );
        assert!(html.contains("“Day 40 &lt;b&gt;”"), "{html}");
        assert!(html.contains(
            "<a href=\"https://example.com/comments/confirm?link=ab.cd\">https://example.com/comments/confirm?link=ab.cd</a>"
        ));
    }

    #[test]
    fn a_notice_quotes_every_reply_and_says_how_to_leave() {
        let replies = [
            Reply {
                author: "Zan".into(),
                html: "<p>Wait <em>one</em> more week.</p>".into(),
                link: "https://example.com/posts/x/#comment-r1".into(),
            },
            Reply {
                author: "Mo".into(),
                html: "<p>Same here.</p>".into(),
                link: "https://example.com/posts/x/#comment-r2".into(),
            },
        ];
        let notice = Notice {
            from: "Blog <b@example.com>",
            to: "ana@example.com",
            site: "Blog",
            article: "Day 40",
            replies: &replies,
            leave_thread: "https://example.com/comments/unsubscribe?link=a.b&thread=t".into(),
            leave_page: "https://example.com/comments/unsubscribe?link=a.b&thread=t".into(),
        };
        let (headers, plain, html) = parsed(&notice.letter());
        assert_eq!(
            header(&headers, "Subject"),
            Some("2 new replies on “Day 40”")
        );
        assert_eq!(
            header(&headers, "List-Unsubscribe"),
            Some("<https://example.com/comments/unsubscribe?link=a.b&thread=t>")
        );
        assert_eq!(
            header(&headers, "List-Unsubscribe-Post"),
            Some("List-Unsubscribe=One-Click")
        );
        assert!(plain.contains("Zan wrote:\n\n> Wait one more week.\n\nRead it and answer on the blog:\n\nhttps://example.com/posts/x/#comment-r1\n"), "{plain}");
        assert!(
            html.contains("<p>Wait <em>one</em> more week.</p></blockquote>"),
            "{html}"
        );
        let one = Notice {
            replies: &replies[..1],
            ..notice
        };
        let (headers, _, _) = parsed(&one.letter());
        assert_eq!(header(&headers, "Subject"), Some("Zan replied on “Day 40”"));
    }
}
