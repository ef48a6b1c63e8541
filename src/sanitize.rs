//! Where untrusted text is made safe, all of it: comment bodies (Markdown
//! to HTML, then cleaned), the HTML of imported posts and comments, names
//! and other plain text (control characters and direction marks removed),
//! and the web addresses commenters give. Every cleaning of HTML goes
//! through ammonia, with one allow-list for comments and one for posts.
//!
//! Not for escaping what templates print (Tera does that) nor for XML
//! (`xml`).

use std::borrow::Cow;
use std::sync::LazyLock;

use crate::scan;

/// The `rel` of every link a commenter wrote.
pub(crate) const LINK_REL: &str = "nofollow ugc noopener";

/// The only HTML a comment may contain once rendered (and all an imported
/// comment keeps).
static COMMENT_HTML: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::empty();
    builder
        .add_tags([
            "p",
            "br",
            "em",
            "strong",
            "del",
            "a",
            "ul",
            "ol",
            "li",
            "blockquote",
            "code",
            "pre",
        ])
        .add_tag_attributes("a", ["href"])
        .url_schemes(["http", "https", "mailto"].into())
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some(LINK_REL))
        .clean_content_tags(["script", "style"].into());
    builder
});

/// How deeply the elements of a comment body may nest: quotes within quotes
/// or lists within lists deeper than this are flattened, so a hostile body
/// cannot make the HTML sanitizer's work grow with the square of its size.
const MAX_NESTING: usize = 16;

/// How many tags a body's own HTML may hold; past that it is shown as text,
/// for the same reason as `MAX_NESTING` (a real comment has a few).
const MAX_RAW_TAGS: usize = 1_000;

/// A comment body as the site shows it: Markdown to HTML (with the
/// articles' curly quotes and dashes, and bare web addresses made links),
/// then everything not on the allow-list removed (no images, iframes,
/// styles, event attributes or odd schemes). A link to a path of the site
/// (`/posts/x/`) is made absolute with `site`, the site's address (its
/// `base_url`), so it leads there from the page, the feeds and the
/// exports alike; other relative links are dropped.
pub(crate) fn comment_body(markdown: &str, site: &str) -> String {
    render_comment(
        markdown,
        site,
        pulldown_cmark::Options::ENABLE_STRIKETHROUGH
            | pulldown_cmark::Options::ENABLE_SMART_PUNCTUATION,
    )
}

/// A comment body for an export: cleaned the same way, but with the
/// characters its writer typed (straight quotes stay straight).
pub(crate) fn comment_body_as_typed(markdown: &str, site: &str) -> String {
    render_comment(
        markdown,
        site,
        pulldown_cmark::Options::ENABLE_STRIKETHROUGH,
    )
}

fn render_comment(markdown: &str, site: &str, options: pulldown_cmark::Options) -> String {
    use pulldown_cmark::Event;
    let parse = || pulldown_cmark::Parser::new_ext(markdown, options);
    // A body with few `<` cannot hold many tags: only a long one is counted.
    let flood = markdown.matches('<').count() > MAX_RAW_TAGS
        && parse()
            .map(|e| match e {
                Event::Html(html) | Event::InlineHtml(html) => html.matches('<').count(),
                _ => 0,
            })
            .sum::<usize>()
            > MAX_RAW_TAGS;
    let mut depth = 0usize;
    let bounded = parse().filter_map(move |event| match event {
        Event::Start(_) => {
            depth += 1;
            (depth <= MAX_NESTING).then_some(event)
        }
        Event::End(_) => {
            depth -= 1;
            (depth < MAX_NESTING).then_some(event)
        }
        Event::Html(html) | Event::InlineHtml(html) if flood => Some(Event::Text(html)),
        other => Some(other),
    });
    let site = site.trim_end_matches('/');
    let resolved = bounded.map(move |event| match event {
        Event::Start(pulldown_cmark::Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) if dest_url.starts_with('/') && !dest_url.starts_with("//") => {
            Event::Start(pulldown_cmark::Tag::Link {
                link_type,
                dest_url: format!("{site}{dest_url}").into(),
                title,
                id,
            })
        }
        other => other,
    });
    let mut html = String::with_capacity(markdown.len() + markdown.len() / 4);
    pulldown_cmark::html::push_html(&mut html, autolinked(resolved));
    COMMENT_HTML.clean(&html).to_string()
}

