// Live updates: one SignalR connection per page. The server picks the groups; the page only applies
// absolute figures it receives, newest per key, and resumes from its last sequence after a reconnect.
(function () {
  "use strict";
  if (!window.signalR) return;

  const orgId = parseInt(document.body.dataset.orgId || "", 10);
  const stateEl = document.getElementById("live-state");
  const newest = new Map(); // key -> sequence, so a replayed older message never overwrites a newer one
  const shown = new Set(); // transaction ids already rendered or received: a replay or a duplicate renders nothing
  // The organization's sequence when the page read its figures: whatever commits later is resumed.
  let lastSequence = parseInt(document.body.dataset.lastSequence || "0", 10) || 0;
  // Where the next resume starts: the last sequence of a stream known to be complete. Messages that arrive on a
  // new connection before its resume has run must not move it, or what was missed in between would be skipped.
  let resumeFrom = lastSequence;
  // Alerts raised after the page was read get a toast (once per alert); a replay of older ones does not.
  const pageSequence = lastSequence;
  const toasted = new Set();
  let alertRefresh = null;
  const fmt = new Intl.NumberFormat("en-US");

  // The connection's state, as the badge shows it; "paused" while the reader holds the figures still.
  let connectionState = "connecting";
  function setState(state) {
    connectionState = state;
    showState();
  }

  function showState() {
    if (!stateEl) return;
    const state = paused ? "paused" : connectionState;
    stateEl.dataset.state = state;
    stateEl.querySelector(".label").textContent = paused && held > 0 ? "paused · " + held + " waiting" : state;
  }

  // WCAG 4.1.3: what a push changed is said in one polite region, never by moving focus. A burst is said once, as
  // its last few changes, a moment after it ends.
  const announcer = document.getElementById("live-announcer");
  let said = [];
  let sayTimer = null;
  function announce(text) {
    if (!announcer || !text) return;
    said.push(text);
    if (said.length > 3) said = said.slice(-3);
    clearTimeout(sayTimer);
    sayTimer = setTimeout(() => { announcer.textContent = said.join(". ") + "."; said = []; }, 400);
  }

  // WCAG 2.2.2: "Pause live updates" holds every figure still (the messages are left unapplied and counted); resuming
  // asks the server for everything after the last applied sequence, so nothing is missed or shown twice. Kept for the tab.
  const pauseButton = document.getElementById("live-pause");
  let paused = false;
  let held = 0;
  function setPaused(value) {
    paused = value;
    held = 0;
    try { sessionStorage.setItem("el:paused", value ? "1" : ""); } catch (e) { /* storage refused: the pause lasts for this page */ }
    if (pauseButton) {
      pauseButton.setAttribute("aria-pressed", value ? "true" : "false");
      pauseButton.textContent = value ? "Resume live updates" : "Pause live updates";
    }
    showState();
  }

  function fresh(key, message) {
    if (message.sequence > lastSequence) lastSequence = message.sequence;
    const seen = newest.get(key) || 0;
    if (message.sequence <= seen) return false;
    newest.set(key, message.sequence);
    return true;
  }

  function setText(root, field, value) {
    root.querySelectorAll('[data-field="' + field + '"]').forEach(el => { el.textContent = typeof value === "number" ? fmt.format(value) : value; });
  }

  // A transaction shows its kind and its signed effect on the pool, both as the server sent them.
  const kindBadges = {
    purchase: "bg-success-subtle text-success-emphasis",
    adjustment: "bg-warning-subtle text-warning-emphasis",
    transfer: "bg-secondary-subtle text-secondary-emphasis",
  };
  function kindLabel(kind) { return escapeHtml(kind.charAt(0).toUpperCase() + kind.slice(1)); }
  function signed(n) { return (n < 0 ? "−" : "+") + fmt.format(Math.abs(n)); }

  function escapeHtml(s) {
    return String(s ?? "").replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }

  function onPool(m) {
    if (!fresh("pool:" + m.productCode, m)) return;
    const rows = document.querySelectorAll('[data-pool="' + m.productCode + '"]');
    if (rows.length > 0) announce((m.productName || m.productCode) + ": " + fmt.format(m.available) + " of " + fmt.format(m.purchased) + " available");
    rows.forEach(row => {
      setText(row, "purchased", m.purchased);
      setText(row, "transferred", m.transferred);
      setText(row, "available", m.available);
      flash(row);
    });
    document.dispatchEvent(new CustomEvent("el:pool", { detail: m }));
  }

  function chips(m) {
    const base = "/Orgs/" + m.orgId + "/Entitlements/Transfer?eventId=" + m.eventId + "&product=";
    return '<div class="d-flex flex-wrap gap-2">' + m.products.map(p =>
      '<span class="product-chip ' + (p.missing > 0 ? "short" : "ok") + '" data-product="' + escapeHtml(p.productCode) + '">' +
      '<a class="chip-name" href="' + base + encodeURIComponent(p.productCode) + '">' + escapeHtml(p.productName) + "</a>" +
      '<span class="tabular">' + p.allocated + "/" + p.required + "</span>" +
      (p.missing > 0 ? '<span class="chip-missing tabular">−' + p.missing + "</span>" : "") +
      '<a class="chip-plus" href="' + base + encodeURIComponent(p.productCode) + '" aria-label="Add ' + escapeHtml(p.productName) + '">+</a></span>').join("") + "</div>";
  }

  function onCoverage(m) {
    if (!fresh("event:" + m.eventId, m)) return;
    document.querySelectorAll('[data-event-row="' + m.eventId + '"]').forEach(row => {
      row.classList.toggle("is-missing", m.missing);
      row.querySelector(".missing-badge")?.classList.toggle("d-none", !m.missing);
      setText(row, "counted", m.countedParticipants);
      setText(row, "activated", m.activatedParticipants);
      const cell = row.querySelector('[data-field="products"]');
      if (cell) replaceKeepingFocus(cell, chips(m));
      flash(row);
    });
    const banners = document.querySelectorAll('[data-event-banner="' + m.eventId + '"]');
    banners.forEach(b => {
      const was = !b.classList.contains("d-none");
      b.classList.toggle("d-none", !m.missing);
      if (was !== m.missing) announce(m.missing ? m.name + " is missing entitlements" : m.name + " is covered: every entitlement it needs is assigned");
    });
    if (banners.length === 0 && document.querySelector('[data-event-row="' + m.eventId + '"]')) {
      announce(m.name + (m.missing ? " is missing entitlements" : " is covered"));
    }
    document.querySelectorAll('[data-event-page="' + m.eventId + '"]').forEach(page => {
      setText(page, "counted", m.countedParticipants);
      setText(page, "activated", m.activatedParticipants);
      const badge = page.querySelector(".coverage-badge");
      if (badge) {
        badge.textContent = m.missing ? "Missing entitlements" : "Covered";
        badge.classList.toggle("text-bg-danger", m.missing);
        badge.classList.toggle("text-bg-success", !m.missing);
      }
      m.products.forEach(p => {
        const row = page.querySelector('tr[data-product="' + p.productCode + '"]');
        if (!row) return;
        setText(row, "required", p.required);
        setText(row, "allocated", p.allocated);
        setText(row, "missing", p.missing);
        row.classList.toggle("table-danger", p.missing > 0);
      });
    });
    document.dispatchEvent(new CustomEvent("el:coverage", { detail: m }));
  }

  function onMissing(m) {
    if (!fresh("org", m)) return;
    const total = m.liveEventsMissing + m.pastEventsMissing;
    document.querySelectorAll("[data-missing-count]").forEach(el => { el.textContent = total; });
    document.querySelectorAll("[data-missing-live]").forEach(el => { el.textContent = m.liveEventsMissing; });
    document.querySelectorAll("[data-missing-past]").forEach(el => { el.textContent = m.pastEventsMissing; });
    const box = document.getElementById("missing-window");
    if (box) {
      box.classList.toggle("d-none", total === 0);
      announce(total === 0 ? "Every event is covered" : total + (total === 1 ? " event is" : " events are") + " missing entitlements");
    }
  }

  function onTransaction(m) {
    const t = m.transaction;
    if (m.sequence > lastSequence) lastSequence = m.sequence;
    if (shown.has(t.id) || document.querySelector('[data-tx-id="' + t.id + '"]')) return;
    shown.add(t.id);
    const table = document.querySelector('[data-testid="history-table"]');
    if (table && table.dataset.firstPage === "true"
      && (!table.dataset.filterProduct || table.dataset.filterProduct === t.productCode)
      && (!table.dataset.filterEvent || String(t.eventId) === table.dataset.filterEvent)
      && (!table.dataset.filterKind || table.dataset.filterKind === t.kind)) {
      table.querySelector(".empty-row")?.remove();
      const tr = document.createElement("tr");
      tr.dataset.txId = t.id;
      tr.innerHTML = "<td class=\"text-nowrap\" data-label=\"When\"><time data-local=\"datetime\" datetime=\"" + escapeHtml(t.createdAt) + "\">" + escapeHtml(t.createdAt.replace("T", " ").slice(0, 16)) + " UTC</time></td>" +
        "<td data-label=\"Kind\">" + kindLabel(t.kind) + "</td><td data-label=\"Product\">" + escapeHtml(t.productName) + "</td>" +
        "<td class=\"text-end tabular\" data-label=\"Quantity\">" + signed(t.poolChange) + "</td>" +
        "<td data-label=\"Event\">" + escapeHtml(t.eventName ?? "—") + "</td><td data-label=\"Who\">" + escapeHtml(t.actor) + "</td><td data-label=\"Reference\">" + escapeHtml(t.reference ?? "—") + "</td>" +
        "<td class=\"text-end tabular\" data-label=\"Balance after (this product)\">" + fmt.format(t.balanceAfter) + "</td>";
      table.querySelector("tbody").prepend(tr);
      flash(tr);
      announce("New " + t.kind + ": " + signed(t.poolChange) + " " + t.productName + (t.eventName ? " to " + t.eventName : ""));
    }
    document.querySelectorAll('[data-tx-list="' + t.productCode + '"]').forEach(list => {
      const li = document.createElement("li");
      li.className = "list-group-item bg-transparent px-0 tx-item";
      li.dataset.txId = t.id;
      li.innerHTML = '<div class="d-flex justify-content-between"><span><span class="badge me-1 ' + (kindBadges[t.kind] || kindBadges.transfer) + '">' +
        kindLabel(t.kind) + '</span><span class="tabular">' + signed(t.poolChange) + "</span> " + escapeHtml(t.productName) + " " +
        (t.eventName ? '<span class="text-body-secondary">to</span> ' + escapeHtml(t.eventName) : "") +
        '</span><span class="text-body-secondary">' + escapeHtml(t.actor) + " · balance " + fmt.format(t.balanceAfter) + "</span></div>";
      list.prepend(li);
      flash(li);
    });
  }

  // Rule 13 on screen: the bell shows the organization's open alerts (read afresh after each burst of alert messages,
  // so a replay or a duplicate can never make it drift), a raised alert pops a toast, and pages listening to
  // "el:alert" (the Alerts list) refresh themselves.
  function onAlert(m) {
    if (m.sequence > lastSequence) lastSequence = m.sequence;
    const a = m.alert;
    if (a.resolvedAt === null && m.sequence > pageSequence && !toasted.has(a.id)) {
      toasted.add(a.id);
      toast(a);
    }
    if (alertRefresh === null) alertRefresh = setTimeout(refreshBell, 150);
    document.dispatchEvent(new CustomEvent("el:alert", { detail: m }));
  }

  // Rule 15 on screen: the event's banner says where its request stands, the ask form shows only when none is open;
  // managers get a toast for a new request and the bell counts it; the Requests list refreshes itself ("el:request").
  // Instants as the server's Times.UtcTime writes them ("2 Dec 2026, 14:23 UTC"), through site.js's one format.
  function requestText(r) {
    const when = at => at ? window.elTimes.utc(new Date(at)) : "";
    const by = r.resolvedBy ? r.resolvedBy.name : "";
    switch (r.status) {
      case "open": return "Requested by " + r.requestedBy.name + " on " + when(r.createdAt) + " · waiting for an administrator";
      case "approved": return "Requested by " + r.requestedBy.name + " · approved by " + by + " on " + when(r.resolvedAt) + ", as far as the pools allowed";
      case "declined": return "Requested by " + r.requestedBy.name + " · declined by " + by + " on " + when(r.resolvedAt) + ": " + r.reason;
      default: return "Requested by " + r.requestedBy.name + " · fulfilled on " + when(r.resolvedAt) + (r.resolvedBy ? " (approved by " + by + ")" : "");
    }
  }

  function onRequest(m) {
    if (!fresh("request:" + m.request.eventId, m)) return;
    const r = m.request;
    document.querySelectorAll('[data-request-state="' + r.eventId + '"]').forEach(el => {
      el.classList.remove("d-none");
      const span = el.querySelector("[data-request-status]");
      if (span) { span.dataset.requestStatus = r.status; span.textContent = requestText(r); }
    });
    document.querySelectorAll('[data-request-form="' + r.eventId + '"]').forEach(el => el.classList.toggle("d-none", r.status === "open"));
    const bell = document.querySelector('[data-testid="alert-bell"]');
    if (bell) {
      if (r.status === "open" && m.sequence > pageSequence && !toasted.has("r" + r.id)) {
        toasted.add("r" + r.id);
        toast({ message: r.requestedBy.name + " asks you to cover " + r.eventName + "." }, "/Orgs/" + orgId + "/Entitlements/Requests", "See requests");
      }
      if (alertRefresh === null) alertRefresh = setTimeout(refreshBell, 150);
    }
    document.dispatchEvent(new CustomEvent("el:request", { detail: m }));
  }

  async function refreshBell() {
    alertRefresh = null;
    const bell = document.querySelector('[data-testid="alert-bell"]');
    if (!bell) return;
    const response = await fetch("/api/orgs/" + orgId + "/alerts/count", { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const count = (await response.json()).open;
    const before = parseInt(bell.dataset.alertCount || "0", 10);
    bell.dataset.alertCount = String(count);
    bell.setAttribute("aria-label", count + " open alert" + (count === 1 ? "" : "s") + " and requests");
    if (count !== before) announce(count + " open alert" + (count === 1 ? "" : "s") + " and requests");
    const badge = bell.querySelector(".alert-count");
    badge.textContent = String(count);
    badge.classList.toggle("d-none", count === 0);
    flash(bell);
  }

  function toast(a, href, label) {
    const box = document.getElementById("alert-toasts");
    if (!box || !window.bootstrap) return;
    const el = document.createElement("div");
    el.className = "toast align-items-center text-bg-warning border-0";
    el.dataset.testid = "alert-toast"; // said by its polite container, not a region of its own
    el.innerHTML = '<div class="d-flex"><div class="toast-body"><strong>' + (href ? "Request" : "Alert") + '</strong> ' + escapeHtml(a.message) +
      ' <a class="link-dark" href="' + escapeHtml(href || "/Orgs/" + orgId + "/Entitlements/Alerts") + '">' + escapeHtml(label || "See alerts") + "</a></div>" +
      '<button type="button" class="btn-close me-2 m-auto" data-bs-dismiss="toast" aria-label="Close"></button></div>';
    box.append(el);
    el.addEventListener("hidden.bs.toast", () => el.remove());
    new window.bootstrap.Toast(el, { delay: 8000 }).show();
  }

  // A push that rebuilds a cell keeps the reader's focus on the same control (same product, same link), never on the page.
  function replaceKeepingFocus(cell, html) {
    const active = document.activeElement;
    const focused = active && cell.contains(active)
      ? { product: active.closest("[data-product]")?.dataset.product, plus: active.classList.contains("chip-plus") }
      : null;
    cell.innerHTML = html;
    if (focused && focused.product) {
      const chip = cell.querySelector('[data-product="' + CSS.escape(focused.product) + '"]');
      chip?.querySelector(focused.plus ? ".chip-plus" : ".chip-name")?.focus({ preventScroll: true });
    }
  }

  function flash(el) {
    el.classList.remove("flash");
    void el.offsetWidth;
    el.classList.add("flash");
  }

  const connection = new signalR.HubConnectionBuilder()
    .withUrl("/hubs/entitlements")
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: ctx => Math.min(10000, 500 * Math.pow(2, ctx.previousRetryCount)) })
    .withStatefulReconnect()
    .configureLogging(signalR.LogLevel.Warning)
    .build();

  // Each push names the sequence pushed before it to this screen ("previous"). When that is past what the screen
  // holds, a message was lost on the way (Redis restarted, say): resume from what it holds, one resume at a time.
  let gapFrom = null;
  let gapRunning = false;
  function gap(m) {
    if (!orgId || typeof m.previous !== "number" || m.previous <= lastSequence) return;
    gapFrom = gapFrom === null ? lastSequence : Math.min(gapFrom, lastSequence);
    if (gapRunning) return;
    gapRunning = true;
    setTimeout(resumeGaps, 0);
  }

  async function resumeGaps() {
    try {
      while (gapFrom !== null && connection.state === signalR.HubConnectionState.Connected) {
        const from = gapFrom;
        gapFrom = null;
        try {
          const result = await connection.invoke("Resume", orgId, from);
          if (result && result.reloadRequired) location.reload();
        } catch (e) {
          // Owed still: by the reconnect's resume if the connection dropped (it may already have run dropped()), or
          // by a retry in a second if it did not.
          gapFrom = gapFrom === null ? from : Math.min(gapFrom, from);
          console.warn("resume after a gap failed", e);
          if (connection.state === signalR.HubConnectionState.Connected) {
            setTimeout(retryGap, 1000);
          } else {
            resumeFrom = resumeFrom === null ? from : Math.min(resumeFrom, from);
          }
          return;
        }
      }
    } finally {
      gapRunning = false;
    }
  }

  function retryGap() {
    if (gapRunning || gapFrom === null) return;
    gapRunning = true;
    resumeGaps();
  }

  // Only this page's organization moves its figures and its sequence (a manager of several organizations gets them all).
  const checked = handler => m => {
    if (orgId && m.orgId !== orgId) return;
    if (paused) {
      held++;
      showState();
      return;
    }
    gap(m);
    handler(m);
  };

  connection.on("PoolBalanceChanged", checked(onPool));
  connection.on("EventCoverageChanged", checked(onCoverage));
  connection.on("MissingEntitlementsChanged", checked(onMissing));
  connection.on("TransactionRecorded", checked(onTransaction));
  connection.on("AlertRaised", checked(onAlert));
  connection.on("AlertResolved", checked(onAlert));
  connection.on("EntitlementRequestChanged", checked(onRequest));
  // Sent when nothing else came for a while: the latest sequence pushed to this screen of each organization it follows.
  // One past what the screen holds means the last message before the quiet was lost: resume, as after any gap.
  connection.on("Heartbeat", m => {
    if (!orgId || paused) return;
    for (const p of m.positions || []) {
      if (p.orgId === orgId) gap({ previous: p.sequence });
    }
  });

  async function resume() {
    if (!orgId || paused) return;
    const from = resumeFrom === null ? lastSequence : resumeFrom;
    try {
      const result = await connection.invoke("Resume", orgId, from);
      if (resumeFrom === from) resumeFrom = null;
      if (result && result.reloadRequired) location.reload();
    } catch (e) {
      console.warn("resume failed", e);
      // Still owed: try again while the connection stays up; a drop resumes on reconnect anyway.
      resumeFrom = resumeFrom === null ? from : Math.min(resumeFrom, from);
      if (connection.state === signalR.HubConnectionState.Connected) setTimeout(resume, 1000);
    }
  }

  // A resume that never finished keeps its starting point; otherwise the stream was complete up to now.
  function dropped() {
    const held = gapFrom === null ? lastSequence : Math.min(gapFrom, lastSequence);
    resumeFrom = resumeFrom === null ? held : Math.min(resumeFrom, held);
    gapFrom = null;
  }

  connection.onreconnecting(() => { dropped(); setState("reconnecting"); });
  connection.onreconnected(async () => { setState("live"); await resume(); });
  connection.onclose(() => { dropped(); setState("offline"); setTimeout(start, 5000); });

  async function start() {
    try {
      await connection.start();
      setState("live");
      await resume();
    } catch (e) {
      setState("offline");
      setTimeout(start, 5000);
    }
  }

  if (pauseButton && orgId) {
    pauseButton.hidden = false;
    let stored = false;
    try { stored = sessionStorage.getItem("el:paused") === "1"; } catch (e) { stored = false; }
    setPaused(stored);
    pauseButton.addEventListener("click", async () => {
      const resuming = paused;
      setPaused(!paused);
      if (resuming) {
        announce("Live updates resumed");
        if (connection.state === signalR.HubConnectionState.Connected) await resume();
      } else {
        announce("Live updates paused: the figures stay as they are until you resume");
      }
    });
  }

  window.entitlementsLive = { connection, get lastSequence() { return lastSequence; }, get paused() { return paused; } };
  start();
})();
