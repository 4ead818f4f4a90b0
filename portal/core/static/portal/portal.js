// Behaviour shared by every page, kept out of inline attributes: a control marked data-submit-on-change submits its
// form when it changes (the language menu).
(function () {
  "use strict";
  document.querySelectorAll("[data-submit-on-change]").forEach(function (control) {
    control.addEventListener("change", function () { control.form.submit(); });
  });
})();
