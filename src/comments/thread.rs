//! Comments as readers see them: approved only, nested under their parents,
//! oldest first, capped at `comments_max_depth`, with bodies rendered from
//! Markdown and then cleaned by ammonia.
//!
//! Not for deciding what is valid (`comments`) or what is exported (`export`).

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use serde::Serialize;

use super::{Comment, Status};
use crate::content::DateView;

/// The `rel` of every link a commenter wrote.
pub const LINK_REL: &str = "nofollow ugc noopener";

/// The only HTML a comment may contain once rendered (and all an imported
/// comment keeps).
pub static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
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

/// A comment body: Markdown to HTML, then everything not on the allow-list
/// removed (no images, iframes, styles, event attributes or odd schemes).
pub fn render_body(markdown: &str) -> String {
    // No smart punctuation: a comment shows the characters its writer typed.
    let options = pulldown_cmark::Options::ENABLE_STRIKETHROUGH;
    let mut html = String::with_capacity(markdown.len() + markdown.len() / 4);
    pulldown_cmark::html::push_html(
        &mut html,
        pulldown_cmark::Parser::new_ext(markdown, options),
    );
    CLEANER.clean(&html).to_string()
}

/// One shown comment with the replies shown inside it.
#[derive(Debug, Clone, Serialize)]
pub struct ThreadComment {
    pub id: String,
    pub author: String,
    pub url: Option<String>,
    pub date: DateView,
    /// Safe HTML.
    pub body: String,
    pub by_author: bool,
    /// 1 for a top-level comment.
    pub depth: usize,
    pub replies: Vec<ThreadComment>,
}

/// How many comments are shown.
pub fn approved_count(comments: &[Comment]) -> usize {
    comments
        .iter()
        .filter(|c| c.status == Status::Approved)
        .count()
}

/// The approved comments as a tree. A reply whose parent is not shown hangs
/// from the nearest shown ancestor; a reply that would be deeper than
/// `max_depth` is shown beside its parent, at that depth.
pub fn build(comments: &[Comment], max_depth: usize) -> Vec<ThreadComment> {
    let by_id: HashMap<&str, &Comment> = comments.iter().map(|c| (c.id.as_str(), c)).collect();
    let shown: HashSet<&str> = comments
        .iter()
        .filter(|c| c.status == Status::Approved)
        .map(|c| c.id.as_str())
        .collect();
    let mut order: Vec<(usize, &Comment)> = comments
        .iter()
        .enumerate()
        .filter(|(_, c)| c.status == Status::Approved)
        .collect();
    order.sort_by(|a, b| a.1.date.cmp(&b.1.date).then(a.0.cmp(&b.0)));

    let mut placement: HashMap<&str, (Option<&str>, usize)> = HashMap::new();
    for (_, comment) in &order {
        place(
            comment.id.as_str(),
            &by_id,
            &shown,
            max_depth.max(1),
            &mut placement,
        );
    }
    let mut children: HashMap<Option<&str>, Vec<&Comment>> = HashMap::new();
    for (_, comment) in &order {
        let (holder, _) = placement[comment.id.as_str()];
        children.entry(holder).or_default().push(comment);
    }
    assemble(None, &children, &placement)
}

/// Where a shown comment hangs (its holder, none for the top level) and its
/// depth; memoised so long chains are walked once.
fn place<'a>(
    id: &'a str,
    by_id: &HashMap<&'a str, &'a Comment>,
    shown: &HashSet<&'a str>,
    max_depth: usize,
    placement: &mut HashMap<&'a str, (Option<&'a str>, usize)>,
) -> (Option<&'a str>, usize) {
    if let Some(&known) = placement.get(id) {
        return known;
    }
    // The nearest shown ancestor (validation has ruled out cycles).
    let mut ancestor = by_id[id].parent.as_deref();
    while let Some(a) = ancestor {
        if shown.contains(a) {
            break;
        }
        ancestor = by_id.get(a).and_then(|c| c.parent.as_deref());
    }
    let result = match ancestor {
        None => (None, 1),
        Some(parent) => {
            let (parent_holder, parent_depth) = place(parent, by_id, shown, max_depth, placement);
            if parent_depth >= max_depth {
                (parent_holder, max_depth)
            } else {
                (Some(parent), parent_depth + 1)
            }
        }
    };
    placement.insert(id, result);
    result
}

fn assemble(
    holder: Option<&str>,
    children: &HashMap<Option<&str>, Vec<&Comment>>,
    placement: &HashMap<&str, (Option<&str>, usize)>,
) -> Vec<ThreadComment> {
    let Some(list) = children.get(&holder) else {
        return Vec::new();
    };
    list.iter()
        .map(|c| ThreadComment {
            id: c.id.clone(),
            author: c.author.clone(),
            url: c.url.clone(),
            date: c.date.view(),
            body: render_body(&c.body),
            by_author: c.by_author,
            depth: placement[c.id.as_str()].1,
            replies: assemble(Some(c.id.as_str()), children, placement),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Date;

    fn comment(id: &str, parent: Option<&str>, minute: u32, status: Status) -> Comment {
        Comment {
            id: id.into(),
            author: "A".into(),
            date: Date::parse(&format!("2024-01-01T00:{minute:02}:00Z")).unwrap(),
            body: format!("body {id}"),
            parent: parent.map(Into::into),
            email: None,
            url: None,
            status,
            by_author: false,
        }
    }

    fn shape(thread: &[ThreadComment]) -> String {
        thread
            .iter()
            .map(|c| {
                if c.replies.is_empty() {
                    format!("{}@{}", c.id, c.depth)
                } else {
                    format!("{}@{}({})", c.id, c.depth, shape(&c.replies))
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn nests_oldest_first_and_caps_depth() {
        use Status::Approved as A;
        let comments = vec![
            comment("b", None, 5, A),
            comment("a", None, 1, A),
            comment("a1", Some("a"), 2, A),
            comment("a2", Some("a1"), 3, A),
            comment("a3", Some("a2"), 4, A),
            comment("a4", Some("a3"), 6, A),
        ];
        assert_eq!(
            shape(&build(&comments, 10)),
            "a@1(a1@2(a2@3(a3@4(a4@5)))) b@1"
        );
        // Capped at 3: a3 and a4 sit beside a2, at depth 3.
        assert_eq!(shape(&build(&comments, 3)), "a@1(a1@2(a2@3 a3@3 a4@3)) b@1");
        assert_eq!(shape(&build(&comments, 1)), "a@1 a1@1 a2@1 a3@1 b@1 a4@1");
    }

    #[test]
    fn hidden_parents_pass_their_replies_up() {
        let comments = vec![
            comment("a", None, 1, Status::Approved),
            comment("s", Some("a"), 2, Status::Spam),
            comment("r", Some("s"), 3, Status::Approved),
            comment("p", None, 4, Status::Pending),
        ];
        assert_eq!(shape(&build(&comments, 5)), "a@1(r@2)");
        assert_eq!(approved_count(&comments), 2);
    }

    #[test]
    fn bodies_are_cleaned() {
        let html = render_body(
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
}
