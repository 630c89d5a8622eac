// Admin weights page, progressive enhancement only: without this file the page shows the same total and shares
// after "Preview impact". The sentences mirror app/web/weights_form.py (total_sentence, share).
(function () {
  "use strict";

  var SLACK = 0.05; // percentage points: a total this close to 100 % is used as typed (TOTAL_SLACK)

  // One typed percentage ('20', '20 %', '16,9'), or NaN when it is not a number from 0 to 100.
  function percentOf(text) {
    var raw = text.trim().replace(/%$/, "").trim().replace(",", ".");
    if (!raw || !/^[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(raw)) { return NaN; }
    var value = Number(raw);
    return isFinite(value) && value >= 0 && value <= 100 ? value : NaN;
  }

  // At most one decimal: 16.949 → '16.9', 20 → '20'.
  function share(value) {
    var text = value.toFixed(1);
    return text.slice(-2) === ".0" ? text.slice(0, -2) : text;
  }

  function totalSentence(total, valid) {
    if (!valid || total <= 0) {
      return "Total: — (enter a number from 0 to 100 for each axis, at least one above 0).";
    }
    if (Math.abs(total - 100) <= SLACK) { return "Total: " + share(total) + " %. The shares are used as typed."; }
    return "Total: " + share(total) + " %. Each share is scaled to make 100 %: “used” beside each axis is what counts.";
  }

  function updatePercentForm(form) {
    var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-percent]"));
    var values = inputs.map(function (input) { return percentOf(input.value); });
    var valid = values.every(function (v) { return !isNaN(v); });
    var total = valid ? values.reduce(function (sum, v) { return sum + v; }, 0) : 0;
    inputs.forEach(function (input, i) {
      var used = document.getElementById(input.id + "-used");
      if (used) { used.textContent = valid && total > 0 ? "used " + share(values[i] / total * 100) + " %" : ""; }
    });
    var line = form.querySelector("[data-total]");
    if (line) { line.textContent = totalSentence(total, valid); }
  }

  document.addEventListener("input", function (event) {
    var form = event.target.closest ? event.target.closest("[data-percent-form]") : null;
    if (form) { updatePercentForm(form); }
  });
})();