/// Makes each bare http(s) address in the text a link, outside links and
/// code. `linkify` finds the addresses (in one pass, minding the punctuation
/// around them); ammonia still judges every link made.
fn autolinked<'a>(
    events: impl Iterator<Item = pulldown_cmark::Event<'a>>,
) -> impl Iterator<Item = pulldown_cmark::Event<'a>> {
    use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};
    // Most events pass as they are, without a list of their own.
    let one = |event| Some(event).into_iter().chain(Vec::new());
    let mut finder = linkify::LinkFinder::new();
    finder.kinds(&[linkify::LinkKind::Url]);
    let mut inside = 0usize;
    events.flat_map(move |event| match event {
        Event::Start(Tag::Link { .. } | Tag::CodeBlock(_)) => {
            inside += 1;
            one(event)
        }
        Event::End(TagEnd::Link | TagEnd::CodeBlock) => {
            inside = inside.saturating_sub(1);
            one(event)
        }
        Event::Text(text) if inside == 0 && text.contains("://") => {
            let mut out = Vec::new();
            for span in finder.spans(&text) {
                let piece: CowStr<'a> = span.as_str().to_string().into();
                match span.kind() {
                    Some(linkify::LinkKind::Url) if is_web_url(span.as_str()) => {
                        out.push(Event::Start(Tag::Link {
                            link_type: LinkType::Autolink,
                            dest_url: piece.clone(),
                            title: "".into(),
                            id: "".into(),
                        }));
                        out.push(Event::Text(piece));
                        out.push(Event::End(TagEnd::Link));
                    }
                    _ => out.push(Event::Text(piece)),
                }
            }
            None.into_iter().chain(out)
        }
        other => one(other),
    })
}

/// The classes an imported figure keeps: WordPress's alignments, and the
/// gallery mend makes of `[gallery]`, with its columns.
const FIGURE_CLASSES: [&str; 14] = [
    "alignleft",
    "alignright",
    "aligncenter",
    "alignnone",
    "gallery",
    "gallery-columns-1",
    "gallery-columns-2",
    "gallery-columns-3",
    "gallery-columns-4",
    "gallery-columns-5",
    "gallery-columns-6",
    "gallery-columns-7",
    "gallery-columns-8",
    "gallery-columns-9",
];

/// What an imported article's HTML may keep: the ordinary elements of
/// writing, with no scripts, styles, frames or event attributes.
fn post_builder() -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    builder
        .url_schemes(["http", "https", "mailto"].into())
        .add_allowed_classes("figure", FIGURE_CLASSES);
    builder
}

