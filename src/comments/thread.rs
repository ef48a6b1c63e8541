//! Comments as readers see them: approved only, nested under their parents,
//! oldest first, capped at `comments_max_depth`, with bodies rendered from
//! Markdown and then cleaned by ammonia.
//!
//! Not for deciding what is valid (`comments`) or what is exported (`export`).

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::{Comment, CommentKind, Status};
use crate::date::DateView;
use crate::sanitize;

/// One shown comment, in reading order; the nesting is told by `depth`,
/// `has_replies` and `closes`, so a theme renders any depth without
/// recursion.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ThreadComment {
    pub id: String,
    pub author: String,
    pub url: Option<String>,
    pub date: DateView,
    /// Safe HTML.
    pub body: String,
    pub by_author: bool,
    /// 1 for a top-level comment.
    pub depth: usize,
    /// Whether the next comments (one level deeper) reply to this one.
    pub has_replies: bool,
    /// For a comment without replies: how many enclosing comments end right
    /// after it.
    pub closes: usize,
    /// Where a reader without JavaScript gets a form to reply to it; none
    /// when the page takes no comments.
    pub reply_url: Option<String>,
    /// The comment it answers, when it is not shown under that one (past
    /// `comments_max_depth` it is shown beside it).
    pub in_reply_to: Option<ReplyTo>,
}

/// The comment another one answers, as a thread names it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct ReplyTo {
    pub id: String,
    pub author: String,
}

/// Whether a comment is shown in the thread: approved, and a reader's
/// comment rather than a mention.
pub(crate) fn in_thread(comment: &Comment) -> bool {
    comment.status == Status::Approved && comment.kind == CommentKind::Comment
}

/// How many comments the thread shows.
pub(crate) fn approved_count(comments: &[Comment]) -> usize {
    comments.iter().filter(|c| in_thread(c)).count()
}

/// Another site's link to the page (an approved pingback or trackback).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Mention {
    /// The linking site's name or title, as plain text.
    pub author: String,
    pub url: Option<String>,
    pub date: DateView,
    /// `pingback` or `trackback`.
    pub kind: &'static str,
}

/// The approved mentions, oldest first.
pub(crate) fn mentions(comments: &[Comment]) -> Vec<Mention> {
    let mut shown: Vec<&Comment> = comments
        .iter()
        .filter(|c| c.status == Status::Approved && c.kind != CommentKind::Comment)
        .collect();
    shown.sort_by_key(|c| c.date);
    shown
        .into_iter()
        .map(|c| Mention {
            author: c.author.clone(),
            url: c.url.clone(),
            date: c.date.view(),
            kind: c.kind.as_str(),
        })
        .collect()
}

/// The approved comments in reading order: each followed by its replies,
/// oldest first. A reply whose parent is not shown hangs from the nearest
/// shown ancestor; a reply that would be deeper than `max_depth` is shown
/// beside its parent, at that depth. Linear in the number of comments,
/// however long a chain of replies.
pub(crate) fn build(comments: &[Comment], max_depth: usize, site: &str) -> Vec<ThreadComment> {
    let mut order: Vec<usize> = (0..comments.len())
        .filter(|&i| in_thread(&comments[i]))
        .collect();
    order.sort_by(|&a, &b| comments[a].date.cmp(&comments[b].date).then(a.cmp(&b)));
    let holders = place(comments, &order, max_depth.max(1));
    let mut children: HashMap<Option<usize>, Vec<usize>> = HashMap::new();
    for &i in &order {
        children.entry(holders[&i].holder).or_default().push(i);
    }
    let mut flat: Vec<(usize, usize)> = Vec::with_capacity(order.len());
    // Depth-first, with the replies of each comment in date order.
    let mut stack: Vec<(usize, usize)> = children
        .get(&None)
        .map(|top| top.iter().rev().map(|&i| (i, 1)).collect())
        .unwrap_or_default();
    while let Some((i, depth)) = stack.pop() {
        flat.push((i, depth));
        if let Some(replies) = children.get(&Some(i)) {
            stack.extend(replies.iter().rev().map(|&r| (r, depth + 1)));
        }
    }
    flat.iter()
        .enumerate()
        .map(|(k, &(i, depth))| {
            let next_depth = flat.get(k + 1).map_or(1, |&(_, d)| d);
            let c = &comments[i];
            let Place {
                holder, answers, ..
            } = holders[&i];
            let in_reply_to = answers.filter(|&p| Some(p) != holder).map(|p| ReplyTo {
                id: comments[p].id.clone(),
                author: comments[p].author.clone(),
            });
            ThreadComment {
                id: c.id.clone(),
                author: c.author.clone(),
                url: c.url.clone(),
                date: c.date.view(),
                body: sanitize::comment_body(&c.body, site),
                by_author: c.by_author,
                depth,
                has_replies: next_depth > depth,
                closes: depth.saturating_sub(next_depth),
                reply_url: None,
                in_reply_to,
            }
        })
        .collect()
}

