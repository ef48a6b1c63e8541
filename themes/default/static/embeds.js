// Videos and posts from other sites, played in the page when the reader
// presses play, and not before: until then the page has loaded nothing of
// theirs. Without JavaScript each is a plain link to the video.
(function () {
  "use strict";
  var facades = document.querySelectorAll("a.embed-link[data-player]");
  facades.forEach(function (link) {
    var site = link.querySelector(".embed-site");
    if (site) {
      site.textContent = site.textContent + " · plays here, from " + link.getAttribute("data-from");
    }
    link.addEventListener("click", function (event) {
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
        return; // a new tab or window: the link does that
      }
      event.preventDefault();
      var title = link.querySelector(".embed-title");
      var frame = document.createElement("iframe");
      frame.src = link.getAttribute("data-player");
      frame.title = title ? title.textContent : "Video";
      frame.allow = "autoplay; encrypted-media; fullscreen; picture-in-picture";
      frame.allowFullscreen = true;
      frame.referrerPolicy = "strict-origin-when-cross-origin";
      link.replaceWith(frame);
      frame.focus();
    });
  });
})();
