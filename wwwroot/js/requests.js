// The Requests list follows the hub: after a burst of request messages it reads itself again (one request per burst).
(function () {
  "use strict";
  const holder = document.querySelector("[data-requests-page]");
  if (!holder) return;
  let pending = null;
  async function refresh() {
    pending = null;
    const response = await fetch(location.pathname + "?state=" + encodeURIComponent(holder.dataset.requestsPage), { headers: { Accept: "text/html" } });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const table = page.querySelector("[data-requests-page]");
    if (table) holder.replaceChildren(...table.childNodes);
  }
  document.addEventListener("el:request", () => { if (pending === null) pending = setTimeout(refresh, 250); });
})();
