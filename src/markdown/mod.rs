//! Markdown to HTML, once per article: the full body, the summary, the table
//! of contents, the word count and the internal links, all from one parse,
//! with GitHub's alerts as callouts, videos as facades (`embed`) and code
//! in colour (`highlight`).
//!
//! Not for untrusted text: comment bodies go through `sanitize`.

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{
    CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html,
};
use serde::Serialize;

mod embed;
mod highlight;

pub use highlight::Highlighter;

use crate::scan;
use crate::slug::slugify;
use crate::urls::{ROOT_MARK, site_link};

/// The line that ends an article's summary.
pub const MORE_MARKER: &str = "<!-- more -->";

/// One heading in a table of contents, with the headings nested under it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
    pub children: Vec<TocEntry>,
}

/// Everything the site needs from one Markdown body.
#[derive(Debug, Clone, Default)]
pub struct Body {
    pub html: String,
    /// The part before `<!-- more -->`, or else the first paragraph.
    pub summary: String,
    /// Whether the body goes on after the summary.
    pub has_more: bool,
    pub toc: Vec<TocEntry>,
    pub words: usize,
    /// Links into this site (before `base_path` is put in front).
    pub internal_links: Vec<InternalLink>,
    /// The first image of the body, as written, for link previews.
    pub first_image: Option<String>,
    /// Where in `html` each image of this site is, in order, for `images`
    /// to show in its sizes.
    pub images: Vec<ImageAt>,
    /// The same in `summary`.
    pub summary_images: Vec<ImageAt>,
    /// How many video and social links it shows as facades (`embed`),
    /// which need the theme's `embeds.js` to play in the page. The summary
    /// shows them as links.
    pub embeds: usize,
}

/// One `<img>` of a body that points into the site: where it is in the
/// HTML, what it points at and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageAt {
    /// The bytes of its `<img>` tag.
    pub range: std::ops::Range<usize>,
    /// `/posts/x/photo.jpg`, as written (not decoded).
    pub site_path: String,
    /// Its alternative text and title, as text (not escaped).
    pub alt: String,
    pub title: String,
}

/// The Markdown extensions of the contract.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
}

/// Renders the body of the page at site path `page_path` (`posts/x/`).
/// Root-relative links (`/posts/x/`) become `urls::site_link`s, which each
/// page fills with its way back to the root, so they work under a sub-path
/// and from disk alike. Relative links (`cover.png`) stay as written in the
/// page, and become site links in the summary, which is shown on other
/// pages.
/// Code blocks are highlighted by `code`.
pub fn render<'a>(source: &'a str, page_path: &str, code: &'a Highlighter) -> Body {
    // As CommonMark asks, and so that no text holds the marks of
    // `mark_images`.
    let source = if source.contains('\0') {
        std::borrow::Cow::Owned(source.replace('\0', "\u{FFFD}"))
    } else {
        std::borrow::Cow::Borrowed(source)
    };
    let source = source.as_ref();
    let mut events: Vec<Event> = Parser::new_ext(source, options()).collect();
    move_footnotes_to_the_end(&mut events);
    let toc = assign_heading_ids(&mut events);
    let first_image = events.iter().find_map(|e| match e {
        Event::Start(Tag::Image { dest_url, .. }) if !dest_url.is_empty() => {
            Some(dest_url.to_string())
        }
        _ => None,
    });
    callouts(&mut events);
    let facades = embed::facades(&mut events);
    let marked = mark_images(&mut events, page_path);
    let internal_links = internal_links(&mut events, page_path);
    let words = count_words(&events);
    highlight_code(&mut events, code);
    let (range, has_more) = match more_marker(&events) {
        Some(cut) => (0..cut, true),
        None => first_paragraph(&events),
    };
    let mut summary_events = events[range].to_vec();
    resolve_relative_links(&mut summary_events, page_path);
    embed::as_links(&mut summary_events, &facades);
    let mut html_out = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut html_out, events.into_iter());
    let (html_out, images) = take_image_marks(html_out, &marked);
    let (summary, summary_images) = take_image_marks(to_html(summary_events.into_iter()), &marked);
    Body {
        // Kept for the whole build: an exact copy, so the room left over in
        // the working buffer goes back to the allocator at once.
        html: html_out.as_str().to_owned(),
        summary,
        has_more,
        toc,
        words,
        internal_links,
        first_image,
        images,
        summary_images,
        embeds: facades.len(),
    }
}

