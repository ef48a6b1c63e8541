//! WordPress HTML as clean Markdown. WordPress stores a post as HTML with
//! bare newlines for paragraphs (its `wpautop` adds the `<p>`s when it shows
//! the page) and shortcodes in brackets; this does what WordPress would,
//! then cleans the HTML (`sanitize`) and writes it as Markdown: code stays
//! code (fenced, with its language), `[caption]` becomes a figure with its
//! caption and alignment, `[gallery]` a figure of its images, embeds and
//! bare media URLs become links, and an unknown shortcode is kept verbatim
//! in a code span and reported.
//!
//! Not for deciding what is imported (`import`) nor for what HTML is safe
//! (`sanitize`).

use std::collections::HashMap;

use htmd::element_handler::{HandlerResult, Handlers};
use htmd::{Element, HtmlToMarkdown};

use crate::markdown::MORE_MARKER;
use crate::sanitize;
use crate::xml::escape;

/// Where a converted text goes: the site's HTML allow-list for posts, or
/// the stricter one for comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Post,
    Comment,
}

/// What a conversion found besides the Markdown.
#[derive(Debug, Default)]
pub(super) struct Found {
    /// Shortcodes mend does not know, kept verbatim (`[name …]`).
    pub(super) unknown_shortcodes: Vec<String>,
}

/// Everything the conversion of one text needs to know about the site.
pub(super) struct Context<'a> {
    /// Attachment URLs by attachment id (for `[gallery ids=…]`).
    pub(super) attachments: &'a HashMap<String, String>,
    /// The attachments of this post, for a `[gallery]` without ids.
    pub(super) own_attachments: Vec<String>,
}

/// A placeholder for a code block while the text around it is converted.
const CODE: &str = "MENDCODEBLOCK";
/// A placeholder that survives cleaning and conversion where WordPress's
/// `<!--more-->` would not.
const MORE: &str = "MENDMOREMARKER";

/// WordPress HTML (`kind`) as Markdown; `rewrite` gives the new address of a
/// link or image, if it has one.
pub(super) fn to_markdown(
    html: &str,
    kind: Kind,
    context: &Context,
    rewrite: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    found: &mut Found,
) -> String {
    let text = html.replace("\r\n", "\n");
    let (text, mut code) = take_code(&text);
    let text = iframes_as_links(&embed_blocks(&text));
    let text = shortcodes(&text, context, found, &mut code);
    let text = text.replace("<!--more-->", &format!("\n\n{MORE}\n\n"));
    let text = autop(&link_bare_urls(&text));
    let clean = match kind {
        Kind::Post => sanitize::post_html(&text, rewrite),
        Kind::Comment => sanitize::comment_html(&text),
    };
    let clean = match kind {
        Kind::Post => demote_headings(&clean),
        Kind::Comment => clean,
    };
    let markdown = converter().convert(&clean).unwrap_or_default();
    let markdown = put_code_back(&markdown, &code).replace(MORE, MORE_MARKER);
    tidy(&markdown)
}

/// Cleaned HTML with every heading one level down when it has an `<h1>`:
/// the page's title is its one `<h1>`, and the body's outline is kept
/// (an `<h6>` stays one).
fn demote_headings(clean: &str) -> String {
    if !clean.contains("<h1>") {
        return clean.to_string();
    }
    let mut text = clean.to_string();
    for level in (1..=5).rev() {
        let next = level + 1;
        text = text
            .replace(&format!("<h{level}>"), &format!("<h{next}>"))
            .replace(&format!("</h{level}>"), &format!("</h{next}>"));
    }
    text
}

/// The HTML-to-Markdown converter, with the elements htmd would drop kept.
fn converter() -> HtmlToMarkdown {
    let options = htmd::options::Options {
        br_style: htmd::options::BrStyle::Backslash,
        link_style: htmd::options::LinkStyle::InlinedPreferAutolinks,
        bullet_list_marker: htmd::options::BulletListMarker::Dash,
        ul_bullet_spacing: 1,
        ol_number_spacing: 1,
        ..Default::default()
    };
    HtmlToMarkdown::builder()
        .options(options)
        .add_handler(vec!["del", "s", "strike"], strikethrough)
        .add_handler(vec!["ins", "sub", "sup", "kbd", "mark"], inline_html)
        .add_handler(vec!["figcaption"], figcaption)
        .add_handler(vec!["figure"], figure)
        .build()
}

fn strikethrough(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let content = handlers.walk_children(element.node).content;
    Some(format!("~~{}~~", content.trim()).into())
}

/// Kept as inline HTML, which Markdown passes through.
fn inline_html(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let content = handlers.walk_children(element.node).content;
    let tag = element.tag;
    Some(format!("<{tag}>{}</{tag}>", content.trim()).into())
}

/// A caption apart from the image, its Markdown between the tags.
fn figcaption(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let content = handlers.walk_children(element.node).content;
    Some(
        format!(
            "\n\n<figcaption>\n\n{}\n\n</figcaption>\n\n",
            content.trim()
        )
        .into(),
    )
}

