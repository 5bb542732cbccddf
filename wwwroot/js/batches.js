// Follows the participant batches still being applied on the event page until they finish.
(function () {
  "use strict";
  const orgId = document.body.dataset.orgId;
  const fmt = new Intl.NumberFormat("en-US");

  async function poll() {
    const open = document.querySelectorAll('[data-batch-status="accepted"], [data-batch-status="processing"]');
    if (open.length === 0) return;
    await Promise.all(Array.from(open).map(async item => {
      const response = await fetch("/api/orgs/" + orgId + "/participant-batches/" + item.dataset.batchId, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const b = await response.json();
      item.dataset.batchStatus = b.status;
      const badge = item.querySelector(".batch-status");
      badge.textContent = b.status;
      badge.className = "badge batch-status " + (b.status === "done" ? "text-bg-success" : b.status === "failed" ? "text-bg-danger" : "text-bg-warning");
      item.querySelector(".batch-progress").textContent = fmt.format(b.applied) + " applied · " + fmt.format(b.duplicates) + " duplicates · " + fmt.format(b.received) + " received";
      if (b.error && !item.querySelector(".batch-error")) {
        const error = document.createElement("div");
        error.className = "text-danger batch-error";
        error.textContent = b.error;
        item.append(error);
      }
    }));
    setTimeout(poll, 1000);
  }

  setTimeout(poll, 500);
})();
