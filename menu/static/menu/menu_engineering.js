/* The menu engineering table sorts by the column whose header is clicked (again: the other way).
 * Cells carry their raw value in data-value; without this script the table stays in the
 * server's order (units sold). No library. */
(function () {
  "use strict";
  var table = document.getElementById("me-table");
  if (!table) return;
  var headers = table.querySelectorAll("th[data-sort]");

  function sortBy(header) {
    var index = Array.prototype.indexOf.call(header.parentNode.children, header);
    var numeric = header.getAttribute("data-sort") === "number";
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    if (header.getAttribute("aria-sort") === null && numeric) ascending = false;   // numbers: largest first
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[index].getAttribute("data-value");
      var y = b.cells[index].getAttribute("data-value");
      var order;
      if (numeric) {
        var nx = x === "" ? -Infinity : Number(x), ny = y === "" ? -Infinity : Number(y);
        order = nx < ny ? -1 : nx > ny ? 1 : 0;
      } else {
        order = String(x).localeCompare(String(y));
      }
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  Array.prototype.forEach.call(headers, function (header) {
    header.tabIndex = 0;
    header.addEventListener("click", function () { sortBy(header); });
    header.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sortBy(header); }
    });
  });
})();
