// Behaviour every page shares, without inline script (the Content-Security-Policy forbids it):
// a form with data-confirm asks before it submits; a control with data-autosubmit submits its form when changed;
// activity times (<time data-local>) show in the viewer's own time zone, with the UTC time on hover.
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

  const formats = {
    datetime: new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" }),
    date: new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric" }),
  };
  const utc = new Intl.DateTimeFormat("en-GB", { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "UTC" });

  function localize(root) {
    root.querySelectorAll("time[data-local]:not([data-localized])").forEach(el => {
      const when = new Date(el.getAttribute("datetime"));
      if (isNaN(when)) return;
      el.textContent = (formats[el.dataset.local] || formats.datetime).format(when);
      el.title = utc.format(when) + " UTC";
      el.dataset.localized = "true";
    });
  }

  localize(document);
  new MutationObserver(records => records.forEach(r => r.addedNodes.forEach(n => { if (n instanceof Element) localize(n.parentElement || n); })))
    .observe(document.body, { childList: true, subtree: true });
})();