/// GitHub's alerts (`> [!TIP]` and the four others) as titled boxes: a
/// `<div role="note">` with its kind as a class and as a bold title, which a
/// feed reader shows as plain text.
fn callouts(events: &mut [Event]) {
    for event in events.iter_mut() {
        match event {
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let (class, title) = callout(*kind);
                *event = Event::Html(CowStr::from(format!(
                    "<div class=\"callout callout-{class}\" role=\"note\" aria-label=\"{title}\">\n<p class=\"callout-title\"><strong>{title}</strong></p>\n"
                )));
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => {
                *event = Event::Html(CowStr::from("</div>\n"));
            }
            _ => {}
        }
    }
}

/// Puts the code of each fenced block whose language `code` knows in the
/// spans of its tokens, one HTML event between the block's tags.
fn highlight_code<'a>(events: &mut Vec<Event<'a>>, code: &'a Highlighter) {
    // Most bodies have none: they are not copied.
    let fenced = |e: &Event| matches!(e, Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(_))));
    if !events.iter().any(fenced) {
        return;
    }
    let mut out = Vec::with_capacity(events.len());
    let mut input = std::mem::take(events).into_iter().peekable();
    while let Some(event) = input.next() {
        let language = match &event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => info.clone(),
            _ => {
                out.push(event);
                continue;
            }
        };
        let language = language.split(' ').next().unwrap_or("");
        out.push(event);
        let mut text = String::new();
        let mut pieces = Vec::new();
        while let Some(piece) = input.next_if(|e| matches!(e, Event::Text(_))) {
            if let Event::Text(t) = &piece {
                text.push_str(t);
            }
            pieces.push(piece);
        }
        match code.code(language, &text) {
            Some(html) => out.push(Event::Html(CowStr::from(html))),
            None => out.extend(pieces),
        }
    }
    *events = out;
}

/// The class and title of a callout.
fn callout(kind: pulldown_cmark::BlockQuoteKind) -> (&'static str, &'static str) {
    use pulldown_cmark::BlockQuoteKind as K;
    match kind {
        K::Note => ("note", "Note"),
        K::Tip => ("tip", "Tip"),
        K::Important => ("important", "Important"),
        K::Warning => ("warning", "Warning"),
        K::Caution => ("caution", "Caution"),
    }
}

/// An image of the site, marked in the events.
struct Marked {
    site_path: String,
    alt: String,
    title: String,
}

/// Puts a mark before and after each image that points into the site
/// (`\0` + its number + `\0` and `\0\0`): no text can hold `\0`, which
/// Markdown turns into U+FFFD, so the marks are found again in the HTML
/// whatever the body says (`take_image_marks`).
fn mark_images(events: &mut Vec<Event>, page_path: &str) -> Vec<Marked> {
    let is_local_image = |e: &Event| matches!(e, Event::Start(Tag::Image { dest_url, .. }) if site_path_of(dest_url, page_path).is_some());
    if !events.iter().any(is_local_image) {
        return Vec::new();
    }
    let mut marked = Vec::new();
    let mut out = Vec::with_capacity(events.len() + 8);
    // The image being read, and how deep inside it the events are.
    let mut open: Option<(Marked, usize)> = None;
    for event in events.drain(..) {
        match (&event, &mut open) {
            (Event::Start(Tag::Image { .. }), Some((_, depth))) => *depth += 1,
            (
                Event::Start(Tag::Image {
                    dest_url, title, ..
                }),
                None,
            ) => {
                if let Some(site_path) = site_path_of(dest_url, page_path) {
                    out.push(Event::InlineHtml(CowStr::from(format!(
                        "\0{}\0",
                        marked.len()
                    ))));
                    let image = Marked {
                        site_path,
                        alt: String::new(),
                        title: title.to_string(),
                    };
                    open = Some((image, 0));
                }
            }
            (Event::End(TagEnd::Image), Some((_, depth))) if *depth > 0 => *depth -= 1,
            (Event::End(TagEnd::Image), Some(_)) => {
                out.push(event);
                out.push(Event::InlineHtml(CowStr::from("\0\0")));
                marked.extend(open.take().map(|(image, _)| image));
                continue;
            }
            (Event::Text(t) | Event::Code(t), Some((image, _))) => image.alt.push_str(t),
            _ => {}
        }
        out.push(event);
    }
    *events = out;
    marked
}

