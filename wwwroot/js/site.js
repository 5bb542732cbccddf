// Behaviour every page shares, without inline script (the Content-Security-Policy forbids it):
// a form with data-confirm asks before it submits; a control with data-autosubmit submits its form when changed.
(function () {
  "use strict";
  document.addEventListener("submit", event => {
    const message = event.target instanceof HTMLFormElement ? event.target.dataset.confirm : undefined;
    if (message && !window.confirm(message)) event.preventDefault();
  }, true);
  document.addEventListener("change", event => {
    const control = event.target;
    if (control instanceof HTMLElement && control.hasAttribute("data-autosubmit") && control.form) control.form.requestSubmit();
  });
})();
