// The timeline's keyboard and phone behaviour (CSP: same-origin script, no inline code):
// - after a swap of the results the reader asked for, focus and scroll move to the results heading (the
//   polite live region #announce, swapped out of band, says the new count). Asked for: a link, a submit
//   (Enter in a field, a button) or a committed change of a checkbox, date, order or actor field. Not asked
//   for, so focus stays where it is: the search box's as-you-type update (an `input` event) and its `change`
//   when it loses focus, and any swap during which the reader went on pressing keys (still typing a date,
//   moving along the type checkboxes): the live region alone reports those;
// - after Back/Forward (htmx restores <body> from its history cache or from the server's full page), the
//   <head>'s alternate links are rebuilt from the restored footer twins, and the behaviours below re-attached;
// - the density strip and the type checkboxes are one tab stop each; the arrow keys, Home and End move within;
// - the filter disclosure starts closed on narrow screens and keeps the reader's choice across swaps.
(function () {
  "use strict";
  var narrow = window.matchMedia("(max-width: 760px)");
  var filtersOpen = null;
  var roving = new WeakSet();
  var submitted = false;  // a form was submitted since the last results swap
  var lastKey = 0, requestAt = 0;

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

  function askedFor(detail) {
    var cfg = detail.requestConfig || {};
    var elt = cfg.elt, ev = cfg.triggeringEvent;
    if (lastKey > requestAt) return false;  // the reader kept typing while it loaded
    if (elt && elt.closest && elt.closest("a")) return true;
    if (submitted || (ev && ev.type === "submit")) return true;
    return !!ev && ev.type === "change" && !(ev.target && ev.target.id === "q");
  }

  document.addEventListener("DOMContentLoaded", setup);
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Enter") lastKey = performance.now();
  }, true);
  document.addEventListener("submit", function () { submitted = true; }, true);
  document.addEventListener("htmx:beforeRequest", function (e) {
    if (e.detail.target && e.detail.target.id === "app") requestAt = performance.now();
  });
  document.addEventListener("htmx:historyRestore", function () { syncHead(); setup(); });
  document.addEventListener("htmx:afterSettle", function (e) {
    if (!e.detail.target || e.detail.target.id !== "app") return;
    setup();
    var move = askedFor(e.detail);
    submitted = false;
    if (move) {
      var h = document.getElementById("results-h");
      if (h) {
        h.focus({preventScroll: true});
        h.scrollIntoView({block: "start"});
      }
    }
  });
})();
