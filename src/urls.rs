//! Where every URL of a site is decided, once: the path of each article,
//! page, tag, list page, feed and redirect, and the two forms templates and
//! feeds print (`url`, from the host's root, and `permalink`, absolute).
//! Pages and tags get theirs when they are loaded; everything else borrows.
//!
//! A path is a site path without its leading slash: `posts/x/`, `tags/`,
//! `atom.xml`, or `` for the home page. Every page path ends in `/` and is
//! `…index.html` on disk.
//!
//! Not for what is at a path (`render`) nor for writing it (`output`).

use std::borrow::Cow;
use std::path::Path;

use crate::config::Config;
use crate::layout::POSTS_DIR;
use crate::slug::slugify;

/// The folder of the output that holds the tag pages.
pub(crate) const TAGS_DIR: &str = "tags";
/// The tag index.
pub(crate) const TAGS_INDEX: &str = "tags/";
/// The name of every Atom feed; the site's is at the root.
pub(crate) const FEED: &str = "atom.xml";
pub(crate) const SITEMAP: &str = "sitemap.xml";
pub(crate) const ROBOTS: &str = "robots.txt";
pub(crate) const NOT_FOUND: &str = "404.html";
/// The page of every article by year and month.
pub(crate) const ARCHIVE: &str = "archive/";
/// The folder of the authors' pages.
pub(crate) const AUTHORS_DIR: &str = "authors";
/// The feed of the newest approved comments of the whole site.
pub(crate) const COMMENTS_FEED: &str = "comments.xml";
/// The search page; the index lies beside it.
pub(crate) const SEARCH: &str = "search/";
/// What the search page loads first: how many documents, which shards.
pub(crate) const SEARCH_META: &str = "search/meta.json";

/// The file of shard `n` of the search index: `search/t/1f.json`.
pub(crate) fn search_shard_file(n: usize) -> String {
    format!("{SEARCH}t/{n:02x}.json")
}

/// The file of search document `n`.
pub(crate) fn search_doc_file(n: usize) -> String {
    format!("{SEARCH}d/{n}.json")
}

/// The address of the comment intake's reply form for one comment (for
/// readers without JavaScript): `ENDPOINT?article=posts/x/&parent=c1`.
pub(crate) fn reply_url(endpoint: &str, page_path: &str, comment_id: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("article", page_path)
        .append_pair("parent", comment_id)
        .finish();
    let joiner = if endpoint.contains('?') { '&' } else { '?' };
    format!("{endpoint}{joiner}{query}")
}

/// The file on disk that serves a page path: `posts/x/` → `posts/x/index.html`.
pub(crate) fn file_of(path: &str) -> String {
    format!("{path}index.html")
}

/// `posts/<slug>/`.
pub(crate) fn article_path(slug: &str) -> String {
    format!("{POSTS_DIR}/{slug}/")
}

/// The path of a page from its file under `content/` (`relative`): articles
/// at `posts/<slug>/`, standalone pages in their folders, each part slugged
/// (`Guides/x.md` → `guides/x/`).
pub(crate) fn page_path(is_article: bool, relative: &Path, is_bundle: bool, slug: &str) -> String {
    if is_article {
        return article_path(slug);
    }
    let mut parent = relative.parent();
    if is_bundle {
        parent = parent.and_then(Path::parent);
    }
    let mut path = String::new();
    for part in parent.into_iter().flat_map(Path::components) {
        let part = slugify(&part.as_os_str().to_string_lossy());
        if !part.is_empty() {
            path.push_str(&part);
            path.push('/');
        }
    }
    format!("{path}{slug}/")
}

/// `tags/<slug>/`.
pub(crate) fn tag_path(slug: &str) -> String {
    format!("{TAGS_DIR}/{slug}/")
}

/// Stands for the way back to the site's root in a link of an article's
/// body (`ROOT_MARK` + `posts/x/`). A body is rendered once but shown at
/// several depths (its page, lists, feeds), so the way is filled in where it
/// is shown (`fill_root`): `../../` on a page, the absolute address in a
/// feed. It is `{mend-root}` as a URL escapes it (so the HTML writer leaves
/// it as it is), which no link is written with.
pub(crate) const ROOT_MARK: &str = "%7Bmend-root%7D";

/// A link to a site path (`/posts/x/`) from a body: `ROOT_MARK posts/x/`.
pub(crate) fn site_link(site_path: &str) -> String {
    format!("{ROOT_MARK}{}", site_path.trim_start_matches('/'))
}

