// The consumption charts of the pools tab: purchased vs allocated vs required, subscriptions and modules each on
// their own scale (hundreds of participants next to a handful of events would make the modules invisible).
(function () {
  "use strict";
  const source = document.getElementById("consumption-data");
  const canvases = [document.getElementById("consumption-chart"), document.getElementById("consumption-modules-chart")].filter(Boolean);
  if (!source || canvases.length === 0 || !window.Chart) return;

  const orgId = document.body.dataset.orgId;
  let rows = JSON.parse(source.textContent);
  const charts = canvases.map(canvas => ({
    kind: canvas.dataset.kind,
    chart: new Chart(canvas, {
      type: "bar",
      data: { labels: [], datasets: [
        { label: "Purchased", data: [], backgroundColor: "#c7d2fe", borderRadius: 4 },
        { label: "Allocated", data: [], backgroundColor: "#4f46e5", borderRadius: 4 },
        { label: "Required", data: [], backgroundColor: "#f43f5e", borderRadius: 4 },
      ] },
      options: {
        indexAxis: canvas.dataset.kind === "subscription" ? "y" : "x",
        responsive: true, maintainAspectRatio: false, animation: { duration: 250 },
        plugins: { legend: { position: "bottom" }, tooltip: { mode: "index", intersect: false } },
        scales: { x: { grid: { display: false }, beginAtZero: true, ticks: { precision: 0 } }, y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    }),
  }));

  function render() {
    charts.forEach(({ kind, chart }) => {
      const mine = rows.filter(r => r.kind === kind);
      chart.canvas.parentElement.classList.toggle("d-none", mine.length === 0);
      chart.data.labels = mine.map(r => r.productName);
      chart.data.datasets[0].data = mine.map(r => r.purchased);
      chart.data.datasets[1].data = mine.map(r => r.allocated);
      chart.data.datasets[2].data = mine.map(r => r.required);
      chart.update();
    });
  }

  let pending = null;
  function refresh() {
    // Required figures are sums over events: re-read them once per burst of changes.
    clearTimeout(pending);
    pending = setTimeout(async () => {
      const response = await fetch("/Orgs/" + orgId + "/Entitlements?handler=Consumption", { headers: { Accept: "application/json" } });
      if (response.ok) { rows = await response.json(); render(); }
    }, 250);
  }

  document.addEventListener("el:pool", e => {
    const row = rows.find(r => r.productCode === e.detail.productCode);
    if (row) { row.purchased = e.detail.purchased; row.allocated = e.detail.transferred; render(); } else { refresh(); }
  });
  document.addEventListener("el:coverage", refresh);
  render();
})();
