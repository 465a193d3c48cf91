/* Zhilian OS live dashboard (docs/architecture.md). Vanilla JS, no library.
 *
 * Loads GET /api/v1/kpis/dashboard/ (contract: docs/api.md) and the notification
 * center, then keeps the page current from two WebSockets: /ws/stores/<id>/ (store events) and
 * /ws/notifications/ (the user's own). While either socket is down it shows "Reconnecting…",
 * polls every `pollSeconds` and reconnects with exponential back-off and jitter; a socket that
 * misses the server's heartbeats is treated as dead and reconnected. Every string shown comes
 * from the translated `strings` of the config blob rendered by the template.
 */
(function () {
  "use strict";

  // The store and language pickers submit their form on change (no inline handlers: the
  // Content-Security-Policy runs no inline script).
  Array.prototype.forEach.call(document.querySelectorAll("select[data-autosubmit]"), function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  var cfgNode = document.getElementById("dashboard-config");
  if (!cfgNode) return;
  var cfg = JSON.parse(cfgNode.textContent);
  var T = cfg.strings;
  var BOARD = cfg.boardStatuses;
  var $ = function (id) { return document.getElementById(id); };

  // ------------------------------------------------------------------ helpers
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (attrs[k] === null || attrs[k] === undefined) return;
        if (k === "text") node.textContent = attrs[k];
        else if (k === "className") node.className = attrs[k];
        else node.setAttribute(k, attrs[k]);
      });
    }
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  function clear(node) { while (node && node.firstChild) node.removeChild(node.firstChild); }

  function yuan(cents) {
    var n = Number(cents || 0) / 100;
    return "¥" + n.toLocaleString(cfg.language, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  // KPI values arrive as decimal strings with four places; two are plenty on a tile.
  function decimal(value) {
    var n = Number(value);
    if (isNaN(n)) return String(value);
    return n.toLocaleString(cfg.language, { maximumFractionDigits: 2 });
  }

  function hhmm(value) {
    if (!value) return "";
    var s = String(value);
    if (s.indexOf("T") >= 0) {
      var d = new Date(s);
      if (!isNaN(d)) {
        // 24-hour in every language (the English board mixed 12- and 24-hour times).
        return d.toLocaleTimeString(cfg.language, { hour: "2-digit", minute: "2-digit", hourCycle: "h23",
                                                    timeZone: cfg.timeZone });
      }
    }
    return s.slice(0, 5);
  }

  // A moment with its date unless it is today (notifications are read days later too).
  function when(value) {
    var d = new Date(value);
    if (!value || isNaN(d)) return hhmm(value);
    var day = d.toLocaleDateString("en-CA", { timeZone: cfg.timeZone });
    var today = new Date().toLocaleDateString("en-CA", { timeZone: cfg.timeZone });
    if (day === today) return hhmm(value);
    return d.toLocaleDateString(cfg.language, { month: "short", day: "numeric", timeZone: cfg.timeZone }) + " " + hhmm(value);
  }

  function label(group, key) { return (T[group] && T[group][key]) || key || ""; }

  function api(url, options) {
    options = options || {};
    var headers = { Accept: "application/json" };
    if (options.method && options.method !== "GET") {
      headers["X-CSRFToken"] = cfg.csrfToken;
      headers["Content-Type"] = "application/json";
    }
    return fetch(url, { method: options.method || "GET", headers: headers, credentials: "same-origin",
                        body: options.body ? JSON.stringify(options.body) : undefined })
      .then(function (response) {
        if (response.status === 401) {
          // The session ended: back to the login page, then here again.
          window.location.href = cfg.loginUrl + "?next=" + encodeURIComponent(location.pathname + location.search);
          throw new Error("unauthenticated");
        }
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.status === 204 ? null : response.json();
      });
  }

  function withStore(url) {
    return url + (url.indexOf("?") >= 0 ? "&" : "?") + "store=" + encodeURIComponent(cfg.store);
  }

  // ------------------------------------------------------------------ summary
  var boardEpoch = 0;        // bumped by every order event; a summary older than it skips the board
  var summaryInFlight = false;
  var summaryDirty = false;

  function loadSummary() {
    if (!cfg.store) return Promise.resolve();
    if (summaryInFlight) { summaryDirty = true; return Promise.resolve(); }
    summaryInFlight = true;
    var epoch = boardEpoch;
    return api(withStore(cfg.summaryUrl))
      .then(function (data) {
        $("load-error").hidden = true;
        renderSummary(data, epoch === boardEpoch);
        if (epoch !== boardEpoch) summaryDirty = true;
      })
      .catch(function (err) {
        if (err.message === "unauthenticated") return;
        var box = $("load-error");
        box.textContent = T.load_failed;
        box.hidden = false;
      })
      .then(function () {
        summaryInFlight = false;
        if (summaryDirty) { summaryDirty = false; loadSummary(); }
      });
  }

  var refreshTimer = null;
  function scheduleSummary(delay) {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(loadSummary, delay);
  }

  function renderSummary(data, includeBoard) {
    $("summary-date").textContent = data.date || "";
    renderFigures(data.figures || {}, data.pace || null);
    renderKpis(data.kpis || [], data.pace ? data.figures || {} : null, data.pace || null);
    renderChart(data.revenue_14d || []);
    if (includeBoard) renderBoard(data.open_orders || []);
    renderReservations(data.reservations || []);
    renderShifts(data.shifts || []);
    renderLowStock(data.low_stock || []);
    renderFoodCost(data.food_cost || {});
    ranking = data.dish_ranking || null;
    renderRanking();
    if (typeof data.unread_notifications === "number") setBell(data.unread_notifications);
    $("last-updated").textContent = new Date().toLocaleTimeString(cfg.language, { hourCycle: "h23", timeZone: cfg.timeZone });
  }

  // Today's pace (dashboard.pace): the day so far against the same weekdays by this time.
  // `money` formats the amounts (revenue in cents; covers are counts).
  function paceFoot(verdict, asOf, money) {
    if (!verdict) return null;
    var fmt = money ? yuan : function (n) { return Number(n).toLocaleString(cfg.language); };
    var text = T.pace[verdict.status] || "";
    if (verdict.difference !== null && verdict.difference !== undefined) {
      text = text.replace("%(amount)s", fmt(Math.abs(verdict.difference)));
    }
    var note = verdict.expected === null || verdict.expected === undefined ? null
      : T.pace.expected.replace("%(amount)s", fmt(verdict.expected)).replace("%(time)s", asOf);
    return el("div", { className: "tile-foot", "data-pace": verdict.status }, [
      el("span", { className: "pill", text: text }),
      note ? el("span", { className: "pace-note", text: note }) : null,
    ]);
  }

  var PACED = { revenue_cents: "revenue", guest_count: "covers" };

  function renderFigures(figures, pace) {
    var box = $("figure-tiles");
    clear(box);
    Object.keys(T.figures).forEach(function (key) {
      var value = figures[key];
      var text = key.slice(-6) === "_cents" ? yuan(value) : String(value === undefined ? "—" : value);
      var verdict = pace && PACED[key] ? pace[PACED[key]] : null;
      box.appendChild(el("div", { className: "tile figure" + (verdict ? " pace-" + verdict.status : ""), "data-figure": key }, [
        el("div", { className: "tile-label", text: T.figures[key] }),
        el("div", { className: "tile-value", text: text }),
        verdict ? paceFoot(verdict, pace.as_of, key === "revenue_cents") : null,
      ]));
    });
  }

  // A KPI value in its unit as the admin shows it (zhilian.formatting): ¥ for yuan (not "CNY"
  // beside a figure), "35.2 %" for percentages, the unit after other figures.
  function inUnit(value, unit) {
    if (unit === "CNY") return yuan(Number(value) * 100);
    if (unit === "%") return Number(value).toLocaleString(cfg.language, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) + " %";
    return decimal(value) + (unit ? " " + (label("units", unit) || unit) : "");
  }

  // Today the revenue and order count tiles show the live figures (the same as the tiles above,
  // not the last computation's) and the revenue tile the pace instead of "off track 68 %"
  // against the full-day target. A tile opens its trend chart below.
  var LIVE = { revenue: "revenue_cents", order_count: "order_count" };

  function renderKpis(kpis, live, pace) {
    var box = $("kpi-tiles");
    clear(box);
    if (!kpis.length) { box.appendChild(el("p", { className: "muted", text: T.no_kpis })); return; }
    kpis.forEach(function (k) {
      var liveKey = live ? LIVE[k.metric] : null;
      var value;
      if (liveKey) value = liveKey === "revenue_cents" ? yuan(live[liveKey]) : inUnit(live[liveKey], k.unit);
      else value = k.value === null || k.value === undefined ? "—" : inUnit(k.value, k.unit);
      var paced = liveKey === "revenue_cents" && pace ? pace.revenue : null;
      var foot = paced ? [
        el("span", { className: "pill", text: (T.pace[paced.status] || "").replace("%(amount)s", yuan(Math.abs(paced.difference || 0))) }),
        k.target_value ? el("span", { className: "pace-note", text: T.full_day_target + " " + inUnit(k.target_value, k.unit) }) : null,
      ] : [
        el("span", { className: "pill", text: label("kpi_status", k.status) }),
        k.achievement_rate ? el("span", { className: "achievement", "data-achievement": k.achievement_rate,
                                          text: " " + Math.round(Number(k.achievement_rate) * 100) + "%" }) : null,
        k.target_value ? el("span", { className: "muted", text: " · " + T.target + " " + inUnit(k.target_value, k.unit) }) : null,
      ];
      var tile = el("div", { className: "tile kpi " + (paced ? "pace-" + paced.status : "status-" + k.status),
                             "data-kpi": k.kpi, "data-status": k.status, role: "button", tabindex: "0",
                             "aria-expanded": String(trendKpi === k.kpi), title: T.show_trend }, [
        el("div", { className: "tile-label" }, [
          document.createTextNode(k.name || k.kpi),
          liveKey ? el("span", { className: "live-badge", text: T.live_figure }) : null,
        ]),
        el("div", { className: "tile-value", text: value }),
        el("div", { className: "tile-foot" }, foot),
      ]);
      tile.addEventListener("click", function () { toggleTrend(k.kpi); });
      tile.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); toggleTrend(k.kpi); }
      });
      box.appendChild(tile);
    });
  }

  // ------------------------------------------------------------------ KPI trend
  // The chart is drawn by the server (the admin's SVG, dashboard.views.kpi_trend) and put here.
  var trendKpi = null;
  var trendDays = 30;

  function toggleTrend(kpi) {
    if (trendKpi === kpi) { closeTrend(); return; }
    trendKpi = kpi;
    loadTrend();
  }

  function closeTrend() {
    trendKpi = null;
    var box = $("kpi-trend");
    clear(box);
    box.hidden = true;
    markTiles();
  }

  function markTiles() {
    Array.prototype.forEach.call(document.querySelectorAll(".tile.kpi"), function (tile) {
      tile.setAttribute("aria-expanded", String(tile.getAttribute("data-kpi") === trendKpi));
    });
  }

  function loadTrend() {
    var box = $("kpi-trend");
    var kpi = trendKpi;
    box.hidden = false;
    markTiles();
    clear(box);
    box.appendChild(el("p", { className: "muted", text: T.trend_loading }));
    var url = withStore(cfg.trendUrl + "?kpi=" + encodeURIComponent(kpi) + "&days=" + trendDays);
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        if (kpi !== trendKpi) return;
        // Server-rendered and escaped by Django's templates: no script in it (CSP runs none).
        box.innerHTML = html;
      })
      .catch(function () {
        if (kpi !== trendKpi) return;
        clear(box);
        box.appendChild(el("p", { className: "load-error", text: T.trend_failed }));
      });
  }

  $("kpi-trend") && $("kpi-trend").addEventListener("click", function (event) {
    var target = event.target.closest("button");
    if (!target) return;
    if (target.hasAttribute("data-trend-close")) { closeTrend(); return; }
    if (target.hasAttribute("data-trend-days")) {
      trendDays = Number(target.getAttribute("data-trend-days"));
      loadTrend();
    }
  });

  var SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function renderChart(days) {
    var box = $("revenue-chart");
    clear(box);
    var W = 700, H = 220, top = 20, bottom = 30, left = 10, right = 10;
    var root = svg("svg", { viewBox: "0 0 " + W + " " + H, width: "100%", preserveAspectRatio: "none",
                            id: "revenue-svg", "aria-hidden": "true" });
    var max = 0;
    days.forEach(function (d) { max = Math.max(max, Number(d.revenue_cents) || 0); });
    var n = Math.max(days.length, 1);
    var slot = (W - left - right) / n;
    var plotH = H - top - bottom;
    root.appendChild(svg("line", { x1: left, x2: W - right, y1: H - bottom, y2: H - bottom, class: "axis" }));
    days.forEach(function (d, i) {
      var cents = Number(d.revenue_cents) || 0;
      var h = max ? Math.max((cents / max) * plotH, cents ? 2 : 0) : 0;
      var x = left + i * slot + slot * 0.15;
      var bar = svg("rect", { x: x.toFixed(1), y: (H - bottom - h).toFixed(1), width: (slot * 0.7).toFixed(1),
                              height: h.toFixed(1), class: "bar" + (i === days.length - 1 ? " bar-today" : ""),
                              "data-date": d.date, "data-revenue-cents": cents });
      bar.appendChild(svg("title", {}, d.date + ": " + yuan(cents) + " · " + (d.order_count || 0)));
      root.appendChild(bar);
      if (i % 2 === days.length % 2 || i === days.length - 1) {
        root.appendChild(svg("text", { x: (x + slot * 0.35).toFixed(1), y: H - 10, class: "tick" },
                             String(d.date || "").slice(5)));
      }
    });
    if (max) root.appendChild(svg("text", { x: left, y: 14, class: "tick max" }, yuan(max)));
    box.appendChild(root);
  }

  // ------------------------------------------------------------------ order board
  function orderCard(order) {
    var id = String(order.id);
    var card = el("li", { className: "order-card", "data-order-id": id, "data-status": order.status });
    var link = cfg.adminOrderUrl ? el("a", { href: cfg.adminOrderUrl.replace("{id}", encodeURIComponent(id)),
                                            className: "order-id", text: id.split("-").pop() , title: id })
                                 : el("span", { className: "order-id", text: id.split("-").pop(), title: id });
    card.appendChild(el("div", { className: "order-head" }, [
      link,
      el("span", { className: "order-total", text: order.total_cents === undefined ? "" : yuan(order.total_cents) }),
    ]));
    var bits = [];
    if (order.table) bits.push(T.table + " " + order.table);
    else if (order.order_type) bits.push(label("order_type", order.order_type));
    if (order.customer_name) bits.push(order.customer_name);
    if (order.order_time) bits.push(hhmm(order.order_time));
    card.appendChild(el("div", { className: "order-meta muted", text: bits.join(" · ") }));
    return card;
  }

  function columnList(status) {
    return document.querySelector('#order-board [data-status-list="' + status + '"]');
  }

  function findCard(id) {
    var cards = document.querySelectorAll("#order-board .order-card");
    for (var i = 0; i < cards.length; i++) if (cards[i].getAttribute("data-order-id") === String(id)) return cards[i];
    return null;
  }

  function updateCounts() {
    BOARD.forEach(function (status) {
      var list = columnList(status);
      var count = list ? list.querySelectorAll(".order-card").length : 0;
      var badge = document.querySelector('[data-count-for="' + status + '"]');
      if (badge) badge.textContent = String(count);
      if (!list) return;
      // One "no orders" line at most: each event recounts, and an empty column keeps its line.
      var empty = list.querySelector(".empty");
      if (!count && !empty) list.appendChild(el("li", { className: "empty muted", text: T.no_orders }));
      if (count && empty) empty.remove();
    });
  }

  function renderBoard(orders) {
    BOARD.forEach(function (status) { clear(columnList(status)); });
    orders.forEach(function (order) {
      var list = columnList(order.status);
      if (list) list.appendChild(orderCard(order));
    });
    updateCounts();
  }

  // Events name the order and its new status; older fields are kept when the event lacks them.
  function orderFromEvent(data) {
    var order = data.order && typeof data.order === "object" ? data.order : data;
    var id = order.id || data.order_id || (typeof data.order === "string" ? data.order : null);
    var status = order.status || data.status || data.to_status || data.new_status || data.to;
    return { id: id, status: status, order: order };
  }

  function applyOrderEvent(data) {
    var info = orderFromEvent(data || {});
    if (!info.id || !info.status) return;
    boardEpoch += 1;
    var card = findCard(info.id);
    var list = columnList(info.status);
    if (!list) {                      // completed or cancelled: off the board
      if (card) card.remove();
    } else if (card) {
      card.setAttribute("data-status", info.status);
      list.appendChild(card);
      card.classList.remove("flash");
      void card.offsetWidth;          // restart the highlight animation
      card.classList.add("flash");
    } else {
      // Events carry the table's number (table_number) beside its key.
      var order = Object.assign({}, info.order, { id: info.id, status: info.status,
                                                  table: info.order.table_number || null });
      var fresh = orderCard(order);
      fresh.classList.add("flash");
      list.appendChild(fresh);
    }
    updateCounts();
  }

  // ------------------------------------------------------------------ lists
  function fillTable(tbodyId, rows, emptyText, columns, rowAttrs) {
    var body = $(tbodyId);
    clear(body);
    if (!rows.length) {
      body.appendChild(el("tr", { className: "empty" }, [el("td", { colspan: String(columns), className: "muted",
                                                                    text: emptyText })]));
      return;
    }
    rows.forEach(function (row) { body.appendChild(rowAttrs(row)); });
  }

  function cells(values) { return values.map(function (v) { return el("td", { text: v === null ? "" : String(v) }); }); }

  function renderReservations(items) {
    fillTable("reservations", items, T.no_reservations, 5, function (r) {
      var tr = el("tr", { "data-reservation-id": r.id, "data-status": r.status },
                  cells([hhmm(r.reservation_time), r.customer_name, r.party_size + " " + T.guests,
                         (r.tables || []).join(", ")]));
      tr.appendChild(el("td", {}, [el("span", { className: "pill status-" + r.status, text: label("status", r.status) })]));
      return tr;
    });
  }

  function renderShifts(items) {
    fillTable("shifts", items, T.no_shifts, 4, function (s) {
      return el("tr", { "data-shift-id": s.id, "data-employee": s.employee },
                cells([s.employee_name || s.employee, s.position, hhmm(s.start_time) + "–" + hhmm(s.end_time),
                       s.is_confirmed ? T.confirmed_shift : T.unconfirmed_shift]));
    });
  }

  function renderLowStock(items) {
    fillTable("low-stock", items, T.no_low_stock, 4, function (i) {
      var tr = el("tr", { "data-item-id": i.id, "data-status": i.status },
                  cells([i.name, i.current_quantity + " " + (i.unit || ""), i.min_quantity]));
      tr.appendChild(el("td", {}, [el("span", { className: "pill stock-" + i.status, text: label("stock_status", i.status) })]));
      return tr;
    });
  }

  // ------------------------------------------------------------------ food cost and best sellers
  function percent(value) { return value === null || value === undefined ? "—" : decimal(value) + " %"; }

  function renderFoodCost(food) {
    var box = $("food-cost");
    if (!box) return;
    clear(box);
    var gap = food.gap_points === null || food.gap_points === undefined ? null : Number(food.gap_points);
    var tiles = [
      ["theoretical", T.food_cost.theoretical, percent(food.theoretical_percent),
       food.theoretical_percent === null || food.theoretical_percent === undefined ? T.food_cost.no_sales
         : T.food_cost.recipe_cost + " " + yuan(food.recipe_cost_cents)],
      ["actual", T.food_cost.actual, percent(food.actual_percent),
       food.actual_date ? T.food_cost.as_of + " " + food.actual_date : T.food_cost.no_count],
      ["gap", T.food_cost.gap, gap === null ? "—" : (gap > 0 ? "+" : "") + decimal(food.gap_points),
       T.food_cost.gap_hint],
    ];
    tiles.forEach(function (t) {
      var cls = "tile food-cost";
      if (t[0] === "gap" && gap !== null) cls += gap > 0 ? " gap-worse" : " gap-better";
      box.appendChild(el("div", { className: cls, "data-food-cost": t[0] }, [
        el("div", { className: "tile-label", text: t[1] }),
        el("div", { className: "tile-value", text: t[2] }),
        el("div", { className: "tile-foot muted", text: t[3] }),
      ]));
    });
  }

  var ranking = null;
  var rankingPeriod = "today";

  function dishName(d) {
    var zh = String(cfg.language || "").indexOf("zh") === 0;
    return (zh ? d.name_zh : d.name_en) || d.name_zh || d.code;
  }

  function renderRanking() {
    if (!$("ranking-quantity")) return;
    var period = (ranking && ranking[rankingPeriod]) || { by_quantity: [], by_revenue: [] };
    [["ranking-quantity", period.by_quantity || []], ["ranking-revenue", period.by_revenue || []]].forEach(function (pair) {
      fillTable(pair[0], pair[1], T.no_dish_sales, 4, function (d) {
        var index = pair[1].indexOf(d) + 1;
        var tr = el("tr", { "data-dish": d.code }, cells([String(index), dishName(d)]));
        tr.appendChild(el("td", { className: "num", text: String(d.quantity) }));
        tr.appendChild(el("td", { className: "num", text: yuan(d.revenue_cents) }));
        return tr;
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-ranking-period]"), function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-ranking-period") === rankingPeriod));
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-ranking-period]"), function (button) {
    button.addEventListener("click", function () {
      rankingPeriod = button.getAttribute("data-ranking-period");
      renderRanking();
    });
  });

  // ------------------------------------------------------------------ notifications
  var unread = 0;
  function setBell(n) {
    unread = Math.max(0, Number(n) || 0);
    var badge = $("bell-count");
    badge.textContent = String(unread);
    badge.setAttribute("data-count", String(unread));
    badge.classList.toggle("zero", unread === 0);
  }

  function notificationItem(n) {
    var item = el("li", { className: "notification level-" + n.level + (n.read_at ? " read" : " unread"),
                          "data-notification-id": n.id, tabindex: "0" }, [
      el("div", { className: "notification-title", text: n.title }),
      n.body ? el("div", { className: "notification-body muted", text: n.body }) : null,
      el("div", { className: "notification-time muted", text: when(n.created_at) }),
    ]);
    item.addEventListener("click", function () { markRead(n.id, item); });
    return item;
  }

  function renderNotifications(list) {
    var box = $("notification-list");
    clear(box);
    if (!list.length) { box.appendChild(el("li", { className: "empty muted", text: T.no_notifications })); return; }
    list.forEach(function (n) { box.appendChild(notificationItem(n)); });
  }

  function loadNotifications() {
    return api(cfg.notificationsUrl + "?page_size=20")
      .then(function (page) { renderNotifications(page.results || page || []); })
      .catch(function () {});
  }

  function loadUnread() {
    return api(cfg.notificationsUrl + "unread-count/")
      .then(function (data) { setBell(data.unread); })
      .catch(function () {});
  }

  function markRead(id, item) {
    if (!item.classList.contains("unread")) return;
    api(cfg.notificationsUrl + encodeURIComponent(id) + "/read/", { method: "POST" }).then(function () {
      item.classList.remove("unread");
      item.classList.add("read");
      setBell(unread - 1);
    }).catch(function () {});
  }

  function prependNotification(n) {
    var box = $("notification-list");
    var empty = box.querySelector(".empty");
    if (empty) empty.remove();
    if (box.querySelector('[data-notification-id="' + n.id + '"]')) return false;
    box.insertBefore(notificationItem(n), box.firstChild);
    return true;
  }

  var bell = $("bell");
  var menu = $("bell-menu");
  bell.addEventListener("click", function (event) {
    event.stopPropagation();
    var open = menu.hidden;
    menu.hidden = !open;
    bell.setAttribute("aria-expanded", String(open));
    if (open) loadNotifications();
  });
  document.addEventListener("click", function (event) {
    if (!menu.hidden && !menu.contains(event.target)) { menu.hidden = true; bell.setAttribute("aria-expanded", "false"); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !menu.hidden) { menu.hidden = true; bell.setAttribute("aria-expanded", "false"); bell.focus(); }
  });
  $("mark-all-read").addEventListener("click", function (event) {
    event.stopPropagation();
    api(cfg.notificationsUrl + "read-all/", { method: "POST" }).then(function () {
      setBell(0);
      var items = document.querySelectorAll("#notification-list .notification.unread");
      for (var i = 0; i < items.length; i++) { items[i].classList.remove("unread"); items[i].classList.add("read"); }
    }).catch(function () {});
  });

  // ------------------------------------------------------------------ events
  var REFETCH = { "inventory.low_stock": 1, "reservation.created": 1, "reservation.status_changed": 1, "reservation.updated": 1,
                  "schedule.published": 1, "kpi.updated": 1 };

  function handleEvent(event) {
    if (!event || typeof event !== "object" || !event.type) return;
    if (event.type === "pong" || event.type === "heartbeat") return;
    if (event.type === "notification.created") {
      if (prependNotification(event.data || {})) setBell(unread + 1);
      return;
    }
    if (event.store && cfg.store && event.store !== cfg.store) return;
    // Panels with their own script (the walk-in queue, waitlist.js) hear the store's events too.
    document.dispatchEvent(new CustomEvent("zhilian:event", { detail: event }));
    if (event.type === "order.created" || event.type === "order.status_changed") {
      applyOrderEvent(event.data);
      scheduleSummary(1500);          // figures and counts follow shortly after the card moves
    } else if (REFETCH[event.type] || event.type.indexOf("reservation.") === 0) {
      scheduleSummary(200);
    }
  }

  // ------------------------------------------------------------------ sockets
  // Reconnection backs off exponentially (1 s doubling up to 30 s) with "equal jitter": half the
  // delay fixed, half random, so dashboards dropped together by a deploy do not return in step.
  // The back-off resets only once a socket has stayed up for STABLE_MS, so a server that accepts
  // and drops at once is not hammered. An open socket that hears neither an event nor a heartbeat
  // for SILENCE_MS (two heartbeats and some slack) is dead without knowing it (a sleeping laptop,
  // a proxy that lost the connection): it is dropped and reconnected.
  var BACKOFF_BASE_MS = 1000;
  var BACKOFF_MAX_MS = 30000;
  var REFUSED_RETRY_MS = 60000;
  var STABLE_MS = 30000;
  var OFFLINE_AFTER = 3;   // failed attempts in a row before "Reconnecting…" turns to "Offline — polling"
  var SILENCE_MS = cfg.heartbeatSeconds > 0 ? (2 * cfg.heartbeatSeconds + 10) * 1000 : 0;

  var sockets = [];
  function LiveSocket(path) {
    this.path = path;
    this.ws = null;
    this.open = false;
    this.everOpened = false;
    this.openedAt = 0;
    this.failures = 0;       // attempts in a row that did not stay up for STABLE_MS
    this.refused = false;    // closed with 4401/4403: credentials or access refused
    this.retryTimer = null;
    this.silenceTimer = null;
    this.connect();
  }
  LiveSocket.prototype.connect = function () {
    var self = this;
    this.retryTimer = null;
    // The WebSocket server: the page's own origin (a proxy routes /ws/ to it), or the origin the
    // settings name when it listens apart (ZHILIAN_WS_URL, e.g. `make serve`).
    var url = (cfg.wsOrigin || ((location.protocol === "https:" ? "wss://" : "ws://") + location.host)) + this.path;
    var ws;
    try { ws = new WebSocket(url); } catch (e) { this.lost(); return; }
    this.ws = ws;
    ws.onopen = function () {
      var reopened = self.everOpened;
      self.open = true;
      self.everOpened = true;
      self.refused = false;
      self.openedAt = Date.now();
      self.heard();
      refreshLiveState();
      if (reopened) { loadSummary(); loadUnread(); }   // catch up on what the gap missed
    };
    ws.onmessage = function (message) {
      var event;
      try { event = JSON.parse(message.data); } catch (e) { return; }
      // Events and heartbeats come through the channel layer, so they prove the whole path;
      // a pong only proves the socket.
      if (event && event.type !== "pong") self.heard();
      handleEvent(event);
    };
    ws.onclose = function (event) {
      // 4401/4403: retrying soon cannot help; polling shows the truth meanwhile.
      self.refused = event.code === 4401 || event.code === 4403;
      self.lost();
    };
    ws.onerror = function () { /* onclose follows */ };
  };
  LiveSocket.prototype.heard = function () {
    var self = this;
    if (!SILENCE_MS) return;
    clearTimeout(this.silenceTimer);
    this.silenceTimer = setTimeout(function () { self.drop(); }, SILENCE_MS);
  };
  // A silent socket is given up at once: a dead connection may never finish a close handshake.
  LiveSocket.prototype.drop = function () {
    var ws = this.ws;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    try { ws.close(4000, "no heartbeat"); } catch (e) { /* already closing */ }
    this.lost();
  };
  LiveSocket.prototype.lost = function () {
    var stayedUp = this.open && Date.now() - this.openedAt >= STABLE_MS;
    clearTimeout(this.silenceTimer);
    this.silenceTimer = null;
    this.ws = null;
    this.open = false;
    this.failures = stayedUp ? 1 : this.failures + 1;
    refreshLiveState();
    this.retry(this.refused ? REFUSED_RETRY_MS : 0);
  };
  LiveSocket.prototype.retry = function (fixedDelay) {
    if (this.retryTimer !== null) return;
    var self = this;
    var ceiling = fixedDelay || Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * Math.pow(2, this.failures - 1));
    var delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.retryTimer = setTimeout(function () { self.connect(); }, delay);
  };
  // Back on the network: try now rather than wait out the back-off.
  LiveSocket.prototype.retryNow = function () {
    if (this.ws || this.retryTimer === null) return;   // open, connecting, or not yet failed
    clearTimeout(this.retryTimer);
    this.connect();
  };
  LiveSocket.prototype.ping = function () {
    if (this.open && this.ws) { try { this.ws.send(JSON.stringify({ type: "ping", at: Date.now() })); } catch (e) {} }
  };
  LiveSocket.prototype.state = function () {
    if (this.open) return "live";
    if (this.refused || this.failures >= OFFLINE_AFTER) return "offline";
    return this.failures > 0 ? "reconnecting" : "connecting";
  };

  var STATE_ORDER = ["live", "connecting", "reconnecting", "offline"];   // the page shows the worst
  function liveState() {
    if (!sockets.length) return "connecting";
    return sockets.reduce(function (worst, s) {
      var state = s.state();
      return STATE_ORDER.indexOf(state) > STATE_ORDER.indexOf(worst) ? state : worst;
    }, "live");
  }
  function isLive() { return liveState() === "live"; }

  function refreshLiveState() {
    var node = $("live-status");
    var state = liveState();
    node.setAttribute("data-state", state);
    node.textContent = T[state];
    document.body.setAttribute("data-live", state);
  }

  // ------------------------------------------------------------------ start
  if (cfg.store) {
    loadSummary();
    loadNotifications();
    sockets.push(new LiveSocket(cfg.wsStore));
  } else {
    loadUnread();
    loadNotifications();
  }
  sockets.push(new LiveSocket(cfg.wsNotifications));
  refreshLiveState();

  setInterval(function () {
    if (!isLive()) { loadSummary(); loadUnread(); }
  }, cfg.pollSeconds * 1000);
  // A development server's channel layer lives in its own process: events of other processes (the
  // simulated service, a shell) never reach the socket, so the summary is refetched now and then.
  if (cfg.store && cfg.refreshSeconds > 0) {
    setInterval(function () { if (isLive()) scheduleSummary(0); }, cfg.refreshSeconds * 1000);
  }
  setInterval(function () { sockets.forEach(function (s) { s.ping(); }); }, 25000);
  window.addEventListener("online", function () { sockets.forEach(function (s) { s.retryNow(); }); });

  window.zhilianDashboard = { handleEvent: handleEvent, reload: loadSummary, sockets: sockets };
})();