/// `html` with each `ROOT_MARK` replaced by `root` (`../../`, or
/// `https://example.com/`); borrowed when there is no mark.
pub(crate) fn fill_root<'h>(html: &'h str, root: &str) -> Cow<'h, str> {
    match filled(html.as_bytes(), root) {
        Some(bytes) => Cow::Owned(
            String::from_utf8(bytes).expect("text with ASCII marks replaced by text is text"),
        ),
        None => Cow::Borrowed(html),
    }
}

/// The same for rendered bytes, in place; untouched when there is no mark.
/// A way back no longer than the mark (`../../`: any page less than six
/// folders deep) is written over the mark, the bytes after it moved
/// forward, so the buffer (reused from page to page) is neither copied nor
/// given up.
pub(crate) fn fill_root_bytes(out: &mut Vec<u8>, root: &str) {
    if root.len() > ROOT_MARK.len() {
        if let Some(bytes) = filled(out, root) {
            *out = bytes;
        }
        return;
    }
    let finder = memchr::memmem::Finder::new(ROOT_MARK);
    // Everything before `read` is done, and has moved to before `write`.
    let (mut read, mut write) = (0, 0);
    while let Some(found) = finder.find(&out[read..]) {
        out.copy_within(read..read + found, write);
        write += found;
        out[write..write + root.len()].copy_from_slice(root.as_bytes());
        write += root.len();
        read += found + ROOT_MARK.len();
    }
    if read > write {
        out.copy_within(read.., write);
        out.truncate(write + out.len() - read);
    }
}

/// `text` with each `ROOT_MARK` replaced by `root`, or `None` if it has
/// none. The marks are found by `memchr`'s vectorized search: a whole
/// article is searched for each page and feed that shows it.
fn filled(text: &[u8], root: &str) -> Option<Vec<u8>> {
    let finder = memchr::memmem::Finder::new(ROOT_MARK);
    let mut marks = finder.find_iter(text).peekable();
    marks.peek()?;
    let mut filled = Vec::with_capacity(text.len());
    let mut from = 0;
    for at in marks {
        filled.extend_from_slice(&text[from..at]);
        filled.extend_from_slice(root.as_bytes());
        from = at + ROOT_MARK.len();
    }
    filled.extend_from_slice(&text[from..]);
    Some(filled)
}

/// `authors/<slug>/`.
pub(crate) fn author_path(slug: &str) -> String {
    format!("{AUTHORS_DIR}/{slug}/")
}

/// Page `n` (from 0) of a list whose first page is at `base`:
/// `base`, `base/page/2/`, …
pub(crate) fn pager_path(base: &str, n: usize) -> String {
    if n == 0 {
        base.to_string()
    } else {
        format!("{base}page/{}/", n + 1)
    }
}

/// The feed of the list at `base`: `atom.xml`, `tags/x/atom.xml`.
pub(crate) fn feed_path(base: &str) -> String {
    format!("{base}{FEED}")
}

/// Where in the output an alias writes its redirect page: the alias as a
/// folder, unless it names an `.html` file.
pub(crate) fn alias_file(alias: &str) -> String {
    let trimmed = alias.trim_matches('/');
    if trimmed.ends_with(".html") || trimmed.ends_with(".htm") {
        trimmed.to_string()
    } else {
        file_of(&format!("{trimmed}/"))
    }
}

/// Turns paths into URLs, for one `base_url`.
#[derive(Debug, Clone)]
pub struct Urls {
    /// `https://example.com/blog`, without a trailing slash.
    base: String,
    /// `/blog`, or `` for a site at the root of its host.
    base_path: String,
}

impl Urls {
    pub fn new(config: &Config) -> Urls {
        let base = config.base_url.trim_end_matches('/').to_string();
        let after_scheme = base
            .split_once("://")
            .map_or(base.as_str(), |(_, rest)| rest);
        let base_path = after_scheme
            .find('/')
            .map_or("", |i| &after_scheme[i..])
            .to_string();
        Urls { base, base_path }
    }

    /// `https://example.com/blog`.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// `/blog`, or ``.
    pub fn base_path(&self) -> &str {
        &self.base_path
    }

    /// From the host's root: `/blog/posts/x/`.
    pub fn url(&self, path: &str) -> String {
        format!("{}/{}", self.base_path, path.trim_start_matches('/'))
    }