/// `html` without the marks of `mark_images`, and where each marked image
/// is in it.
fn take_image_marks(html: String, marked: &[Marked]) -> (String, Vec<ImageAt>) {
    if marked.is_empty() || !html.contains('\0') {
        return (html, Vec::new());
    }
    let mut out = String::with_capacity(html.len());
    let mut found = Vec::new();
    let mut open: Option<(usize, usize)> = None;
    let mut pieces = html.split('\0');
    out.push_str(pieces.next().unwrap_or_default());
    while let (Some(mark), Some(text)) = (pieces.next(), pieces.next()) {
        match (mark.parse::<usize>(), open.take()) {
            (Ok(n), _) => open = Some((n, out.len())),
            (Err(_), Some((n, start))) => {
                if let Some(image) = marked.get(n) {
                    found.push(ImageAt {
                        range: start..out.len(),
                        site_path: image.site_path.clone(),
                        alt: image.alt.clone(),
                        title: image.title.clone(),
                    });
                }
            }
            (Err(_), None) => {}
        }
        out.push_str(text);
    }
    (out, found)
}

/// The text of some Markdown, without markup, on one line: what a comment
/// says, for structured data. Nothing in it is HTML.
pub fn text_of(source: &str) -> String {
    if is_plain_prose(source) {
        // Its text is its words (most comments): no need to parse it.
        let mut text = String::with_capacity(source.len());
        push_words(&mut text, source, &mut false);
        return text;
    }
    parsed_text(source)
}

/// `text_of`, by parsing.
fn parsed_text(source: &str) -> String {
    let mut text = String::with_capacity(source.len());
    // Whether a space goes before the next word.
    let mut apart = false;
    for event in Parser::new_ext(source, Options::empty()) {
        match event {
            Event::Text(t) | Event::Code(t) => push_words(&mut text, &t, &mut apart),
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock
                | TagEnd::TableCell,
            ) => apart = true,
            _ => {}
        }
    }
    text
}

/// Whether `source` is prose that Markdown leaves as it is, save for white
/// space: no character that starts markup anywhere (`*`, `` ` ``, `<`, `&`,
/// `[`…), no line that starts with a list marker or a digit, and no
/// control character.
fn is_plain_prose(source: &str) -> bool {
    let markup = |b: u8| {
        matches!(
            b,
            b'\\'
                | b'`'
                | b'*'
                | b'_'
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'!'
                | b'&'
                | b'~'
                | b'#'
                | b'|'
                | b'='
        ) || scan::is_control(b)
    };
    let starts_block = |line: &str| {
        line.trim_start()
            .starts_with(|c: char| c == '-' || c == '+' || c.is_ascii_digit())
    };
    !scan::any_byte(source, markup) && !source.lines().any(starts_block)
}

/// Appends the words of `piece` to `text`, one space between words (also
/// where `apart` says the last piece ended one), none at the start.
fn push_words(text: &mut String, piece: &str, apart: &mut bool) {
    if piece.is_ascii() {
        return push_ascii_words(text, piece, apart);
    }
    let mut rest = piece;
    while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
        *apart |= start > 0;
        rest = &rest[start..];
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        if *apart && !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&rest[..end]);
        *apart = false;
        rest = &rest[end..];
    }
    *apart |= !rest.is_empty();
}

/// `push_words` for ASCII (most comments), byte by byte: words with the
/// single spaces between them are copied as one run, and only other white
/// space (the six characters `char::is_whitespace` takes below 128) is
/// folded.
fn push_ascii_words(text: &mut String, piece: &str, apart: &mut bool) {
    let bytes = piece.as_bytes();
    let space = |at: usize| matches!(bytes[at], b' ' | b'\t'..=b'\r');
    let lone_space = |at: usize| bytes[at] == b' ' && at + 1 < bytes.len() && !space(at + 1);
    let mut at = 0;
    loop {
        let gap = at;
        while at < bytes.len() && space(at) {
            at += 1;
        }
        *apart |= at > gap;
        if at == bytes.len() {
            return;
        }
        if *apart && !text.is_empty() {
            text.push(' ');
        }
        *apart = false;
        let run = at;
        while at < bytes.len() && (!space(at) || lone_space(at)) {
            at += 1;
        }
        text.push_str(&piece[run..at]);
    }
}

