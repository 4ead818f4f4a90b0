// Intake pages: print the notice. Formset rows are added by portal/formsets.js, which base.html loads on every page.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
