/* The signed-in employee's own time clock on the dashboard (GET/POST /api/v1/attendance/me/,
 * docs/api.md): shows the state and the punches it allows; a refusal (409) shows its message. */
(function () {
  "use strict";
  var cfgNode = document.getElementById("dashboard-config");
  var panel = document.getElementById("clock-panel");
  if (!cfgNode || !panel) return;
  var cfg = JSON.parse(cfgNode.textContent);
  var T = cfg.strings.clock;
  var state = document.getElementById("clock-state");
  var actions = document.getElementById("clock-actions");
  var error = document.getElementById("clock-error");
  var NEXT = { clocked_out: ["clock-in"], clocked_in: ["break-start", "clock-out"], on_break: ["break-end", "clock-out"] };

  function time(iso) {
    if (!iso) return "";
    return new Date(iso).toLocaleTimeString(cfg.language, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: cfg.timeZone });
  }

  function render(body) {
    var since = body.state === "on_break" ? body.break_started_at : body.entry && body.entry.clock_in_at;
    state.textContent = (T[body.state] || body.state).replace("%(time)s", time(since));
    panel.setAttribute("data-state", body.state);
    while (actions.firstChild) actions.removeChild(actions.firstChild);
    (NEXT[body.state] || []).forEach(function (action, i) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = i === 0 ? "button primary" : "button";
      button.setAttribute("data-punch", action);
      button.textContent = T[action];
      button.addEventListener("click", function () { punch(action); });
      actions.appendChild(button);
    });
  }

  function request(url, method) {
    var headers = { Accept: "application/json" };
    if (method === "POST") { headers["X-CSRFToken"] = cfg.csrfToken; headers["Content-Type"] = "application/json"; }
    return fetch(url, { method: method, headers: headers, credentials: "same-origin", body: method === "POST" ? "{}" : undefined })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (!response.ok) { var e = new Error(body.detail || T.failed); e.body = body; throw e; }
          return body;
        });
      });
  }

  function show(message) { error.textContent = message || ""; error.hidden = !message; }

  function punch(action) {
    Array.prototype.forEach.call(actions.querySelectorAll("button"), function (b) { b.disabled = true; });
    request(cfg.clockUrl + action + "/", "POST")
      .then(function (body) { show(""); render(body); })
      .catch(function (e) { show(e.message); load(); });
  }

  function load() {
    return request(cfg.clockUrl, "GET").then(render).catch(function (e) { show(e.message); });
  }

  load();
})();
