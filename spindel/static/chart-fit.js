/* Charts that fit, for the results page and the presentation. plotly makes room for the axis
   labels of bar and line charts (automargin) but draws a spider's item labels around its
   disc wherever they fall, and a legend anchored to the chart's edge does not push the plot
   aside. So after drawing, measure: every label must lie inside the chart and clear of the
   legend; widen the margins where one does not, and draw again. */
(function () {
  "use strict";
  var GAP = 6;  // px between a label and the chart's edge or the legend
  var TRIES = 12;  // a spider beside a tall legend may need several rounds to clear it

  function rect(el) { return el.getBoundingClientRect(); }

  function all(chart, selector) {
    return Array.prototype.map.call(chart.querySelectorAll(selector), rect)
      .filter(function (r) { return r.width > 0 && r.height > 0; });
  }

  /* The plot itself: a spider's disc, or the axes' rectangle. */
  function plotArea(chart) {
    var el = chart.querySelector(".polarsublayer.plotbg path") ||
      chart.querySelector(".nsewdrag");
    return el ? rect(el) : null;
  }

  function overlapsVertically(a, b) { return a.top < b.bottom && b.top < a.bottom; }
  function overlapsHorizontally(a, b) { return a.left < b.right && b.left < a.right; }

  /* How many px each margin must grow (negative: may shrink) so that every label lies
     inside the chart and nothing runs under the legend. */
  function needs(chart) {
    var frame = rect(chart.querySelector(".main-svg"));
    var labels = all(chart, ".angularaxistick text, .xtick text, .ytick text");
    var plot = plotArea(chart);
    var layout = chart._fullLayout || {};
    var legendBox = chart.querySelector(".legend .bg");
    var legend = legendBox && layout.legend && layout.legend.yref === "container" ?
      rect(legendBox) : null;
    var right = legend && layout.legend.orientation === "v";
    var below = legend && !right;
    var need = { t: -Infinity, b: -Infinity, l: -Infinity, r: -Infinity };
    labels.concat(plot ? [plot] : []).forEach(function (b) {
      need.t = Math.max(need.t, frame.top + GAP - b.top);
      need.l = Math.max(need.l, frame.left + GAP - b.left);
      var bottom = frame.bottom - GAP;
      if (below && (b === plot || overlapsHorizontally(b, legend))) {
        bottom = Math.min(bottom, legend.top - GAP);
      }
      need.b = Math.max(need.b, b.bottom - bottom);
      var edge = frame.right - GAP;
      if (right && (b === plot || overlapsVertically(b, legend))) {
        edge = Math.min(edge, legend.left - GAP);
      }
      need.r = Math.max(need.r, b.right - edge);
    });
    return need;
  }

  /* Fit a drawn chart: margins grow until its labels fit. A spider's first margins are a
     guess from the labels' lengths; above and below the disc, where its size is decided on
     a wide screen, they also shrink to what the labels take. Resolves when done. */
  function fit(chart, tries) {
    tries = tries === undefined ? TRIES : tries;
    if (!window.Plotly || !chart._fullLayout || !chart.querySelector(".main-svg")) {
      return Promise.resolve();
    }
    var need = needs(chart);
    var polar = !!chart.querySelector(".polarsublayer.plotbg");
    var margin = chart._fullLayout.margin;
    var update = {};
    ["t", "b", "l", "r"].forEach(function (side) {
      var change = need[side];
      if (!isFinite(change)) { return; }
      // A spider as tall as its room stays centred: a wider side margin moves it by half.
      if (polar && (side === "l" || side === "r") && change > 0) { change *= 2; }
      if (change < 0 && !(polar && (side === "t" || side === "b"))) { return; }
      if (Math.abs(change) > 1) {
        update["margin." + side] = Math.max(0, Math.ceil(margin[side] + change));
      }
    });
    if (!tries || !Object.keys(update).length) { return Promise.resolve(); }
    return window.Plotly.relayout(chart, update).then(function () { return fit(chart, tries - 1); });
  }

  /* plotly reads a little HTML in its texts: a name is escaped to be shown as typed. */
  function escape(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  /* Lines of about `width` characters, broken at spaces (charts.py's _wrap). */
  function wrap(text, width) {
    var lines = [];
    text.split(/\s+/).filter(Boolean).forEach(function (word) {
      var last = lines.length - 1;
      if (last >= 0 && lines[last].length + 1 + word.length <= width) {
        lines[last] += " " + word;
      } else {
        lines.push(word);
      }
    });
    return lines.map(escape).join("<br>");
  }

  /* A spider's labels wrapped anew for a wider screen (charts.py's rewrap_spider): the item
     in lines of `width` characters, its group in lines of `groupWidth`. */
  function rewrapSpider(figure, width, groupWidth) {
    var layout = figure.layout || {};
    var ticks = layout.meta && layout.meta.ticks;
    if (!layout.polar || !ticks) { return; }
    var old = layout.polar.angularaxis.categoryarray;
    var fresh = ticks.map(function (t) {
      return wrap(t[0], width) + "<br><i>" + wrap(t[1], groupWidth) + "</i>";
    });
    var byOld = {};
    old.forEach(function (label, i) { byOld[label] = fresh[i]; });
    layout.polar.angularaxis.categoryarray = fresh;
    (figure.data || []).forEach(function (trace) {
      trace.theta = trace.theta.map(function (label) { return byOld[label]; });
    });
  }

  window.spindelCharts = { fit: fit, rewrapSpider: rewrapSpider };
})();
