/* The month form's live figures (templates/month_form.html): each unit consumption of the sector, computed
   as the person types from the definition the server sends (services.month_form.formulas, the accounting's
   io/fields/unit_consumption.csv), and the change of each field from last month's value. The rules are the
   server's: the first term of a numerator is required, later ones count as 0 when empty; no figure where the
   denominator is empty or 0; the change is (value - last) / |last| x 100, none where last month's is 0. */
(function () {
  "use strict";

  function number(form, name) {
    var input = form.querySelector('[name="' + name + '"]');
    if (!input || input.value.trim() === "") return null;
    var value = Number(input.value);
    return isFinite(value) ? value : null;
  }

  function format(value, digits, lang) {
    return value.toLocaleString(lang === "zh" ? "zh-CN" : "en", {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
  }

  function ratio(form, formula) {
    var total = null;
    for (var i = 0; i < formula.terms.length; i++) {
      var term = formula.terms[i];
      var value = number(form, term.field);
      if (value === null) {
        if (i === 0) return null;
        value = 0;
      }
      total = (total === null ? 0 : total) + term.sign * value;
    }
    var output = number(form, formula.denominator);
    if (output === null || output === 0 || total === null) return null;
    return (total * formula.scale) / output;
  }

  function update(form, live, lang) {
    live.formulas.forEach(function (formula) {
      var shown = form.querySelector('output[data-indicator="' + formula.indicator + '"]');
      if (!shown) return;
      var value = ratio(form, formula);
      shown.textContent = value === null ? "—" : format(value, formula.digits, lang);
    });
    Object.keys(live.last).forEach(function (name) {
      var shown = form.querySelector('[data-change-for="' + name + '"]');
      if (!shown) return;
      var value = number(form, name);
      var before = live.last[name];
      if (value === null || before === 0) {
        shown.textContent = "";
        return;
      }
      var change = ((value - before) / Math.abs(before)) * 100;
      shown.textContent = " · " + (change >= 0 ? "+" : "") + change.toFixed(1) + "%";
    });
  }

  /* 计量值 (metered values, services.month_prefill): a field whose value is the meters' value (to three
     decimals, the server's rule when it records the version) is marked metered; "use the metered value" puts
     it in. */
  function metered(form, words) {
    form.querySelectorAll("[data-metered-for]").forEach(function (offer) {
      var name = offer.dataset.meteredFor;
      var input = form.querySelector('[name="' + name + '"]');
      var mark = offer.querySelector(".metered-mark");
      if (!input || !mark) return;
      var text = input.value.trim();
      var state = "offered";
      if (text !== "") {
        var value = Number(text);
        var same = isFinite(value) && Math.round(value * 1000) === Math.round(Number(offer.dataset.value) * 1000);
        state = same ? "metered" : "overridden";
      }
      offer.dataset.state = state;
      mark.textContent = words[state] || state;
    });
  }

  function accept(form, event) {
    var button = event.target.closest ? event.target.closest("[data-accept-metered]") : null;
    if (!button) return;
    var name = button.dataset.acceptMetered;
    var offer = form.querySelector('[data-metered-for="' + name + '"]');
    var input = form.querySelector('[name="' + name + '"]');
    if (!offer || !input) return;
    input.value = offer.dataset.value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function start(root) {
    var form = (root || document).querySelector('form[data-testid="month-form"]');
    var data = document.getElementById("month-form-live");
    if (!form || !data || form.dataset.live === "on") return;
    form.dataset.live = "on";
    var live = JSON.parse(data.textContent);
    var lang = document.body.dataset.lang || "zh";
    var wordsData = document.getElementById("month-form-metered-words");
    var words = wordsData ? JSON.parse(wordsData.textContent) : {};
    form.addEventListener("input", function () { update(form, live, lang); metered(form, words); });
    form.addEventListener("click", function (event) { accept(form, event); });
    update(form, live, lang);
    metered(form, words);
  }

  if (!window.carbonpeakMonthForm) {
    window.carbonpeakMonthForm = start;
    if (window.htmx) window.htmx.onLoad(function (el) { start(el); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { start(); });
  else start();
})();