/// The text of some HTML, with no markup left, on one line: for
/// descriptions.
pub(crate) fn plain_text(html: &str) -> String {
    plain_code(html)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text of HTML that mend rendered itself (search weighs it for every
/// page, so it is scanned, not parsed): tags left out, the entities
/// pulldown-cmark and `xml::escape` write turned back into characters. For HTML from
/// anywhere else, `plain_text`.
pub(crate) fn rendered_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(['<', '&']) {
        text.push_str(&rest[..at]);
        rest = &rest[at..];
        if rest.starts_with('<') {
            text.push(' ');
            rest = rest.find('>').map_or("", |end| &rest[end + 1..]);
        } else {
            let (entity, len) = [
                ("&amp;", '&'),
                ("&lt;", '<'),
                ("&gt;", '>'),
                ("&quot;", '"'),
                ("&#39;", '\''),
            ]
            .into_iter()
            .find(|(name, _)| rest.starts_with(name))
            .map_or(('&', 1), |(name, c)| (c, name.len()));
            text.push(entity);
            rest = &rest[len..];
        }
    }
    text.push_str(rest);
    text
}

/// The text of the code in some HTML (a `<pre>`'s content): tags removed,
/// entities decoded, every space and line kept.
pub(crate) fn plain_code(html: &str) -> String {
    decode_entities(&ammonia::Builder::empty().clean(html).to_string())
}

/// `&lt;` → `<`, `&amp;` → `&`, `&#8217;` → `’`, `&nbsp;` → a no-break
/// space, and the named entities WordPress writes; a text with any other
/// entity is kept as written.
pub(crate) fn decode_entities(text: &str) -> String {
    quick_xml::escape::unescape_with(text, |entity| {
        quick_xml::escape::resolve_predefined_entity(entity).or(match entity {
            "nbsp" => Some("\u{a0}"),
            "hellip" => Some("…"),
            "mdash" => Some("—"),
            "ndash" => Some("–"),
            "lsquo" => Some("‘"),
            "rsquo" => Some("’"),
            "ldquo" => Some("“"),
            "rdquo" => Some("”"),
            "copy" => Some("©"),
            "laquo" => Some("«"),
            "raquo" => Some("»"),
            _ => None,
        })
    })
    .map_or_else(|_| text.to_string(), Cow::into_owned)
}

/// The HTML of a comment, as the allow-list of comments keeps it.
pub(crate) fn comment_html(html: &str) -> String {
    COMMENT_HTML.clean(html).to_string()
}

/// The HTML of an imported post or page, with no scripts, styles, frames or
/// event attributes, each link and image address passed through `rewrite`
/// (which gives the new address, or none to keep it).
pub(crate) fn post_html(
    html: &str,
    rewrite: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
) -> String {
    let mut builder = post_builder();
    builder.attribute_filter(move |_, attribute, value| match attribute {
        "href" | "src" => Some(rewrite(value).map_or(Cow::Borrowed(value), Cow::Owned)),
        _ => Some(Cow::Borrowed(value)),
    });
    builder.clean(html).to_string()
}

/// Removes control characters (keeping line breaks and tabs) and the
/// invisible marks that reorder text (U+202E and its kin), which have no
/// place in a name or a comment and can hide text from moderators.
pub(crate) fn strip_controls<'a>(text: impl Into<Cow<'a, str>>) -> String {
    let text = text.into();
    if is_plain_ascii(&text) {
        return text.into_owned();
    }
    text.chars()
        .filter(|&c| (!c.is_control() || c == '\n' || c == '\t') && !is_bidi_control(c))
        .collect()
}

