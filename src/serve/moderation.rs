//! Moderating while previewing: `serve` adds a script to every page that
//! shows the article's pending comments in place (marked, and only in the
//! browser: the pages served stay the pages `build` writes) with Approve,
//! Spam and Delete buttons, and a reply box under every comment. The
//! actions are answered only for browsers on this machine (a loopback
//! peer, whatever `--bind` says: pages sent elsewhere carry no token) and
//! only for requests that carry this run's token (from the operating
//! system's random source), as JSON, from the same origin; the server's
//! Host check keeps other sites' pages from reaching it.
//!
//! Not for what each action does (`comments::moderate`).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::http::Shared;
use crate::comments::inbox::Inbox;
use crate::comments::moderate::{self, Reply};
use crate::date::Date;
use crate::sanitize;
use crate::server::{Request, Response, same_secret};

pub(super) const SCRIPT_PATH: &str = "/__mend/moderation.js";
pub(super) const PENDING_PATH: &str = "/__mend/pending";
pub(super) const ACTION_PATH: &str = "/__mend/moderate";

/// The header that carries the token.
const TOKEN_HEADER: &str = "X-Mend-Token";

/// The tag that loads the script, with this run's token.
pub(super) fn script_tag(token: &str) -> String {
    format!("<script src=\"{SCRIPT_PATH}\" data-token=\"{token}\" defer></script>")
}

/// A pending comment, as the script shows it.
#[derive(Serialize)]
struct Pending {
    id: String,
    parent: Option<String>,
    author: String,
    date: String,
    /// Safe HTML, cleaned as a published comment is.
    body: String,
}

/// The pending comments of the page at `?page=posts/x/`.
pub(super) fn pending(request: &Request, shared: &Shared) -> Response {
    let page = query_value(&request.target, "page").unwrap_or_default();
    let Some(source) = shared.source_of(&page) else {
        return json(200, &Vec::<Pending>::new());
    };
    match Inbox::of_site(&shared.root).list() {
        Ok(list) => {
            let shown: Vec<Pending> = list
                .into_iter()
                .filter(|s| s.article == source)
                .map(|s| Pending {
                    date: Date::parse(&s.date).map_or(s.date.clone(), |d| d.human()),
                    body: sanitize::comment_body(&s.body, &shared.base_url),
                    id: s.id,
                    parent: s.parent,
                    author: s.author,
                })
                .collect();
            json(200, &shown)
        }
        Err(e) => json(500, &serde_json::json!({ "error": e.to_string() })),
    }
}

/// What a moderator can do to a comment from the preview.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Verb {
    Approve,
    Spam,
    Delete,
    Reply,
}

/// What the script asks.
#[derive(Deserialize)]
struct Action {
    action: Verb,
    id: String,
    /// The page the comment is on: `posts/x/`.
    #[serde(default)]
    page: String,
    #[serde(default)]
    body: String,
}

/// Approves, marks as spam, deletes, or replies.
pub(super) fn act(request: &Request, shared: &Shared) -> Response {
    let token = request.header(TOKEN_HEADER).unwrap_or_default();
    if !same_secret(token.as_bytes(), shared.token.as_bytes()) || !same_origin(request) {
        return json(
            403,
            &serde_json::json!({ "error": "moderation is only for pages this preview served" }),
        );
    }
    let is_json = request
        .header("Content-Type")
        .is_some_and(|t| t.starts_with("application/json"));
    let Some(action) = is_json
        .then(|| serde_json::from_slice::<Action>(&request.body).ok())
        .flatten()
    else {
        return json(
            400,
            &serde_json::json!({ "error": "send the action as JSON: {\"action\": \"approve\", \"spam\", \"delete\" or \"reply\", \"id\": …}" }),
        );
    };
    match perform(&action, shared) {
        Ok(message) => json(200, &serde_json::json!({ "done": message })),
        Err(message) => json(422, &serde_json::json!({ "error": message })),
    }
}

fn perform(action: &Action, shared: &Shared) -> Result<String, String> {
    let root = shared.root.as_path();
    let ids = std::slice::from_ref(&action.id);
    let done = match action.action {
        Verb::Approve => moderate::approve(root, ids).map(|_| "approved"),
        Verb::Spam => moderate::spam(root, ids).map(|()| "moved to spam"),
        Verb::Delete => moderate::delete(root, ids).map(|()| "deleted"),
        Verb::Reply => {
            let article = shared.source_of(&action.page);
            let reply = Reply {
                to: &action.id,
                article: article.as_deref().map(Path::new),
                body: &action.body,
                author: None,
            };
            moderate::reply(root, &reply).map(|_| "replied")
        }
    };
    done.map(str::to_string).map_err(|e| e.to_string())
}