/// Footnotes as readers expect them: each reference a superscript number
/// (in order of first use) linking to its note, the notes in a numbered
/// list at the end, each with a ↩ link back to where it was cited. Ids are
/// prefixed (`fn-`, `fnref-`) so they never clash with headings.
fn move_footnotes_to_the_end(events: &mut Vec<Event>) {
    let has_notes = events
        .iter()
        .any(|e| matches!(e, Event::FootnoteReference(_)));
    let has_definitions = || {
        events
            .iter()
            .any(|e| matches!(e, Event::Start(Tag::FootnoteDefinition(_))))
    };
    if !has_notes && !has_definitions() {
        // Most bodies: nothing to move, so no copy of every event.
        return;
    }
    let mut notes: Vec<(String, Vec<Event>)> = Vec::new();
    let mut kept = Vec::with_capacity(events.len());
    let mut current: Option<(String, Vec<Event>)> = None;
    for event in events.drain(..) {
        match (event, &mut current) {
            (Event::Start(Tag::FootnoteDefinition(label)), _) => {
                current = Some((label.to_string(), Vec::new()));
            }
            (Event::End(TagEnd::FootnoteDefinition), _) => notes.extend(current.take()),
            (event, Some((_, inside))) => inside.push(event),
            (event, None) => kept.push(event),
        }
    }
    let mut numbers: HashMap<String, usize> = HashMap::new();
    let mut cited: HashMap<String, usize> = HashMap::new();
    for event in &mut kept {
        if let Event::FootnoteReference(label) = event {
            let label = label.to_string();
            let next = numbers.len() + 1;
            let n = *numbers.entry(label.clone()).or_insert(next);
            let times = cited.entry(label.clone()).or_default();
            *times += 1;
            let id = note_id(&label);
            let back = if *times == 1 {
                format!("fnref-{id}")
            } else {
                format!("fnref-{id}-{times}")
            };
            *event = Event::InlineHtml(CowStr::from(format!(
                "<sup class=\"footnote-ref\" id=\"{back}\"><a href=\"#fn-{id}\" role=\"doc-noteref\">{n}</a></sup>"
            )));
        }
    }
    // Notes in the order they are first cited; notes never cited after them.
    notes.sort_by_key(|(label, _)| numbers.get(label).copied().unwrap_or(usize::MAX));
    kept.push(Event::Html(CowStr::from(
        "<section class=\"footnotes\" role=\"doc-endnotes\">\n<ol>\n",
    )));
    for (label, mut body) in notes {
        let id = note_id(&label);
        kept.push(Event::Html(CowStr::from(format!("<li id=\"fn-{id}\">\n"))));
        if numbers.contains_key(&label) {
            let back = Event::InlineHtml(CowStr::from(format!(
                " <a href=\"#fnref-{id}\" class=\"footnote-backref\" role=\"doc-backlink\" aria-label=\"Back to the text\">↩</a>"
            )));
            match body
                .iter()
                .rposition(|e| matches!(e, Event::End(TagEnd::Paragraph)))
            {
                Some(at) => body.insert(at, back),
                None => body.push(back),
            }
        }
        kept.extend(body);
        kept.push(Event::Html(CowStr::from("</li>\n")));
    }
    kept.push(Event::Html(CowStr::from("</ol>\n</section>\n")));
    *events = kept;
}

/// A footnote label as an id: `fn-1`, `fn-a-note`.
fn note_id(label: &str) -> String {
    let slug = slugify(label);
    if slug.is_empty() { "note".into() } else { slug }
}

/// Renders Markdown with the contract's extensions and nothing else.
pub fn render_plain(source: &str) -> String {
    to_html(Parser::new_ext(source, options()))
}

fn to_html<'a>(events: impl Iterator<Item = Event<'a>>) -> String {
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

/// The index of the first event of the `<!-- more -->` block, if any.
fn more_marker(events: &[Event]) -> Option<usize> {
    let at = events
        .iter()
        .position(|e| matches!(e, Event::Html(t) if t.trim() == MORE_MARKER))?;
    let starts_block = at > 0 && matches!(events[at - 1], Event::Start(Tag::HtmlBlock));
    Some(if starts_block { at - 1 } else { at })
}

/// The events of the first top-level paragraph, and whether anything follows.
fn first_paragraph(events: &[Event]) -> (std::ops::Range<usize>, bool) {
    let mut depth = 0usize;
    for (i, event) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::Paragraph) if depth == 0 => {
                let end = events[i..]
                    .iter()
                    .position(|e| matches!(e, Event::End(TagEnd::Paragraph)))
                    .map_or(events.len(), |p| i + p + 1);
                let rest_has_content = events[end..].iter().any(|e| !e_is_blank(e));
                return (i..end, rest_has_content);
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    (0..0, false)
}

fn e_is_blank(event: &Event) -> bool {
    matches!(event, Event::SoftBreak | Event::HardBreak)
        || matches!(event, Event::Text(t) if t.trim().is_empty())
}

/// Gives every heading a unique id (keeping ids written as `{#id}`) and
/// returns the nested table of contents.
fn assign_heading_ids(events: &mut [Event]) -> Vec<TocEntry> {
    let mut ids = Ids::default();
    let mut flat = Vec::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { level, id, .. }) = &events[i] {
            let level = heading_number(*level);
            let end = events[i..]
                .iter()
                .position(|e| matches!(e, Event::End(TagEnd::Heading(_))))
                .map_or(events.len(), |p| i + p);
            let title = plain_text(&events[i + 1..end]);
            let wanted = match id {
                Some(given) => given.to_string(),
                None => slugify(&title),
            };
            let unique = ids.unique(if wanted.is_empty() {
                "section".into()
            } else {
                wanted
            });
            if let Event::Start(Tag::Heading { id, .. }) = &mut events[i] {
                *id = Some(CowStr::from(unique.clone()));
            }
            flat.push(TocEntry {
                level,
                id: unique,
                title,
                children: Vec::new(),
            });
            i = end;
        }
        i += 1;
    }
    nest(flat)
}

