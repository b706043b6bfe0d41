// The timeline's keyboard and phone behaviour (CSP: same-origin script, no inline code):
// - after a swap started from a link, focus and scroll move to the results heading (form fields keep focus);
// - the density strip is one tab stop; the arrow keys, Home and End move between its bars;
// - the filter disclosure starts closed on narrow screens and keeps the reader's choice across swaps.
(function () {
  "use strict";
  var narrow = window.matchMedia("(max-width: 760px)");
  var filtersOpen = null;

  function setupFilters() {
    var d = document.getElementById("filters");
    if (!d) return;
    d.open = filtersOpen === null ? !narrow.matches : filtersOpen;
    var summary = d.querySelector("summary");
    if (summary) summary.addEventListener("click", function () { filtersOpen = !d.open; });
  }

  function setupDensity() {
    var strip = document.querySelector("figure.density svg");
    if (!strip || strip.dataset.ready) return;
    strip.dataset.ready = "1";
    strip.addEventListener("keydown", function (e) {
      var bars = Array.prototype.slice.call(strip.querySelectorAll("a"));
      var i = bars.indexOf(document.activeElement);
      if (i < 0) return;
      var next = {ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1, Home: 0, End: bars.length - 1}[e.key];
      if (next === undefined) return;
      e.preventDefault();
      next = Math.max(0, Math.min(bars.length - 1, next));
      bars[i].setAttribute("tabindex", "-1");
      bars[next].setAttribute("tabindex", "0");
      bars[next].focus();
    });
  }

  function setup() { setupFilters(); setupDensity(); }

  document.addEventListener("DOMContentLoaded", setup);
  document.addEventListener("htmx:afterSettle", function (e) {
    if (!e.detail.target || e.detail.target.id !== "app") return;
    setup();
    var elt = e.detail.requestConfig && e.detail.requestConfig.elt;
    if (elt && elt.closest && elt.closest("a")) {
      var h = document.getElementById("results-h");
      if (h) {
        h.focus({preventScroll: true});
        h.scrollIntoView({block: "start"});
      }
    }
  });
})();
