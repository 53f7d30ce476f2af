(function () {
  "use strict";
  var WINDOW_MS = 60 * 60 * 1000;
  var series = JSON.parse(document.getElementById("height-series").textContent || "{}");
  var svg = document.getElementById("height-plot");
  var legend = document.getElementById("height-legend");
  var liveStatus = document.getElementById("live-status");

  function formatAge(seconds) {
    if (seconds < 0) seconds = 0;
    if (seconds < 120) return Math.round(seconds) + " s";
    if (seconds < 7200) return Math.round(seconds / 60) + " min";
    return Math.round(seconds / 3600) + " h";
  }
  function dash(v) { return v === null || v === undefined ? "–" : String(v); }

  function refreshAges() {
    document.querySelectorAll("#nodes-table tr[data-node-id]").forEach(function (row) {
      var iso = row.getAttribute("data-latest-block-time");
      var cell = row.querySelector('[data-field="since_block"]');
      if (!iso) { cell.textContent = "–"; return; }
      var age = (Date.now() - Date.parse(iso)) / 1000;
      cell.textContent = formatAge(age);
      cell.classList.toggle("stale", age > 300);  // playbook: no block for >5 min is P0
    });
  }

  function applySnapshot(n, fromResync) {
    var row = document.querySelector('#nodes-table tr[data-node-id="' + n.id + '"]');
    if (!row) { window.location.reload(); return; }  // a node was added: render it server-side
    var status = row.querySelector('[data-field="status"]');
    var shown = n.status;
    if (!n.enabled) shown = "disabled";
    else if (n.backoff_until && Date.parse(n.backoff_until) > Date.now()) shown = "backing off";
    status.textContent = shown;
    status.className = "status status-" + shown.replace(" ", "-");
    status.title = n.error || "";
    row.querySelector('[data-field="height"]').textContent = dash(n.height);
    row.querySelector('[data-field="peer_count"]').textContent = dash(n.peer_count);
    row.querySelector('[data-field="mempool_size"]').textContent = dash(n.mempool_size);
    var polled = row.querySelector('[data-field="polled_at"]');
    polled.textContent = n.polled_at ? new Date(n.polled_at).toLocaleTimeString() : "never";
    row.setAttribute("data-latest-block-time", n.latest_block_time || "");
    if (n.status === "up" && n.height !== null && n.polled_at && !fromResync) {
      (series[n.name] = series[n.name] || []).push([n.polled_at, n.height]);
    }
    refreshAges();
  }

  // After a reconnect, events sent while we were away are gone: re-read the state.
  var connectedBefore = false;
  function resync() {
    fetch("/api/nodes/dashboard/?minutes=60", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (body) {
        series = body.series;
        body.nodes.forEach(function (n) { applySnapshot(n, true); });
        DinariPlot.draw(svg, legend, series, WINDOW_MS);
      })
      .catch(function () { /* the next event or reconnect tries again */ });
  }

  DinariLive.connect("/ws/nodes/", {
    onOpen: function () { if (connectedBefore) resync(); connectedBefore = true; },
    onEvent: function (ev) {
      if (ev.kind === "node.sample") applySnapshot(ev.data);
      if (ev.kind === "node.removed") {
        var row = document.querySelector('#nodes-table tr[data-node-id="' + ev.data.id + '"]');
        if (row) row.remove();
      }
    },
    // Node snapshots are state, not a log: the next one replaces a missed one.
    onGap: function () {},
    onState: function (s) { liveStatus.textContent = s; liveStatus.setAttribute("data-state", s); },
  });
  refreshAges();
  DinariPlot.draw(svg, legend, series, WINDOW_MS);
  setInterval(refreshAges, 1000);
  setInterval(function () { DinariPlot.draw(svg, legend, series, WINDOW_MS); }, 5000);
})();