/// A name as one line: direction marks removed, controls (line breaks
/// too) made spaces, each run of white space made one space, and trimmed, so a name
/// can never forge a second line where it is listed.
pub(crate) fn clean_name(text: &str) -> String {
    let spaced: String = text
        .chars()
        .filter(|&c| !is_bidi_control(c))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether a text shows nothing to a reader: only white space, controls,
/// direction marks and zero-width characters. The one rule for "empty",
/// for what readers send and for comment files alike.
pub(crate) fn is_blank(text: &str) -> bool {
    text.chars().all(|c| {
        c.is_whitespace()
            || c.is_control()
            || is_bidi_control(c)
            || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
    })
}

/// Whether `text` is printable ASCII, line feeds and tabs only (so nothing
/// in it is stripped).
fn is_plain_ascii(text: &str) -> bool {
    let plain = |b: u8| (b' '..b'\x7f').contains(&b) || b == b'\n' || b == b'\t';
    !scan::any_byte(text, |b| !plain(b))
}

/// The Unicode characters that change the direction of the text after them.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether `url` is a plain absolute http(s) address: no white space or
/// control characters anywhere, no user name or password.
pub(crate) fn is_web_url(url: &str) -> bool {
    let url = url.trim();
    if url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || is_bidi_control(c))
    {
        return false;
    }
    url::Url::parse(url).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https")
            && u.has_host()
            && u.username().is_empty()
            && u.password().is_none()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body as a site at `https://blog.example/blog` shows it.
    fn comment_body(markdown: &str) -> String {
        super::comment_body(markdown, "https://blog.example/blog/")
    }

    #[test]
    fn links_to_the_site_lead_there_and_other_relative_links_are_dropped() {
        let html = comment_body(
            "[the seven questions](/posts/seven/#q) [up](../x/) [off](//evil.example/) [web](https://w.example/)",
        );
        assert_eq!(
            html,
            "<p><a href=\"https://blog.example/blog/posts/seven/#q\" rel=\"nofollow ugc noopener\">the seven questions</a> <a rel=\"nofollow ugc noopener\">up</a> <a rel=\"nofollow ugc noopener\">off</a> <a href=\"https://w.example/\" rel=\"nofollow ugc noopener\">web</a></p>\n"
        );
    }

    #[test]
    fn bare_addresses_become_links_and_quotes_curl() {
        let html = comment_body(
            "See https://a.example/x, and \"this\": [named](https://b.example) `https://c.example` javascript://x",
        );
        assert_eq!(
            html,
            "<p>See <a href=\"https://a.example/x\" rel=\"nofollow ugc noopener\">https://a.example/x</a>, and “this”: <a href=\"https://b.example\" rel=\"nofollow ugc noopener\">named</a> <code>https://c.example</code> javascript://x</p>\n"
        );
    }

    #[test]
    fn deep_nesting_in_a_body_is_flattened() {
        let quotes = format!("{}deep", "> ".repeat(5_000));
        let html = comment_body(&quotes);
        assert_eq!(html.matches("<blockquote>").count(), MAX_NESTING);
        assert!(html.contains("deep"));
    }

    #[test]
    fn nesting_past_the_bound_loses_its_levels_but_nothing_else() {
        let quotes = format!("{}deep\n\nafter", "> ".repeat(MAX_NESTING + 4));
        let html = comment_body(&quotes);
        let open = "<blockquote>\n".repeat(MAX_NESTING);
        let close = "</blockquote>\n".repeat(MAX_NESTING);
        assert_eq!(html, format!("{open}deep{close}<p>after</p>\n"));
        // A long comment of plain paragraphs keeps them all.
        let long = vec!["A paragraph."; 40].join("\n\n");
        assert_eq!(comment_body(&long).matches("<p>").count(), 40);
    }

    #[test]
    fn addresses_in_code_and_inside_links_stay_as_they_are() {
        let html = comment_body(
            "```\nhttps://x.example/\n```\n\n[see https://a.example/ here](https://b.example/)",
        );
        assert_eq!(
            html,
            "<pre><code>https://x.example/\n</code></pre>\n<p><a href=\"https://b.example/\" rel=\"nofollow ugc noopener\">see https://a.example/ here</a></p>\n"
        );
    }

    #[test]
    fn a_flood_of_raw_tags_is_shown_as_text() {
        let html = comment_body(&format!("{}x", "<div>".repeat(MAX_RAW_TAGS + 1)));
        assert!(
            html.starts_with("&lt;div&gt;&lt;div&gt;"),
            "{}",
            &html[..40]
        );
        let few = comment_body("<em>kept</em> and <b>dropped</b>");
        assert_eq!(few, "<p><em>kept</em> and dropped</p>\n");
        // Many `<` in a code block are text, not tags: the few tags of the
        // text around it still count as HTML.
        let code = format!("`{}`\n\n<em>kept</em>", "<".repeat(MAX_RAW_TAGS + 1));
        let html = comment_body(&code);
        assert!(html.ends_with("<p><em>kept</em></p>\n"), "{html}");
        // As many tags as the bound allows are still tags.
        let at_bound = format!("`<`\n\n{}", "<br>".repeat(MAX_RAW_TAGS));
        let html = comment_body(&at_bound);
        assert_eq!(
            html.matches("<br>").count(),
            MAX_RAW_TAGS,
            "{}",
            &html[..60]
        );
    }

    #[test]
    fn bodies_are_cleaned() {
        let html = comment_body(
            "Hi <script>alert(1)</script> [x](javascript:alert(1)) ![i](https://t.example/i.png) <b onclick=\"x\">b</b> [ok](https://ok.example)",
        );
        assert!(
            !html.contains("script") && !html.contains("alert"),
            "{html}"
        );
        assert!(
            !html.contains("javascript") && !html.contains("<img") && !html.contains("onclick"),
            "{html}"
        );
        assert!(
            html.contains(r#"<a href="https://ok.example" rel="nofollow ugc noopener">ok</a>"#),
            "{html}"
        );
    }
    #[test]
    fn posts_keep_alignment_and_lose_scripts() {
        let html = post_html(
            r#"<figure class="alignleft evil"><img src="/a.jpg" onerror="x"></figure><script>x</script>"#,
            |url| (url == "/a.jpg").then(|| "a.jpg".to_string()),
        );
        assert_eq!(
            html,
            r#"<figure class="alignleft"><img src="a.jpg"></figure>"#
        );
    }

    #[test]
    fn plain_text_has_no_markup_or_escapes() {
        assert_eq!(
            plain_text("<p>Fish &amp; <em>chips</em>&nbsp;&lt;3</p>\n<p>x</p>"),
            "Fish & chips <3 x"
        );
    }

    #[test]
    fn control_characters_are_removed() {
        assert_eq!(strip_controls("a\u{0}b\u{1b}[31mc\nd\u{7f}"), "ab[31mc\nd");
        assert_eq!(
            strip_controls("evil\u{202E}gnp.exe\u{2066}x\u{200F}"),
            "evilgnp.exex"
        );
        // Past the first 64 bytes, and a plain text kept as it is.
        let long = format!("{}\r\n\u{85}end", "a\tb\n".repeat(30));
        assert_eq!(
            strip_controls(&long),
            format!("{}\nend", "a\tb\n".repeat(30))
        );
        let plain = "Plain text, tabs\tand lines\n~".repeat(5);
        assert_eq!(strip_controls(plain.clone()), plain);
    }

    #[test]
    fn only_web_urls_pass() {
        assert!(is_web_url("https://a.example/x"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url("data:text/html,hi"));
        assert!(!is_web_url("//a.example"));
        assert!(!is_web_url("JaVaScRiPt:alert(1)"));
        assert!(!is_web_url("https://a.example/x\n<script>"));
        assert!(!is_web_url("https://a.exa\tmple/"));
        assert!(!is_web_url("https://user:pass@a.example/"));
        assert!(!is_web_url("https://user@a.example/"));
        assert!(!is_web_url("https://a.example/\u{202E}"));
        // What the URL parser would quietly encode is refused all the same.
        assert!(!is_web_url("https://a.example/x y"));
        assert!(!is_web_url("https://a.example/x\u{1}"));
        assert!(!is_web_url("https://a.example/x\u{a0}y"));
        assert!(is_web_url("  https://a.example/path?q=1  "));
    }

    #[test]
    fn blank_is_what_shows_nothing() {
        for blank in [
            "",
            " \t\n",
            "\u{1}",
            "\u{202E}",
            "\u{200B}\u{FEFF}",
            "\u{a0}",
        ] {
            assert!(is_blank(blank), "{blank:?}");
        }
        for shown in ["a", " .", "\u{202E}x", "\u{200B}é"] {
            assert!(!is_blank(shown), "{shown:?}");
        }
    }

    #[test]
    fn the_entities_wordpress_writes_are_read() {
        assert_eq!(
            decode_entities(
                "&hellip;&mdash;&ndash;&lsquo;&rsquo;&ldquo;&rdquo;&copy;&laquo;&raquo;&nbsp;&amp;&#8217;"
            ),
            "…—–‘’“”©«»\u{a0}&’"
        );
        assert_eq!(decode_entities("&bogus; & more"), "&bogus; & more");
    }
}
