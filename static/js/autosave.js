// Autosave for the section form (staff screen and vendor portal), on top of htmx.
// - Autosave never posts a file or a choice of a document to attach: a file goes up once, with
//   Save or Attach (the server ignores both on autosave too), so choosing a file and then typing
//   elsewhere cannot store it twice.
// - A save that failed never looks saved: on a server error or a dropped connection the status
//   line says so and the save is retried with backoff; when retries run out it says the
//   changes are kept in the page.
// - Save pressed while an autosave is on its way waits for it: otherwise the full save would
//   carry the section's previous revision and be refused as a conflict with one's own autosave.
//   Once Save is pressed, no further autosave starts.
// - Only a reply that says "saved" (data-saved) counts as saved. A partial save, a conflict, or
//   a page that is not a status line at all (the login page after the session ended, an error
//   page) is not: such a page is never swapped into the status line.
// - Leaving the page with unsaved changes asks first.
(function () {
  "use strict";
  var form = document.getElementById("section-form");
  if (!form || !form.hasAttribute("hx-post")) return;
  var status = document.getElementById("save-status");
  var edits = 0, sent = 0, saved = 0, failures = 0, timer = null, submitting = false;
  var inflight = false, waiting = null;
  var DELAYS = [1000, 2000, 4000, 8000, 16000];

  function say(text, cls) {
    status.textContent = "";
    var span = document.createElement("span");
    span.className = cls;
    span.textContent = text;
    status.appendChild(span);
  }
  // data-all-saved says whether every edit so far has a "saved" reply (tests wait on it).
  function mark() { form.dataset.allSaved = saved >= edits ? "yes" : "no"; }
  form.addEventListener("input", function () { edits += 1; mark(); });
  form.addEventListener("change", function () { edits += 1; mark(); });
  form.addEventListener("submit", function (event) {
    submitting = true;
    clearTimeout(timer);
    if (inflight) {
      event.preventDefault();
      waiting = { submitter: event.submitter || null };
      say("Saving…", "text-secondary");
      // If the autosave on its way never answers, Save goes ahead after 15 s anyway.
      setTimeout(function () { if (waiting) { release(); } }, 15000);
    }
  });
  function release() {
    var submitter = waiting.submitter;
    waiting = null;
    inflight = false;
    if (submitter) { form.requestSubmit(submitter); } else { form.requestSubmit(); }
  }
  form.addEventListener("htmx:beforeRequest", function (event) {
    if (submitting) { event.preventDefault(); return; }
    inflight = true;
  });

  form.addEventListener("htmx:configRequest", function (event) {
    form.querySelectorAll("input[type=file], select[name^='attach-']").forEach(function (input) {
      delete event.detail.parameters[input.name];
    });
    sent = edits;
  });
  function failed() {
    failures += 1;
    form.dataset.saveFailures = String(failures);
    if (failures > DELAYS.length) {
      say("Not saved: your changes are kept in this page; check your connection, then press Save.", "text-danger");
      return;
    }
    say("Not saved: retrying…", "text-danger");
    clearTimeout(timer);
    timer = setTimeout(function () { htmx.trigger(form, "autosave-retry"); }, DELAYS[failures - 1]);
  }
  form.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status >= 400) return;  // responseError handles these
    if (xhr.responseText.indexOf("Not saved") >= 0 || xhr.responseText.indexOf("Saved") >= 0) return;
    event.detail.shouldSwap = false;
    say("Not saved: you may have been signed out. Your changes are kept in this page; " +
        "sign in again in another tab, then press Save.", "text-danger");
  });
  form.addEventListener("htmx:responseError", failed);
  form.addEventListener("htmx:sendError", failed);
  form.addEventListener("htmx:timeout", failed);
  form.addEventListener("htmx:afterRequest", function (event) {
    inflight = false;
    if (waiting) { release(); return; }
    if (!event.detail.successful) return;
    failures = 0;
    form.dataset.saveFailures = "0";
    // A conflict, a read-only answer or a partial save comes back as a 200 without the mark.
    if (status.querySelector("[data-saved]")) saved = Math.max(saved, sent);
    mark();
  });
  window.addEventListener("beforeunload", function (event) {
    if (submitting || saved >= edits) return;
    event.preventDefault();
    event.returnValue = "";
  });
})();
