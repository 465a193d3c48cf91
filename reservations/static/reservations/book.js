/* The reservation book's dialog (admin/reservations/reservation/book.html). Vanilla JS, no library.
 *
 * Without this script a free slot or a booking opens its form as a page of its own
 * (reservations/admin_book.py). With it, that page's form opens in a <dialog> over the grid: it is
 * posted with fetch (header X-Book-Dialog); a refusal comes back as the same form with the
 * service's message and stays in the dialog; a saved booking or move answers 204 with
 * X-Book-Location, the book to reload (its message then shows there). The shape of week.js.
 */
(function () {
  "use strict";

  var grid = document.getElementById("bk-grid");
  var dialog = document.getElementById("bk-dialog");
  if (!grid || !dialog || typeof dialog.showModal !== "function" || !window.fetch || !window.DOMParser) return;
  var body = dialog.querySelector(".bk-dialog-body");
  var title = dialog.querySelector(".bk-dialog-title");
  var HEADERS = { "X-Book-Dialog": "1" };

  function follow(response, url) {
    var next = response.headers.get("X-Book-Location");
    if (next) {
      window.location.assign(next);
      return null;
    }
    if (!response.ok) {
      window.location.assign(url);   // a 403 or 404: the browser shows it as a page
      return null;
    }
    return response.text();
  }

  function show(html, url) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var found = doc.querySelector(".bk-formpage");
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
      submit(form, url);
    });
    Array.prototype.forEach.call(main.querySelectorAll(".closelink"), function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        dialog.close();
      });
    });
    if (!dialog.open) dialog.showModal();
    var first = main.querySelector(".errors input") || main.querySelector("input[type=text], input[type=time]");
    if (first) first.focus();
  }

  function open(url) {
    fetch(url, { credentials: "same-origin", headers: HEADERS })
      .then(function (response) { return follow(response, url); })
      .then(function (html) { if (html !== null) show(html, url); })
      .catch(function () { window.location.assign(url); });
  }

  function submit(form, url) {
    var data = new FormData(form);
    Array.prototype.forEach.call(form.querySelectorAll("[type=submit]"), function (b) { b.disabled = true; });
    fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: HEADERS })
      .then(function (response) { return follow(response, url); })
      .then(function (html) { if (html !== null) show(html, url); })
      .catch(function () { form.submit(); });
  }

  grid.addEventListener("click", function (event) {
    var link = event.target.closest("a.bk-free, a.bk-booking");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    open(link.href);
  });
  dialog.querySelector(".bk-dialog-close").addEventListener("click", function () { dialog.close(); });
  dialog.addEventListener("click", function (event) {
    if (event.target === dialog) dialog.close();   // the backdrop
  });
})();
