// Formsets rendered by portal/formset.html. "增加一行" clones the empty row of the <template> with the next index for
// __prefix__; a row added that way can be removed again, and the rows after it are renumbered so that the indices stay
// 0 … TOTAL_FORMS-1 as Django's formset reads them. At data-max-items rows (not counting rows ticked for deletion) the
// button is disabled; the server refuses too many rows either way. The button is hidden until this script runs.
(function () {
  "use strict";

  var RENAMED = ["name", "id", "for", "aria-describedby"];

  function renumber(row, prefix, from, to, heading) {
    var before = prefix + "-" + from + "-";
    var after = prefix + "-" + to + "-";
    [row].concat(Array.prototype.slice.call(row.querySelectorAll("*"))).forEach(function (element) {
      RENAMED.forEach(function (attribute) {
        var value = element.getAttribute(attribute);
        if (value && value.indexOf(before) !== -1) element.setAttribute(attribute, value.split(before).join(after));
      });
    });
    var title = row.querySelector(".row-head h3");
    if (title && heading) title.textContent = heading.replace("__number__", String(to + 1));
  }

  function setUp(box) {
    var prefix = box.dataset.formset;
    var total = box.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var template = box.querySelector("template");
    var rows = box.querySelector(".formset-rows");
    var button = box.querySelector("button.add-row");
    if (!total || !template || !rows || !button) return;
    var max = box.dataset.maxItems ? Number(box.dataset.maxItems) : Infinity;
    var emptyTitle = template.content.querySelector(".row-head h3");
    var heading = emptyTitle ? emptyTitle.textContent : "";

    function rowList() {
      return Array.prototype.filter.call(rows.children, function (el) { return el.classList.contains("formset-row"); });
    }

    function refresh() {
      var deleted = rows.querySelectorAll("input[name$='-DELETE']:checked").length;
      button.disabled = rowList().length - deleted >= max;
    }

    button.addEventListener("click", function () {
      if (button.disabled) return;
      var index = Number(total.value);
      var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      refresh();
      var first = rows.lastElementChild.querySelector("input:not([type=hidden]), select, textarea");
      if (first) first.focus();
    });

    rows.addEventListener("click", function (event) {
      var remove = event.target.closest("button.remove-row");
      if (!remove) return;
      var all = rowList();
      var row = remove.closest(".formset-row");
      var position = all.indexOf(row);
      row.remove();
      for (var i = position + 1; i < all.length; i++) renumber(all[i], prefix, i, i - 1, heading);
      total.value = String(all.length - 1);
      refresh();
      button.focus();
    });

    rows.addEventListener("change", refresh);
    refresh();
    button.hidden = false;
  }

  document.querySelectorAll("fieldset[data-formset]").forEach(setUp);
})();
