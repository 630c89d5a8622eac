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

  // Questions that answers on this page decide (data-applies: the open conditions of the question bank) are shown
  // while they apply; hidden ones are disabled too, so they send nothing. Without this script the server asks them
  // on the next page. Only a known answer hides one: "Not sure" shows it, as the server does. The page arrives as
  // the server decided; this only follows the team's edits.
  function parseNumber(text) {
    var match = /^(\d+(?:\.\d+)?)([kmb])?$/i.exec(text.replace(/[,\s\u2009]/g, ""));
    if (!match) { return null; }
    var scale = { k: 1e3, m: 1e6, b: 1e9 }[(match[2] || "").toLowerCase()] || 1;
    return Number(match[1]) * scale;
  }

  function answerOf(form, name) {
    var fields = form.querySelectorAll('[name="' + name + '"]');
    if (fields.length === 1 && fields[0].type === "text") {
      return { given: fields[0].value.trim() !== "", value: parseNumber(fields[0].value.trim()) };
    }
    var chosen = Array.prototype.filter.call(fields, function (f) { return f.checked; })
      .map(function (f) { return f.value; });
    var unknown = chosen.length === 0 || chosen.indexOf("unknown") >= 0;
    return { given: chosen.length > 0, value: unknown ? null : chosen };
  }

  // true, false, or null when an answer it needs is missing or "Not sure" (then `gaps` says whether one is missing).
  function holds(form, condition, gaps) {
    if (condition.any) {
      var parts = condition.any.map(function (c) { return holds(form, c, gaps); });
      return parts.indexOf(true) >= 0 ? true : (parts.indexOf(null) >= 0 ? null : false);
    }
    var answer = answerOf(form, condition.q);
    if (!answer.given) { gaps.missing = true; }
    if (answer.value === null) { return null; }
    var v = answer.value, op = condition.op;
    if (op === "min") { return v >= condition.number; }
    if (op === "below") { return v < condition.number; }
    var hit = v.some(function (x) { return condition.values.indexOf(x) >= 0; });
    return (op === "in" || op === "has_any") ? hit : !hit;
  }

  function updateConditional(root) {
    root.querySelectorAll("[data-applies]").forEach(function (box) {
      var form = box.closest("form");
      if (!form) { return; }
      var gaps = { missing: false }, verdict = true;
      JSON.parse(box.getAttribute("data-applies")).forEach(function (c) {
        var part = holds(form, c, gaps);
        verdict = (verdict === false || part === false) ? false : (verdict === null || part === null ? null : true);
      });
      var show = verdict === true || (verdict === null && !gaps.missing);
      box.hidden = !show;
      box.disabled = !show;
    });
  }

  document.addEventListener("change", function (event) {
    var form = event.target.closest ? event.target.closest("form") : null;
    if (form) { updateConditional(form); }
  });
  document.addEventListener("input", function (event) {
    var form = event.target.closest ? event.target.closest("form") : null;
    if (form) { updateConditional(form); }
  });

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    announce(status === 403 ? "Your session expired. Reload the page and try again."
                            : "Couldn't save, try again.");
  });

  document.addEventListener("DOMContentLoaded", function () { revealCopyButtons(document); });
})();
