// carbonpeak: the city map of the overview (templates/city_map.html). Reads the values by city from
// the partial's data-url (/overview/city-map.json), the province's shapes from the file it names, and
// draws an ECharts map coloured by the indicator; a click on a city opens that city's overview.
(function () {
  "use strict";

  function fmt(value) {
    if (value === null || value === undefined || isNaN(value)) return "—";
    var digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 1 ? 2 : 3;
    return Number(value).toLocaleString(document.body.getAttribute("data-lang") === "en" ? "en" : "zh-CN",
      { maximumFractionDigits: digits });
  }

  var shapes = {}; // map name -> a promise of its registration

  function register(name, url) {
    if (!shapes[name]) {
      shapes[name] = fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); })
        .then(function (geo) { echarts.registerMap(name, geo); return name; });
    }
    return shapes[name];
  }

  function options(select, items, chosen) {
    select.innerHTML = "";
    items.forEach(function (item) {
      var option = document.createElement("option");
      option.value = item.id;
      option.textContent = item.label;
      if (item.id === chosen) option.selected = true;
      select.appendChild(option);
    });
  }

  function list(root, data) {
    var ul = root.querySelector("[data-map-list]");
    ul.innerHTML = "";
    data.cities.forEach(function (c) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = c.url;
      a.textContent = c.name;
      a.setAttribute("data-city", c.code);
      li.appendChild(a);
      li.appendChild(document.createTextNode("：" + c.text));
      ul.appendChild(li);
    });
  }

  function show(root, data) {
    var el = root.querySelector("[data-map-chart]");
    root.querySelector("[data-map-note]").textContent = data.note || "";
    options(root.querySelector("[data-map-indicator]"), data.indicators, data.indicator);
    var sector = root.querySelector("[data-map-sector]");
    var needsSector = data.indicators.some(function (i) { return i.id === data.indicator && i.sector; });
    var sectorLabel = root.querySelector("[data-map-sector-label]");
    sectorLabel.hidden = !needsSector;
    sectorLabel.style.display = needsSector ? "" : "none"; // a label's display rule would show it anyway
    if (needsSector) options(sector, data.sectors, data.sector);
    list(root, data);
    if (!data.map || typeof echarts === "undefined") return;
    register(data.map_name, data.map).then(function (name) {
      var chart = echarts.getInstanceByDom(el) || echarts.init(el, null, { renderer: "canvas" });
      var values = data.cities.filter(function (c) { return c.feature && c.value !== null; })
        .map(function (c) { return c.value; });
      var rows = data.cities.filter(function (c) { return c.feature; }).map(function (c) {
        return { name: c.feature, value: c.value, city: c };
      });
      chart.setOption({
        tooltip: { trigger: "item", formatter: function (p) {
          var c = p.data && p.data.city;
          return c ? c.name + "<br>" + data.label + "：" + c.text : p.name;
        } },
        visualMap: { min: values.length ? Math.min.apply(null, values) : 0,
          max: values.length ? Math.max.apply(null, values) : 1, left: 0, bottom: 8, calculable: true,
          text: [data.unit, ""], inRange: { color: ["#e3eef6", "#4f9dc2", "#1c5d87"] }, formatter: fmt },
        series: [{ type: "map", map: name, roam: false, data: rows, layoutCenter: ["50%", "50%"], layoutSize: "96%",
          labelLayout: { hideOverlap: true }, nameProperty: data.feature_property || "name",
          label: { show: true, fontSize: 10, formatter: function (p) { return p.data && p.data.city ? p.data.city.name : ""; } },
          itemStyle: { areaColor: "#f4f6f8", borderColor: "#9aa7b4" },
          emphasis: { label: { show: true }, itemStyle: { areaColor: "#e0a526" } } }]
      }, true);
      chart.off("click");
      chart.on("click", function (p) {
        if (p.data && p.data.city) window.location.href = p.data.city.url;
      });
      el.cityMap = chart; // for the browser test: where a city is drawn
      el.setAttribute("data-drawn", data.indicator + "|" + (data.sector || ""));
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  function load(root) {
    var url = root.getAttribute("data-url");
    var indicator = root.querySelector("[data-map-indicator]").value;
    var sector = root.querySelector("[data-map-sector]").value;
    var asked = url + (indicator ? "&indicator=" + encodeURIComponent(indicator) : "") +
      (sector && !root.querySelector("[data-map-sector-label]").hidden ? "&sector=" + encodeURIComponent(sector) : "");
    fetch(asked, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) show(root, data); });
  }

  function start(scope) {
    scope.querySelectorAll("[data-testid=city-map]").forEach(function (root) {
      if (root.getAttribute("data-started")) return;
      root.setAttribute("data-started", "1");
      root.querySelector("[data-map-indicator]").addEventListener("change", function () {
        root.querySelector("[data-map-sector]").value = "";
        load(root);
      });
      root.querySelector("[data-map-sector]").addEventListener("change", function () { load(root); });
      load(root);
    });
  }

  function ready() {
    start(document);
    if (window.htmx) { window.htmx.onLoad(function (el) { if (el.querySelectorAll) start(el); }); }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready); else ready();
})();
