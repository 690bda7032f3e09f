/* Draws the pages' charts with Chart.js (vendor/chartjs). Each <canvas data-chart="ID">
   names the <script type="application/json" id="ID"> block that holds its data:
   {labels: [years], series: [{key, label, data: [count or null], stack?}]}.
   No inline script or style: this file and Chart.js only touch the canvas and the CSSOM. */
(function () {
  "use strict";

  // Colour-blind-safe colours (Okabe-Ito first, then Tableau's), one per event type.
  var EVENT_COLOURS = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
    "#4E79A7", "#9C755F", "#B07AA1", "#59A14F", "#EDC948", "#FF9DA7", "#76B7B2", "#7F7F7F"
  ];
  var ALIGNMENT_COLOURS = {
    agree: "#1b7a3d",
    partly: "#d9a400",
    diverge: "#b2182b",
    compete: "#e66101",
    events_same: "#2166ac",
    events_opposite: "#c51b7d"
  };

  function colourOf(kind, item, index) {
    if (kind === "alignment") {
      return ALIGNMENT_COLOURS[item.key] || EVENT_COLOURS[index % EVENT_COLOURS.length];
    }
    return EVENT_COLOURS[index % EVENT_COLOURS.length];
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var kind = canvas.dataset.kind;
    var datasets = data.series.map(function (item, index) {
      var dataset = {
        label: item.label,
        data: item.data,
        backgroundColor: colourOf(kind, item, index),
        borderWidth: 0
      };
      if (item.stack) {
        dataset.stack = item.stack;
      }
      return dataset;
    });
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 14, color: "#1b1f24" } },
          tooltip: {
            filter: function (context) { return context.raw !== null; }
          }
        },
        scales: {
          x: { stacked: true, ticks: { color: "#1b1f24" }, grid: { display: false } },
          y: {
            stacked: true,
            beginAtZero: true,
            ticks: { precision: 0, color: "#1b1f24" },
            title: { display: true, text: kind === "alignment" ? "issues / events" : "events", color: "#1b1f24" }
          }
        }
      }
    });
  }

  function drawAll() {
    var canvases = document.querySelectorAll("canvas[data-chart]");
    for (var i = 0; i < canvases.length; i += 1) {
      draw(canvases[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
