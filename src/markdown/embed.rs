//! Video and social links alone on a line (YouTube, Vimeo, TikTok,
//! Instagram) as facades: a box with the title and a play button that is a
//! plain link to the video, which the theme's `embeds.js` turns into the
//! player, from the provider's privacy domain where it has one, when the
//! reader presses it, and not before. Nothing of the provider is loaded
//! with the page: no thumbnail, no script.
//!
//! Not for other links (they stay links) nor for what the player looks
//! like (the theme).

use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};

use crate::xml::escape;

/// The sites mend makes facades for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Provider {
    YouTube,
    Vimeo,
    TikTok,
    Instagram,
}

impl Provider {
    /// Its name, as readers know it.
    fn name(self) -> &'static str {
        match self {
            Provider::YouTube => "YouTube",
            Provider::Vimeo => "Vimeo",
            Provider::TikTok => "TikTok",
            Provider::Instagram => "Instagram",
        }
    }

    /// Its name in class names: `embed-youtube`.
    fn class(self) -> &'static str {
        match self {
            Provider::YouTube => "youtube",
            Provider::Vimeo => "vimeo",
            Provider::TikTok => "tiktok",
            Provider::Instagram => "instagram",
        }
    }
}

/// The shape of a player, for the box to take its place without the page
/// moving.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Wide,
    Tall,
}

/// A link that mend shows as a facade: what it points at, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Embed {
    provider: Provider,
    /// The video's or post's id, of the characters its site uses only.
    id: String,
    /// What else the player needs: Vimeo's hash of an unlisted video,
    /// Instagram's kind of post (`p`, `reel`, `tv`).
    extra: Option<String>,
    /// Where a YouTube video starts, in seconds.
    start: Option<u32>,
    shape: Shape,
}

impl Embed {
    /// The link to the video on its site, without what the link was shared
    /// with (`si=`, `utm_…`): what a reader without script follows.
    fn link(&self) -> String {
        let id = &self.id;
        match self.provider {
            Provider::YouTube if self.shape == Shape::Tall => {
                format!("https://www.youtube.com/shorts/{id}")
            }
            Provider::YouTube => match self.start {
                Some(start) => format!("https://www.youtube.com/watch?v={id}&t={start}s"),
                None => format!("https://www.youtube.com/watch?v={id}"),
            },
            Provider::Vimeo => match &self.extra {
                Some(hash) => format!("https://vimeo.com/{id}/{hash}"),
                None => format!("https://vimeo.com/{id}"),
            },
            Provider::TikTok => {
                let user = self.extra.as_deref().unwrap_or("@");
                format!("https://www.tiktok.com/{user}/video/{id}")
            }
            Provider::Instagram => {
                let kind = self.extra.as_deref().unwrap_or("p");
                format!("https://www.instagram.com/{kind}/{id}/")
            }
        }
    }

    /// The player's address, which plays at once (the reader has pressed
    /// play): YouTube's cookie-less domain, Vimeo without tracking.
    fn player(&self) -> String {
        let id = &self.id;
        match self.provider {
            Provider::YouTube => match self.start {
                Some(start) => {
                    format!("https://www.youtube-nocookie.com/embed/{id}?autoplay=1&start={start}")
                }
                None => format!("https://www.youtube-nocookie.com/embed/{id}?autoplay=1"),
            },
            Provider::Vimeo => match &self.extra {
                Some(hash) => {
                    format!("https://player.vimeo.com/video/{id}?h={hash}&dnt=1&autoplay=1")
                }
                None => format!("https://player.vimeo.com/video/{id}?dnt=1&autoplay=1"),
            },
            Provider::TikTok => format!("https://www.tiktok.com/player/v1/{id}?autoplay=1"),
            Provider::Instagram => {
                let kind = self.extra.as_deref().unwrap_or("p");
                format!("https://www.instagram.com/{kind}/{id}/embed/")
            }
        }
    }

