// Forecasts on screen (rule 14): when an event's coverage or a pool moves, the organization's forecast is read again
// (coalesced: once per burst) and the same texts as the server's partials (_Forecast, _PoolForecast) are rendered.
(function () {
  "use strict";
  const orgId = parseInt(document.body.dataset.orgId || "", 10);
  if (!orgId || !document.querySelector("[data-forecast-event], [data-forecast-pool]")) return;
  const fmt = new Intl.NumberFormat("en-US");
  let timer = null;

  function mark(el, warn, text, title) {
    el.textContent = text;
    el.classList.toggle("text-warning-emphasis", warn);
    el.classList.toggle("fw-semibold", warn);
    el.classList.toggle("text-body-secondary", !warn);
    if (title !== undefined) el.title = title;
  }

  async function refresh() {
    timer = null;
    const response = await fetch("/api/orgs/" + orgId + "/forecast", { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const forecast = await response.json();
    forecast.events.forEach(e => {
      const shortBy = e.projectedMissingAtStart.reduce((sum, m) => sum + m.missing, 0);
      document.querySelectorAll('[data-forecast-event="' + e.eventId + '"]').forEach(el => {
        if (e.projectedCountedAtStart === null) mark(el, false, "forecast: " + e.basis, "No forecast: " + e.basis);
        else mark(el, shortBy > 0, shortBy > 0 ? "likely short by " + fmt.format(shortBy) + " at start" : "heading for ≈" + fmt.format(e.projectedCountedAtStart) + " at start",
          "Heading for " + fmt.format(e.projectedCountedAtStart) + " counted at start (" + fmt.format(e.low) + "–" + fmt.format(e.high) + "); basis: " + e.basis);
      });
    });
    forecast.pools.forEach(p => {
      document.querySelectorAll('[data-forecast-pool="' + p.productCode + '"]').forEach(el => {
        mark(el, p.projectedShortfall > 0, p.projectedShortfall > 0
          ? "projected short by " + fmt.format(p.projectedShortfall) + " at start · buy before " + window.elTimes.day(new Date(p.shortFrom))
          : "covers the live events' projected need (" + fmt.format(p.projectedNeed) + ")");
      });
    });
  }

  function later() {
    if (timer === null) timer = setTimeout(refresh, 500);
  }

  document.addEventListener("el:coverage", later);
  document.addEventListener("el:pool", later);
})();
