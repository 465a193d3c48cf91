/* The floor of now (admin/reservations/reservation/floor.html). Vanilla JS, no library.
 *
 * Renders each table's tile from the floor state (embedded in the page, then GET
 * /api/v1/floor/?store=), and keeps it current: the store's WebSocket (/ws/stores/<id>/, the
 * dashboard's) announces orders and reservations, and any such event refetches the state. Time
 * alone also changes states (a booking comes within reach, a paid table's clearing time runs out),
 * so the state is refetched every minute too, and every 10 s while the socket is down.
 */
(function () {
  "use strict";

  var cfgNode = document.getElementById("floor-config");
  var stateNode = document.getElementById("floor-state");
  if (!cfgNode || !stateNode) return;
  var cfg = JSON.parse(cfgNode.textContent);
  var T = cfg.strings;
  var live = document.getElementById("fl-live");
  var socket = null;
  var open = false;
  var failures = 0;
  var pending = null;

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key] === undefined ? "" : values[key]; });
  }

  function hhmm(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    if (isNaN(d)) return "";
    try {
      return d.toLocaleTimeString(cfg.language, { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: cfg.timeZone });
    } catch (e) {
      return iso.slice(11, 16);
    }
  }

  function detail(table) {
    var lines = [];
    var o = table.order;
    var r = table.reservation;
    if (o && table.state === "seated") {
      lines.push(fill(T.order_since, { id: o.id.split("-").pop(), time: hhmm(o.order_time) }));
      lines.push(fill(T.guests, { count: o.guest_count }));
    } else if (o && table.state === "clearing") {
      lines.push(fill(T.completed_at, { time: hhmm(o.completed_at) }));
    }
    if (r && r.status !== "completed") {
      var text = fill(T.reservation, { time: hhmm(r.starts_at), name: r.customer_name, party: r.party_size });
      if (r.status !== "seated" && r.minutes_to_start > 0) text += " · " + fill(T.in_minutes, { minutes: r.minutes_to_start });
      lines.push(text);
    }
    return lines;
  }

  function render(state) {
    var byNumber = {};
    state.tables.forEach(function (t) { byNumber[t.number] = t; });
    Array.prototype.forEach.call(document.querySelectorAll(".fl-table"), function (tile) {
      var t = byNumber[tile.getAttribute("data-table")];
      if (!t) return;
      tile.className = "fl-table fl-" + t.state;
      tile.setAttribute("data-state", t.state);
      tile.querySelector(".fl-state").textContent = T.states[t.state];
      var box = tile.querySelector(".fl-detail");
      box.replaceChildren.apply(box, detail(t).map(function (line) {
        var span = document.createElement("span");
        span.textContent = line;
        return span;
      }));
    });
    Object.keys(state.counts).forEach(function (s) {
      var node = document.querySelector('[data-count="' + s + '"]');
      if (node) node.textContent = state.counts[s];
    });
    // A table added or taken out of service since the page was drawn: draw the page again.
    if (state.tables.length !== document.querySelectorAll(".fl-table").length) window.location.reload();
    document.body.setAttribute("data-floor-at", state.at);
    showLive();
  }

  function load() {
    pending = null;
    fetch(cfg.floorUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 401 || response.status === 403) { window.location.reload(); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (state) { if (state) render(state); })
      .catch(function () { /* the next event or tick tries again */ });
  }

  // Several events in a burst (an order and its status change): one refetch.
  function scheduleLoad() {
    if (pending === null) pending = setTimeout(load, 250);
  }

  function showLive() {
    if (!live) return;
    live.setAttribute("data-state", open ? "live" : "offline");
    live.textContent = (open ? T.live : T.offline) + " · " + fill(T.updated, { time: hhmm(new Date().toISOString()) });
  }

  function connect() {
    var url = (cfg.wsOrigin || ((location.protocol === "https:" ? "wss://" : "ws://") + location.host)) + cfg.wsStore;
    try { socket = new WebSocket(url); } catch (e) { retry(); return; }
    socket.onopen = function () {
      open = true;
      failures = 0;
      load();   // catch up on whatever happened while the socket was down
    };
    socket.onmessage = function (message) {
      var event;
      try { event = JSON.parse(message.data); } catch (e) { return; }
      if (event && typeof event.type === "string" && /^(order|reservation)\./.test(event.type)) scheduleLoad();
    };
    socket.onclose = function () {
      open = false;
      showLive();
      retry();
    };
    socket.onerror = function () { /* onclose follows */ };
  }

  function retry() {
    failures += 1;
    var ceiling = Math.min(30000, 1000 * Math.pow(2, failures - 1));
    setTimeout(connect, ceiling / 2 + Math.random() * ceiling / 2);
  }

  render(JSON.parse(stateNode.textContent));
  connect();
  setInterval(load, 60000);
  setInterval(function () { if (!open) load(); }, 10000);
  setInterval(function () { if (open && socket) { try { socket.send(JSON.stringify({ type: "ping" })); } catch (e) {} } }, 25000);
  window.zhilianFloor = { reload: load };
})();
