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

  // One way to write a time on every page, whatever the browser's language: "2 Dec 2026, 09:23 EST" (the server writes
  // the same in UTC before this runs; see Times.cs).
  const local = new Intl.DateTimeFormat("en-US", { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short" });
  const inUtc = new Intl.DateTimeFormat("en-US", { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "UTC" });
  function write(format, when, dateOnly, zone) {
    const p = Object.fromEntries(format.formatToParts(when).map(x => [x.type, x.value]));
    const date = p.day + " " + p.month + " " + p.year;
    return dateOnly ? date : date + ", " + p.hour + ":" + p.minute + " " + (zone ?? p.timeZoneName);
  }

  // The one home of the format, for the scripts that write times themselves (live.js, forecast.js).
  window.elTimes = {
    day: when => write(inUtc, when, true),
    utc: when => write(inUtc, when, false, "UTC"),
  };

  function localize(root) {
    root.querySelectorAll("time[data-local]:not([data-localized])").forEach(el => {
      const when = new Date(el.getAttribute("datetime"));
      if (isNaN(when)) return;
      el.textContent = write(local, when, el.dataset.local === "date");
      el.title = write(inUtc, when, false, "UTC");
      el.dataset.localized = "true";
    });
  }

  localize(document);
  new MutationObserver(records => records.forEach(r => r.addedNodes.forEach(n => { if (n instanceof Element) localize(n.parentElement || n); })))
    .observe(document.body, { childList: true, subtree: true });
})();
