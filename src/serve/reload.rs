//! Live reload: the state every open tab follows, pushed to browsers as
//! Server-Sent Events, and the small script `serve` adds to HTML responses
//! (never to `build` output) that reloads, swaps stylesheets, or shows an
//! error overlay.
//!
//! Not for deciding when to rebuild (`watch`) or what (`live`).

use serde::Serialize;

/// Where the script and the event stream are served from.
pub(super) const SCRIPT_PATH: &str = "/__mend/livereload.js";
pub(super) const EVENTS_PATH: &str = "/__mend/events";
pub(super) const STATUS_PATH: &str = "/__mend/status";

/// What a browser needs to know about the served site.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub(super) struct State {
    /// Goes up by one with every successful rebuild that changed something.
    pub generation: u64,
    /// The last generation that needs a full page reload; newer ones only
    /// changed stylesheets.
    pub reload_generation: u64,
    /// The error of the last rebuild, if it failed; the site served is then
    /// the last good one.
    pub error: Option<String>,
}

/// The current state, and a way for event streams to wait for the next.
pub(super) struct Hub {
    state: tokio::sync::watch::Sender<State>,
}

impl Default for Hub {
    fn default() -> Hub {
        Hub {
            state: tokio::sync::watch::Sender::new(State::default()),
        }
    }
}

impl Hub {
    pub(super) fn state(&self) -> State {
        self.state.borrow().clone()
    }

    /// A rebuild changed the site; `css_only` when only stylesheets changed.
    pub(super) fn changed(&self, css_only: bool) {
        self.state.send_modify(|state| {
            state.generation += 1;
            if !css_only {
                state.reload_generation = state.generation;
            }
            state.error = None;
        });
    }

    /// Files changed beside a rebuild (the sizes of images, made): pages
    /// reload; an error shown stays until a rebuild clears it.
    pub(super) fn reload(&self) {
        self.state.send_modify(|state| {
            state.generation += 1;
            state.reload_generation = state.generation;
        });
    }

    /// A rebuild failed: the old site stays, the error is shown.
    pub(super) fn failed(&self, message: String) {
        self.state.send_modify(|state| state.error = Some(message));
    }

    /// A rebuild worked but changed no byte: only clears an error.
    pub(super) fn unchanged(&self) {
        self.state.send_modify(|state| {
            if state.error.is_some() {
                // The page shown may be older than the fix: reload it.
                state.error = None;
                state.generation += 1;
                state.reload_generation = state.generation;
            }
        });
    }

    /// Follows the state: each new one is seen by the receiver.
    pub(super) fn follow(&self) -> tokio::sync::watch::Receiver<State> {
        self.state.subscribe()
    }
}

/// The tag added before `</body>` of every HTML response of `serve`.
pub(super) fn script_tag(generation: u64) -> String {
    format!("<script src=\"{SCRIPT_PATH}\" data-generation=\"{generation}\"></script>")
}

/// Adds `tags` (the scripts of `serve`) to an HTML page, before its end.
pub(super) fn inject(html: &[u8], tag: &str) -> Vec<u8> {
    let at = find_last(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// The browser side: follow the event stream; reload (keeping the scroll
/// position), swap stylesheets, or show the build error over the page.
pub(super) const SCRIPT: &str = r#"(function () {
  "use strict";
  var seen = Number(document.currentScript.dataset.generation);
  var key = "mend-scroll:" + location.pathname;
  var saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    var restore = function () { window.scrollTo(0, Number(saved)); };
    if (document.readyState === "complete") { restore(); } else { window.addEventListener("load", restore); }
  }
  function reload() {
    sessionStorage.setItem(key, String(window.scrollY));
    location.reload();
  }
  function swapStylesheets() {
    document.querySelectorAll('link[rel="stylesheet"]').forEach(function (link) {
      var url = new URL(link.href, location.href);
      if (url.origin !== location.origin) { return; }
      url.searchParams.set("mend-reload", String(Date.now()));
      var fresh = link.cloneNode();
      fresh.href = url.href;
      fresh.onload = function () { link.remove(); };
      link.after(fresh);
    });
  }
  function showError(message) {
    var box = document.getElementById("mend-error-overlay");
    if (!box) {
      box = document.createElement("div");
      box.id = "mend-error-overlay";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
        "background:rgba(20,20,24,.94);color:#ffd7d7;font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap";
      document.body.appendChild(box);
    }
    var first = document.querySelector("meta[name=mend-not-built]");
    box.textContent = (first
      ? "mend could not build the site yet; fix this and save, and the page reloads by itself.\n\n"
      : "mend could not rebuild the site; still showing the last good version.\n\n") + message;
  }
  function hideError() {
    var box = document.getElementById("mend-error-overlay");
    if (box) { box.remove(); }
  }
  var source = new EventSource("/__mend/events");
  source.addEventListener("state", function (event) {
    var state = JSON.parse(event.data);
    if (state.error) { showError(state.error); return; }
    hideError();
    if (state.reload_generation > seen) { reload(); }
    else if (state.generation > seen) { seen = state.generation; swapStylesheets(); }
  });
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_goes_before_the_last_body_end() {
        let page = inject(b"<html><body><p>x</p></body></html>", &script_tag(7));
        let text = String::from_utf8(page).unwrap();
        assert!(
            text.ends_with(&format!("{}</body></html>", script_tag(7))),
            "{text}"
        );
        assert!(
            String::from_utf8(inject(b"no body", &script_tag(1)))
                .unwrap()
                .starts_with("no body<script")
        );
    }

    #[test]
    fn stylesheet_changes_do_not_force_a_reload() {
        let hub = Hub::default();
        hub.changed(false);
        hub.changed(true);
        let state = hub.state();
        assert_eq!((state.generation, state.reload_generation), (2, 1));
        hub.failed("boom".into());
        assert_eq!(hub.state().error.as_deref(), Some("boom"));
        hub.unchanged();
        let state = hub.state();
        assert_eq!(
            (state.generation, state.reload_generation, state.error),
            (3, 3, None)
        );
    }
}
