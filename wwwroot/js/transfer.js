// The transfer form shows what the server computed: whether the product takes a quantity, the proposed
// quantity, the balance and what the event is missing. The rules themselves are checked on the server.
(function () {
  "use strict";
  document.querySelectorAll("form.js-once").forEach(form => form.addEventListener("submit", () => {
    form.querySelectorAll("button[type=submit]").forEach(b => { b.disabled = true; });
  }));

  const form = document.getElementById("transfer-form");
  if (!form) return;
  const quantity = document.getElementById("quantity");
  const step = document.getElementById("quantity-step");
  const note = document.getElementById("module-note");
  const warning = document.getElementById("quantity-warning");
  const error = document.getElementById("quantity-error");
  const fmt = new Intl.NumberFormat("en-US");

  function selected() { return form.querySelector("input[name=product]:checked"); }

  function update(resetQuantity) {
    const choice = selected();
    const isModule = choice && choice.dataset.kind === "module";
    step.classList.toggle("d-none", !!isModule);
    note.classList.toggle("d-none", !isModule);
    quantity.disabled = !!isModule;
    if (!choice || isModule) { warning.classList.add("d-none"); error.classList.add("d-none"); return; }
    const available = parseInt(choice.dataset.available, 10);
    const missing = parseInt(choice.dataset.missing, 10);
    quantity.max = available;
    if (resetQuantity) quantity.value = choice.dataset.defaultQuantity;
    const q = parseInt(quantity.value, 10);
    error.classList.toggle("d-none", !(q > available || !(q > 0)));
    error.textContent = q > available ? "Only " + fmt.format(available) + " available in your pool." : "Enter a positive whole number.";
    const over = q > missing && q <= available;
    warning.classList.toggle("d-none", !over);
    warning.textContent = over ? "That is " + fmt.format(q - missing) + " more than the event is missing (" + fmt.format(missing) + "). Transfers are final." : "";
  }

  form.querySelectorAll("input[name=product]").forEach(r => r.addEventListener("change", () => update(true)));
  quantity.addEventListener("input", () => update(false));
  update(false);
})();
