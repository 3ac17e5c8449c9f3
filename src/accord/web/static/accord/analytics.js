/* Draws the Company View's charts with the vendored Chart.js from the page's JSON
   island (<script type="application/json" id="analytics-data">). Each chart has a data
   table beside it, so nothing here is the only way to read a figure. */
(function () {
  "use strict";
  var island = document.getElementById("analytics-data");
  if (!island || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(island.textContent);
  var palette = {accent: "#3451d1", accentSoft: "rgba(52, 81, 209, .35)", ok: "#1f7a3a",
                 warn: "#c98a00", danger: "#b42318", grey: "#8a94a6"};
  var bandColours = {low: palette.ok, medium: palette.warn, high: palette.danger};
  // Counts of customers: whole numbers on the axis.
  var counts = {y: {beginAtZero: true, ticks: {precision: 0}}};
  var base = {responsive: true, maintainAspectRatio: false, animation: false,
              plugins: {legend: {display: false}}, scales: counts};

  function bar(labels, counts, label) {
    return {type: "bar", data: {labels: labels, datasets: [
      {label: label, data: counts, backgroundColor: palette.accent}]}, options: base};
  }

  var builders = {
    segments: function (d) { return bar(d.labels, d.counts, "Customers"); },
    value: function (d) { return bar(d.labels, d.counts, "Customers"); },
    alive: function (d) { return bar(d.labels, d.counts, "Customers"); },
    calibration: function (d) {
      return {type: "bar", data: {labels: d.labels, datasets: [
        {label: "Actual", data: d.actual, backgroundColor: palette.accent},
        {label: "Expected", data: d.expected, backgroundColor: palette.accentSoft,
         borderColor: palette.accent, borderWidth: 1}]},
        options: Object.assign({}, base, {plugins: {legend: {display: true}},
          scales: {y: {beginAtZero: true}}})};
    },
    churn: function (d) {
      var sets = d.bands.map(function (pair) {
        return {label: pair[0], data: pair[1],
                backgroundColor: bandColours[pair[0]] || palette.grey};
      });
      return {type: "bar", data: {labels: d.labels, datasets: sets},
        options: Object.assign({}, base, {plugins: {legend: {display: true}},
          scales: {x: {stacked: true},
                   y: {stacked: true, beginAtZero: true, ticks: {precision: 0}}}})};
    }
  };

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var name = canvas.getAttribute("data-chart");
    if (builders[name] && data[name]) {
      canvas.chart = new window.Chart(canvas, builders[name](data[name]));
    }
  });
})();
