//! What mend's mails say: each one as plain text and as simple HTML (every
//! value escaped), from the site's `[notify] from`, marked as sent by a
//! program (`Auto-Submitted`), so that mail servers send no vacation
//! replies back.
//!
//! Not for sending (`notify::outbox`) nor for who may be mailed
//! (`notify::subscribers`).

use lettre::Message;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};

use crate::xml::escape;

/// The parts of a mail that every kind has.
pub(crate) struct Letter<'a> {
    /// `[notify] from`.
    pub from: &'a str,
    pub to: &'a str,
    pub subject: String,
    /// Paragraphs; a line alone that is a web address is shown as a link.
    pub paragraphs: Vec<String>,
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
        let plain = self.paragraphs.join("\n\n") + "\n";
        let html = self
            .paragraphs
            .iter()
            .map(|p| {
                if is_link(p) {
                    format!("<p><a href=\"{0}\">{0}</a></p>", escape(p))
                } else {
                    format!("<p>{}</p>", escape(p).replace('\n', "<br>\n"))
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let html = format!("<!DOCTYPE html>\n<html><body>\n{html}\n</body></html>\n");
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject(&self.subject)
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Auto-Submitted"),
                "auto-generated".into(),
            ))
            .multipart(MultiPart::alternative_plain_html(plain, html))
            .map_err(|e| e.to_string())?;
        Ok(message.formatted())
    }
}

fn is_link(paragraph: &str) -> bool {
    (paragraph.starts_with("https://") || paragraph.starts_with("http://"))
        && !paragraph.contains(char::is_whitespace)
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
        paragraphs: vec![
            format!(
                "You asked {site} to email you when someone replies to your comment on “{article}”. To say yes, open this link within 7 days:"
            ),
            link.to_string(),
            format!(
                "If you did not ask, do nothing: this address will get no other mail from {site}."
            ),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_confirmation_is_plain_text_and_escaped_html() {
        let letter = confirmation(
            "Mending Hearts <comments@example.com>",
            "ana@example.com",
            "Mending Hearts",
            "Day 40 <b>",
            "https://example.com/comments/confirm?link=ab.cd",
        );
        let mail = String::from_utf8(letter.formatted().unwrap()).unwrap();
        let parsed = mailparse::parse_mail(mail.as_bytes()).unwrap();
        let header = |name: &str| {
            parsed
                .headers
                .iter()
                .find(|h| h.get_key().eq_ignore_ascii_case(name))
                .map(mailparse::MailHeader::get_value)
        };
        assert_eq!(header("To").as_deref(), Some("ana@example.com"));
        assert_eq!(header("Auto-Submitted").as_deref(), Some("auto-generated"));
        assert_eq!(
            header("Subject").as_deref(),
            Some("Confirm: replies to your comment on “Day 40 <b>”")
        );
        let plain = parsed.subparts[0].get_body().unwrap().replace("\r\n", "\n");
        assert!(
            plain.contains("\n\nhttps://example.com/comments/confirm?link=ab.cd\n\n"),
            "{plain}"
        );
        let html = parsed.subparts[1].get_body().unwrap();
        assert!(html.contains("“Day 40 &lt;b&gt;”"), "{html}");
        assert!(html.contains(
            "<a href=\"https://example.com/comments/confirm?link=ab.cd\">https://example.com/comments/confirm?link=ab.cd</a>"
        ));
    }
}
