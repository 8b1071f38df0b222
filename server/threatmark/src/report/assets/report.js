// Sorting and filtering of the tables marked `data-sortable`. The tables are complete
// without this script; it only reorders and hides rows. It reads cell text and
// `data-v` sort keys and never writes HTML, so doc-derived text stays text.
(function () {
  "use strict";
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

  function key(cell) {
    var v = cell ? (cell.getAttribute("data-v") !== null ? cell.getAttribute("data-v") : cell.textContent) : "";
    var n = v.trim() === "" ? NaN : Number(v);
    return isNaN(n) ? { s: v.trim() } : { n: n };
  }

  function compare(a, b) {
    if (a.n !== undefined && b.n !== undefined) return a.n - b.n;
    if (a.n !== undefined) return -1;
    if (b.n !== undefined) return 1;
    return collator.compare(a.s, b.s);
  }

  function makeSortable(table) {
    var body = table.tBodies[0];
    if (!body) return;
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    var original = Array.prototype.slice.call(body.rows);
    original.forEach(function (row, i) { row.__order = i; });
    Array.prototype.forEach.call(headers, function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var descending = th.getAttribute("aria-sort") !== "descending";
        // A column's first click sorts the way a reader expects: most first for numbers.
        if (!th.hasAttribute("aria-sort") && th.getAttribute("data-first") === "ascending") descending = false;
        Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
        var rows = Array.prototype.slice.call(body.rows);
        var keyed = rows.map(function (row) { return { row: row, k: key(row.cells[col]) }; });
        keyed.sort(function (a, b) {
          var c = compare(a.k, b.k);
          if (descending) c = -c;
          return c !== 0 ? c : a.row.__order - b.row.__order;
        });
        var fragment = document.createDocumentFragment();
        keyed.forEach(function (e) { fragment.appendChild(e.row); });
        body.appendChild(fragment);
      });
    });
  }

  function makeFilterable(table, input, shown) {
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });
    var timer = null;
    function apply() {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var count = 0;
      rows.forEach(function (row, i) {
        var match = words.every(function (w) { return texts[i].indexOf(w) !== -1; });
        row.hidden = !match;
        if (match) count++;
      });
      shown.textContent = words.length ? count + " of " + rows.length + " docs" : rows.length + " docs";
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(apply, rows.length > 2000 ? 120 : 0);
    });
    apply();
  }

  Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), makeSortable);
  var docs = document.getElementById("docs-table");
  var tools = document.getElementById("tools");
  if (docs && tools && docs.tBodies[0]) {
    tools.hidden = false;
    makeFilterable(docs, document.getElementById("filter"), document.getElementById("shown"));
  }
})();