    /// The host the player loads from, for the reader to know before
    /// pressing.
    fn player_host(&self) -> &'static str {
        match self.provider {
            Provider::YouTube => "youtube-nocookie.com",
            Provider::Vimeo => "player.vimeo.com",
            Provider::TikTok => "tiktok.com",
            Provider::Instagram => "instagram.com",
        }
    }

    /// Its title: the link's own text, or after its site.
    fn title(&self, title: Option<&str>) -> String {
        let name = self.provider.name();
        match title.map(str::trim).filter(|t| !t.is_empty()) {
            Some(title) => title.to_string(),
            None if self.provider == Provider::Instagram => format!("A post on {name}"),
            None => format!("A video on {name}"),
        }
    }

    /// The facade: a figure holding a link to the video, titled `title`
    /// (text, not escaped) or after its site; and the plain link that
    /// stands for it where it cannot play.
    fn facade(&self, title: Option<&str>) -> Facade {
        let name = self.provider.name();
        let title = escape(&self.title(title));
        let link = escape(&self.link());
        let shape = match self.shape {
            Shape::Wide => "wide",
            Shape::Tall => "tall",
        };
        let html = format!(
            "<figure class=\"embed embed-{class} embed-{shape}\">\n<a class=\"embed-link\" href=\"{link}\" data-player=\"{player}\" data-from=\"{host}\">\
<span class=\"embed-play\" aria-hidden=\"true\"></span>\
<span class=\"embed-title\">{title}</span> \
<span class=\"embed-site\">{name}</span></a>\n</figure>\n",
            class = self.provider.class(),
            player = escape(&self.player()),
            host = self.player_host(),
        );
        Facade {
            html,
            link: format!("<p><a href=\"{link}\">{title}</a> ({name})</p>\n"),
        }
    }
}

/// A facade made in a body: its HTML, and the plain link that stands for
/// it in a summary, which lists show without the script that plays it.
pub(super) struct Facade {
    html: String,
    link: String,
}

/// The embed a URL points at, if it is a video or post of a provider and
/// every part of it is of the characters that site uses.
fn parse(url: &str) -> Option<Embed> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let (rest, _fragment) = rest.split_once('#').unwrap_or((rest, ""));
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = host.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let host = host.strip_prefix("m.").unwrap_or(host);
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    match host {
        "youtube.com" | "youtube-nocookie.com" => youtube(&parts, query),
        "youtu.be" => match parts.as_slice() {
            [id] => youtube_video(id, query, Shape::Wide),
            _ => None,
        },
        "vimeo.com" | "player.vimeo.com" => vimeo(&parts, query),
        "tiktok.com" => match parts.as_slice() {
            [user, "video", id] => Some(Embed {
                provider: Provider::TikTok,
                id: digits(id, 10..=25)?,
                extra: Some(tiktok_user(user)?),
                start: None,
                shape: Shape::Tall,
            }),
            _ => None,
        },
        "instagram.com" => {
            let (kind, id) = match parts.as_slice() {
                [kind, id] | [_, kind, id] => (*kind, *id),
                _ => return None,
            };
            let kind = ["p", "reel", "tv"].into_iter().find(|k| *k == kind)?;
            Some(Embed {
                provider: Provider::Instagram,
                id: word(id, 5..=40)?,
                extra: Some(kind.to_string()),
                start: None,
                shape: Shape::Tall,
            })
        }
        _ => None,
    }
}

fn youtube(parts: &[&str], query: &str) -> Option<Embed> {
    match parts {
        ["watch"] => youtube_video(param(query, "v")?, query, Shape::Wide),
        ["shorts", id] => youtube_video(id, query, Shape::Tall),
        ["embed" | "live" | "v", id] => youtube_video(id, query, Shape::Wide),
        _ => None,
    }
}

fn youtube_video(id: &str, query: &str, shape: Shape) -> Option<Embed> {
    let id = word(id, 11..=11)?;
    let start = param(query, "t")
        .or_else(|| param(query, "start"))
        .and_then(seconds);
    Some(Embed {
        provider: Provider::YouTube,
        id,
        extra: None,
        start,
        shape,
    })
}

