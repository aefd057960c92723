// The monitor page: fetch the round's counts every few seconds and update the numbers in place.
(function () {
  "use strict";
  var root = document.getElementById("monitor");
  if (!root || !window.fetch) { return; }
  var source = root.getAttribute("data-source");
  var pattern = root.getAttribute("data-participation") || "";

  function participation(group) {
    return pattern.replace("{count}", String(group.count))
      .replace("{expected}", String(group.expected)).replace("{percent}", String(group.percent));
  }

  function show(data) {
    document.getElementById("monitor-total").textContent = String(data.total);
    var total = document.getElementById("monitor-participation");
    if (total && data.percent !== null) {
      total.textContent = "(" + root.getAttribute("data-participation-total")
        .replace("{text}", participation({count: data.total, expected: data.expected,
                                          percent: data.percent})) + ")";
    }
    document.getElementById("monitor-latest").textContent =
      root.getAttribute("data-" + (data.latest || "none"));
    if (typeof data.figures === "string") {
      document.getElementById("monitor-figures").textContent = data.figures;
    }
    ["professions", "districts"].forEach(function (kind) {
      (data[kind] || []).forEach(function (group) {
        var cell = root.querySelector('table[data-kind="' + kind + '"] td[data-key="' +
                                      group.key + '"]');
        if (cell) { cell.textContent = String(group.count); }
        var share = root.querySelector('table[data-kind="' + kind + '"] ' +
                                       'td[data-participation-key="' + group.key + '"]');
        if (share) { share.textContent = group.percent === null ? "–" : participation(group); }
      });
    });
  }

  function poll() {
    fetch(source, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { show(data); } })
      .catch(function () { /* offline for a moment: try again next time */ })
      .then(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 3000);
}());
