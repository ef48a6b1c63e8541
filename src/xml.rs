//! Writing XML (the Atom feeds, the sitemap, the WXR export) with a real
//! writer, every text and attribute value first cleared of the characters
//! XML 1.0 forbids, so no title, comment or id can make a file ill-formed.
//!
//! Not for HTML, nor for reading XML (`import` parses WXR).

use std::borrow::Cow;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use crate::scan;

/// An XML document being written into memory.
pub(crate) type Xml = Writer<Vec<u8>>;

const MEMORY: &str = "writing to memory cannot fail";

/// A document with its declaration, indented by `size` of `indent`.
pub(crate) fn document(encoding: &str, indent: u8, size: usize) -> Xml {
    let mut writer = Writer::new_with_indent(Vec::new(), indent, size);
    writer
        .write_event(Event::Decl(BytesDecl::new("1.0", Some(encoding), None)))
        .expect(MEMORY);
    writer
}

/// Whether XML 1.0 allows `c` in a document.
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `text` without the characters XML 1.0 forbids (most control characters,
/// U+FFFE and U+FFFF).
pub(crate) fn clean(text: &str) -> Cow<'_, str> {
    if has_forbidden(text) {
        Cow::Owned(text.chars().filter(|&c| allowed(c)).collect())
    } else {
        Cow::Borrowed(text)
    }
}

/// Whether `text` holds a character `allowed` refuses, told from its bytes
/// (a feed entry carries a whole article): a control character, or U+FFFE
/// or U+FFFF, which are `EF BF BE` and `EF BF BF`.
fn has_forbidden(text: &str) -> bool {
    let bytes = text.as_bytes();
    scan::any_byte(text, scan::is_control)
        || memchr::memmem::find_iter(bytes, b"\xEF\xBF")
            .any(|at| matches!(bytes.get(at + 2), Some(0xBE | 0xBF)))
}

/// `text` as XML or HTML text or attribute value: `&`, `<`, `>` and quotes
/// escaped by pulldown-cmark's escaper (16 bytes at a time: a feed entry
/// carries a whole article), and carriage returns, which a reader would
/// otherwise read as line feeds. The one escaper of text mend writes into
/// markup it makes itself (feeds, redirect pages, imported shortcodes, the
/// comment server's pages); templates escape through tera.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    pulldown_cmark_escape::escape_html(&mut out, text).expect(MEMORY);
    if out.contains('\r') {
        out = out.replace('\r', "&#13;");
    }
    out
}

/// `<name>text</name>`.
pub(crate) fn text(w: &mut Xml, name: &str, text: &str) {
    text_with(w, name, &[], text);
}

/// `<name a="…">text</name>`.
pub(crate) fn text_with(w: &mut Xml, name: &str, attributes: &[(&str, &str)], text: &str) {
    let attributes: Vec<(&str, Cow<str>)> =
        attributes.iter().map(|(k, v)| (*k, clean(v))).collect();
    w.create_element(name)
        .with_attributes(attributes.iter().map(|(k, v)| (*k, v.as_ref())))
        .write_text_content(BytesText::from_escaped(escape(&clean(text))))
        .expect(MEMORY);
}

/// `<name a="…"/>`.
pub(crate) fn empty(w: &mut Xml, name: &str, attributes: &[(&str, &str)]) {
    let attributes: Vec<(&str, Cow<str>)> =
        attributes.iter().map(|(k, v)| (*k, clean(v))).collect();
    w.create_element(name)
        .with_attributes(attributes.iter().map(|(k, v)| (*k, v.as_ref())))
        .write_empty()
        .expect(MEMORY);
}

/// `<name a="…">…</name>`, its content written by `inner`.
pub(crate) fn parent(
    w: &mut Xml,
    name: &str,
    attributes: &[(&str, &str)],
    inner: impl FnOnce(&mut Xml),
) {
    let attributes: Vec<(&str, Cow<str>)> =
        attributes.iter().map(|(k, v)| (*k, clean(v))).collect();
    w.create_element(name)
        .with_attributes(attributes.iter().map(|(k, v)| (*k, v.as_ref())))
        .write_inner_content(|w| {
            inner(w);
            Ok::<(), std::io::Error>(())
        })
        .expect(MEMORY);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters_are_removed() {
        assert_eq!(clean("plain ✓ 😀"), "plain ✓ 😀");
        assert!(matches!(clean("plain"), Cow::Borrowed(_)));
        for forbidden in ['\u{0}', '\u{1f}', '\u{FFFE}', '\u{FFFF}'] {
            let long = format!("{}{forbidden}", "x".repeat(100));
            assert_eq!(clean(&long), "x".repeat(100));
        }
        let allowed_all = "\u{7f}\u{D7FF}\u{E000}\u{FFFD}\u{10000}\u{10FFFF} ✓";
        assert!(matches!(clean(allowed_all), Cow::Borrowed(_)));
        assert_eq!(
            clean("a\u{0}b\u{1b}c\u{FFFE}d\u{FFFF}e\tf\ng\rh"),
            "abcde\tf\ng\rh"
        );
    }

    #[test]
    fn text_reads_back_as_written() {
        let written = "a <b> & \"c\" 'd'\r\ne\rf ✓";
        let mut w = document("utf-8", b' ', 2);
        text(&mut w, "content", written);
        let doc = String::from_utf8(w.into_inner()).unwrap();
        assert!(doc.contains("&#13;"), "{doc}");
        let parsed = roxmltree::Document::parse(&doc).unwrap();
        assert_eq!(parsed.root_element().text(), Some(written));
    }

    #[test]
    fn documents_stay_well_formed() {
        let mut w = document("utf-8", b' ', 2);
        parent(&mut w, "feed", &[("id", "x\u{1}y")], |w| {
            text(w, "title", "bad \u{FFFF} title <b>");
            empty(w, "link", &[("href", "https://e.example/?a=1&b=\u{0}2")]);
        });
        let bytes = w.into_inner();
        let doc = String::from_utf8(bytes).unwrap();
        let parsed = roxmltree::Document::parse(&doc).unwrap();
        let title = parsed
            .descendants()
            .find(|n| n.has_tag_name("title"))
            .unwrap();
        assert_eq!(title.text(), Some("bad  title <b>"));
    }
}
