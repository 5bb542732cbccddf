// The participants tab: the counts follow the event live (coalesced: one read per burst of changes), and a row's
// history opens in place. Without script the same links reload the page with the history open.
(function () {
  "use strict";
  const page = document.querySelector("[data-participants-page]");
  if (!page) return;
  const orgId = document.body.dataset.orgId;
  const eventId = Number(page.dataset.participantsPage);
  const fmt = new Intl.NumberFormat("en-US");
  let pending = null;

  async function refreshCounts() {
    pending = null;
    const response = await fetch("/api/orgs/" + orgId + "/events/" + eventId + "/participants/counts", { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const counts = await response.json();
    page.querySelectorAll("[data-count]").forEach(el => {
      const value = counts[el.dataset.count];
      if (typeof value === "number" && el.textContent !== fmt.format(value)) {
        el.textContent = fmt.format(value);
        el.classList.remove("flash");
        void el.offsetWidth;
        el.classList.add("flash");
      }
    });
    document.getElementById("participants-stale")?.classList.remove("d-none");
  }

  document.addEventListener("el:coverage", e => {
    if (e.detail.eventId !== eventId || pending !== null) return;
    pending = setTimeout(refreshCounts, 300);
  });

  document.addEventListener("click", async e => {
    const toggle = e.target.closest("[data-history-for]");
    if (!toggle) return;
    e.preventDefault();
    const row = toggle.closest("tr");
    const next = row.nextElementSibling;
    if (next && next.classList.contains("history-row")) {
      next.remove();
      toggle.setAttribute("aria-expanded", "false");
      return;
    }

    const url = location.pathname + "?handler=History&participantRef=" + encodeURIComponent(toggle.dataset.historyFor);
    const response = await fetch(url, { headers: { Accept: "text/html" } });
    const history = document.createElement("tr");
    history.className = "history-row";
    const cell = document.createElement("td");
    cell.colSpan = row.children.length;
    cell.className = "bg-body-tertiary";
    if (response.ok) {
      cell.innerHTML = await response.text();
    } else {
      cell.textContent = "The history could not be read (" + response.status + "). Reload the page and try again.";
      cell.classList.add("text-danger");
    }
    history.append(cell);
    row.after(history);
    toggle.setAttribute("aria-expanded", "true");
  });
})();
