// The Alerts list follows the hub: after a burst of alert messages it reads itself again (one request per burst).
(function () {
  "use strict";
  const holder = document.querySelector("[data-alerts-page]");
  if (!holder) return;
  let pending = null;
  async function refresh() {
    pending = null;
    // The list's own address (after a refused form post the page's address names a handler).
    const response = await fetch(location.pathname + "?state=" + encodeURIComponent(holder.dataset.alertsPage), { headers: { Accept: "text/html" } });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const table = page.querySelector("[data-alerts-page]");
    if (table) holder.replaceChildren(...table.childNodes);
  }
  document.addEventListener("el:alert", () => { if (pending === null) pending = setTimeout(refresh, 250); });
})();
