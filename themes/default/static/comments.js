// The comment form of the default theme, for readers with JavaScript: a
// comment's Reply link moves the form under that comment (as WordPress
// does), and the form is sent in place, keeping what was typed when sending
// fails. Without JavaScript the form posts as plain HTML and Reply opens a
// reply page: nothing here is needed for commenting.
(function () {
  "use strict";
  var form = document.querySelector("form[data-mend-comments]");
  if (!form || !window.fetch) { return; }
  var respond = document.getElementById("respond");
  var home = respond.parentNode;
  var homeNext = respond.nextSibling;
  var title = document.getElementById("reply-title").firstElementChild;
  var leaveTitle = title.textContent;
  var cancel = document.getElementById("cancel-reply");
  var notice = document.getElementById("comment-sent");
  var problem = form.querySelector(".form-error");
  var button = form.querySelector("button[type=submit]");

  function replyTo(link) {
    var comment = link.closest(".comment");
    form.elements.parent.value = link.getAttribute("data-reply-to");
    title.textContent = "Reply to " + link.getAttribute("data-author");
    cancel.hidden = false;
    link.parentNode.after(respond);
    notice.classList.remove("shown");
    form.elements.author.value ? form.elements.body.focus() : form.elements.author.focus();
    return comment;
  }

  function cancelReply() {
    form.elements.parent.value = "";
    title.textContent = leaveTitle;
    cancel.hidden = true;
    home.insertBefore(respond, homeNext);
  }

  function fail(message) {
    problem.textContent = message;
    problem.hidden = false;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-reply-to]");
    if (link) { event.preventDefault(); replyTo(link); return; }
    if (event.target === cancel) { event.preventDefault(); cancelReply(); }
  });

  // "Email me when someone replies" needs an address: shown once there is one.
  var follow = form.querySelector("[data-needs-email]");
  function showFollow() { follow.hidden = !form.elements.email.value.trim(); }
  if (follow && form.elements.email) {
    form.elements.email.addEventListener("input", showFollow);
    showFollow();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var data = {};
    new FormData(form).forEach(function (value, key) { data[key] = value; });
    problem.hidden = true;
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(data)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (response.ok) {
          form.elements.body.value = "";
          cancelReply();
          notice.classList.add("shown");
          notice.focus();
        } else {
          fail(answer.error || "Your comment could not be sent (the server answered " + response.status + "). Your text is still here: please try again.");
        }
      });
    }, function () {
      fail("Your comment could not be sent: the comment server did not answer. Your text is still here: please try again in a moment.");
    }).then(function () { button.disabled = false; });
  });
})();
