// The timeline's keyboard and phone behaviour (CSP: same-origin script, no inline code):
// - after a swap started from a link, focus and scroll move to the results heading (form fields keep focus);
// - after Back/Forward (htmx restores <body> from its history cache or from the server's full page), the
//   <head>'s alternate links are rebuilt from the restored footer twins, and the behaviours below re-attached;
// - the density strip and the type checkboxes are one tab stop each; the arrow keys, Home and End move within;
// - the filter disclosure starts closed on narrow screens and keeps the reader's choice across swaps.
(function () {
  "use strict";
  var narrow = window.matchMedia("(max-width: 760px)");
  var filtersOpen = null;
  var roving = new WeakSet();

  function setupFilters() {
    var d = document.getElementById("filters");
    if (!d) return;
    d.open = filtersOpen === null ? !narrow.matches : filtersOpen;
    var summary = d.querySelector("summary");
    if (summary) summary.addEventListener("click", function () { filtersOpen = !d.open; });
  }

  // One tab stop for a group of controls; the arrow keys, Home and End move between them (roving tabindex).
  // (The guard is kept off the DOM: a history snapshot copies attributes, not listeners.)
  function rove(group, selector) {
    if (!group || roving.has(group)) return;
    roving.add(group);
    var items = function () { return Array.prototype.slice.call(group.querySelectorAll(selector)); };
    var all = items();
    var current = all.filter(function (el) { return el.getAttribute("tabindex") === "0" || el.checked; })[0] || all[0];
    all.forEach(function (el) { el.setAttribute("tabindex", el === current ? "0" : "-1"); });
    group.addEventListener("keydown", function (e) {
      var list = items();
      var i = list.indexOf(document.activeElement);
      if (i < 0) return;
      var next = {ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1, Home: 0, End: list.length - 1}[e.key];
      if (next === undefined) return;
      e.preventDefault();
      next = Math.max(0, Math.min(list.length - 1, next));
      list[i].setAttribute("tabindex", "-1");
      list[next].setAttribute("tabindex", "0");
      list[next].focus();
    });
  }

  function setupDensity() {
    rove(document.querySelector("figure.density svg"), "a");
    rove(document.querySelector("#quick .types"), "input[type=checkbox]");
  }

  function setup() { setupFilters(); setupDensity(); }

  // The <head>'s alternate links, as the restored footer's twins give them.
  function syncHead() {
    Array.prototype.forEach.call(document.head.querySelectorAll("link[rel=alternate][id^='alt-']"), function (l) { l.remove(); });
    var before = document.head.querySelector("script");
    Array.prototype.forEach.call(document.querySelectorAll("#twins a[data-twin]"), function (a) {
      var l = document.createElement("link");
      l.id = "alt-" + a.getAttribute("data-twin");
      l.rel = "alternate";
      l.type = a.getAttribute("type");
      l.href = a.getAttribute("href");
      l.title = a.textContent;
      document.head.insertBefore(l, before);
    });
  }

  document.addEventListener("DOMContentLoaded", setup);
  document.addEventListener("htmx:historyRestore", function () { syncHead(); setup(); });
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
