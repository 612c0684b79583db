/* Situation entry: the cumulative amount excl. VAT of each line, live, as progress is typed.
   Only a display aid: the form works without it, and the amounts that count are the server's. */
(function () {
  "use strict";
  var grid = document.getElementById("progress-grid");
  if (!grid) { return; }
  var money = new Intl.NumberFormat("fr-FR", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  function parse(text) {
    var t = String(text || "").replace(/[\s\u00a0\u202f]/g, "").replace(",", ".");
    if (t === "" || !/^-?\d*\.?\d*$/.test(t)) { return null; }
    var n = Number(t);
    return isFinite(n) ? n : null;
  }
  function round2(x) { return Math.round((x + Number.EPSILON) * 100) / 100; }
  function update(row) {
    var input = row.querySelector("input[name^=line_]");
    var out = row.querySelector(".amount");
    var warn = row.querySelector(".over-warning");
    var extra = row.querySelector(".extra input");
    var value = parse(input.value);
    var price = Number(row.dataset.price), quantity = Number(row.dataset.quantity);
    if (value === null) { out.textContent = input.value.trim() ? "?" : "—"; if (warn) { warn.hidden = true; } return; }
    var amount = row.dataset.kind === "forfait" ? round2(round2(price * quantity) * value / 100) : round2(price * value);
    out.textContent = money.format(amount) + "\u00a0€";
    var over = row.dataset.kind === "forfait" ? value > 100 : value > quantity;
    if (warn) { warn.hidden = !over || (extra && extra.checked && row.dataset.kind !== "forfait"); }
    row.classList.toggle("over", over);
  }
  Array.prototype.forEach.call(grid.querySelectorAll("tr.progress-row"), function (row) {
    update(row);
    row.addEventListener("input", function () { update(row); });
    row.addEventListener("change", function () { update(row); });
  });
})();