fn vimeo(parts: &[&str], query: &str) -> Option<Embed> {
    let (id, hash) = match parts {
        ["video", id] | [id] => (*id, param(query, "h")),
        [id, hash] => (*id, Some(*hash)),
        ["channels", _, id] | ["groups", _, "videos", id] => (*id, None),
        _ => return None,
    };
    let hash = match hash {
        Some(hash) if hash.len() <= 32 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Some(hash.to_string())
        }
        Some(_) => return None,
        None => None,
    };
    Some(Embed {
        provider: Provider::Vimeo,
        id: digits(id, 1..=12)?,
        extra: hash,
        start: None,
        shape: Shape::Wide,
    })
}

/// `@name`, of the characters TikTok allows in names.
fn tiktok_user(text: &str) -> Option<String> {
    let name = text.strip_prefix('@')?;
    let fits = (1..=40).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_');
    fits.then(|| text.to_string())
}

/// The value of `name` in a query string, as written.
fn param<'q>(query: &'q str, name: &str) -> Option<&'q str> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// A start time as YouTube writes it: `90`, `90s`, `1m30s`, `1h2m3s`.
fn seconds(text: &str) -> Option<u32> {
    if let Ok(n) = text.parse::<u32>() {
        return Some(n);
    }
    let (mut total, mut number) = (0u32, 0u32);
    for c in text.chars() {
        let unit = match c {
            '0'..='9' => {
                number = number.checked_mul(10)?.checked_add(c as u32 - '0' as u32)?;
                continue;
            }
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return None,
        };
        total = total.checked_add(number.checked_mul(unit)?)?;
        number = 0;
    }
    (number == 0).then_some(total)
}

/// `text` if it is of letters, digits, `-` and `_` only, of a length in
/// `lengths`.
fn word(text: &str, lengths: std::ops::RangeInclusive<usize>) -> Option<String> {
    let fits = lengths.contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    fits.then(|| text.to_string())
}

/// `text` if it is of digits only, of a length in `lengths`.
fn digits(text: &str, lengths: std::ops::RangeInclusive<usize>) -> Option<String> {
    let fits = lengths.contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit());
    fits.then(|| text.to_string())
}

/// Makes each paragraph that is only a link to a video or post (written
/// `<url>`, `[title](url)` or as a bare URL) its facade; returns them.
pub(super) fn facades(events: &mut Vec<Event>) -> Vec<Facade> {
    // Each paragraph to replace: where it starts and ends, and its link.
    let found: Vec<(usize, usize, Embed, Option<String>)> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e, Event::Start(Tag::Paragraph)))
        .filter_map(|(at, _)| {
            let (len, embed, title) = lone_link(&events[at..])?;
            Some((at, at + len, embed, title))
        })
        .collect();
    // Most bodies have none: they are not copied.
    if found.is_empty() {
        return Vec::new();
    }
    let mut made = Vec::with_capacity(found.len());
    let mut out = Vec::with_capacity(events.len());
    let mut found = found.into_iter().peekable();
    for (i, event) in std::mem::take(events).into_iter().enumerate() {
        match found.next_if(|(_, end, ..)| i == *end) {
            // The paragraph's last event: the facade in its place.
            Some((_, _, embed, title)) => {
                let facade = embed.facade(title.as_deref());
                out.push(Event::Html(CowStr::from(facade.html.clone())));
                made.push(facade);
            }
            None if found.peek().is_some_and(|(at, ..)| i >= *at) => {}
            None => out.push(event),
        }
    }
    *events = out;
    made
}

/// Puts the plain link of each of `facades` in the place of the facade in
/// `events` (a summary's).
pub(super) fn as_links(events: &mut [Event], facades: &[Facade]) {
    if facades.is_empty() {
        return;
    }
    for event in events {
        if let Event::Html(html) = event
            && let Some(facade) = facades.iter().find(|f| f.html == html.as_ref())
        {
            *event = Event::Html(CowStr::from(facade.link.clone()));
        }
    }
}

