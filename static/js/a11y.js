// Keyboard and screen-reader help on every page (docs/accessibility.md).
// - Focus goes to an element marked data-focus-on-load (the error summary after a failed Save),
//   and a link in the error summary moves focus to the field it names.
// - Tables wider than the screen scroll inside their own region, which can take keyboard focus
//   and is named, so the page itself never scrolls sideways (reflow at 320 px).
// - The sticky Save bar never covers the focused control.
// - After htmx swaps new content into a region (the report's PDF status), the change is
//   announced in the page's live region, once per new text, and focus that was inside the
//   region and fell out with the old content goes to the new content.
(function () {
  "use strict";
  var live = document.getElementById("live-status");

  function announce(text) {
    if (!live || !text) return;
    live.textContent = "";
    // A fresh node after a tick, so the same words said twice in a row are still announced.
    setTimeout(function () { live.textContent = text; }, 50);
  }

  function focusFirst() {
    var target = document.querySelector("[data-focus-on-load]");
    if (target) { target.focus(); }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".error-summary a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    if (field.tabIndex < 0 && !/^(INPUT|SELECT|TEXTAREA|BUTTON|A)$/.test(field.tagName)) {
      field.setAttribute("tabindex", "-1");
    }
    field.focus();
  });

  function regionName(box) {
    var table = box.querySelector("table");
    if (table) {
      var caption = table.querySelector("caption");
      if (caption) return caption.textContent.trim();
      if (table.getAttribute("aria-label")) return table.getAttribute("aria-label");
    }
    var el = box.previousElementSibling;
    while (el && !/^H[1-6]$/.test(el.tagName)) { el = el.previousElementSibling; }
    return el ? el.textContent.trim() : "Table";
  }

  function scrollRegions() {
    document.querySelectorAll("main table").forEach(function (table) {
      if (table.closest(".table-responsive, .table-scroll")) return;
      var box = document.createElement("div");
      box.className = "table-scroll";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    });
    document.querySelectorAll(".table-responsive, .table-scroll").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", regionName(box) + " (scrolls sideways)");
      } else if (box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }

  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(scrollRegions, 150);
  });

  var lastSaid = {};
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target) target.dataset.hadFocus = target.contains(document.activeElement) ? "1" : "";
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.hasAttribute("data-announce")) return;
    var parts = target.querySelectorAll("[data-announce-text]");
    var text = Array.prototype.map.call(parts.length ? parts : [target], function (el) {
      return el.textContent;
    }).join(" ").replace(/\s+/g, " ").trim();
    if (text !== lastSaid[target.id]) {
      lastSaid[target.id] = text;
      announce(text);
    }
    if (target.dataset.hadFocus !== "1") return;
    var preferred = target.querySelector("[data-autofocus]");
    if (preferred) {
      preferred.focus();
    } else if (!target.contains(document.activeElement)) {
      target.setAttribute("tabindex", "-1");
      target.focus();
    }
  });

  // The sticky Save bar never hides the focused control (SC 2.4.11). scroll-padding (app.css)
  // covers controls the browser scrolls to; a control already on screen but under the bar is
  // scrolled clear here, now and again after the browser's own scrolling.
  function clearOfBar(el) {
    var bar = document.querySelector(".sticky-bottom");
    if (!bar || !el || !el.getBoundingClientRect || bar.contains(el)) return;
    var r = el.getBoundingClientRect(), b = bar.getBoundingClientRect();
    if (r.height > 0 && r.bottom > b.top && r.top < b.bottom) {
      window.scrollBy(0, r.bottom - b.top + 16);
    }
  }
  document.addEventListener("focusin", function (event) {
    clearOfBar(event.target);
    requestAnimationFrame(function () { clearOfBar(document.activeElement); });
  });

  function ready() { scrollRegions(); focusFirst(); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
