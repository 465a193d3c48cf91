/* The week grid's cell dialog (admin/scheduling/schedule/week.html). Vanilla JS, no library.
 *
 * Without this script a cell's + or a shift opens the cell's own page (scheduling/admin_week.py:
 * shift_cell_view). With it, that page's form opens in a <dialog> over the grid: it is posted with
 * fetch (header X-Week-Dialog), a refusal comes back as the same form with the error and stays in
 * the dialog, and a saved change answers 204 with X-Week-Location, the grid to reload (its
 * message then shows there). No inline script anywhere: the Content-Security-Policy runs none.
 */
(function () {
  "use strict";

  var grid = document.getElementById("wk-grid");
  var dialog = document.getElementById("wk-dialog");
  if (!grid || !dialog || typeof dialog.showModal !== "function" || !window.fetch || !window.DOMParser) return;
  var body = dialog.querySelector(".wk-dialog-body");
  var title = dialog.querySelector(".wk-dialog-title");
  var HEADERS = { "X-Week-Dialog": "1" };

  function follow(response, url) {
    var next = response.headers.get("X-Week-Location");
    if (next) {
      window.location.assign(next);
      return null;
    }
    if (!response.ok) {
      // A 403 or 404: let the browser show it as a page.
      window.location.assign(url);
      return null;
    }
    return response.text();
  }

  function show(html, url) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var found = doc.querySelector(".wk-cellpage");
    if (!found) {
      window.location.assign(url);
      return;
    }
    var main = document.importNode(found, true);
    var heading = doc.querySelector("#content h1");
    title.textContent = heading ? heading.textContent : "";
    body.replaceChildren(main);
    var form = main.querySelector("form");
    form.setAttribute("action", url);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submit(form, event.submitter, url);
    });
    Array.prototype.forEach.call(main.querySelectorAll(".closelink"), function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        dialog.close();
      });
    });
    Array.prototype.forEach.call(main.querySelectorAll(".wk-others a"), function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        open(link.href);
      });
    });
    if (!dialog.open) dialog.showModal();
    var first = main.querySelector(".errors input, .errors select") || main.querySelector("input[type=time]");
    if (first) first.focus();
  }

  function open(url) {
    fetch(url, { credentials: "same-origin", headers: HEADERS })
      .then(function (response) { return follow(response, url); })
      .then(function (html) { if (html !== null) show(html, url); })
      .catch(function () { window.location.assign(url); });
  }

  function submit(form, submitter, url) {
    var data = new FormData(form);
    // Which button was pressed (Save or Delete) travels with the form, as in a plain submit.
    if (submitter && submitter.name) data.set(submitter.name, submitter.value);
    Array.prototype.forEach.call(form.querySelectorAll("[type=submit]"), function (b) { b.disabled = true; });
    fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: HEADERS })
      .then(function (response) { return follow(response, url); })
      .then(function (html) { if (html !== null) show(html, url); })
      .catch(function () { form.submit(); });
  }

  grid.addEventListener("click", function (event) {
    var link = event.target.closest("a.wk-add, a.wk-shift");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    open(link.href);
  });
  dialog.querySelector(".wk-dialog-close").addEventListener("click", function () { dialog.close(); });
  // A click on the backdrop (the dialog element itself, outside its box) closes it.
  dialog.addEventListener("click", function (event) {
    if (event.target === dialog) dialog.close();
  });
})();
