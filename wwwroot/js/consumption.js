// The consumption chart of the pools tab: purchased vs allocated vs required per product.
(function () {
  "use strict";
  const canvas = document.getElementById("consumption-chart");
  const source = document.getElementById("consumption-data");
  if (!canvas || !source || !window.Chart) return;

  const orgId = document.body.dataset.orgId;
  let rows = JSON.parse(source.textContent);
  const chart = new Chart(canvas, {
    type: "bar",
    data: { labels: [], datasets: [
      { label: "Purchased", data: [], backgroundColor: "#c7d2fe", borderRadius: 4 },
      { label: "Allocated", data: [], backgroundColor: "#4f46e5", borderRadius: 4 },
      { label: "Required", data: [], backgroundColor: "#f43f5e", borderRadius: 4 },
    ] },
    options: {
      responsive: true, maintainAspectRatio: false, animation: { duration: 250 },
      plugins: { legend: { position: "bottom" }, tooltip: { mode: "index", intersect: false } },
      scales: { x: { grid: { display: false } }, y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });

  function render() {
    chart.data.labels = rows.map(r => r.productName);
    chart.data.datasets[0].data = rows.map(r => r.purchased);
    chart.data.datasets[1].data = rows.map(r => r.allocated);
    chart.data.datasets[2].data = rows.map(r => r.required);
    chart.update();
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
