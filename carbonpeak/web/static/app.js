// carbonpeak: draws the charts a page declares (<div class="chart" data-chart="ID"> with the
// specification in <script type="application/json" id="ID">), with ECharts; a chart saves itself as PNG.
(function () {
  "use strict";
  var PALETTE = ["#1c5d87", "#4f9dc2", "#7bb661", "#e0a526", "#c8553d", "#8d6cab", "#5c7d8a",
    "#b5838d", "#3d9970", "#a3a948", "#d4a373", "#6d597a"];

  function lang() { return document.body.getAttribute("data-lang") || "zh"; }

  function fmt(value) {
    if (value === null || value === undefined || isNaN(value)) return "—";
    var digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 1 ? 2 : 3;
    return Number(value).toLocaleString(lang() === "zh" ? "zh-CN" : "en", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  }

  function base(spec) {
    return {
      color: PALETTE,
      textStyle: { fontFamily: getComputedStyle(document.documentElement).fontFamily },
      title: spec.title ? { text: spec.title, left: 0, textStyle: { fontSize: 14, fontWeight: 600 } } : undefined,
      tooltip: { trigger: "axis", valueFormatter: fmt },
      legend: { type: "scroll", bottom: 0 },
      toolbox: { right: 0, feature: { saveAsImage: { title: spec.save || "PNG", pixelRatio: 2 } } },
      grid: { left: 8, right: 36, top: spec.title ? 56 : 28, bottom: 48, containLabel: true }
    };
  }

  var builders = {
    stacked_bar_line: function (spec) {
      var option = base(spec);
      option.xAxis = { type: "category", data: spec.x };
      option.yAxis = [{ type: "value", name: spec.bar_axis, nameTextStyle: { align: "left" }, axisLabel: { formatter: fmt } },
        { type: "value", name: spec.line.name, nameTextStyle: { align: "right" }, axisLabel: { formatter: fmt }, splitLine: { show: false } }];
      option.series = spec.bars.map(function (b) { return { name: b.name, type: "bar", stack: "e", data: b.data, barMaxWidth: 48 }; });
      option.series.push({ name: spec.line.name, type: "line", yAxisIndex: 1, data: spec.line.data, symbolSize: 7,
        lineStyle: { width: 2.5, color: "#1d2733" }, itemStyle: { color: "#1d2733" } });
      return option;
    },
    hbar: function (spec) {
      var option = base(spec);
      option.tooltip.axisPointer = { type: "shadow" };
      option.yAxis = { type: "category", data: spec.y, inverse: true };
      option.xAxis = { type: "value", axisLabel: { formatter: fmt } };
      option.series = spec.series.map(function (s) { return { name: s.name, type: "bar", data: s.data, barMaxWidth: 18 }; });
      return option;
    },
    pie: function (spec) {
      var option = base(spec);
      option.tooltip = { trigger: "item", formatter: function (p) { return p.name + "<br>" + fmt(p.value) + " " + (spec.unit || "") + " (" + p.percent + "%)"; } };
      option.series = [{ type: "pie", radius: ["38%", "68%"], center: ["50%", "50%"], data: spec.data,
        label: { formatter: "{b}\n{d}%" }, itemStyle: { borderColor: "#fff", borderWidth: 2 } }];
      option.legend = { show: false };
      return option;
    },
    stacked_hbar_pct: function (spec) {
      var option = base(spec);
      option.tooltip = { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return fmt(v) + " %"; } };
      option.color = ["#2f7d4f", "#e0a526", "#b3362f"];
      option.yAxis = { type: "category", data: spec.y };
      option.xAxis = { type: "value", max: 100, axisLabel: { formatter: "{value} %" } };
      option.series = spec.series.map(function (s) { return { name: s.name, type: "bar", stack: "s", data: s.data, barMaxWidth: 22 }; });
      return option;
    }
  };

  // Pathways (pages/pathways.py): fan chart of emission quantiles, a distribution in %, wedges by lever.
  builders.fan = function (spec) {
    var option = base(spec);
    var width = spec.p90.map(function (v, i) { return v === null || spec.p10[i] === null ? null : v - spec.p10[i]; });
    option.tooltip = { trigger: "axis", formatter: function (items) {
      var i = items[0].dataIndex;
      return spec.x[i] + "<br>P90 " + fmt(spec.p90[i]) + "<br>P50 " + fmt(spec.p50[i]) + "<br>P10 " + fmt(spec.p10[i]) + " " + spec.unit;
    } };
    option.xAxis = { type: "category", data: spec.x, boundaryGap: false };
    option.yAxis = { type: "value", axisLabel: { formatter: fmt }, scale: true };
    option.series = [
      { name: "P10", type: "line", data: spec.p10, stack: "band", symbol: "none", lineStyle: { opacity: 0 }, silent: true },
      { name: spec.band_name, type: "line", data: width, stack: "band", symbol: "none", lineStyle: { opacity: 0 },
        areaStyle: { color: "#4f9dc2", opacity: 0.35 }, itemStyle: { color: "#4f9dc2" } },
      { name: spec.median_name, type: "line", data: spec.p50, symbolSize: 5, lineStyle: { width: 2.5, color: "#1c5d87" },
        itemStyle: { color: "#1c5d87" },
        markLine: { silent: true, symbol: "none", label: { formatter: spec.base_label }, lineStyle: { type: "dashed", color: "#888" },
          data: [{ xAxis: spec.base_year }] } }
    ];
    option.legend = { bottom: 0, data: [spec.band_name, spec.median_name] };
    return option;
  };
  builders.bar_pct = function (spec) {
    var option = base(spec);
    option.tooltip = { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return fmt(v) + " %"; } };
    option.xAxis = { type: "category", data: spec.x };
    option.yAxis = { type: "value", axisLabel: { formatter: "{value} %" } };
    option.series = [{ name: spec.name, type: "bar", data: spec.data, barMaxWidth: 36,
      label: { show: true, position: "top", formatter: function (p) { return fmt(p.value) + " %"; } } }];
    option.legend = { show: false };
    return option;
  };
  builders.wedges = function (spec) {
    var option = base(spec);
    option.tooltip = { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return fmt(v) + " " + spec.unit; } };
    option.xAxis = { type: "category", data: spec.x };
    option.yAxis = { type: "value", axisLabel: { formatter: fmt } };
    option.series = spec.series.map(function (s) { return { name: s.name, type: "bar", stack: "w", data: s.data, barMaxWidth: 40 }; });
    return option;
  };

  // A footprint's stage contributions (pages/footprints.py): each stage a floating bar from the running
  // total, the total last; a missing stage is a gap on the axis, never a zero-height bar.
  builders.waterfall = function (spec) {
    var option = base(spec);
    option.tooltip = { trigger: "axis", axisPointer: { type: "shadow" },
      formatter: function (ps) { var p = ps[ps.length - 1]; return p.name + "<br>" + (p.value === null || p.value === "-" ? spec.missing : fmt(p.value) + " " + spec.unit); } };
    option.xAxis = { type: "category", data: spec.x, axisLabel: { interval: 0, rotate: 30 } };
    option.yAxis = { type: "value", axisLabel: { formatter: fmt } };
    option.series = [
      { type: "bar", stack: "w", data: spec.base, itemStyle: { color: "transparent" }, tooltip: { show: false }, silent: true },
      { name: spec.name, type: "bar", stack: "w", data: spec.values, barMaxWidth: 40,
        label: { show: true, position: "top", formatter: function (p) { return p.value === null ? "" : fmt(p.value); } } }
    ];
    option.legend = { show: false };
    return option;
  };

  // The overview's monthly trend (pages/overview_cockpit.py): one line per year, months on the axis.
  builders.month_lines = function (spec) {
    var option = base(spec);
    option.xAxis = { type: "category", data: spec.x };
    option.yAxis = { type: "value", axisLabel: { formatter: fmt } };
    option.tooltip.valueFormatter = function (v) { return fmt(v) + " " + (spec.unit || ""); };
    option.series = spec.lines.map(function (l, i) {
      return { name: l.name, type: "line", data: l.data, symbolSize: 8, connectNulls: false,
        lineStyle: { width: i === spec.lines.length - 1 ? 2.5 : 1.5, type: i === spec.lines.length - 1 ? "solid" : "dashed" } };
    });
    return option;
  };

  // Flows between named nodes (the recycled-metal page: scrap source categories to products), values in spec.unit.
  builders.sankey = function (spec) {
    var option = base(spec);
    delete option.grid;
    option.legend = undefined;
    option.tooltip = { trigger: "item", valueFormatter: function (v) { return fmt(v) + " " + (spec.unit || ""); } };
    option.series = [{ type: "sankey", top: spec.title ? 48 : 16, bottom: 16, left: 8, right: 160,
      nodeGap: 12, emphasis: { focus: "adjacency" }, lineStyle: { color: "gradient", curveness: 0.5 },
      label: { fontSize: 12 }, data: spec.nodes, links: spec.links }];
    return option;
  };

  // Drill-down: a bar, slice or point whose data item carries an href opens it (the overview's
  // breakdowns); the cursor says so.
  function clickable(chart) {
    chart.on("click", function (p) {
      var href = p && p.data && p.data.href;
      if (href) window.location.href = href;
    });
    chart.on("mouseover", function (p) {
      chart.getZr().setCursorStyle(p && p.data && p.data.href ? "pointer" : "default");
    });
  }

  // Every chart exports itself as PNG (besides the ECharts toolbox icon): a plain button, named file.
  function pngButton(chart, name, spec) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-quiet btn-small chart-png";
    button.setAttribute("data-testid", "chart-png");
    button.textContent = "PNG";
    button.title = spec.save || "PNG";
    button.addEventListener("click", function () {
      var link = document.createElement("a");
      link.href = chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
      link.download = (spec.file || name) + ".png";
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
    return button;
  }

  function draw(root) {
    if (typeof echarts === "undefined") return;
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.getAttribute("data-drawn")) return;
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source) return;
      var spec = JSON.parse(source.textContent);
      var build = builders[spec.kind];
      if (!build) return;
      var chart = echarts.init(el, null, { renderer: "canvas", locale: lang() === "zh" ? "ZH" : "EN" });
      chart.setOption(build(spec));
      clickable(chart);
      el.setAttribute("data-drawn", "1");
      el.insertAdjacentElement("afterend", pngButton(chart, el.getAttribute("data-chart"), spec));
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  // a navigation group closes when one clicks elsewhere or opens another (details elements stay open otherwise)
  document.addEventListener("click", function (event) {
    document.querySelectorAll(".nav-group[open]").forEach(function (group) {
      if (!group.contains(event.target)) group.removeAttribute("open");
    });
  });

  function ready() {
    draw(document);
    if (window.htmx) { window.htmx.onLoad(function (el) { draw(el); }); }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready); else ready();
})();