fn heading_number(level: HeadingLevel) -> u8 {
    level as u8
}

/// The ids given so far, and for each wanted id the next number to try, so
/// that many headings of one title take linear time, not quadratic.
#[derive(Default)]
struct Ids {
    used: HashSet<String>,
    next: HashMap<String, usize>,
}

impl Ids {
    /// `wanted`, or `wanted-1`, `wanted-2`… if that is taken.
    fn unique(&mut self, wanted: String) -> String {
        if self.used.insert(wanted.clone()) {
            return wanted;
        }
        let n = self.next.entry(wanted.clone()).or_insert(1);
        loop {
            let candidate = format!("{wanted}-{n}");
            *n += 1;
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

fn plain_text(events: &[Event]) -> String {
    let mut text = String::new();
    for event in events {
        if let Event::Text(t) | Event::Code(t) = event {
            text.push_str(t);
        }
    }
    text
}

/// Turns a flat list of headings into a tree: each heading holds the deeper
/// headings that follow it.
fn nest(flat: Vec<TocEntry>) -> Vec<TocEntry> {
    let mut roots: Vec<TocEntry> = Vec::new();
    for entry in flat {
        insert_entry(&mut roots, entry);
    }
    roots
}

fn insert_entry(siblings: &mut Vec<TocEntry>, entry: TocEntry) {
    match siblings.last_mut() {
        Some(last) if last.level < entry.level => insert_entry(&mut last.children, entry),
        _ => siblings.push(entry),
    }
}

fn link_target<'e, 'a>(event: &'e mut Event<'a>) -> Option<&'e mut CowStr<'a>> {
    match event {
        Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => Some(dest_url),
        _ => None,
    }
}

/// A link into this site, for checking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InternalLink {
    /// Where it leads: `/posts/x/`.
    pub site_path: String,
    /// As the writer wrote it: `../x/`, `cover.png`.
    pub written: String,
}

/// Makes root-relative links site links and returns every link into this
/// site, for checking.
fn internal_links(events: &mut [Event], page_path: &str) -> Vec<InternalLink> {
    let mut links = Vec::new();
    for dest_url in events.iter_mut().filter_map(link_target) {
        let Some(site_path) = site_path_of(dest_url, page_path) else {
            continue;
        };
        let written = dest_url.to_string();
        if dest_url.starts_with('/') {
            *dest_url = CowStr::from(site_link(&site_path));
        }
        links.push(InternalLink { site_path, written });
    }
    links
}

/// Makes relative links site links too, for HTML shown elsewhere.
fn resolve_relative_links(events: &mut [Event], page_path: &str) {
    for dest_url in events.iter_mut().filter_map(link_target) {
        if !dest_url.starts_with(ROOT_MARK)
            && let Some(site_path) = site_path_of(dest_url, page_path)
        {
            *dest_url = CowStr::from(site_link(&site_path));
        }
    }
}

/// The site path a link from the page at `page_path` points to, if it
/// points into this site (not elsewhere, nor within the page).
pub(crate) fn site_path_of(url: &str, page_path: &str) -> Option<String> {
    if url.starts_with("//") || url.starts_with('#') || url.starts_with('?') || url.is_empty() {
        return None;
    }
    if url.starts_with('/') {
        return Some(url.to_string());
    }
    let before_slash = url.split('/').next().unwrap_or_default();
    if before_slash.contains(':') {
        return None; // a scheme: https:, mailto:, …
    }
    Some(format!("/{page_path}{url}"))
}

fn count_words(events: &[Event]) -> usize {
    events
        .iter()
        .map(|e| match e {
            Event::Text(t) | Event::Code(t) => words_in(t),
            _ => 0,
        })
        .sum()
}

/// The words of `text`, as `split_whitespace` counts them: a word starts at
/// each byte that is not space after one that is. When the text is ASCII,
/// pairs of bytes are counted 255 at a time into a byte, a loop the
/// compiler turns into vector code (word counting was a tenth of all build
/// time), and whether it is ASCII is told in the same pass.
fn words_in(text: &str) -> usize {
    let bytes = text.as_bytes();
    let Some(&first) = bytes.first() else {
        return 0;
    };
    // ASCII's Unicode white space: tab, line feed, vertical tab, form feed,
    // carriage return, space.
    let space = |b: u8| b == b' ' || (b'\t'..=b'\r').contains(&b);
    let mut starts = 0;
    let mut high = first;
    for (before, at) in bytes.chunks(255).zip(bytes[1..].chunks(255)) {
        let (count, bits) = before
            .iter()
            .zip(at)
            .fold((0u8, 0u8), |(n, bits), (&b, &a)| {
                (n + u8::from(space(b) & !space(a)), bits | a)
            });
        starts += usize::from(count);
        high |= bits;
    }
    if !high.is_ascii() {
        return text.split_whitespace().count();
    }
    starts + usize::from(!space(first))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `super::render` with nothing kept from an earlier build.
    fn render(source: &str, page_path: &str) -> Body {
        super::render(source, page_path, &Highlighter::default())
    }

    #[test]
    fn alerts_are_titled_boxes_and_other_quotes_stay_quotes() {
        let r = render(
            "> [!TIP]\n> Do **not** text him first.\n\n> [!CAUTION]\n> Two\n>\n> paragraphs.\n\n> [!SOMETHING]\n> Not a kind.\n\n> A plain quote.\n",
            "posts/x/",
        );
        let doc = r.html.as_str();
        assert!(
            doc.starts_with("<div class=\"callout callout-tip\" role=\"note\" aria-label=\"Tip\">\n<p class=\"callout-title\"><strong>Tip</strong></p>\n<p>Do <strong>not</strong> text him first.</p>\n</div>\n"),
            "{doc}"
        );
        assert!(doc.contains("<div class=\"callout callout-caution\" role=\"note\" aria-label=\"Caution\">\n<p class=\"callout-title\"><strong>Caution</strong></p>\n<p>Two</p>\n<p>paragraphs.</p>\n</div>"), "{doc}");
        assert!(doc.contains("<blockquote>\n<p>[!SOMETHING]"), "{doc}");
        assert!(
            doc.contains("<blockquote>\n<p>A plain quote.</p>\n</blockquote>"),
            "{doc}"
        );
        for (kind, title) in [
            ("NOTE", "Note"),
            ("IMPORTANT", "Important"),
            ("WARNING", "Warning"),
        ] {
            let html = render(&format!("> [!{kind}]\n> x\n"), "").html;
            assert!(html.contains(&format!("aria-label=\"{title}\"")), "{html}");
        }
    }

    #[test]
    fn the_sites_images_are_found_in_the_html_and_the_summary() {
        let r = render(
            "Look: ![A *calm* day](photo.jpg \"At home\") and ![far](https://cdn.example/x.jpg).\n\n[![inner](/img/b.png)](/posts/y/) \u{0}\n\n<!-- more -->\n\nAfter ![last](c.gif)\n",
            "posts/x/",
        );
        assert!(
            !r.html.contains('\0') && !r.summary.contains('\0'),
            "{}",
            r.html
        );
        let tags: Vec<&str> = r.images.iter().map(|i| &r.html[i.range.clone()]).collect();
        assert_eq!(
            tags,
            [
                "<img src=\"photo.jpg\" alt=\"A calm day\" title=\"At home\" />",
                "<img src=\"%7Bmend-root%7Dimg/b.png\" alt=\"inner\" />",
                "<img src=\"c.gif\" alt=\"last\" />",
            ]
        );
        assert_eq!(r.images[0].site_path, "/posts/x/photo.jpg");
        assert_eq!(
            (r.images[0].alt.as_str(), r.images[0].title.as_str()),
            ("A calm day", "At home")
        );
        let in_summary: Vec<&str> = r
            .summary_images
            .iter()
            .map(|i| &r.summary[i.range.clone()])
            .collect();
        assert_eq!(
            in_summary,
            [
                "<img src=\"%7Bmend-root%7Dposts/x/photo.jpg\" alt=\"A calm day\" title=\"At home\" />",
                "<img src=\"%7Bmend-root%7Dimg/b.png\" alt=\"inner\" />",
            ]
        );
    }

    #[test]
    fn headings_get_unique_ids_and_a_nested_toc() {
        let r = render(
            "# Intro\n\n## Why\n\n## Why\n\n### Deep `code`\n\n# Custom {#mine}\n",
            "posts/x/",
        );
        assert!(r.html.contains(r#"<h1 id="intro">"#), "{}", r.html);
        assert!(r.html.contains(r#"<h2 id="why">"#));
        assert!(r.html.contains(r#"<h2 id="why-1">"#));
        assert!(r.html.contains(r#"<h1 id="mine">"#));
        assert_eq!(r.toc.len(), 2);
        assert_eq!(r.toc[0].children.len(), 2);
        assert_eq!(r.toc[0].children[1].children[0].title, "Deep code");
    }

    #[test]
    fn many_headings_of_one_title_get_numbered_ids() {
        let source = "## Same\n\n".repeat(20_000) + "## Same-1\n";
        let r = render(&source, "posts/x/");
        assert!(r.html.contains(r#"<h2 id="same-19999">"#));
        // A title whose slug was already given out as a number gets the next.
        assert!(r.html.contains(r#"<h2 id="same-1-1">"#));
        assert_eq!(r.toc.len(), 20_001);
    }

    #[test]
    fn summary_stops_at_more_marker() {
        let r = render("First.\n\nSecond.\n\n<!-- more -->\n\nThird.\n", "posts/x/");
        assert!(r.summary.contains("Second."));
        assert!(!r.summary.contains("Third."));
        assert!(r.has_more);
    }

    #[test]
    fn summary_defaults_to_first_paragraph() {
        let r = render("## Head\n\nFirst para.\n\nSecond para.\n", "posts/x/");
        assert_eq!(r.summary.trim(), "<p>First para.</p>");
        assert!(r.has_more);
        let only = render("Only.\n", "posts/x/");
        assert!(!only.has_more);
    }

    #[test]
    fn extensions_and_word_count() {
        let r = render(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~ \"quoted\"\n\n- [x] done\n\nNote[^1].\n\n[^1]: A footnote.\n",
            "posts/x/",
        );
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("<del>gone</del>"));
        assert!(r.html.contains("\u{201c}quoted\u{201d}"));
        assert!(r.html.contains("checkbox"));
        assert!(r.html.contains("footnote"));
    }

    #[test]
    fn footnotes_are_numbered_linked_both_ways_and_gathered_at_the_end() {
        let r = render(
            "Second[^b] then first[^a] and again[^b].\n\n[^a]: Note A.\n[^b]: Note *B*.\n\nAfter.\n",
            "posts/x/",
        );
        assert_eq!(
            r.html,
            "<p>Second<sup class=\"footnote-ref\" id=\"fnref-b\"><a href=\"#fn-b\" role=\"doc-noteref\">1</a></sup> then first<sup class=\"footnote-ref\" id=\"fnref-a\"><a href=\"#fn-a\" role=\"doc-noteref\">2</a></sup> and again<sup class=\"footnote-ref\" id=\"fnref-b-2\"><a href=\"#fn-b\" role=\"doc-noteref\">1</a></sup>.</p>\n\
             <p>After.</p>\n\
             <section class=\"footnotes\" role=\"doc-endnotes\">\n<ol>\n\
             <li id=\"fn-b\">\n<p>Note <em>B</em>. <a href=\"#fnref-b\" class=\"footnote-backref\" role=\"doc-backlink\" aria-label=\"Back to the text\">↩</a></p>\n</li>\n\
             <li id=\"fn-a\">\n<p>Note A. <a href=\"#fnref-a\" class=\"footnote-backref\" role=\"doc-backlink\" aria-label=\"Back to the text\">↩</a></p>\n</li>\n\
             </ol>\n</section>\n"
        );
        assert!(r.words > 5);
    }

    #[test]
    fn words_are_counted_as_split_whitespace_does() {
        for text in [
            "",
            " ",
            "one",
            " one two  three ",
            "tab\tand\nnew\x0bline\x0cfeed\r\nend",
            "\u{a0}non\u{a0}breaking\u{3000}ideographic",
            "caf\u{e9} au lait",
            "a\x00b c",
            &"word ".repeat(40),
            &"x".repeat(64),
            &format!("{} {}", "a".repeat(63), "b".repeat(70)),
            &format!("{} {}", "a".repeat(254), "b".repeat(300)),
            &format!("{}\t{} ", "a".repeat(255), "b".repeat(255)),
            &format!("{} caf\u{e9}", "a ".repeat(200)),
        ] {
            assert_eq!(words_in(text), text.split_whitespace().count(), "{text:?}");
        }
    }

    #[test]
    fn text_of_drops_markup() {
        assert_eq!(
            text_of("It is **day one**.\n\n> A quote\nwith `code` and <b>tags</b>"),
            "It is day one. A quote with code and tags"
        );
        // White space of any kind, at any edge of a piece, is one space.
        for (source, text) in [
            ("  lead\tand   trail  ", "lead and trail"),
            ("one\u{a0}two\u{2003}three", "one two three"),
            ("- a\n- b\n\n# c\n\nd&amp;e", "a b c d&e"),
            ("x`y`z **w** ", "xyz w"),
            ("\n\n", ""),
            ("a\x0bb\x0cc\rd\x1fe", "a b c d\x1fe"),
            ("d\u{85}e\u{2028}f", "d e f"),
        ] {
            assert_eq!(text_of(source), text, "{source:?}");
        }
    }

    #[test]
    fn words_are_joined_as_split_whitespace_finds_them() {
        for piece in [
            "",
            "   ",
            "one",
            " lead and trail ",
            "tab\tnew\nline\x0bvt\x0cff\rcr end",
            "unit\x1fseparator and\x00nul",
            "two  spaces, a space \tand a tab,\n \nand x y z ",
            "a b c d",
            "caf\u{e9}\u{a0}au\u{2003}lait\u{85}x\u{3000}",
        ] {
            let mut text = String::new();
            push_words(&mut text, piece, &mut false);
            let words: Vec<&str> = piece.split_whitespace().collect();
            assert_eq!(text, words.join(" "), "{piece:?}");
        }
        // A piece that ends or starts with white space is apart from the next.
        for (pieces, joined) in [
            (["a ", "b"], "a b"),
            (["a", " b"], "a b"),
            (["a", "b"], "ab"),
            (["  ", "b"], "b"),
            (["caf\u{e9}\u{a0}", "b"], "caf\u{e9} b"),
        ] {
            let (mut text, mut apart) = (String::new(), false);
            for piece in pieces {
                push_words(&mut text, piece, &mut apart);
            }
            assert_eq!(text, joined, "{pieces:?}");
        }
    }

    #[test]
    fn plain_prose_is_told_apart_and_gives_the_text_a_parse_gives() {
        for prose in [
            "I went no contact for thirty days. It hurt, then it helped.",
            "  Self-worth first; coffee (with friends) second?  \n\nThen: walks.",
            "Line one\n    indented four\n\tand a tab\nend - of it",
            "Quotes \"straight\" and 'single', 100% sure, 3 times.",
            "caf\u{e9}\u{a0}au\u{2003}lait",
            "",
        ] {
            assert!(is_plain_prose(prose), "{prose:?}");
            assert_eq!(text_of(prose), parsed_text(prose), "{prose:?}");
        }
        for markup in [
            "**bold**",
            "a `code` span",
            "see <https://e.com>",
            "x &amp; y",
            "[a](b)",
            "# Title",
            "Title\n===",
            "Title\n---",
            "- item",
            "+ item",
            "1. first",
            "  2) second",
            "> quote",
            "a\\\nb",
            "~~~\ncode\n~~~",
            "a\u{0}b",
        ] {
            assert!(!is_plain_prose(markup), "{markup:?}");
        }
    }

    #[test]
    fn internal_links_become_site_links() {
        let r = render(
            "[a](/posts/y/) [b](https://e.com/) [c](//cdn/x) ![d](cover.png) [e](#top) [f](mailto:a@b.c)",
            "posts/x/",
        );
        let page = crate::urls::fill_root(&r.html, "../../");
        assert!(page.contains(r#"href="../../posts/y/""#), "{page}");
        assert!(r.html.contains(r#"href="https://e.com/""#));
        assert!(r.html.contains(r#"src="cover.png""#));
        let list = crate::urls::fill_root(&r.summary, "./");
        assert!(list.contains(r#"src="./posts/x/cover.png""#), "{list}");
        assert!(r.html.contains(r##"href="#top""##));
        let paths: Vec<&str> = r
            .internal_links
            .iter()
            .map(|l| l.site_path.as_str())
            .collect();
        assert_eq!(paths, ["/posts/y/", "/posts/x/cover.png"]);
    }
}
