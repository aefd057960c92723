/* Presentation mode: one slide at a time, keyboard and clicker navigation, live charts.
   Slide data comes from <base>/<key>.json with the page's own query (the selection). While
   the room answers, the count moves with every answer and the charts with each release. */
(function () {
  "use strict";
  var deck = document.getElementById("deck");
  if (!deck) { return; }
  var slides = Array.prototype.slice.call(deck.querySelectorAll(".slide"));
  var list = document.getElementById("slide-list");
  var listToggle = document.getElementById("slide-list-toggle");
  var position = document.getElementById("deck-position");
  var pollMs = parseInt(deck.getAttribute("data-poll-ms"), 10) || 4000;
  var live = deck.getAttribute("data-live") === "true";
  var current = 0;
  var loaded = {};  // key -> true once its data has been drawn
  var pending = {};
  var figures = {};  // key -> figure fetched but not drawn yet
  var drawn = {};  // key -> the figure last drawn, to draw again for a new screen size
  var timer = null;
  // Tests check this object survives live updates: the page is never reloaded.
  var state = window.spindelPresent = { current: 0, updates: 0, started: Date.now() };

  function dataUrl(key) {
    return deck.getAttribute("data-base") + "/" + encodeURIComponent(key) + ".json" +
      window.location.search;
  }

  function setText(slide, selector, text) {
    var el = slide.querySelector(selector);
    if (el && typeof text === "string" && el.textContent !== text) { el.textContent = text; }
  }

  function draw(slide, data) {
    setText(slide, "[data-count]", data.count);
    setText(slide, "[data-next-update]", data.next_update);
    setText(slide, "[data-participation]", data.participation);
    setText(slide, "[data-participation-groups]", data.participation_groups);
    setText(slide, "[data-caption]", data.caption);
    // Nothing to show: one sentence says why, instead of empty axes.
    var empty = slide.querySelector("[data-empty]");
    if (empty) {
      empty.textContent = data.empty || "";
      empty.hidden = !data.empty;
      slide.classList.toggle("chart-empty", !!data.empty);
    }
    var table = slide.querySelector("[data-table]");
    if (table && typeof data.table === "string") { table.innerHTML = data.table; }
    var points = slide.querySelector("[data-points]");
    if (points && typeof data.html === "string") { points.innerHTML = data.html; }
    if (typeof data.vote === "string") { showVoteState(slide, data.vote); }
    if (data.figure) {
      figures[slide.getAttribute("data-key")] = data.figure;
      // A chart drawn while hidden has no size: a hidden slide draws when it is shown.
      if (!slide.hidden) { plot(slide); }
    }
    loaded[slide.getAttribute("data-key")] = true;
    state.updates += 1;
    slide.setAttribute("data-loaded", "true");
  }

  /* The vote slide: only the control that fits the vote's state ("none", "open", "locked"). */
  function showVoteState(slide, voteState) {
    slide.setAttribute("data-vote", voteState);
    Array.prototype.forEach.call(slide.querySelectorAll("[data-vote-when]"), function (form) {
      form.hidden = form.getAttribute("data-vote-when") !== voteState;
    });
  }

  /* The figure comes sized for a screen of meta.screen_height lines (1080): scale its type,
     marks and margins to this screen, so text keeps its share of the screen's height. */
  function forScreen(figure) {
    var fig = JSON.parse(JSON.stringify(figure));
    var layout = fig.layout || {};
    var reference = (layout.meta && layout.meta.screen_height) || 1080;
    var f = Math.max(0.5, Math.min(window.innerHeight / reference,
                                   window.innerWidth / (reference * 16 / 9)));
    function font(obj) { if (obj && obj.size) { obj.size = obj.size * f; } }
    font(layout.font);
    if (layout.legend) { font(layout.legend.font); }
    ["xaxis", "yaxis"].forEach(function (axis) { if (layout[axis]) { font(layout[axis].tickfont); } });
    if (layout.polar) {
      font(layout.polar.radialaxis.tickfont);
      font(layout.polar.angularaxis.tickfont);
    }
    Object.keys(layout.margin || {}).forEach(function (side) {
      layout.margin[side] = Math.round(layout.margin[side] * f);
    });
    (fig.data || []).forEach(function (trace) {
      if (trace.marker && trace.marker.size) { trace.marker.size = trace.marker.size * f; }
      if (trace.line && trace.line.width) { trace.line.width = Math.max(1, trace.line.width * f); }
    });
    if (window.innerWidth < 640 && layout.legend) {  // a phone: the legend below
      Object.assign(layout.legend, { orientation: "h", x: 0, xanchor: "left", y: 0,
                                     yanchor: "bottom" });
    }
    return fig;
  }

  function plot(slide) {
    var key = slide.getAttribute("data-key");
    var chart = slide.querySelector("[data-chart]");
    var figure = figures[key];
    if (!chart || !figure || !window.Plotly) { return; }
    figures[key] = null;
    drawn[key] = figure;
    var fig = forScreen(figure);
    var config = { responsive: true, displayModeBar: false };
    chart.removeAttribute("data-fitted");
    // react() diffs against what is drawn: new answers change the traces without a flash.
    window.Plotly.react(chart, fig.data || [], fig.layout || {}, config).then(function () {
      return window.spindelCharts.fit(chart);
    }).then(function () { chart.setAttribute("data-fitted", "true"); });
  }

  /* A new screen size (full screen, another projector): draw the shown chart again. */
  var resizing = null;
  function redraw() {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(function () {
      var slide = slides[current];
      var key = slide && slide.getAttribute("data-key");
      if (key && drawn[key] && !figures[key]) { figures[key] = drawn[key]; plot(slide); }
    }, 150);
  }

  function load(index) {
    var slide = slides[index];
    var kind = slide && slide.getAttribute("data-kind");
    // The title and a slide that waits for its round to close say everything in the page.
    if (!slide || kind === "title" || kind === "waiting") { return; }
    var key = slide.getAttribute("data-key");
    if (pending[key]) { return; }
    pending[key] = true;
    fetch(dataUrl(key), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { draw(slide, data); } })
      .catch(function () { /* offline or server gone: keep what is shown */ })
      .then(function () { pending[key] = false; });
  }

  function poll() {
    var slide = slides[current];
    if (slide && slide.getAttribute("data-live") === "true") { load(current); }
  }

  function show(index) {
    index = Math.max(0, Math.min(slides.length - 1, index));
    slides.forEach(function (slide, i) { slide.hidden = i !== index; });
    current = state.current = index;
    var text = deck.getAttribute("data-slide-of")
      .replace("{n}", String(index + 1)).replace("{total}", String(slides.length));
    position.textContent = text;
    if (window.location.hash !== "#" + (index + 1)) {
      window.history.replaceState(null, "", "#" + (index + 1));
    }
    var key = slides[index].getAttribute("data-key");
    // A live slide fetched earlier may be stale: fetch it again as it comes up.
    if (!loaded[key] || slides[index].getAttribute("data-live") === "true") { load(index); }
    if (slides[index + 1] && !loaded[slides[index + 1].getAttribute("data-key")]) {
      load(index + 1);  // ready before the presenter clicks on
    }
    if (!figures[key] && drawn[key]) { figures[key] = drawn[key]; }  // drawn for another size
    plot(slides[index]);
  }

  function toggleList(open) {
    list.hidden = !open;
    listToggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) {
      var button = list.querySelectorAll("button")[current];
      if (button) { button.focus(); }
    }
  }

  function fullscreen() {
    if (document.fullscreenElement) {
      document.exitFullscreen();
    } else if (deck.requestFullscreen) {
      deck.requestFullscreen().catch(function () { /* refused: stay in the window */ });
    }
  }

  function isControl(el) {
    return el && /^(BUTTON|A|INPUT|SELECT|TEXTAREA|SUMMARY)$/.test(el.tagName);
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var target = event.target;
    if (target && /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) { return; }
    switch (event.key) {
      case "ArrowRight": case "PageDown": case "ArrowDown":
        show(current + 1); break;
      case "ArrowLeft": case "PageUp": case "ArrowUp":
        show(current - 1); break;
      case " ": case "Spacebar":
        if (isControl(target)) { return; }  // space presses a focused button
        show(event.shiftKey ? current - 1 : current + 1); break;
      case "Home": show(0); break;
      case "End": show(slides.length - 1); break;
      case "f": case "F": fullscreen(); break;
      case "Escape":
        if (!list.hidden) { toggleList(false); listToggle.focus(); }
        return;
      default: return;
    }
    event.preventDefault();
  });

  listToggle.addEventListener("click", function () { toggleList(list.hidden); });
  list.addEventListener("click", function (event) {
    var button = event.target.closest("[data-goto]");
    if (!button) { return; }
    show(parseInt(button.getAttribute("data-goto"), 10));
    toggleList(false);
    listToggle.focus();
  });
  document.getElementById("deck-prev").addEventListener("click", function () { show(current - 1); });
  document.getElementById("deck-next").addEventListener("click", function () { show(current + 1); });
  document.getElementById("deck-fullscreen").addEventListener("click", fullscreen);
  deck.addEventListener("click", function (event) {
    var button = event.target.closest(".table-toggle");
    if (!button) { return; }
    var table = document.getElementById(button.getAttribute("aria-controls"));
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.textContent = deck.getAttribute(open ? "data-hide-table" : "data-show-table");
    // Hidden only visually: screen readers read the table either way.
    table.classList.toggle("visually-hidden", !open);
    slides[current].classList.toggle("table-open", open);
  });

  /* Open and lock the vote without leaving the slide (the forms work without scripts too):
     the control that takes the sent one's place gets the focus, and the slide is fetched. */
  deck.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-vote-when]");
    if (!form) { return; }
    event.preventDefault();
    var slide = form.closest(".slide");
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                         headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (data) {
        showVoteState(slide, data.state || "none");
        var control = slide.querySelector("[data-vote-when]:not([hidden]) button");
        if (control) { control.focus(); }
        pending[slide.getAttribute("data-key")] = false;
        load(slides.indexOf(slide));
      })
      .catch(function () { form.submit(); });  /* the page itself then says what went wrong */
  });

  window.addEventListener("resize", redraw);
  document.addEventListener("fullscreenchange", redraw);

  var start = parseInt((window.location.hash || "").slice(1), 10);
  show(isNaN(start) ? 0 : start - 1);
  // The vote slide is polled too, also when no round is answered now.
  if (live || deck.querySelector("[data-kind=vote]")) { timer = window.setInterval(poll, pollMs); }
  state.stop = function () { if (timer) { window.clearInterval(timer); } };
})();