/// If the paragraph that starts `events` is one link to an embed, the index
/// of its end, the embed and the link's own title. Told from its first
/// event for most paragraphs, which are not.
fn lone_link(events: &[Event]) -> Option<(usize, Embed, Option<String>)> {
    let paragraph_end = || {
        events
            .iter()
            .position(|e| matches!(e, Event::End(TagEnd::Paragraph)))
    };
    match events.get(1)? {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            ..
        }) => {
            let embed = parse(dest_url)?;
            let end = paragraph_end()?;
            let inner = &events[1..end];
            if !matches!(inner.last()?, Event::End(TagEnd::Link)) {
                return None;
            }
            let text = texts(&inner[1..inner.len() - 1])?;
            let title = match link_type {
                LinkType::Autolink => None,
                _ if text == dest_url.as_ref() => None,
                _ => Some(text),
            };
            Some((end, embed, title))
        }
        Event::Text(first) if first.trim_start().starts_with("http") => {
            let end = paragraph_end()?;
            let text = texts(&events[1..end])?;
            let url = text.trim();
            if url.contains(char::is_whitespace) {
                return None;
            }
            Some((end, parse(url)?, None))
        }
        _ => None,
    }
}

/// The text of events that are all text, joined.
fn texts(events: &[Event]) -> Option<String> {
    let mut text = String::new();
    for event in events {
        match event {
            Event::Text(t) => text.push_str(t),
            _ => return None,
        }
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body at `posts/x/`.
    fn render(source: &str) -> super::super::Body {
        super::super::render(source, "posts/x/", &super::super::Highlighter::default())
    }

    fn link_and_player(url: &str) -> Option<(String, String)> {
        parse(url).map(|e| (e.link(), e.player()))
    }

    #[test]
    fn each_provider_s_links_are_known_and_made_clean() {
        let yt = |id: &str, start: Option<u32>| {
            let (t, from) = start.map_or((String::new(), String::new()), |n| {
                (format!("&t={n}s"), format!("&start={n}"))
            });
            (
                format!("https://www.youtube.com/watch?v={id}{t}"),
                format!("https://www.youtube-nocookie.com/embed/{id}?autoplay=1{from}"),
            )
        };
        let id = "SQEQr7c0-dw";
        assert_eq!(
            link_and_player(&format!("https://www.youtube.com/watch?v={id}")),
            Some(yt(id, None))
        );
        assert_eq!(
            link_and_player(&format!(
                "https://youtube.com/watch?feature=share&v={id}&si=track"
            )),
            Some(yt(id, None))
        );
        assert_eq!(
            link_and_player(&format!("https://m.youtube.com/watch?v={id}&t=1m30s")),
            Some(yt(id, Some(90)))
        );
        assert_eq!(
            link_and_player(&format!("http://youtu.be/{id}?t=42")),
            Some(yt(id, Some(42)))
        );
        assert_eq!(
            link_and_player(&format!("https://www.youtube.com/embed/{id}")),
            Some(yt(id, None))
        );
        let short = parse(&format!("https://www.youtube.com/shorts/{id}")).unwrap();
        assert_eq!(
            (short.shape, short.link()),
            (Shape::Tall, format!("https://www.youtube.com/shorts/{id}"))
        );
        assert_eq!(
            link_and_player("https://vimeo.com/76979871"),
            Some((
                "https://vimeo.com/76979871".into(),
                "https://player.vimeo.com/video/76979871?dnt=1&autoplay=1".into()
            ))
        );
        assert_eq!(
            link_and_player("https://vimeo.com/76979871/ab12cd34ef"),
            Some((
                "https://vimeo.com/76979871/ab12cd34ef".into(),
                "https://player.vimeo.com/video/76979871?h=ab12cd34ef&dnt=1&autoplay=1".into()
            ))
        );
        assert_eq!(
            link_and_player("https://www.tiktok.com/@someone/video/7106594312292453675?lang=en"),
            Some((
                "https://www.tiktok.com/@someone/video/7106594312292453675".into(),
                "https://www.tiktok.com/player/v1/7106594312292453675?autoplay=1".into()
            ))
        );
        assert_eq!(
            link_and_player(
                "https://www.instagram.com/p/BpmueLLgEn_/?utm_source=ig_share_sheet&igshid=1"
            ),
            Some((
                "https://www.instagram.com/p/BpmueLLgEn_/".into(),
                "https://www.instagram.com/p/BpmueLLgEn_/embed/".into()
            ))
        );
        assert_eq!(
            link_and_player("https://instagram.com/reel/Cx1_ab-CD/").map(|l| l.1),
            Some("https://www.instagram.com/reel/Cx1_ab-CD/embed/".into())
        );
        // Not videos, or not of the characters their sites use.
        for url in [
            "https://www.youtube.com/watch?v=short",
            "https://www.youtube.com/watch?v=SQEQr7c0-d\"",
            "https://www.youtube.com/channel/UCabc",
            "https://www.youtube.com/@someone",
            "https://vimeo.com/channels/staffpicks",
            "https://vimeo.com/123/not-a-hash",
            "https://www.tiktok.com/@someone",
            "https://vm.tiktok.com/ZMabc/",
            "https://www.tiktok.com/@some\"one/video/7106594312292453675",
            "https://www.instagram.com/someone/",
            "https://www.instagram.com/p/a\"b<c/",
            "https://example.com/watch?v=SQEQr7c0-dw",
            "javascript:alert(1)//youtube.com/watch?v=SQEQr7c0-dw",
            "ftp://youtu.be/SQEQr7c0-dw",
        ] {
            assert_eq!(parse(url), None, "{url}");
        }
        assert_eq!(seconds("1h2m3s"), Some(3723));
        assert_eq!(seconds("1x"), None);
        assert_eq!(seconds("99999999999"), None);
    }

    #[test]
    fn a_lone_link_is_a_facade_and_others_stay_links() {
        let body = render(
            "<https://youtu.be/SQEQr7c0-dw>\n\n[No contact, day one & \"after\"](https://vimeo.com/76979871)\n\nhttps://www.instagram.com/p/BpmueLLgEn_/\n\nSee https://youtu.be/SQEQr7c0-dw here.\n\n- <https://youtu.be/SQEQr7c0-dw>\n\n[*Emphasis*](https://youtu.be/SQEQr7c0-dw)\n",
        );
        assert_eq!(body.embeds, 3);
        let facades: Vec<&str> = body.html.split("<figure").skip(1).collect();
        assert_eq!(
            facades[0],
            " class=\"embed embed-youtube embed-wide\">\n<a class=\"embed-link\" href=\"https://www.youtube.com/watch?v=SQEQr7c0-dw\" data-player=\"https://www.youtube-nocookie.com/embed/SQEQr7c0-dw?autoplay=1\" data-from=\"youtube-nocookie.com\"><span class=\"embed-play\" aria-hidden=\"true\"></span><span class=\"embed-title\">A video on YouTube</span> <span class=\"embed-site\">YouTube</span></a>\n</figure>\n"
        );
        assert!(
            facades[1].contains("<span class=\"embed-title\">No contact, day one &amp; “after”</span> <span class=\"embed-site\">Vimeo</span>"),
            "{}",
            facades[1]
        );
        assert!(facades[2].contains("A post on Instagram"), "{}", facades[2]);
        assert_eq!(facades.len(), 3);
        assert!(
            body.html
                .contains("<p>See https://youtu.be/SQEQr7c0-dw here.</p>"),
            "{}",
            body.html
        );
        assert!(
            body.html
                .contains("<li><a href=\"https://youtu.be/SQEQr7c0-dw\">"),
            "{}",
            body.html
        );
        assert!(
            body.html
                .contains("<p><a href=\"https://youtu.be/SQEQr7c0-dw\"><em>Emphasis</em></a></p>"),
            "{}",
            body.html
        );
    }

    #[test]
    fn a_summary_shows_a_facade_as_its_link() {
        let body =
            render("First.\n\n[Day one](https://youtu.be/SQEQr7c0-dw)\n\n<!-- more -->\n\nRest.\n");
        assert_eq!(
            body.summary,
            "<p>First.</p>\n<p><a href=\"https://www.youtube.com/watch?v=SQEQr7c0-dw\">Day one</a> (YouTube)</p>\n"
        );
        assert!(
            body.html
                .contains("<figure class=\"embed embed-youtube embed-wide\">")
        );
    }
}
