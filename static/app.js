// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // CSRF: the same token as the hidden form field, sent as a header on every htmx request.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { event.detail.headers["X-CSRF-Token"] = meta.content; }
  });

  function announce(text) {
    var region = document.getElementById("sr-status");
    if (region) { region.textContent = text; }
  }

  // "Copy link" buttons exist in the markup but stay hidden until this script can make them work.
  function revealCopyButtons(root) {
    root.querySelectorAll("[data-copy]").forEach(function (button) { button.hidden = false; });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) { return; }
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) { return; }
    var done = function () { button.textContent = "Copied"; announce("Link copied to the clipboard."); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () { field.select(); });
    } else {
      field.select();
      try { document.execCommand("copy"); done(); } catch (e) { /* the field stays selected */ }
    }
  });

  // Focus the new step heading (or the error summary) after a swap; htmx honours autofocus,
  // this is the fallback for browsers that ignore it on inserted content.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.elt;
    var focus = target && target.querySelector ? target.querySelector("[autofocus]") : null;
    if (focus && document.activeElement !== focus) { focus.focus(); }
    revealCopyButtons(document);
  });

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    announce(status === 403 ? "Your session expired. Reload the page and try again."
                            : "Couldn't save, try again.");
  });

  document.addEventListener("DOMContentLoaded", function () { revealCopyButtons(document); });
})();