/// An HTML block around Markdown: the figure's class is kept, its image
/// and caption are Markdown and HTML inside it.
fn figure(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let content = handlers.walk_children(element.node).content;
    let class = element
        .attrs
        .iter()
        .find(|a| &*a.name.local == "class")
        .map(|a| format!(" class=\"{}\"", a.value))
        .unwrap_or_default();
    Some(format!("\n\n<figure{class}>\n\n{}\n\n</figure>\n\n", content.trim()).into())
}

/// A code block taken out of the text: its language and its code.
struct Code {
    language: String,
    text: String,
}

/// Takes out every `<pre>` block, and every `<code>` that spans lines,
/// leaving a placeholder paragraph, so that nothing (paragraphs,
/// shortcodes, Markdown) touches the code. One pass over the text.
fn take_code(html: &str) -> (String, Vec<Code>) {
    // ASCII lower case keeps every byte where it was.
    let lower = html.to_ascii_lowercase();
    let mut out = String::with_capacity(html.len());
    let mut code = Vec::new();
    let mut done = 0;
    for (start, tag) in code_tags(&lower) {
        if start < done {
            continue; // inside a block already taken
        }
        let Some(open_end) = lower[start..].find('>').map(|e| start + e + 1) else {
            break;
        };
        let close = format!("</{tag}>");
        let Some(close_at) = lower[open_end..].find(&close).map(|i| open_end + i) else {
            break;
        };
        let inner = &html[open_end..close_at];
        if tag == "code" && !inner.contains('\n') {
            continue; // inline code, left to the conversion
        }
        out.push_str(&html[done..start]);
        out.push_str(&format!("\n\n{CODE}{}\n\n", code.len()));
        // A `[sourcecode]` written inside a `<pre>` is the code and its
        // language, not text to show.
        let (language, inner) = match code_shortcode(inner) {
            Some((language, body)) => (language, body),
            None => (language_of(&html[start..open_end]), inner),
        };
        code.push(Code {
            language,
            text: sanitize::plain_code(inner),
        });
        done = close_at + close.len();
    }
    out.push_str(&html[done..]);
    (out, code)
}

/// A text that is one `[sourcecode]` (or `[source]`, `[code]`) shortcode:
/// its language and its content.
fn code_shortcode(text: &str) -> Option<(String, &str)> {
    let text = text.trim();
    let name = ["sourcecode", "source", "code"].into_iter().find(|name| {
        text.strip_prefix('[')
            .and_then(|rest| rest.strip_prefix(name))
            .is_some_and(|rest| rest.starts_with([']', ' ']))
    })?;
    let open_end = text.find(']')? + 1;
    let body = text[open_end..].strip_suffix(&format!("[/{name}]"))?;
    Some((language_of(&text[..open_end]), body))
}

/// Every `<pre` and `<code` opening tag of a lower-case text, in order.
fn code_tags(lower: &str) -> impl Iterator<Item = (usize, &'static str)> + '_ {
    lower.match_indices('<').filter_map(|(at, _)| {
        let rest = &lower[at + 1..];
        ["pre", "code"].into_iter().find_map(|tag| {
            let after = rest.strip_prefix(tag)?.bytes().next();
            matches!(after, Some(b'>' | b' ' | b'\t' | b'\n')).then_some((at, tag))
        })
    })
}

/// The language an opening tag names: `class="language-rust"`, `lang-x`,
/// SyntaxHighlighter's `brush: x`, or `lang="x"`.
fn language_of(tag: &str) -> String {
    let lower = tag.to_ascii_lowercase();
    for marker in ["language-", "lang-", "brush:", "lang=\"", "language=\""] {
        if let Some(at) = lower.find(marker) {
            let rest = lower[at + marker.len()..].trim_start();
            return rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '#' | '-'))
                .collect();
        }
    }
    String::new()
}