/// Where a shown comment goes in the thread.
#[derive(Debug, Clone, Copy)]
struct Place {
    /// The comment it is shown under; none at the top.
    holder: Option<usize>,
    /// 1 at the top.
    depth: usize,
    /// The nearest shown comment it answers, under which it is shown
    /// unless that would pass the depth limit.
    answers: Option<usize>,
}

/// Where each shown comment hangs (the position of its holder, none for the
/// top level) and its depth. Walks each chain of replies once, without
/// recursion.
fn place(comments: &[Comment], shown_order: &[usize], max_depth: usize) -> HashMap<usize, Place> {
    let index: HashMap<&str, usize> = comments
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let shown: HashSet<usize> = shown_order.iter().copied().collect();
    let parent = |i: usize| {
        comments[i]
            .parent
            .as_deref()
            .and_then(|p| index.get(p).copied())
    };
    // The nearest shown ancestor of every comment, each chain walked once.
    let mut up: HashMap<usize, Option<usize>> = HashMap::new();
    for start in 0..comments.len() {
        let mut passed = Vec::new();
        let mut current = start;
        let found = loop {
            if let Some(&known) = up.get(&current) {
                break known;
            }
            passed.push(current);
            match parent(current) {
                Some(p) if shown.contains(&p) => break Some(p),
                // Validation rules out circles; the bound keeps a bad
                // input from looping.
                Some(p) if passed.len() <= comments.len() => current = p,
                _ => break None,
            }
        };
        for i in passed {
            up.insert(i, found);
        }
    }
    let mut placed: HashMap<usize, Place> = HashMap::new();
    for &start in shown_order {
        // The shown ancestors not placed yet, nearest first.
        let mut chain = vec![start];
        let mut current = start;
        while let Some(p) = up[&current] {
            if placed.contains_key(&p) || chain.len() > comments.len() {
                break;
            }
            chain.push(p);
            current = p;
        }
        for &i in chain.iter().rev() {
            let answers = up[&i];
            let (holder, depth) = match answers.and_then(|p| placed.get(&p).map(|at| (p, *at))) {
                None => (None, 1),
                Some((_, at)) if at.depth >= max_depth => (at.holder, max_depth),
                Some((p, at)) => (Some(p), at.depth + 1),
            };
            placed.insert(
                i,
                Place {
                    holder,
                    depth,
                    answers,
                },
            );
        }
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;

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
            kind: CommentKind::Comment,
        }
    }

    #[test]
    fn mentions_are_the_approved_pingbacks_and_trackbacks_oldest_first() {
        let as_kind = |mut c: Comment, kind| {
            c.kind = kind;
            c.author = c.id.clone();
            c
        };
        let comments = [
            as_kind(
                comment("late", None, 9, Status::Approved),
                CommentKind::Trackback,
            ),
            as_kind(
                comment("early", None, 1, Status::Approved),
                CommentKind::Pingback,
            ),
            as_kind(
                comment("waiting", None, 2, Status::Pending),
                CommentKind::Pingback,
            ),
            as_kind(
                comment("junk", None, 3, Status::Spam),
                CommentKind::Trackback,
            ),
            comment("talk", None, 4, Status::Approved),
        ];
        let shown: Vec<(String, &str)> = mentions(&comments)
            .into_iter()
            .map(|m| (m.author, m.kind))
            .collect();
        assert_eq!(
            shown,
            [
                ("early".to_string(), "pingback"),
                ("late".to_string(), "trackback")
            ]
        );
    }

    /// The thread as nested text, rebuilt from the flat list the way a
    /// template does: `a@1(b@2)` is b replying to a.
    fn shape(thread: &[ThreadComment]) -> String {
        let mut out = String::new();
        let mut first_in_level = true;
        for c in thread {
            if !first_in_level {
                out.push(' ');
            }
            out.push_str(&format!("{}@{}", c.id, c.depth));
            first_in_level = c.has_replies;
            if c.has_replies {
                out.push('(');
            } else {
                out.push_str(&")".repeat(c.closes));
            }
        }
        out
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
            shape(&build(&comments, 10, "")),
            "a@1(a1@2(a2@3(a3@4(a4@5)))) b@1"
        );
        // Capped at 3: a3 and a4 sit beside a2, at depth 3, each naming
        // the comment it answers; those shown under it name none.
        let capped = build(&comments, 3, "");
        assert_eq!(shape(&capped), "a@1(a1@2(a2@3 a3@3 a4@3)) b@1");
        let answers: Vec<(&str, Option<&str>)> = capped
            .iter()
            .map(|c| (c.id.as_str(), c.in_reply_to.as_ref().map(|r| r.id.as_str())))
            .collect();
        assert_eq!(
            answers,
            [
                ("a", None),
                ("a1", None),
                ("a2", None),
                ("a3", Some("a2")),
                ("a4", Some("a3")),
                ("b", None)
            ]
        );
        assert_eq!(capped[3].in_reply_to.as_ref().unwrap().author, "A");
        assert_eq!(
            shape(&build(&comments, 1, "")),
            "a@1 a1@1 a2@1 a3@1 b@1 a4@1"
        );
    }

    #[test]
    fn hidden_parents_pass_their_replies_up() {
        let comments = vec![
            comment("a", None, 1, Status::Approved),
            comment("s", Some("a"), 2, Status::Spam),
            comment("r", Some("s"), 3, Status::Approved),
            comment("p", None, 4, Status::Pending),
        ];
        assert_eq!(shape(&build(&comments, 5, "")), "a@1(r@2)");
        assert_eq!(approved_count(&comments), 2);
    }

    #[test]
    fn a_reply_dated_before_its_parent_still_hangs_from_it() {
        // Imported threads and clocks that disagree: the reply is older.
        let comments = vec![
            comment("late-parent", None, 5, Status::Approved),
            comment("early-reply", Some("late-parent"), 1, Status::Approved),
            comment("grandchild", Some("early-reply"), 0, Status::Approved),
        ];
        assert_eq!(
            shape(&build(&comments, 5, "")),
            "late-parent@1(early-reply@2(grandchild@3))"
        );
    }

    #[test]
    fn a_circle_of_hidden_comments_ends() {
        // Validation refuses circles; the thread must still end on one.
        let comments = vec![
            comment("a", Some("b"), 1, Status::Spam),
            comment("b", Some("a"), 2, Status::Spam),
            comment("r", Some("a"), 3, Status::Approved),
        ];
        assert_eq!(shape(&build(&comments, 5, "")), "r@1");
    }

    #[test]
    fn long_chains_are_placed_without_recursion() {
        let mut comments = vec![comment("c0", None, 0, Status::Approved)];
        for i in 1..50_000 {
            let mut c = comment(
                &format!("c{i}"),
                Some(&format!("c{}", i - 1)),
                1,
                Status::Approved,
            );
            if i % 7 == 0 {
                c.status = Status::Spam;
            }
            comments.push(c);
        }
        let thread = build(&comments, 3, "");
        assert_eq!(thread.len(), approved_count(&comments));
        assert_eq!(thread.iter().map(|c| c.depth).max(), Some(3));
        assert_eq!(thread.last().unwrap().closes, 2);
    }
}
