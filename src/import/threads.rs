//! The comments of one imported post: WordPress's comments, pingbacks and
//! trackbacks as mend comment records, with ids made unique and circles of
//! replies broken, each such repair reported.
//!
//! Not for reading WXR (`wxr`) nor writing files (`import`).

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::convert::{self, Context, Found, Kind};
use super::wxr::{Item, WpComment};
use super::{AuthorKey, Report, one_line, parse_wp_date, toml_datetime};
use crate::comments::{CommentKind, Status};
use crate::export::MEND_ID_KEY;
use crate::sanitize::is_web_url;

#[derive(Debug, Serialize)]
pub(super) struct CommentsOut {
    pub(super) comment: Vec<CommentOut>,
}

#[derive(Debug, Serialize)]
pub(super) struct CommentOut {
    id: String,
    author: String,
    date: toml::value::Datetime,
    body: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    by_author: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
}

/// What WordPress's comment type and status make of a comment, or none
/// for one that is not imported (trash, or a type mend does not know).
fn kind_of(comment: &WpComment) -> Option<CommentKind> {
    let kind = match comment.kind.as_str() {
        "" | "comment" => CommentKind::Comment,
        "pingback" => CommentKind::Pingback,
        "trackback" => CommentKind::Trackback,
        _ => return None,
    };
    matches!(comment.approved.as_str(), "1" | "0" | "spam").then_some(kind)
}

/// The comments of `item` as mend writes them.
pub(super) fn convert(item: &Item, author: Option<&AuthorKey>, report: &mut Report) -> CommentsOut {
    let title = one_line(&item.title);
    let title = title.as_str();
    let mut kept: Vec<&WpComment> = Vec::new();
    for c in &item.comments {
        match kind_of(c) {
            Some(_) => kept.push(c),
            None if matches!(c.approved.as_str(), "trash" | "post-trashed") => {
                report.skipped.trashed_comments += 1;
            }
            None => {
                report.skipped.other_comments += 1;
                report.check.push(format!(
                    "comment {} on “{title}” has the type `{}` and the status `{}`; it was left out",
                    c.id, c.kind, c.approved
                ));
            }
        }
    }
    let ids = unique_ids(&kept, title, report);
    let by_wp: HashMap<&str, usize> = kept
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let wp_parent: HashMap<&str, &str> = item
        .comments
        .iter()
        .map(|c| (c.id.as_str(), c.parent.as_str()))
        .collect();
    let mut parents: Vec<Option<usize>> = kept
        .iter()
        .map(|c| kept_ancestor(&c.parent, &wp_parent, &by_wp))
        .collect();
    break_circles(&mut parents, &ids, title, report);
    let empty = HashMap::new();
    let context = Context {
        attachments: &empty,
        own_attachments: Vec::new(),
    };
    let mut out = Vec::with_capacity(kept.len());
    for (i, c) in kept.iter().enumerate() {
        let Some(date) = parse_wp_date(&c.date_gmt).or_else(|| parse_wp_date(&c.date)) else {
            report.check.push(format!(
                "comment {} on “{title}” has no date; it was left out",
                c.id
            ));
            continue;
        };
        let url = c.url.trim();
        if !url.is_empty() && !is_web_url(url) {
            report.check.push(format!(
                "comment {} on “{title}” has the url `{}`, which is not a plain http(s) address; it was left out",
                c.id,
                url.escape_debug()
            ));
        }
        let email = c.email.trim();
        let is_author = author.is_some_and(|a| {
            (c.user_id != "0" && !c.user_id.is_empty() && c.user_id == a.id)
                || (!email.is_empty() && email.eq_ignore_ascii_case(&a.email))
        });
        let mut found = Found::default();
        let body = convert::to_markdown(&c.content, Kind::Comment, &context, |_| None, &mut found);
        let author_name = super::plain_line(&c.author);
        let kind = kind_of(c).unwrap_or(CommentKind::Comment);
        if kind != CommentKind::Comment {
            report.pingbacks += 1;
        }
        out.push(CommentOut {
            id: ids[i].clone(),
            author: if author_name.is_empty() {
                "Anonymous".into()
            } else {
                author_name
            },
            date: toml_datetime(&date),
            body: if body.trim().is_empty() {
                "(empty)".into()
            } else {
                body.trim_end().to_string()
            },
            parent: parents[i].map(|p| ids[p].clone()),
            email: (!email.is_empty()).then(|| email.to_string()),
            url: is_web_url(url).then(|| url.to_string()),
            status: match c.approved.as_str() {
                "1" => None,
                "0" => Some(Status::Pending.as_str()),
                _ => Some(Status::Spam.as_str()),
            },
            by_author: is_author,
            kind: (kind != CommentKind::Comment).then(|| kind.as_str()),
        });
    }
    report.comments += out.len();
    CommentsOut { comment: out }
}

/// mend's own id when the comment went out through `mend comments export`,
/// or one made from WordPress's number; a repeated one gets `-2`, `-3`…
fn unique_ids(kept: &[&WpComment], title: &str, report: &mut Report) -> Vec<String> {
    let mut used = HashSet::new();
    kept.iter()
        .map(|c| {
            let wanted = c
                .meta
                .iter()
                .find(|(key, value)| key == MEND_ID_KEY && !value.trim().is_empty())
                .map(|(_, value)| value.trim().to_string())
                .unwrap_or_else(|| format!("c{}", c.id));
            let mut id = wanted.clone();
            let mut n = 2;
            while !used.insert(id.clone()) {
                id = format!("{wanted}-{n}");
                n += 1;
            }
            if id != wanted {
                report.renamed.push(format!(
                    "comment id `{wanted}` on “{title}” was used twice; the second is `{id}`"
                ));
            }
            id
        })
        .collect()
}

/// The nearest ancestor that was kept (pingbacks and trash are not).
fn kept_ancestor(
    parent: &str,
    wp_parent: &HashMap<&str, &str>,
    kept: &HashMap<&str, usize>,
) -> Option<usize> {
    let mut parent = parent;
    let mut steps = 0;
    while !parent.is_empty() && parent != "0" && steps <= wp_parent.len() {
        if let Some(&i) = kept.get(parent) {
            return Some(i);
        }
        parent = wp_parent.get(parent).copied().unwrap_or("");
        steps += 1;
    }
    None
}

/// Replies that come back to themselves: the first comment of each circle
/// (in file order) becomes a top-level comment.
fn break_circles(parents: &mut [Option<usize>], ids: &[String], title: &str, report: &mut Report) {
    let mut state = vec![0u8; parents.len()]; // 0 new, 1 on the current walk, 2 done
    for start in 0..parents.len() {
        let mut walk = Vec::new();
        let mut at = Some(start);
        while let Some(i) = at {
            if state[i] == 2 {
                break;
            }
            if state[i] == 1 {
                let circle = &walk[walk.iter().position(|&j| j == i).unwrap_or(0)..];
                let first = circle.iter().copied().min().unwrap_or(i);
                parents[first] = None;
                let names: Vec<String> = circle.iter().map(|&j| format!("`{}`", ids[j])).collect();
                report.renamed.push(format!(
                    "comments {} on “{title}” replied to each other in a circle; `{}` is now a top-level comment",
                    names.join(", "),
                    ids[first]
                ));
                break;
            }
            state[i] = 1;
            walk.push(i);
            at = parents[i];
        }
        for i in walk {
            state[i] = 2;
        }
    }
}
