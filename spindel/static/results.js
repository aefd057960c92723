/* Results page: draw each chart from its JSON data block with plotly.js. The tables under
   the charts hold the same numbers and work without this script. */
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
    layout.margin = Object.assign({}, layout.margin, { t: 30 });
    if (element.clientWidth < 500) {  // a phone: smaller text, room for the labels
      layout.font = Object.assign({}, layout.font, { size: 10 });
      layout.margin = { l: layout.polar ? 80 : 10, r: layout.polar ? 80 : 10, t: 30, b: 30 };
      layout.height = Math.min(layout.height || 540, 480);
    }
    element.setAttribute("data-drawn", "1");
    window.Plotly.newPlot(element, figure.data, layout, CONFIG);
  }

  function drawVisible(root) {
    var charts = root.querySelectorAll(".chart[data-figure]");
    for (var i = 0; i < charts.length; i++) {
      var closed = charts[i].closest("details:not([open])");
      if (!closed) { draw(charts[i]); }
    }
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
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
