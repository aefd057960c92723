/* Results page: draw each chart from its JSON data block with plotly.js, and make wide
   tables say that they scroll. The tables under the charts hold the same numbers and work
   without this script. */
(function () {
  "use strict";
  var CONFIG = { displayModeBar: false, responsive: true, displaylogo: false };

  function draw(element) {
    if (element.getAttribute("data-drawn")) { return; }
    var source = document.getElementById(element.getAttribute("data-figure"));
    if (!source || !window.Plotly) { return; }
    var figure = JSON.parse(source.textContent);
    var layout = figure.layout || {};
    delete layout.title;  // the page's heading names the chart
    var margin = layout.margin || {};
    // A first guess without the title's room; window.spindelCharts.fit adds what is missing.
    // (At the top, room for half the highest tick's label: plotly hides a label cut off.)
    layout.margin = { t: 16, b: layout.polar ? margin.b : 10, l: margin.l || 10, r: margin.r || 10 };
    // The legend at the foot of the chart, and the plot kept clear of it (chart-fit.js).
    layout.legend = Object.assign({}, layout.legend, {
      orientation: "h", xref: "container", yref: "container", x: 0, y: 0,
      xanchor: "left", yanchor: "bottom" });
    if (element.clientWidth < 500) {  // a phone: smaller text
      var small = function (font) { return Object.assign({}, font, { size: 10 }); };
      layout.font = small(layout.font);
      ["xaxis", "yaxis"].forEach(function (axis) {
        if (layout[axis]) { layout[axis].tickfont = small(layout[axis].tickfont); }
      });
      if (layout.polar) {
        layout.polar.radialaxis.tickfont = small(layout.polar.radialaxis.tickfont);
        layout.polar.angularaxis.tickfont = small(layout.polar.angularaxis.tickfont);
        layout.margin = { t: 10, b: 60, l: 70, r: 70 };
      }
      layout.height = Math.min(layout.height || 540, 480);
    } else if (element.clientWidth >= 700) {
      // Room beside the spider: its labels in fewer, longer lines leave it a larger disc.
      window.spindelCharts.rewrapSpider(figure, 16, 20);
    }
    element.setAttribute("data-drawn", "1");
    window.Plotly.newPlot(element, figure.data, layout, CONFIG).then(function () {
      return window.spindelCharts.fit(element);
    }).then(function () { element.setAttribute("data-fitted", "1"); });
  }

  /* A table wider than the page scrolls sideways: say so (a line above it, and the shadow
     at its edge in the stylesheet), and show the newest round, its last column. */
  function tables(root) {
    var wraps = root.querySelectorAll(".table-wrap");
    for (var i = 0; i < wraps.length; i++) {
      var wrap = wraps[i];
      if (wrap.closest("details:not([open])")) { continue; }
      var overflows = wrap.scrollWidth > wrap.clientWidth + 1;
      wrap.classList.toggle("scrolls", overflows);
      var hint = wrap.previousElementSibling;
      if (hint && hint.hasAttribute("data-scroll-hint")) { hint.hidden = !overflows; }
      if (overflows && wrap.hasAttribute("data-newest-last") && !wrap.getAttribute("data-shown")) {
        wrap.scrollLeft = wrap.scrollWidth;
        wrap.setAttribute("data-shown", "1");
      }
    }
  }

  function drawVisible(root) {
    var charts = root.querySelectorAll(".chart[data-figure]");
    for (var i = 0; i < charts.length; i++) {
      var closed = charts[i].closest("details:not([open])");
      if (!closed) { draw(charts[i]); }
    }
    tables(root);
  }

  var resizing = null;
  function resized() {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(function () {
      tables(document);
      var drawn = document.querySelectorAll(".chart[data-drawn]");
      for (var i = 0; i < drawn.length; i++) { window.spindelCharts.fit(drawn[i]); }
    }, 200);
  }

  function start() {
    document.documentElement.classList.add("js");
    drawVisible(document);
    var sections = document.querySelectorAll("details.results-section");
    for (var i = 0; i < sections.length; i++) {
      sections[i].addEventListener("toggle", function (event) {
        if (event.target.open) { drawVisible(event.target); }
      });
    }
    window.addEventListener("resize", resized);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
