// Comment times in the reader's own time zone and language. The page says
// them in UTC, which is what readers without JavaScript see.
(function () {
  "use strict";
  if (!window.Intl) { return; }
  var lang = document.documentElement.lang || undefined;
  var day = new Intl.DateTimeFormat(lang, { year: "numeric", month: "long", day: "numeric" });
  var hour = new Intl.DateTimeFormat(lang, { hour: "numeric", minute: "2-digit" });
  document.querySelectorAll("time[data-local]").forEach(function (time) {
    var when = new Date(time.getAttribute("datetime"));
    if (isNaN(when.getTime())) { return; }
    time.title = time.textContent;
    time.textContent = day.format(when) + ", " + hour.format(when);
  });
})();
