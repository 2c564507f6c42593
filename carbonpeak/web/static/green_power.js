// carbonpeak: the green-power page's trend (pages/green_power.py): the renewable share of electrolytic
// aluminium by month, with the plan's target as a line; the specification in <script id="green-share">.
(function () {
  "use strict";
  function draw() {
    var el = document.querySelector("[data-green-chart]");
    var source = document.getElementById("green-share");
    if (!el || !source || typeof echarts === "undefined" || el.getAttribute("data-drawn")) return;
    var spec = JSON.parse(source.textContent);
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      color: ["#3d9970", "#c8553d"],
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null ? "—" : v + " %"; } },
      legend: { bottom: 0 },
      grid: { left: 8, right: 24, top: 24, bottom: 48, containLabel: true },
      xAxis: { type: "category", data: spec.x },
      yAxis: { type: "value", axisLabel: { formatter: "{value} %" }, max: function (v) { return Math.max(v.max, spec.target) * 1.1; } },
      series: [
        { name: spec.share_name, type: "line", data: spec.share, symbolSize: 6, connectNulls: false },
        { name: spec.target_name, type: "line", data: spec.x.map(function () { return spec.target; }), symbol: "none",
          lineStyle: { type: "dashed", width: 2 } }
      ]
    });
    el.setAttribute("data-drawn", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