/// The code blocks, fenced, where their placeholders are.
fn put_code_back(markdown: &str, code: &[Code]) -> String {
    let mut out = String::with_capacity(markdown.len());
    for line in markdown.split_inclusive('\n') {
        let block = line
            .trim()
            .strip_prefix(CODE)
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| code.get(n));
        match block {
            Some(block) => {
                let longest = longest_run(&block.text, '`');
                let fence = "`".repeat(longest.max(2) + 1);
                let text = block.text.trim_matches('\n');
                out.push_str(&format!("{fence}{}\n{text}\n{fence}\n", block.language));
            }
            None => out.push_str(line),
        }
    }
    out
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut longest, mut run) = (0, 0);
    for ch in text.chars() {
        run = if ch == c { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

/// The shortcodes mend turns into HTML.
const KNOWN: [&str; 12] = [
    "caption",
    "wp_caption",
    "gallery",
    "sourcecode",
    "source",
    "code",
    "youtube",
    "vimeo",
    "embed",
    "audio",
    "video",
    "playlist",
];

/// One shortcode as written: `[name attrs]` and, if it encloses, its content.
struct Shortcode<'a> {
    name: &'a str,
    attributes: Vec<(String, String)>,
    /// The bare value after `=` or a space: `[youtube=URL]`, `[youtube URL]`.
    bare: String,
    content: Option<&'a str>,
    /// The whole shortcode as written.
    whole: &'a str,
}

impl Shortcode<'_> {
    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Replaces every shortcode: known ones by their HTML, unknown ones (with
/// attributes or a closing tag) by a code span of themselves.
fn shortcodes(text: &str, context: &Context, found: &mut Found, code: &mut Vec<Code>) -> String {
    let closings = closing_tags(text);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let at = text.len() - rest.len() + open;
        match parse_shortcode(text, at, &closings) {
            Some(short) if KNOWN.contains(&short.name) => {
                out.push_str(&known_shortcode(&short, context, code));
                rest = &rest[open + short.whole.len()..];
            }
            Some(short) if short.content.is_some() || !short.attributes.is_empty() => {
                found.unknown_shortcodes.push(short.whole.to_string());
                let escaped = short.whole.replace('&', "&amp;").replace('<', "&lt;");
                out.push_str(&format!("<code>{escaped}</code>"));
                rest = &rest[open + short.whole.len()..];
            }
            _ => {
                out.push('[');
                rest = &rest[open + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Where each `[/name]` stands in `text`, by name, in order: found in one
/// pass, so that looking for a shortcode's end never scans the text again.
fn closing_tags(text: &str) -> HashMap<&str, Vec<usize>> {
    let mut closings: HashMap<&str, Vec<usize>> = HashMap::new();
    for (at, _) in text.match_indices("[/") {
        let rest = &text[at + 2..];
        if let Some(end) = rest.find(']') {
            let name = &rest[..end];
            if !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            {
                closings.entry(name).or_default().push(at);
            }
        }
    }
    closings
}

/// A shortcode at offset `at` of `whole`, if there is one.
fn parse_shortcode<'a>(
    whole: &'a str,
    at: usize,
    closings: &HashMap<&str, Vec<usize>>,
) -> Option<Shortcode<'a>> {
    let text = &whole[at..];
    let body = text.strip_prefix('[')?;
    let name_len = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(body.len());
    let name = &body[..name_len];
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let after = &body[name_len..];
    if !after.starts_with([' ', ']', '=', '/']) {
        return None;
    }
    let close = closing_bracket(after)?;
    let raw = after[..close].trim_end_matches('/');
    let head_len = 1 + name_len + close + 1;
    let (attributes, bare) = parse_attributes(raw);
    let end_tag = format!("[/{name}]");
    let self_closing = after[..close].ends_with('/');
    let content = (!self_closing)
        .then(|| closings.get(name))
        .flatten()
        .and_then(|ends| {
            let first = ends.partition_point(|&end| end < at + head_len);
            ends.get(first)
        })
        .map(|&end| &whole[at + head_len..end]);
    let whole_len = content.map_or(head_len, |c| head_len + c.len() + end_tag.len());
    Some(Shortcode {
        name,
        attributes,
        bare,
        content,
        whole: &text[..whole_len],
    })
}

/// The `]` that ends a shortcode's opening, outside quotes.
fn closing_bracket(text: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ']') => return Some(i),
            (None, '[' | '\n') => return None,
            _ => {}
        }
    }
    None
}

/// `a="x" b=y c` as pairs, and the bare value (`=URL` or a lone word).
fn parse_attributes(raw: &str) -> (Vec<(String, String)>, String) {
    let raw = raw.trim();
    if let Some(value) = raw.strip_prefix('=') {
        return (Vec::new(), unquote(value.trim()).to_string());
    }
    if raw.starts_with("http://") || raw.starts_with("https://") {
        return (Vec::new(), raw.to_string());
    }
    let mut attributes = Vec::new();
    let mut bare = String::new();
    let mut rest = raw;
    while !rest.is_empty() {
        rest = rest.trim_start();
        let key_end = rest.find(['=', ' ']).unwrap_or(rest.len());
        let key = &rest[..key_end];
        rest = &rest[key_end..];
        if let Some(value) = rest.strip_prefix('=') {
            let (value, after) = take_value(value);
            attributes.push((key.to_ascii_lowercase(), value.to_string()));
            rest = after;
        } else if !key.is_empty() {
            if bare.is_empty() {
                bare = key.to_string();
            }
        } else {
            break;
        }
    }
    (attributes, bare)
}

fn take_value(text: &str) -> (&str, &str) {
    for quote in ['"', '\''] {
        if let Some(inner) = text.strip_prefix(quote) {
            let end = inner.find(quote).unwrap_or(inner.len());
            return (&inner[..end], inner.get(end + 1..).unwrap_or(""));
        }
    }
    let end = text.find(' ').unwrap_or(text.len());
    (&text[..end], &text[end..])
}

fn unquote(text: &str) -> &str {
    text.trim_matches(['"', '\''])
}

fn known_shortcode(short: &Shortcode, context: &Context, code: &mut Vec<Code>) -> String {
    let content = short.content.unwrap_or("");
    match short.name {
        "caption" | "wp_caption" => caption(short, content),
        "gallery" => gallery(short, context),
        "sourcecode" | "source" | "code" => {
            let language = short
                .attribute("language")
                .or_else(|| short.attribute("lang"))
                .unwrap_or(&short.bare);
            let placeholder = format!("\n\n{CODE}{}\n\n", code.len());
            code.push(Code {
                language: language.to_ascii_lowercase(),
                text: sanitize::decode_entities(content),
            });
            placeholder
        }
        _ => media_link(short, content),
    }
}

/// `[caption align="alignleft" caption="…"]<img …> Caption[/caption]`.
fn caption(short: &Shortcode, content: &str) -> String {
    // The image (or the link around it) comes first; the rest is the caption.
    let image_start = content.find("<img").unwrap_or(0);
    let image_tag_end = content[image_start..]
        .find('>')
        .map_or(0, |e| image_start + e + 1);
    let linked = content[..image_start].trim_start().starts_with("<a");
    let image_end = match content[image_tag_end..].find("</a>") {
        Some(end) if linked => image_tag_end + end + "</a>".len(),
        _ => image_tag_end,
    };
    let (image, text) = content.split_at(image_end);
    let caption = short
        .attribute("caption")
        .map(str::to_string)
        .unwrap_or_else(|| text.trim().to_string());
    let align = short
        .attribute("align")
        .filter(|a| a.starts_with("align"))
        .unwrap_or("alignnone");
    format!(
        "\n\n<figure class=\"{}\">{}<figcaption>{}</figcaption></figure>\n\n",
        escape(align),
        image.trim(),
        caption
    )
}

/// `[gallery ids="1,2"]`, or the post's own images.
fn gallery(short: &Shortcode, context: &Context) -> String {
    let urls: Vec<&str> = match short
        .attribute("ids")
        .or_else(|| short.attribute("include"))
    {
        Some(ids) => ids
            .split(',')
            .filter_map(|id| context.attachments.get(id.trim()).map(String::as_str))
            .collect(),
        None => context.own_attachments.iter().map(String::as_str).collect(),
    };
    let images: String = urls
        .iter()
        .map(|url| format!("<img src=\"{}\" alt=\"\">\n", escape(url)))
        .collect();
    // WordPress shows three to a row unless told otherwise.
    let columns = short
        .attribute("columns")
        .and_then(|c| c.trim().parse::<u8>().ok())
        .filter(|c| (1..=9).contains(c))
        .unwrap_or(3);
    format!("\n\n<figure class=\"gallery gallery-columns-{columns}\">{images}</figure>\n\n")
}

/// An embed, video or audio as a link to what it shows.
fn media_link(short: &Shortcode, content: &str) -> String {
    let url = [
        "src", "url", "mp3", "mp4", "m4a", "ogg", "wav", "webm", "id",
    ]
    .iter()
    .find_map(|k| short.attribute(k))
    .map(str::to_string)
    .or_else(|| (!short.bare.is_empty()).then(|| short.bare.clone()))
    .unwrap_or_else(|| content.trim().to_string());
    let url = if short.name == "youtube" && !url.contains("://") {
        format!("https://www.youtube.com/watch?v={url}")
    } else {
        url
    };
    if url.is_empty() {
        return String::new();
    }
    link_alone(&url, &url)
}

/// A paragraph of one link to `url`, reading `text`, apart from what is
/// around it: what WordPress embeds, and Markdown shows a video's as its
/// facade.
fn link_alone(url: &str, text: &str) -> String {
    format!(
        "\n\n<p><a href=\"{}\">{}</a></p>\n\n",
        escape(url),
        escape(text)
    )
}

/// The block editor's embeds (`<!-- wp:embed {"url":…} -->` and the older
/// `<!-- wp:core-embed/youtube … -->`) as the link alone on its line that
/// WordPress embeds, their caption its text; Markdown shows a video's as
/// its facade. One pass over the text.
fn embed_blocks(text: &str) -> String {
    const OPEN: &str = "<!-- wp:";
    let mut out = String::with_capacity(text.len());
    let mut comment_ends = Next::new(text, "-->");
    // An embed block holds no other block: its end is the next block end.
    let mut block_ends = Next::new(text, "<!-- /wp:");
    let mut done = 0;
    let mut from = 0;
    while let Some(at) = text[from..].find(OPEN).map(|i| from + i) {
        from = at + OPEN.len();
        let Some(opening_end) = comment_ends.at_or_after(from) else {
            break;
        };
        let opening = &text[from..opening_end];
        let name = opening.split_whitespace().next().unwrap_or("");
        if name != "embed" && !name.starts_with("core-embed/") {
            continue;
        }
        let close = format!("<!-- /wp:{name} -->");
        let inner_start = opening_end + "-->".len();
        let Some(close_at) = block_ends
            .at_or_after(inner_start)
            .filter(|&end| text[end..].starts_with(&close))
        else {
            continue;
        };
        out.push_str(&text[done..at]);
        out.push_str(&embed_link(
            &opening[name.len()..],
            &text[inner_start..close_at],
        ));
        done = close_at + close.len();
        from = done;
    }
    out.push_str(&text[done..]);
    out
}

/// Where `needle` is next in a text, asked at growing positions: each
/// answer is found again only once it is behind, so all the asking takes
/// one pass over the text however many times it is asked.
struct Next<'a> {
    text: &'a str,
    needle: &'a str,
    /// The answer for positions from `asked` up to it.
    asked: usize,
    found: Option<usize>,
}