    /// Absolute: `https://example.com/blog/posts/x/`.
    pub fn permalink(&self, path: &str) -> String {
        format!("{}/{}", self.base, path.trim_start_matches('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(base_url: &str) -> Urls {
        let text = format!("title = \"t\"\nbase_url = \"{base_url}\"");
        Urls::new(&Config::parse(&text, Path::new("site.toml")).unwrap())
    }

    #[test]
    fn urls_never_have_a_double_slash() {
        for base in ["https://a.example", "https://a.example/"] {
            let u = urls(base);
            assert_eq!(u.base_path(), "");
            assert_eq!(u.permalink("posts/x/"), "https://a.example/posts/x/");
            assert_eq!(u.permalink(""), "https://a.example/");
            assert_eq!(u.url("posts/x/"), "/posts/x/");
        }
        let u = urls("https://a.example/blog/");
        assert_eq!(u.base_path(), "/blog");
        assert_eq!(u.permalink("/tags/"), "https://a.example/blog/tags/");
        assert_eq!(u.url(""), "/blog/");
        assert_eq!(u.url("tags/x/"), "/blog/tags/x/");
        assert_eq!(u.permalink("tags/x/"), "https://a.example/blog/tags/x/");
    }

    #[test]
    fn paths_of_articles_and_pages() {
        let p = Path::new;
        assert_eq!(page_path(true, p("posts/x.md"), false, "x"), "posts/x/");
        assert_eq!(
            page_path(true, p("posts/y/index.md"), true, "y"),
            "posts/y/"
        );
        assert_eq!(page_path(false, p("about.md"), false, "about"), "about/");
        assert_eq!(page_path(false, p("Guides/x.md"), false, "x"), "guides/x/");
        assert_eq!(
            page_path(false, p("Guides/b/index.md"), true, "b"),
            "guides/b/"
        );
    }

    #[test]
    fn root_marks_are_filled_in_place_or_not_as_replacing_them_would() {
        let m = ROOT_MARK;
        let texts = [
            String::new(),
            "no mark at all".to_string(),
            m.to_string(),
            format!("{m}posts/a/"),
            format!("<a href=\"{m}posts/a/\">a</a> and <a href=\"{m}\">home</a>"),
            format!("{m}{m}{m}"),
            format!("x{m}"),
            format!("{}{m}{}", "a".repeat(100), "b".repeat(100)),
        ];
        let shorter = "../../../../../../../";
        for root in [
            "",
            "./",
            "../",
            &shorter[..15],
            &shorter[..18],
            "https://a.example/blog/",
        ] {
            for text in &texts {
                let mut bytes = text.clone().into_bytes();
                fill_root_bytes(&mut bytes, root);
                assert_eq!(
                    String::from_utf8(bytes).unwrap(),
                    text.replace(m, root),
                    "{root:?} in {text:?}"
                );
            }
        }
    }

    #[test]
    fn lists_feeds_and_aliases() {
        assert_eq!(pager_path("", 0), "");
        assert_eq!(pager_path("", 1), "page/2/");
        assert_eq!(pager_path("tags/x/", 2), "tags/x/page/3/");
        assert_eq!(feed_path(""), "atom.xml");
        assert_eq!(feed_path(&tag_path("x")), "tags/x/atom.xml");
        assert_eq!(alias_file("/old/x/"), "old/x/index.html");
        assert_eq!(alias_file("/old.html"), "old.html");
        assert_eq!(file_of(""), "index.html");
        assert_eq!(search_shard_file(10), "search/t/0a.json");
        assert_eq!(search_doc_file(12), "search/d/12.json");
    }

    #[test]
    fn a_reply_link_names_the_article_and_the_comment() {
        assert_eq!(
            reply_url("https://c.example/comments/", "posts/x/", "c 1"),
            "https://c.example/comments/?article=posts%2Fx%2F&parent=c+1"
        );
        assert_eq!(
            reply_url("https://c.example/c?site=a", "posts/x/", "c1"),
            "https://c.example/c?site=a&article=posts%2Fx%2F&parent=c1"
        );
    }

    #[test]
    fn root_marks_are_filled_and_a_text_without_one_is_borrowed() {
        let body = format!(
            "<a href=\"{}posts/x/\">x</a> <img src=\"{}i.png\">",
            site_link("/posts/x/").replace("posts/x/", ""),
            ROOT_MARK
        );
        assert_eq!(
            fill_root(&body, "../../"),
            "<a href=\"../../posts/x/\">x</a> <img src=\"../../i.png\">"
        );
        assert_eq!(
            fill_root(&body, "https://a.example/blog/"),
            "<a href=\"https://a.example/blog/posts/x/\">x</a> <img src=\"https://a.example/blog/i.png\">"
        );
        let plain = "<p>no marks</p>";
        assert!(matches!(fill_root(plain, "../"), Cow::Borrowed(text) if text == plain));
    }
}
