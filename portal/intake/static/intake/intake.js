// Intake forms: add formset rows from the empty row template; print the notice.
document.querySelectorAll("fieldset[data-formset]").forEach(function (box) {
  var prefix = box.dataset.formset;
  var total = box.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
  var template = box.querySelector("template");
  var button = box.querySelector("button.add-row");
  if (!total || !template || !button) return;
  button.addEventListener("click", function () {
    var index = Number(total.value);
    var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
    template.insertAdjacentHTML("beforebegin", html);
    total.value = String(index + 1);
  });
});
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