impl<'a> Next<'a> {
    fn new(text: &'a str, needle: &'a str) -> Next<'a> {
        Next {
            text,
            needle,
            asked: 0,
            found: text.find(needle),
        }
    }

    fn at_or_after(&mut self, from: usize) -> Option<usize> {
        if from < self.asked || self.found.is_some_and(|found| found < from) {
            self.asked = from;
            self.found = self.text[from..].find(self.needle).map(|i| from + i);
        }
        self.found
    }
}

/// Players pasted as `<iframe src="…">` (YouTube's and Vimeo's embed
/// code) as a link alone on its line to what they play, their `title` its
/// text: cleaning drops frames, and the video would go with it. One pass
/// over the text.
fn iframes_as_links(text: &str) -> String {
    const CLOSE: &str = "</iframe>";
    // ASCII lower case keeps every byte where it was.
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut closings = Next::new(&lower, CLOSE);
    let mut tag_ends = Next::new(&lower, ">");
    let mut done = 0;
    while let Some(at) = lower[done..].find("<iframe").map(|i| done + i) {
        let Some(open_end) = tag_ends.at_or_after(at).map(|e| e + 1) else {
            break;
        };
        let close = closings
            .at_or_after(open_end)
            .map_or(open_end, |e| e + CLOSE.len());
        out.push_str(&text[done..at]);
        let tag = &text[at..open_end];
        let src = tag_attribute(tag, "src").map(|src| match src.strip_prefix("//") {
            Some(rest) => format!("https://{rest}"),
            None => src,
        });
        if let Some(src) = src.filter(|s| sanitize::is_web_url(s)) {
            let title = tag_attribute(tag, "title")
                .map(|t| sanitize::plain_text(&t))
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| src.clone());
            out.push_str(&link_alone(&src, &title));
        }
        done = close;
    }
    out.push_str(&text[done..]);
    out
}

