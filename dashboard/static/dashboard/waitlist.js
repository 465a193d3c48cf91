/* The dashboard's walk-in queue panel: the waitlist board of the store, per band, refetched when
   the store's socket says a ticket moved (dashboard.js re-dispatches events as "zhilian:event")
   and every minute besides (the quoted wait follows the tables too). */
(function () {
  "use strict";
  var cfgNode = document.getElementById("dashboard-config");
  var box = document.getElementById("waitlist-bands");
  if (!cfgNode || !box) return;
  var cfg = JSON.parse(cfgNode.textContent);
  var T = (cfg.strings && cfg.strings.waitlist) || {};
  if (!cfg.store || !cfg.waitlistUrl) return;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function minutes(value) {
    return value === null || value === undefined ? "—" : (T.minutes || "%(minutes)s min").replace("%(minutes)s", value);
  }

  function render(board) {
    while (box.firstChild) box.removeChild(box.firstChild);
    (board.bands || []).forEach(function (band) {
      var card = el("div", "waitlist-band");
      card.setAttribute("data-band", band.code);
      var head = el("h3");
      head.appendChild(el("span", "band-code", band.code));
      head.appendChild(document.createTextNode(band.name + " · " + band.min_party + (band.max_party ? "–" + band.max_party : "+")));
      card.appendChild(head);
      var count = el("p");
      count.appendChild(el("span", "waiting-count", band.waiting));
      count.appendChild(document.createTextNode(" " + (T.waiting || "waiting") + " · " + (T.wait_now || "") + " " + minutes(band.quoted_wait_minutes)));
      card.appendChild(count);
      if (band.called.length) {
        var called = el("p", "codes");
        called.appendChild(document.createTextNode((T.called || "") + ": "));
        called.appendChild(el("span", "called-codes", band.called.map(function (t) { return t.code; }).join(" ")));
        card.appendChild(called);
      }
      var next = el("p", "codes next-codes");
      next.textContent = band.next.length
        ? (T.next || "") + ": " + band.next.map(function (t) { return t.code; }).join(" ")
        : (band.called.length ? "" : (T.none_waiting || ""));
      card.appendChild(next);
      card.appendChild(el("p", "muted", (T.seated_today || "") + ": " + band.seated));
      box.appendChild(card);
    });
  }

  var timer = null;
  function load() {
    timer = null;
    var url = cfg.waitlistUrl + "?store=" + encodeURIComponent(cfg.store);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { if (!response.ok) throw new Error("HTTP " + response.status); return response.json(); })
      .then(render)
      .catch(function () { /* the next event or minute tries again */ });
  }
  function soon(delay) {
    if (timer === null) timer = setTimeout(load, delay);
  }

  document.addEventListener("zhilian:event", function (e) {
    var type = (e.detail && e.detail.type) || "";
    if (type.indexOf("waitlist.") === 0) soon(150);
    else if (type === "order.status_changed" || type.indexOf("reservation.") === 0) soon(2000);
  });
  load();
  setInterval(load, (cfg.refreshSeconds > 0 ? cfg.refreshSeconds : 60) * 1000);
  window.zhilianWaitlist = { reload: load };
})();
