/* The lanes figure, enhanced: one tab stop with arrow keys through the marks in time order, the focused
   mark's title shown, and drag across the axis to narrow the dates (it fills and submits the figure's
   date form, which works without this script). */
(function () {
  "use strict";
  var DAY = 86400000;

  function parseDay(s) { var p = s.split("-"); return Date.UTC(+p[0], +p[1] - 1, +p[2]); }
  function iso(ms) { return new Date(ms).toISOString().slice(0, 10); }

  function marksOf(svg) {
    return Array.prototype.slice.call(svg.querySelectorAll("a.mark")).sort(function (a, b) {
      return a.getAttribute("data-order") - b.getAttribute("data-order");
    });
  }

  function focusMark(marks, i) {
    marks.forEach(function (m, j) { m.setAttribute("tabindex", j === i ? "0" : "-1"); });
    if (marks[i]) { marks[i].focus(); }
  }

  function nearestOnLane(marks, i, lane) {
    var best = -1, dist = Infinity;
    marks.forEach(function (m, j) {
      if (+m.getAttribute("data-lane") === lane && Math.abs(j - i) < dist) { best = j; dist = Math.abs(j - i); }
    });
    return best;
  }

  function keys(svg, marks) {
    var vertical = svg.getAttribute("data-orient") === "v";
    svg.addEventListener("keydown", function (ev) {
      var i = marks.indexOf(document.activeElement);
      if (i < 0) { return; }
      var lane = +marks[i].getAttribute("data-lane"), next = -1;
      var later = vertical ? "ArrowDown" : "ArrowRight", earlier = vertical ? "ArrowUp" : "ArrowLeft";
      var laneUp = vertical ? "ArrowLeft" : "ArrowUp", laneDown = vertical ? "ArrowRight" : "ArrowDown";
      if (ev.key === later) { next = Math.min(i + 1, marks.length - 1); }
      else if (ev.key === earlier) { next = Math.max(i - 1, 0); }
      else if (ev.key === "Home") { next = 0; }
      else if (ev.key === "End") { next = marks.length - 1; }
      else if (ev.key === laneUp) { next = nearestOnLane(marks, i, lane - 1); }
      else if (ev.key === laneDown) { next = nearestOnLane(marks, i, lane + 1); }
      else { return; }
      ev.preventDefault();
      if (next >= 0) { focusMark(marks, next); }
    });
  }

  function showFocus(svg, out) {
    svg.addEventListener("focusin", function (ev) {
      var m = ev.target.closest && ev.target.closest("a.mark");
      if (m && out) { out.textContent = m.getAttribute("aria-label") + " — " + m.getAttribute("data-title"); }
    });
  }

  function toSvg(svg, ev) {
    var pt = svg.createSVGPoint();
    pt.x = ev.clientX; pt.y = ev.clientY;
    return pt.matrixTransform(svg.getScreenCTM().inverse());
  }

  function drag(svg, form) {
    if (!form) { return; }
    var plot = svg.getAttribute("data-plot").split(" ").map(Number);
    var vertical = svg.getAttribute("data-orient") === "v";
    var lo = parseDay(svg.getAttribute("data-lo")), hi = parseDay(svg.getAttribute("data-hi")) + DAY;
    var start = null, rect = null, dragged = false;
    function along(p) { return vertical ? (p.y - plot[1]) / plot[3] : (p.x - plot[0]) / plot[2]; }
    function day(t) { return lo + Math.floor(Math.min(Math.max(t, 0), 0.99999) * (hi - lo) / DAY) * DAY; }
    svg.addEventListener("pointerdown", function (ev) {
      if (ev.button !== 0) { return; }
      start = along(toSvg(svg, ev)); dragged = false;
    });
    svg.addEventListener("pointermove", function (ev) {
      if (start === null) { return; }
      var t = along(toSvg(svg, ev));
      if (!dragged && Math.abs(t - start) * (vertical ? plot[3] : plot[2]) < 6) { return; }
      if (!dragged) { svg.setPointerCapture(ev.pointerId); }
      dragged = true;
      if (!rect) {
        rect = document.createElementNS("http://www.w3.org/2000/svg", "rect");
        rect.setAttribute("class", "selection");
        svg.appendChild(rect);
      }
      var a = Math.max(Math.min(start, t), 0), b = Math.min(Math.max(start, t), 1);
      var from = (vertical ? plot[1] : plot[0]) + a * (vertical ? plot[3] : plot[2]);
      var size = (b - a) * (vertical ? plot[3] : plot[2]);
      rect.setAttribute(vertical ? "y" : "x", from); rect.setAttribute(vertical ? "height" : "width", size);
      rect.setAttribute(vertical ? "x" : "y", vertical ? plot[0] : plot[1]);
      rect.setAttribute(vertical ? "width" : "height", vertical ? plot[2] : plot[3]);
    });
    svg.addEventListener("pointercancel", function () {
      start = null; dragged = false;
      if (rect) { rect.remove(); rect = null; }
    });
    svg.addEventListener("pointerup", function (ev) {
      if (start === null) { return; }
      var t = along(toSvg(svg, ev)), a = Math.min(start, t), b = Math.max(start, t);
      start = null;
      if (!dragged) { return; }
      form.querySelector("[name=from]").value = iso(day(a));
      form.querySelector("[name=to]").value = iso(day(b));
      form.requestSubmit();
    });
    svg.addEventListener("click", function (ev) {
      if (dragged) { ev.preventDefault(); ev.stopPropagation(); dragged = false; }
    }, true);
  }

  function init(root) {
    var scope = root && root.querySelectorAll ? root : document;
    Array.prototype.forEach.call(scope.querySelectorAll("[data-lanes-figure]"), function (box) {
      if (box.getAttribute("data-ready")) { return; }
      box.setAttribute("data-ready", "1");
      var lanes = box.closest(".lanes");
      var form = lanes && lanes.querySelector("form[data-lanes-range]");
      var out = lanes && lanes.querySelector(".lanes-focus");
      Array.prototype.forEach.call(box.querySelectorAll("svg.lanes-svg"), function (svg) {
        var marks = marksOf(svg);
        marks.forEach(function (m, j) { m.setAttribute("tabindex", j === 0 ? "0" : "-1"); });
        keys(svg, marks);
        showFocus(svg, out);
        drag(svg, form);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (ev) { init(ev.detail.elt); });
})();
