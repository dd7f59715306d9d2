// Shows and hides conditional questions as earlier answers change.
// A question with data-show-if-question="CODE" data-show-if-values="a b" is shown
// only while the input named q-CODE has one of those values checked.
// The server applies the same rule when it saves and scores answers.
(function () {
  "use strict";
  function selected(code) {
    var inputs = document.querySelectorAll('[name="q-' + code + '"]');
    var values = [];
    inputs.forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") ? input.checked : input.value) values.push(input.value);
    });
    return values;
  }
  function visible(el, seen) {
    var code = el.dataset.showIfQuestion;
    if (!code) return true;
    var parent = document.getElementById("q-" + code);
    if (parent && seen.indexOf(code) < 0 && !visible(parent, seen.concat([code]))) return false;
    var wanted = el.dataset.showIfValues.split(" ");
    return selected(code).some(function (v) { return wanted.indexOf(v) >= 0; });
  }
  function refresh() {
    document.querySelectorAll("[data-show-if-question]").forEach(function (el) {
      el.hidden = !visible(el, []);
    });
  }
  document.addEventListener("change", refresh);
  document.addEventListener("DOMContentLoaded", refresh);
})();
