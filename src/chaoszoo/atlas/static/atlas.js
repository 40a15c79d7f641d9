// chaoszoo atlas: search, filters and sorting of the systems table. No dependencies.
(function () {
  "use strict";
  function init() {
    var table = document.getElementById("systems");
    if (!table) return;
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.rows);
    var q = document.getElementById("q");
    var sel = {
      field: document.getElementById("f-field"), tag: document.getElementById("f-tag"),
      kind: document.getElementById("f-kind"), dim: document.getElementById("f-dim")
    };
    var count = document.getElementById("count");
    var total = rows.length;
    var data = rows.map(function (tr) {
      return {
        tr: tr, text: tr.dataset.text, name: tr.dataset.name, kind: tr.dataset.kind,
        dim: parseInt(tr.dataset.dim, 10), dimb: tr.dataset.dimb,
        fields: " " + tr.dataset.fields + " ", tags: " " + tr.dataset.tags + " ",
        lyap: tr.dataset.lyap === "" ? NaN : parseFloat(tr.dataset.lyap),
        dky: tr.dataset.dky === "" ? NaN : parseFloat(tr.dataset.dky)
      };
    });
    function apply() {
      var words = q.value.toLowerCase().trim().split(/\s+/).filter(Boolean);
      var f = sel.field.value, t = sel.tag.value, k = sel.kind.value, d = sel.dim.value;
      var shown = 0;
      data.forEach(function (r) {
        var ok = words.every(function (w) { return r.text.indexOf(w) !== -1; }) &&
          (!f || r.fields.indexOf(" " + f + " ") !== -1) &&
          (!t || r.tags.indexOf(" " + t + " ") !== -1) &&
          (!k || r.kind === k) && (!d || r.dimb === d);
        r.tr.hidden = !ok;
        if (ok) shown++;
      });
      count.textContent = shown + " of " + total + " systems shown";
    }
    q.addEventListener("input", apply);
    Object.keys(sel).forEach(function (key) { sel[key].addEventListener("change", apply); });
    document.getElementById("filters").addEventListener("reset", function () { setTimeout(apply, 0); });
    var ths = Array.prototype.slice.call(table.tHead.rows[0].cells);
    ths.forEach(function (th) {
      var b = th.querySelector("button[data-sort]");
      if (!b) return;
      b.addEventListener("click", function () {
        var key = b.dataset.sort;
        var asc = th.getAttribute("aria-sort") !== "ascending";
        ths.forEach(function (o) { if (o.hasAttribute("aria-sort")) o.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var sign = asc ? 1 : -1;
        data.sort(function (a, c) {
          var x = a[key], y = c[key];
          if (typeof x === "number" || typeof y === "number") {
            var nx = isNaN(x), ny = isNaN(y);
            if (nx || ny) return nx === ny ? 0 : (nx ? 1 : -1);  // missing values last
            return sign * (x - y);
          }
          return sign * (x < y ? -1 : x > y ? 1 : 0);
        });
        var frag = document.createDocumentFragment();
        data.forEach(function (r) { frag.appendChild(r.tr); });
        tbody.appendChild(frag);
      });
    });
    // "/" focuses the search box, as on many catalogues
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "/" && document.activeElement !== q && !/INPUT|SELECT|TEXTAREA/.test(document.activeElement.tagName)) {
        ev.preventDefault(); q.focus();
      }
    });
    var params = new URLSearchParams(window.location.search);
    if (params.get("q")) q.value = params.get("q");
    apply();
    document.documentElement.dataset.ready = "1";
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
}());
