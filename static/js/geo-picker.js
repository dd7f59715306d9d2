// Location pickers: <select data-geo-picker="multi|single"> lists the geography taxonomy
// (groups, countries, cloud regions). This adds a filter box above the list and, for
// "multi", the picked places as chips with a remove button below it. Without this script
// the select still works (Ctrl-click to pick several).
(function () {
  "use strict";

  function norm(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function setUp(select) {
    var multi = select.dataset.geoPicker === "multi";
    var filter = document.createElement("input");
    filter.type = "search";
    filter.className = "form-control form-control-sm mb-1";
    filter.placeholder = multi
      ? "Filter: type a country, a group (EU) or a cloud region (eu-west-1)"
      : "Filter: type a country";
    filter.setAttribute("aria-label", "Filter the places listed in " + (select.labels[0] ? select.labels[0].textContent.trim() : "the list"));
    filter.setAttribute("data-geo-filter", select.id);
    select.parentNode.insertBefore(filter, select);

    var chips = null;
    if (multi) {
      chips = document.createElement("div");
      chips.className = "geo-chips d-flex flex-wrap gap-1 mt-1";
      chips.setAttribute("aria-live", "polite");
      chips.setAttribute("data-geo-chips", select.id);
      select.parentNode.insertBefore(chips, select.nextSibling);
    }

    function render() {
      if (!chips) return;
      chips.textContent = "";
      var picked = Array.prototype.filter.call(select.options, function (o) { return o.selected; });
      if (!picked.length) {
        var none = document.createElement("span");
        none.className = "text-secondary small";
        none.textContent = "None picked.";
        chips.appendChild(none);
      }
      picked.forEach(function (option) {
        var chip = document.createElement("span");
        chip.className = "badge text-bg-light border d-inline-flex align-items-center gap-1";
        var label = option.textContent.split(" · ")[0]; // "AWS eu-central-1 (Germany) · Frankfurt"
        chip.textContent = label;
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "btn-close btn-close-sm";
        remove.setAttribute("aria-label", "Remove " + label);
        remove.addEventListener("click", function () {
          option.selected = false;
          select.dispatchEvent(new Event("change", { bubbles: true }));
        });
        chip.appendChild(remove);
        chips.appendChild(chip);
      });
    }

    function apply() {
      var words = norm(filter.value).split(/\s+/).filter(Boolean);
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.value) return; // the empty choice ("—") stays
        var group = option.parentNode.tagName === "OPTGROUP" ? option.parentNode.label : "";
        var text = norm(option.textContent + " " + option.value + " " + group);
        option.hidden = !words.every(function (w) { return text.indexOf(w) !== -1; });
      });
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        group.hidden = !group.querySelector("option:not([hidden])");
      });
    }

    // In a list box a plain click replaces the selection; picking one more place should add it.
    if (multi) {
      select.addEventListener("mousedown", function (event) {
        var option = event.target.closest("option");
        if (!option || event.ctrlKey || event.metaKey || event.shiftKey) return;
        event.preventDefault();
        option.selected = !option.selected;
        select.focus();
        select.dispatchEvent(new Event("change", { bubbles: true }));
      });
    }
    filter.addEventListener("input", apply);
    filter.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      event.preventDefault(); // Enter picks the first match instead of submitting the form
      var first = Array.prototype.find.call(select.options, function (o) { return !o.hidden && o.value; });
      if (!first) return;
      if (multi) {
        first.selected = true;
      } else {
        select.value = first.value;
      }
      select.dispatchEvent(new Event("change", { bubbles: true }));
    });
    select.addEventListener("change", render);
    render();
  }

  document.querySelectorAll("select[data-geo-picker]").forEach(setUp);
})();
