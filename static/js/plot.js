// A small SVG line plot: series = {name: [[isoTime, value], ...]}.
(function () {
  "use strict";
  var COLORS = ["#2f80ed", "#eb5757", "#27ae60", "#f2994a", "#9b51e0", "#56ccf2"];
  var NS = "http://www.w3.org/2000/svg";
  function el(name, attrs) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  function draw(svg, legend, series, windowMs) {
    var W = 900, H = 300, L = 70, R = 10, T = 10, B = 30;
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var now = Date.now(), t0 = now - windowMs;
    var names = Object.keys(series).sort();
    var lo = Infinity, hi = -Infinity;
    names.forEach(function (n) {
      series[n] = series[n].filter(function (p) { return Date.parse(p[0]) >= t0; });
      series[n].forEach(function (p) { lo = Math.min(lo, p[1]); hi = Math.max(hi, p[1]); });
    });
    if (lo === Infinity) {
      var empty = el("text", { x: W / 2, y: H / 2, "text-anchor": "middle", "class": "plot-empty" });
      empty.textContent = "No samples yet";
      svg.appendChild(empty);
      legend.textContent = "";
      return;
    }
    if (hi === lo) { hi = lo + 1; }
    function x(t) { return L + (t - t0) / windowMs * (W - L - R); }
    function y(v) { return H - B - (v - lo) / (hi - lo) * (H - T - B); }
    svg.appendChild(el("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, "class": "axis" }));
    svg.appendChild(el("line", { x1: L, y1: T, x2: L, y2: H - B, "class": "axis" }));
    [lo, Math.round((lo + hi) / 2), hi].forEach(function (v) {
      var label = el("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end", "class": "tick" });
      label.textContent = String(v);
      svg.appendChild(label);
    });
    [60, 45, 30, 15, 0].forEach(function (m) {
      var label = el("text", { x: x(now - m * 60000), y: H - 8, "text-anchor": "middle", "class": "tick" });
      label.textContent = m === 0 ? "now" : "-" + m + "m";
      svg.appendChild(label);
    });
    legend.textContent = "";
    names.forEach(function (n, i) {
      var color = COLORS[i % COLORS.length];
      var pts = series[n].map(function (p) { return x(Date.parse(p[0])).toFixed(1) + "," + y(p[1]).toFixed(1); });
      svg.appendChild(el("polyline", { points: pts.join(" "), fill: "none", stroke: color, "stroke-width": 2, "data-series": n }));
      var item = document.createElement("span");
      item.className = "legend-item";
      item.style.borderColor = color;
      item.textContent = n;
      legend.appendChild(item);
    });
  }
  window.DinariPlot = { draw: draw };
})();