/// A request sent by a page of this server: no `Origin`, or one naming the
/// host the request was sent to.
fn same_origin(request: &Request) -> bool {
    match (request.header("Origin"), request.header("Host")) {
        (None, _) => true,
        (Some(origin), Some(host)) => origin == format!("http://{host}"),
        (Some(_), None) => false,
    }
}

fn query_value(target: &str, name: &str) -> Option<String> {
    let query = target.split_once('?')?.1;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn json(status: u16, value: &impl Serialize) -> Response {
    let body = serde_json::to_vec(value).expect("plain data serializes");
    Response::new(status, "application/json", body).with_header("Cache-Control", "no-store")
}

/// The browser side: pending comments in place, and the buttons.
pub(super) const SCRIPT: &str = r##"(function () {
  "use strict";
  var token = document.currentScript.getAttribute("data-token");
  var section = document.getElementById("comments");
  if (!section) { return; }
  var page = location.pathname.replace(/^\//, "");
  var css = "margin:.4rem 0;display:flex;flex-wrap:wrap;gap:.4rem;align-items:center;font:13px system-ui,sans-serif";
  function send(data) {
    data.page = page;
    return fetch("/__mend/moderate", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Mend-Token": token },
      body: JSON.stringify(data)
    }).then(function (r) {
      return r.json().then(function (answer) {
        if (!r.ok) { throw new Error(answer.error || String(r.status)); }
        return answer;
      });
    });
  }
  function button(label, data, bar) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.className = "mend-" + data.action;
    b.addEventListener("click", function () {
      b.disabled = true;
      send(data).then(function () { location.reload(); }, function (e) {
        b.disabled = false;
        bar.querySelector(".mend-problem").textContent = e.message;
      });
    });
    return b;
  }
  function tools(id, pending) {
    var bar = document.createElement("div");
    bar.className = "mend-moderation";
    bar.style.cssText = css;
    var problem = document.createElement("span");
    problem.className = "mend-problem";
    problem.style.color = "#b3261e";
    if (pending) {
      ["approve", "spam", "delete"].forEach(function (action) {
        var label = action.charAt(0).toUpperCase() + action.slice(1);
        bar.appendChild(button(label, { action: action, id: id }, bar));
      });
    }
    var box = document.createElement("details");
    box.className = "mend-reply";
    var summary = document.createElement("summary");
    summary.textContent = "Reply as the author";
    var text = document.createElement("textarea");
    text.rows = 4;
    text.style.cssText = "display:block;width:100%;box-sizing:border-box;margin:.3rem 0";
    var send_ = document.createElement("button");
    send_.type = "button";
    send_.textContent = "Publish reply";
    send_.className = "mend-send-reply";
    send_.addEventListener("click", function () {
      send_.disabled = true;
      send({ action: "reply", id: id, body: text.value }).then(function () { location.reload(); }, function (e) {
        send_.disabled = false;
        problem.textContent = e.message;
      });
    });
    box.appendChild(summary);
    box.appendChild(text);
    box.appendChild(send_);
    bar.appendChild(box);
    bar.appendChild(problem);
    return bar;
  }
  function listOf(holder) {
    var list = holder.querySelector(":scope > ol.comment-list");
    if (!list) {
      list = document.createElement("ol");
      list.className = "comment-list";
      holder.appendChild(list);
    }
    return list;
  }
  function show(c) {
    var item = document.createElement("li");
    var article = document.createElement("article");
    article.id = "comment-" + c.id;
    article.className = "comment mend-pending";
    article.style.cssText = "outline:2px dashed #c77d00;outline-offset:4px";
    var meta = document.createElement("header");
    meta.className = "comment-meta";
    var who = document.createElement("span");
    who.className = "comment-author";
    who.textContent = c.author;
    var note = document.createElement("span");
    note.className = "badge";
    note.textContent = "awaiting moderation";
    var when = document.createElement("span");
    when.textContent = c.date;
    meta.append(who, " ", note, " ", when);
    var body = document.createElement("div");
    body.className = "comment-body";
    body.innerHTML = c.body; // cleaned by the server as published comments are
    article.append(meta, body, tools(c.id, true));
    item.appendChild(article);
    var parent = c.parent && document.getElementById("comment-" + c.parent);
    var list = parent ? listOf(parent) : section.querySelector(":scope > ol.comment-list");
    if (!list) {
      list = document.createElement("ol");
      list.className = "comment-list";
      var heading = section.querySelector("h2");
      (heading || section).after(list);
    }
    list.appendChild(item);
  }
  section.querySelectorAll("article.comment").forEach(function (c) {
    var id = c.id.replace(/^comment-/, "");
    var body = c.querySelector(":scope > .comment-body");
    (body || c).after(tools(id, false));
  });
  fetch("/__mend/pending?page=" + encodeURIComponent(page)).then(function (r) { return r.json(); }).then(function (list) {
    list.forEach(show);
  });
})();
"##;
