/* The benchmark board's filters (templates/benchmark.html) apply as soon as one is changed: the form is
   submitted (boosted by htmx like every form), so a click on 仅低于基准水平 shows only those facilities. */
(function () {
  "use strict";

  function start(root) {
    var form = (root || document).querySelector('form[data-testid="benchmark-filters"]');
    if (!form || form.dataset.auto === "on") return;
    form.dataset.auto = "on";
    form.addEventListener("change", function () {
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    });
  }

  if (!window.carbonpeakBenchmark) {
    window.carbonpeakBenchmark = start;
    if (window.htmx) window.htmx.onLoad(function (el) { start(el); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { start(); });
  else start();
})();