/// The value of attribute `name` of an HTML opening tag, entities decoded.
fn tag_attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let at = lower.match_indices(name).map(|(at, _)| at).find(|&at| {
        lower[..at].ends_with(char::is_whitespace)
            && lower[at + name.len()..].trim_start().starts_with('=')
    })?;
    let value = tag[at + name.len()..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let raw = match value.chars().next()? {
        quote @ ('"' | '\'') => value[1..].split(quote).next()?,
        _ => value
            .split(|c: char| c.is_whitespace() || c == '>')
            .next()?,
    };
    Some(sanitize::decode_entities(raw))
}

/// An embed block's link: its URL from the block's settings (or else the
/// figure's text), its caption as the link's text.
fn embed_link(settings: &str, inner: &str) -> String {
    let from_settings = serde_json::from_str::<serde_json::Value>(settings.trim())
        .ok()
        .and_then(|s| s["url"].as_str().map(str::to_string));
    let caption_at = inner.find("<figcaption");
    let url = from_settings
        .unwrap_or_else(|| sanitize::plain_text(&inner[..caption_at.unwrap_or(inner.len())]));
    if !sanitize::is_web_url(&url) {
        return String::new();
    }
    let caption = caption_at
        .map(|at| sanitize::plain_text(&inner[at..]))
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| url.clone());
    link_alone(&url, &caption)
}

/// A URL alone on its line, which WordPress embeds, as a link.
fn link_bare_urls(text: &str) -> String {
    text.split('\n')
        .map(|line| {
            let trimmed = line.trim();
            let bare = (trimmed.starts_with("http://") || trimmed.starts_with("https://"))
                && !trimmed.contains(char::is_whitespace)
                && !trimmed.contains(['<', '>', '"']);
            if bare {
                let url = escape(trimmed);
                format!("<p><a href=\"{url}\">{url}</a></p>")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The elements that are blocks of their own for `autop`, as WordPress's
/// `wpautop` counts them.
const BLOCKS: [&str; 41] = [
    "table",
    "thead",
    "tfoot",
    "tbody",
    "caption",
    "col",
    "colgroup",
    "tr",
    "td",
    "th",
    "div",
    "dl",
    "dd",
    "dt",
    "ul",
    "ol",
    "li",
    "pre",
    "form",
    "blockquote",
    "address",
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "fieldset",
    "legend",
    "section",
    "article",
    "aside",
    "header",
    "footer",
    "nav",
    "figure",
    "figcaption",
    "details",
    "summary",
];

/// WordPress stores text with blank lines where it shows paragraphs (its
/// `wpautop`): every block element stands apart, runs of text between
/// blank lines become paragraphs, and a single line break inside one
/// becomes `<br>`.
pub(super) fn autop(text: &str) -> String {
    let separated = separate_blocks(text);
    let mut out = String::with_capacity(separated.len() + 64);
    for block in separated
        .split("\n\n")
        .map(str::trim)
        .filter(|b| !b.is_empty())
    {
        if block_tag_at(block, 0).is_some() || block.starts_with("<!--") || is_placeholder(block) {
            out.push_str(block);
        } else {
            out.push_str("<p>");
            out.push_str(&block.replace('\n', "<br>"));
            out.push_str("</p>");
        }
        out.push('\n');
    }
    out
}

/// A blank line before every block element's opening tag and after every
/// closing one.
fn separate_blocks(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 256);
    let mut last = 0;
    for (at, _) in text.match_indices('<') {
        let Some(closing) = block_tag_at(text, at) else {
            continue;
        };
        if closing {
            let end = text[at..].find('>').map_or(text.len(), |e| at + e + 1);
            if end <= last {
                continue;
            }
            out.push_str(&text[last..end]);
            out.push_str("\n\n");
            last = end;
        } else {
            out.push_str(&text[last..at]);
            out.push_str("\n\n");
            last = at;
        }
    }
    out.push_str(&text[last..]);
    out
}

/// Whether a block element's tag starts at `at`: `Some(true)` for a
/// closing tag, `Some(false)` for an opening one.
fn block_tag_at(text: &str, at: usize) -> Option<bool> {
    let rest = text.get(at..)?.strip_prefix('<')?;
    let (closing, rest) = match rest.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    let name_len = rest
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    let name = rest[..name_len].to_ascii_lowercase();
    let ends = rest[name_len..].starts_with(['>', ' ', '/', '\n', '\t']);
    (ends && BLOCKS.contains(&name.as_str())).then_some(closing)
}

fn is_placeholder(block: &str) -> bool {
    block.starts_with(CODE) || block == MORE
}

/// Markdown that is clean to edit: no trailing white space (so no hidden
/// hard breaks), no lines of white space, at most one blank line in a row.
fn tidy(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut blank = 0;
    let mut in_code = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        }
        let line = if in_code { line } else { line.trim_end() };
        if line.trim().is_empty() {
            blank += 1;
            if blank > 1 || out.is_empty() {
                continue;
            }
            out.push('\n');
        } else {
            blank = 0;
            if !in_code && is_lone_marker(line) {
                // Text, not an empty heading or list item.
                out.push('\\');
            }
            out.push_str(line);
            out.push('\n');
        }
    }
    format!("{}\n", out.trim_end())
}

/// A line that is a mark alone (`#`, `-`, `+`), which Markdown would read
/// as an empty heading or list item: text of the HTML the converter left
/// unescaped (a table cell holding `#`, say).
fn is_lone_marker(line: &str) -> bool {
    let mark = line.trim_start();
    line.len() - mark.len() < 4
        && (matches!(mark, "-" | "+")
            || (1..=6).contains(&mark.len()) && mark.bytes().all(|b| b == b'#'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(html: &str) -> (String, Found) {
        let attachments =
            HashMap::from([("7".to_string(), "https://old.example/a.jpg".to_string())]);
        let context = Context {
            attachments: &attachments,
            own_attachments: vec!["https://old.example/own.jpg".into()],
        };
        let mut found = Found::default();
        let markdown = to_markdown(html, Kind::Post, &context, |_| None, &mut found);
        (markdown, found)
    }

    #[test]
    fn paragraphs_come_from_blank_lines() {
        assert_eq!(
            autop("One\nline two\n\nThree"),
            "<p>One<br>line two</p>\n<p>Three</p>\n"
        );
        assert_eq!(
            autop("<strong>Head</strong>\n<h1>One</h1>\n<blockquote>Quote</blockquote>\nafter"),
            "<p><strong>Head</strong></p>\n<h1>One</h1>\n<blockquote>Quote</blockquote>\n<p>after</p>\n"
        );
        let (markdown, _) = post("First line\nsecond line\n\nNext paragraph");
        assert_eq!(markdown, "First line\\\nsecond line\n\nNext paragraph\n");
    }

    #[test]
    fn code_stays_code_with_its_language() {
        let (markdown, _) = post(
            "Run this:\n\n<pre class=\"brush: bash\"># comment\necho &lt;hi&gt;\n\n# more</pre>\n\nand <code>inline</code>.",
        );
        assert_eq!(
            markdown,
            "Run this:\n\n```bash\n# comment\necho <hi>\n\n# more\n```\n\nand `inline`.\n"
        );
        let (markdown, _) =
            post("[sourcecode language=\"python\"]\nif a < b:\n    print('[x]')\n[/sourcecode]");
        assert_eq!(markdown, "```python\nif a < b:\n    print('[x]')\n```\n");
        let (markdown, _) = post("<code>line one\n# line two</code>");
        assert_eq!(markdown, "```\nline one\n# line two\n```\n");
        // A shortcode inside a <pre>, as one real export has it.
        let (markdown, _) = post(
            "<pre>[sourcecode language=\"php\"]\n&lt;?php echo $a &amp;&amp; $b; ?&gt;\n[/sourcecode]</pre>",
        );
        assert_eq!(markdown, "```php\n<?php echo $a && $b; ?>\n```\n");
        let (markdown, _) = post("<pre>[code]x = [1, 2][/code]</pre>");
        assert_eq!(markdown, "```\nx = [1, 2]\n```\n");
    }

    #[test]
    fn captions_become_figures() {
        let (markdown, _) = post(
            "[caption id=\"a\" align=\"alignright\" width=\"300\"]<img src=\"https://old.example/b.jpg\" alt=\"Boat\" /> A boat[/caption]",
        );
        assert_eq!(
            markdown,
            "<figure class=\"alignright\">\n\n![Boat](https://old.example/b.jpg)\n\n<figcaption>\n\nA boat\n\n</figcaption>\n\n</figure>\n"
        );
    }

    #[test]
    fn a_caption_keeps_its_own_links() {
        let (markdown, _) = post(
            "[caption align=\"aligncenter\"]<a href=\"https://old.example/big.jpg\"><img src=\"https://old.example/b.jpg\" alt=\"B\" /></a> Some <a href=\"https://w.example/\">caption</a> love.[/caption]",
        );
        assert_eq!(
            markdown,
            "<figure class=\"aligncenter\">\n\n[![B](https://old.example/b.jpg)](https://old.example/big.jpg)\n\n<figcaption>\n\nSome [caption](https://w.example/) love.\n\n</figcaption>\n\n</figure>\n"
        );
    }

    #[test]
    fn a_mark_alone_on_a_line_stays_text() {
        let (markdown, _) = post("<p>#</p><p>-</p><p>+</p><p>##</p><p>- a</p>");
        assert_eq!(markdown, "\\#\n\n\\-\n\n\\+\n\n\\##\n\n\\- a\n");
    }

    #[test]
    fn a_body_with_an_h1_moves_every_heading_one_level_down() {
        let (markdown, _) = post("<h1>One</h1>\n<h2>Two</h2>\n<h6>Six</h6>\n<p>x</p>");
        assert_eq!(markdown, "## One\n\n### Two\n\n###### Six\n\nx\n");
        let (markdown, _) = post("<h2>Two</h2>\n<p>x</p>");
        assert_eq!(markdown, "## Two\n\nx\n");
    }

    #[test]
    fn galleries_embeds_and_unknown_shortcodes() {
        let (markdown, _) = post("[gallery ids=\"7\"]");
        assert_eq!(
            markdown,
            "<figure class=\"gallery gallery-columns-3\">\n\n![](https://old.example/a.jpg)\n\n</figure>\n"
        );
        let (markdown, _) = post("[gallery columns=\"2\" ids=\"7\"]");
        assert_eq!(
            markdown,
            "<figure class=\"gallery gallery-columns-2\">\n\n![](https://old.example/a.jpg)\n\n</figure>\n"
        );
        let (markdown, _) = post("[gallery columns=\"40\" ids=\"7\"]");
        assert!(markdown.contains("gallery-columns-3"), "{markdown}");
        let (markdown, _) = post("[gallery]");
        assert!(
            markdown.contains("![](https://old.example/own.jpg)"),
            "{markdown}"
        );
        let (markdown, _) = post(
            "[youtube https://www.youtube.com/watch?v=abc]\n\nhttps://vimeo.com/123\n\n[embed]https://x.example/v[/embed]",
        );
        assert_eq!(
            markdown,
            "<https://www.youtube.com/watch?v=abc>\n\n<https://vimeo.com/123>\n\n<https://x.example/v>\n"
        );
        let (markdown, found) = post("Before [contact-form to=\"a@b.c\"] after, and [sic] stays.");
        // Plain brackets stay text (escaped, so Markdown shows them as written).
        assert_eq!(
            markdown,
            "Before `[contact-form to=\"a@b.c\"]` after, and \\[sic\\] stays.\n"
        );
        assert_eq!(found.unknown_shortcodes, ["[contact-form to=\"a@b.c\"]"]);
    }

    #[test]
    fn embed_blocks_are_links_alone_on_their_line() {
        let (markdown, _) = post(
            "<!-- wp:core-embed/youtube {\"url\":\"https://youtu.be/ex8fMxXJDJw\",\"type\":\"video\"} -->\n<figure class=\"wp-block-embed-youtube wp-block-embed\"><div class=\"wp-block-embed__wrapper\">\nhttps://youtu.be/ex8fMxXJDJw\n</div><figcaption>Day <em>one</em><br></figcaption></figure>\n<!-- /wp:core-embed/youtube -->\n\n<!-- wp:embed {\"url\":\"https://www.instagram.com/p/BpmueLLgEn_/?utm_source=x\\u0026igshid=1\"} -->\n<figure class=\"wp-block-embed\"><div class=\"wp-block-embed__wrapper\">\nhttps://www.instagram.com/p/BpmueLLgEn_/?utm_source=x&amp;igshid=1\n</div></figure>\n<!-- /wp:embed -->\n\n<!-- wp:embed -->\n<figure class=\"wp-block-embed\"><div class=\"wp-block-embed__wrapper\">\nhttps://vimeo.com/123\n</div></figure>\n<!-- /wp:embed -->\n\n<!-- wp:embed {\"url\":\"javascript:alert(1)\"} -->\n<figure></figure>\n<!-- /wp:embed -->\n\n<!-- wp:paragraph -->\n<p>After.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:embed {\"url\":\"https://youtu.be/x\"} -->\nnever closed",
        );
        assert_eq!(
            markdown,
            "[Day one](https://youtu.be/ex8fMxXJDJw)\n\n[https://www.instagram.com/p/BpmueLLgEn\\_/?utm\\_source=x&igshid=1](https://www.instagram.com/p/BpmueLLgEn_/?utm_source=x&igshid=1)\n\n<https://vimeo.com/123>\n\nAfter.\n\nnever closed\n"
        );
    }

    #[test]
    fn pasted_players_are_links_to_what_they_play() {
        let (markdown, _) = post(
            "Watch:\n\n<iframe width=\"560\" height=\"315\" src=\"https://www.youtube.com/embed/SQEQr7c0-dw?si=x&amp;start=5\" title=\"Day one &amp; after\" frameborder=\"0\" allowfullscreen></iframe>\n\n<IFRAME SRC='//player.vimeo.com/video/76979871'></IFRAME>\n\n<iframe src=\"javascript:alert(1)\"></iframe>\n\nAfter.\n\n<iframe src=https://example.com/x>",
        );
        assert_eq!(
            markdown,
            "Watch:\n\n[Day one & after](https://www.youtube.com/embed/SQEQr7c0-dw?si=x&start=5)\n\n<https://player.vimeo.com/video/76979871>\n\nAfter.\n\n<https://example.com/x>\n"
        );
        assert_eq!(
            tag_attribute("<a data-src=\"x\" src = 'y'>", "src"),
            Some("y".into())
        );
        assert_eq!(tag_attribute("<a data-src=\"x\">", "src"), None);
    }

    #[test]
    fn many_code_spans_and_shortcodes_take_one_pass() {
        let html = "<code>x</code> [unknown a=1] ".repeat(20_000) + "<pre>end</pre>";
        let (markdown, found) = post(&html);
        assert_eq!(found.unknown_shortcodes.len(), 20_000);
        assert!(
            markdown.ends_with("```\nend\n```\n"),
            "{}",
            &markdown[markdown.len() - 40..]
        );
    }

    #[test]
    fn many_unclosed_embeds_and_frames_take_one_pass() {
        // Each opening without its end, and one end far after them all:
        // looking for each one's end again would read the text 20,000 times
        // (minutes, where this takes a blink).
        let html =
            "<!-- wp:embed {\"url\":\"https://youtu.be/SQEQr7c0-dw\"} -->x <!-- wp:core-embed/y "
                .repeat(20_000)
                + "-->"
                + &"<iframe src=\"https://youtu.be/SQEQr7c0-dw\">".repeat(20_000)
                + "</iframe><!-- /wp:embed -->";
        let (markdown, _) = post(&html);
        assert!(
            markdown.contains("<https://youtu.be/SQEQr7c0-dw>"),
            "{}",
            &markdown[..200]
        );
    }

    #[test]
    fn small_markup_is_kept() {
        let (markdown, _) =
            post("<del>old</del> <ins>new</ins> H<sub>2</sub>O x<sup>2</sup> <kbd>Ctrl</kbd>");
        assert_eq!(
            markdown,
            "~~old~~ <ins>new</ins> H<sub>2</sub>O x<sup>2</sup> <kbd>Ctrl</kbd>\n"
        );
    }

    #[test]
    fn the_more_marker_survives() {
        let (markdown, _) = post("Intro.\n\n<!--more-->\n\nRest.");
        assert_eq!(markdown, "Intro.\n\n<!-- more -->\n\nRest.\n");
    }
}
